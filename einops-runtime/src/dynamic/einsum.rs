//! `einops::dynamic::{einsum, einsum_with_lengths}`: einsum with the pattern as a `&str`.

use ndarray::{Array, ArrayBase, Data, Dimension, IxDyn};
use smallvec::SmallVec;

use crate::einsum::{Plan, Strided};
use crate::element::Reducible;
use crate::error::Error;
use crate::input::Lengths;
use crate::pattern::EinsumPlan;
use crate::solve::einsum::OPERANDS;

/// Multiplies the operands and sums over the axes the output lacks:
/// `"i j, j k -> i k"` is a matrix product.
///
/// Pattern: operands separated by `,`, then `->` and the output; axis names separated
/// by spaces (`"ij -> i"` is one axis `ij`). A name repeated within an operand takes its
/// diagonal (`"i i -> i"`, trace `"i i ->"`); `...` matches any dimensions, broadcast
/// across operands as in numpy. Grouped axes `(h d)` need [`einsum_with_lengths`] when
/// their lengths are not known from other operands. All operands have the same element
/// type: `f32`/`f64` products go through matrixmultiply's GEMM, other types (integers wrap
/// on overflow, `bool` is and/or) through a plain loop.
///
/// The result is a new standard-layout array.
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0, 2.0], [3.0, 4.0]];
/// let b = array![[5.0, 6.0], [7.0, 8.0]];
/// let c = einops::dynamic::einsum(&[a.view().into_dyn(), b.view().into_dyn()],
///                                         "i j, j k -> i k").unwrap();
/// assert_eq!(c, a.dot(&b).into_dyn());
/// let trace = einops::dynamic::einsum(&[a.clone()], "i i ->").unwrap();
/// assert_eq!(trace[[]], 5.0);
/// ```
pub fn einsum<A, S, D>(
    operands: &[ArrayBase<S, D>],
    pattern: &str,
) -> Result<Array<A, IxDyn>, Error>
where
    A: Reducible,
    S: Data<Elem = A>,
    D: Dimension,
{
    einsum_with_lengths(operands, pattern, &[])
}

/// [`einsum`] with axis lengths, for grouped axes whose lengths the operands do not tell
/// (`"b (h d), (h d) e -> b h e"` needs `h` or `d`). Given lengths are checked.
///
/// ```
/// let x = ndarray::Array2::<f32>::ones((2, 8));
/// let w = ndarray::Array2::<f32>::ones((8, 3));
/// let y = einops::dynamic::einsum_with_lengths(
///     &[x.view().into_dyn(), w.view().into_dyn()],
///     "b (h d), (h d) e -> b h e",
///     &[("h", 2)],
/// ).unwrap();
/// assert_eq!(y.shape(), &[2, 2, 3]);
/// assert_eq!(y[[0, 0, 0]], 4.0);
/// ```
pub fn einsum_with_lengths<A, S, D>(
    operands: &[ArrayBase<S, D>],
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<Array<A, IxDyn>, Error>
where
    A: Reducible,
    S: Data<Elem = A>,
    D: Dimension,
{
    let (names, values): (Vec<&str>, Vec<i128>) = lengths
        .iter()
        .map(|&(name, value)| (name, value as i128))
        .unzip();
    let plan = EinsumPlan::new(pattern, operands.len(), &names)?;
    let views: SmallVec<[Strided<'_, A>; OPERANDS]> = operands.iter().map(Strided::of).collect();
    crate::einsum::einsum(Plan::Parsed(&plan), &views, &values)
}
