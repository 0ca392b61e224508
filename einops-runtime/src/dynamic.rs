//! The run-time pattern API: the same operations with the pattern as a `&str`.
//!
//! Patterns are parsed by the same parser the macros use at compile time; a pattern
//! error is an [`Error::Pattern`] carrying the text the macro would have printed.
//! Results are `IxDyn` arrays.

use ndarray::{Array, ArrayBase, DataMut, Dimension, IxDyn};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::Operand;
use crate::ops;
use crate::pattern::{Operation, Recipe};

/// Names and values of axis lengths, e.g. `&[("h", 2), ("w", 2)]`.
pub type Lengths<'l> = &'l [(&'l str, usize)];

fn split(lengths: Lengths<'_>) -> (Vec<&str>, Vec<i128>) {
    lengths
        .iter()
        .map(|&(name, value)| (name, value as i128))
        .unzip()
}

/// Reorders, splits and merges axes (`"b c h w -> b (c h w)"`).
///
/// ```
/// let x = ndarray::Array::from_shape_vec((2, 3), (0..6).collect()).unwrap();
/// let y = einops_runtime::dynamic::rearrange(&x, "a b -> b a", &[]).unwrap();
/// assert_eq!(y, x.t().into_dyn());
/// ```
pub fn rearrange<'a, I>(
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<Array<I::Elem, IxDyn>, Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
    ops::rearrange(input.into_input(), &recipe, &values)
}

/// Reduces the axes missing on the right with `reduction` (`"sum"`, `"mean"`, `"min"`,
/// `"max"`, `"prod"`, `"any"`, `"all"`).
///
/// `any`/`all` give the element type's one or zero. `mean` of integers is an error.
///
/// ```
/// let x = ndarray::Array::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// let y = einops_runtime::dynamic::reduce(&x, "a b -> a", "mean", &[]).unwrap();
/// assert_eq!(y, ndarray::arr1(&[2.0, 5.0]).into_dyn());
/// ```
pub fn reduce<'a, I>(
    input: I,
    pattern: &str,
    reduction: &str,
    lengths: Lengths<'_>,
) -> Result<Array<I::Elem, IxDyn>, Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::reduce(pattern, reduction, &names)?;
    ops::reduce(input.into_input(), &recipe, &values)
}

/// Repeats along the axes new on the right (`"h w -> h w c"` with `c`).
///
/// ```
/// let x = ndarray::arr1(&[1, 2]);
/// let y = einops_runtime::dynamic::repeat(&x, "a -> (a r)", &[("r", 2)]).unwrap();
/// assert_eq!(y, ndarray::arr1(&[1, 1, 2, 2]).into_dyn());
/// ```
pub fn repeat<'a, I>(
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<Array<I::Elem, IxDyn>, Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Repeat, pattern, &names)?;
    ops::rearrange(input.into_input(), &recipe, &values)
}

/// [`rearrange`] writing into `out`, whose shape must be the result's.
///
/// ```
/// let x = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
/// let mut out = ndarray::Array2::zeros((3, 2));
/// einops_runtime::dynamic::rearrange_into(&mut out, &x, "a b -> b a", &[]).unwrap();
/// assert_eq!(out, x.t());
/// ```
pub fn rearrange_into<'a, I, S, D>(
    out: &mut ArrayBase<S, D>,
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    S: DataMut<Elem = I::Elem>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
    ops::rearrange_into(out, input.into_input(), &recipe, &values)
}

/// [`reduce`] writing into `out`, whose shape must be the result's.
///
/// ```
/// let x = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
/// let mut out = ndarray::Array1::zeros(2);
/// einops_runtime::dynamic::reduce_into(&mut out, &x, "a b -> a", "max", &[]).unwrap();
/// assert_eq!(out, ndarray::arr1(&[3, 6]));
/// ```
pub fn reduce_into<'a, I, S, D>(
    out: &mut ArrayBase<S, D>,
    input: I,
    pattern: &str,
    reduction: &str,
    lengths: Lengths<'_>,
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
    S: DataMut<Elem = I::Elem>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::reduce(pattern, reduction, &names)?;
    ops::reduce_into(out, input.into_input(), &recipe, &values)
}

/// [`repeat`] writing into `out`, whose shape must be the result's.
///
/// ```
/// let x = ndarray::arr1(&[1, 2]);
/// let mut out = ndarray::Array2::zeros((2, 3));
/// einops_runtime::dynamic::repeat_into(&mut out, &x, "a -> a c", &[("c", 3)]).unwrap();
/// assert_eq!(out, ndarray::arr2(&[[1, 1, 1], [2, 2, 2]]));
/// ```
pub fn repeat_into<'a, I, S, D>(
    out: &mut ArrayBase<S, D>,
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    S: DataMut<Elem = I::Elem>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Repeat, pattern, &names)?;
    ops::rearrange_into(out, input.into_input(), &recipe, &values)
}
