//! What can go wrong when an einsum meets its operands: the call (pattern, every operand's
//! shape, the given lengths) and the problem, naming the operand, dimension and axis.

use std::fmt;

use super::Stage;
use crate::pattern::Dims;

/// The einsum call an [`Error::Einsum`](crate::Error::Einsum) happened in.
///
/// ```
/// let call = einops::EinsumCall {
///     pattern: "i j, j k -> i k".into(),
///     shapes: vec![vec![2, 3], vec![4, 5]],
///     lengths: vec![],
/// };
/// assert_eq!(call.to_string(), "einsum `i j, j k -> i k` on operands of shapes [2, 3], [4, 5]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EinsumCall {
    /// The pattern as written.
    pub pattern: String,
    /// The shape of every operand, in order.
    pub shapes: Vec<Vec<usize>>,
    /// The given axis lengths, as `name = value` texts.
    pub lengths: Vec<String>,
}

impl fmt::Display for EinsumCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shapes: Vec<String> = self.shapes.iter().map(|s| format!("{s:?}")).collect();
        match shapes.len() {
            1 => write!(
                f,
                "einsum `{}` on an operand of shape {}",
                self.pattern, shapes[0]
            )?,
            _ => write!(
                f,
                "einsum `{}` on operands of shapes {}",
                self.pattern,
                shapes.join(", ")
            )?,
        }
        if !self.lengths.is_empty() {
            write!(f, " with {}", self.lengths.join(", "))?;
        }
        Ok(())
    }
}

/// Where the length an axis is checked against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthOrigin {
    /// A length given in the call (`name = value`).
    Given,
    /// A dimension of an operand.
    Operand {
        /// The operand's index.
        operand: usize,
        /// The dimension's index.
        dim: usize,
    },
}

impl fmt::Display for LengthOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LengthOrigin::Given => f.write_str("was given"),
            LengthOrigin::Operand { operand, dim } => {
                write!(f, "in operand {operand} (dimension {dim})")
            }
        }
    }
}

/// Why an einsum's operands do not fit its pattern.
///
/// ```
/// use einops::{dynamic, EinsumProblem, Error};
/// let (a, b) = (ndarray::Array2::<f64>::zeros((2, 3)), ndarray::Array2::<f64>::zeros((4, 5)));
/// let err = dynamic::einsum(&[a, b], "i j, j k -> i k").unwrap_err();
/// let Error::Einsum { problem, .. } = &err else { panic!("an einsum error") };
/// assert!(matches!(**problem, EinsumProblem::AxisLength { operand: 1, dim: 0, .. }));
/// assert_eq!(err.to_string(), "einsum `i j, j k -> i k` on operands of shapes [2, 3], [4, 5]: \
///     axis `j` has length 4 in operand 1 (dimension 0), but length 3 in operand 0 (dimension 1)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EinsumProblem {
    /// An operand with a number of dimensions its part of the pattern cannot describe.
    Rank {
        /// The operand's index.
        operand: usize,
        /// The operand's part of the pattern.
        term: String,
        /// The dimensions `term` describes: `3`, or `at least 2` with an ellipsis.
        expected: Dims,
        /// The operand's number of dimensions.
        actual: usize,
    },
    /// An ellipsis that matches dimensions while the output has no ellipsis to keep them.
    EllipsisNotInOutput {
        /// The operand's index.
        operand: usize,
        /// Dimensions the ellipsis matches.
        dims: usize,
    },
    /// A named axis whose length differs between two places.
    AxisLength {
        /// The axis.
        axis: String,
        /// The operand where the length differs.
        operand: usize,
        /// The dimension there.
        dim: usize,
        /// The length there.
        actual: usize,
        /// The length found first.
        expected: usize,
        /// Where the first length came from.
        origin: LengthOrigin,
    },
    /// Dimensions matched by `...` in two operands that do not broadcast (equal, or one
    /// of them 1).
    EllipsisLength {
        /// The operand.
        operand: usize,
        /// The dimension.
        dim: usize,
        /// Its length.
        actual: usize,
        /// The length of the same ellipsis dimension elsewhere.
        expected: usize,
        /// Where that length is.
        origin: LengthOrigin,
    },
    /// An operand dimension that does not equal the product of its group's lengths.
    GroupLength {
        /// The operand.
        operand: usize,
        /// The dimension.
        dim: usize,
        /// The group as written, e.g. `(h d)`.
        group: String,
        /// The dimension's length.
        actual: usize,
        /// The product of the group's lengths.
        expected: usize,
    },
    /// An operand dimension that is not a multiple of its group's known lengths.
    Indivisible {
        /// The operand.
        operand: usize,
        /// The dimension.
        dim: usize,
        /// The group as written.
        group: String,
        /// The dimension's length.
        actual: usize,
        /// The product of the known lengths of the group.
        known: usize,
        /// The axes whose lengths are known, e.g. `h`.
        known_axes: String,
    },
    /// An axis whose length cannot be inferred because the others of its group are 0.
    ZeroDivisor {
        /// The operand.
        operand: usize,
        /// The dimension.
        dim: usize,
        /// The group as written.
        group: String,
        /// The axis whose length is unknown.
        axis: String,
    },
    /// A given length that is negative or does not fit `usize`.
    InvalidLength {
        /// The axis.
        axis: String,
        /// The value as given.
        value: i128,
    },
    /// A product of lengths that overflows `usize`.
    Overflow {
        /// What was being computed.
        what: String,
    },
    /// The array given to `einsum_into` does not have the result's shape.
    OutputShape {
        /// The result's shape.
        expected: Vec<usize>,
        /// The output array's shape.
        actual: Vec<usize>,
    },
}

impl fmt::Display for EinsumProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EinsumProblem::Rank { operand, actual, term, expected, .. } => write!(
                f,
                "operand {operand} has {actual} dimensions, but `{term}` describes {expected}"
            ),
            EinsumProblem::EllipsisNotInOutput { operand, dims, .. } => write!(
                f,
                "the `...` of operand {operand} matches {dims} dimension(s), but the output has no \
                 `...` to keep them (einsum sums named axes only)"
            ),
            EinsumProblem::AxisLength { axis, actual, operand, dim, expected, origin, .. } => write!(
                f,
                "axis `{axis}` has length {actual} in operand {operand} (dimension {dim}), \
                 but length {expected} {origin}"
            ),
            EinsumProblem::EllipsisLength { dim, operand, actual, expected, origin, .. } => write!(
                f,
                "dimension {dim} of operand {operand} (length {actual}, matched by `...`) does not \
                 broadcast against length {expected} {origin}"
            ),
            EinsumProblem::GroupLength { dim, operand, actual, group, expected, .. } => write!(
                f,
                "dimension {dim} of operand {operand} has length {actual}, \
                 but group `{group}` has length {expected}"
            ),
            EinsumProblem::Indivisible { dim, operand, actual, group, known, known_axes, .. } => write!(
                f,
                "dimension {dim} of operand {operand} of length {actual} cannot be split into group \
                 `{group}`: it is not a multiple of {known} (the product of {known_axes})"
            ),
            EinsumProblem::ZeroDivisor { axis, group, dim, operand, .. } => write!(
                f,
                "the length of `{axis}` in group `{group}` (dimension {dim} of operand {operand}) \
                 cannot be inferred: the other axes of the group have length 0"
            ),
            EinsumProblem::InvalidLength { value, axis, .. } => write!(
                f,
                "length {value} given for axis `{axis}` is not a valid length"
            ),
            EinsumProblem::Overflow { what, .. } => write!(
                f,
                "the length of {what} overflows usize"
            ),
            EinsumProblem::OutputShape { expected, actual, .. } => write!(
                f,
                "the result has shape {expected:?}, but the output array has shape {actual:?}"
            ),
        }
    }
}

impl std::error::Error for EinsumProblem {}

impl EinsumProblem {
    /// When the problem could first be detected.
    pub fn stage(&self) -> Stage {
        match self {
            EinsumProblem::Rank { .. } | EinsumProblem::EllipsisNotInOutput { .. } => Stage::Rank,
            _ => Stage::Shape,
        }
    }

    /// A stable machine-readable name, as the reference vectors name it.
    pub fn kind(&self) -> &'static str {
        match self {
            EinsumProblem::Rank { .. } => "einsum_wrong_ndim",
            EinsumProblem::EllipsisNotInOutput { .. } => "einsum_ellipsis_not_in_output",
            EinsumProblem::AxisLength { .. } | EinsumProblem::EllipsisLength { .. } => {
                "einsum_axis_length_mismatch"
            }
            EinsumProblem::GroupLength { .. } => "axis_length_mismatch",
            EinsumProblem::Indivisible { .. } => "indivisible_axis",
            EinsumProblem::ZeroDivisor { .. } => "zero_axis_length",
            EinsumProblem::InvalidLength { .. } => "invalid_length",
            EinsumProblem::Overflow { .. } => "length_overflow",
            EinsumProblem::OutputShape { .. } => "output_shape",
        }
    }
}
