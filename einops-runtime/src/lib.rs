//! The runtime of `einops`: shape solving, kernels, backends and errors, on top of the
//! pattern core (`einops-pattern`, re-exported as [`pattern`]) that the proc macros share.
//!
//! Users depend on the `einops` crate, which re-exports what is public here.

#[cfg(feature = "burn")]
pub mod burn;
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
#[doc(hidden)]
pub mod rank;
mod sealed;
mod shape;
mod site;
mod solve;
#[cfg(any(feature = "candle", feature = "burn"))]
mod tensor;
mod view;

/// The pattern core: parser, validation and plans (the `einops-pattern` crate).
pub use einops_pattern as pattern;

pub use element::{FloatElement, Reducible};
pub use error::{
    Call, CallOperation, Error, LengthOrigin, Parameter, Quantity, SplitFailure, Stage,
};
pub use input::{ArrayLike, Input, Operand};
pub use pack::{ArrayList, PackedShape, PackedShapes};
pub use shape::HasShape;
