//! Validation of a pack / unpack pattern (`"b * c"`) and the plan it becomes.
//!
//! Unlike the other patterns, a pack pattern is a list of words separated by any
//! whitespace (tabs included, as Python's `str.split()` does in einops): axis names and
//! exactly one `*`. The names only count the dimensions before and after `*`; their
//! spelling matters for messages only.

use super::error::{PatternError, PatternErrorKind};
use super::parse::{identifier_problem, ParseFailure};
use super::recipe::{List, Text};

/// Which of the two operations a pack pattern is for (only messages differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackOperation {
    /// `pack`: arrays in, one array out.
    Pack,
    /// `unpack`: one array in, arrays out.
    Unpack,
}

impl PackOperation {
    /// `pack` or `unpack`.
    ///
    /// ```
    /// assert_eq!(einops_pattern::PackOperation::Unpack.name(), "unpack");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            PackOperation::Pack => "pack",
            PackOperation::Unpack => "unpack",
        }
    }
}

/// A validated pack / unpack pattern: the axis names before and after `*`.
///
/// Plain data, so the proc macros emit it as a constant.
///
/// ```
/// use einops_pattern::{PackOperation, PackPlan};
/// let plan = PackPlan::new(PackOperation::Pack, "b * c d").unwrap();
/// assert_eq!(plan.before[..], ["b"]);
/// assert_eq!(plan.after[..], ["c", "d"]);
/// assert_eq!(plan.named(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackPlan {
    /// The pattern as written.
    pub pattern: Text,
    /// The names before `*`: the leading dimensions every array shares.
    pub before: List<Text>,
    /// The names after `*`: the trailing dimensions every array shares.
    pub after: List<Text>,
}

impl PackPlan {
    /// Validates `pattern` in einops' order: duplicates (a second `*` included), a
    /// missing `*`, then words that are not axis names.
    ///
    /// ```
    /// use einops_pattern::{PackOperation, PackPlan};
    /// let err = PackPlan::new(PackOperation::Pack, "a (b) *").unwrap_err();
    /// assert_eq!(err.kind.name(), "pack_invalid_axis_name");
    /// ```
    pub fn new(operation: PackOperation, pattern: &str) -> Result<PackPlan, PatternError> {
        validate(pattern).map_err(|(kind, columns)| PatternError {
            kind,
            operation: operation.name(),
            pattern: pattern.to_owned(),
            columns,
        })
    }

    /// Number of named axes: the minimum rank of a packed array.
    pub fn named(&self) -> usize {
        self.before.len() + self.after.len()
    }
}

/// The words of a pack pattern with their columns (in characters).
fn words(pattern: &str) -> Vec<(&str, usize)> {
    let mut words = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, column) of the current word
    for (column, (byte, c)) in pattern.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (true, Some((from, at))) => {
                words.push((&pattern[from..byte], at));
                start = None;
            }
            (false, None) => start = Some((byte, column)),
            _ => {}
        }
    }
    if let Some((from, at)) = start {
        words.push((&pattern[from..], at));
    }
    words
}

/// Every column a word covers.
fn columns(word: &str, column: usize) -> Vec<usize> {
    (column..column + word.chars().count()).collect()
}

fn validate(pattern: &str) -> Result<PackPlan, ParseFailure> {
    let words = words(pattern);
    for (i, &(word, column)) in words.iter().enumerate() {
        if let Some(&(_, first)) = words[..i].iter().find(|(w, _)| *w == word) {
            let mut marked = columns(word, first);
            marked.extend(columns(word, column));
            return Err((PatternErrorKind::PackDuplicateAxes(word.to_owned()), marked));
        }
    }
    let Some(star) = words.iter().position(|&(word, _)| word == "*") else {
        return Err((PatternErrorKind::PackNoStar, Vec::new()));
    };
    for &(word, column) in &words {
        if let Some(reason) = word_problem(word) {
            return Err((
                PatternErrorKind::PackInvalidAxisName {
                    token: word.to_owned(),
                    reason,
                },
                columns(word, column),
            ));
        }
    }
    let names = |words: &[(&str, usize)]| -> List<Text> {
        words
            .iter()
            .map(|&(word, _)| Text::from(word.to_owned()))
            .collect()
    };
    Ok(PackPlan {
        pattern: pattern.to_owned().into(),
        before: names(&words[..star]),
        after: names(&words[star + 1..]),
    })
}

/// Why a word other than `*` is not an axis name of a pack pattern.
fn word_problem(word: &str) -> Option<&'static str> {
    if word == "*" {
        None
    } else if word.contains("...") {
        Some("pack patterns have no ellipsis; `*` stands for the dimensions that differ")
    } else if word.contains(['(', ')']) {
        Some("pack patterns have no groups")
    } else if word.chars().all(|c| c.is_ascii_digit()) {
        Some("pack patterns have no anonymous axes (numbers)")
    } else {
        identifier_problem(word, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(pattern: &str) -> &'static str {
        PackPlan::new(PackOperation::Pack, pattern)
            .unwrap_err()
            .kind
            .name()
    }

    #[test]
    fn splits_on_any_whitespace() {
        let plan = PackPlan::new(PackOperation::Unpack, " a\t*\n b  ").unwrap();
        assert_eq!(plan.before[..], ["a"]);
        assert_eq!(plan.after[..], ["b"]);
        assert_eq!(plan.pattern, " a\t*\n b  ");
    }

    #[test]
    fn star_alone() {
        let plan = PackPlan::new(PackOperation::Pack, "*").unwrap();
        assert_eq!(plan.named(), 0);
    }

    #[test]
    fn errors_in_einops_order() {
        assert_eq!(kind("a * * b"), "pack_duplicate_axes");
        assert_eq!(kind("a a"), "pack_duplicate_axes"); // before the missing `*`
        assert_eq!(kind("a b"), "pack_no_star");
        assert_eq!(kind(""), "pack_no_star");
        assert_eq!(kind("_x"), "pack_no_star"); // before the invalid name
        assert_eq!(kind("h _w *"), "pack_invalid_axis_name");
        assert_eq!(kind("a ... *"), "pack_invalid_axis_name");
        assert_eq!(kind("a (b) *"), "pack_invalid_axis_name");
        assert_eq!(kind("a 2 *"), "pack_invalid_axis_name");
        assert_eq!(kind("a *b"), "pack_no_star");
    }

    #[test]
    fn carets_under_both_duplicates() {
        let err = PackPlan::new(PackOperation::Pack, "ab * ab").unwrap_err();
        assert_eq!(err.columns, [0, 1, 5, 6]);
        assert_eq!(
            err.to_string(),
            "pack pattern `ab * ab`: axis `ab` appears twice\n  ab * ab\n  ^^   ^^"
        );
    }

    #[test]
    fn keywords_and_unicode_are_names() {
        assert!(PackPlan::new(PackOperation::Pack, "for * ß").is_ok());
    }
}
