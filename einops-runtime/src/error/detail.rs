//! The typed fields of some errors: where a length came from, what overflowed, which
//! parameter, why packed shapes do not fit.

use std::fmt;

/// Where the length an einsum axis is checked against came from.
///
/// ```
/// assert_eq!(einops::LengthOrigin::Operand { operand: 1, dim: 0 }.to_string(),
///            "in operand 1 (dimension 0)");
/// ```
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

/// What an [`Error::Overflow`](crate::Error::Overflow) was computing.
///
/// ```
/// assert_eq!(einops::Quantity::Group("(a b)".into()).to_string(), "group `(a b)`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Quantity {
    /// The length of a group, as written.
    Group(String),
    /// The length of an output dimension.
    OutputDimension(usize),
    /// The number of elements of the output.
    Output,
    /// The number of elements of a packed array.
    PackedArray,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantity::Group(group) => write!(f, "group `{group}`"),
            Quantity::OutputDimension(dim) => write!(f, "output dimension {dim}"),
            Quantity::Output => f.write_str("the output"),
            Quantity::PackedArray => f.write_str("the packed array"),
        }
    }
}

/// A parameter of an `EinMix` layer.
///
/// ```
/// assert_eq!(einops::Parameter::Bias.to_string(), "bias");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parameter {
    /// The weight.
    Weight,
    /// The bias.
    Bias,
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Parameter::Weight => "weight",
            Parameter::Bias => "bias",
        })
    }
}

/// Why `unpack`'s packed shapes do not split the packed dimension.
///
/// ```
/// assert_eq!(einops::SplitFailure::Total { elements: 5 }.to_string(), "they hold 5 elements");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SplitFailure {
    /// The known shapes' sizes overflow `usize`.
    Overflow,
    /// No shape is unknown, and together they hold this many elements.
    Total {
        /// Elements of all the shapes.
        elements: usize,
    },
    /// The known shapes alone hold more elements than the dimension's length.
    KnownTotal {
        /// Elements of the known shapes.
        elements: usize,
    },
    /// The elements left for the unknown shape do not fill it.
    Remainder {
        /// Elements left for the unknown shape.
        elements: usize,
        /// The unknown shape (`None` for the unknown dimension).
        shape: Vec<Option<usize>>,
    },
}

impl fmt::Display for SplitFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitFailure::Overflow => f.write_str("their lengths overflow usize"),
            SplitFailure::Total { elements } => write!(f, "they hold {elements} elements"),
            SplitFailure::KnownTotal { elements } => {
                write!(f, "the known shapes alone hold {elements} elements")
            }
            SplitFailure::Remainder { elements, shape } => write!(
                f,
                "the remaining {elements} elements do not fit shape {}",
                PartialShape(shape)
            ),
        }
    }
}

/// A shape with unknown dimensions: `[2, ?]`.
pub(crate) struct PartialShape<'s>(pub &'s [Option<usize>]);

impl fmt::Display for PartialShape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims = self.0.iter().map(|dim| match dim {
            Some(len) => Dim::Known(*len),
            None => Dim::Unknown,
        });
        bracketed(f, dims)
    }
}

/// One dimension of a [`PartialShape`].
enum Dim {
    Known(usize),
    Unknown,
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(len) => write!(f, "{len}"),
            Dim::Unknown => f.write_str("?"),
        }
    }
}

/// A list of shapes with unknown dimensions: `[[2], [?]]`.
pub(crate) struct PartialShapes<'s>(pub &'s [Vec<Option<usize>>]);

impl fmt::Display for PartialShapes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        bracketed(f, self.0.iter().map(|shape| PartialShape(shape)))
    }
}

/// Items separated by commas.
pub(crate) struct Listed<'s, T>(pub &'s [T]);

impl<T: fmt::Display> fmt::Display for Listed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        separated(f, self.0)
    }
}

/// Writes `items` separated by commas.
pub(crate) fn separated<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: impl IntoIterator<Item = T>,
) -> fmt::Result {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

/// Writes `items` separated by commas, in brackets.
fn bracketed<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: impl IntoIterator<Item = T>,
) -> fmt::Result {
    f.write_str("[")?;
    separated(f, items)?;
    f.write_str("]")
}
