//! The pattern core of einops: the one parser, validation and the plans of every
//! operation, shared by the proc macros (at compile time) and the runtime (for
//! `einops::dynamic` and the layers).
//!
//! It depends on nothing but `unicode-ident`, so the proc macros do not build the runtime,
//! ndarray or any kernel for the host. Parse ([`parse`]) → validate and plan ([`Recipe`],
//! [`EinsumPlan`], [`PackPlan`], [`ShapePlan`], [`EinMixPlan`]); everything that depends on
//! an input's shape happens later, in the runtime, per call.
//!
//! Not a stable API of its own: use it through `einops`, which re-exports what users need.
//!
//! ```
//! let recipe = einops_pattern::Recipe::rearrange("b c h w -> b (c h w)", &[]).unwrap();
//! assert_eq!(recipe.output.len(), 2);
//! ```

mod dims;
mod einmix;
mod einsum;
mod error;
mod pack;
pub mod parse;
mod recipe;
mod shape;

pub use dims::Dims;
pub use einmix::{EinMixPlan, EINMIX, EINMIX_BIAS, EINMIX_WEIGHT};
pub use einsum::{EinsumPlan, Role};
pub use error::{PatternError, PatternErrorKind};
pub use pack::{PackOperation, PackPlan};
pub use recipe::{elementary, mentions_ellipsis};
pub use recipe::{
    group_text, split_arrow, Axis, Length, List, Operation, Recipe, Reduction, Slot, Term, Text,
};
pub use shape::{ShapeDim, ShapeOperation, ShapePlan};
