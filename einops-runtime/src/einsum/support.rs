//! What `einsum!` / `einsum_into!` expansions call (through `einops::__private`): each
//! operand is converted under its rank rule, then one call computes the call site's
//! constant plan, whose planned products are memoised per thread.

use ndarray::{Array, ArrayBase, CowArray, DataMut, Dimension};

use super::rank::{Broadcast, Ellipsis, OperandRule, OutputRule};
use super::{Plan, Strided};
use crate::element::Reducible;
use crate::error::Error;
use crate::input::ArrayLike;
use crate::pattern::EinsumPlan;
use crate::rank::OutputFits;

/// An operand converted by [`einsum_operand`], with the marker of the dimension type `E`
/// of what its ellipsis matches.
pub type Converted<'a, A, D, E> = (CowArray<'a, A, D>, Ellipsis<E>);

/// `einsum!`: one operand, its rank checked by `R`.
pub fn einsum_operand<'a, R, I>(operand: I) -> Converted<'a, I::Elem, I::Dim, R::Ellipsis>
where
    I: ArrayLike<'a>,
    R: OperandRule<I::Dim>,
{
    (operand.into_cow(), Ellipsis::new())
}

/// `einsum!`: the ellipsis dimensions of two operands broadcast together.
pub fn einsum_broadcast<E: Broadcast<F>, F: Dimension>(
    _: Ellipsis<E>,
    _: Ellipsis<F>,
) -> Ellipsis<<E as Broadcast<F>>::Output> {
    Ellipsis::new()
}

/// `einsum!`: the view einsum reads a converted operand through.
pub fn einsum_view<'v, A, D: Dimension>(operand: &'v CowArray<'_, A, D>) -> Strided<'v, A> {
    Strided::of(operand)
}

/// `einsum!`: computes the call site's plan into a new array whose dimension type `R`
/// derives from the broadcast ellipsis `E`.
pub fn einsum<R, E, A>(
    _: Ellipsis<E>,
    operands: &[Strided<'_, A>],
    plan: &'static EinsumPlan,
    lengths: &[i128],
) -> Result<Array<A, R::Output>, Error>
where
    R: OutputRule<E>,
    E: Dimension,
    A: Reducible,
{
    super::einsum(Plan::Site(plan), operands, lengths)
}

/// `einsum_into!`: computes the call site's plan into `out`.
pub fn einsum_into<R, E, A, S, O>(
    out: &mut ArrayBase<S, O>,
    _: Ellipsis<E>,
    operands: &[Strided<'_, A>],
    plan: &'static EinsumPlan,
    lengths: &[i128],
) -> Result<(), Error>
where
    R: OutputRule<E>,
    E: Dimension,
    A: Reducible,
    S: DataMut<Elem = A>,
    O: Dimension + OutputFits<R::Output>,
{
    super::einsum_into(out, Plan::Site(plan), operands, lengths)
}
