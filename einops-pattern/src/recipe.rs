//! Validation of a rearrange / reduce / repeat pattern and the plan it becomes.
//!
//! A [`Recipe`] is plain data: the proc macro builds it at compile time and emits it as a
//! constant (borrowed slices); the run-time API builds the same value from a string
//! (owned vectors). Nothing in it depends on the input's shape.

use std::borrow::Cow;

use super::dims::Dims;
use super::error::{PatternError, PatternErrorKind};
use super::parse::{identifier_problem, parse_side, Atom, Item, ParseFailure, Rules, Side};

/// A list that is a borrowed constant in macro expansions and owned at run time.
pub type List<T> = Cow<'static, [T]>;
/// A string that is a borrowed constant in macro expansions and owned at run time.
pub type Text = Cow<'static, str>;

/// Which operation a recipe performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Reorder, split and merge axes.
    Rearrange,
    /// Reduce the axes missing on the right.
    Reduce(Reduction),
    /// Repeat along the axes new on the right.
    Repeat,
}

impl Operation {
    /// The operation's name as messages show it (`reduce` for every reduction).
    ///
    /// ```
    /// use einops_pattern::{Operation, Reduction};
    /// assert_eq!(Operation::Reduce(Reduction::Max).name(), "reduce");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Operation::Rearrange => "rearrange",
            Operation::Reduce(_) => "reduce",
            Operation::Repeat => "repeat",
        }
    }
}

/// The reductions of `reduce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// Sum; integers wrap on overflow.
    Sum,
    /// Arithmetic mean; floating-point elements only.
    Mean,
    /// Minimum; an empty reduction is an error.
    Min,
    /// Maximum; an empty reduction is an error.
    Max,
    /// Product; integers wrap on overflow.
    Prod,
    /// Whether any element is non-zero (true).
    Any,
    /// Whether every element is non-zero (true).
    All,
}

impl Reduction {
    /// Every reduction, in the order einops lists them.
    pub const ALL: [Reduction; 7] = [
        Reduction::Min,
        Reduction::Max,
        Reduction::Sum,
        Reduction::Mean,
        Reduction::Prod,
        Reduction::Any,
        Reduction::All,
    ];

    /// The reduction's name as written in calls (`"mean"`).
    ///
    /// ```
    /// use einops_pattern::Reduction;
    /// assert_eq!(Reduction::from_name("mean"), Some(Reduction::Mean));
    /// assert_eq!(Reduction::Mean.name(), "mean");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Reduction::Sum => "sum",
            Reduction::Mean => "mean",
            Reduction::Min => "min",
            Reduction::Max => "max",
            Reduction::Prod => "prod",
            Reduction::Any => "any",
            Reduction::All => "all",
        }
    }

    /// The reduction called `name` (case-sensitive), if there is one.
    pub fn from_name(name: &str) -> Option<Reduction> {
        Reduction::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Where an elementary axis gets its length from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// An anonymous axis (a number in the pattern).
    Fixed(usize),
    /// The call's axis length with this index (`name = expr`, in call order).
    Given(usize),
    /// Inferred from the input dimension of its group.
    Inferred,
}

/// An elementary axis: a name or number of the pattern (the ellipsis excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// The name, or the number as written for anonymous axes.
    pub name: Text,
    /// Where its length comes from.
    pub length: Length,
    /// Whether the axis appears on the left (input) side.
    pub in_input: bool,
    /// Whether the axis appears on the right (output) side.
    pub in_output: bool,
}

/// A member of a group: an elementary axis (index into [`Recipe::axes`]) or the ellipsis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The axis with this index.
    Axis(usize),
    /// The dimensions matched by `...`, in order.
    Ellipsis,
}

/// A top-level item of a side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A bare `...`: as many dimensions as it matches.
    Ellipsis,
    /// One dimension composed of these slots (row-major); empty for `1` and `()`.
    Group(List<Slot>),
}

impl Term {
    /// The term as written, e.g. `b`, `(h w)` or `...`, with `axes` naming the slots.
    ///
    /// ```
    /// use einops_pattern::{Recipe, Term};
    /// let recipe = Recipe::rearrange("b (h w) -> b h w", &["h"]).unwrap();
    /// assert_eq!(recipe.input[1].text(&recipe.axes), "(h w)");
    /// assert_eq!(Term::Ellipsis.text(&recipe.axes), "...");
    /// ```
    pub fn text(&self, axes: &[Axis]) -> String {
        match self {
            Term::Ellipsis => "...".to_owned(),
            Term::Group(slots) => group_text(slots, axes),
        }
    }
}

/// Whether a side has an ellipsis, bare (`...`) or in a group (`(... c)`).
///
/// ```
/// use einops_pattern::{mentions_ellipsis, Recipe};
/// let recipe = Recipe::rearrange("b ... c -> b (... c)", &[]).unwrap();
/// assert!(mentions_ellipsis(&recipe.input) && mentions_ellipsis(&recipe.output));
/// assert!(!mentions_ellipsis(&Recipe::rearrange("a b -> b a", &[]).unwrap().output));
/// ```
pub fn mentions_ellipsis(terms: &[Term]) -> bool {
    terms.iter().any(|term| match term {
        Term::Ellipsis => true,
        Term::Group(slots) => slots.contains(&Slot::Ellipsis),
    })
}

/// The elementary axes of a side in order: each slot's axis, and the axes `ellipsis`
/// (those of the dimensions `...` matched) where `...` stands; what a tensor library
/// reshapes to.
///
/// ```
/// use einops_pattern::{elementary, Recipe};
/// let recipe = Recipe::rearrange("b (h w) -> (w b) h", &["h"]).unwrap();
/// let (b, h, w) = (0usize, 1, 2);
/// assert_eq!(elementary(&recipe.output, 0..0), [w, b, h]);
/// ```
pub fn elementary(terms: &[Term], ellipsis: std::ops::Range<usize>) -> Vec<usize> {
    let mut axes = Vec::new();
    for term in terms {
        match term {
            Term::Ellipsis => axes.extend(ellipsis.clone()),
            Term::Group(slots) => {
                for slot in slots.iter() {
                    match *slot {
                        Slot::Axis(id) => axes.push(id),
                        Slot::Ellipsis => axes.extend(ellipsis.clone()),
                    }
                }
            }
        }
    }
    axes
}

/// A group as written, e.g. `(h w)`; a single slot without parentheses.
pub fn group_text(slots: &[Slot], axes: &[Axis]) -> String {
    let names: Vec<&str> = slots
        .iter()
        .map(|slot| match slot {
            Slot::Axis(id) => &*axes[*id].name,
            Slot::Ellipsis => "...",
        })
        .collect();
    match names.len() {
        1 => names[0].to_owned(),
        _ => format!("({})", names.join(" ")),
    }
}

/// A validated rearrange / reduce / repeat pattern.
///
/// ```
/// use einops_pattern::{Recipe, Term};
/// let recipe = Recipe::rearrange("b c (h w) -> b (c h) w", &["h"]).unwrap();
/// assert_eq!(recipe.axes.len(), 4);
/// assert_eq!(recipe.input.len(), 3);
/// assert!(matches!(&recipe.output[1], Term::Group(slots) if slots.len() == 2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// The operation.
    pub operation: Operation,
    /// The pattern as written.
    pub pattern: Text,
    /// The names of the call's axis lengths, in call order.
    pub length_names: List<Text>,
    /// The elementary axes, numbered by first appearance (left side first).
    pub axes: List<Axis>,
    /// The left side: one term per input dimension.
    pub input: List<Term>,
    /// The right side: one term per output dimension.
    pub output: List<Term>,
    /// For a rearrange that only merges neighbouring input dimensions, in order (no
    /// ellipsis, numbers or given lengths, e.g. `b c h w -> b (c h w)`): how many input
    /// dimensions each output dimension merges (0 for a new unit axis). On a
    /// standard-layout array such a call is a reshape.
    pub merges: Option<List<usize>>,
}

impl Recipe {
    /// The dimensions the input must have.
    pub fn input_dims(&self) -> Dims {
        Dims::of(&self.input)
    }

    /// The dimensions of the output besides those an ellipsis brings.
    pub fn output_dims(&self) -> Dims {
        Dims::of(&self.output)
    }

    /// Whether the pattern alone rules out a view of the input: a repeat whose output
    /// group puts a new axis (one not on the left, other than `1`) beside another axis
    /// repeats elements inside a dimension, which strides cannot express. Every other
    /// question of a view depends on the input's strides.
    ///
    /// ```
    /// use einops_pattern::Recipe;
    /// let err = Recipe::repeat("h w -> (h r) w", &["r"]).unwrap().check_view().unwrap_err();
    /// assert_eq!(err.kind.name(), "not_a_view");
    /// assert!(Recipe::repeat("h w -> h r w", &["r"]).unwrap().check_view().is_ok());
    /// ```
    pub fn check_view(&self) -> Result<(), PatternError> {
        // A `1` inside a group is no axis at all.
        let unit = |slot: &&Slot| matches!(*slot, Slot::Axis(id) if self.axes[*id].length == Length::Fixed(1));
        let repeated = |slot: &&Slot| matches!(*slot, Slot::Axis(id) if !self.axes[*id].in_input);
        let refused = self
            .output
            .iter()
            .enumerate()
            .find_map(|(k, term)| match term {
                Term::Group(slots) => {
                    let mut moving = slots.iter().filter(|slot| !unit(slot));
                    let merged = moving.clone().count() > 1;
                    (merged && moving.any(|slot| repeated(&slot))).then_some((k, slots))
                }
                Term::Ellipsis => None,
            });
        let Some((k, slots)) = refused else {
            return Ok(());
        };
        Err(PatternError {
            kind: PatternErrorKind::NotAView(group_text(slots, &self.axes)),
            operation: self.operation.name(),
            pattern: self.pattern.to_string(),
            columns: output_term_columns(&self.pattern, k),
        })
    }

    /// Validates a rearrange pattern; `length_names` are the names given lengths.
    pub fn rearrange(pattern: &str, length_names: &[&str]) -> Result<Recipe, PatternError> {
        Recipe::new(Operation::Rearrange, pattern, length_names)
    }

    /// Validates a reduce pattern with the reduction called `reduction`.
    ///
    /// ```
    /// let err = einops_pattern::Recipe::reduce("a b -> a", "avg", &[]).unwrap_err();
    /// assert_eq!(err.kind.name(), "unknown_reduction");
    /// ```
    pub fn reduce(
        pattern: &str,
        reduction: &str,
        length_names: &[&str],
    ) -> Result<Recipe, PatternError> {
        let operation = Reduction::from_name(reduction)
            .map(Operation::Reduce)
            .ok_or(reduction);
        Recipe::checked(operation, pattern, length_names)
    }

    /// Validates a repeat pattern.
    pub fn repeat(pattern: &str, length_names: &[&str]) -> Result<Recipe, PatternError> {
        Recipe::new(Operation::Repeat, pattern, length_names)
    }

    /// Validates `pattern` for `operation`.
    pub fn new(
        operation: Operation,
        pattern: &str,
        length_names: &[&str],
    ) -> Result<Recipe, PatternError> {
        Recipe::checked(Ok(operation), pattern, length_names)
    }

    /// Validates `pattern` in the order einops checks it; `Err(name)` is a reduction
    /// name that is not one of the seven, reported where einops reports it.
    fn checked(
        operation: Result<Operation, &str>,
        pattern: &str,
        length_names: &[&str],
    ) -> Result<Recipe, PatternError> {
        let fail = |(kind, columns)| PatternError {
            kind,
            operation: operation.map_or("reduce", Operation::name),
            pattern: pattern.to_owned(),
            columns,
        };
        let (left, right) = split_arrow(pattern).map_err(fail)?;
        let right_offset = left.chars().count() + 2;
        let left = parse_side(left, 0, Rules::default()).map_err(fail)?;
        let right = parse_side(right, right_offset, Rules::default()).map_err(fail)?;
        check_ellipses(&left, &right).map_err(fail)?;
        let operation = operation
            .map_err(|name| fail((PatternErrorKind::UnknownReduction(name.to_owned()), vec![])))?;
        check_sides(operation, &left, &right, length_names).map_err(fail)?;
        check_length_names(length_names, false, |name| {
            left.column_of(name).is_some() || right.column_of(name).is_some()
        })
        .map_err(|kind| fail((kind, vec![])))?;
        check_inference(&left, length_names).map_err(fail)?;
        Ok(build(operation, pattern, &left, &right, length_names))
    }
}

/// Splits a pattern at its one `->`.
pub fn split_arrow(pattern: &str) -> Result<(&str, &str), ParseFailure> {
    let arrows: Vec<usize> = pattern.match_indices("->").map(|(i, _)| i).collect();
    let column = |byte: usize| pattern[..byte].chars().count();
    match arrows[..] {
        [] => Err((PatternErrorKind::ArrowMissing, Vec::new())),
        [at] => Ok((&pattern[..at], &pattern[at + 2..])),
        [_, ref extra @ ..] => Err((
            PatternErrorKind::ArrowMultiple,
            extra.iter().map(|&b| column(b)).collect(),
        )),
    }
}

/// The character columns of the `k`-th term of the output side of `pattern` (a validated
/// pattern: one arrow, balanced parentheses).
fn output_term_columns(pattern: &str, k: usize) -> Vec<usize> {
    let start = pattern
        .find("->")
        .map_or(0, |at| pattern[..at].chars().count() + 2);
    let chars: Vec<char> = pattern.chars().collect();
    let mut column = start;
    let mut term = 0;
    while column < chars.len() {
        if chars[column].is_whitespace() {
            column += 1;
            continue;
        }
        let end = match chars[column] {
            '(' => {
                column
                    + chars[column..]
                        .iter()
                        .position(|&c| c == ')')
                        .map_or(1, |n| n + 1)
            }
            _ => {
                column
                    + chars[column..]
                        .iter()
                        .position(|c| c.is_whitespace() || *c == '(')
                        .unwrap_or(chars.len() - column)
            }
        };
        if term == k {
            return (column..end).collect();
        }
        term += 1;
        column = end;
    }
    Vec::new()
}

/// The three columns of an ellipsis starting at `column`.
fn ellipsis_columns(column: usize) -> Vec<usize> {
    (column..column + 3).collect()
}

/// A name of the pattern as the sets of messages show it (`3` for anonymous, `...`).
fn label(atom: &Atom) -> String {
    match atom {
        Atom::Named(name) => name.clone(),
        Atom::Anonymous(n) => n.to_string(),
        Atom::Ellipsis => "...".to_owned(),
    }
}

/// Atoms of `side` that `other` lacks. Anonymous axes are never shared: each number is
/// its own axis.
fn only_in(side: &Side, other: &Side) -> (Vec<String>, Vec<usize>) {
    side.atoms()
        .filter(|(atom, _)| {
            matches!(atom, Atom::Anonymous(_)) || !other.atoms().any(|(a, _)| a == *atom)
        })
        .map(|(atom, column)| (label(atom), column))
        .unzip()
}

fn check_ellipses(left: &Side, right: &Side) -> Result<(), ParseFailure> {
    if !left.has_ellipsis() && right.has_ellipsis() {
        let column = right
            .atoms()
            .find(|(a, _)| **a == Atom::Ellipsis)
            .map(|(_, c)| c);
        return Err((
            PatternErrorKind::EllipsisRightOnly,
            column.map_or(vec![], ellipsis_columns),
        ));
    }
    if let Some(column) = left.grouped_ellipsis() {
        return Err((
            PatternErrorKind::EllipsisParenthesizedLeft,
            ellipsis_columns(column),
        ));
    }
    Ok(())
}

/// The operation's rule: which axes may appear on one side only.
fn check_sides(
    operation: Operation,
    left: &Side,
    right: &Side,
    length_names: &[&str],
) -> Result<(), ParseFailure> {
    match operation {
        Operation::Rearrange => {
            let anonymous: Vec<usize> = left
                .atoms()
                .chain(right.atoms())
                .filter(|(atom, _)| matches!(atom, Atom::Anonymous(_)))
                .map(|(_, column)| column)
                .collect();
            if !anonymous.is_empty() {
                return Err((PatternErrorKind::RearrangeAnonymousAxis, anonymous));
            }
            let (mut names, mut columns) = only_in(left, right);
            let (right_names, right_columns) = only_in(right, left);
            names.extend(right_names);
            columns.extend(right_columns);
            if !names.is_empty() {
                return Err((
                    PatternErrorKind::RearrangeIdentifierMismatch(names),
                    columns,
                ));
            }
        }
        Operation::Repeat => {
            let (names, columns) = only_in(left, right);
            if !names.is_empty() {
                return Err((PatternErrorKind::RepeatLeftOnlyIdentifier(names), columns));
            }
            let (names, columns): (Vec<String>, Vec<usize>) = right
                .atoms()
                .filter_map(|(atom, column)| match atom {
                    Atom::Named(name)
                        if left.column_of(name).is_none()
                            && !length_names.contains(&name.as_str()) =>
                    {
                        Some((name.clone(), column))
                    }
                    _ => None,
                })
                .unzip();
            if !names.is_empty() {
                return Err((PatternErrorKind::RepeatMissingSize(names), columns));
            }
        }
        Operation::Reduce(_) => {
            let (names, columns) = only_in(right, left);
            if !names.is_empty() {
                return Err((PatternErrorKind::ReduceRightOnlyIdentifier(names), columns));
            }
        }
    }
    Ok(())
}

/// Each left group may have at most one axis whose length is neither given nor fixed.
fn check_inference(left: &Side, length_names: &[&str]) -> Result<(), ParseFailure> {
    for item in &left.items {
        if let Item::Group { atoms, .. } = item {
            let (unknown, columns): (Vec<String>, Vec<usize>) = atoms
                .iter()
                .filter_map(|(atom, column)| match atom {
                    Atom::Named(name) if !length_names.contains(&name.as_str()) => {
                        Some((name.clone(), *column))
                    }
                    _ => None,
                })
                .unzip();
            if unknown.len() > 1 {
                return Err((PatternErrorKind::CannotInferSizes(unknown), columns));
            }
        }
    }
    Ok(())
}

/// Every given length must name an axis the pattern uses (`is_used`), once, with a valid
/// axis name (`_` counts as a name where `allow_underscore`, as in einsum).
pub(super) fn check_length_names(
    length_names: &[&str],
    allow_underscore: bool,
    is_used: impl Fn(&str) -> bool,
) -> Result<(), PatternErrorKind> {
    for (i, name) in length_names.iter().enumerate() {
        if length_names[..i].contains(name) {
            return Err(PatternErrorKind::DuplicateAxisLength((*name).to_owned()));
        }
        if identifier_problem(name, allow_underscore).is_some() {
            return Err(PatternErrorKind::InvalidAxisLengthName((*name).to_owned()));
        }
        if !is_used(name) {
            return Err(PatternErrorKind::UnusedAxisLength((*name).to_owned()));
        }
    }
    Ok(())
}

/// Numbers the elementary axes and turns both sides into terms.
fn build(
    operation: Operation,
    pattern: &str,
    left: &Side,
    right: &Side,
    length_names: &[&str],
) -> Recipe {
    let mut axes: Vec<Axis> = Vec::new();
    let mut terms = |side: &Side, is_input: bool| -> Vec<Term> {
        side.items
            .iter()
            .map(|item| match item {
                Item::Ellipsis { .. } => Term::Ellipsis,
                Item::Group { atoms, .. } => Term::Group(
                    atoms
                        .iter()
                        .map(|(atom, _)| slot(atom, is_input, &mut axes, length_names))
                        .collect::<Vec<_>>()
                        .into(),
                ),
            })
            .collect()
    };
    let input = terms(left, true);
    let output = terms(right, false);
    let merges = merges(operation, &input, &output, &axes);
    Recipe {
        operation,
        pattern: pattern.to_owned().into(),
        length_names: length_names
            .iter()
            .map(|n| Text::from((*n).to_owned()))
            .collect(),
        axes: axes.into(),
        input: input.into(),
        output: output.into(),
        merges,
    }
}

/// See [`Recipe::merges`].
fn merges(
    operation: Operation,
    input: &[Term],
    output: &[Term],
    axes: &[Axis],
) -> Option<List<usize>> {
    if operation != Operation::Rearrange {
        return None;
    }
    // Every input term is one axis whose length is its dimension's.
    let mut order = input.iter().map(|term| match term {
        Term::Group(slots) => match **slots {
            [slot @ Slot::Axis(axis)] if axes[axis].length == Length::Inferred => Some(slot),
            _ => None,
        },
        Term::Ellipsis => None,
    });
    // The output's slots are the input's, in order.
    let merges = output
        .iter()
        .map(|term| match term {
            Term::Group(slots) => slots
                .iter()
                .all(|&slot| order.next() == Some(Some(slot)))
                .then_some(slots.len()),
            Term::Ellipsis => None,
        })
        .collect::<Option<Vec<usize>>>()?;
    order.next().is_none().then(|| merges.into())
}

fn slot(atom: &Atom, is_input: bool, axes: &mut Vec<Axis>, length_names: &[&str]) -> Slot {
    let name = match atom {
        Atom::Ellipsis => return Slot::Ellipsis,
        Atom::Named(name) => name,
        Atom::Anonymous(_) => &label(atom),
    };
    let existing = match atom {
        Atom::Named(_) => axes.iter().position(|a| a.name == name.as_str()),
        _ => None,
    };
    let index = existing.unwrap_or_else(|| {
        let length = match atom {
            Atom::Anonymous(n) => Length::Fixed(*n),
            _ => match length_names.iter().position(|n| n == name) {
                Some(i) => Length::Given(i),
                None => Length::Inferred,
            },
        };
        axes.push(Axis {
            name: name.clone().into(),
            length,
            in_input: false,
            in_output: false,
        });
        axes.len() - 1
    });
    let axis = &mut axes[index];
    if is_input {
        axis.in_input = true;
    } else {
        axis.in_output = true;
    }
    Slot::Axis(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_only_for_in_order_merges_of_inferred_axes() {
        let merges = |pattern: &str, names: &[&str]| {
            Recipe::rearrange(pattern, names)
                .unwrap()
                .merges
                .map(|m| m.to_vec())
        };
        assert_eq!(merges("b c h w -> b (c h w)", &[]), Some(vec![1, 3]));
        assert_eq!(merges("b c h w -> (b c) h w", &[]), Some(vec![2, 1, 1]));
        assert_eq!(merges("a b -> a () b 1", &[]), Some(vec![1, 0, 1, 0]));
        assert_eq!(merges("a -> a", &[]), Some(vec![1]));
        assert_eq!(merges("a b -> b a", &[]), None);
        assert_eq!(merges("a b c -> a (c b)", &[]), None);
        assert_eq!(merges("b (h w) -> b h w", &["h"]), None);
        assert_eq!(merges("a b -> (a b)", &["b"]), None);
        assert_eq!(merges("a 1 b -> (a b)", &[]), None);
        assert_eq!(merges("... c -> (...) c", &[]), None);
        let reduce = Recipe::reduce("a b -> (a b)", "sum", &[]).unwrap();
        assert_eq!(reduce.merges, None);
        assert_eq!(Recipe::repeat("a b -> (a b)", &[]).unwrap().merges, None);
    }
}
