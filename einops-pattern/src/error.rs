//! Pattern errors: what is wrong, and where in the pattern it is.

use std::fmt;

/// Every way a pattern (with its reduction name and axis-length names) can be wrong.
///
/// These are the errors a proc macro reports at compile time; the run-time API returns
/// them inside `einops::Error::Pattern`. [`PatternErrorKind::name`] gives the stable
/// kind name used by the reference vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternErrorKind {
    /// No `->` in a pattern that needs one.
    ArrowMissing,
    /// More than one `->`.
    ArrowMultiple,
    /// A character that is not a letter, digit, `_`, space, parenthesis or ellipsis.
    UnknownCharacter(char),
    /// Dots that do not form an ellipsis.
    StrayDots,
    /// More than one ellipsis on one side.
    BadEllipsis,
    /// A token that is not a valid axis name.
    InvalidIdentifier {
        /// The token as written (an ellipsis glued to it shown as `…`).
        token: String,
        /// Why it is not valid.
        reason: &'static str,
    },
    /// The anonymous axis `0`.
    AnonymousAxisZero,
    /// An axis named twice on one side.
    DuplicateAxis(String),
    /// A `(` inside a group.
    NestedParentheses,
    /// A `)` with no open group.
    UnbalancedCloseParen,
    /// A `(` never closed.
    UnclosedParen,
    /// `...` on the right but not on the left.
    EllipsisRightOnly,
    /// `...` inside a group on the left.
    EllipsisParenthesizedLeft,
    /// A number ≥ 2 in a rearrange pattern.
    RearrangeAnonymousAxis,
    /// Axes on one side of a rearrange pattern only.
    RearrangeIdentifierMismatch(Vec<String>),
    /// Axes of the left side of a repeat pattern missing on the right.
    RepeatLeftOnlyIdentifier(Vec<String>),
    /// New axes of a repeat pattern without a length.
    RepeatMissingSize(Vec<String>),
    /// Axes of the right side of a reduce pattern missing on the left.
    ReduceRightOnlyIdentifier(Vec<String>),
    /// A reduction that is not one of the seven.
    UnknownReduction(String),
    /// An axis-length name that is not a valid axis name.
    InvalidAxisLengthName(String),
    /// An axis-length name that the pattern does not use.
    UnusedAxisLength(String),
    /// An axis given a length twice.
    DuplicateAxisLength(String),
    /// A left group with more than one axis of unknown length.
    CannotInferSizes(Vec<String>),
    /// A word repeated in a pack / unpack pattern (a second `*` included).
    PackDuplicateAxes(String),
    /// A pack / unpack pattern without `*`.
    PackNoStar,
    /// A word of a pack / unpack pattern that is neither `*` nor an axis name.
    PackInvalidAxisName {
        /// The word as written.
        token: String,
        /// Why it is not an axis name.
        reason: &'static str,
    },
    /// A group of several axes in a parse_shape / check_shape pattern.
    ParseShapeCompositeAxis,
    /// `(...)` in a parse_shape / check_shape pattern.
    ParseShapeParenthesizedEllipsis,
    /// An einsum pattern without `->`.
    EinsumNoArrow,
    /// A unit axis `()` or `1` in an einsum pattern.
    EinsumUnitAxis,
    /// An einsum group with more than one axis whose length is neither given nor known
    /// from another operand.
    EinsumCompositeAxis(Vec<String>),
    /// A number ≥ 2 in an einsum pattern.
    EinsumAnonymousAxis,
    /// More distinct axis names than numpy's einsum has letters (52).
    EinsumTooManyAxes(usize),
    /// An einsum output axis that no operand has.
    EinsumUnknownOutputAxis(String),
    /// A number of operands that differs from the pattern's.
    EinsumOperandCount {
        /// Operands the pattern describes.
        expected: usize,
        /// Operands given.
        given: usize,
    },
    /// EinMix output axes that are neither in the input nor in the weight.
    EinmixUnknownOutputAxis(Vec<String>),
    /// `...` in an EinMix weight shape.
    EinmixWeightEllipsis,
    /// `...` on one side of an EinMix pattern only.
    EinmixEllipsisOneSide,
    /// `...` inside a group on the left of an EinMix pattern.
    EinmixEllipsisParenthesizedLeft,
    /// A number ≥ 2 in an EinMix pattern or weight shape.
    EinmixAnonymousAxis,
    /// Parentheses in an EinMix weight shape.
    EinmixWeightParentheses,
    /// A unit axis `1` in an EinMix weight shape (einops fails on it with a Python
    /// unpacking error).
    EinmixWeightUnitAxis,
    /// An EinMix weight axis without a length.
    EinmixWeightSizeMissing(String),
    /// EinMix lengths for names neither in the input nor in the weight.
    EinmixUnusedAxisLength(Vec<String>),
    /// EinMix weight axes in neither side of the pattern.
    EinmixRedundantWeightAxis(Vec<String>),
    /// EinMix bias axes that are not output axes.
    EinmixBiasAxisNotInOutput(Vec<String>),
    /// EinMix bias axes without a length.
    EinmixBiasSizeMissing(Vec<String>),
    /// An EinMix bias axis written before the output's ellipsis.
    EinmixBiasBeforeEllipsis,
    /// A view form's output group that puts a repeated axis beside another axis: no
    /// strides can express it (the group as written).
    NotAView(String),
}

impl PatternErrorKind {
    /// The stable kind name of the reference vectors (`expected_error.kind`).
    ///
    /// ```
    /// use einops_pattern::PatternErrorKind;
    /// assert_eq!(PatternErrorKind::ArrowMissing.name(), "arrow_missing");
    /// ```
    pub fn name(&self) -> &'static str {
        use PatternErrorKind::*;
        match self {
            ArrowMissing => "arrow_missing",
            ArrowMultiple => "arrow_multiple",
            UnknownCharacter(_) => "unknown_character",
            StrayDots => "stray_dots",
            BadEllipsis => "bad_ellipsis",
            InvalidIdentifier { .. } => "invalid_identifier",
            AnonymousAxisZero => "anonymous_axis_zero",
            DuplicateAxis(_) => "duplicate_axis",
            NestedParentheses => "nested_parentheses",
            UnbalancedCloseParen => "unbalanced_close_paren",
            UnclosedParen => "unclosed_paren",
            EllipsisRightOnly => "ellipsis_right_only",
            NotAView(_) => "not_a_view",
            EllipsisParenthesizedLeft => "ellipsis_parenthesized_left",
            RearrangeAnonymousAxis => "rearrange_anonymous_axis",
            RearrangeIdentifierMismatch(_) => "rearrange_identifier_mismatch",
            RepeatLeftOnlyIdentifier(_) => "repeat_left_only_identifier",
            RepeatMissingSize(_) => "repeat_missing_size",
            ReduceRightOnlyIdentifier(_) => "reduce_right_only_identifier",
            UnknownReduction(_) => "unknown_reduction",
            InvalidAxisLengthName(_) => "invalid_axis_length_name",
            UnusedAxisLength(_) => "unused_axis_length",
            DuplicateAxisLength(_) => "duplicate_axis_length",
            CannotInferSizes(_) => "cannot_infer_sizes",
            PackDuplicateAxes(_) => "pack_duplicate_axes",
            PackNoStar => "pack_no_star",
            PackInvalidAxisName { .. } => "pack_invalid_axis_name",
            ParseShapeCompositeAxis => "parse_shape_composite_axis",
            ParseShapeParenthesizedEllipsis => "parse_shape_parenthesized_ellipsis",
            EinsumNoArrow => "einsum_no_arrow",
            EinsumUnitAxis => "einsum_unit_axis",
            EinsumCompositeAxis(_) => "einsum_composite_axis",
            EinsumAnonymousAxis => "einsum_anonymous_axis",
            EinsumTooManyAxes(_) => "einsum_too_many_axes",
            EinsumUnknownOutputAxis(_) => "einsum_unknown_output_axis",
            EinsumOperandCount { .. } => "einsum_operand_count",
            EinmixUnknownOutputAxis(_) => "einmix_unknown_output_axis",
            EinmixWeightEllipsis => "einmix_weight_ellipsis",
            EinmixEllipsisOneSide => "einmix_ellipsis_one_side",
            EinmixEllipsisParenthesizedLeft => "einmix_ellipsis_parenthesized_left",
            EinmixAnonymousAxis => "einmix_anonymous_axis",
            EinmixWeightParentheses => "einmix_weight_parentheses",
            EinmixWeightUnitAxis => "einmix_weight_unit_axis",
            EinmixWeightSizeMissing(_) => "einmix_weight_size_missing",
            EinmixUnusedAxisLength(_) => "einmix_unused_axis_length",
            EinmixRedundantWeightAxis(_) => "einmix_redundant_weight_axis",
            EinmixBiasAxisNotInOutput(_) => "einmix_bias_axis_not_in_output",
            EinmixBiasSizeMissing(_) => "einmix_bias_size_missing",
            EinmixBiasBeforeEllipsis => "einmix_bias_before_ellipsis",
        }
    }
}

impl fmt::Display for PatternErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PatternErrorKind::*;
        let list = |axes: &[String]| axes.join(", ");
        match self {
            ArrowMissing => f.write_str("the pattern needs `->` between its input and output sides"),
            ArrowMultiple => f.write_str("the pattern has more than one `->`"),
            UnknownCharacter(c) => write!(f, "unknown character {c:?}"),
            StrayDots => f.write_str("dots may only appear as an ellipsis `...`"),
            BadEllipsis => f.write_str("only one ellipsis `...` is allowed per side"),
            InvalidIdentifier { token, reason } => {
                write!(f, "invalid axis name `{token}`: {reason}")
            }
            AnonymousAxisZero => f.write_str("an anonymous axis must have a positive length, not 0"),
            DuplicateAxis(name) => write!(f, "axis `{name}` appears twice on one side"),
            NestedParentheses => f.write_str("groups cannot be nested: axis composition is one level"),
            UnbalancedCloseParen => f.write_str("`)` closes no group"),
            UnclosedParen => f.write_str("`(` is never closed"),
            EllipsisRightOnly => {
                f.write_str("`...` appears on the right side but not on the left side")
            }
            EllipsisParenthesizedLeft => {
                f.write_str("`...` cannot be inside a group on the left side")
            }
            RearrangeAnonymousAxis => f.write_str(
                "rearrange cannot create or remove anonymous axes (only `1` and `()` are allowed)",
            ),
            RearrangeIdentifierMismatch(axes) => write!(
                f,
                "rearrange needs every axis on both sides; only on one side: {}",
                list(axes)
            ),
            RepeatLeftOnlyIdentifier(axes) => write!(
                f,
                "repeat cannot remove axes; missing on the right side: {}",
                list(axes)
            ),
            NotAView(group) => write!(
                f,
                "output group `{group}` puts a repeated axis beside another axis, which no \
                 strides over the input can express: a view repeats only axes that stand \
                 alone in their group (`repeat!` copies)"
            ),
            RepeatMissingSize(axes) => write!(
                f,
                "repeat needs the length of each new axis (e.g. `{} = 3`); no length for: {}",
                axes[0],
                list(axes)
            ),
            ReduceRightOnlyIdentifier(axes) => write!(
                f,
                "reduce cannot create axes; not on the left side: {}",
                list(axes)
            ),
            UnknownReduction(name) => write!(
                f,
                "unknown reduction {name:?}; expected one of min, max, sum, mean, prod, any, all"
            ),
            InvalidAxisLengthName(name) => write!(
                f,
                "`{name}` is given a length, but it is not a valid axis name: {}",
                super::parse::identifier_problem(name, false).unwrap_or("reserved")
            ),
            UnusedAxisLength(name) => {
                write!(f, "`{name}` is given a length, but the pattern does not use it")
            }
            DuplicateAxisLength(name) => write!(f, "`{name}` is given a length twice"),
            CannotInferSizes(axes) => write!(
                f,
                "cannot infer the lengths of {} from one input dimension; give all but one with `name = length`",
                list(axes)
            ),
            PackDuplicateAxes(word) if word == "*" => {
                f.write_str("`*` appears twice; the pattern needs exactly one")
            }
            PackDuplicateAxes(word) => write!(f, "axis `{word}` appears twice"),
            PackNoStar => f.write_str(
                "the pattern needs one `*` for the dimensions that differ, e.g. `b * c`",
            ),
            PackInvalidAxisName { token, reason } => write!(
                f,
                "`{token}` is neither `*` nor an axis name: {reason}"
            ),
            ParseShapeCompositeAxis => f.write_str(
                "a group of several axes cannot be read from one length; \
                 name each dimension on its own",
            ),
            ParseShapeParenthesizedEllipsis => {
                f.write_str("`...` cannot be inside a group here; write it bare")
            }
            EinsumNoArrow => f.write_str(
                "einsum needs `->` followed by the output axes (there is no implicit output)",
            ),
            EinsumUnitAxis => f.write_str("einsum has no unit axes: remove `()` and `1`"),
            EinsumCompositeAxis(axes) => write!(
                f,
                "cannot infer the lengths of {} in this group: give all but one with \
                 `name = length`, or use them alone in another operand",
                list(axes)
            ),
            EinsumAnonymousAxis => {
                f.write_str("einsum has no anonymous axes: name the axis instead of the number")
            }
            EinsumTooManyAxes(count) => write!(
                f,
                "einsum supports at most 52 distinct axis names (as numpy); this pattern has {count}"
            ),
            EinsumUnknownOutputAxis(name) => write!(
                f,
                "output axis `{name}` is in no operand (axis names are separated by spaces)"
            ),
            EinsumOperandCount { expected, given } => write!(
                f,
                "the pattern describes {expected} operand{}, but {given} {} given",
                if *expected == 1 { "" } else { "s" },
                if *given == 1 { "is" } else { "are" }
            ),
            EinmixUnknownOutputAxis(axes) => write!(
                f,
                "unrecognized identifiers on the right side of EinMix: {} (every output axis \
                 must be an input or a weight axis)",
                list(axes)
            ),
            EinmixWeightEllipsis => f.write_str(
                "ellipsis is not supported in weight, as its shape should be fully specified",
            ),
            EinmixEllipsisOneSide => {
                f.write_str("ellipsis in EinMix should be on both sides of the pattern")
            }
            EinmixEllipsisParenthesizedLeft => {
                f.write_str("ellipsis on the left side of EinMix can't be in parentheses")
            }
            EinmixAnonymousAxis => f.write_str(
                "anonymous axes (numbers) are not allowed in EinMix: name the axis and give \
                 its length",
            ),
            EinmixWeightParentheses => {
                f.write_str("parentheses are not allowed in the weight shape")
            }
            EinmixWeightUnitAxis => f.write_str(
                "unit axes (`1`) are not allowed in the weight shape: every weight axis needs a name",
            ),
            EinmixWeightSizeMissing(name) => write!(
                f,
                "dimension `{name}` of weight should be specified (e.g. `{name} = 4`)"
            ),
            EinmixUnusedAxisLength(axes) => write!(
                f,
                "given lengths, but in neither the pattern nor the weight: {}",
                list(axes)
            ),
            EinmixRedundantWeightAxis(axes) => write!(
                f,
                "weight axes {} are redundant: they are on neither side of the pattern",
                list(axes)
            ),
            EinmixBiasAxisNotInOutput(axes) => {
                write!(f, "bias axes {} not present in output", list(axes))
            }
            EinmixBiasSizeMissing(axes) => {
                write!(f, "sizes not provided for bias axes {}", list(axes))
            }
            EinmixBiasBeforeEllipsis => {
                f.write_str("all bias dimensions should go after ellipsis in the output")
            }
        }
    }
}

/// A pattern error with the pattern and the columns it concerns.
///
/// Its `Display` form draws the pattern with a caret under the offending column:
///
/// ```
/// let err = einops_pattern::Recipe::rearrange("a b -> a c", &[]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "rearrange pattern `a b -> a c`: rearrange needs every axis on both sides; only on one side: b, c\n  \
///      a b -> a c\n    ^      ^"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// What is wrong.
    pub kind: PatternErrorKind,
    /// The operation (`rearrange`, `reduce`, `repeat`, ...).
    pub operation: &'static str,
    /// The pattern as written.
    pub pattern: String,
    /// Character columns (0-based) of the pattern to underline; empty for the whole call.
    pub columns: Vec<usize>,
}

impl PatternError {
    /// The message without the pattern line and carets (one line).
    pub fn headline(&self) -> String {
        format!(
            "{} pattern `{}`: {}",
            self.operation,
            escaped(&self.pattern),
            self.kind
        )
    }
}

/// The pattern with control characters escaped (`\t`), so it prints on one line.
fn escaped(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if self.columns.is_empty() {
            return Ok(());
        }
        // Carets go under the escaped text, so each character spans its escape's width.
        let mut carets = String::new();
        for (column, c) in self.pattern.chars().enumerate() {
            let width = if c.is_control() {
                c.escape_debug().count()
            } else {
                1
            };
            let mark = if self.columns.contains(&column) {
                '^'
            } else {
                ' '
            };
            carets.extend(std::iter::repeat_n(mark, width));
        }
        let tail = self.pattern.chars().count();
        carets.extend(self.columns.iter().filter(|&&c| c >= tail).map(|_| '^'));
        write!(f, "\n  {}\n  {}", escaped(&self.pattern), carets.trim_end())
    }
}

impl std::error::Error for PatternError {}
