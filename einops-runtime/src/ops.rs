//! rearrange, reduce and repeat: solve the recipe against the input, then copy or fold.

use ndarray::{Array, Axis, CowArray, Dimension};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::Input;
use crate::kernel;
use crate::pattern::{Operation, Recipe, Reduction};
use crate::solve::{solve, Context, Solution};

/// Applies a rearrange or repeat recipe.
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
    let solution = solve(&ctx, array.strides())?;
    Ok(move_elements(array, &solution))
}

/// Applies a reduce recipe; when no axis is reduced it is a rearrangement.
pub fn reduce<'a, A: Reducible, D: Dimension, O: Dimension>(
    input: Input<'a, A, D>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    let Operation::Reduce(reduction) = recipe.operation else {
        return rearrange(input, recipe, lengths);
    };
    let array = stacked(input, recipe, lengths)?;
    let ctx = Context {
        recipe,
        shape: array.shape(),
        lengths,
    };
    let solution = solve(&ctx, array.strides())?;
    if solution.reduced.is_empty() {
        return Ok(move_elements(array, &solution));
    }
    let reduced_count = kernel::count(&solution.reduced);
    match reduction {
        Reduction::Mean if !A::IS_FLOAT => {
            return Err(Error::MeanOfInteger {
                call: ctx.call(),
                element: A::NAME,
            });
        }
        Reduction::Min | Reduction::Max
            if reduced_count == 0 && kernel::count(&solution.kept) > 0 =>
        {
            return Err(Error::EmptyReduction {
                call: ctx.call(),
                reduction: reduction.name(),
                axes: reduced_axes_text(recipe, &solution),
            });
        }
        _ => {}
    }
    // SAFETY: `solve` derived both walks from this array's shape and strides, so every
    // combined offset addresses an element of `array`, which is borrowed for the call.
    let values =
        unsafe { kernel::reduce(array.as_ptr(), &solution.kept, &solution.reduced, reduction) };
    Ok(shaped(values, &solution))
}

/// `h = 0, w = 2`: the reduced axes with their lengths (`...` for ellipsis dimensions).
fn reduced_axes_text(recipe: &Recipe, solution: &Solution) -> String {
    let named = recipe.axes.len();
    let texts: Vec<String> = solution
        .reduced_ids
        .iter()
        .zip(&solution.reduced)
        .map(|(&id, (len, _))| match recipe.axes.get(id) {
            Some(axis) => format!("{} = {len}", axis.name),
            None => format!("...[{}] = {len}", id - named),
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

/// Copies (or, when possible, reshapes) the input into the output layout.
fn move_elements<A: Clone, D: Dimension, O: Dimension>(
    array: CowArray<'_, A, D>,
    solution: &Solution,
) -> Array<A, O> {
    if solution.in_order && array.is_owned() && array.is_standard_layout() {
        let owned = array.into_owned();
        return owned
            .into_shape_with_order(output_dim::<O>(solution))
            .expect("a standard-layout array takes any shape with as many elements");
    }
    // SAFETY: `solve` derived the walk from this array's shape and strides, so every
    // offset addresses an element of `array`, which is borrowed for the call.
    let values = unsafe { kernel::gather(array.as_ptr(), &solution.kept) };
    shaped(values, solution)
}

fn output_dim<O: Dimension>(solution: &Solution) -> O {
    let mut dim = O::zeros(solution.shape.len());
    dim.slice_mut().copy_from_slice(&solution.shape);
    dim
}

fn shaped<A, O: Dimension>(values: Vec<A>, solution: &Solution) -> Array<A, O> {
    Array::from_shape_vec(output_dim::<O>(solution), values)
        .expect("the walk visits exactly the output's elements")
}
