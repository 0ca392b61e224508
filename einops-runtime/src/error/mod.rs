//! The error type of every einops operation: one context type ([`Call`]) and one enum of
//! problems with typed fields.

mod call;
mod detail;

use std::fmt;

use crate::pattern::{Dims, PatternError, Reduction};

pub use call::{Call, CallOperation};
pub(crate) use detail::PartialShape;
pub use detail::{LengthOrigin, Parameter, Quantity, SplitFailure};
use detail::{Listed, PartialShapes};

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

/// Everything that can go wrong in an einops operation.
///
/// Every variant but [`Error::Pattern`] carries the failing [`Call`]. Messages name the
/// operation, the pattern, the input shapes and the failing dimension, group or axis:
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
    /// The input has a number of dimensions the pattern cannot describe (`rearrange`,
    /// `reduce`, `repeat`, `unpack`, `parse_shape`, `check_shape`).
    Rank {
        /// The failing call.
        call: Box<Call>,
        /// The dimensions the pattern describes: `4`, or `at least 3` with an ellipsis.
        expected: Dims,
        /// The input's number of dimensions.
        actual: usize,
    },
    /// An einsum operand with a number of dimensions its part of the pattern cannot
    /// describe.
    OperandRank {
        /// The failing call.
        call: Box<Call>,
        /// The operand's index.
        operand: usize,
        /// The operand's part of the pattern.
        term: String,
        /// The dimensions `term` describes: `3`, or `at least 2` with an ellipsis.
        expected: Dims,
        /// The operand's number of dimensions.
        actual: usize,
    },
    /// An einsum operand's `...` matches dimensions while the output has no `...` to keep
    /// them.
    EllipsisNotInOutput {
        /// The failing call.
        call: Box<Call>,
        /// The operand's index.
        operand: usize,
        /// Dimensions the ellipsis matches.
        dims: usize,
    },
    /// An einsum axis whose length differs between two places.
    AxisLength {
        /// The failing call.
        call: Box<Call>,
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
    /// Dimensions matched by `...` in two einsum operands that do not broadcast (equal, or
    /// one of them 1).
    EllipsisLength {
        /// The failing call.
        call: Box<Call>,
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
        /// Index of the input (the operand of an einsum; 0 otherwise).
        operand: usize,
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
        /// Index of the input (the operand of an einsum; 0 otherwise).
        operand: usize,
        /// Index of the input dimension.
        dim: usize,
        /// The group as written.
        group: String,
        /// The dimension's length.
        actual: usize,
        /// The product of the known lengths of the group.
        known: usize,
        /// The axes whose lengths are known, as written (names and numbers).
        known_axes: Vec<String>,
    },
    /// An axis length cannot be inferred because the other axes of its group have length 0.
    ZeroDivisor {
        /// The failing call.
        call: Box<Call>,
        /// Index of the input (the operand of an einsum; 0 otherwise).
        operand: usize,
        /// Index of the input dimension.
        dim: usize,
        /// The group as written.
        group: String,
        /// The axis whose length is unknown.
        axis: String,
    },
    /// A product of lengths overflows `usize`.
    Overflow {
        /// The failing call.
        call: Box<Call>,
        /// What was being computed.
        quantity: Quantity,
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
    /// A list input with no element: nothing to stack or to pack.
    EmptyList {
        /// The failing call.
        call: Box<Call>,
    },
    /// `min` or `max` over axes with no element.
    EmptyReduction {
        /// The failing call.
        call: Box<Call>,
        /// `min` or `max`.
        reduction: Reduction,
        /// The reduced axes with their lengths; a dimension matched by `...` is named
        /// `...[i]`.
        axes: Vec<(String, usize)>,
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
    /// `pack`: an array has fewer dimensions than the pattern names around `*`.
    PackRank {
        /// The failing call.
        call: Box<Call>,
        /// Index of the array in the list.
        index: usize,
        /// Its shape.
        shape: Vec<usize>,
        /// The number of names in the pattern.
        expected: usize,
    },
    /// `pack`: an array differs from array 0 in a dimension outside `*`.
    PackShapesDiffer {
        /// The failing call.
        call: Box<Call>,
        /// The pattern's name for the dimension.
        axis: String,
        /// Index of the array in the list.
        index: usize,
        /// The dimension's length in array `index`.
        actual: usize,
        /// The dimension's length in array 0.
        expected: usize,
    },
    /// `unpack`: more than one packed shape has an unknown length.
    UnpackUnknowns {
        /// The failing call.
        call: Box<Call>,
        /// The packed shapes (`None` for an unknown dimension).
        shapes: Vec<Vec<Option<usize>>>,
    },
    /// `unpack`: the packed shapes do not add up to the packed dimension.
    UnpackSplit {
        /// The failing call.
        call: Box<Call>,
        /// Index of the packed dimension (the position of `*`).
        dim: usize,
        /// Its length.
        length: usize,
        /// The packed shapes (`None` for an unknown dimension).
        shapes: Vec<Vec<Option<usize>>>,
        /// What does not fit.
        reason: SplitFailure,
    },
    /// `unpack`: a packed shape makes an output of another rank than the packed shapes'
    /// dimension type (shapes from a `pack!` of `Array3`s unpacked with another pattern).
    UnpackOutputRank {
        /// The failing call.
        call: Box<Call>,
        /// Index of the output.
        index: usize,
        /// Its packed shape (`None` for an unknown dimension).
        shape: Vec<Option<usize>>,
        /// The output's number of dimensions.
        actual: usize,
        /// The packed shapes' number of dimensions.
        expected: usize,
    },
    /// A result the caller asked for with a fixed number of dimensions (a burn tensor
    /// type `Tensor<N, K>` in `einops::dynamic::burn`) has another number of dimensions.
    OutputRank {
        /// The failing call; `None` when converting a finished result
        /// (`einops::burn::AnyRank::into_tensor`).
        call: Option<Box<Call>>,
        /// The result's number of dimensions, from the pattern.
        actual: usize,
        /// The number of dimensions asked for.
        expected: usize,
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
    /// An EinMix parameter would have more elements than `usize` can count.
    ParameterSize {
        /// The failing call.
        call: Box<Call>,
        /// Which parameter.
        parameter: Parameter,
        /// The shape the lengths give it.
        shape: Vec<usize>,
    },
    /// An EinMix parameter given to the layer does not have the shape the layer needs
    /// (`None` for a missing or unexpected bias).
    ParameterShape {
        /// The failing call.
        call: Box<Call>,
        /// Which parameter.
        parameter: Parameter,
        /// The shape the layer needs.
        expected: Option<Vec<usize>>,
        /// The shape given.
        actual: Option<Vec<usize>>,
    },
    /// A view form's output dimension that strides over the input's memory cannot
    /// describe: the axes of its group are not evenly spaced in the input.
    NotAView {
        /// The failing call.
        call: Box<Call>,
        /// Index of the output dimension.
        dim: usize,
        /// Its group as written, e.g. `(c h w)`.
        group: String,
        /// The input's strides, in elements.
        strides: Vec<isize>,
    },
    /// The tensor library failed while running the operations a call was lowered to
    /// (the `candle` feature), e.g. tensors of different dtypes or a device without the op.
    Backend {
        /// The failing call.
        call: Box<Call>,
        /// The library, e.g. `candle`.
        backend: &'static str,
        /// The library's own message.
        message: String,
    },
}

/// A parameter's shape, or `none`.
struct ParameterShape<'s>(&'s Option<Vec<usize>>);

impl fmt::Display for ParameterShape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(shape) => write!(f, "{shape:?}"),
            None => f.write_str("none"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Pattern(inner) => fmt::Display::fmt(inner, f),
            Error::Rank { call, expected, actual } => write!(
                f,
                "{call}: the pattern expects {expected} dimensions, but the input has {actual}"
            ),
            Error::OperandRank { call, operand, term, expected, actual } => write!(
                f,
                "{call}: operand {operand} has {actual} dimensions, but `{term}` describes {expected}"
            ),
            Error::EllipsisNotInOutput { call, operand, dims } => write!(
                f,
                "{call}: the `...` of operand {operand} matches {dims} dimension(s), but the \
                 output has no `...` to keep them (einsum sums named axes only)"
            ),
            Error::AxisLength { call, axis, actual, operand, dim, expected, origin } => write!(
                f,
                "{call}: axis `{axis}` has length {actual} in operand {operand} (dimension {dim}), \
                 but length {expected} {origin}"
            ),
            Error::EllipsisLength { call, dim, operand, actual, expected, origin } => write!(
                f,
                "{call}: dimension {dim} of operand {operand} (length {actual}, matched by `...`) \
                 does not broadcast against length {expected} {origin}"
            ),
            Error::InvalidLength { call, value, axis } => write!(
                f,
                "{call}: length {value} given for axis `{axis}` is not a valid length"
            ),
            Error::LengthMismatch { call, operand, dim, actual, group, expected } => write!(
                f,
                "{call}: {} has length {actual}, but group `{group}` has length {expected}",
                call.dimension(*operand, *dim)
            ),
            Error::Indivisible { call, operand, dim, actual, group, known, known_axes } => write!(
                f,
                "{call}: {} of length {actual} cannot be split into group `{group}`: \
                 it is not a multiple of {known} (the product of {})",
                call.dimension(*operand, *dim),
                Listed(known_axes)
            ),
            Error::ZeroDivisor { call, operand, dim, axis, group } => {
                write!(f, "{call}: the length of `{axis}` in group `{group}` ")?;
                // In an einsum the same group can be written in several operands.
                if call.operation == CallOperation::Einsum {
                    write!(f, "({}) ", call.dimension(*operand, *dim))?;
                }
                f.write_str("cannot be inferred: the other axes of the group have length 0")
            }
            Error::Overflow { call, quantity } => {
                write!(f, "{call}: the length of {quantity} overflows usize")
            }
            Error::OutputTooLarge { call, shape, element_size } => write!(
                f,
                "{call}: the output of shape {shape:?} cannot exist: it needs more than isize::MAX \
                 bytes ({element_size} bytes per element)"
            ),
            Error::ListShapesDiffer { call, index, actual, expected } => write!(
                f,
                "{call}: list element {index} has shape {actual:?}, but element 0 has shape {expected:?}"
            ),
            Error::EmptyList { call } if matches!(call.operation, CallOperation::Pack(_)) => write!(
                f,
                "{}: the list of arrays is empty; there is nothing to pack",
                call.headline()
            ),
            Error::EmptyList { call } => write!(
                f,
                "{call}: the list input is empty; there is nothing to stack"
            ),
            Error::EmptyReduction { call, reduction, axes } => {
                let axes: Vec<String> = axes.iter().map(|(name, len)| format!("{name} = {len}")).collect();
                write!(
                    f,
                    "{call}: cannot take the {} over zero elements (reduced axes: {})",
                    reduction.name(),
                    Listed(&axes)
                )
            }
            Error::OutputShape { call, expected, actual } => write!(
                f,
                "{call}: the result has shape {expected:?}, but the output array has shape {actual:?}"
            ),
            Error::MeanOfInteger { call, element } => write!(
                f,
                "{call}: mean needs floating-point elements, but the array holds {element}"
            ),
            // The pack and EinMix messages name the shapes they are about themselves.
            Error::PackRank { call, index, shape, expected } => write!(
                f,
                "{}: array {index} has shape {shape:?}, but the pattern needs at least \
                 {expected} dimensions",
                call.headline()
            ),
            Error::PackShapesDiffer { call, axis, actual, index, expected } => write!(
                f,
                "{}: axis `{axis}` has length {actual} in array {index}, but {expected} in \
                 array 0; only the dimensions of `*` may differ",
                call.headline()
            ),
            Error::UnpackUnknowns { call, shapes } => write!(
                f,
                "{call}: more than one of the packed shapes {} has an unknown length; \
                 at most one can be inferred",
                PartialShapes(shapes)
            ),
            Error::UnpackSplit { call, dim, length, shapes, reason } => write!(
                f,
                "{call}: dimension {dim} of length {length} cannot be split into the packed shapes \
                 {}: {reason}",
                PartialShapes(shapes)
            ),
            Error::UnpackOutputRank { call, shape, index, actual, expected } => write!(
                f,
                "{call}: packed shape {} makes output {index} {actual}-dimensional, but the \
                 packed shapes are for {expected}-dimensional arrays",
                PartialShape(shape)
            ),
            Error::OutputRank { call: Some(call), actual, expected } => write!(
                f,
                "{call}: the result has {actual} dimensions, but {expected} were asked for"
            ),
            Error::OutputRank { call: None, actual, expected } => write!(
                f,
                "a tensor of {actual} dimensions was asked for as one of {expected}"
            ),
            Error::FixedLength { call, dim, actual, expected } => write!(
                f,
                "{call}: dimension {dim} has length {actual}, but the pattern writes it as {expected}"
            ),
            Error::ParameterSize { call, parameter, shape } => write!(
                f,
                "{}: the {parameter} of shape {shape:?} has too many elements",
                call.headline()
            ),
            Error::ParameterShape { call, parameter, actual, expected } => write!(
                f,
                "{}: the {parameter} has shape {}, but the layer needs {}",
                call.headline(),
                ParameterShape(actual),
                ParameterShape(expected)
            ),
            Error::NotAView { call, dim, group, strides } => write!(
                f,
                "{call}: output dimension {dim} (group `{group}`) cannot be a view: its axes are \
                 not evenly spaced in the input's memory (strides {strides:?}); `rearrange!` \
                 copies, or make the input standard-layout first (`.as_standard_layout()`)"
            ),
            Error::Backend { call, backend, message } => write!(
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
    /// The failing call; `None` for an invalid pattern, which fails before any call.
    ///
    /// ```
    /// use einops::{dynamic, CallOperation};
    /// let x = ndarray::Array::<f32, _>::zeros((2, 3));
    /// let err = dynamic::rearrange(&x, "a b c -> c b a", &[]).unwrap_err();
    /// let call = err.call().unwrap();
    /// assert_eq!(call.shapes, [[2, 3]]);
    /// assert!(matches!(call.operation, CallOperation::Recipe(_)));
    /// ```
    pub fn call(&self) -> Option<&Call> {
        match self {
            Error::Pattern(_) => None,
            Error::Rank { call, .. }
            | Error::OperandRank { call, .. }
            | Error::EllipsisNotInOutput { call, .. }
            | Error::AxisLength { call, .. }
            | Error::EllipsisLength { call, .. }
            | Error::InvalidLength { call, .. }
            | Error::LengthMismatch { call, .. }
            | Error::Indivisible { call, .. }
            | Error::ZeroDivisor { call, .. }
            | Error::Overflow { call, .. }
            | Error::OutputTooLarge { call, .. }
            | Error::ListShapesDiffer { call, .. }
            | Error::EmptyList { call }
            | Error::EmptyReduction { call, .. }
            | Error::OutputShape { call, .. }
            | Error::MeanOfInteger { call, .. }
            | Error::PackRank { call, .. }
            | Error::PackShapesDiffer { call, .. }
            | Error::UnpackUnknowns { call, .. }
            | Error::UnpackSplit { call, .. }
            | Error::UnpackOutputRank { call, .. }
            | Error::FixedLength { call, .. }
            | Error::ParameterSize { call, .. }
            | Error::ParameterShape { call, .. }
            | Error::NotAView { call, .. }
            | Error::Backend { call, .. } => Some(call),
            Error::OutputRank { call, .. } => call.as_deref(),
        }
    }

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
            Error::Rank { .. }
            | Error::OperandRank { .. }
            | Error::EllipsisNotInOutput { .. }
            | Error::PackRank { .. }
            | Error::UnpackOutputRank { .. }
            | Error::OutputRank { .. } => Stage::Rank,
            Error::MeanOfInteger { .. } => Stage::Dtype,
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
            Error::Rank { call, expected, .. } => match (call.operation, expected) {
                (CallOperation::Pack(_), _) => "unpack_wrong_ndim",
                (CallOperation::Shape(_), Dims::AtLeast(_)) => "parse_shape_too_few_dims",
                (CallOperation::Shape(_), Dims::Exactly(_)) => "parse_shape_wrong_ndim",
                (_, Dims::AtLeast(_)) => "too_few_dims",
                (_, Dims::Exactly(_)) => "wrong_ndim",
            },
            Error::OperandRank { .. } => "einsum_wrong_ndim",
            Error::EllipsisNotInOutput { .. } => "einsum_ellipsis_not_in_output",
            Error::AxisLength { .. } | Error::EllipsisLength { .. } => {
                "einsum_axis_length_mismatch"
            }
            Error::InvalidLength { .. } => "invalid_length",
            Error::LengthMismatch { .. } => "axis_length_mismatch",
            Error::Indivisible { .. } => "indivisible_axis",
            Error::ZeroDivisor { .. } => "zero_axis_length",
            Error::Overflow { .. } | Error::ParameterSize { .. } => "length_overflow",
            Error::OutputTooLarge { .. } => "output_too_large",
            Error::ListShapesDiffer { .. } => "list_shapes_differ",
            Error::EmptyList { .. } => "empty_list",
            Error::EmptyReduction { .. } => "empty_reduction",
            Error::OutputShape { .. } => "output_shape",
            Error::MeanOfInteger { .. } => "mean_of_integer",
            Error::PackRank { .. } => "pack_too_few_dims",
            Error::PackShapesDiffer { .. } => "pack_shapes_differ",
            Error::UnpackUnknowns { .. } => "unpack_multiple_unknown",
            Error::UnpackSplit { .. } => "unpack_split_failed",
            Error::UnpackOutputRank { .. } => "unpack_output_rank",
            Error::OutputRank { .. } => "output_rank",
            Error::FixedLength { expected: 1, .. } => "parse_shape_unit_axis_length",
            Error::FixedLength { .. } => "parse_shape_anonymous_axis_length",
            Error::ParameterShape { .. } => "einmix_parameter_shape",
            Error::NotAView { .. } => "not_a_view",
            Error::Backend { .. } => "backend_error",
        }
    }
}
