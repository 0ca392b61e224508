//! Compile-time rank rules: the macros name one of these marker types, and the trait
//! bounds reject a fixed-rank input (`Ix0`–`Ix6`) whose rank contradicts the pattern
//! and pick a fixed-rank output type wherever the rank is known.
//!
//! `IxDyn` inputs pass every rule; their rank is checked at run time.

pub mod einsum;

use std::marker::PhantomData;

use ndarray::{Dimension, Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

use crate::sealed::{Rank as Ranks, Sealed};

/// Input of exactly `IN` dimensions, output of `OUT` (at most 6) dimensions.
pub struct Exact<const IN: usize, const OUT: usize>;
/// Input of at least `IN` dimensions (an ellipsis), output of `OUT` (at most 6) dimensions.
pub struct AtLeast<const IN: usize, const OUT: usize>;
/// Input of at least `IN` dimensions; the output has the ellipsis's dimensions plus `OUT`.
pub struct Shift<const IN: usize, const OUT: usize>;
/// Input of exactly `IN` dimensions, output of more than 6 dimensions (`IxDyn`).
pub struct ExactDyn<const IN: usize>;
/// Input of at least `IN` dimensions, output of more than 6 dimensions (`IxDyn`).
pub struct AtLeastDyn<const IN: usize>;

/// A rank rule applied to the input dimension type `D`: checks it and names the output's.
pub trait RankRule<D: Dimension>: Sealed<Ranks> {
    /// The output's dimension type.
    type Output: Dimension;
}

/// Dimension types with exactly `N` axes (`IxDyn` has any number).
#[diagnostic::on_unimplemented(
    message = "the pattern expects a {N}-dimensional array, but the input's dimension type is `{Self}`",
    label = "this pattern needs {N} input dimensions",
    note = "`Dim<[usize; K]>` is `IxK`; an `IxDyn` array is checked when the code runs"
)]
pub trait HasDims<const N: usize>: Dimension + Sealed<Ranks> {}

/// Dimension types with at least `N` axes; `Rest` has the remaining ones.
#[diagnostic::on_unimplemented(
    message = "the pattern expects an array of at least {N} dimensions, but the input's dimension type is `{Self}`",
    label = "this pattern needs at least {N} input dimensions",
    note = "`Dim<[usize; K]>` is `IxK`; an `IxDyn` array is checked when the code runs"
)]
pub trait HasAtLeastDims<const N: usize>: Dimension + Sealed<Ranks> {
    /// The dimension type of the axes beyond the first `N`.
    type Rest: Dimension;
}

/// Dimension types `N` more axes can be added to.
pub trait AddDims<const N: usize>: Dimension + Sealed<Ranks> {
    /// The dimension type with `N` more axes (`IxDyn` past 6).
    type Output: Dimension;
}

/// The fixed-rank dimension type with `N` axes.
pub struct Rank<const N: usize>(PhantomData<[(); N]>);

/// Maps [`Rank`] to `Ix0`–`Ix6`.
pub trait FixedRank: Sealed<Ranks> {
    /// The dimension type.
    type Dim: Dimension;
}

macro_rules! ranks {
    ($($n:literal => $ix:ty),*) => {$(
        impl Sealed<Ranks> for $ix {}
        impl HasDims<$n> for $ix {}
        impl FixedRank for Rank<$n> { type Dim = $ix; }
    )*};
}
ranks!(0 => Ix0, 1 => Ix1, 2 => Ix2, 3 => Ix3, 4 => Ix4, 5 => Ix5, 6 => Ix6);

/// Maps the const rank of a tensor type (burn's `Tensor<N, K>`, `N` up to the 12
/// dimensions einops holds burn tensors at) to the dimension type the rank rules see:
/// `IxN` up to 6, `IxDyn` beyond (checked when the code runs).
#[cfg(feature = "burn")]
pub trait TensorRank: Sealed<Ranks> {
    /// The dimension type.
    type Dim: Dimension;
}

#[cfg(feature = "burn")]
macro_rules! tensor_ranks {
    ($($n:literal => $ix:ty),*) => {$(
        impl TensorRank for Rank<$n> { type Dim = $ix; }
    )*};
}
#[cfg(feature = "burn")]
tensor_ranks!(1 => Ix1, 2 => Ix2, 3 => Ix3, 4 => Ix4, 5 => Ix5, 6 => Ix6, 7 => IxDyn, 8 => IxDyn,
    9 => IxDyn, 10 => IxDyn, 11 => IxDyn, 12 => IxDyn);

macro_rules! table {
    ($trait:ident :: $assoc:ident for $ix:ty: $($n:literal => $out:ty),*) => {$(
        impl $trait<$n> for $ix { type $assoc = $out; }
    )*};
}
table!(HasAtLeastDims::Rest for Ix0: 0 => Ix0);
table!(HasAtLeastDims::Rest for Ix1: 0 => Ix1, 1 => Ix0);
table!(HasAtLeastDims::Rest for Ix2: 0 => Ix2, 1 => Ix1, 2 => Ix0);
table!(HasAtLeastDims::Rest for Ix3: 0 => Ix3, 1 => Ix2, 2 => Ix1, 3 => Ix0);
table!(HasAtLeastDims::Rest for Ix4: 0 => Ix4, 1 => Ix3, 2 => Ix2, 3 => Ix1, 4 => Ix0);
table!(HasAtLeastDims::Rest for Ix5: 0 => Ix5, 1 => Ix4, 2 => Ix3, 3 => Ix2, 4 => Ix1, 5 => Ix0);
table!(HasAtLeastDims::Rest for Ix6: 0 => Ix6, 1 => Ix5, 2 => Ix4, 3 => Ix3, 4 => Ix2, 5 => Ix1, 6 => Ix0);
table!(AddDims::Output for Ix0: 0 => Ix0, 1 => Ix1, 2 => Ix2, 3 => Ix3, 4 => Ix4, 5 => Ix5, 6 => Ix6);
table!(AddDims::Output for Ix1: 0 => Ix1, 1 => Ix2, 2 => Ix3, 3 => Ix4, 4 => Ix5, 5 => Ix6, 6 => IxDyn);
table!(AddDims::Output for Ix2: 0 => Ix2, 1 => Ix3, 2 => Ix4, 3 => Ix5, 4 => Ix6, 5 => IxDyn, 6 => IxDyn);
table!(AddDims::Output for Ix3: 0 => Ix3, 1 => Ix4, 2 => Ix5, 3 => Ix6, 4 => IxDyn, 5 => IxDyn, 6 => IxDyn);
table!(AddDims::Output for Ix4: 0 => Ix4, 1 => Ix5, 2 => Ix6, 3 => IxDyn, 4 => IxDyn, 5 => IxDyn, 6 => IxDyn);
table!(AddDims::Output for Ix5: 0 => Ix5, 1 => Ix6, 2 => IxDyn, 3 => IxDyn, 4 => IxDyn, 5 => IxDyn, 6 => IxDyn);
table!(AddDims::Output for Ix6: 0 => Ix6, 1 => IxDyn, 2 => IxDyn, 3 => IxDyn, 4 => IxDyn, 5 => IxDyn, 6 => IxDyn);

impl<const N: usize> HasDims<N> for IxDyn {}
impl<const N: usize> HasAtLeastDims<N> for IxDyn {
    type Rest = IxDyn;
}
impl<const N: usize> AddDims<N> for IxDyn {
    type Output = IxDyn;
}

impl<D: HasDims<IN>, const IN: usize, const OUT: usize> RankRule<D> for Exact<IN, OUT>
where
    Rank<OUT>: FixedRank,
{
    type Output = <Rank<OUT> as FixedRank>::Dim;
}

impl<D: HasAtLeastDims<IN>, const IN: usize, const OUT: usize> RankRule<D> for AtLeast<IN, OUT>
where
    Rank<OUT>: FixedRank,
{
    type Output = <Rank<OUT> as FixedRank>::Dim;
}

impl<D: HasAtLeastDims<IN>, const IN: usize, const OUT: usize> RankRule<D> for Shift<IN, OUT>
where
    D::Rest: AddDims<OUT>,
{
    type Output = <D::Rest as AddDims<OUT>>::Output;
}

impl<D: HasDims<IN>, const IN: usize> RankRule<D> for ExactDyn<IN> {
    type Output = IxDyn;
}

impl<D: HasAtLeastDims<IN>, const IN: usize> RankRule<D> for AtLeastDyn<IN> {
    type Output = IxDyn;
}

/// Output arrays (dimension type `Self`) that can hold a result of dimension type `R`:
/// the same type, or `IxDyn` on either side (checked when the code runs).
#[diagnostic::on_unimplemented(
    message = "the output array has dimension type `{Self}`, but the pattern produces `{R}`",
    label = "output array of the wrong rank",
    note = "`Dim<[usize; K]>` is `IxK`"
)]
pub trait OutputFits<R>: Sealed<Ranks> {}
impl<D: Dimension + Sealed<Ranks>> OutputFits<D> for D {}
macro_rules! fits_dyn {
    ($($ix:ty),*) => {$(
        impl OutputFits<IxDyn> for $ix {}
        impl OutputFits<$ix> for IxDyn {}
    )*};
}
fits_dyn!(Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6);

/// Whether an element type suits a reduction; the macros pick [`FloatOnly`] for a
/// `mean` that reduces something and [`AnyElement`] otherwise.
pub trait ElementRule<A>: Sealed<Ranks> {}
/// Any element `reduce` can fold.
pub struct AnyElement;
/// Floating-point elements only.
pub struct FloatOnly;
impl<A: crate::Reducible> ElementRule<A> for AnyElement {}
impl<A: crate::element::FloatElement> ElementRule<A> for FloatOnly {}

crate::sealed::seal!(Ranks: IxDyn, AnyElement, FloatOnly);
impl<const N: usize> Sealed<Ranks> for Rank<N> {}
impl<const I: usize, const O: usize> Sealed<Ranks> for Exact<I, O> {}
impl<const I: usize, const O: usize> Sealed<Ranks> for AtLeast<I, O> {}
impl<const I: usize, const O: usize> Sealed<Ranks> for Shift<I, O> {}
impl<const I: usize> Sealed<Ranks> for ExactDyn<I> {}
impl<const I: usize> Sealed<Ranks> for AtLeastDyn<I> {}
