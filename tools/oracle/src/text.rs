//! Reading pattern text back into a [`Case`], so that the oracle can check what the library
//! returns for patterns it did not generate (the fuzz targets feed arbitrary text).

use crate::case::{push_axis, Atom, AxisDef, AxisKind, Case, Item, Layout, Op, Values};

impl Case {
    /// The case of `pattern` for `op` with `lengths`, on one standard-layout input of `shape`
    /// whose values come from `seed`. `None` if the text is not a pattern of the grammar the
    /// oracle knows (one `->`; items split by whitespace; `(`..`)` groups; `...`; numbers, `1`
    /// meaning a unit; any other word a name) or names a length the pattern lacks. It checks
    /// no other rule: call it only for patterns the library accepted.
    ///
    /// ```
    /// use einops_oracle::{Case, Op};
    /// let case = Case::from_text(Op::Repeat, "a -> (a r)", &[("r".into(), 2)], &[3], 0).unwrap();
    /// assert_eq!(case.pattern(), "a -> (a r)");
    /// assert!(Case::from_text(Op::Rearrange, "a (b -> a b", &[], &[3], 0).is_none());
    /// ```
    pub fn from_text(
        op: Op,
        pattern: &str,
        lengths: &[(String, usize)],
        shape: &[usize],
        seed: u64,
    ) -> Option<Case> {
        let (left, right) = pattern.split_once("->")?;
        let mut axes = Vec::new();
        let left = read_side(left, &mut axes)?;
        let right = read_side(right, &mut axes)?;
        let named = |name: &str| {
            axes.iter()
                .any(|axis: &AxisDef| axis.kind == AxisKind::Named && axis.name == name)
        };
        if !lengths.iter().all(|(name, _)| named(name)) {
            return None;
        }
        let fixed = left.iter().filter(|item| !item.is_bare_ellipsis()).count();
        let dims = if left.iter().any(Item::is_bare_ellipsis) {
            shape.len().saturating_sub(fixed)
        } else {
            0
        };
        let ellipsis = (0..dims)
            .map(|i| push_axis(&mut axes, &format!("…{i}"), 0, AxisKind::Ellipsis))
            .collect();
        Some(Case {
            op,
            axes,
            ellipsis,
            left,
            right,
            lengths: lengths.to_vec(),
            list: false,
            shape: shape.to_vec(),
            layout: Layout::standard(shape.len()),
            values: Values {
                seed,
                spread: 3,
                big: false,
            },
            compact: false,
        })
    }
}

/// The items of one side; names are shared across sides through `axes`, numbers are new axes
/// at each occurrence.
fn read_side(text: &str, axes: &mut Vec<AxisDef>) -> Option<Vec<Item>> {
    let spaced = text
        .replace("...", " ... ")
        .replace('(', " ( ")
        .replace(')', " ) ");
    let mut items = Vec::new();
    let mut group: Option<Vec<Atom>> = None;
    for token in spaced.split_whitespace() {
        let atom = match token {
            "(" if group.is_none() => {
                group = Some(Vec::new());
                continue;
            }
            ")" => {
                items.push(Item {
                    atoms: group.take()?,
                    paren: true,
                });
                continue;
            }
            "(" => return None,
            "..." => Atom::Ellipsis,
            number if number.bytes().all(|b| b.is_ascii_digit()) => match number.parse().ok()? {
                1 => Atom::One,
                len => Atom::Axis(push_axis(axes, number, len, AxisKind::Anonymous)),
            },
            name => Atom::Axis(
                axes.iter()
                    .position(|axis| axis.kind == AxisKind::Named && axis.name == name)
                    .unwrap_or_else(|| push_axis(axes, name, 0, AxisKind::Named)),
            ),
        };
        match &mut group {
            Some(atoms) => atoms.push(atom),
            None => items.push(Item::bare(atom)),
        }
    }
    group.is_none().then_some(items)
}
