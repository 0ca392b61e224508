//! The error type of every einops operation, and the problems of an einsum's operands
//! ([`einsum`]) that it carries.

mod einsum;

use std::fmt;

use crate::pattern::{Dims, PatternError};

pub use einsum::{EinsumCall, EinsumProblem, LengthOrigin};

/// When a problem can be detected: from the pattern alone, or only with the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// From the pattern, the reduction name and the names of the axis lengths
    /// (a compile error for the macros).
    Pattern,
    /// From the input's number of dimensions.
    Rank,
    /// From the input's axis lengths or the given length values.
    Shape,
    /// From the element type (`mean` of integers in the run-time API).
    Dtype,
    /// Reported by the tensor library that ran the operation (the `candle` feature): the
    /// pattern and shapes fit, but the library failed, e.g. on an op its device lacks.
    Backend,
}

/// The call an error happened in: operation, pattern, input shape and given lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `rearrange`, `reduce`, `repeat`, ...
    pub operation: String,
    /// The pattern as written.
    pub pattern: String,
    /// The input's shape (for a list: the stacked shape, or the first element's if they differ).
    pub shape: Vec<usize>,
    /// The given axis lengths, as `name = value` texts.
    pub lengths: Vec<String>,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` on input of shape {:?}",
            self.operation, self.pattern, self.shape
        )?;
        if !self.lengths.is_empty() {
            write!(f, " with {}", self.lengths.join(", "))?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in an einops operation.
///
/// Messages name the operation, the pattern, the input shape and the failing
/// dimension, group or axis:
///
/// ```
/// use ndarray::Array;
/// let x = Array::from_shape_vec(vec![2, 7], (0..14).collect::<Vec<i64>>()).unwrap();
/// let err = einops::dynamic::rearrange(&x, "b (h w) -> b h w", &[("h", 2)]).unwrap_err();
/// assert_eq!(err.kind(), "indivisible_axis");
/// assert_eq!(
///     err.to_string(),
///     "rearrange `b (h w) -> b h w` on input of shape [2, 7] with h = 2: \
///      dimension 1 of length 7 cannot be split into group `(h w)`: \
///      it is not a multiple of 2 (the product of h)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The pattern is invalid (a compile error for the macros).
    Pattern(PatternError),
    /// The input has a number of dimensions the pattern cannot describe.
    Rank {
        /// The failing call.
        call: Box<Call>,
        /// The dimensions the pattern describes: `4`, or `at least 3` with an ellipsis.
        expected: Dims,
        /// The input's number of dimensions.
        actual: usize,
    },
    /// A given axis length is negative or does not fit `usize`.
    InvalidLength {
        /// The failing call.
        call: Box<Call>,
        /// The axis given the length.
        axis: String,
        /// The value as given.
        value: i128,
    },
    /// An input dimension does not equal the product of its group's lengths.
    LengthMismatch {
        /// The failing call.
        call: Box<Call>,
        /// Index of the input dimension.
        dim: usize,
        /// The group as written, e.g. `(h w)`.
        group: String,
        /// The dimension's length.
        actual: usize,
        /// The product of the group's known lengths.
        expected: usize,
    },
    /// An input dimension is not a multiple of its group's known lengths.
    Indivisible {
        /// The failing call.
        call: Box<Call>,
        /// Index of the input dimension.
        dim: usize,
        /// The group as written.
        group: String,
        /// The dimension's length.
        actual: usize,
        /// The product of the known lengths of the group.
        known: usize,
        /// The axes whose lengths are known, e.g. `h, 2`.
        known_axes: String,
    },
    /// An axis length cannot be inferred because the other axes of its group have length 0.
    ZeroDivisor {
        /// The failing call.
        call: Box<Call>,
        /// The group as written.
        group: String,
        /// The axis whose length is unknown.
        axis: String,
    },
    /// A product of lengths overflows `usize`.
    Overflow {
        /// The failing call.
        call: Box<Call>,
        /// What was being computed, e.g. `output dimension 1 (group `(a b)`)`.
        what: String,
    },
    /// The output would need more than `isize::MAX` bytes (or elements), more than any
    /// array can hold.
    OutputTooLarge {
        /// The failing call.
        call: Box<Call>,
        /// The output's shape.
        shape: Vec<usize>,
        /// The element type's size in bytes.
        element_size: usize,
    },
    /// The elements of a list input differ in shape.
    ListShapesDiffer {
        /// The failing call.
        call: Box<Call>,
        /// Index of the first element that differs.
        index: usize,
        /// Shape of element 0.
        expected: Vec<usize>,
        /// Shape of element `index`.
        actual: Vec<usize>,
    },
    /// A list input with no element.
    EmptyList {
        /// The failing call.
        call: Box<Call>,
    },
    /// `min` or `max` over axes with no element.
    EmptyReduction {
        /// The failing call.
        call: Box<Call>,
        /// `min` or `max`.
        reduction: &'static str,
        /// The reduced axes with their lengths, e.g. `h = 0, w = 2`.
        axes: String,
    },
    /// The array given to an `_into` operation does not have the result's shape.
    OutputShape {
        /// The failing call.
        call: Box<Call>,
        /// The result's shape.
        expected: Vec<usize>,
        /// The output array's shape.
        actual: Vec<usize>,
    },
    /// `mean` of an integer array (a compile error for the macros).
    MeanOfInteger {
        /// The failing call.
        call: Box<Call>,
        /// The element type's name.
        element: &'static str,
    },
    /// `pack` of an empty list: there is no shape to pack into.
    PackEmpty {
        /// The pattern as written.
        pattern: String,
    },
    /// `pack`: an array has fewer dimensions than the pattern names around `*`.
    PackRank {
        /// The pattern as written.
        pattern: String,
        /// Index of the array in the list.
        index: usize,
        /// Its shape.
        shape: Vec<usize>,
        /// The number of names in the pattern.
        expected: usize,
    },
    /// `pack`: an array differs from array 0 in a dimension outside `*`.
    PackShapesDiffer {
        /// The pattern as written.
        pattern: String,
        /// The pattern's name for the dimension.
        axis: String,
        /// Index of the array in the list.
        index: usize,
        /// The dimension's length in array `index`.
        actual: usize,
        /// The dimension's length in array 0.
        expected: usize,
    },
    /// `unpack`: the input does not have one dimension per name plus one for `*`.
    UnpackRank {
        /// The failing call.
        call: Box<Call>,
        /// The names of the pattern plus one.
        expected: usize,
        /// The input's number of dimensions.
        actual: usize,
    },
    /// `unpack`: more than one packed shape has an unknown length.
    UnpackUnknowns {
        /// The failing call.
        call: Box<Call>,
        /// The packed shapes, e.g. `[[2], [?], [?]]`.
        shapes: String,
    },
    /// `unpack`: the packed shapes do not add up to the packed dimension.
    UnpackSplit {
        /// The failing call.
        call: Box<Call>,
        /// Index of the packed dimension (the position of `*`).
        dim: usize,
        /// Its length.
        length: usize,
        /// The packed shapes, e.g. `[[2, 1], [5]]`.
        shapes: String,
        /// What does not fit.
        reason: String,
    },
    /// `unpack`: a packed shape makes an output of another rank than the packed shapes'
    /// dimension type (shapes from a `pack!` of `Array3`s unpacked with another pattern).
    UnpackOutputRank {
        /// The failing call.
        call: Box<Call>,
        /// Index of the output.
        index: usize,
        /// Its packed shape, e.g. `[2, 3]`.
        shape: String,
        /// The output's number of dimensions.
        actual: usize,
        /// The packed shapes' number of dimensions.
        expected: usize,
    },
    /// `parse_shape` / `check_shape`: the input has a number of dimensions the pattern
    /// cannot describe.
    ParseShapeRank {
        /// The failing call.
        call: Box<Call>,
        /// The dimensions the pattern describes: `4`, or `at least 3` with an ellipsis.
        expected: Dims,
        /// The input's number of dimensions.
        actual: usize,
    },
    /// `parse_shape` / `check_shape`: a dimension the pattern writes as `1`, `()` or a
    /// number has another length.
    FixedLength {
        /// The failing call.
        call: Box<Call>,
        /// Index of the input dimension.
        dim: usize,
        /// The dimension's length.
        actual: usize,
        /// The length the pattern writes (1 for `1` and `()`).
        expected: usize,
    },
    /// An EinMix layer is given a negative length or one that does not fit `usize`.
    EinMixLength {
        /// The layer's pattern.
        pattern: String,
        /// The axis given the length.
        axis: String,
        /// The value as given.
        value: i128,
    },
    /// An EinMix parameter would have more elements than `usize` can count.
    ParameterSize {
        /// The layer's pattern.
        pattern: String,
        /// `weight` or `bias`.
        parameter: &'static str,
        /// The shape the lengths give it.
        shape: Vec<usize>,
    },
    /// An EinMix parameter given to the layer does not have the shape the layer needs
    /// (`none` stands for a missing or unexpected bias).
    ParameterShape {
        /// The layer's pattern.
        pattern: String,
        /// `weight` or `bias`.
        parameter: &'static str,
        /// The shape the layer needs, e.g. `[4, 8]`, or `none`.
        expected: String,
        /// The shape given, or `none`.
        actual: String,
    },
    /// An einsum whose operands do not fit its pattern (stage rank or shape).
    Einsum {
        /// The failing call.
        call: Box<EinsumCall>,
        /// What does not fit.
        problem: Box<EinsumProblem>,
    },
    /// The tensor library failed while running the operations a call was lowered to
    /// (the `candle` feature), e.g. tensors of different dtypes or a device without the op.
    Backend {
        /// The failing call as messages describe it (operation, pattern, input shapes).
        call: String,
        /// The library, e.g. `candle`.
        backend: &'static str,
        /// The library's own message.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Pattern(inner) => fmt::Display::fmt(inner, f),
            Error::Rank { call, expected, actual, .. } => write!(
                f,
                "{call}: the pattern expects {expected} dimensions, but the input has {actual}"
            ),
            Error::InvalidLength { call, value, axis, .. } => write!(
                f,
                "{call}: length {value} given for axis `{axis}` is not a valid length"
            ),
            Error::LengthMismatch { call, dim, actual, group, expected, .. } => write!(
                f,
                "{call}: dimension {dim} has length {actual}, but group `{group}` has length {expected}"
            ),
            Error::Indivisible { call, dim, actual, group, known, known_axes, .. } => write!(
                f,
                "{call}: dimension {dim} of length {actual} cannot be split into group `{group}`: \
                 it is not a multiple of {known} (the product of {known_axes})"
            ),
            Error::ZeroDivisor { call, axis, group, .. } => write!(
                f,
                "{call}: the length of `{axis}` in group `{group}` cannot be inferred: \
                 the other axes of the group have length 0"
            ),
            Error::Overflow { call, what, .. } => write!(
                f,
                "{call}: the length of {what} overflows usize"
            ),
            Error::OutputTooLarge { call, shape, element_size, .. } => write!(
                f,
                "{call}: the output of shape {shape:?} cannot exist: it needs more than isize::MAX \
                 bytes ({element_size} bytes per element)"
            ),
            Error::ListShapesDiffer { call, index, actual, expected, .. } => write!(
                f,
                "{call}: list element {index} has shape {actual:?}, but element 0 has shape {expected:?}"
            ),
            Error::EmptyList { call, .. } => write!(
                f,
                "{call}: the list input is empty; there is nothing to stack"
            ),
            Error::EmptyReduction { call, reduction, axes, .. } => write!(
                f,
                "{call}: cannot take the {reduction} over zero elements (reduced axes: {axes})"
            ),
            Error::OutputShape { call, expected, actual, .. } => write!(
                f,
                "{call}: the result has shape {expected:?}, but the output array has shape {actual:?}"
            ),
            Error::MeanOfInteger { call, element, .. } => write!(
                f,
                "{call}: mean needs floating-point elements, but the array holds {element}"
            ),
            Error::PackEmpty { pattern, .. } => write!(
                f,
                "pack `{pattern}`: the list of arrays is empty; there is nothing to pack"
            ),
            Error::PackRank { pattern, index, shape, expected, .. } => write!(
                f,
                "pack `{pattern}`: array {index} has shape {shape:?}, but the pattern needs at least \
                 {expected} dimensions"
            ),
            Error::PackShapesDiffer { pattern, axis, actual, index, expected, .. } => write!(
                f,
                "pack `{pattern}`: axis `{axis}` has length {actual} in array {index}, but {expected} in \
                 array 0; only the dimensions of `*` may differ"
            ),
            Error::UnpackRank { call, expected, actual, .. } => write!(
                f,
                "{call}: the pattern expects {expected} dimensions, but the input has {actual}"
            ),
            Error::UnpackUnknowns { call, shapes, .. } => write!(
                f,
                "{call}: more than one of the packed shapes {shapes} has an unknown length; \
                 at most one can be inferred"
            ),
            Error::UnpackSplit { call, dim, length, shapes, reason, .. } => write!(
                f,
                "{call}: dimension {dim} of length {length} cannot be split into the packed shapes \
                 {shapes}: {reason}"
            ),
            Error::UnpackOutputRank { call, shape, index, actual, expected, .. } => write!(
                f,
                "{call}: packed shape {shape} makes output {index} {actual}-dimensional, but the \
                 packed shapes are for {expected}-dimensional arrays"
            ),
            Error::ParseShapeRank { call, expected, actual, .. } => write!(
                f,
                "{call}: the pattern expects {expected} dimensions, but the input has {actual}"
            ),
            Error::FixedLength { call, dim, actual, expected, .. } => write!(
                f,
                "{call}: dimension {dim} has length {actual}, but the pattern writes it as {expected}"
            ),
            Error::EinMixLength { pattern, value, axis, .. } => write!(
                f,
                "EinMix `{pattern}`: length {value} given for axis `{axis}` is not a valid length"
            ),
            Error::ParameterSize { pattern, parameter, shape, .. } => write!(
                f,
                "EinMix `{pattern}`: the {parameter} of shape {shape:?} has too many elements"
            ),
            Error::ParameterShape { pattern, parameter, actual, expected, .. } => write!(
                f,
                "EinMix `{pattern}`: the {parameter} has shape {actual}, but the layer needs {expected}"
            ),
            Error::Einsum { call, problem, .. } => write!(
                f,
                "{call}: {problem}"
            ),
            Error::Backend { call, backend, message, .. } => write!(
                f,
                "{call}: {backend} failed: {message}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Pattern(pattern) => Some(pattern),
            _ => None,
        }
    }
}

impl From<PatternError> for Error {
    fn from(pattern: PatternError) -> Error {
        Error::Pattern(pattern)
    }
}

impl Error {
    /// When the problem could first be detected.
    ///
    /// ```
    /// use einops::{dynamic, Stage};
    /// let x = ndarray::Array::<f32, _>::zeros((2, 3));
    /// assert_eq!(dynamic::rearrange(&x, "a b c -> a", &[]).unwrap_err().stage(), Stage::Pattern);
    /// assert_eq!(dynamic::rearrange(&x, "a b c -> c b a", &[]).unwrap_err().stage(), Stage::Rank);
    /// ```
    pub fn stage(&self) -> Stage {
        match self {
            Error::Pattern(_) => Stage::Pattern,
            Error::Rank { .. } => Stage::Rank,
            Error::PackRank { .. }
            | Error::UnpackRank { .. }
            | Error::UnpackOutputRank { .. }
            | Error::ParseShapeRank { .. } => Stage::Rank,
            Error::MeanOfInteger { .. } => Stage::Dtype,
            Error::Einsum { problem, .. } => problem.stage(),
            Error::Backend { .. } => Stage::Backend,
            _ => Stage::Shape,
        }
    }

    /// A stable machine-readable name of the error, as the reference vectors name it.
    ///
    /// ```
    /// use einops::dynamic;
    /// let x = ndarray::Array::<f32, _>::zeros((2, 3));
    /// assert_eq!(dynamic::rearrange(&x, "a b -> a", &[]).unwrap_err().kind(),
    ///            "rearrange_identifier_mismatch");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Pattern(err) => err.kind.name(),
            Error::Rank {
                expected: Dims::AtLeast(_),
                ..
            } => "too_few_dims",
            Error::Rank { .. } => "wrong_ndim",
            Error::InvalidLength { .. } => "invalid_length",
            Error::LengthMismatch { .. } => "axis_length_mismatch",
            Error::Indivisible { .. } => "indivisible_axis",
            Error::ZeroDivisor { .. } => "zero_axis_length",
            Error::Overflow { .. } => "length_overflow",
            Error::OutputTooLarge { .. } => "output_too_large",
            Error::ListShapesDiffer { .. } => "list_shapes_differ",
            Error::EmptyList { .. } => "empty_list",
            Error::EmptyReduction { .. } => "empty_reduction",
            Error::OutputShape { .. } => "output_shape",
            Error::MeanOfInteger { .. } => "mean_of_integer",
            Error::PackEmpty { .. } => "empty_list",
            Error::PackRank { .. } => "pack_too_few_dims",
            Error::PackShapesDiffer { .. } => "pack_shapes_differ",
            Error::UnpackRank { .. } => "unpack_wrong_ndim",
            Error::UnpackUnknowns { .. } => "unpack_multiple_unknown",
            Error::UnpackSplit { .. } => "unpack_split_failed",
            Error::UnpackOutputRank { .. } => "unpack_output_rank",
            Error::ParseShapeRank {
                expected: Dims::AtLeast(_),
                ..
            } => "parse_shape_too_few_dims",
            Error::ParseShapeRank { .. } => "parse_shape_wrong_ndim",
            Error::FixedLength { expected: 1, .. } => "parse_shape_unit_axis_length",
            Error::FixedLength { .. } => "parse_shape_anonymous_axis_length",
            Error::EinMixLength { .. } => "invalid_length",
            Error::ParameterSize { .. } => "length_overflow",
            Error::ParameterShape { .. } => "einmix_parameter_shape",
            Error::Einsum { problem, .. } => problem.kind(),
            Error::Backend { .. } => "backend_error",
        }
    }
}
