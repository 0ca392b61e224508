//! Validation of an einsum pattern (`"b c t, b t l -> b c l"`) and the plan it becomes.
//!
//! An [`EinsumPlan`] is plain data, like a [`Recipe`](super::Recipe): the proc macro
//! builds it at compile time and emits it as a static; `einops::dynamic` builds the same
//! value from a string. Nothing in it depends on the operands' shapes; for two operands it
//! already tells each named axis's [`Role`] in their matrix product.
//!
//! Grammar (Python einops 0.8, semantics reference §4): operands separated by `,`, then
//! `->` and the output; names separated by spaces, `_` an ordinary name; a name may repeat
//! within one operand (a diagonal) but not in the output; no unit axes (`()`, `1`) and no
//! numbers. Beyond einops, operands and the output may group axes (`(h d)`) when every
//! grouped axis gets a length: given as `name = length`, used alone in some operand, or
//! inferred as the one unknown axis of a group.

use super::dims::Dims;
use super::error::{PatternError, PatternErrorKind};
use super::parse::{parse_side, Atom, Item, ParseFailure, Rules, Side};
use super::recipe::{
    check_length_names, mentions_ellipsis, split_arrow, Axis, Length, List, Slot, Term, Text,
};

/// Distinct names numpy's einsum can give letters to (`a`–`z`, `A`–`Z`).
const MAX_AXES: usize = 52;

/// A validated einsum pattern.
///
/// ```
/// use einops_pattern::{EinsumPlan, Term};
/// let plan = EinsumPlan::new("b (h d), (h d) e -> b e", 2, &["h"]).unwrap();
/// assert_eq!(plan.axes.len(), 4); // b h d e
/// assert_eq!(plan.operands.len(), 2);
/// assert!(matches!(&plan.operands[0][1], Term::Group(slots) if slots.len() == 2));
/// assert_eq!(plan.operand_dims(1), einops_pattern::Dims::Exactly(2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EinsumPlan {
    /// The pattern as written.
    pub pattern: Text,
    /// The names of the call's axis lengths, in call order.
    pub length_names: List<Text>,
    /// The named axes, numbered by first appearance over the operands; `in_output`
    /// tells which ones the output keeps (the others are summed).
    pub axes: List<Axis>,
    /// Per operand, one term per dimension (a repeated name appears in several terms).
    pub operands: List<List<Term>>,
    /// The output: one term per dimension.
    pub output: List<Term>,
    /// For two operands, the role of each named axis in their product (indexed like
    /// `axes`); `None` for other operand counts, whose pairs are chosen at run time.
    pub roles: Option<List<Role>>,
}

/// What the product of two operands does with an axis.
///
/// A name repeated within an operand (a diagonal) takes its role by the same rule: the
/// diagonal itself is only a stride, found when the plan is bound to the operands.
///
/// ```
/// use einops_pattern::{EinsumPlan, Role};
/// let plan = EinsumPlan::new("b i d, b j d -> b i j", 2, &[]).unwrap();
/// // Axes in order of appearance: b i d j.
/// let roles = plan.roles.as_deref().unwrap();
/// assert_eq!(roles, [Role::Batch, Role::Left, Role::Contracted, Role::Right]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// In both operands and the output: one matrix product per index.
    Batch,
    /// In the left operand and the output only: a row of the matrix product (M).
    Left,
    /// In the right operand and the output only: a column of the matrix product (N).
    Right,
    /// In both operands but not the output: summed by the matrix product (K).
    Contracted,
    /// In the left operand only and not the output: summed out of it first.
    SummedLeft,
    /// In the right operand only and not the output: summed out of it first.
    SummedRight,
}

impl Role {
    /// The role of an axis that is or is not in the left operand, the right operand and
    /// the output; `None` for an axis in neither operand.
    ///
    /// ```
    /// use einops_pattern::Role;
    /// assert_eq!(Role::of(true, true, false), Some(Role::Contracted));
    /// assert_eq!(Role::of(false, true, false), Some(Role::SummedRight));
    /// assert_eq!(Role::of(false, false, true), None);
    /// ```
    pub fn of(in_left: bool, in_right: bool, in_output: bool) -> Option<Role> {
        Some(match (in_left, in_right, in_output) {
            (true, true, true) => Role::Batch,
            (true, false, true) => Role::Left,
            (false, true, true) => Role::Right,
            (true, true, false) => Role::Contracted,
            (true, false, false) => Role::SummedLeft,
            (false, true, false) => Role::SummedRight,
            (false, false, _) => return None,
        })
    }
}

impl EinsumPlan {
    /// Validates `pattern` for a call with `operands` operands; `length_names` are the
    /// names given lengths.
    ///
    /// ```
    /// use einops_pattern::EinsumPlan;
    /// let err = EinsumPlan::new("i j, j k -> i k", 3, &[]).unwrap_err();
    /// assert_eq!(err.kind.name(), "einsum_operand_count");
    /// ```
    pub fn new(
        pattern: &str,
        operands: usize,
        length_names: &[&str],
    ) -> Result<EinsumPlan, PatternError> {
        let fail = |(kind, columns)| PatternError {
            kind,
            operation: "einsum",
            pattern: pattern.to_owned(),
            columns,
        };
        let (left, right) = split_arrow(pattern).map_err(|(kind, columns)| match kind {
            PatternErrorKind::ArrowMissing => fail((PatternErrorKind::EinsumNoArrow, columns)),
            kind => fail((kind, columns)),
        })?;
        let inputs = parse_operands(left).map_err(fail)?;
        let output_rules = Rules {
            allow_underscore: true,
            allow_duplicates: false,
        };
        let right_offset = left.chars().count() + 2;
        let output = parse_side(right, right_offset, output_rules).map_err(fail)?;
        check(&inputs, &output, length_names).map_err(fail)?;
        if inputs.len() != operands {
            return Err(fail((
                PatternErrorKind::EinsumOperandCount {
                    expected: inputs.len(),
                    given: operands,
                },
                vec![],
            )));
        }
        Ok(build(pattern, &inputs, &output, length_names))
    }

    /// The dimensions operand `k` must have.
    pub fn operand_dims(&self, k: usize) -> Dims {
        Dims::of(&self.operands[k])
    }

    /// The dimensions of the output besides those an ellipsis brings.
    pub fn output_dims(&self) -> Dims {
        Dims::of(&self.output)
    }

    /// Whether the output has an ellipsis, bare or in a group.
    pub fn output_has_ellipsis(&self) -> bool {
        mentions_ellipsis(&self.output)
    }
}

/// Parses the comma-separated operands of the left side.
fn parse_operands(left: &str) -> Result<Vec<Side>, ParseFailure> {
    let rules = Rules {
        allow_underscore: true,
        allow_duplicates: true,
    };
    let mut offset = 0;
    left.split(',')
        .map(|text| {
            let side = parse_side(text, offset, rules);
            offset += text.chars().count() + 1;
            side
        })
        .collect()
}

/// Every pattern-stage rule beyond the grammar, in the order einops checks them.
fn check(inputs: &[Side], output: &Side, length_names: &[&str]) -> Result<(), ParseFailure> {
    for side in inputs {
        check_items(side, false)?;
    }
    check_items(output, true)?;
    if !inputs.iter().any(Side::has_ellipsis) {
        if let Some((_, column)) = output.atoms().find(|(a, _)| **a == Atom::Ellipsis) {
            return Err((
                PatternErrorKind::EllipsisRightOnly,
                (column..column + 3).collect(),
            ));
        }
    }
    let names = input_names(inputs);
    if let Some(&(_, column)) = names.get(MAX_AXES) {
        return Err((
            PatternErrorKind::EinsumTooManyAxes(names.len()),
            vec![column],
        ));
    }
    for (atom, column) in output.atoms() {
        if let Atom::Named(name) = atom {
            if !names.iter().any(|(n, _)| n == name) {
                return Err((
                    PatternErrorKind::EinsumUnknownOutputAxis(name.clone()),
                    (column..column + name.chars().count()).collect(),
                ));
            }
        }
    }
    check_length_names(length_names, true, |name| {
        names.iter().any(|(n, _)| n == name)
    })
    .map_err(|kind| (kind, vec![]))?;
    check_groups(inputs, length_names)
}

/// Unit axes, numbers and (in operands) an ellipsis or a name twice inside a group.
fn check_items(side: &Side, is_output: bool) -> Result<(), ParseFailure> {
    for item in &side.items {
        let Item::Group { atoms, column } = item else {
            continue;
        };
        if atoms.is_empty() {
            return Err((PatternErrorKind::EinsumUnitAxis, vec![*column]));
        }
        for (i, (atom, at)) in atoms.iter().enumerate() {
            match atom {
                Atom::Anonymous(n) => {
                    let width = n.to_string().len();
                    return Err((
                        PatternErrorKind::EinsumAnonymousAxis,
                        (*at..at + width).collect(),
                    ));
                }
                Atom::Ellipsis if !is_output => {
                    return Err((
                        PatternErrorKind::EllipsisParenthesizedLeft,
                        (*at..at + 3).collect(),
                    ));
                }
                Atom::Named(name) => {
                    // A name twice in one group would make its length a square root.
                    if let Some((_, first)) = atoms[..i].iter().find(|(a, _)| a == atom) {
                        return Err((
                            PatternErrorKind::DuplicateAxis(name.clone()),
                            vec![*first, *at],
                        ));
                    }
                }
                Atom::Ellipsis => {}
            }
        }
    }
    Ok(())
}

/// The distinct names of the operands with the column of their first appearance.
fn input_names(inputs: &[Side]) -> Vec<(String, usize)> {
    let mut names: Vec<(String, usize)> = Vec::new();
    for (atom, column) in inputs.iter().flat_map(Side::atoms) {
        if let Atom::Named(name) = atom {
            if !names.iter().any(|(n, _)| n == name) {
                names.push((name.clone(), column));
            }
        }
    }
    names
}

/// Every axis of a group needs a length: given, used alone in some operand, or the one
/// unknown axis of a group whose other lengths are known (repeatedly).
fn check_groups(inputs: &[Side], length_names: &[&str]) -> Result<(), ParseFailure> {
    // After `check_items`, the groups of the operands hold names only.
    let groups: Vec<Vec<(&str, usize)>> = inputs
        .iter()
        .flat_map(|side| &side.items)
        .filter_map(|item| match item {
            Item::Group { atoms, .. } => Some(
                atoms
                    .iter()
                    .filter_map(|(atom, column)| match atom {
                        Atom::Named(name) => Some((name.as_str(), *column)),
                        _ => None,
                    })
                    .collect(),
            ),
            Item::Ellipsis { .. } => None,
        })
        .collect();
    let mut known: Vec<&str> = length_names.to_vec();
    known.extend(groups.iter().filter(|g| g.len() == 1).map(|g| g[0].0));
    loop {
        let before = known.len();
        for group in &groups {
            let missing: Vec<&str> = group
                .iter()
                .map(|&(name, _)| name)
                .filter(|name| !known.contains(name))
                .collect();
            if let [name] = missing[..] {
                known.push(name);
            }
        }
        if known.len() == before {
            break;
        }
    }
    for group in &groups {
        let (names, columns): (Vec<String>, Vec<usize>) = group
            .iter()
            .filter(|(name, _)| !known.contains(name))
            .map(|&(name, column)| (name.to_owned(), column))
            .unzip();
        if !names.is_empty() {
            return Err((PatternErrorKind::EinsumCompositeAxis(names), columns));
        }
    }
    Ok(())
}

/// Numbers the named axes and turns every side into terms.
fn build(pattern: &str, inputs: &[Side], output: &Side, length_names: &[&str]) -> EinsumPlan {
    let axes: Vec<Axis> = input_names(inputs)
        .into_iter()
        .map(|(name, _)| Axis {
            length: match length_names.iter().position(|n| *n == name) {
                Some(i) => Length::Given(i),
                None => Length::Inferred,
            },
            in_input: true,
            in_output: output.column_of(&name).is_some(),
            name: name.into(),
        })
        .collect();
    let terms = |side: &Side| -> List<Term> {
        side.items
            .iter()
            .map(|item| match item {
                Item::Ellipsis { .. } => Term::Ellipsis,
                Item::Group { atoms, .. } => Term::Group(
                    atoms
                        .iter()
                        .map(|(atom, _)| match atom {
                            Atom::Named(name) => Slot::Axis(
                                axes.iter()
                                    .position(|a| a.name == name.as_str())
                                    .expect("every name of the pattern is numbered"),
                            ),
                            _ => Slot::Ellipsis,
                        })
                        .collect::<Vec<_>>()
                        .into(),
                ),
            })
            .collect::<Vec<_>>()
            .into()
    };
    let roles = match inputs {
        [left, right] => Some(
            axes.iter()
                .map(|axis| {
                    let in_side = |side: &Side| side.column_of(&axis.name).is_some();
                    Role::of(in_side(left), in_side(right), axis.in_output)
                        .expect("every axis is in an operand")
                })
                .collect(),
        ),
        _ => None,
    };
    EinsumPlan {
        pattern: pattern.to_owned().into(),
        roles,
        length_names: length_names
            .iter()
            .map(|n| Text::from((*n).to_owned()))
            .collect(),
        operands: inputs.iter().map(terms).collect::<Vec<_>>().into(),
        output: terms(output),
        axes: axes.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(pattern: &str, operands: usize, lengths: &[&str]) -> &'static str {
        EinsumPlan::new(pattern, operands, lengths)
            .map(|_| "ok")
            .unwrap_or_else(|e| e.kind.name())
    }

    #[test]
    fn accepts_the_einops_grammar() {
        for (pattern, n) in [
            ("b c t, b t l -> b c l", 2),
            ("i i -> i", 1),
            ("i i ->", 1),
            ("one one one -> one", 1),
            ("_ a, a -> _", 2),
            ("(b) c -> c b", 1),
            ("..., ..., ... -> ...", 3),
            ("out_dim in_dim, ... in_dim -> ... out_dim", 2),
            (" , a -> a", 2),
        ] {
            assert_eq!(kind(pattern, n, &[]), "ok", "{pattern}");
        }
    }

    #[test]
    fn reports_each_pattern_error() {
        for (pattern, n, lengths, expected) in [
            ("i j k", 1, &[][..], "einsum_no_arrow"),
            ("a b -> a b -> a", 1, &[], "arrow_multiple"),
            ("i () -> i", 1, &[], "einsum_unit_axis"),
            ("i 1 -> i", 1, &[], "einsum_unit_axis"),
            ("a -> a ()", 1, &[], "einsum_unit_axis"),
            ("(a b) -> a b", 1, &[], "einsum_composite_axis"),
            ("i 2 -> i", 1, &[], "einsum_anonymous_axis"),
            ("i 2j -> i", 1, &[], "invalid_identifier"),
            ("ij -> i", 1, &[], "einsum_unknown_output_axis"),
            ("i -> i i", 1, &[], "duplicate_axis"),
            ("(a a) -> a", 1, &[], "duplicate_axis"),
            ("a -> ... a", 1, &[], "ellipsis_right_only"),
            ("(... a) -> a", 1, &[], "ellipsis_parenthesized_left"),
            ("a, a -> a", 1, &[], "einsum_operand_count"),
            ("a -> a", 1, &["b"], "unused_axis_length"),
            ("a -> a", 1, &["a", "a"], "duplicate_axis_length"),
            ("a -> a", 1, &["_a"], "invalid_axis_length_name"),
        ] {
            assert_eq!(kind(pattern, n, lengths), expected, "{pattern}");
        }
    }

    #[test]
    fn counts_distinct_names_like_numpy() {
        let names: Vec<String> = (0..53).map(|i| format!("x{i}")).collect();
        let pattern = format!("{} -> x0", names.join(" "));
        assert_eq!(kind(&pattern, 1, &[]), "einsum_too_many_axes");
        let pattern = format!("{} -> x0", names[..52].join(" "));
        assert_eq!(kind(&pattern, 1, &[]), "ok");
    }

    #[test]
    fn groups_need_their_lengths() {
        assert_eq!(kind("b (h d), (h d) e -> b e", 2, &["h"]), "ok");
        assert_eq!(
            kind("b (h d), (h d) e -> b e", 2, &[]),
            "einsum_composite_axis"
        );
        // `d` is known from the second operand, so `h` is the one unknown of the group.
        assert_eq!(kind("b (h d), d e -> b h e", 2, &[]), "ok");
        // Inference chains: `c` from the first operand, then `b`, then `a`.
        assert_eq!(kind("c, (b c), (a b) -> a", 3, &[]), "ok");
        // Output groups merge axes whose lengths are known anyway.
        assert_eq!(kind("b h i d -> b i (h d)", 1, &[]), "ok");
        assert_eq!(kind("b i d -> b (... i) d", 1, &[]), "ellipsis_right_only");
        assert_eq!(kind("... i d -> (... i) d", 1, &[]), "ok");
    }

    #[test]
    fn numbers_axes_by_first_appearance() {
        let plan = EinsumPlan::new("a b, b c -> c a", 2, &["c"]).unwrap();
        let names: Vec<&str> = plan.axes.iter().map(|a| &*a.name).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(plan.axes[2].length, Length::Given(0));
        assert!(!plan.axes[1].in_output);
        assert_eq!(plan.output_dims(), Dims::Exactly(2));
    }

    #[test]
    fn classifies_the_axes_of_two_operands() {
        let roles = |pattern: &str| EinsumPlan::new(pattern, 2, &[]).unwrap().roles;
        use Role::*;
        // Axes in order of appearance: i j k l m.
        let plan = roles("i i j k, k l m -> i l").unwrap();
        assert_eq!(plan[..], [Left, SummedLeft, Contracted, Right, SummedRight]);
        assert_eq!(
            roles("... i j, ... j -> ... i").unwrap()[..],
            [Left, Contracted]
        );
        assert_eq!(EinsumPlan::new("i, i, i ->", 3, &[]).unwrap().roles, None);
        assert_eq!(EinsumPlan::new("i i ->", 1, &[]).unwrap().roles, None);
    }

    #[test]
    fn carets_point_into_the_whole_pattern() {
        let err = EinsumPlan::new("a b, b c -> a d", 2, &[]).unwrap_err();
        assert_eq!(err.columns, vec![14]);
        assert_eq!(
            err.to_string(),
            "einsum pattern `a b, b c -> a d`: output axis `d` is in no operand \
             (axis names are separated by spaces)\n  a b, b c -> a d\n                ^"
        );
    }
}
