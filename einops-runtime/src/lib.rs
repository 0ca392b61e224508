//! The runtime of `einops`: the one pattern parser (shared with the proc macros),
//! shape solving, kernels and errors.
//!
//! Users depend on the `einops` crate, which re-exports what is public here.

#[cfg(feature = "candle")]
pub mod candle;
pub mod dynamic;
mod einsum;
mod element;
mod error;
mod input;
mod kernel;
pub mod layers;
#[doc(hidden)]
pub mod macro_support;
mod memo;
mod ops;
mod pack;
pub mod pattern;
#[doc(hidden)]
pub mod rank;
mod sealed;
mod shape;
mod solve;

pub use einsum::{EinsumCall, EinsumProblem, LengthOrigin};
pub use element::{Float, Reducible};
pub use error::{Call, Error, Stage};
pub use input::{ArrayLike, Input, Operand};
pub use pack::{ArrayList, PackedShape, PackedShapes};
pub use shape::HasShape;
