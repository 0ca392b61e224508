//! A naive oracle for `einops::dynamic::{rearrange, reduce, repeat}`, shared by the property
//! tests (`tests/it/oracle.rs`) and the fuzz targets (`fuzz/`).
//!
//! The oracle shares nothing with the library's planner. The generator builds each pattern as a
//! small tree ([`Item`]s of [`Atom`]s) and renders it to text for the library; the oracle works on
//! the tree. It solves the axis lengths the way einops 0.8.2 does (semantics reference §2.2, steps
//! 6 and 9), then computes every output element by plain index arithmetic: split the output index
//! of each right group row-major into elementary indices (first axis slowest), recompose the index
//! of each left group row-major, read the input element, and fold over every combination of the
//! reduced axes. Axes that only the right side has (repeat) simply do not take part in the input
//! index.
//!
//! Patterns are decoded from a flat stream of random bytes ([`Choices`]) instead of nested
//! strategies: later decisions (which axes reach the right side, which lengths must be given so
//! that every left group can be solved) depend on earlier ones, and a zero byte always decodes to
//! the simplest option, so proptest's shrinking (towards shorter/zero bytes) shrinks a failure
//! towards the simplest pattern that still fails.
//!
//! Elements are small integers (`i64`, also as `f64` and `bool`), so sums are exact and results
//! can be compared exactly; only `mean` is compared with a tolerance.
//!
//! Reading a failure: every assertion message ends with the failing case (operation, pattern,
//! lengths, input shape, layout). Properties that mutate a generated case in their body (wrong
//! rank, contradicting lengths, empty axes) show the mutated case there; proptest's "minimal
//! failing input" line shows it before the mutation.
//!
//! [`fuzz`] has the fuzz targets' logic, so that the same inputs run on stable in the tests.
//!
//! ```
//! use einops_oracle::{check, Case, Op};
//! let case = Case::decode(Op::Rearrange, &[7, 1, 3, 9], 42, false);
//! check::<i64>(&case).unwrap();
//! ```

mod case;
pub mod fuzz;
mod reference;
mod text;

pub use case::*;
pub use reference::*;
