//! Validation of an EinMix layer (`"b t c -> b t cout"` with weight `"c cout"`) and the
//! plan it becomes.
//!
//! An [`EinMixPlan`] is plain data, like a [`Recipe`] and an [`EinsumPlan`]: the proc
//! macro builds it at compile time and emits it as a static; `EinMixSpec::new` builds the
//! same value from strings. It holds no parameters and depends on no element type, so any
//! backend can run it with its own tensors: rearrange the input to flat axes ([`pre`]),
//! einsum it with the weight ([`einsum`]), add the bias, rearrange to the output ([`post`]).
//!
//! The checks run in the order Python einops 0.8 runs them (semantics reference §8), so
//! the same message wins when several things are wrong.
//!
//! [`pre`]: EinMixPlan::pre
//! [`einsum`]: EinMixPlan::einsum
//! [`post`]: EinMixPlan::post

use super::einsum::EinsumPlan;
use super::error::{PatternError, PatternErrorKind};
use super::parse::{parse_side, Atom, Item, ParseFailure, Rules, Side};
use super::recipe::{split_arrow, List, Recipe, Text};

/// The operation name of errors in the pattern (and the caret line under it).
pub const EINMIX: &str = "EinMix";
/// The operation name of errors in the weight shape (the caret line is under it).
pub const EINMIX_WEIGHT: &str = "EinMix weight";
/// The operation name of errors in the bias shape (the caret line is under it).
pub const EINMIX_BIAS: &str = "EinMix bias";

/// A validated EinMix layer: what to compute, without the parameters.
///
/// Lengths are referred to by their index in [`length_names`](EinMixPlan::length_names)
/// (call order), so one plan serves every set of length values.
///
/// ```
/// use einops_pattern::EinMixPlan;
/// let plan = EinMixPlan::new(
///     "t b (head cin) -> t b (head cout)",
///     "head cin cout",
///     None,
///     &["head", "cin", "cout"],
/// )
/// .unwrap();
/// assert_eq!(&*plan.pre.as_ref().unwrap().pattern, "t b (head cin) -> t b head cin");
/// assert_eq!(&*plan.einsum.pattern, "t b head cin, head cin cout -> t b head cout");
/// assert_eq!(&*plan.post.as_ref().unwrap().pattern, "t b head cout -> t b (head cout)");
/// assert_eq!(&*plan.weight, [0, 1, 2]); // head cin cout
/// assert_eq!(&*plan.fan_in, [1]); // cin: the weight axis the output lacks
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EinMixPlan {
    /// The pattern as written.
    pub pattern: Text,
    /// The weight shape as written.
    pub weight_shape: Text,
    /// The bias shape as written; `None` for a layer without bias.
    pub bias_shape: Option<Text>,
    /// The names of the layer's axis lengths, in call order.
    pub length_names: List<Text>,
    /// Rearranges the input to the flat axes of the left side, when the left side has
    /// groups or unit axes.
    pub pre: Option<Recipe>,
    /// The lengths of [`pre`](EinMixPlan::pre), as indices into the layer's lengths.
    pub pre_lengths: List<usize>,
    /// `flat input, weight -> flat output`; its lengths are the layer's lengths.
    pub einsum: EinsumPlan,
    /// The weight's shape: per weight axis, the index of its length.
    pub weight: List<usize>,
    /// The weight axes the output lacks (their product is the fan-in), as length indices.
    pub fan_in: List<usize>,
    /// The bias's shape: per flat output axis (the ellipsis excluded), the index of its
    /// length when the bias has the axis, `None` for length 1. `None` without bias.
    pub bias: Option<List<Option<usize>>>,
    /// Rearranges the flat output to the right side, when it has groups or unit axes.
    pub post: Option<Recipe>,
}

impl EinMixPlan {
    /// Validates an EinMix layer; `length_names` are the names given lengths.
    ///
    /// ```
    /// use einops_pattern::EinMixPlan;
    /// let err = EinMixPlan::new("a b -> a c", "b c", Some("x"), &["b", "c"]).unwrap_err();
    /// assert_eq!(err.kind.name(), "einmix_bias_axis_not_in_output");
    /// assert_eq!(err.to_string(), "EinMix bias pattern `x`: bias axes x not present in output\n  x\n  ^");
    /// ```
    pub fn new(
        pattern: &str,
        weight_shape: &str,
        bias_shape: Option<&str>,
        length_names: &[&str],
    ) -> Result<EinMixPlan, PatternError> {
        let error = |operation, text: &str| {
            let text = text.to_owned();
            move |(kind, columns): ParseFailure| PatternError {
                kind,
                operation,
                pattern: text.clone(),
                columns,
            }
        };
        let in_pattern = error(EINMIX, pattern);
        let in_weight = error(EINMIX_WEIGHT, weight_shape);

        let (left_text, right_text) = split_arrow(pattern).map_err(&in_pattern)?;
        let right_offset = left_text.chars().count() + 2;
        let left = parse_side(left_text, 0, Rules::default()).map_err(&in_pattern)?;
        let right = parse_side(right_text, right_offset, Rules::default()).map_err(&in_pattern)?;
        let weight = parse_side(weight_shape, 0, Rules::default()).map_err(&in_weight)?;
        let sides = Sides {
            left: &left,
            right: &right,
            weight: &weight,
        };
        sides
            .check_axes(weight_shape)
            .map_err(|failure| failure.locate(&in_pattern, &in_weight))?;

        let pre = if left.items.iter().any(|item| !is_single(item)) {
            let names: Vec<&str> = length_names
                .iter()
                .copied()
                .filter(|name| left.column_of(name).is_some())
                .collect();
            let flat = format!("{left_text}-> {}", flat(&left).join(" "));
            // The left side starts the pre-rearrangement's pattern too, so the columns of its
            // errors (lengths that cannot be inferred) are columns of the layer's pattern.
            let recipe = Recipe::rearrange(&flat, &names)
                .map_err(|err| in_pattern((err.kind, err.columns)))?;
            Some(recipe)
        } else {
            None
        };
        sides
            .check_lengths(length_names)
            .map_err(|failure| failure.locate(&in_pattern, &in_weight))?;
        let bias = match bias_shape {
            Some(text) => {
                let in_bias = error(EINMIX_BIAS, text);
                let bias = parse_side(text, 0, Rules::default()).map_err(&in_bias)?;
                let shape = bias_axes(&bias, &right, length_names)
                    .map_err(|failure| failure.locate(&in_pattern, &in_bias))?;
                Some(shape)
            }
            None => None,
        };

        let post = if right.items.iter().any(|item| !is_single(item)) {
            let flat = format!("{} ->{right_text}", flat(&right).join(" "));
            Some(Recipe::rearrange(&flat, &[]).map_err(|err| in_pattern((err.kind, vec![])))?)
        } else {
            None
        };
        let einsum_text = format!(
            "{}, {} -> {}",
            flat(&left).join(" "),
            flat(&weight).join(" "),
            flat(&right).join(" ")
        );
        // Only the number of distinct axes can fail here (numpy's 52 letters): every other
        // einsum rule already holds for flat sides that passed the checks above.
        let einsum = EinsumPlan::new(&einsum_text, 2, length_names)
            .map_err(|err| in_pattern((err.kind, vec![])))?;

        let index = |name: &str| {
            length_names
                .iter()
                .position(|n| *n == name)
                .expect("every weight and bias axis has a length")
        };
        let weight_names = flat(&weight);
        Ok(EinMixPlan {
            pattern: pattern.to_owned().into(),
            weight_shape: weight_shape.to_owned().into(),
            bias_shape: bias_shape.map(|text| text.to_owned().into()),
            length_names: length_names
                .iter()
                .map(|n| (*n).to_owned().into())
                .collect(),
            pre_lengths: match &pre {
                Some(recipe) => recipe.length_names.iter().map(|n| index(n)).collect(),
                None => List::Borrowed(&[]),
            },
            pre,
            einsum,
            weight: weight_names.iter().map(|n| index(n)).collect(),
            fan_in: weight_names
                .iter()
                .filter(|n| right.column_of(n).is_none())
                .map(|n| index(n))
                .collect(),
            bias: bias
                .map(|shape: Vec<Option<&str>>| shape.into_iter().map(|n| n.map(index)).collect()),
            post,
        })
    }
}

/// A failed check, with the text its columns point into.
enum Failure {
    /// The layer's pattern.
    InPattern(ParseFailure),
    /// The weight or bias shape being checked.
    InShape(ParseFailure),
}

impl Failure {
    fn locate(
        self,
        in_pattern: impl Fn(ParseFailure) -> PatternError,
        in_shape: impl Fn(ParseFailure) -> PatternError,
    ) -> PatternError {
        match self {
            Failure::InPattern(failure) => in_pattern(failure),
            Failure::InShape(failure) => in_shape(failure),
        }
    }
}

/// The parsed pattern sides and weight shape.
struct Sides<'s> {
    left: &'s Side,
    right: &'s Side,
    weight: &'s Side,
}

impl Sides<'_> {
    /// Whether an axis named `name` is in the input or the weight.
    fn is_input_or_weight(&self, name: &str) -> bool {
        self.left.column_of(name).is_some() || self.weight.column_of(name).is_some()
    }

    /// The checks of the axes themselves, before the pre-rearrangement is built.
    fn check_axes(&self, weight_shape: &str) -> Result<(), Failure> {
        let (unknown, columns): (Vec<String>, Vec<usize>) = names(self.right)
            .filter(|(name, _)| !self.is_input_or_weight(name))
            .map(|(name, column)| (name.to_owned(), column))
            .unzip();
        if !unknown.is_empty() {
            let kind = PatternErrorKind::EinmixUnknownOutputAxis(unknown);
            return Err(Failure::InPattern((kind, columns)));
        }
        if let Some(column) = ellipsis(self.weight) {
            let failure = (PatternErrorKind::EinmixWeightEllipsis, dots(column));
            return Err(Failure::InShape(failure));
        }
        match (ellipsis(self.left), ellipsis(self.right)) {
            (Some(column), None) | (None, Some(column)) => {
                let failure = (PatternErrorKind::EinmixEllipsisOneSide, dots(column));
                return Err(Failure::InPattern(failure));
            }
            _ => {}
        }
        if let Some(column) = self.left.grouped_ellipsis() {
            let failure = (
                PatternErrorKind::EinmixEllipsisParenthesizedLeft,
                dots(column),
            );
            return Err(Failure::InPattern(failure));
        }
        for (side, at) in [
            (self.left, Failure::InPattern as fn(ParseFailure) -> Failure),
            (self.right, Failure::InPattern),
            (self.weight, Failure::InShape),
        ] {
            let columns: Vec<usize> = side
                .atoms()
                .filter(|(atom, _)| matches!(atom, Atom::Anonymous(_)))
                .map(|(_, column)| column)
                .collect();
            if !columns.is_empty() {
                return Err(at((PatternErrorKind::EinmixAnonymousAxis, columns)));
            }
        }
        let parentheses: Vec<usize> = weight_shape
            .chars()
            .enumerate()
            .filter(|(_, c)| matches!(c, '(' | ')'))
            .map(|(column, _)| column)
            .collect();
        if !parentheses.is_empty() {
            let failure = (PatternErrorKind::EinmixWeightParentheses, parentheses);
            return Err(Failure::InShape(failure));
        }
        if let Some(column) = self.weight.items.iter().find_map(|item| match item {
            Item::Group { atoms, column } if atoms.is_empty() => Some(*column),
            _ => None,
        }) {
            let failure = (PatternErrorKind::EinmixWeightUnitAxis, vec![column]);
            return Err(Failure::InShape(failure));
        }
        Ok(())
    }

    /// The checks of the lengths and the weight axes, after the pre-rearrangement.
    fn check_lengths(&self, length_names: &[&str]) -> Result<(), Failure> {
        if let Some((name, column)) =
            names(self.weight).find(|(name, _)| !length_names.contains(name))
        {
            let kind = PatternErrorKind::EinmixWeightSizeMissing(name.to_owned());
            return Err(Failure::InShape((kind, vec![column])));
        }
        let repeated =
            (0..length_names.len()).find(|&i| length_names[..i].contains(&length_names[i]));
        if let Some(i) = repeated {
            let kind = PatternErrorKind::DuplicateAxisLength(length_names[i].to_owned());
            return Err(Failure::InPattern((kind, vec![])));
        }
        let unused: Vec<String> = length_names
            .iter()
            .filter(|name| !self.is_input_or_weight(name))
            .map(|name| (*name).to_owned())
            .collect();
        if !unused.is_empty() {
            let kind = PatternErrorKind::EinmixUnusedAxisLength(unused);
            return Err(Failure::InPattern((kind, vec![])));
        }
        let (redundant, columns): (Vec<String>, Vec<usize>) = names(self.weight)
            .filter(|(name, _)| {
                self.left.column_of(name).is_none() && self.right.column_of(name).is_none()
            })
            .map(|(name, column)| (name.to_owned(), column))
            .unzip();
        if !redundant.is_empty() {
            let kind = PatternErrorKind::EinmixRedundantWeightAxis(redundant);
            return Err(Failure::InShape((kind, columns)));
        }
        Ok(())
    }
}

/// The bias's shape over the flat output axes (`None` for length 1), after einops' checks.
fn bias_axes<'r>(
    bias: &Side,
    right: &'r Side,
    length_names: &[&str],
) -> Result<Vec<Option<&'r str>>, Failure> {
    let in_output = |atom: &Atom| match atom {
        Atom::Named(name) => right.column_of(name).is_some(),
        Atom::Ellipsis => ellipsis(right).is_some(),
        Atom::Anonymous(_) => false,
    };
    let (missing, columns): (Vec<String>, Vec<usize>) = bias
        .atoms()
        .filter(|(atom, _)| !in_output(atom))
        .map(|(atom, column)| (label(atom), column))
        .unzip();
    if !missing.is_empty() {
        let kind = PatternErrorKind::EinmixBiasAxisNotInOutput(missing);
        return Err(Failure::InShape((kind, columns)));
    }
    let (unsized_axes, columns): (Vec<String>, Vec<usize>) = bias
        .atoms()
        .filter(
            |(atom, _)| !matches!(atom, Atom::Named(name) if length_names.contains(&name.as_str())),
        )
        .map(|(atom, column)| (label(atom), column))
        .unzip();
    if !unsized_axes.is_empty() {
        let kind = PatternErrorKind::EinmixBiasSizeMissing(unsized_axes);
        return Err(Failure::InShape((kind, columns)));
    }
    let mut shape = Vec::new();
    for (atom, column) in right.atoms() {
        match atom {
            Atom::Ellipsis if shape.iter().any(Option::is_some) => {
                let failure = (PatternErrorKind::EinmixBiasBeforeEllipsis, dots(column));
                return Err(Failure::InPattern(failure));
            }
            Atom::Ellipsis => {}
            Atom::Named(name) if bias.column_of(name).is_some() => shape.push(Some(name.as_str())),
            _ => shape.push(None),
        }
    }
    Ok(shape)
}

/// Whether an item is one flat axis (or a bare ellipsis): no group, no unit axis.
fn is_single(item: &Item) -> bool {
    match item {
        Item::Ellipsis { .. } => true,
        Item::Group { atoms, .. } => atoms.len() == 1 && atoms[0].0 != Atom::Ellipsis,
    }
}

/// The names of a side in reading order, groups flattened, `...` kept: its flat axes.
fn flat(side: &Side) -> Vec<String> {
    side.atoms().map(|(atom, _)| label(atom)).collect()
}

/// The named axes of a side with their columns.
fn names(side: &Side) -> impl Iterator<Item = (&str, usize)> {
    side.atoms().filter_map(|(atom, column)| match atom {
        Atom::Named(name) => Some((name.as_str(), column)),
        _ => None,
    })
}

/// An atom as messages and generated patterns write it.
fn label(atom: &Atom) -> String {
    match atom {
        Atom::Named(name) => name.clone(),
        Atom::Anonymous(n) => n.to_string(),
        Atom::Ellipsis => "...".to_owned(),
    }
}

/// The column of a side's ellipsis, bare or grouped.
fn ellipsis(side: &Side) -> Option<usize> {
    side.atoms()
        .find(|(atom, _)| **atom == Atom::Ellipsis)
        .map(|(_, column)| column)
}

/// The three columns of an ellipsis.
fn dots(column: usize) -> Vec<usize> {
    (column..column + 3).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(pattern: &str, weight: &str, bias: Option<&str>, lengths: &[&str]) -> &'static str {
        EinMixPlan::new(pattern, weight, bias, lengths)
            .map(|_| "ok")
            .unwrap_or_else(|e| e.kind.name())
    }

    #[test]
    fn reports_each_error_in_einops_order() {
        for (pattern, weight, bias, lengths, expected) in [
            ("a b", "b", None, &["b"][..], "arrow_missing"),
            ("a b -> a c", "b (c", None, &["b", "c"], "unclosed_paren"),
            (
                "a b -> a d",
                "b c",
                None,
                &["b", "c"],
                "einmix_unknown_output_axis",
            ),
            (
                "a b -> a c",
                "b c ...",
                None,
                &["b", "c"],
                "einmix_weight_ellipsis",
            ),
            (
                "a ... b -> a c",
                "b c",
                None,
                &["b", "c"],
                "einmix_ellipsis_one_side",
            ),
            (
                "(a ...) b -> a c ...",
                "b c",
                None,
                &["b", "c"],
                "einmix_ellipsis_parenthesized_left",
            ),
            (
                "a b 2 -> a c",
                "b c",
                None,
                &["b", "c"],
                "einmix_anonymous_axis",
            ),
            (
                "a b -> a c",
                "b 3 c",
                None,
                &["b", "c"],
                "einmix_anonymous_axis",
            ),
            (
                "a b -> a c",
                "(b c)",
                None,
                &["b", "c"],
                "einmix_weight_parentheses",
            ),
            (
                "a b -> a c",
                "b 1 c",
                None,
                &["b", "c"],
                "einmix_weight_unit_axis",
            ),
            (
                "(a x) b -> a c",
                "b c",
                None,
                &["b", "c"],
                "cannot_infer_sizes",
            ),
            (
                "a b -> a c",
                "b c",
                None,
                &["b"],
                "einmix_weight_size_missing",
            ),
            (
                "a b -> a c",
                "b c",
                None,
                &["b", "c", "z"],
                "einmix_unused_axis_length",
            ),
            (
                "a b -> a c",
                "b c",
                None,
                &["b", "c", "b"],
                "duplicate_axis_length",
            ),
            (
                "a b -> a c",
                "b c w",
                None,
                &["b", "c", "w"],
                "einmix_redundant_weight_axis",
            ),
            (
                "a b -> a c",
                "b c",
                Some("c c"),
                &["b", "c"],
                "duplicate_axis",
            ),
            (
                "a b -> a c",
                "b c",
                Some("x"),
                &["b", "c"],
                "einmix_bias_axis_not_in_output",
            ),
            (
                "a b -> a c",
                "b c",
                Some("a"),
                &["b", "c"],
                "einmix_bias_size_missing",
            ),
            (
                "a ... b -> a b ...",
                "b",
                Some("b"),
                &["b"],
                "einmix_bias_before_ellipsis",
            ),
            (
                "b ... (a c) -> b ... (a d)",
                "c d",
                Some("a d"),
                &["a", "c", "d"],
                "ok",
            ),
            ("(b c2) -> b c3", "c2 c3", Some("c3"), &["c2", "c3"], "ok"),
            ("a b -> a b", "", None, &[], "ok"),
        ] {
            assert_eq!(
                kind(pattern, weight, bias, lengths),
                expected,
                "{pattern} / {weight}"
            );
        }
    }

    #[test]
    fn plans_the_flat_einsum_and_the_bias() {
        let plan = EinMixPlan::new(
            "b ... (a c) -> b ... (a d)",
            "c d",
            Some("a d"),
            &["a", "c", "d"],
        )
        .unwrap();
        assert_eq!(
            &*plan.pre.as_ref().unwrap().pattern,
            "b ... (a c) -> b ... a c"
        );
        assert_eq!(&*plan.pre_lengths, [0, 1]);
        assert_eq!(&*plan.einsum.pattern, "b ... a c, c d -> b ... a d");
        assert_eq!(plan.bias.as_deref(), Some(&[None, Some(0), Some(2)][..]));
        assert_eq!(&*plan.fan_in, [1]);
        let plan = EinMixPlan::new(
            "b t c -> qkv b t cout",
            "qkv c cout",
            None,
            &["qkv", "c", "cout"],
        )
        .unwrap();
        assert!(plan.pre.is_none() && plan.post.is_none() && plan.bias.is_none());
    }

    #[test]
    fn carets_point_into_the_text_at_fault() {
        let err = EinMixPlan::new("a b -> a c", "b c", None, &["b"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "EinMix weight pattern `b c`: dimension `c` of weight should be specified \
             (e.g. `c = 4`)\n  b c\n    ^"
        );
        let err = EinMixPlan::new("(a x) b -> a c", "b c", None, &["b", "c"]).unwrap_err();
        assert_eq!(err.operation, EINMIX);
        assert_eq!(err.columns, vec![1, 3]);
    }
}
