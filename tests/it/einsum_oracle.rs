//! Property tests: `einops::dynamic::einsum_with_lengths` against a naive sum-of-products oracle
//! on random patterns of 1–4 operands.
//!
//! A case is built as a small tree (operands of [`Item`]s over numbered axes, an output of
//! [`Out`] items) and rendered to text for the library; the oracle works on the tree and shares
//! nothing with the library's planner. It walks every combination of every axis's index (named
//! axes and ellipsis dimensions), multiplies the operands' elements at that combination (a
//! group's index composed row-major, a broadcast ellipsis dimension read at index 0) and adds the
//! product to the output element the combination selects.
//!
//! Patterns use multi-letter and non-ASCII names and `_`, repeat names within an operand
//! (diagonals), group axes whose lengths are given or inferred, place an ellipsis that some
//! operands broadcast, and group output axes. Operands get random layouts (permuted strides,
//! reversed axes, every other element of a wider array), so the GEMM path meets strides that do
//! and do not fit. Elements are small integers, so every sum is exact in `i64`, `f64` and `f32`
//! and results are compared exactly.
//!
//! Cases are decoded from a flat stream of random bytes (as in `tests/it/oracle.rs`): a zero byte
//! decodes to the simplest choice, so proptest shrinks a failure towards the simplest pattern.

use std::fmt;

use einops::dynamic;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Slice};
use proptest::collection::vec;
use proptest::prelude::*;

/// Axis names: multi-letter, `_`, a digit, non-ASCII.
const NAMES: [&str; 6] = ["i", "jj", "_", "k2", "α", "Zz"];
/// Axis lengths indexed by a choice byte; zero bytes give 2, and 0 comes up rarely.
const LENGTHS: [usize; 16] = [2, 3, 1, 4, 2, 3, 5, 1, 2, 3, 4, 2, 3, 1, 2, 0];
/// Choice bytes per case, more than a case consumes.
const CHOICE_BYTES: usize = 160;
/// Upper bound on the combinations the oracle walks.
const MAX_WORK: usize = 40_000;

/// Decodes choices from bytes; past the end every choice is the simplest.
struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    /// A number below `n`.
    fn below(&mut self, n: usize) -> usize {
        let byte = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte as usize % n
    }

    /// True with probability 1/n (false for a zero byte).
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == n - 1
    }
}

/// One dimension of an operand.
#[derive(Debug, Clone)]
enum Item {
    Axis(usize),
    Group(Vec<usize>),
    Ellipsis,
}

/// One dimension of the output (a group may hold the ellipsis).
#[derive(Debug, Clone)]
enum Out {
    Axis(usize),
    Group(Vec<Option<usize>>),
    Ellipsis,
}

/// How an operand's elements are laid out in memory.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Standard,
    Permuted,
    Reversed,
    Strided,
}

#[derive(Debug, Clone)]
struct Operand {
    items: Vec<Item>,
    /// Lengths of the dimensions its ellipsis matches (1 where it broadcasts).
    ellipsis: Vec<usize>,
    layout: Layout,
}

#[derive(Debug, Clone)]
struct Case {
    /// Length of each named axis `0..lengths.len()` (all used by some operand).
    lengths: Vec<usize>,
    /// The broadcast ellipsis dimensions.
    ellipsis: Vec<usize>,
    operands: Vec<Operand>,
    output: Vec<Out>,
    /// Axes given as `name = length`.
    given: Vec<usize>,
}

fn decode(bytes: &[u8]) -> Case {
    let mut c = Choices { bytes, at: 0 };
    let pool = 1 + c.below(NAMES.len());
    let lengths: Vec<usize> = (0..pool).map(|_| LENGTHS[c.below(LENGTHS.len())]).collect();
    let ellipsis: Vec<usize> = match c.one_in(3) {
        true => (0..1 + c.below(2)).map(|_| 1 + c.below(3)).collect(),
        false => Vec::new(),
    };
    let count = 1 + c.below(4);
    let mut operands = Vec::new();
    let mut given = Vec::new();
    for k in 0..count {
        let mut items = Vec::new();
        for _ in 0..c.below(4) {
            let axis = c.below(pool);
            if c.one_in(5) {
                let other = (axis + 1 + c.below(pool.max(2) - 1)) % pool;
                if other != axis {
                    // All lengths but maybe the last are given, so each group is solvable
                    // (both when the first is 0: nothing can be inferred next to it).
                    given.push(axis);
                    if c.one_in(2) || lengths[axis] == 0 {
                        given.push(other);
                    }
                    items.push(Item::Group(vec![axis, other]));
                    continue;
                }
            }
            items.push(Item::Axis(axis));
        }
        // With an ellipsis, the first operand always has one; others sometimes, covering a
        // right-aligned part of the dimensions, some of them broadcast.
        let mut matched = Vec::new();
        if !ellipsis.is_empty() && (k == 0 || c.one_in(2)) {
            let covered = c.below(ellipsis.len() + 1);
            matched = ellipsis[ellipsis.len() - covered..]
                .iter()
                .map(|&l| if c.one_in(3) { 1 } else { l })
                .collect();
            let at = c.below(items.len() + 1);
            items.insert(at, Item::Ellipsis);
        }
        let layout = [
            Layout::Standard,
            Layout::Permuted,
            Layout::Reversed,
            Layout::Strided,
        ][c.below(4)];
        operands.push(Operand {
            items,
            ellipsis: matched,
            layout,
        });
    }
    // The broadcast ellipsis: as many dimensions as the most any operand matches, each as long
    // as the operands say (a dimension that every operand broadcasts stays 1).
    let rank = operands
        .iter()
        .map(|op| op.ellipsis.len())
        .max()
        .unwrap_or(0);
    let mut ellipsis_lengths = vec![1; rank];
    for op in &operands {
        let offset = rank - op.ellipsis.len();
        for (i, &l) in op.ellipsis.iter().enumerate() {
            ellipsis_lengths[offset + i] = ellipsis_lengths[offset + i].max(l);
        }
    }
    // Renumber the axes the operands use as 0.., dropping unused ones.
    let used: Vec<usize> = (0..pool)
        .filter(|&a| {
            operands
                .iter()
                .any(|op| op.items.iter().any(|item| uses(item, a)))
        })
        .collect();
    let renumber = |a: usize| used.iter().position(|&u| u == a).expect("used");
    for op in &mut operands {
        for item in &mut op.items {
            match item {
                Item::Axis(a) => *a = renumber(*a),
                Item::Group(axes) => axes.iter_mut().for_each(|a| *a = renumber(*a)),
                Item::Ellipsis => {}
            }
        }
    }
    let lengths: Vec<usize> = used.iter().map(|&a| lengths[a]).collect();
    let mut given: Vec<usize> = given.into_iter().map(renumber).collect();
    given.sort_unstable();
    given.dedup();
    // The output: some of the axes in a random order, the ellipsis when there is one.
    let mut output: Vec<Out> = Vec::new();
    for a in 0..lengths.len() {
        if c.one_in(2) {
            let at = c.below(output.len() + 1);
            output.insert(at, Out::Axis(a));
        }
    }
    if operands
        .iter()
        .any(|op| op.items.iter().any(|i| matches!(i, Item::Ellipsis)))
    {
        let at = c.below(output.len() + 1);
        output.insert(at, Out::Ellipsis);
    }
    if output.len() >= 2 && c.one_in(3) {
        let at = c.below(output.len() - 1);
        let slot = |o: &Out| match o {
            Out::Axis(a) => Some(*a),
            _ => None,
        };
        let merged = Out::Group(vec![slot(&output[at]), slot(&output[at + 1])]);
        output.splice(at..at + 2, [merged]);
    }
    Case {
        lengths,
        ellipsis: ellipsis_lengths,
        operands,
        output,
        given,
    }
}

fn uses(item: &Item, axis: usize) -> bool {
    match item {
        Item::Axis(a) => *a == axis,
        Item::Group(axes) => axes.contains(&axis),
        Item::Ellipsis => false,
    }
}

impl Case {
    fn name(&self, axis: usize) -> &'static str {
        NAMES[axis]
    }

    fn pattern(&self) -> String {
        let operands: Vec<String> = self
            .operands
            .iter()
            .map(|op| {
                let items: Vec<String> = op
                    .items
                    .iter()
                    .map(|item| match item {
                        Item::Axis(a) => self.name(*a).to_owned(),
                        Item::Group(axes) => {
                            let names: Vec<&str> = axes.iter().map(|&a| self.name(a)).collect();
                            format!("({})", names.join(" "))
                        }
                        Item::Ellipsis => "...".to_owned(),
                    })
                    .collect();
                items.join(" ")
            })
            .collect();
        let output: Vec<String> = self
            .output
            .iter()
            .map(|o| match o {
                Out::Axis(a) => self.name(*a).to_owned(),
                Out::Ellipsis => "...".to_owned(),
                Out::Group(slots) => {
                    let names: Vec<&str> = slots
                        .iter()
                        .map(|s| s.map_or("...", |a| self.name(a)))
                        .collect();
                    format!("({})", names.join(" "))
                }
            })
            .collect();
        format!("{} -> {}", operands.join(", "), output.join(" "))
    }

    fn given_lengths(&self) -> Vec<(&'static str, usize)> {
        self.given
            .iter()
            .map(|&a| (self.name(a), self.lengths[a]))
            .collect()
    }

    fn operand_shape(&self, op: &Operand) -> Vec<usize> {
        let mut shape = Vec::new();
        for item in &op.items {
            match item {
                Item::Axis(a) => shape.push(self.lengths[*a]),
                Item::Group(axes) => shape.push(axes.iter().map(|&a| self.lengths[a]).product()),
                Item::Ellipsis => shape.extend(&op.ellipsis),
            }
        }
        shape
    }

    /// The combinations the oracle walks.
    fn work(&self) -> usize {
        self.lengths
            .iter()
            .chain(&self.ellipsis)
            .fold(1usize, |acc, &l| acc.saturating_mul(l.max(1)))
            .saturating_mul(self.operands.len())
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shapes: Vec<String> = self
            .operands
            .iter()
            .map(|op| format!("{:?} {:?}", self.operand_shape(op), op.layout))
            .collect();
        write!(
            f,
            "pattern {:?}, lengths {:?}, operands {}",
            self.pattern(),
            self.given_lengths(),
            shapes.join(", ")
        )
    }
}

/// Element `index` (row-major) of operand `k`: a small integer.
fn value(k: usize, index: usize) -> i64 {
    ((index * 7 + k * 5 + index / 3) % 7) as i64 - 3
}

/// The operand's values in standard layout.
fn standard(case: &Case, k: usize) -> ArrayD<i64> {
    let shape = case.operand_shape(&case.operands[k]);
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(&shape), (0..n).map(|i| value(k, i)).collect()).unwrap()
}

/// An owned array and how to view it so that it reads as `logical`, in `layout`.
fn laid_out<A: Clone + Default>(logical: &ArrayD<A>, layout: Layout) -> (ArrayD<A>, Layout) {
    let n = logical.ndim();
    let owned = match layout {
        Layout::Standard => logical.clone(),
        // Stored with the axes in reverse order: the view transposes back.
        Layout::Permuted => logical
            .view()
            .reversed_axes()
            .as_standard_layout()
            .into_owned(),
        // Stored with axis 0 reversed: the view reverses it back (negative strides).
        Layout::Reversed if n > 0 => logical
            .slice_axis(Axis(0), Slice::new(0, None, -1))
            .to_owned(),
        // Every other element of the last axis of a twice longer array.
        Layout::Strided if n > 0 => {
            let mut shape = logical.shape().to_vec();
            shape[n - 1] *= 2;
            let mut wide = ArrayD::from_elem(IxDyn(&shape), A::default());
            wide.slice_axis_mut(Axis(n - 1), Slice::new(0, None, 2))
                .assign(logical);
            wide
        }
        _ => logical.clone(),
    };
    (owned, layout)
}

fn view<A>((owned, layout): &(ArrayD<A>, Layout)) -> ArrayViewD<'_, A> {
    let n = owned.ndim();
    match layout {
        Layout::Permuted => owned.view().reversed_axes(),
        Layout::Reversed if n > 0 => owned.slice_axis(Axis(0), Slice::new(0, None, -1)),
        Layout::Strided if n > 0 => owned.slice_axis(Axis(n - 1), Slice::new(0, None, 2)),
        _ => owned.view(),
    }
}

/// The naive sum of products.
fn oracle(case: &Case) -> ArrayD<i64> {
    let inputs: Vec<ArrayD<i64>> = (0..case.operands.len())
        .map(|k| standard(case, k))
        .collect();
    let named = case.lengths.len();
    let all: Vec<usize> = case.lengths.iter().chain(&case.ellipsis).copied().collect();
    let compose = |index: &[usize], axes: &mut dyn Iterator<Item = usize>| {
        axes.fold(0, |acc, a| acc * all[a] + index[a])
    };
    let ellipsis_axes = || named..all.len();
    let out_axes = |o: &Out| -> Vec<usize> {
        match o {
            Out::Axis(a) => vec![*a],
            Out::Ellipsis => ellipsis_axes().collect(),
            Out::Group(slots) => slots
                .iter()
                .flat_map(|s| match s {
                    Some(a) => vec![*a],
                    None => ellipsis_axes().collect(),
                })
                .collect(),
        }
    };
    let mut out_shape = Vec::new();
    for o in &case.output {
        match o {
            Out::Ellipsis => out_shape.extend(&case.ellipsis),
            _ => out_shape.push(out_axes(o).iter().map(|&a| all[a]).product()),
        }
    }
    let mut out = ArrayD::<i64>::zeros(IxDyn(&out_shape));
    if all.contains(&0) {
        return out;
    }
    let mut index = vec![0usize; all.len()];
    loop {
        let mut product = 1i64;
        for (k, op) in case.operands.iter().enumerate() {
            let mut at = Vec::new();
            for item in &op.items {
                match item {
                    Item::Axis(a) => at.push(index[*a]),
                    Item::Group(axes) => at.push(compose(&index, &mut axes.iter().copied())),
                    Item::Ellipsis => {
                        let offset = named + case.ellipsis.len() - op.ellipsis.len();
                        for (i, &l) in op.ellipsis.iter().enumerate() {
                            at.push(if l == 1 { 0 } else { index[offset + i] });
                        }
                    }
                }
            }
            product *= inputs[k][IxDyn(&at)];
        }
        let mut at = Vec::new();
        for o in &case.output {
            match o {
                Out::Ellipsis => at.extend(ellipsis_axes().map(|a| index[a])),
                _ => at.push(compose(&index, &mut out_axes(o).into_iter())),
            }
        }
        out[IxDyn(&at)] += product;
        // Next combination, last axis fastest.
        let mut axis = all.len();
        loop {
            if axis == 0 {
                return out;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < all[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

/// Runs the case with elements converted by `convert` and compares with the oracle.
fn check_as<A>(
    case: &Case,
    expected: &ArrayD<i64>,
    convert: fn(i64) -> A,
) -> Result<(), TestCaseError>
where
    A: einops::Reducible + Default + fmt::Debug + PartialEq,
{
    let arrays: Vec<(ArrayD<A>, Layout)> = case
        .operands
        .iter()
        .enumerate()
        .map(|(k, op)| laid_out(&standard(case, k).mapv(convert), op.layout))
        .collect();
    let views: Vec<ArrayViewD<A>> = arrays.iter().map(view).collect();
    let got = dynamic::einsum_with_lengths(&views, &case.pattern(), &case.given_lengths());
    let got = got.map_err(|e| TestCaseError::fail(format!("{e}\n  case: {case}")))?;
    prop_assert_eq!(got.shape(), expected.shape(), "case: {}", case);
    prop_assert!(got.is_standard_layout(), "case: {}", case);
    let expected = expected.mapv(convert);
    prop_assert_eq!(got, expected, "case: {}", case);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        max_global_rejects: 1 << 20,
        ..ProptestConfig::default()
    })]

    /// Random patterns of 1–4 operands give the oracle's sums, in every element type path
    /// (`i64`: the plain loop; `f64`/`f32`: matrixmultiply above the GEMM cut-off).
    #[test]
    fn einsum_matches_the_oracle(bytes in vec(any::<u8>(), CHOICE_BYTES)) {
        let case = decode(&bytes);
        prop_assume!(case.work() <= MAX_WORK);
        let expected = oracle(&case);
        check_as(&case, &expected, |v| v)?;
        check_as(&case, &expected, |v| v as f64)?;
        check_as(&case, &expected, |v| v as f32)?;
    }

    /// Making one dimension of one operand longer is a shape-stage error or still valid, never
    /// a panic; it must be an error when the dimension is a lone axis that also occurs
    /// elsewhere (another dimension, a group, or a given length).
    #[test]
    fn a_wrong_length_is_a_shape_error(bytes in vec(any::<u8>(), CHOICE_BYTES), pick in any::<usize>()) {
        let case = decode(&bytes);
        prop_assume!(case.work() <= MAX_WORK);
        let mut shapes: Vec<Vec<usize>> = case.operands.iter().map(|op| case.operand_shape(op)).collect();
        let dims: Vec<(usize, usize)> = shapes
            .iter()
            .enumerate()
            .flat_map(|(k, s)| (0..s.len()).map(move |d| (k, d)))
            .collect();
        prop_assume!(!dims.is_empty());
        let (k, d) = dims[pick % dims.len()];
        shapes[k][d] += 1;
        let arrays: Vec<ArrayD<i64>> = shapes.iter().map(|s| ArrayD::zeros(IxDyn(s))).collect();
        let result = dynamic::einsum_with_lengths(&arrays, &case.pattern(), &case.given_lengths());
        // The item at dimension `d` of operand `k`, if it is a lone axis.
        let mut dim = 0;
        let mut lone = None;
        for item in &case.operands[k].items {
            let width = match item {
                Item::Ellipsis => case.operands[k].ellipsis.len(),
                _ => 1,
            };
            if let (Item::Axis(a), true) = (item, dim == d) {
                lone = Some(*a);
            }
            dim += width;
        }
        let occurrences = |a: usize| {
            let items = case.operands.iter().flat_map(|op| &op.items).filter(|i| uses(i, a)).count();
            items + usize::from(case.given.contains(&a))
        };
        match &result {
            Err(err) => prop_assert_eq!(err.stage(), einops::Stage::Shape, "{}\n  case: {}", err, case),
            Ok(_) => prop_assert!(
                lone.is_none_or(|a| occurrences(a) < 2),
                "accepted a length that disagrees\n  case: {}", case
            ),
        }
    }
}
