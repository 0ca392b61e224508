//! Compile-time rank rules of `einsum!`, built on those of `rearrange!`
//! ([`crate::rank`]): one rule per operand checks its rank and yields the dimension type
//! of the dimensions its ellipsis matches; the ellipses of all operands broadcast to the
//! largest; the output rule turns that into the output's dimension type.
//!
//! `IxDyn` operands pass every rule; their rank is checked at run time.

use std::marker::PhantomData;

use ndarray::{Dimension, Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

use super::{AddDims, FixedRank, HasAtLeastDims, HasDims, Rank};
use crate::sealed::{Rank as Ranks, Sealed};

/// An operand of exactly `N` dimensions (no ellipsis, or an ellipsis that the output
/// lacks and that therefore must match nothing).
pub struct Exact<const N: usize>;
/// An operand of at least `N` dimensions (an ellipsis the output keeps).
pub struct AtLeast<const N: usize>;

/// A rule for an operand of dimension type `D`: checks it and names the dimension type
/// of what its ellipsis matches (`Ix0` when nothing).
pub trait OperandRule<D: Dimension>: Sealed<Ranks> {
    /// The dimensions the ellipsis matches.
    type Ellipsis: Dimension;
}

impl<D: HasDims<N>, const N: usize> OperandRule<D> for Exact<N> {
    type Ellipsis = Ix0;
}

impl<D: HasAtLeastDims<N>, const N: usize> OperandRule<D> for AtLeast<N> {
    type Ellipsis = D::Rest;
}

/// The dimension type `E` of the ellipsis dimensions, carried between calls.
pub struct Ellipsis<E>(PhantomData<E>);

impl<E> Ellipsis<E> {
    /// The marker.
    pub fn new() -> Self {
        Ellipsis(PhantomData)
    }
}

impl<E> Default for Ellipsis<E> {
    fn default() -> Self {
        Ellipsis::new()
    }
}

/// Broadcasting two operands' ellipses: the one with more dimensions (numpy aligns them
/// on the right).
pub trait Broadcast<F: Dimension>: Dimension + Sealed<Ranks> {
    /// The broadcast dimension type.
    type Output: Dimension;
}

macro_rules! broadcast {
    ($($ix:ty: $($other:ty => $out:ty),*;)*) => {$($(
        impl Broadcast<$other> for $ix { type Output = $out; }
    )*)*};
}
broadcast! {
    Ix0: Ix0 => Ix0, Ix1 => Ix1, Ix2 => Ix2, Ix3 => Ix3, Ix4 => Ix4, Ix5 => Ix5, Ix6 => Ix6;
    Ix1: Ix0 => Ix1, Ix1 => Ix1, Ix2 => Ix2, Ix3 => Ix3, Ix4 => Ix4, Ix5 => Ix5, Ix6 => Ix6;
    Ix2: Ix0 => Ix2, Ix1 => Ix2, Ix2 => Ix2, Ix3 => Ix3, Ix4 => Ix4, Ix5 => Ix5, Ix6 => Ix6;
    Ix3: Ix0 => Ix3, Ix1 => Ix3, Ix2 => Ix3, Ix3 => Ix3, Ix4 => Ix4, Ix5 => Ix5, Ix6 => Ix6;
    Ix4: Ix0 => Ix4, Ix1 => Ix4, Ix2 => Ix4, Ix3 => Ix4, Ix4 => Ix4, Ix5 => Ix5, Ix6 => Ix6;
    Ix5: Ix0 => Ix5, Ix1 => Ix5, Ix2 => Ix5, Ix3 => Ix5, Ix4 => Ix5, Ix5 => Ix5, Ix6 => Ix6;
    Ix6: Ix0 => Ix6, Ix1 => Ix6, Ix2 => Ix6, Ix3 => Ix6, Ix4 => Ix6, Ix5 => Ix6, Ix6 => Ix6;
    Ix0: IxDyn => IxDyn; Ix1: IxDyn => IxDyn; Ix2: IxDyn => IxDyn; Ix3: IxDyn => IxDyn;
    Ix4: IxDyn => IxDyn; Ix5: IxDyn => IxDyn; Ix6: IxDyn => IxDyn;
}

impl<F: Dimension> Broadcast<F> for IxDyn {
    type Output = IxDyn;
}

/// The output of `N` (at most 6) dimensions, none from an ellipsis.
pub struct Fixed<const N: usize>;
/// The output: the ellipsis dimensions plus `N` (at most 6) more.
pub struct Shift<const N: usize>;
/// An output of more than 6 dimensions.
pub struct Dynamic;

/// The output's dimension type, given the broadcast ellipsis dimension type `E`.
pub trait OutputRule<E: Dimension>: Sealed<Ranks> {
    /// The output's dimension type.
    type Output: Dimension;
}

impl<E: Dimension, const N: usize> OutputRule<E> for Fixed<N>
where
    Rank<N>: FixedRank,
{
    type Output = <Rank<N> as FixedRank>::Dim;
}

impl<E: AddDims<N>, const N: usize> OutputRule<E> for Shift<N> {
    type Output = <E as AddDims<N>>::Output;
}

impl<E: Dimension> OutputRule<E> for Dynamic {
    type Output = IxDyn;
}

crate::sealed::seal!(Ranks: Dynamic);
impl<const N: usize> Sealed<Ranks> for Fixed<N> {}
impl<const N: usize> Sealed<Ranks> for Exact<N> {}
impl<const N: usize> Sealed<Ranks> for AtLeast<N> {}
impl<const N: usize> Sealed<Ranks> for Shift<N> {}
