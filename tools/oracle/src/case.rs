//! Test cases: a pattern as a tree of axes, the lengths given, and how the input is laid out
//! and passed. [`Case::decode`] builds a valid case from a stream of choice bytes.

use std::fmt;

use ndarray::{ArrayBase, ArrayD, IxDyn, RawData, Slice};

use crate::reference::Elem;

/// Index of an elementary axis in [`Case::axes`].
pub type AxisId = usize;

/// Names of the named axes: the first four are left axes, the rest new axes of repeat. They mix
/// lengths, digits, underscores, case and a non-ASCII letter, all valid einops identifiers.
pub const NAMES: [&str; 6] = ["a", "b", "h2", "w_1", "α", "Zz"];
/// Name of the list axis (the first left item when the input is a list of arrays).
pub const LIST_NAME: &str = "lst";
/// Axis lengths, indexed by one choice byte: zero bytes give 2, and 0 comes up once in 32 draws
/// so that empty arrays are tested without making many cases empty.
pub const LENGTHS: [usize; 32] = [
    2, 3, 4, 1, 2, 3, 5, 2, 3, 4, 1, 2, 3, 4, 2, 3, 1, 2, 3, 4, 5, 2, 3, 1, 2, 3, 4, 2, 3, 1, 4, 0,
];
/// Upper bound on input elements, which keeps the oracle (and debug builds) fast.
pub const MAX_INPUT: usize = 2048;
/// Upper bound on output elements (repeat multiplies the input).
pub const MAX_OUTPUT: usize = 4096;
/// Choice bytes per case, more than the largest cases consume (about 150); a decoder that ran past
/// the end would read zeros, i.e. the simplest choices.
pub const CHOICE_BYTES: usize = 256;
/// Large odd factor that turns small values into ones whose `sum`/`prod` wrap around in `i64`.
pub const BIG: i64 = 0x0123_4567_89AB_CDEF;

pub const REARRANGE: &[Op] = &[Op::Rearrange];
pub const REPEAT: &[Op] = &[Op::Repeat];
pub const REDUCTIONS: &[Op] = &[
    Op::Reduce("sum"),
    Op::Reduce("mean"),
    Op::Reduce("min"),
    Op::Reduce("max"),
    Op::Reduce("prod"),
    Op::Reduce("any"),
    Op::Reduce("all"),
];
pub const ANY_ALL: &[Op] = &[Op::Reduce("any"), Op::Reduce("all")];
/// Every operation except integer `mean`, whose dtype error would compete with the shape error
/// (einops reports the shape error first; a port may legitimately check the dtype first).
pub const ALL_BUT_MEAN: &[Op] = &[
    Op::Rearrange,
    Op::Repeat,
    Op::Reduce("sum"),
    Op::Reduce("min"),
    Op::Reduce("max"),
    Op::Reduce("prod"),
    Op::Reduce("any"),
    Op::Reduce("all"),
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Rearrange,
    Reduce(&'static str),
    Repeat,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AxisKind {
    Named,
    /// A number ≥ 2 in the pattern; each occurrence is its own axis.
    Anonymous,
    /// One of the axes the ellipsis stands for (never written in the pattern).
    Ellipsis,
}

#[derive(Clone, Debug)]
pub struct AxisDef {
    /// The name, or the number for an anonymous axis.
    pub name: String,
    /// The length the input is built with (the oracle solves its own from the input shape).
    pub len: usize,
    pub kind: AxisKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Atom {
    Axis(AxisId),
    Ellipsis,
    /// A literal `1`: a unit dimension at top level, nothing at all inside a group.
    One,
}

/// One top-level item of a side: a bare atom, or a parenthesised group of atoms.
#[derive(Clone, Debug)]
pub struct Item {
    /// Exactly one atom when not parenthesised.
    pub atoms: Vec<Atom>,
    pub paren: bool,
}

impl Item {
    pub fn bare(atom: Atom) -> Item {
        Item {
            atoms: vec![atom],
            paren: false,
        }
    }

    /// A bare `...`, which stands for one dimension per ellipsis axis (all other items are one
    /// dimension each).
    pub fn is_bare_ellipsis(&self) -> bool {
        !self.paren && self.atoms == [Atom::Ellipsis]
    }

    pub fn axis_ids(&self) -> impl Iterator<Item = AxisId> + '_ {
        self.atoms.iter().filter_map(|atom| match atom {
            Atom::Axis(id) => Some(*id),
            _ => None,
        })
    }
}

/// How the input arrays are laid out in memory and passed. Each array is made from a larger
/// standard-layout `base`: base axis `i` holds logical axis `perm[i]`, stretched by
/// `|steps[axis]|`, and [`Layout::arrange`] permutes it back and slices with that step (negative:
/// reversed). The identity layout is a plain standard array.
#[derive(Clone, Debug)]
pub struct Layout {
    pub perm: Vec<usize>,
    pub steps: Vec<isize>,
    pub pass: Pass,
    /// Pass a single view with a fixed-rank dimension type (`Ix0`..`Ix3`) instead of `IxDyn`.
    pub fixed_dim: bool,
}

/// How the input reaches the library.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pass {
    /// `&Array` (`&[Array]` for lists); only for the identity layout, as the base is the input.
    Borrowed,
    /// `&ArrayView` (`&[ArrayView]`).
    View,
    /// `Array` (`Vec<Array>`) by value, strides and all: the path where the library may reuse the
    /// buffer, which it must only do when the memory order allows.
    Owned,
}

impl Layout {
    pub fn standard(ndim: usize) -> Layout {
        Layout {
            perm: (0..ndim).collect(),
            steps: vec![1; ndim],
            pass: Pass::Borrowed,
            fixed_dim: false,
        }
    }

    pub fn base<T>(&self, shape: &[usize], mut value: impl FnMut(u64) -> T) -> ArrayD<T> {
        let base_shape: Vec<usize> = self
            .perm
            .iter()
            .map(|&axis| shape[axis] * self.steps[axis].unsigned_abs())
            .collect();
        let mut counter = 0;
        ArrayD::from_shape_fn(base_shape, |_| {
            counter += 1;
            value(counter)
        })
    }

    /// Turns `base` (or a view of it) into the array of the logical shape the layout was built
    /// for, without copying. The identity layout (also when empty) leaves arrays of any rank as
    /// they are.
    pub fn arrange<S: RawData>(&self, base: ArrayBase<S, IxDyn>) -> ArrayBase<S, IxDyn> {
        let identity = self.perm.iter().enumerate().all(|(i, &p)| i == p);
        if identity && self.steps.iter().all(|&step| step == 1) {
            return base;
        }
        let mut inverse = vec![0; self.perm.len()];
        for (i, &axis) in self.perm.iter().enumerate() {
            inverse[axis] = i;
        }
        let mut array = base.permuted_axes(inverse);
        array.slice_each_axis_inplace(|axis| Slice::new(0, None, self.steps[axis.axis.index()]));
        array
    }
}

/// Element values: a hash of (seed, array, position) mapped to `-spread..=spread`.
#[derive(Clone, Copy, Debug)]
pub struct Values {
    pub seed: u64,
    pub spread: i64,
    /// Scale integers by [`BIG`] so that integer `sum`/`prod` wrap.
    pub big: bool,
}

impl Values {
    pub fn get<T: Elem>(&self, array: u64, position: u64) -> T {
        // splitmix64
        let mut z = self
            .seed
            .wrapping_add(array.wrapping_mul(0xD1B5_4A32_D192_ED03))
            .wrapping_add(position.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let small = (z % (2 * self.spread as u64 + 1)) as i64 - self.spread;
        T::from_small(small, self.big)
    }
}

/// One generated test case: the pattern tree, the lengths passed to the library and the input.
#[derive(Clone)]
pub struct Case {
    pub op: Op,
    pub axes: Vec<AxisDef>,
    /// The axes the ellipsis stands for, in order (possibly none).
    pub ellipsis: Vec<AxisId>,
    pub left: Vec<Item>,
    pub right: Vec<Item>,
    pub lengths: Vec<(String, usize)>,
    /// Pass the input as a list of `shape[0]` arrays of shape `shape[1..]`.
    pub list: bool,
    /// The (stacked) input shape.
    pub shape: Vec<usize>,
    pub layout: Layout,
    pub values: Values,
    /// Render without spaces next to parentheses and the arrow.
    pub compact: bool,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Op::Rearrange => "rearrange".to_string(),
            Op::Reduce(reduction) => format!("reduce[{reduction}]"),
            Op::Repeat => "repeat".to_string(),
        };
        write!(
            f,
            "{op} {:?} lengths={:?} input={}{:?} {:?} {:?}",
            self.pattern(),
            self.lengths,
            if self.list { "list of " } else { "" },
            self.shape,
            self.layout,
            self.values
        )
    }
}

impl Case {
    /// Decodes a valid case for `op` from choice bytes. `force_list` makes the input a list of at
    /// least two arrays.
    pub fn decode(op: Op, bytes: &[u8], seed: u64, force_list: bool) -> Case {
        let c = &mut Choices::new(bytes);
        let is_reduce = matches!(op, Op::Reduce(_));
        let mut axes = Vec::new();
        let named: Vec<AxisId> = (0..c.below(5))
            .map(|i| push_axis(&mut axes, NAMES[i], c.length(), AxisKind::Named))
            .collect();
        let list_axis = (force_list || c.one_in(5)).then(|| {
            let len = if force_list {
                2 + c.below(2)
            } else {
                1 + c.below(3)
            };
            push_axis(&mut axes, LIST_NAME, len, AxisKind::Named)
        });
        let ellipsis: Option<Vec<AxisId>> = c.one_in(2).then(|| {
            (0..c.below(4))
                .map(|i| push_axis(&mut axes, &format!("…{i}"), c.length(), AxisKind::Ellipsis))
                .collect()
        });
        let anonymous = |axes: &mut Vec<AxisDef>, c: &mut Choices| {
            let len = 2 + c.below(2);
            push_axis(axes, &len.to_string(), len, AxisKind::Anonymous)
        };
        // Reduce: numbers on the left (pooling). Repeat: new names and numbers on the right.
        let left_anonymous: Vec<AxisId> = match op {
            Op::Reduce(_) => (0..c.below(3)).map(|_| anonymous(&mut axes, c)).collect(),
            _ => Vec::new(),
        };
        let (new_named, new_anonymous): (Vec<AxisId>, Vec<AxisId>) = match op {
            Op::Repeat => (
                (0..c.below(3))
                    .map(|i| push_axis(&mut axes, NAMES[4 + i], c.length(), AxisKind::Named))
                    .collect(),
                (0..c.below(3)).map(|_| anonymous(&mut axes, c)).collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let new: Vec<AxisId> = new_named.iter().chain(&new_anonymous).copied().collect();
        cap_lengths(&mut axes, &new, list_axis);

        let mut left_atoms: Vec<Atom> = named
            .iter()
            .chain(&left_anonymous)
            .map(|&id| Atom::Axis(id))
            .collect();
        c.shuffle(&mut left_atoms);
        let mut left = c.group(left_atoms);
        c.insert_units(&mut left);
        if ellipsis.is_some() {
            let at = c.below(left.len() + 1);
            left.insert(at, Item::bare(Atom::Ellipsis));
        }
        if let Some(id) = list_axis {
            left.insert(0, Item::bare(Atom::Axis(id)));
        }

        let kept: Vec<AxisId> = list_axis
            .iter()
            .chain(&named)
            .copied()
            .filter(|_| !(is_reduce && c.one_in(2)))
            .collect();
        let mut right_atoms: Vec<Atom> =
            kept.iter().chain(&new).map(|&id| Atom::Axis(id)).collect();
        c.shuffle(&mut right_atoms);
        let right_ellipsis = ellipsis.is_some() && !(is_reduce && c.one_in(2));
        let grouped_ellipsis = right_ellipsis && c.one_in(2);
        if grouped_ellipsis {
            let at = c.below(right_atoms.len() + 1);
            right_atoms.insert(at, Atom::Ellipsis);
        }
        let mut right = c.group(right_atoms);
        c.insert_units(&mut right);
        if right_ellipsis && !grouped_ellipsis {
            let at = c.below(right.len() + 1);
            right.insert(at, Item::bare(Atom::Ellipsis));
        }

        let mut lengths = Vec::new();
        for item in &left {
            let ids: Vec<AxisId> = item.axis_ids().collect();
            let mut given: Vec<bool> = ids
                .iter()
                .map(|&id| axes[id].kind == AxisKind::Anonymous || c.one_in(3))
                .collect();
            // einops can infer at most one length per group...
            let unknown: Vec<usize> = (0..ids.len()).filter(|&j| !given[j]).collect();
            if unknown.len() > 1 {
                let keep = c.below(unknown.len());
                for (n, &j) in unknown.iter().enumerate() {
                    given[j] = n != keep;
                }
            }
            // ...and cannot divide by a known product of zero.
            if let Some(j) = given.iter().position(|&g| !g) {
                let known: usize = ids
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != j)
                    .map(|(_, &id)| axes[id].len)
                    .product();
                given[j] = known == 0;
            }
            for (&id, &g) in ids.iter().zip(&given) {
                if g && axes[id].kind == AxisKind::Named {
                    lengths.push((axes[id].name.clone(), axes[id].len));
                }
            }
        }
        for &id in &new_named {
            lengths.push((axes[id].name.clone(), axes[id].len));
        }
        c.shuffle(&mut lengths);

        let ellipsis = ellipsis.unwrap_or_default();
        let shape = input_shape(&left, &ellipsis, &axes);
        let ndim = shape.len() - usize::from(list_axis.is_some());
        let mut perm: Vec<usize> = (0..ndim).collect();
        if c.one_in(3) {
            c.shuffle(&mut perm);
        }
        let steps: Vec<isize> = if c.one_in(2) {
            (0..ndim).map(|_| [1, -1, 2, -2][c.below(4)]).collect()
        } else {
            vec![1; ndim]
        };
        let strided =
            perm.iter().enumerate().any(|(i, &p)| i != p) || steps.iter().any(|&s| s != 1);
        let pass = match c.below(3) {
            0 if !strided => Pass::Borrowed,
            0 | 1 => Pass::View,
            _ => Pass::Owned,
        };
        let layout = Layout {
            perm,
            steps,
            pass,
            fixed_dim: pass == Pass::View && list_axis.is_none() && ndim <= 3 && c.one_in(3),
        };
        // f64 products of many values of magnitude ≥ 2 could overflow to inf and then depend on
        // the order of the factors (inf · 0 = NaN); products of -1, 0, 1 are exact in any order.
        let spread = if op == Op::Reduce("prod") {
            1
        } else {
            1 + c.below(3) as i64
        };
        let values = Values {
            seed,
            spread,
            big: c.one_in(4),
        };
        Case {
            op,
            axes,
            ellipsis,
            left,
            right,
            lengths,
            list: list_axis.is_some(),
            shape,
            layout,
            values,
            compact: c.one_in(4),
        }
    }

    pub fn pattern(&self) -> String {
        let side = |items: &[Item]| -> String {
            let items: Vec<String> = items
                .iter()
                .map(|item| {
                    let atoms: Vec<&str> = item
                        .atoms
                        .iter()
                        .map(|atom| match atom {
                            Atom::Axis(id) => self.axes[*id].name.as_str(),
                            Atom::Ellipsis => "...",
                            Atom::One => "1",
                        })
                        .collect();
                    let atoms = atoms.join(" ");
                    if item.paren {
                        format!("({atoms})")
                    } else {
                        atoms
                    }
                })
                .collect();
            items.join(" ")
        };
        let (left, right) = (side(&self.left), side(&self.right));
        if self.compact {
            format!("{left}->{right}")
                .replace(" (", "(")
                .replace(") ", ")")
        } else {
            format!("{left} -> {right}")
        }
    }

    /// Left axes missing on the right, in left order.
    pub fn reduced_axes(&self) -> Vec<AxisId> {
        let right: Vec<AxisId> = side_dims(&self.right, &self.ellipsis).concat();
        side_dims(&self.left, &self.ellipsis)
            .concat()
            .into_iter()
            .filter(|id| !right.contains(id))
            .collect()
    }

    /// Makes one left length contradict the input: a given length gets another value, or an
    /// input dimension changes. The result is usually a shape error, but not always (`(a b)` with
    /// `b` inferred may still divide); the oracle decides.
    pub fn contradict(&mut self, c: &mut Choices) {
        let named: Vec<AxisId> = self
            .left
            .iter()
            .flat_map(Item::axis_ids)
            .filter(|&id| self.axes[id].kind == AxisKind::Named)
            .collect();
        let dims: Vec<usize> = {
            let mut dim = 0;
            let mut dims = Vec::new();
            for item in &self.left {
                if item.is_bare_ellipsis() {
                    dim += self.ellipsis.len();
                } else {
                    // The list length stays: an empty list is another kind of error.
                    if !(self.list && dim == 0) {
                        dims.push(dim);
                    }
                    dim += 1;
                }
            }
            dims
        };
        if !named.is_empty() && (dims.is_empty() || !c.one_in(3)) {
            let axis = &self.axes[named[c.below(named.len())]];
            let value = (axis.len + 1 + c.below(5)) % 6;
            self.lengths.retain(|(name, _)| *name != axis.name);
            self.lengths.push((axis.name.clone(), value));
        } else if !dims.is_empty() {
            let dim = dims[c.below(dims.len())];
            self.shape[dim] = (self.shape[dim] + 1 + c.below(5)) % 6;
        }
    }

    /// Gives the input a number of dimensions the pattern rejects; false if there is none (the
    /// left side is just `...`). The input becomes one standard-layout array.
    pub fn break_rank(&mut self, c: &mut Choices) -> bool {
        let fixed = self
            .left
            .iter()
            .filter(|item| !item.is_bare_ellipsis())
            .count();
        if !self.ellipsis_on_left() && (fixed == 0 || c.one_in(2)) {
            for _ in 0..=c.below(2) {
                let at = c.below(self.shape.len() + 1);
                self.shape.insert(at, 1 + c.below(3));
            }
        } else if fixed > 0 {
            self.shape.truncate(c.below(fixed));
        } else {
            return false;
        }
        self.list = false;
        self.layout = Layout::standard(self.shape.len());
        true
    }

    /// Sets one reduced axis (named, or one the ellipsis stands for) to length 0 and gives every
    /// length of its group, so that the case stays solvable. If no such axis is reduced, a named
    /// left axis is first dropped from the right side. False if there is none (reduce only).
    pub fn empty_a_reduced_axis(&mut self, c: &mut Choices) -> bool {
        // Not the list axis: an empty list is another kind of error.
        let emptiable = |axis: &AxisDef| axis.kind != AxisKind::Anonymous && axis.name != LIST_NAME;
        let mut candidates: Vec<AxisId> = self
            .reduced_axes()
            .into_iter()
            .filter(|&id| emptiable(&self.axes[id]))
            .collect();
        if candidates.is_empty() {
            let named: Vec<AxisId> = self
                .left
                .iter()
                .flat_map(Item::axis_ids)
                .filter(|&id| emptiable(&self.axes[id]))
                .collect();
            if named.is_empty() {
                return false;
            }
            let dropped = named[c.below(named.len())];
            for item in &mut self.right {
                item.atoms.retain(|&atom| atom != Atom::Axis(dropped));
            }
            self.right
                .retain(|item| item.paren || !item.atoms.is_empty());
            candidates.push(dropped);
        }
        let emptied = candidates[c.below(candidates.len())];
        self.axes[emptied].len = 0;
        if let Some(group) = self
            .left
            .iter()
            .find(|item| item.axis_ids().any(|id| id == emptied))
        {
            for id in group.axis_ids() {
                let axis = &self.axes[id];
                if axis.kind == AxisKind::Named {
                    self.lengths.retain(|(name, _)| *name != axis.name);
                    self.lengths.push((axis.name.clone(), axis.len));
                }
            }
        }
        self.shape = input_shape(&self.left, &self.ellipsis, &self.axes);
        true
    }

    pub fn ellipsis_on_left(&self) -> bool {
        self.left.iter().any(Item::is_bare_ellipsis)
    }
}

pub fn push_axis(axes: &mut Vec<AxisDef>, name: &str, len: usize, kind: AxisKind) -> AxisId {
    axes.push(AxisDef {
        name: name.to_string(),
        len,
        kind,
    });
    axes.len() - 1
}

/// Shortens the longest adjustable axes until input and output fit [`MAX_INPUT`] and
/// [`MAX_OUTPUT`]. Anonymous axes (fixed by the pattern text) and the list axis (at most 3) stay.
pub fn cap_lengths(axes: &mut [AxisDef], new: &[AxisId], list_axis: Option<AxisId>) {
    let product = |axes: &[AxisDef], skip_new: bool| -> usize {
        (0..axes.len())
            .filter(|id| !(skip_new && new.contains(id)))
            .map(|id| axes[id].len)
            .product()
    };
    while product(axes, true) > MAX_INPUT || product(axes, false) > MAX_OUTPUT {
        let longest = (0..axes.len())
            .filter(|&id| axes[id].kind != AxisKind::Anonymous && Some(id) != list_axis)
            .max_by_key(|&id| axes[id].len)
            .expect("anonymous and list axes alone stay far below the caps");
        axes[longest].len -= 1;
    }
}

/// The input shape a left side describes with the lengths the case is built with.
pub fn input_shape(left: &[Item], ellipsis: &[AxisId], axes: &[AxisDef]) -> Vec<usize> {
    side_dims(left, ellipsis)
        .iter()
        .map(|dim| dim.iter().map(|&id| axes[id].len).product())
        .collect()
}

/// The elementary axes of each dimension a side describes, row-major within a dimension.
pub fn side_dims(side: &[Item], ellipsis: &[AxisId]) -> Vec<Vec<AxisId>> {
    let mut dims = Vec::new();
    for item in side {
        if item.is_bare_ellipsis() {
            dims.extend(ellipsis.iter().map(|&id| vec![id]));
            continue;
        }
        let mut dim = Vec::new();
        for atom in &item.atoms {
            match atom {
                Atom::Axis(id) => dim.push(*id),
                Atom::Ellipsis => dim.extend_from_slice(ellipsis),
                Atom::One => {}
            }
        }
        dims.push(dim);
    }
    dims
}

/// A cursor over random bytes. Past the end every choice is 0, and 0 is always the simplest
/// option, so that shrinking the bytes simplifies the case.
pub struct Choices<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Choices<'a> {
    pub fn new(bytes: &'a [u8]) -> Choices<'a> {
        Choices { bytes, pos: 0 }
    }

    /// A number in `0..n` (0 for `n <= 1`, without consuming a byte).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let byte = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        usize::from(byte) % n
    }

    /// True with probability `1/n`; a zero byte gives false.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == n - 1
    }

    pub fn length(&mut self) -> usize {
        LENGTHS[self.below(LENGTHS.len())]
    }

    /// Fisher–Yates; zero bytes leave the order unchanged.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = i - self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// Splits atoms into top-level items: runs of atoms become groups, single atoms are bare or
    /// `(x)`, a lone ellipsis is always `(...)`, and groups sometimes carry a no-op `1`.
    pub fn group(&mut self, atoms: Vec<Atom>) -> Vec<Item> {
        let mut groups: Vec<Vec<Atom>> = Vec::new();
        for atom in atoms {
            match groups.last_mut() {
                Some(group) if self.one_in(3) => group.push(atom),
                _ => groups.push(vec![atom]),
            }
        }
        groups
            .into_iter()
            .map(|mut atoms| {
                let paren = atoms.len() > 1 || atoms == [Atom::Ellipsis] || self.one_in(4);
                if paren && self.one_in(6) {
                    let at = self.below(atoms.len() + 1);
                    atoms.insert(at, Atom::One);
                }
                Item { atoms, paren }
            })
            .collect()
    }

    /// Inserts up to two unit items, spelt `1`, `()` or `(1)`.
    pub fn insert_units(&mut self, items: &mut Vec<Item>) {
        for _ in 0..self.below(3) {
            let unit = match self.below(3) {
                0 => Item::bare(Atom::One),
                1 => Item {
                    atoms: Vec::new(),
                    paren: true,
                },
                _ => Item {
                    atoms: vec![Atom::One],
                    paren: true,
                },
            };
            let at = self.below(items.len() + 1);
            items.insert(at, unit);
        }
    }
}
