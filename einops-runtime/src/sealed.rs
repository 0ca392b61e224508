//! The seal on every public trait that users are not meant to implement.
//!
//! Each sealed trait has `Sealed<Family>` as a supertrait. `Sealed` is public but lives in
//! this private module, so code outside the crate can neither name it nor implement it,
//! and therefore cannot implement the traits it seals. The seal is what makes the
//! kernels' `unsafe` sound: the parallel reductions hand `Reducible` elements to several
//! threads and run their comparisons there, which is only sound for the primitives listed
//! here, never for an arbitrary `Copy + PartialOrd` type of a user (one holding a `Cell`
//! could race). The family parameter lets one seal serve traits whose implementors
//! overlap (a blanket impl for every operand beside impls for single types).

/// Implemented exactly for the types a family's traits may be implemented for.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot implement this einops trait: it is sealed",
    label = "einops implements this trait itself, for its own list of types",
    note = "element types are the primitive numbers and `bool`; inputs are ndarray arrays, views and lists of them"
)]
pub trait Sealed<Family> {}

/// Element types that `reduce` folds ([`crate::Reducible`]).
pub struct Element;
/// Arrays and lists of arrays ([`crate::ArrayLike`], [`crate::Operand`], [`crate::ArrayList`]).
pub struct Array;
/// Things with a shape ([`crate::HasShape`]).
pub struct Shape;
/// What the macros accept as one input (the traits of `macro_support`, `einsum!` operands).
pub struct Source;
/// What `pack!` accepts.
pub struct Pack;
/// What `einsum!` holds its operands as and contracts.
pub struct Held;
/// Axis-length arguments of the macros.
pub struct Length;
/// Dimension types and the marker types of the compile-time rank rules.
pub struct Rank;

macro_rules! seal {
    ($family:ty: $($t:ty),* $(,)?) => {$(
        impl Sealed<$family> for $t {}
    )*};
}

seal!(Element: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool);
seal!(Length: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
impl<T: crate::macro_support::AxisLength + Copy> Sealed<Length> for &T {}

mod arrays {
    use ndarray::{ArrayBase, Dimension, RawData};

    use super::{Array, Held, Pack, Sealed, Shape, Source};
    use crate::einsum::Strided;
    use crate::input::{ArrayLike, Operand};
    use crate::pack::ArrayList;
    use crate::shape::HasShape;

    impl<S: RawData, D> Sealed<Array> for ArrayBase<S, D> {}
    impl<S: RawData, D> Sealed<Array> for &ArrayBase<S, D> {}
    impl<T, const N: usize> Sealed<Array> for [T; N] {}
    impl<T> Sealed<Array> for Vec<T> {}
    impl<T> Sealed<Array> for &[T] {}
    impl<T> Sealed<Array> for &Vec<T> {}
    impl<T, const N: usize> Sealed<Array> for &[T; N] {}

    impl<S: RawData, D: Dimension> Sealed<Shape> for ArrayBase<S, D> {}
    impl<T: HasShape + ?Sized> Sealed<Shape> for &T {}
    impl<T: HasShape + ?Sized> Sealed<Shape> for &mut T {}

    impl<'a, I: Operand<'a>> Sealed<Source> for I {}
    impl<'a, L: ArrayList<'a>> Sealed<Pack> for L {}
    impl<'a, I: ArrayLike<'a>> Sealed<Held> for I {}
    impl<A> Sealed<Held> for Strided<'_, A> {}
}

#[cfg(feature = "candle")]
mod tensors {
    use candle_core::Tensor;

    use super::{Held, Pack, Sealed, Shape, Source};

    impl Sealed<Shape> for Tensor {}
    impl Sealed<Source> for Tensor {}
    impl Sealed<Source> for &Tensor {}
    impl Sealed<Held> for Tensor {}
    impl Sealed<Held> for &Tensor {}
    impl<const N: usize> Sealed<Pack> for [Tensor; N] {}
    impl<const N: usize> Sealed<Pack> for [&Tensor; N] {}
    impl<const N: usize> Sealed<Pack> for &[Tensor; N] {}
    impl<const N: usize> Sealed<Pack> for &[&Tensor; N] {}
    impl Sealed<Pack> for Vec<Tensor> {}
    impl Sealed<Pack> for Vec<&Tensor> {}
    impl Sealed<Pack> for &Vec<Tensor> {}
    impl Sealed<Pack> for &[Tensor] {}
    impl Sealed<Pack> for &[&Tensor] {}
}

mod ranks {
    use ndarray::{Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

    use super::{Rank, Sealed};
    use crate::einsum::rank as einsum;
    use crate::rank::{AnyElement, AtLeast, AtLeastDyn, Exact, ExactDyn, FloatOnly, Shift};

    seal!(Rank: Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn, AnyElement, FloatOnly);
    seal!(Rank: einsum::Dynamic);
    impl<const N: usize> Sealed<Rank> for einsum::Fixed<N> {}
    impl<const N: usize> Sealed<Rank> for crate::rank::Rank<N> {}
    impl<const I: usize, const O: usize> Sealed<Rank> for Exact<I, O> {}
    impl<const I: usize, const O: usize> Sealed<Rank> for AtLeast<I, O> {}
    impl<const I: usize, const O: usize> Sealed<Rank> for Shift<I, O> {}
    impl<const I: usize> Sealed<Rank> for ExactDyn<I> {}
    impl<const I: usize> Sealed<Rank> for AtLeastDyn<I> {}
    impl<const N: usize> Sealed<Rank> for einsum::Exact<N> {}
    impl<const N: usize> Sealed<Rank> for einsum::AtLeast<N> {}
    impl<const N: usize> Sealed<Rank> for einsum::Shift<N> {}
}
