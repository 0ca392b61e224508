//! `rearrange_view!`, `rearrange_view_mut!`, `repeat_view!` and `rearrange_cow!`: a site's
//! recipe as a view of the input, typed by the rank rule.

use ndarray::{
    Array, ArrayBase, ArrayView, ArrayViewMut, CowArray, Data, DataMut, Dimension, RawData,
};

use crate::error::Error;
use crate::input::Input;
use crate::memo::Plan;
use crate::ops;
use crate::pattern::Recipe;
use crate::rank::RankRule;
use crate::sealed::{self, Sealed};
use crate::site::Site;
use crate::view;

/// What the view macros accept: a reference to one ndarray array (owned, a view, an
/// `ArcArray` or a `CowArray`); `&mut` for `rearrange_view_mut!`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no einops view: the view forms take a reference to one ndarray array",
    label = "expected `&array` (or `&mut array` for `rearrange_view_mut!`)",
    note = "a list of arrays has no view (`rearrange!` stacks it into a new array); on a candle \
            tensor, `rearrange!` already returns candle's own views where candle can; burn \
            tensors have no views: use `rearrange!`"
)]
pub trait Viewable<'a>: Sealed<sealed::View> {
    /// The element type.
    type Elem: 'a;
    /// The dimension type the rank rules see.
    type Dim: Dimension;
    /// The elements, borrowed for `'a`.
    fn elements(self) -> ArrayView<'a, Self::Elem, Self::Dim>;
}

/// What `rearrange_view_mut!` accepts: a mutable reference to one ndarray array whose
/// elements can be written.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no mutable einops view: `rearrange_view_mut!` takes `&mut` of one \
               ndarray array whose elements can be written",
    label = "expected `&mut array`",
    note = "a list of arrays has no view; on a candle tensor, use `rearrange!`"
)]
pub trait ViewableMut<'a>: Sealed<sealed::View> {
    /// The element type.
    type Elem: 'a;
    /// The dimension type the rank rules see.
    type Dim: Dimension;
    /// The elements, borrowed mutably for `'a`.
    fn elements_mut(self) -> ArrayViewMut<'a, Self::Elem, Self::Dim>;
}

impl<'a, A: 'a, S: Data<Elem = A>, D: Dimension> Sealed<sealed::View> for &'a ArrayBase<S, D> {}
impl<'a, A: 'a, S: DataMut<Elem = A>, D: Dimension> Sealed<sealed::View>
    for &'a mut ArrayBase<S, D>
{
}
impl<'a, A: 'a, D: Dimension> Sealed<sealed::View> for ArrayView<'a, A, D> {}

impl<'a, A: 'a, S: Data<Elem = A>, D: Dimension> Viewable<'a> for &'a ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    fn elements(self) -> ArrayView<'a, A, D> {
        self.view()
    }
}

/// A view by value borrows what it views: its own lifetime is the result's.
impl<'a, A: 'a, D: Dimension> Viewable<'a> for ArrayView<'a, A, D> {
    type Elem = A;
    type Dim = D;
    fn elements(self) -> ArrayView<'a, A, D> {
        self
    }
}

impl<'a, A: 'a, S: DataMut<Elem = A>, D: Dimension> ViewableMut<'a> for &'a mut ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    fn elements_mut(self) -> ArrayViewMut<'a, A, D> {
        self.view_mut()
    }
}

/// The rank rule's output dimension type for this input.
type Out<R, D> = <R as RankRule<D>>::Output;
/// What `rearrange_view!` returns for the input `I` and the rank rule `R`.
pub type View<'a, R, I> =
    ArrayView<'a, <I as Viewable<'a>>::Elem, Out<R, <I as Viewable<'a>>::Dim>>;
/// What `rearrange_view_mut!` returns.
pub type ViewMut<'a, R, I> =
    ArrayViewMut<'a, <I as ViewableMut<'a>>::Elem, Out<R, <I as ViewableMut<'a>>::Dim>>;
/// What `rearrange_cow!` returns.
pub type Cow<'a, R, I> = CowArray<'a, <I as Viewable<'a>>::Elem, Out<R, <I as Viewable<'a>>::Dim>>;

/// `rearrange_view!` and `repeat_view!`. What the macro settled from the pattern: `order`,
/// the input axis of each output axis when the pattern is a permutation (then this is
/// ndarray's `permuted_axes`, inlined into the caller), else empty; otherwise, when the
/// pattern has no ellipsis and at most one inferred axis per input dimension (then no
/// solve), `splits`, how each input dimension splits into axes (empty: one axis each), and
/// `settled`, one list of sources per output dimension (an input axis, or `-1 - k` for a
/// new axis of length `lengths[k]`), else both empty.
#[inline]
pub fn view<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
    order: &[usize],
    splits: &[&[isize]],
    settled: &[&[isize]],
) -> Result<View<'a, R, I>, Error>
where
    I: Viewable<'a>,
    R: RankRule<I::Dim>,
{
    let x = input.elements();
    if let Some(axes) = permutation::<I::Dim>(x.ndim(), order) {
        return Ok(ranked(x.permuted_axes(axes)));
    }
    let settled = view::settled_shared(&x, splits, settled, lengths);
    settled_or_solved(settled, x, site, lengths)
}

/// `repeat_view!` of a pattern whose every output dimension has one source: `order`, that
/// source, an input dimension or `-1 - k` for a new axis of length `lengths[k]`. The
/// shape and strides then follow in one pass over a list the caller's constant folds.
#[inline]
pub fn spread<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
    order: &[isize],
) -> Result<View<'a, R, I>, Error>
where
    I: Viewable<'a>,
    R: RankRule<I::Dim>,
{
    let x = input.elements();
    let settled = view::spread_shared(&x, order, lengths);
    settled_or_solved(settled, x, site, lengths)
}

/// The view the macro settled, or else the general path's.
///
/// The two meet on the view, not on the `Result`: met on the `Result`, which the general
/// path writes to memory, the settled view went through memory too, and an unwrapping
/// caller reloaded it with wider loads than the stores (a stalled store forward: a
/// repeat's view took 7.3 ns against ndarray's 1.3).
#[inline(always)]
fn settled_or_solved<'a, A, D: Dimension, O: Dimension>(
    settled: Option<ArrayView<'a, A, O>>,
    x: ArrayView<'a, A, D>,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<ArrayView<'a, A, O>, Error> {
    let view = match settled {
        Some(view) => view,
        None => read_only(x, site, lengths)?,
    };
    Ok(view)
}

/// `rearrange_view_mut!`; `order`, `splits` and `settled` as for `view`.
#[inline]
pub fn view_mut<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
    order: &[usize],
    splits: &[&[isize]],
    settled: &[&[isize]],
) -> Result<ViewMut<'a, R, I>, Error>
where
    I: ViewableMut<'a>,
    R: RankRule<I::Dim>,
{
    let x = input.elements_mut();
    if let Some(axes) = permutation::<I::Dim>(x.ndim(), order) {
        return Ok(ranked(x.permuted_axes(axes)));
    }
    // As in `settled_or_solved`, the paths meet on the view.
    let view = match view::settled_exclusive(x, splits, settled, lengths) {
        Ok(view) => view,
        Err(x) => mutable(x, site, lengths)?,
    };
    Ok(view)
}

/// `rearrange_cow!`: the view when one exists, else a copy; `order`, `splits` and `settled` as for
/// `view`.
pub fn cow<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
    order: &[usize],
    splits: &[&[isize]],
    settled: &[&[isize]],
) -> Result<Cow<'a, R, I>, Error>
where
    I: Viewable<'a>,
    I::Elem: Clone,
    R: RankRule<I::Dim>,
{
    let elements = input.elements();
    match view::<R, _>(elements.clone(), site, lengths, order, splits, settled) {
        Ok(view) => Ok(CowArray::from(view)),
        Err(Error::NotAView { .. }) => {
            let recipe = Plan::Site(site.plan()?);
            let copy: Array<I::Elem, Out<R, I::Dim>> =
                ops::rearrange(Input::Single(elements.into()), recipe, lengths)?;
            Ok(CowArray::from(copy))
        }
        Err(err) => Err(err),
    }
}

/// The view of a site's recipe other than a permutation: out of line, so that a
/// permutation inlines into the caller alone.
#[inline(never)]
#[cold]
fn read_only<'a, A, D: Dimension, O: Dimension>(
    x: ArrayView<'a, A, D>,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<ArrayView<'a, A, O>, Error> {
    view::read_only(x, Plan::Site(site.plan()?), lengths)
}

/// The mutable view of a site's recipe other than a permutation, out of line.
#[inline(never)]
fn mutable<'a, A, D: Dimension, O: Dimension>(
    x: ArrayViewMut<'a, A, D>,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<ArrayViewMut<'a, A, O>, Error> {
    view::mutable(x, Plan::Site(site.plan()?), lengths)
}

/// `order` as the dimension type `D`: `None` for no order (the pattern is no
/// permutation), or an input of another rank (whose error the general path reports).
#[inline]
fn permutation<D: Dimension>(ndim: usize, order: &[usize]) -> Option<D> {
    if order.is_empty() || ndim != order.len() {
        return None;
    }
    let mut axes = D::zeros(ndim);
    axes.slice_mut().copy_from_slice(order);
    Some(axes)
}

/// A permuted array in the dimension type the rank rule gives: the same rank (for a
/// permutation, the rule's output is the input's dimension type or `IxDyn`).
#[inline]
fn ranked<S: RawData, D: Dimension, O: Dimension>(x: ArrayBase<S, D>) -> ArrayBase<S, O> {
    x.into_dimensionality()
        .expect("a permutation keeps the rank, which the rank rule checked")
}
