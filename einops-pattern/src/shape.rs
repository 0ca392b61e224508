//! Validation of a parse_shape / check_shape pattern (`"b c _ _"`) and the plan it becomes.
//!
//! The grammar is that of one side of a rearrange pattern, with `_` as a skip marker that
//! may repeat. Each top-level item describes one dimension (a bare `...` any number of
//! them); groups of several axes are not allowed, since one length cannot be split.

use super::dims::Dims;
use super::error::{PatternError, PatternErrorKind};
use super::parse::{parse_side, Atom, Item, ParseFailure, Rules};
use super::recipe::{check_length_names, List, Text};

/// Which of the two operations a shape pattern is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShapeOperation {
    /// `parse_shape`: read the named lengths.
    ParseShape,
    /// `check_shape`: read them and compare some with given lengths.
    CheckShape,
}

impl ShapeOperation {
    /// `parse_shape` or `check_shape`.
    ///
    /// ```
    /// use einops_pattern::ShapeOperation;
    /// assert_eq!(ShapeOperation::CheckShape.name(), "check_shape");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ShapeOperation::ParseShape => "parse_shape",
            ShapeOperation::CheckShape => "check_shape",
        }
    }
}

/// What a shape pattern says about one dimension (or, for `...`, several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeDim {
    /// `...`: any number of dimensions, not reported.
    Ellipsis,
    /// `_`: one dimension of any length, not reported.
    Skip,
    /// A number (`3`), or `1` / `()`: the dimension must have this length.
    Fixed(usize),
    /// A named axis, reported; `given` is the index of the call's length it must equal.
    Named {
        /// The axis name.
        name: Text,
        /// Index into the given lengths (`c = 3`), if the axis is given one.
        given: Option<usize>,
    },
}

/// A validated parse_shape / check_shape pattern.
///
/// ```
/// use einops_pattern::{ShapeDim, ShapeOperation, ShapePlan};
/// let plan = ShapePlan::new(ShapeOperation::CheckShape, "b 3 _ c", &["c"]).unwrap();
/// assert_eq!(plan.dims[1], ShapeDim::Fixed(3));
/// assert_eq!(plan.names().collect::<Vec<_>>(), ["b", "c"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapePlan {
    /// `parse_shape` or `check_shape`.
    pub operation: ShapeOperation,
    /// The pattern as written.
    pub pattern: Text,
    /// The names of the given lengths, in call order.
    pub length_names: List<Text>,
    /// One entry per top-level item of the pattern.
    pub dims: List<ShapeDim>,
}

impl ShapePlan {
    /// Validates `pattern`; `length_names` are the axes given a length (check_shape).
    ///
    /// ```
    /// use einops_pattern::{ShapeOperation, ShapePlan};
    /// let err = ShapePlan::new(ShapeOperation::ParseShape, "b (h w)", &[]).unwrap_err();
    /// assert_eq!(err.kind.name(), "parse_shape_composite_axis");
    /// ```
    pub fn new(
        operation: ShapeOperation,
        pattern: &str,
        length_names: &[&str],
    ) -> Result<ShapePlan, PatternError> {
        validate(operation, pattern, length_names).map_err(|(kind, columns)| PatternError {
            kind,
            operation: operation.name(),
            pattern: pattern.to_owned(),
            columns,
        })
    }

    /// The names of the reported axes, in pattern order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.dims.iter().filter_map(|dim| match dim {
            ShapeDim::Named { name, .. } => Some(&**name),
            _ => None,
        })
    }

    /// The dimensions the input must have.
    pub fn input_dims(&self) -> Dims {
        Dims::counting(self.dims.iter().map(|dim| *dim == ShapeDim::Ellipsis))
    }
}

fn validate(
    operation: ShapeOperation,
    pattern: &str,
    length_names: &[&str],
) -> Result<ShapePlan, ParseFailure> {
    let rules = Rules {
        allow_underscore: true,
        allow_duplicates: false,
    };
    let side = parse_side(pattern, 0, rules)?;
    // As einops: composite groups anywhere are reported before a parenthesized ellipsis.
    for item in &side.items {
        if let Item::Group { atoms, .. } = item {
            if atoms.len() > 1 {
                let columns = atoms.iter().map(|&(_, column)| column).collect();
                return Err((PatternErrorKind::ParseShapeCompositeAxis, columns));
            }
        }
    }
    if let Some(column) = side.grouped_ellipsis() {
        return Err((
            PatternErrorKind::ParseShapeParenthesizedEllipsis,
            (column..column + 3).collect(),
        ));
    }
    check_length_names(length_names, false, |name| side.column_of(name).is_some())
        .map_err(|kind| (kind, Vec::new()))?;
    let dims = side
        .items
        .iter()
        .map(|item| match item {
            Item::Ellipsis { .. } => ShapeDim::Ellipsis,
            Item::Group { atoms, .. } => match atoms.first() {
                None => ShapeDim::Fixed(1),
                Some((Atom::Anonymous(n), _)) => ShapeDim::Fixed(*n),
                Some((Atom::Named(name), _)) if name == "_" => ShapeDim::Skip,
                Some((Atom::Named(name), _)) => ShapeDim::Named {
                    name: name.clone().into(),
                    given: length_names.iter().position(|n| n == name),
                },
                Some((Atom::Ellipsis, _)) => unreachable!("a grouped ellipsis was rejected"),
            },
        })
        .collect();
    Ok(ShapePlan {
        operation,
        pattern: pattern.to_owned().into(),
        length_names: length_names
            .iter()
            .map(|name| Text::from((*name).to_owned()))
            .collect(),
        dims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(pattern: &str) -> Vec<ShapeDim> {
        ShapePlan::new(ShapeOperation::ParseShape, pattern, &[])
            .unwrap()
            .dims
            .into_owned()
    }

    fn kind(pattern: &str, lengths: &[&str]) -> &'static str {
        ShapePlan::new(ShapeOperation::CheckShape, pattern, lengths)
            .unwrap_err()
            .kind
            .name()
    }

    fn named(name: &'static str) -> ShapeDim {
        ShapeDim::Named {
            name: name.into(),
            given: None,
        }
    }

    #[test]
    fn items_become_dims() {
        use ShapeDim::*;
        assert_eq!(
            plan("a _ ... 1 () (1) 3 (b) (c 1) _"),
            [
                named("a"),
                Skip,
                Ellipsis,
                Fixed(1),
                Fixed(1),
                Fixed(1),
                Fixed(3),
                named("b"),
                named("c"),
                Skip
            ]
        );
        assert_eq!(plan(""), []);
        assert_eq!(plan("(_)"), [Skip]);
    }

    #[test]
    fn pattern_errors() {
        assert_eq!(kind("a a", &[]), "duplicate_axis");
        assert_eq!(kind("a (b c)", &[]), "parse_shape_composite_axis");
        assert_eq!(kind("(...) (a b)", &[]), "parse_shape_composite_axis");
        assert_eq!(kind("(... a)", &[]), "parse_shape_composite_axis");
        assert_eq!(kind("(...) a", &[]), "parse_shape_parenthesized_ellipsis");
        assert_eq!(kind("a -> b", &[]), "unknown_character");
        assert_eq!(kind("a b", &["c"]), "unused_axis_length");
        assert_eq!(kind("a _", &["_"]), "invalid_axis_length_name");
        assert_eq!(kind("a b", &["a", "a"]), "duplicate_axis_length");
    }

    #[test]
    fn given_lengths_are_indexed() {
        let plan = ShapePlan::new(ShapeOperation::CheckShape, "a b c", &["c", "a"]).unwrap();
        let given: Vec<Option<usize>> = plan
            .dims
            .iter()
            .map(|dim| match dim {
                ShapeDim::Named { given, .. } => *given,
                _ => None,
            })
            .collect();
        assert_eq!(given, [Some(1), None, Some(0)]);
        assert_eq!(plan.input_dims(), Dims::Exactly(3));
    }
}
