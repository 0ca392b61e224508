//! The seal on every public trait that users are not meant to implement.
//!
//! Each sealed trait has `Sealed<Family>` as a supertrait. `Sealed` is public but lives in
//! this private module, so code outside the crate can neither name it nor implement it,
//! and therefore cannot implement the traits it seals. The seal is what makes the
//! kernels' `unsafe` sound: the parallel reductions hand `Reducible` elements to several
//! threads and run their comparisons there, which is only sound for the primitives sealed
//! beside `Reducible`'s impls (`element.rs`), never for an arbitrary `Copy + PartialOrd`
//! type of a user (one holding a `Cell` could race). The family parameter lets one seal
//! serve traits whose implementors overlap (a blanket impl for every operand beside impls
//! for single types). Each family's types are sealed beside the impls of its traits.

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
/// What the view macros borrow: references to ndarray arrays.
pub struct View;

/// `seal!(Family: T, U, ...)`: seals the types for the family, beside the trait's impls.
macro_rules! seal {
    ($family:ty: $($t:ty),* $(,)?) => {$(
        impl $crate::sealed::Sealed<$family> for $t {}
    )*};
}
pub(crate) use seal;
