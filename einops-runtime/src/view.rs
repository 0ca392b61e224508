//! rearrange and repeat as views of the input: the same solve as the copying forms, then
//! the output's strides over the input's memory instead of a copy, or a `not_a_view` error.

use ndarray::{ArrayBase, ArrayView, ArrayViewMut, Axis, Dimension, IxDyn, RawData, ShapeBuilder};
use smallvec::SmallVec;

use crate::error::Error;
use crate::pattern::{group_text, Operation, Recipe, Term};
use crate::solve::{solve, Context, INLINE};

/// The shape and strides (in elements) of a view of an input of this shape and strides.
struct Layout {
    shape: SmallVec<[usize; INLINE]>,
    strides: SmallVec<[isize; INLINE]>,
}

/// Solves `recipe` against the input and describes the output by strides over the input's
/// memory, or names the output group that needs a copy.
fn layout(
    recipe: &Recipe,
    shape: &[usize],
    strides: &[isize],
    lengths: &[i128],
    element_size: usize,
) -> Result<Layout, Error> {
    recipe.check_view()?;
    let ctx = Context {
        recipe,
        shape,
        lengths,
    };
    let solution = solve(&ctx, strides, element_size)?;
    match solution.view_strides() {
        Ok(view_strides) => Ok(Layout {
            strides: view_strides,
            shape: solution.shape,
        }),
        Err(dim) => Err(Error::NotAView {
            call: ctx.call(),
            dim,
            group: output_group_text(recipe, dim, solution.shape.len()),
            strides: strides.to_vec(),
        }),
    }
}

/// Output dimension `dim`'s group as written; `dims` is the output's rank (a bare
/// ellipsis stands for the dimensions the groups leave).
fn output_group_text(recipe: &Recipe, dim: usize, dims: usize) -> String {
    let groups = recipe
        .output
        .iter()
        .filter(|t| matches!(t, Term::Group(_)))
        .count();
    let mut first = 0;
    for term in recipe.output.iter() {
        let (text, covers) = match term {
            Term::Group(slots) => (group_text(slots, &recipe.axes), 1),
            Term::Ellipsis => ("...".to_owned(), dims - groups),
        };
        if dim < first + covers {
            return text;
        }
        first += covers;
    }
    "...".to_owned()
}

/// `recipe` (a rearrange or a repeat) as a read-only view of `x`'s elements.
pub(crate) fn read_only<'a, A, D: Dimension>(
    x: ArrayView<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<ArrayView<'a, A, IxDyn>, Error> {
    let layout = layout(recipe, x.shape(), x.strides(), lengths, size_of::<A>())?;
    // SAFETY: the solve gives every elementary axis its stride in `x`, and an output index
    // is a choice of elementary coordinates (a repeated axis has stride 0): its address is
    // that of `x`'s element at the same coordinates, borrowed, shared, for `'a`.
    Ok(unsafe { view(x.as_ptr(), &layout) })
}

/// The rearrange `recipe` as a mutable view of `x`'s elements.
pub(crate) fn mutable<'a, A, D: Dimension>(
    mut x: ArrayViewMut<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<ArrayViewMut<'a, A, IxDyn>, Error> {
    debug_assert_eq!(recipe.operation, Operation::Rearrange);
    let layout = layout(recipe, x.shape(), x.strides(), lengths, size_of::<A>())?;
    // SAFETY: as in `read_only`, with `x`'s elements borrowed mutably for `'a`. No two
    // indices share an element: a rearrange has no repeated axis, so its output indices
    // correspond one to one to `x`'s, whose elements are distinct (a mutable view does not
    // alias itself).
    Ok(unsafe { view_mut(x.as_mut_ptr(), &layout) })
}

/// A read-only view of `layout` over the elements `first` points at.
///
/// # Safety
/// Every index of `layout` must address an element of one array that stays borrowed, not
/// mutably, for `'a`: `first` plus the sum of index times stride.
unsafe fn view<'a, A>(first: *const A, layout: &Layout) -> ArrayView<'a, A, IxDyn> {
    let (low, abs) = lowest(first, layout);
    // SAFETY: by the caller's promise, with ndarray's convention of non-negative strides
    // from the lowest address; the negative axes are inverted back below.
    let mut view = unsafe { ArrayView::from_shape_ptr(IxDyn(&layout.shape).strides(abs), low) };
    invert_negative(&mut view, layout);
    view
}

/// A mutable view of `layout` over the elements `first` points at.
///
/// # Safety
/// As [`view`], with the array borrowed mutably for `'a`, and no two indices of `layout`
/// addressing the same element.
unsafe fn view_mut<'a, A>(first: *mut A, layout: &Layout) -> ArrayViewMut<'a, A, IxDyn> {
    let (low, abs) = lowest(first, layout);
    // SAFETY: as in `view`; the caller rules out aliasing.
    let mut view =
        unsafe { ArrayViewMut::from_shape_ptr(IxDyn(&layout.shape).strides(abs), low.cast_mut()) };
    invert_negative(&mut view, layout);
    view
}

/// The lowest address `layout` reaches from `first`, and its strides' magnitudes.
fn lowest<A>(first: *const A, layout: &Layout) -> (*const A, IxDyn) {
    let empty = layout.shape.contains(&0);
    let mut low = first;
    let mut abs = IxDyn::zeros(layout.shape.len());
    for (axis, (&len, &stride)) in layout.shape.iter().zip(&layout.strides).enumerate() {
        abs[axis] = stride.unsigned_abs();
        if stride < 0 && !empty {
            // wrapping: the caller promised the address is inside the array.
            low = low.wrapping_offset(stride * (len as isize - 1));
        }
    }
    (low, abs)
}

/// Turns the axes `lowest` walked from the low end back to the layout's negative strides.
fn invert_negative<S: RawData>(view: &mut ArrayBase<S, IxDyn>, layout: &Layout) {
    for (axis, &stride) in layout.strides.iter().enumerate() {
        if stride < 0 {
            view.invert_axis(Axis(axis));
        }
    }
}
