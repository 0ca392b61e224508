//! The context every error carries: which operation ran, with which pattern, on which
//! shapes and given lengths.

use std::fmt;

use super::detail::separated;
use crate::pattern::{Operation, PackOperation, ShapeOperation};

/// The operation a failing call ran.
///
/// ```
/// use einops::pattern::{Operation, Reduction};
/// use einops::CallOperation;
/// assert_eq!(CallOperation::Recipe(Operation::Reduce(Reduction::Max)).to_string(), "reduce(max)");
/// assert_eq!(CallOperation::Einsum.to_string(), "einsum");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallOperation {
    /// `rearrange`, `reduce` (with its reduction) or `repeat`.
    Recipe(Operation),
    /// `einsum`.
    Einsum,
    /// `pack` or `unpack`.
    Pack(PackOperation),
    /// `parse_shape` or `check_shape`.
    Shape(ShapeOperation),
    /// Building or running an `EinMix` layer.
    EinMix,
}

impl fmt::Display for CallOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallOperation::Recipe(Operation::Reduce(reduction)) => {
                write!(f, "reduce({})", reduction.name())
            }
            CallOperation::Recipe(operation) => f.write_str(operation.name()),
            CallOperation::Einsum => f.write_str("einsum"),
            CallOperation::Pack(operation) => f.write_str(operation.name()),
            CallOperation::Shape(operation) => f.write_str(operation.name()),
            CallOperation::EinMix => f.write_str("EinMix"),
        }
    }
}

/// The call an [`Error`](crate::Error) happened in: operation, pattern, input shapes and
/// given lengths. Every error but [`Error::Pattern`](crate::Error::Pattern) carries one
/// ([`Error::call`](crate::Error::call)).
///
/// ```
/// use einops::{Call, CallOperation};
/// let call = Call {
///     operation: CallOperation::Einsum,
///     pattern: "i j, j k -> i k".into(),
///     shapes: vec![vec![2, 3], vec![4, 5]],
///     lengths: vec![],
/// };
/// assert_eq!(call.to_string(), "einsum `i j, j k -> i k` on operands of shapes [2, 3], [4, 5]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation.
    pub operation: CallOperation,
    /// The pattern as written.
    pub pattern: String,
    /// The shape of every input, in order: one for an array (for a list stacked by
    /// `rearrange`, the stacked shape, or the first element's if they differ), one per
    /// operand of an einsum or array to pack, none for an `EinMix` layer being built.
    pub shapes: Vec<Vec<usize>>,
    /// The given axis lengths, by name.
    pub lengths: Vec<(String, i128)>,
}

impl Call {
    /// The call, boxed as errors hold it.
    pub(crate) fn boxed(
        operation: CallOperation,
        pattern: &str,
        shapes: Vec<Vec<usize>>,
        lengths: Vec<(String, i128)>,
    ) -> Box<Call> {
        Box::new(Call {
            operation,
            pattern: pattern.to_owned(),
            shapes,
            lengths,
        })
    }

    /// Given lengths by name: `names` as a plan lists them, `values` in the same order.
    pub(crate) fn lengths(names: &[impl AsRef<str>], values: &[i128]) -> Vec<(String, i128)> {
        names
            .iter()
            .zip(values)
            .map(|(name, &value)| (name.as_ref().to_owned(), value))
            .collect()
    }

    /// The operation and pattern alone, e.g. ``pack `a *` ``, for messages that name the
    /// shapes themselves.
    pub(crate) fn headline(&self) -> impl fmt::Display + '_ {
        Headline(self)
    }

    /// Dimension `dim` of input `operand`, for messages: an einsum names the operand,
    /// since the same group may be written in several of them.
    pub(crate) fn dimension(&self, operand: usize, dim: usize) -> impl fmt::Display {
        let einsum = self.operation == CallOperation::Einsum;
        Dimension {
            einsum,
            operand,
            dim,
        }
    }
}

struct Headline<'c>(&'c Call);

impl fmt::Display for Headline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.0.operation, self.0.pattern)
    }
}

struct Dimension {
    einsum: bool,
    operand: usize,
    dim: usize,
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dimension {}", self.dim)?;
        if self.einsum {
            write!(f, " of operand {}", self.operand)?;
        }
        Ok(())
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.headline().fmt(f)?;
        let shapes = Shapes(&self.shapes);
        match (self.operation, self.shapes.len()) {
            (_, 0) => {}
            (CallOperation::Einsum, 1) => write!(f, " on an operand of shape {shapes}")?,
            (CallOperation::Einsum, _) => write!(f, " on operands of shapes {shapes}")?,
            (_, 1) => write!(f, " on input of shape {shapes}")?,
            (_, _) => write!(f, " on inputs of shapes {shapes}")?,
        }
        for (i, (name, value)) in self.lengths.iter().enumerate() {
            let lead = if i == 0 { " with" } else { "," };
            write!(f, "{lead} {name} = {value}")?;
        }
        Ok(())
    }
}

/// Shapes separated by commas: `[2, 3], [4]`.
struct Shapes<'s>(&'s [Vec<usize>]);

impl fmt::Display for Shapes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        separated(f, self.0.iter().map(|shape| Shape(shape)))
    }
}

/// A shape as `Debug` writes it: `[2, 3]`.
struct Shape<'s>(&'s [usize]);

impl fmt::Display for Shape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
