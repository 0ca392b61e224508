//! The one pattern parser of the crate, used by the proc macros at compile time and by
//! `einops::dynamic` at run time.
//!
//! It depends on nothing else in the runtime: parse ([`parse`]) → validate and plan
//! ([`Recipe`]). Everything shape-dependent happens later, per call.

mod einmix;
mod einsum;
mod error;
mod pack;
pub mod parse;
mod recipe;
mod shape;

pub use einmix::{EinMixPlan, EINMIX, EINMIX_BIAS, EINMIX_WEIGHT};
pub use einsum::{EinsumPlan, Role};
pub use error::{PatternError, PatternErrorKind};
pub use pack::{PackOperation, PackPlan};
pub use recipe::{
    group_text, split_arrow, Axis, Length, List, Operation, Recipe, Reduction, Slot, Term, Text,
};
pub use shape::{ShapeDim, ShapeOperation, ShapePlan};

#[cfg(feature = "candle")]
pub(crate) use recipe::elementary;
