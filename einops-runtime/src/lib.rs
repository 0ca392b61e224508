//! The runtime of `einops`: the one pattern parser (shared with the proc macros),
//! shape solving, kernels and errors.
//!
//! Users depend on the `einops` crate, which re-exports what is public here.

pub mod dynamic;
mod element;
mod error;
mod input;
mod kernel;
#[doc(hidden)]
pub mod macro_support;
mod ops;
pub mod pattern;
#[doc(hidden)]
pub mod rank;
mod solve;

pub use element::{Float, Reducible};
pub use error::{Call, Error, Stage};
pub use input::{ArrayLike, Input, Operand};
