//! rearrange, reduce and repeat: solve the recipe against the input, simplify the walk,
//! then copy or fold into a new array or into a given one.
//!
//! A macro call site remembers its simplified walk per input layout ([`memo`]): a call
//! like an earlier one goes straight to allocation and the kernel.

use std::cell::RefCell;
use std::rc::Rc;

use ndarray::{Array, ArrayBase, Axis, CowArray, DataMut, Dimension, IxDyn};
use smallvec::SmallVec;

use crate::element::Reducible;
use crate::error::Error;
use crate::input::Input;
use crate::kernel::{self, Class, OutputBuffer, Steps};
use crate::memo::{self, Key, Memo};
use crate::pattern::{Operation, Recipe, Reduction};
use crate::solve::{solve, Context, Solution, INLINE};

/// A recipe, and whether its walks are remembered.
pub(crate) type Plan<'p> = memo::Plan<'p, Recipe>;

/// What one call does, solved against its input's layout and simplified for the kernels.
struct Walk {
    /// The output's shape.
    shape: SmallVec<[usize; INLINE]>,
    /// The output's loops, simplified; `None` when the output is empty.
    kept: Option<Steps>,
    /// What reduce folds (`None`: the elements are only moved), with the reduced loops
    /// simplified by source (`None`: no element to fold).
    fold: Option<(Reduction, Option<Steps>)>,
    /// Whether, for a standard-layout input, the output is the input reshaped.
    keeps_standard_order: bool,
}

thread_local! {
    static WALKS: RefCell<Memo<Walk>> = const { RefCell::new(Memo::new()) };
}

/// The output a walk is planned for: a new standard-layout array, or the given one.
type Output<'o> = Option<(&'o [usize], &'o [isize])>;

/// The element type of a reduction, as `mean` sees it (rearrange and repeat only move
/// elements and have none).
#[derive(Clone, Copy)]
pub(crate) struct Element {
    pub name: &'static str,
    pub float: bool,
}

impl Element {
    fn of<A: Reducible>() -> Option<Element> {
        Some(Element {
            name: A::NAME,
            float: A::IS_FLOAT,
        })
    }
}

/// The walk of a call: remembered for the call site and this layout, or solved (and then
/// remembered).
fn walk<A, D: Dimension>(
    recipe: Plan<'_>,
    array: &CowArray<'_, A, D>,
    lengths: &[i128],
    element: Option<Element>,
    output: Output<'_>,
) -> Result<Rc<Walk>, Error> {
    // Filled in place: a key is a few hundred bytes, and moving it is a measurable part
    // of a small call.
    let mut key = Key::new(recipe);
    describe_walk(&mut key, array, lengths, element, output);
    if let Some(walk) = memo::recall(&WALKS, &key) {
        return Ok(walk);
    }
    let walk = plan(recipe.plan(), array, lengths, element, output)?;
    Ok(memo::remember(&WALKS, &key, walk))
}

/// Completes the key of a walk with what it depends on besides the recipe: the input's
/// shape and strides, the given lengths, whether the elements are floats (`mean` of
/// others fails) and the given output's shape and strides. (Sites in generic functions
/// see several element types.)
fn describe_walk<A, D: Dimension>(
    key: &mut Key,
    array: &CowArray<'_, A, D>,
    lengths: &[i128],
    element: Option<Element>,
    output: Output<'_>,
) {
    key.array(array.shape(), array.strides());
    key.lengths(lengths);
    key.push(element.is_some_and(|e| e.float) as usize);
    if let Some((shape, strides)) = output {
        key.array(shape, strides);
    }
}

/// Solves and validates a call (the output's shape too, when one is given) and simplifies
/// its walk. Kept apart so that the memo's path stays small.
#[inline(never)]
fn plan<A, D: Dimension>(
    recipe: &Recipe,
    array: &CowArray<'_, A, D>,
    lengths: &[i128],
    element: Option<Element>,
    output: Output<'_>,
) -> Result<Walk, Error> {
    let ctx = Context {
        recipe,
        shape: array.shape(),
        lengths,
    };
    let mut solution = solve(&ctx, array.strides(), std::mem::size_of::<A>())?;
    if let Some((shape, strides)) = output {
        check_output(&ctx, &solution, shape)?;
        solution.set_output_strides(strides);
    }
    let fold = reduction_to_run(&ctx, &solution, element)?
        .map(|reduction| (reduction, kernel::simplify_reduced(&solution.reduced)));
    Ok(Walk {
        kept: kernel::simplify(&solution.kept),
        fold,
        keeps_standard_order: solution.keeps_standard_order(),
        shape: solution.shape,
    })
}

/// Applies a rearrange or repeat recipe, into a new array.
///
/// An owned standard-layout input whose elements stay in order keeps its buffer.
pub fn rearrange<'a, A: Clone + 'a, D: Dimension, O: Dimension>(
    input: Input<'a, A, D>,
    recipe: Plan<'_>,
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    let array = stacked(input, recipe.plan(), lengths)?;
    if let Some(dim) = merged_shape(recipe.plan(), array.shape()) {
        if array.is_standard_layout() {
            return Ok(reshaped(array, dim));
        }
    }
    let walk = walk(recipe, &array, lengths, None, None)?;
    Ok(move_elements(array, &walk))
}

/// The output's shape when `recipe` only merges neighbouring dimensions (see
/// [`Recipe::merges`]) and `shape` has the rank it expects: then a standard-layout input
/// keeps its elements' order, and the call is a reshape that needs no other check. (For
/// the rest, `None`: the general path reports any error.)
fn merged_shape<O: Dimension>(recipe: &Recipe, shape: &[usize]) -> Option<O> {
    let merges = recipe.merges.as_deref()?;
    if merges.iter().sum::<usize>() != shape.len()
        || O::NDIM.is_some_and(|rank| rank != merges.len())
    {
        return None;
    }
    let mut out = O::zeros(merges.len());
    let mut rest = shape;
    for (length, &merged) in out.slice_mut().iter_mut().zip(merges) {
        let (dims, after) = rest.split_at(merged);
        *length = dims.iter().product();
        rest = after;
    }
    Some(out)
}

/// A standard-layout array's elements in order, as an array of shape `dim` (with as many
/// elements). An owned array keeps its buffer; a small one is copied as a slice; a large
/// one takes the kernels' path for one contiguous run (huge pages, threads).
fn reshaped<A: Clone, D: Dimension, O: Dimension>(
    array: CowArray<'_, A, D>,
    dim: O,
) -> Array<A, O> {
    let len = array.len();
    if array.is_owned() {
        return array
            .into_owned()
            .into_shape_with_order(dim)
            .expect("merging keeps the number of elements");
    }
    if len.saturating_mul(std::mem::size_of::<A>()) < SMALL_COPY {
        let values = array
            .as_slice()
            .expect("a standard-layout array is a slice");
        return kernel::copied(values, dim);
    }
    let run = kernel::Step {
        len,
        src: 1,
        dst: 1,
    };
    let walk = Walk {
        shape: dim.slice().into(),
        kept: kernel::simplify(&[run]),
        fold: None,
        keeps_standard_order: true,
    };
    move_elements(array, &walk)
}

/// Copies of fewer bytes than this are made as one slice copy: the kernels' set-up (a
/// walk, threads, huge pages) only pays for larger ones.
const SMALL_COPY: usize = 1 << 20;

/// Applies a reduce recipe, into a new array; when no axis is reduced it is a
/// rearrangement.
pub fn reduce<'a, A: Reducible, D: Dimension, O: Dimension>(
    input: Input<'a, A, D>,
    recipe: Plan<'_>,
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    let array = stacked(input, recipe.plan(), lengths)?;
    let walk = walk(recipe, &array, lengths, Element::of::<A>(), None)?;
    let (Some(kept), Some((reduction, reduced))) = (&walk.kept, &walk.fold) else {
        return Ok(move_elements(array, &walk));
    };
    let mut buffer = OutputBuffer::new(walk.shape.iter().product());
    // SAFETY: `plan` derived the walks from this array's shape and strides and from
    // standard output strides (the memo key holds all of them), so every offset addresses
    // an element of `array` (borrowed for the call) or a slot of the buffer, which has room
    // for every kept position.
    unsafe {
        kernel::reduce(
            kept,
            reduced.as_deref(),
            *reduction,
            array.as_ptr(),
            buffer.as_mut_ptr(),
        );
        Ok(buffer.finish(output_dim(&walk)))
    }
}

/// Applies a rearrange or repeat recipe, writing into `out`, whose shape must be the
/// result's.
pub fn rearrange_into<'a, A: Clone + 'a, D: Dimension, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    input: Input<'a, A, D>,
    recipe: Plan<'_>,
    lengths: &[i128],
) -> Result<(), Error> {
    write_into(out, input, recipe, lengths, None, |walk, src, dst| {
        let Some(kept) = &walk.kept else { return };
        // SAFETY: `write_into` guarantees the walk's offsets for `src` and `dst`.
        unsafe {
            match kernel::class::<A>() {
                Class::Drop => kernel::assign(kept, src, dst),
                _ => kernel::copy(kept, src, dst),
            }
        }
    })
}

/// Applies a reduce recipe, writing into `out`, whose shape must be the result's.
pub fn reduce_into<'a, A: Reducible, D: Dimension, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    input: Input<'a, A, D>,
    recipe: Plan<'_>,
    lengths: &[i128],
) -> Result<(), Error> {
    let element = Element::of::<A>();
    write_into(out, input, recipe, lengths, element, |walk, src, dst| {
        let Some(kept) = &walk.kept else { return };
        // SAFETY: `write_into` guarantees the walks' offsets; reducible elements are
        // `Copy`, so overwriting drops nothing.
        unsafe {
            match &walk.fold {
                Some((reduction, reduced)) => {
                    kernel::reduce(kept, reduced.as_deref(), *reduction, src, dst)
                }
                None => kernel::copy(kept, src, dst),
            }
        }
    })
}

/// Finds the walk of a call writing into `out` (which checks `out`'s shape and points the
/// walk at `out`'s strides) and hands `write` the walk with the source and destination
/// pointers: every source offset of the walks addresses an element of the input (borrowed
/// for the call), every destination offset an element of `out`, and the two cannot
/// overlap (a `&mut` output cannot alias the borrowed input).
fn write_into<'a, A: Clone + 'a, D: Dimension, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    input: Input<'a, A, D>,
    recipe: Plan<'_>,
    lengths: &[i128],
    element: Option<Element>,
    write: impl FnOnce(&Walk, *const A, *mut A),
) -> Result<(), Error> {
    let array = stacked(input, recipe.plan(), lengths)?;
    // `as_mut_ptr` may first unshare the data into a new layout: strides only after it.
    let dst = out.as_mut_ptr();
    let walk = walk(
        recipe,
        &array,
        lengths,
        element,
        Some((out.shape(), out.strides())),
    )?;
    write(&walk, array.as_ptr(), dst);
    Ok(())
}

/// The reduction to run, `None` when nothing is reduced; rejects `mean` of non-float
/// elements and empty `min`/`max`.
pub(crate) fn reduction_to_run(
    ctx: &Context<'_>,
    solution: &Solution,
    element: Option<Element>,
) -> Result<Option<Reduction>, Error> {
    let Operation::Reduce(reduction) = ctx.recipe.operation else {
        return Ok(None);
    };
    if solution.reduced.is_empty() {
        return Ok(None);
    }
    match (reduction, element) {
        (Reduction::Mean, Some(Element { float: false, name })) => Err(Error::MeanOfInteger {
            call: ctx.call(),
            element: name,
        }),
        // As numpy: an empty reduced axis is an error even when the output is empty.
        (Reduction::Min | Reduction::Max, _) if kernel::count(&solution.reduced) == 0 => {
            Err(Error::EmptyReduction {
                call: ctx.call(),
                reduction,
                axes: reduced_axes(ctx.recipe, solution),
            })
        }
        _ => Ok(Some(reduction)),
    }
}

fn check_output(ctx: &Context<'_>, solution: &Solution, actual: &[usize]) -> Result<(), Error> {
    if actual == &solution.shape[..] {
        return Ok(());
    }
    Err(Error::OutputShape {
        call: ctx.call(),
        expected: solution.shape.to_vec(),
        actual: actual.to_vec(),
    })
}

/// The reduced axes with their lengths (`...[i]` for ellipsis dimensions).
fn reduced_axes(recipe: &Recipe, solution: &Solution) -> Vec<(String, usize)> {
    let named = recipe.axes.len();
    solution
        .reduced_ids
        .iter()
        .zip(&solution.reduced)
        .map(|(&id, step)| match recipe.axes.get(id) {
            Some(axis) => (axis.name.to_string(), step.len),
            None => (format!("...[{}]", id - named), step.len),
        })
        .collect()
}

/// The input as one array: list elements are stacked along a new first axis. (Inlined, so
/// that a single array is not moved through a call.)
#[inline(always)]
fn stacked<'a, A: Clone, D: Dimension>(
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<CowArray<'a, A, D>, Error> {
    match input {
        Input::Single(array) => Ok(array),
        Input::List(parts) => stack(parts, recipe, lengths),
    }
}

/// List elements stacked along a new first axis.
fn stack<'a, A: Clone, D: Dimension>(
    parts: Vec<CowArray<'a, A, IxDyn>>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<CowArray<'a, A, D>, Error> {
    let first_shape = parts.first().map_or(&[][..], |p| p.shape());
    let stacked_shape: Vec<usize> = std::iter::once(parts.len())
        .chain(first_shape.iter().copied())
        .collect();
    let ctx = Context {
        recipe,
        shape: &stacked_shape,
        lengths,
    };
    if parts.is_empty() {
        return Err(Error::EmptyList { call: ctx.call() });
    }
    if let Some(index) = parts.iter().position(|p| p.shape() != first_shape) {
        return Err(Error::ListShapesDiffer {
            call: ctx.call(),
            index,
            expected: first_shape.to_vec(),
            actual: parts[index].shape().to_vec(),
        });
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    let stacked =
        ndarray::stack(Axis(0), &views).expect("list elements were checked to have equal shapes");
    // `D` is the stacked dimension type, so the number of axes always matches.
    let stacked = stacked
        .into_dimensionality::<D>()
        .expect("a list of arrays stacks to one more dimension");
    Ok(stacked.into())
}

/// Copies (or, when possible, reshapes) the input into a new array.
fn move_elements<A: Clone, D: Dimension, O: Dimension>(
    array: CowArray<'_, A, D>,
    walk: &Walk,
) -> Array<A, O> {
    if array.is_owned() && array.is_standard_layout() && walk.keeps_standard_order {
        return array
            .into_owned()
            .into_shape_with_order(output_dim::<O>(walk))
            .expect("a standard-layout array takes any shape with as many elements");
    }
    let Some(kept) = &walk.kept else {
        return Array::from_shape_vec(output_dim::<O>(walk), Vec::new())
            .expect("an empty output has no elements");
    };
    // SAFETY: `plan` derived the walk from this array's shape and strides and from
    // standard output strides (the memo key holds all of them), so every source offset
    // addresses an element of `array` (borrowed for the call) and the destination offsets
    // cover the output's slots.
    unsafe {
        if kernel::class::<A>() == Class::Drop {
            let values = kernel::clone_in_order(kept, array.as_ptr());
            return Array::from_shape_vec(output_dim::<O>(walk), values)
                .expect("the walk visits exactly the output's elements");
        }
        let mut buffer = OutputBuffer::new(walk.shape.iter().product());
        kernel::copy(kept, array.as_ptr(), buffer.as_mut_ptr());
        buffer.finish(output_dim(walk))
    }
}

fn output_dim<O: Dimension>(walk: &Walk) -> O {
    let mut dim = O::zeros(walk.shape.len());
    dim.slice_mut().copy_from_slice(&walk.shape);
    dim
}
