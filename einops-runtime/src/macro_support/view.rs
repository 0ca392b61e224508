//! `rearrange_view!`, `rearrange_view_mut!`, `repeat_view!` and `rearrange_cow!`: a site's
//! recipe as a view of the input, typed by the rank rule.

use ndarray::{Array, ArrayBase, ArrayView, ArrayViewMut, CowArray, Data, DataMut, Dimension};

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
            tensor, `rearrange!` already returns candle's own views where candle can"
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

impl<'a, A: 'a, S: Data<Elem = A>, D: Dimension> Viewable<'a> for &'a ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    fn elements(self) -> ArrayView<'a, A, D> {
        self.view()
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

/// A view of dynamic rank in the dimension type the rank rule gives (it checked the rank).
fn typed<V: ndarray::RawData, O: Dimension>(view: ArrayBase<V, ndarray::IxDyn>) -> ArrayBase<V, O> {
    view.into_dimensionality()
        .expect("the rank rule gives the output's rank")
}

/// `rearrange_view!` and `repeat_view!`.
pub fn view<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<View<'a, R, I>, Error>
where
    I: Viewable<'a>,
    R: RankRule<I::Dim>,
{
    view::read_only(input.elements(), site.plan()?, lengths).map(typed)
}

/// `rearrange_view_mut!`.
pub fn view_mut<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<ViewMut<'a, R, I>, Error>
where
    I: ViewableMut<'a>,
    R: RankRule<I::Dim>,
{
    view::mutable(input.elements_mut(), site.plan()?, lengths).map(typed)
}

/// `rearrange_cow!`: the view when one exists, else a copy.
pub fn cow<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<Cow<'a, R, I>, Error>
where
    I: Viewable<'a>,
    I::Elem: Clone,
    R: RankRule<I::Dim>,
{
    let recipe = site.plan()?;
    let elements = input.elements();
    match view::read_only(elements.clone(), recipe, lengths) {
        Ok(view) => Ok(CowArray::from(typed::<_, Out<R, I::Dim>>(view))),
        Err(Error::NotAView { .. }) => {
            let copy: Array<I::Elem, Out<R, I::Dim>> =
                ops::rearrange(Input::Single(elements.into()), Plan::Site(recipe), lengths)?;
            Ok(CowArray::from(copy))
        }
        Err(err) => Err(err),
    }
}
