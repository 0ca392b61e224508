//! Property tests: `einops::dynamic::{rearrange, reduce, repeat}` against a naive oracle.
//!
//! The oracle shares nothing with the library's planner. The generator builds each pattern as a
//! small tree ([`Item`]s of [`Atom`]s) and renders it to text for the library; the oracle works on
//! the tree. It solves the axis lengths the way einops 0.8.2 does (semantics reference §2.2, steps
//! 6 and 9), then computes every output element by plain index arithmetic: split the output index
//! of each right group row-major into elementary indices (first axis slowest), recompose the index
//! of each left group row-major, read the input element, and fold over every combination of the
//! reduced axes. Axes that only the right side has (repeat) simply do not take part in the input
//! index.
//!
//! Patterns are decoded from a flat stream of random bytes ([`Choices`]) instead of nested
//! strategies: later decisions (which axes reach the right side, which lengths must be given so
//! that every left group can be solved) depend on earlier ones, and a zero byte always decodes to
//! the simplest option, so proptest's shrinking (towards shorter/zero bytes) shrinks a failure
//! towards the simplest pattern that still fails.
//!
//! Elements are small integers (`i64`, also as `f64` and `bool`), so sums are exact and results
//! can be compared exactly; only `mean` is compared with a tolerance.
//!
//! Reading a failure: every assertion message ends with the failing case (operation, pattern,
//! lengths, input shape, layout). Properties that mutate a generated case in their body (wrong
//! rank, contradicting lengths, empty axes) show the mutated case there; proptest's "minimal
//! failing input" line shows it before the mutation.

use std::fmt;

use einops::{dynamic, Stage};
use ndarray::{ArrayBase, ArrayD, ArrayViewD, Ix0, Ix1, Ix2, Ix3, IxDyn, RawData, Slice};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Index of an elementary axis in [`Case::axes`].
type AxisId = usize;

/// Names of the named axes: the first four are left axes, the rest new axes of repeat. They mix
/// lengths, digits, underscores, case and a non-ASCII letter, all valid einops identifiers.
const NAMES: [&str; 6] = ["a", "b", "h2", "w_1", "α", "Zz"];
/// Name of the list axis (the first left item when the input is a list of arrays).
const LIST_NAME: &str = "lst";
/// Axis lengths, indexed by one choice byte: zero bytes give 2, and 0 comes up once in 32 draws
/// so that empty arrays are tested without making many cases empty.
const LENGTHS: [usize; 32] = [
    2, 3, 4, 1, 2, 3, 5, 2, 3, 4, 1, 2, 3, 4, 2, 3, 1, 2, 3, 4, 5, 2, 3, 1, 2, 3, 4, 2, 3, 1, 4, 0,
];
/// Upper bound on input elements, which keeps the oracle (and debug builds) fast.
const MAX_INPUT: usize = 2048;
/// Upper bound on output elements (repeat multiplies the input).
const MAX_OUTPUT: usize = 4096;
/// Choice bytes per case, more than the largest cases consume (about 150); a decoder that ran past
/// the end would read zeros, i.e. the simplest choices.
const CHOICE_BYTES: usize = 256;
/// Large odd factor that turns small values into ones whose `sum`/`prod` wrap around in `i64`.
const BIG: i64 = 0x0123_4567_89AB_CDEF;

const REARRANGE: &[Op] = &[Op::Rearrange];
const REPEAT: &[Op] = &[Op::Repeat];
const REDUCTIONS: &[Op] = &[
    Op::Reduce("sum"),
    Op::Reduce("mean"),
    Op::Reduce("min"),
    Op::Reduce("max"),
    Op::Reduce("prod"),
    Op::Reduce("any"),
    Op::Reduce("all"),
];
const ANY_ALL: &[Op] = &[Op::Reduce("any"), Op::Reduce("all")];
/// Every operation except integer `mean`, whose dtype error would compete with the shape error
/// (einops reports the shape error first; a port may legitimately check the dtype first).
const ALL_BUT_MEAN: &[Op] = &[
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
enum Op {
    Rearrange,
    Reduce(&'static str),
    Repeat,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum AxisKind {
    Named,
    /// A number ≥ 2 in the pattern; each occurrence is its own axis.
    Anonymous,
    /// One of the axes the ellipsis stands for (never written in the pattern).
    Ellipsis,
}

#[derive(Clone, Debug)]
struct AxisDef {
    /// The name, or the number for an anonymous axis.
    name: String,
    /// The length the input is built with (the oracle solves its own from the input shape).
    len: usize,
    kind: AxisKind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Atom {
    Axis(AxisId),
    Ellipsis,
    /// A literal `1`: a unit dimension at top level, nothing at all inside a group.
    One,
}

/// One top-level item of a side: a bare atom, or a parenthesised group of atoms.
#[derive(Clone, Debug)]
struct Item {
    /// Exactly one atom when not parenthesised.
    atoms: Vec<Atom>,
    paren: bool,
}

impl Item {
    fn bare(atom: Atom) -> Item {
        Item {
            atoms: vec![atom],
            paren: false,
        }
    }

    /// A bare `...`, which stands for one dimension per ellipsis axis (all other items are one
    /// dimension each).
    fn is_bare_ellipsis(&self) -> bool {
        !self.paren && self.atoms == [Atom::Ellipsis]
    }

    fn axis_ids(&self) -> impl Iterator<Item = AxisId> + '_ {
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
struct Layout {
    perm: Vec<usize>,
    steps: Vec<isize>,
    pass: Pass,
    /// Pass a single view with a fixed-rank dimension type (`Ix0`..`Ix3`) instead of `IxDyn`.
    fixed_dim: bool,
}

/// How the input reaches the library.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pass {
    /// `&Array` (`&[Array]` for lists); only for the identity layout, as the base is the input.
    Borrowed,
    /// `&ArrayView` (`&[ArrayView]`).
    View,
    /// `Array` (`Vec<Array>`) by value, strides and all: the path where the library may reuse the
    /// buffer, which it must only do when the memory order allows.
    Owned,
}

impl Layout {
    fn standard(ndim: usize) -> Layout {
        Layout {
            perm: (0..ndim).collect(),
            steps: vec![1; ndim],
            pass: Pass::Borrowed,
            fixed_dim: false,
        }
    }

    fn base<T>(&self, shape: &[usize], mut value: impl FnMut(u64) -> T) -> ArrayD<T> {
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
    fn arrange<S: RawData>(&self, base: ArrayBase<S, IxDyn>) -> ArrayBase<S, IxDyn> {
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
struct Values {
    seed: u64,
    spread: i64,
    /// Scale integers by [`BIG`] so that integer `sum`/`prod` wrap.
    big: bool,
}

impl Values {
    fn get<T: Elem>(&self, array: u64, position: u64) -> T {
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
struct Case {
    op: Op,
    axes: Vec<AxisDef>,
    /// The axes the ellipsis stands for, in order (possibly none).
    ellipsis: Vec<AxisId>,
    left: Vec<Item>,
    right: Vec<Item>,
    lengths: Vec<(String, usize)>,
    /// Pass the input as a list of `shape[0]` arrays of shape `shape[1..]`.
    list: bool,
    /// The (stacked) input shape.
    shape: Vec<usize>,
    layout: Layout,
    values: Values,
    /// Render without spaces next to parentheses and the arrow.
    compact: bool,
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
    fn decode(op: Op, bytes: &[u8], seed: u64, force_list: bool) -> Case {
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

    fn pattern(&self) -> String {
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
    fn reduced_axes(&self) -> Vec<AxisId> {
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
    fn contradict(&mut self, c: &mut Choices) {
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
    fn break_rank(&mut self, c: &mut Choices) -> bool {
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
    fn empty_a_reduced_axis(&mut self, c: &mut Choices) -> bool {
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

    fn ellipsis_on_left(&self) -> bool {
        self.left.iter().any(Item::is_bare_ellipsis)
    }
}

fn push_axis(axes: &mut Vec<AxisDef>, name: &str, len: usize, kind: AxisKind) -> AxisId {
    axes.push(AxisDef {
        name: name.to_string(),
        len,
        kind,
    });
    axes.len() - 1
}

/// Shortens the longest adjustable axes until input and output fit [`MAX_INPUT`] and
/// [`MAX_OUTPUT`]. Anonymous axes (fixed by the pattern text) and the list axis (at most 3) stay.
fn cap_lengths(axes: &mut [AxisDef], new: &[AxisId], list_axis: Option<AxisId>) {
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
fn input_shape(left: &[Item], ellipsis: &[AxisId], axes: &[AxisDef]) -> Vec<usize> {
    side_dims(left, ellipsis)
        .iter()
        .map(|dim| dim.iter().map(|&id| axes[id].len).product())
        .collect()
}

/// The elementary axes of each dimension a side describes, row-major within a dimension.
fn side_dims(side: &[Item], ellipsis: &[AxisId]) -> Vec<Vec<AxisId>> {
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
struct Choices<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Choices<'a> {
    fn new(bytes: &'a [u8]) -> Choices<'a> {
        Choices { bytes, pos: 0 }
    }

    /// A number in `0..n` (0 for `n <= 1`, without consuming a byte).
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let byte = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        usize::from(byte) % n
    }

    /// True with probability `1/n`; a zero byte gives false.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == n - 1
    }

    fn length(&mut self) -> usize {
        LENGTHS[self.below(LENGTHS.len())]
    }

    /// Fisher–Yates; zero bytes leave the order unchanged.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = i - self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// Splits atoms into top-level items: runs of atoms become groups, single atoms are bare or
    /// `(x)`, a lone ellipsis is always `(...)`, and groups sometimes carry a no-op `1`.
    fn group(&mut self, atoms: Vec<Atom>) -> Vec<Item> {
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
    fn insert_units(&mut self, items: &mut Vec<Item>) {
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

/// Element types under test, with the oracle's reference reductions.
trait Elem: einops::Reducible + fmt::Debug {
    fn from_small(value: i64, big: bool) -> Self;
    /// Reduces a non-empty list for `min`/`max`, any list for the others.
    fn fold(reduction: &str, values: &[Self]) -> Self;
    fn same(a: Self, b: Self) -> bool;
}

impl Elem for i64 {
    fn from_small(value: i64, big: bool) -> i64 {
        if big {
            value.wrapping_mul(BIG)
        } else {
            value
        }
    }

    fn fold(reduction: &str, values: &[i64]) -> i64 {
        let mut all = values.iter().copied();
        match reduction {
            "sum" => all.fold(0, i64::wrapping_add),
            "prod" => all.fold(1, i64::wrapping_mul),
            "min" => all.min().expect("min of an empty list is an error"),
            "max" => all.max().expect("max of an empty list is an error"),
            "any" => i64::from(all.any(|v| v != 0)),
            "all" => i64::from(all.all(|v| v != 0)),
            _ => unreachable!("{reduction} of i64 is not computed"),
        }
    }

    fn same(a: i64, b: i64) -> bool {
        a == b
    }
}

impl Elem for f64 {
    fn from_small(value: i64, _big: bool) -> f64 {
        value as f64
    }

    fn fold(reduction: &str, values: &[f64]) -> f64 {
        let mut all = values.iter().copied();
        match reduction {
            "sum" => all.sum(),
            // 0 / 0 = NaN for an empty mean, as in numpy.
            "mean" => all.sum::<f64>() / values.len() as f64,
            "prod" => all.product(),
            "min" => all
                .reduce(f64::min)
                .expect("min of an empty list is an error"),
            "max" => all
                .reduce(f64::max)
                .expect("max of an empty list is an error"),
            "any" => f64::from(u8::from(all.any(|v| v != 0.0))),
            "all" => f64::from(u8::from(all.all(|v| v != 0.0))),
            _ => unreachable!("unknown reduction {reduction}"),
        }
    }

    fn same(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + b.abs())
    }
}

impl Elem for bool {
    fn from_small(value: i64, _big: bool) -> bool {
        value != 0
    }

    fn fold(reduction: &str, values: &[bool]) -> bool {
        match reduction {
            "any" => values.iter().any(|&v| v),
            "all" => values.iter().all(|&v| v),
            _ => unreachable!("{reduction} of bool is not computed"),
        }
    }

    fn same(a: bool, b: bool) -> bool {
        a == b
    }
}

/// Calls `f` with every index of `shape` in row-major order (once for a 0-d shape, never for an
/// empty one).
fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut index = vec![0; shape.len()];
    loop {
        f(&index);
        let mut d = shape.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

/// Solves every elementary length from the given lengths and the input shape, as einops does:
/// rank first, then each left group in order (no unknown: the product must match; one unknown:
/// the known product must divide the dimension).
fn solve(case: &Case, shape: &[usize]) -> Result<Vec<usize>, Stage> {
    let fixed = case
        .left
        .iter()
        .filter(|item| !item.is_bare_ellipsis())
        .count();
    let rank_ok = if case.ellipsis_on_left() {
        shape.len() >= fixed
    } else {
        shape.len() == fixed
    };
    if !rank_ok {
        return Err(Stage::Rank);
    }
    assert_eq!(
        shape.len() - fixed,
        if case.ellipsis_on_left() {
            case.ellipsis.len()
        } else {
            0
        },
        "the generator changes the rank only to break it"
    );
    let mut lens: Vec<Option<usize>> = case
        .axes
        .iter()
        .map(|axis| (axis.kind == AxisKind::Anonymous).then_some(axis.len))
        .collect();
    for (name, value) in &case.lengths {
        let id = case
            .axes
            .iter()
            .position(|axis| axis.name == *name)
            .expect("named axis");
        lens[id] = Some(*value);
    }
    let mut dims = shape.iter().copied();
    for item in &case.left {
        if item.is_bare_ellipsis() {
            for &id in &case.ellipsis {
                lens[id] = dims.next();
            }
            continue;
        }
        let dim = dims.next().expect("rank checked");
        let known: usize = item.axis_ids().filter_map(|id| lens[id]).product();
        let unknown: Vec<AxisId> = item.axis_ids().filter(|&id| lens[id].is_none()).collect();
        match unknown[..] {
            [] if dim != known => return Err(Stage::Shape),
            [] => {}
            [_] if known == 0 || dim % known != 0 => return Err(Stage::Shape),
            [id] => lens[id] = Some(dim / known),
            _ => unreachable!("the generator leaves at most one unknown length per group"),
        }
    }
    Ok(lens
        .into_iter()
        .map(|len| len.expect("every axis is on the left or given"))
        .collect())
}

/// What the library must return for `case` on an input of `shape` read through `read`: the
/// array, or the stage of the error.
fn expected<T: Elem>(
    case: &Case,
    shape: &[usize],
    read: &dyn Fn(&[usize]) -> T,
) -> Result<ArrayD<T>, Stage> {
    let lens = solve(case, shape)?;
    let reduced = case.reduced_axes();
    let reduction = match case.op {
        // Without a reduced axis the reduction is never applied (values and dtype unchanged).
        Op::Reduce(reduction) if !reduced.is_empty() => Some(reduction),
        _ => None,
    };
    match reduction {
        Some("mean") if !T::IS_FLOAT => return Err(Stage::Dtype),
        Some("min" | "max") if reduced.iter().any(|&id| lens[id] == 0) => return Err(Stage::Shape),
        _ => {}
    }

    let in_dims = side_dims(&case.left, &case.ellipsis);
    let out_dims = side_dims(&case.right, &case.ellipsis);
    let out_shape: Vec<usize> = out_dims
        .iter()
        .map(|dim| dim.iter().map(|&id| lens[id]).product())
        .collect();
    let reduced_shape: Vec<usize> = reduced.iter().map(|&id| lens[id]).collect();
    // The current index of every elementary axis.
    let mut at = vec![0; case.axes.len()];
    let mut in_index = vec![0; in_dims.len()];
    let mut values = Vec::new();
    let mut out = Vec::new();
    for_each_index(&out_shape, |out_index| {
        for (dim, &index) in out_dims.iter().zip(out_index) {
            let mut rest = index;
            for &id in dim.iter().rev() {
                at[id] = rest % lens[id];
                rest /= lens[id];
            }
        }
        values.clear();
        for_each_index(&reduced_shape, |reduced_index| {
            for (&id, &index) in reduced.iter().zip(reduced_index) {
                at[id] = index;
            }
            for (slot, dim) in in_index.iter_mut().zip(&in_dims) {
                *slot = dim.iter().fold(0, |acc, &id| acc * lens[id] + at[id]);
            }
            values.push(read(&in_index));
        });
        out.push(match reduction {
            Some(reduction) => T::fold(reduction, &values),
            None => values[0],
        });
    });
    Ok(ArrayD::from_shape_vec(out_shape, out).expect("one element per output index"))
}

/// Runs the library on `arrays` (the list elements, or the one input array) as the case says.
fn run<T: Elem>(
    case: &Case,
    arrays: &[ArrayD<T>],
    views: &[ArrayViewD<'_, T>],
) -> Result<ArrayD<T>, einops::Error> {
    let pattern = case.pattern();
    let lengths: Vec<(&str, usize)> = case
        .lengths
        .iter()
        .map(|(name, value)| (name.as_str(), *value))
        .collect();
    macro_rules! call {
        ($input:expr) => {
            match case.op {
                Op::Rearrange => dynamic::rearrange($input, &pattern, &lengths),
                Op::Reduce(reduction) => dynamic::reduce($input, &pattern, reduction, &lengths),
                Op::Repeat => dynamic::repeat($input, &pattern, &lengths),
            }
        };
    }
    let owned = || arrays.iter().map(|a| case.layout.arrange(a.clone()));
    match (case.list, case.layout.pass) {
        (true, Pass::Borrowed) => return call!(arrays),
        (true, Pass::View) => return call!(views),
        (true, Pass::Owned) => return call!(owned().collect::<Vec<_>>()),
        (false, Pass::Borrowed) => return call!(&arrays[0]),
        (false, Pass::Owned) => return call!(owned().next().unwrap()),
        (false, Pass::View) => {}
    }
    let view = views[0].clone();
    if case.layout.fixed_dim {
        return match view.ndim() {
            0 => call!(&view.into_dimensionality::<Ix0>().unwrap()),
            1 => call!(&view.into_dimensionality::<Ix1>().unwrap()),
            2 => call!(&view.into_dimensionality::<Ix2>().unwrap()),
            3 => call!(&view.into_dimensionality::<Ix3>().unwrap()),
            _ => unreachable!("fixed_dim is only chosen up to rank 3"),
        };
    }
    call!(&view)
}

/// Builds the input of `case`, runs the library and compares with the oracle.
fn check<T: Elem>(case: &Case) -> Result<(), TestCaseError> {
    let (count, element_shape) = if case.list {
        (case.shape[0], &case.shape[1..])
    } else {
        (1, &case.shape[..])
    };
    let arrays: Vec<ArrayD<T>> = (0..count)
        .map(|k| {
            case.layout
                .base(element_shape, |i| case.values.get(k as u64, i))
        })
        .collect();
    let views: Vec<ArrayViewD<T>> = arrays
        .iter()
        .map(|a| case.layout.arrange(a.view()))
        .collect();
    let read = |index: &[usize]| {
        if case.list {
            views[index[0]][&index[1..]]
        } else {
            views[0][index]
        }
    };
    let expected = expected(case, &case.shape, &read);
    compare(case, run(case, &arrays, &views), expected)
}

fn compare<T: Elem>(
    case: &Case,
    actual: Result<ArrayD<T>, einops::Error>,
    expected: Result<ArrayD<T>, Stage>,
) -> Result<(), TestCaseError> {
    match (actual, expected) {
        (Ok(actual), Ok(expected)) => {
            prop_assert_eq!(actual.shape(), expected.shape(), "output shape; {:?}", case);
            let differs = actual
                .iter()
                .zip(expected.iter())
                .position(|(&a, &e)| !T::same(a, e));
            prop_assert!(
                differs.is_none(),
                "element #{} differs; {:?}\nlibrary {:?}\noracle  {:?}",
                differs.unwrap_or(0),
                case,
                actual.iter().collect::<Vec<_>>(),
                expected.iter().collect::<Vec<_>>()
            );
            prop_assert!(
                actual.is_standard_layout(),
                "result is not in standard layout (strides {:?}); {:?}",
                actual.strides(),
                case
            );
        }
        (Err(error), Err(stage)) => {
            prop_assert_eq!(
                error.stage(),
                stage,
                "error stage of `{}`; {:?}",
                error,
                case
            );
        }
        (Ok(actual), Err(stage)) => {
            prop_assert!(
                false,
                "expected a {:?} error, got shape {:?}; {:?}",
                stage,
                actual.shape(),
                case
            );
        }
        (Err(error), Ok(expected)) => {
            prop_assert!(
                false,
                "unexpected error `{}` (oracle shape {:?}); {:?}",
                error,
                expected.shape(),
                case
            );
        }
    }
    Ok(())
}

/// Valid cases for one of `ops`.
fn cases(ops: &'static [Op], force_list: bool) -> impl Strategy<Value = Case> {
    (select(ops), vec(any::<u8>(), CHOICE_BYTES), any::<u64>())
        .prop_map(move |(op, bytes, seed)| Case::decode(op, &bytes, seed, force_list))
}

/// Bytes for a second round of choices (mutating a valid case).
fn mutation() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 8)
}

/// The generator must only produce valid cases: their lengths solve to the ones the input was
/// built with. Without this a generator bug would silently turn properties into error tests.
fn assert_valid(case: &Case) -> Result<(), TestCaseError> {
    let built: Vec<usize> = case.axes.iter().map(|axis| axis.len).collect();
    prop_assert_eq!(
        solve(case, &case.shape),
        Ok(built),
        "generated case {:?}",
        case
    );
    Ok(())
}

proptest! {
    #[test]
    fn rearrange_matches_oracle(case in cases(REARRANGE, false)) {
        assert_valid(&case)?;
        check::<i64>(&case)?;
    }

    #[test]
    fn repeat_matches_oracle(case in cases(REPEAT, false)) {
        assert_valid(&case)?;
        check::<i64>(&case)?;
    }

    /// Integer reductions, including `mean` (a dtype error once something is reduced) and
    /// wrapping `sum`/`prod`.
    #[test]
    fn reduce_i64_matches_oracle(case in cases(REDUCTIONS, false)) {
        assert_valid(&case)?;
        check::<i64>(&case)?;
    }

    #[test]
    fn reduce_f64_matches_oracle(case in cases(REDUCTIONS, false)) {
        assert_valid(&case)?;
        check::<f64>(&case)?;
    }

    #[test]
    fn reduce_bool_any_all_matches_oracle(case in cases(ANY_ALL, false)) {
        assert_valid(&case)?;
        check::<bool>(&case)?;
    }

    /// List inputs are stacked along a new first axis, for every operation.
    #[test]
    fn list_inputs_match_oracle(case in cases(ALL_BUT_MEAN, true)) {
        assert_valid(&case)?;
        check::<i64>(&case)?;
    }

    /// A given length or an input dimension that contradicts the other is a shape error (or, when
    /// it happens to be consistent, the oracle's result), never a panic.
    #[test]
    fn contradicting_lengths_are_shape_errors(
        mut case in cases(ALL_BUT_MEAN, false),
        bytes in mutation(),
    ) {
        case.contradict(&mut Choices::new(&bytes));
        check::<i64>(&case)?;
    }

    #[test]
    fn wrong_rank_is_a_rank_error(mut case in cases(ALL_BUT_MEAN, false), bytes in mutation()) {
        prop_assume!(case.break_rank(&mut Choices::new(&bytes)));
        let arrays: [ArrayD<i64>; 1] = [case.layout.base(&case.shape, |i| case.values.get(0, i))];
        let views = [arrays[0].view()];
        let expected = expected(&case, &case.shape, &|index: &[usize]| views[0][index]);
        prop_assert_eq!(expected.as_ref().err(), Some(&Stage::Rank));
        compare(&case, run(&case, &arrays, &views), expected)?;
    }

    /// List elements of different shapes cannot be stacked: a shape error. The first element
    /// keeps the right shape, so that a port reading the rank from it is not misled.
    #[test]
    fn list_of_different_shapes_is_a_shape_error(
        mut case in cases(ALL_BUT_MEAN, true),
        bytes in mutation(),
    ) {
        // Elements of different ranks: pass them as built (standard layout).
        case.layout.perm.clear();
        case.layout.steps.clear();
        let c = &mut Choices::new(&bytes);
        let element_shape = &case.shape[1..];
        let odd = 1 + c.below(case.shape[0] - 1);
        let mut odd_shape = element_shape.to_vec();
        if odd_shape.is_empty() || c.one_in(3) {
            odd_shape.push(1);
        } else {
            let dim = c.below(odd_shape.len());
            odd_shape[dim] += 1;
        }
        let arrays: Vec<ArrayD<i64>> = (0..case.shape[0])
            .map(|k| {
                let shape = if k == odd { &odd_shape[..] } else { element_shape };
                Layout::standard(shape.len()).base(shape, |i| case.values.get(k as u64, i))
            })
            .collect();
        let views: Vec<ArrayViewD<i64>> = arrays.iter().map(|a| a.view()).collect();
        compare(&case, run(&case, &arrays, &views), Err(Stage::Shape))?;
    }
}

proptest! {
    // About one case in six has no named or ellipsis axis to empty and is rejected: allow for
    // that at any PROPTEST_CASES (the default budget is a fixed 1024 rejects).
    #![proptest_config(ProptestConfig {
        max_global_rejects: ProptestConfig::default().cases.max(1024),
        ..ProptestConfig::default()
    })]

    /// Reducing an empty axis: 0 for `sum`, 1 for `prod`, false for `any`, true for `all`, NaN
    /// for a float `mean` (integer `mean`: a dtype error), a shape error for `min`/`max`.
    #[test]
    fn reduce_over_empty_axes_matches_oracle(
        mut case in cases(REDUCTIONS, false),
        bytes in mutation(),
    ) {
        prop_assume!(case.empty_a_reduced_axis(&mut Choices::new(&bytes)));
        assert_valid(&case)?;
        check::<f64>(&case)?;
        check::<i64>(&case)?;
    }
}

/// The oracle itself, on hand-computed examples (input values = row-major position).
#[test]
fn oracle_matches_hand_computed_examples() {
    let axis = |name: &str, len, kind| AxisDef {
        name: name.to_string(),
        len,
        kind,
    };
    let group = |ids: &[AxisId]| Item {
        atoms: ids.iter().map(|&id| Atom::Axis(id)).collect(),
        paren: true,
    };
    let case = |op, axes, left, right, lengths: &[(&str, usize)], shape: &[usize]| Case {
        op,
        axes,
        ellipsis: Vec::new(),
        left,
        right,
        lengths: lengths.iter().map(|&(n, v)| (n.to_string(), v)).collect(),
        list: false,
        shape: shape.to_vec(),
        layout: Layout::standard(shape.len()),
        values: Values {
            seed: 0,
            spread: 1,
            big: false,
        },
        compact: false,
    };
    let position = |shape: Vec<usize>| {
        move |index: &[usize]| {
            index
                .iter()
                .zip(&shape)
                .fold(0, |acc, (&i, &len)| acc * len as i64 + i as i64)
        }
    };

    // "(a b) -> b a", b = 3 on [0, 1, 2, 3, 4, 5].
    let transpose = case(
        Op::Rearrange,
        vec![axis("a", 2, AxisKind::Named), axis("b", 3, AxisKind::Named)],
        vec![group(&[0, 1])],
        vec![Item::bare(Atom::Axis(1)), Item::bare(Atom::Axis(0))],
        &[("b", 3)],
        &[6],
    );
    assert_eq!(transpose.pattern(), "(a b) -> b a");
    let out = expected(&transpose, &[6], &position(vec![6])).unwrap();
    assert_eq!(out, ndarray::arr2(&[[0, 3], [1, 4], [2, 5]]).into_dyn());

    // "a (b 2) -> b", sum, on [[0, 1, 2, 3], [4, 5, 6, 7]]: (0+1+4+5, 2+3+6+7).
    let pool = case(
        Op::Reduce("sum"),
        vec![
            axis("a", 2, AxisKind::Named),
            axis("b", 2, AxisKind::Named),
            axis("2", 2, AxisKind::Anonymous),
        ],
        vec![Item::bare(Atom::Axis(0)), group(&[1, 2])],
        vec![Item::bare(Atom::Axis(1))],
        &[],
        &[2, 4],
    );
    assert_eq!(pool.pattern(), "a (b 2) -> b");
    let out = expected(&pool, &[2, 4], &position(vec![2, 4])).unwrap();
    assert_eq!(out, ndarray::arr1(&[10, 18]).into_dyn());

    // "a -> (r a)" (tile) and "a -> (a r)" (repeat), r = 2, on [0, 1, 2].
    let tile = |right| {
        case(
            Op::Repeat,
            vec![axis("a", 3, AxisKind::Named), axis("r", 2, AxisKind::Named)],
            vec![Item::bare(Atom::Axis(0))],
            vec![group(right)],
            &[("r", 2)],
            &[3],
        )
    };
    let out = expected(&tile(&[1, 0]), &[3], &position(vec![3])).unwrap();
    assert_eq!(out, ndarray::arr1(&[0, 1, 2, 0, 1, 2]).into_dyn());
    let out = expected(&tile(&[0, 1]), &[3], &position(vec![3])).unwrap();
    assert_eq!(out, ndarray::arr1(&[0, 0, 1, 1, 2, 2]).into_dyn());
}
