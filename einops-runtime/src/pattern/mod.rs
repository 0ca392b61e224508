//! The one pattern parser of the crate, used by the proc macros at compile time and by
//! `einops::dynamic` at run time.
//!
//! It depends on nothing else in the runtime: parse ([`parse`]) → validate and plan
//! ([`Recipe`]). Everything shape-dependent happens later, per call.

mod error;
pub mod parse;
mod recipe;

pub use error::{PatternError, PatternErrorKind};
pub use recipe::{split_arrow, Axis, Length, List, Operation, Recipe, Reduction, Slot, Term, Text};
