//! The tokenizer and parser of one side of a pattern (`b (h w) ...`).
//!
//! Grammar, as in Python einops: tokens are separated by spaces and parentheses; a token
//! is an axis name, a number or the ellipsis `...`; parentheses group axes one level deep.

use super::error::PatternErrorKind;

/// One axis inside a side, with the column where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A named axis.
    Named(String),
    /// A number ≥ 2: an axis of that fixed length, distinct from every other.
    Anonymous(usize),
    /// The ellipsis `...`.
    Ellipsis,
}

/// One top-level item of a side: one dimension of the array it describes
/// (a bare ellipsis stands for any number of dimensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A bare `...`.
    Ellipsis {
        /// Column of the first dot.
        column: usize,
    },
    /// A group of atoms; a single name, `1` and `()` are groups too.
    Group {
        /// The atoms with their columns; empty for `1` and `()`.
        atoms: Vec<(Atom, usize)>,
        /// Column of the `(` or of the single token.
        column: usize,
    },
}

/// A parsed side of a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Side {
    /// The top-level items, one per dimension.
    pub items: Vec<Item>,
}

impl Side {
    /// Every atom of the side in reading order, with its column.
    pub fn atoms(&self) -> impl Iterator<Item = (&Atom, usize)> {
        self.items
            .iter()
            .flat_map(|item| -> Box<dyn Iterator<Item = (&Atom, usize)>> {
                match item {
                    Item::Ellipsis { column } => {
                        Box::new(std::iter::once((&Atom::Ellipsis, *column)))
                    }
                    Item::Group { atoms, .. } => Box::new(atoms.iter().map(|(a, c)| (a, *c))),
                }
            })
    }

    /// Whether the side contains `...`, bare or in a group.
    pub fn has_ellipsis(&self) -> bool {
        self.atoms().any(|(atom, _)| *atom == Atom::Ellipsis)
    }

    /// Column of an ellipsis written inside a group, if any.
    pub fn grouped_ellipsis(&self) -> Option<usize> {
        self.items.iter().find_map(|item| match item {
            Item::Group { atoms, .. } => atoms
                .iter()
                .find(|(atom, _)| *atom == Atom::Ellipsis)
                .map(|(_, column)| *column),
            Item::Ellipsis { .. } => None,
        })
    }

    /// Column of the first named axis called `name`.
    pub fn column_of(&self, name: &str) -> Option<usize> {
        self.atoms()
            .find(|(atom, _)| matches!(atom, Atom::Named(n) if n == name))
            .map(|(_, column)| column)
    }
}

/// How a side treats the underscore and repeated names; differs per operation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// `_` is an axis name (einsum) or a skip marker (parse_shape).
    pub allow_underscore: bool,
    /// A name may repeat on one side (einsum inputs: diagonals).
    pub allow_duplicates: bool,
}

/// A parse failure: the kind and the columns to underline.
pub type ParseFailure = (PatternErrorKind, Vec<usize>);

/// Parses one side of a pattern. `offset` is the column of the side's first character
/// in the whole pattern, so that error columns point into the whole pattern.
///
/// ```
/// use einops_pattern::parse::{parse_side, Rules, Item};
/// let side = parse_side("b (h w)", 0, Rules::default()).unwrap();
/// assert_eq!(side.items.len(), 2);
/// assert!(matches!(&side.items[1], Item::Group { atoms, .. } if atoms.len() == 2));
/// ```
pub fn parse_side(text: &str, offset: usize, rules: Rules) -> Result<Side, ParseFailure> {
    let chars: Vec<char> = text.chars().collect();
    check_dots(&chars, offset)?;

    let mut side = Side::default();
    let mut group: Option<(Vec<(Atom, usize)>, usize)> = None;
    let mut names: Vec<(String, usize)> = Vec::new();
    let mut token: Option<(String, usize)> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = offset + i;
        if c == '(' || c == ')' || c == ' ' {
            if let Some(tok) = token.take() {
                add_token(tok, &mut side, &mut group, &mut names, rules)?;
            }
            if c == '(' {
                if group.is_some() {
                    return Err((PatternErrorKind::NestedParentheses, vec![column]));
                }
                group = Some((Vec::new(), column));
            } else if c == ')' {
                let Some((atoms, column)) = group.take() else {
                    return Err((PatternErrorKind::UnbalancedCloseParen, vec![column]));
                };
                side.items.push(Item::Group { atoms, column });
            }
            i += 1;
        } else if c == '.' {
            // `check_dots` guarantees this is the one `...`; it joins the current token.
            let tok = token.get_or_insert_with(|| (String::new(), column));
            tok.0.push('…');
            i += 3;
        } else if c == '_' || c.is_alphanumeric() {
            token
                .get_or_insert_with(|| (String::new(), column))
                .0
                .push(c);
            i += 1;
        } else {
            return Err((PatternErrorKind::UnknownCharacter(c), vec![column]));
        }
    }
    if let Some((_, column)) = group {
        return Err((PatternErrorKind::UnclosedParen, vec![column]));
    }
    if let Some(tok) = token.take() {
        add_token(tok, &mut side, &mut group, &mut names, rules)?;
    }
    Ok(side)
}

/// A side may contain dots only as exactly one `...`.
fn check_dots(chars: &[char], offset: usize) -> Result<(), ParseFailure> {
    let dots: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == '.').collect();
    if dots.is_empty() {
        return Ok(());
    }
    let columns = dots.iter().map(|i| offset + i).collect();
    let ellipses = count_ellipses(chars);
    if ellipses == 0 {
        return Err((PatternErrorKind::StrayDots, columns));
    }
    if ellipses != 1 || dots.len() != 3 {
        return Err((PatternErrorKind::BadEllipsis, columns));
    }
    Ok(())
}

/// Non-overlapping occurrences of `...`, counted like Python's `str.count`.
fn count_ellipses(chars: &[char]) -> usize {
    let (mut count, mut i) = (0, 0);
    while i + 3 <= chars.len() {
        if chars[i..i + 3] == ['.', '.', '.'] {
            count += 1;
            i += 3;
        } else {
            i += 1;
        }
    }
    count
}

fn add_token(
    (token, column): (String, usize),
    side: &mut Side,
    group: &mut Option<(Vec<(Atom, usize)>, usize)>,
    names: &mut Vec<(String, usize)>,
    rules: Rules,
) -> Result<(), ParseFailure> {
    let atom = classify(&token, column, rules)?;
    match &atom {
        Some(Atom::Named(name)) => {
            let repeatable = rules.allow_duplicates || (rules.allow_underscore && name == "_");
            if let Some((_, first)) = names.iter().find(|(n, _)| n == name) {
                if !repeatable {
                    return Err((
                        PatternErrorKind::DuplicateAxis(name.clone()),
                        vec![*first, column],
                    ));
                }
            }
            names.push((name.clone(), column));
        }
        Some(Atom::Ellipsis) if group.is_none() => {
            side.items.push(Item::Ellipsis { column });
            return Ok(());
        }
        _ => {}
    }
    match (group, atom) {
        (Some((atoms, _)), Some(atom)) => atoms.push((atom, column)),
        (Some(_), None) => {} // `1` inside a group is no axis at all
        (None, atom) => side.items.push(Item::Group {
            atoms: atom.map(|a| (a, column)).into_iter().collect(),
            column,
        }),
    }
    Ok(())
}

/// Classifies a token; `None` is the unit axis `1`.
fn classify(token: &str, column: usize, rules: Rules) -> Result<Option<Atom>, ParseFailure> {
    if token == "…" {
        return Ok(Some(Atom::Ellipsis));
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros are allowed (`01` is 1); more digits than usize holds cannot be a length.
        let length = token.parse::<usize>().unwrap_or(usize::MAX);
        return match length {
            0 => Err((
                PatternErrorKind::AnonymousAxisZero,
                token_columns(token, column),
            )),
            1 => Ok(None),
            n => Ok(Some(Atom::Anonymous(n))),
        };
    }
    match identifier_problem(token, rules.allow_underscore) {
        None => Ok(Some(Atom::Named(token.to_owned()))),
        Some(reason) => Err((
            PatternErrorKind::InvalidIdentifier {
                token: token.to_owned(),
                reason,
            },
            token_columns(token, column),
        )),
    }
}

/// Every column a token covers (an ellipsis inside it, shown as `…`, covers three).
fn token_columns(token: &str, column: usize) -> Vec<usize> {
    let width: usize = token.chars().map(|c| if c == '…' { 3 } else { 1 }).sum();
    (column..column + width).collect()
}

/// Why `name` is not a valid axis name, or `None` if it is one.
///
/// Valid names are Python identifiers that neither start nor end with `_`.
///
/// ```
/// use einops_pattern::parse::identifier_problem;
/// assert_eq!(identifier_problem("héllo", false), None);
/// assert!(identifier_problem("1a", false).is_some());
/// assert!(identifier_problem("_x", false).is_some());
/// ```
pub fn identifier_problem(name: &str, allow_underscore: bool) -> Option<&'static str> {
    let mut chars = name.chars();
    let is_identifier = chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue);
    if !is_identifier {
        return Some("not a valid identifier");
    }
    if name == "_" && allow_underscore {
        return None;
    }
    if name.starts_with('_') || name.ends_with('_') {
        return Some("axis names cannot start or end with an underscore");
    }
    None
}
