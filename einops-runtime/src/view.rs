//! rearrange and repeat as views of the input: the same solve as the copying forms, then
//! the output's strides over the input's memory instead of a copy, or a `not_a_view` error.

use std::cell::RefCell;
use std::rc::Rc;

use ndarray::{
    ArrayBase, ArrayView, ArrayViewMut, Axis, Dimension, RawData, ShapeBuilder, StrideShape,
};
use smallvec::SmallVec;

use crate::error::Error;
use crate::memo::{self, Key, Memo, Plan};
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

thread_local! {
    static LAYOUTS: RefCell<Memo<Layout>> = const { RefCell::new(Memo::new()) };
}

/// The layout of a call: remembered for a macro's call site and this input layout, or
/// solved (and then remembered).
fn remembered<A, D: Dimension>(
    recipe: Plan<'_, Recipe>,
    x: &ArrayView<'_, A, D>,
    lengths: &[i128],
) -> Result<Rc<Layout>, Error> {
    let mut key = Key::new(recipe);
    key.array(x.shape(), x.strides());
    key.lengths(lengths);
    // The element size bounds the output's size in bytes.
    key.push(size_of::<A>());
    if let Some(layout) = memo::recall(&LAYOUTS, &key) {
        return Ok(layout);
    }
    let layout = layout(
        recipe.plan(),
        x.shape(),
        x.strides(),
        lengths,
        size_of::<A>(),
    )?;
    Ok(memo::remember(&LAYOUTS, &key, layout))
}

/// The layout a macro settled from the pattern: output dimension `k` is `settled[k]`, a
/// list of sources, each an input dimension (`i >= 0`) or a new axis whose length is
/// `lengths[-1 - i]`. Empty when the macro settled nothing.
pub(crate) type Settled<'s> = &'s [&'s [isize]];

/// The shape and (non-negative) strides of dimension type `O` that `settled` gives for an
/// input of this shape and strides, when it holds: every input dimension used once, new
/// axes only if `repeats`, merged dimensions evenly spaced, no negative stride, valid
/// lengths and a non-empty output. Otherwise `None`, and the general path decides (and
/// names what is wrong).
///
/// Built straight into `O`, not into a [`Layout`]: returning the layout's inline vectors
/// cost flatten's view 60 ns against 10 (bench_report, einops-view).
#[inline]
fn settled_dims<O: Dimension>(
    shape: &[usize],
    strides: &[isize],
    settled: Settled<'_>,
    lengths: &[i128],
    repeats: bool,
) -> Option<(O, O)> {
    let ndim = settled.len();
    if ndim == 0 || O::NDIM.is_some_and(|n| n != ndim) || shape.len() >= 64 {
        return None;
    }
    let (mut out_shape, mut out_strides) = (O::zeros(ndim), O::zeros(ndim));
    let mut used = 0u64;
    let mut elements = 1usize;
    for (k, sources) in settled.iter().enumerate() {
        let (mut len, mut stride) = (1usize, 0usize);
        // The span of the sources inside this one, which an outer source must step by.
        let mut span = None;
        for &source in sources.iter().rev() {
            let (l, s) = source_axis(shape, strides, lengths, source, repeats, &mut used)?;
            len = len.checked_mul(l)?;
            if l != 1 {
                match span {
                    Some(span) if span != s => return None,
                    Some(_) => {}
                    None => stride = s,
                }
                span = Some(s.checked_mul(l)?);
            }
        }
        elements = elements.checked_mul(len)?;
        out_shape[k] = len;
        out_strides[k] = if len <= 1 { 0 } else { stride };
    }
    complete(shape, elements, used).then_some((out_shape, out_strides))
}

/// The length and (non-negative) stride of one source of a settled layout: input
/// dimension `source` if `source >= 0`, marked in `used` (each may be used once), or else
/// the new axis of length `lengths[-1 - source]` (stride 0) if `repeats`.
#[inline]
fn source_axis(
    shape: &[usize],
    strides: &[isize],
    lengths: &[i128],
    source: isize,
    repeats: bool,
    used: &mut u64,
) -> Option<(usize, usize)> {
    if source >= 0 {
        let dim = source as usize;
        let stride = usize::try_from(*strides.get(dim)?).ok()?;
        if *used >> dim & 1 == 1 {
            return None;
        }
        *used |= 1 << dim;
        Some((shape[dim], stride))
    } else if repeats {
        let value = *lengths.get((-1 - source) as usize)?;
        Some((usize::try_from(value).ok()?, 0))
    } else {
        None
    }
}

/// Whether a settled layout of `elements` elements that used the input dimensions `used`
/// holds: every input dimension used, and a non-empty output whose size fits `isize`.
#[inline]
fn complete(shape: &[usize], elements: usize, used: u64) -> bool {
    let fits = elements > 0 && isize::try_from(elements).is_ok();
    fits && used == (1 << shape.len()) - 1
}

/// The shape and strides of dimension type `O` that a flat `order` gives: output dimension
/// `k` is input dimension `order[k]`, or, when negative, a new axis of length
/// `lengths[-1 - order[k]]` (stride 0). The conditions are [`settled_dims`]'s, checked in
/// one pass over a list the caller's constant folds.
#[inline]
fn ordered_dims<O: Dimension>(
    shape: &[usize],
    strides: &[isize],
    order: &[isize],
    lengths: &[i128],
) -> Option<(O, O)> {
    let ndim = order.len();
    if O::NDIM.is_some_and(|n| n != ndim) || shape.len() >= 64 {
        return None;
    }
    let (mut out_shape, mut out_strides) = (O::zeros(ndim), O::zeros(ndim));
    let mut used = 0u64;
    let mut elements = 1usize;
    for (k, &source) in order.iter().enumerate() {
        let (len, stride) = source_axis(shape, strides, lengths, source, true, &mut used)?;
        elements = elements.checked_mul(len)?;
        out_shape[k] = len;
        out_strides[k] = if len <= 1 { 0 } else { stride };
    }
    complete(shape, elements, used).then_some((out_shape, out_strides))
}

/// Most axes the input of a settled layout splits into; more go the general way.
const SPLIT_AXES: usize = 16;

/// The lengths and strides of the axes an input of this shape and strides splits into:
/// dimension `k` into the axes `splits[k]` lists, each `0` for the one axis inferred from
/// the dimension (at most one), `n > 0` for an anonymous axis of length `n`, or `-1 - i`
/// for the given length `lengths[i]`; their product must be the dimension's length. Then
/// `(lengths, strides, count)`. `None` when that does not hold, for another rank or for more
/// than [`SPLIT_AXES`] axes: the general path then decides and names what is wrong.
#[inline]
fn split_axes(
    shape: &[usize],
    strides: &[isize],
    splits: Settled<'_>,
    lengths: &[i128],
) -> Option<([usize; SPLIT_AXES], [isize; SPLIT_AXES], usize)> {
    if splits.len() != shape.len() {
        return None;
    }
    let known = |part: isize| match part {
        0 => Some(1),
        n if n > 0 => Some(n as usize),
        given => usize::try_from(*lengths.get((-1 - given) as usize)?).ok(),
    };
    let (mut axis_lengths, mut axis_strides) = ([0; SPLIT_AXES], [0; SPLIT_AXES]);
    let mut count = 0;
    for ((&len, &stride), &parts) in shape.iter().zip(strides).zip(splits) {
        let product = parts
            .iter()
            .try_fold(1usize, |product, &part| product.checked_mul(known(part)?))?;
        let inferred = match parts.iter().filter(|&&part| part == 0).count() {
            0 if product == len => 1,
            1 if product > 0 && len % product == 0 => len / product,
            _ => return None,
        };
        let first = count;
        count += parts.len();
        if count > SPLIT_AXES {
            return None;
        }
        // The last axis steps by the dimension's stride, each one before by the span of
        // those after it: every index stays inside the dimension.
        let mut step = stride;
        for (k, &part) in parts.iter().enumerate().rev() {
            let axis_length = if part == 0 { inferred } else { known(part)? };
            axis_lengths[first + k] = axis_length;
            axis_strides[first + k] = step;
            step = step.checked_mul(isize::try_from(axis_length).ok()?)?;
        }
    }
    Some((axis_lengths, axis_strides, count))
}

/// The layout of dimension type `O` that `splits` and `settled` give for an input of this
/// shape and strides (see [`split_axes`] and [`settled_dims`]).
#[inline]
fn split_and_settled<O: Dimension>(
    shape: &[usize],
    strides: &[isize],
    splits: Settled<'_>,
    settled: Settled<'_>,
    lengths: &[i128],
    repeats: bool,
) -> Option<(O, O)> {
    if splits.is_empty() {
        return settled_dims::<O>(shape, strides, settled, lengths, repeats);
    }
    let (axis_lengths, axis_strides, count) = split_axes(shape, strides, splits, lengths)?;
    settled_dims::<O>(
        &axis_lengths[..count],
        &axis_strides[..count],
        settled,
        lengths,
        repeats,
    )
}

/// The read-only view `splits` and `settled` give of `x`, when they hold (see
/// [`split_and_settled`]).
#[inline]
pub(crate) fn settled_shared<'a, A, D: Dimension, O: Dimension>(
    x: &ArrayView<'a, A, D>,
    splits: Settled<'_>,
    settled: Settled<'_>,
    lengths: &[i128],
) -> Option<ArrayView<'a, A, O>> {
    // A read-only view may repeat (only a repeat's macro settles new axes).
    let (shape, strides) =
        split_and_settled::<O>(x.shape(), x.strides(), splits, settled, lengths, true)?;
    // SAFETY: as in `shared_from`.
    Some(unsafe { shared_from(x, shape, strides) })
}

/// The read-only view a flat `order` gives of `x`, when it holds (see [`ordered_dims`]).
#[inline]
pub(crate) fn spread_shared<'a, A, D: Dimension, O: Dimension>(
    x: &ArrayView<'a, A, D>,
    order: &[isize],
    lengths: &[i128],
) -> Option<ArrayView<'a, A, O>> {
    let (shape, strides) = ordered_dims::<O>(x.shape(), x.strides(), order, lengths)?;
    // SAFETY: as in `shared_from`.
    Some(unsafe { shared_from(x, shape, strides) })
}

/// The view of `x`'s elements with this shape and these (non-negative) strides.
///
/// # Safety
/// `shape` and `strides` must come from [`split_and_settled`] or [`ordered_dims`] for
/// `x`'s shape and strides.
#[inline]
unsafe fn shared_from<'a, A, D: Dimension, O: Dimension>(
    x: &ArrayView<'a, A, D>,
    shape: O,
    strides: O,
) -> ArrayView<'a, A, O> {
    // SAFETY: every index is a choice of an index on each input axis (a new axis has stride
    // 0, merged axes are evenly spaced, and the axes a dimension splits into multiply to its
    // length with nested strides), hence of an index in each input dimension, so its
    // address, from `x`'s first element (the lowest, as no stride is negative), is that of
    // `x`'s element at those indices, borrowed, shared, for `'a`.
    unsafe { ArrayView::from_shape_ptr(shape.strides(strides), x.as_ptr()) }
}

/// The mutable view `splits` and `settled` give of `x` (a rearrange's: no new axis), or
/// `x` back.
#[inline]
pub(crate) fn settled_exclusive<'a, A, D: Dimension, O: Dimension>(
    mut x: ArrayViewMut<'a, A, D>,
    splits: Settled<'_>,
    settled: Settled<'_>,
    lengths: &[i128],
) -> Result<ArrayViewMut<'a, A, O>, ArrayViewMut<'a, A, D>> {
    let layout = split_and_settled::<O>(x.shape(), x.strides(), splits, settled, lengths, false);
    let Some((shape, strides)) = layout else {
        return Err(x);
    };
    // SAFETY: as in `shared_from`, with `x`'s elements borrowed mutably for `'a`. Every
    // input axis is used once and no axis is new, so the output's indices correspond one to
    // one to `x`'s, whose elements are distinct.
    Ok(unsafe { ArrayViewMut::from_shape_ptr(shape.strides(strides), x.as_mut_ptr()) })
}

/// `recipe` (a rearrange or a repeat) as a read-only view of `x`'s elements, of dimension
/// type `O` (the caller's rank rule has checked the output's rank).
pub(crate) fn read_only<'a, A, D: Dimension, O: Dimension>(
    x: ArrayView<'a, A, D>,
    recipe: Plan<'_, Recipe>,
    lengths: &[i128],
) -> Result<ArrayView<'a, A, O>, Error> {
    let layout = remembered(recipe, &x, lengths)?;
    // SAFETY: the solve gives every elementary axis its stride in `x`, and an output index
    // is a choice of elementary coordinates (a repeated axis has stride 0): its address is
    // that of `x`'s element at the same coordinates, borrowed, shared, for `'a`.
    Ok(unsafe { shared(x.as_ptr(), &layout) })
}

/// The rearrange `recipe` as a mutable view of `x`'s elements, of dimension type `O`.
pub(crate) fn mutable<'a, A, D: Dimension, O: Dimension>(
    mut x: ArrayViewMut<'a, A, D>,
    recipe: Plan<'_, Recipe>,
    lengths: &[i128],
) -> Result<ArrayViewMut<'a, A, O>, Error> {
    debug_assert_eq!(recipe.plan().operation, Operation::Rearrange);
    let layout = remembered(recipe, &x.view(), lengths)?;
    // SAFETY: as in `read_only`, with `x`'s elements borrowed mutably for `'a`. No two
    // indices share an element: a rearrange has no repeated axis, so its output indices
    // correspond one to one to `x`'s, whose elements are distinct (a mutable view does not
    // alias itself).
    Ok(unsafe { exclusive(x.as_mut_ptr(), &layout) })
}

/// A read-only view of `layout` over the elements `first` points at.
///
/// # Safety
/// Every index of `layout` must address, as `first` plus the sum of index times stride, an
/// element of one array borrowed, shared, for `'a`.
unsafe fn shared<'a, A, O: Dimension>(first: *const A, layout: &Layout) -> ArrayView<'a, A, O> {
    let (low, shape) = lowest::<A, O>(first, layout);
    // SAFETY: by the caller's promise, with ndarray's convention of non-negative strides
    // from the lowest address; the negative axes are inverted back below.
    let mut view = unsafe { ArrayView::from_shape_ptr(shape, low) };
    invert_negative(&mut view, layout);
    view
}

/// A mutable view of `layout` over the elements `first` points at.
///
/// # Safety
/// As [`shared`], with the array borrowed mutably for `'a` and no two indices of `layout`
/// addressing the same element.
unsafe fn exclusive<'a, A, O: Dimension>(first: *mut A, layout: &Layout) -> ArrayViewMut<'a, A, O> {
    let (low, shape) = lowest::<A, O>(first, layout);
    // SAFETY: as in `shared`.
    let mut view = unsafe { ArrayViewMut::from_shape_ptr(shape, low.cast_mut()) };
    invert_negative(&mut view, layout);
    view
}

/// The lowest address `layout` reaches from `first`, and the layout's shape with its
/// strides' magnitudes, as ndarray builds a view from them.
fn lowest<A, O: Dimension>(first: *const A, layout: &Layout) -> (*const A, StrideShape<O>) {
    let ndim = layout.shape.len();
    assert!(
        O::NDIM.is_none_or(|n| n == ndim),
        "einops bug: the rank rule and the solve disagree on the output's rank"
    );
    let empty = layout.shape.contains(&0);
    let (mut shape, mut strides) = (O::zeros(ndim), O::zeros(ndim));
    let mut low = first;
    for (axis, (&len, &stride)) in layout.shape.iter().zip(&layout.strides).enumerate() {
        shape[axis] = len;
        strides[axis] = stride.unsigned_abs();
        if stride < 0 && !empty {
            // Wrapping arithmetic: the address is inside the array (the callers' SAFETY).
            low = low.wrapping_offset(stride * (len as isize - 1));
        }
    }
    (low, shape.strides(strides))
}

/// Turns the axes `lowest` walked from the low end back to the layout's negative strides.
fn invert_negative<S: RawData, O: Dimension>(view: &mut ArrayBase<S, O>, layout: &Layout) {
    for (axis, &stride) in layout.strides.iter().enumerate() {
        if stride < 0 {
            view.invert_axis(Axis(axis));
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{s, Array, Array2, ArrayD, IxDyn};

    use super::*;

    fn rearrange<'a, A, D: Dimension>(
        x: ArrayView<'a, A, D>,
        pattern: &str,
    ) -> Result<ArrayView<'a, A, IxDyn>, Error> {
        let recipe = Recipe::rearrange(pattern, &[]).unwrap();
        read_only(x, Plan::Parsed(&recipe), &[])
    }

    /// The element offsets, from `first`, that `view` addresses in order.
    fn offsets<A>(view: &ArrayView<'_, A, IxDyn>, first: *const A) -> Vec<isize> {
        let size = size_of::<A>().max(1) as isize;
        view.iter()
            .map(|e| (e as *const A as isize - first as isize) / size)
            .collect()
    }

    #[test]
    fn negative_strides_start_at_the_same_first_element() {
        let x = Array::from_shape_fn((3, 4), |(i, j)| i * 4 + j);
        let reversed = x.slice(s![..;-1, ..;-2]);
        let first = reversed.as_ptr();
        let y = rearrange(reversed, "a b -> b a").unwrap();
        assert_eq!(y.as_ptr(), first);
        assert_eq!(y, reversed.t().into_dyn());
        // Both axes reversed with nested strides merge into one reversed run.
        let back = x.slice(s![..;-1, ..;-1]);
        let flat = rearrange(back, "a b -> (a b)").unwrap();
        assert_eq!(flat.strides(), [-1]);
        assert_eq!(
            offsets(&flat, back.as_ptr()),
            (0..12).map(|k| -k).collect::<Vec<_>>()
        );
    }

    #[test]
    fn empty_and_zero_dimensional_inputs() {
        let empty = Array2::<f64>::zeros((0, 3));
        let y = rearrange(empty.view(), "a b -> (b a)").unwrap();
        assert_eq!(y.shape(), [0]);
        let scalar = ArrayD::from_elem(IxDyn(&[]), 7u8);
        let y = rearrange(scalar.view(), " -> 1 ()").unwrap();
        assert_eq!((y.shape(), y[[0, 0]]), (&[1, 1][..], 7));
    }

    #[test]
    fn zero_sized_elements() {
        let x = Array::from_elem((2, 3), ());
        let y = rearrange(x.view(), "a b -> (b a)").unwrap_err();
        assert_eq!(y.kind(), "not_a_view");
        let y = rearrange(x.view(), "a b -> b a").unwrap();
        assert_eq!(y.len(), 6);
    }

    #[test]
    fn settled_layouts_refuse_what_they_cannot_show() {
        let dims = |shape: &[usize], strides: &[isize], settled: Settled<'_>, repeats| {
            settled_dims::<IxDyn>(shape, strides, settled, &[3, -1], repeats)
                .map(|(shape, strides)| (shape.slice().to_vec(), strides.slice().to_vec()))
        };
        // (b c) of a standard [2, 3] merges; a new axis of length 3 has stride 0.
        assert_eq!(
            dims(&[2, 3], &[3, 1], &[&[0, 1], &[-1]], true),
            Some((vec![6, 3], vec![1, 0]))
        );
        // A new axis in a mutable view, a negative length, an input dimension used twice
        // or not at all, one out of range, a negative stride, an empty output: the general
        // path decides.
        assert_eq!(dims(&[2, 3], &[3, 1], &[&[0, 1], &[-1]], false), None);
        assert_eq!(dims(&[2, 3], &[3, 1], &[&[0, 1], &[-2]], true), None);
        assert_eq!(dims(&[2, 3], &[3, 1], &[&[0], &[0]], true), None);
        assert_eq!(dims(&[2, 3], &[3, 1], &[&[0]], true), None);
        assert_eq!(dims(&[2, 3], &[3, 1], &[&[0], &[2]], true), None);
        assert_eq!(dims(&[2, 3], &[-3, 1], &[&[0], &[1]], true), None);
        assert_eq!(dims(&[0, 3], &[3, 1], &[&[0], &[1]], true), None);
        // Dimensions not evenly spaced do not merge.
        assert_eq!(dims(&[2, 3], &[1, 2], &[&[0, 1]], true), None);
    }

    #[test]
    fn ordered_layouts_refuse_what_they_cannot_show() {
        let dims = |shape: &[usize], strides: &[isize], order: &[isize]| {
            ordered_dims::<IxDyn>(shape, strides, order, &[3, -1, 0])
                .map(|(shape, strides)| (shape.slice().to_vec(), strides.slice().to_vec()))
        };
        // A permutation with a new axis of length 3 (stride 0) between.
        assert_eq!(
            dims(&[2, 5], &[5, 1], &[1, -1, 0]),
            Some((vec![5, 3, 2], vec![1, 0, 5]))
        );
        // An input dimension used twice, not at all or out of range, a negative length,
        // an empty output, a negative stride: the general path decides.
        assert_eq!(dims(&[2, 5], &[5, 1], &[0, 0]), None);
        assert_eq!(dims(&[2, 5], &[5, 1], &[0, -1]), None);
        assert_eq!(dims(&[2, 5], &[5, 1], &[0, 1, 2]), None);
        assert_eq!(dims(&[2, 5], &[5, 1], &[0, -2, 1]), None);
        assert_eq!(dims(&[2, 5], &[5, 1], &[0, -3, 1]), None);
        assert_eq!(dims(&[2, 5], &[-5, 1], &[1, 0]), None);
        assert_eq!(dims(&[2, 5], &[5, 1], &[0, -4, 1]), None);
    }

    #[test]
    fn split_axes_multiply_to_their_dimension() {
        let split = |shape: &[usize], strides: &[isize], splits: Settled<'_>| {
            split_axes(shape, strides, splits, &[4, -1, 0])
                .map(|(lengths, strides, n)| (lengths[..n].to_vec(), strides[..n].to_vec()))
        };
        // (h d) of 12 with h = 4 given, then 3 = (2 b) with b inferred.
        assert_eq!(
            split(&[12, 6], &[6, 1], &[&[-1, 0], &[2, 0]]),
            Some((vec![4, 3, 2, 3], vec![18, 6, 3, 1]))
        );
        // An empty group is a dimension of length 1 with no axis.
        assert_eq!(
            split(&[1, 5], &[5, 1], &[&[], &[0]]),
            Some((vec![5], vec![1]))
        );
        // Known lengths that do not divide the dimension, or do not make it up, two
        // inferred axes, a negative or missing given length, a zero divisor, another rank:
        // the general path decides.
        assert_eq!(split(&[10], &[1], &[&[-1, 0]]), None);
        assert_eq!(split(&[12], &[1], &[&[-1, 2]]), None);
        assert_eq!(split(&[12], &[1], &[&[0, 0]]), None);
        assert_eq!(split(&[12], &[1], &[&[-2, 0]]), None);
        assert_eq!(split(&[12], &[1], &[&[-9, 0]]), None);
        assert_eq!(split(&[12], &[1], &[&[-3, 0]]), None);
        assert_eq!(split(&[12, 1], &[1, 1], &[&[0]]), None);
        // More axes than a split layout holds.
        let many: &[isize] = &[1; SPLIT_AXES + 1];
        assert_eq!(split(&[1], &[1], &[many]), None);
    }

    #[test]
    fn settled_views_read_and_write_the_input() {
        let mut x = Array::from_shape_fn((2, 3, 4), |(a, b, c)| (a * 12 + b * 4 + c) as u16);
        let flat: ArrayView<'_, u16, IxDyn> =
            settled_shared(&x.view(), &[], &[&[0, 1], &[-1], &[2]], &[5]).unwrap();
        assert_eq!(
            (flat.shape(), flat.strides()),
            (&[6, 5, 4][..], &[4, 0, 1][..])
        );
        assert_eq!(flat[[5, 4, 3]], x[[1, 2, 3]]);
        let mut merged: ArrayViewMut<'_, u16, IxDyn> =
            settled_exclusive(x.view_mut(), &[], &[&[2], &[0, 1]], &[])
                .ok()
                .unwrap();
        merged.iter_mut().for_each(|e| *e += 100);
        assert!(x.iter().enumerate().all(|(k, &e)| e as usize == k + 100));
    }

    #[test]
    fn a_mutable_view_writes_every_element_once() {
        let mut x = Array::from_elem((4, 6), 0u32);
        let mut sliced = x.slice_mut(s![..;-1, 1..;2]);
        let recipe = Recipe::rearrange("a (b c) -> c b a", &["c"]).unwrap();
        let mut y: ArrayViewMut<'_, u32, IxDyn> =
            mutable(sliced.view_mut(), Plan::Parsed(&recipe), &[1]).unwrap();
        y.iter_mut().for_each(|e| *e += 1);
        assert_eq!(sliced.iter().filter(|&&e| e == 1).count(), 12);
        assert_eq!(x.iter().sum::<u32>(), 12);
    }
}
