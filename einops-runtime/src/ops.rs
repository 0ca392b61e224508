//! rearrange, reduce and repeat: solve the recipe against the input, then copy or fold
//! into a new array or into a given one.

use ndarray::{Array, ArrayBase, Axis, CowArray, DataMut, Dimension};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::Input;
use crate::kernel::{self, Class, OutputBuffer};
use crate::pattern::{Operation, Recipe, Reduction};
use crate::solve::{solve, Context, Solution};

/// Applies a rearrange or repeat recipe, into a new array.
///
/// An owned standard-layout input whose elements stay in order keeps its buffer.
pub fn rearrange<'a, A: Clone + 'a, D: Dimension, O: Dimension>(
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    let array = stacked(input, recipe, lengths)?;
    let ctx = Context {
        recipe,
        shape: array.shape(),
        lengths,
    };
    let solution = solve(&ctx, array.strides(), std::mem::size_of::<A>())?;
    Ok(move_elements(array, &solution))
}

/// Applies a reduce recipe, into a new array; when no axis is reduced it is a
/// rearrangement.
pub fn reduce<'a, A: Reducible, D: Dimension, O: Dimension>(
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    let array = stacked(input, recipe, lengths)?;
    let ctx = Context {
        recipe,
        shape: array.shape(),
        lengths,
    };
    let solution = solve(&ctx, array.strides(), std::mem::size_of::<A>())?;
    let Some(reduction) = reduction_to_run::<A>(&ctx, &solution)? else {
        return Ok(move_elements(array, &solution));
    };
    let mut buffer = OutputBuffer::new(kernel::count(&solution.kept));
    // SAFETY: `solve` derived the walks from this array's shape and strides and from
    // standard output strides, so every offset addresses an element of `array` (borrowed
    // for the call) or a slot of the buffer, which has room for every kept position.
    unsafe {
        kernel::reduce(
            &solution.kept,
            &solution.reduced,
            reduction,
            array.as_ptr(),
            buffer.as_mut_ptr(),
        );
        Ok(buffer.finish(output_dim(&solution)))
    }
}

/// Applies a rearrange or repeat recipe, writing into `out`, whose shape must be the
/// result's.
pub fn rearrange_into<'a, A: Clone + 'a, D: Dimension, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<(), Error> {
    write_into(out, input, recipe, lengths, |_, solution, src, dst| {
        // SAFETY: `write_into` guarantees the walk's offsets for `src` and `dst`.
        unsafe {
            match kernel::class::<A>() {
                Class::Drop => kernel::assign(&solution.kept, src, dst),
                _ => kernel::copy(&solution.kept, src, dst),
            }
        }
        Ok(())
    })
}

/// Applies a reduce recipe, writing into `out`, whose shape must be the result's.
pub fn reduce_into<'a, A: Reducible, D: Dimension, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<(), Error> {
    write_into(out, input, recipe, lengths, |ctx, solution, src, dst| {
        let reduction = reduction_to_run::<A>(ctx, solution)?;
        // SAFETY: `write_into` guarantees the walks' offsets; reducible elements are
        // `Copy`, so overwriting drops nothing.
        unsafe {
            match reduction {
                Some(reduction) => {
                    kernel::reduce(&solution.kept, &solution.reduced, reduction, src, dst)
                }
                None => kernel::copy(&solution.kept, src, dst),
            }
        }
        Ok(())
    })
}

/// Solves the recipe against the input, checks `out`'s shape, points the walk at
/// `out`'s strides and hands `write` the walk with the source and destination pointers:
/// every source offset of the walks addresses an element of the input (borrowed for the
/// call), every destination offset an element of `out`, and the two cannot overlap (a
/// `&mut` output cannot alias the borrowed input).
fn write_into<'a, A: Clone + 'a, D: Dimension, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
    write: impl FnOnce(&Context<'_>, &Solution, *const A, *mut A) -> Result<(), Error>,
) -> Result<(), Error> {
    let array = stacked(input, recipe, lengths)?;
    let ctx = Context {
        recipe,
        shape: array.shape(),
        lengths,
    };
    let mut solution = solve(&ctx, array.strides(), std::mem::size_of::<A>())?;
    check_output(&ctx, &solution, out.shape())?;
    // `as_mut_ptr` may first unshare the data into a new layout: strides only after it.
    let dst = out.as_mut_ptr();
    solution.set_output_strides(out.strides());
    write(&ctx, &solution, array.as_ptr(), dst)
}

/// The reduction to run, `None` when nothing is reduced; rejects `mean` of integers and
/// empty `min`/`max`.
fn reduction_to_run<A: Reducible>(
    ctx: &Context<'_>,
    solution: &Solution,
) -> Result<Option<Reduction>, Error> {
    let Operation::Reduce(reduction) = ctx.recipe.operation else {
        return Ok(None);
    };
    if solution.reduced.is_empty() {
        return Ok(None);
    }
    match reduction {
        Reduction::Mean if !A::IS_FLOAT => Err(Error::MeanOfInteger {
            call: ctx.call(),
            element: A::NAME,
        }),
        // As numpy: an empty reduced axis is an error even when the output is empty.
        Reduction::Min | Reduction::Max if kernel::count(&solution.reduced) == 0 => {
            Err(Error::EmptyReduction {
                call: ctx.call(),
                reduction: reduction.name(),
                axes: reduced_axes_text(ctx.recipe, solution),
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

/// `h = 0, w = 2`: the reduced axes with their lengths (`...` for ellipsis dimensions).
fn reduced_axes_text(recipe: &Recipe, solution: &Solution) -> String {
    let named = recipe.axes.len();
    let texts: Vec<String> = solution
        .reduced_ids
        .iter()
        .zip(&solution.reduced)
        .map(|(&id, step)| match recipe.axes.get(id) {
            Some(axis) => format!("{} = {}", axis.name, step.len),
            None => format!("...[{}] = {}", id - named, step.len),
        })
        .collect();
    texts.join(", ")
}

/// The input as one array: list elements are stacked along a new first axis.
fn stacked<'a, A: Clone, D: Dimension>(
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<CowArray<'a, A, D>, Error> {
    let parts = match input {
        Input::Single(array) => return Ok(array),
        Input::List(parts) => parts,
    };
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
    solution: &Solution,
) -> Array<A, O> {
    if array.is_owned() && array.is_standard_layout() && solution.keeps_standard_order() {
        return array
            .into_owned()
            .into_shape_with_order(output_dim::<O>(solution))
            .expect("a standard-layout array takes any shape with as many elements");
    }
    let len = kernel::count(&solution.kept);
    // SAFETY: `solve` derived the walk from this array's shape and strides and from
    // standard output strides, so every source offset addresses an element of `array`
    // (borrowed for the call) and the destination offsets cover the `len` output slots.
    unsafe {
        if kernel::class::<A>() == Class::Drop {
            let values = kernel::clone_in_order(&solution.kept, array.as_ptr());
            return Array::from_shape_vec(output_dim::<O>(solution), values)
                .expect("the walk visits exactly the output's elements");
        }
        let mut buffer = OutputBuffer::new(len);
        kernel::copy(&solution.kept, array.as_ptr(), buffer.as_mut_ptr());
        buffer.finish(output_dim(solution))
    }
}

fn output_dim<O: Dimension>(solution: &Solution) -> O {
    let mut dim = O::zeros(solution.shape.len());
    dim.slice_mut().copy_from_slice(&solution.shape);
    dim
}
