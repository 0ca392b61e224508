//! Edge cases of the `unsafe` kernels in `einops-runtime/src/kernel/`, through the public API.
//!
//! The kernels pick a loop shape from the simplified walk, so each test builds inputs (and
//! `_into` outputs) whose strides lead to one strategy and sweeps lengths around its limits:
//!
//! - copies: runs (innermost axis contiguous in both), fills (source stride 0), interleaves
//!   (innermost output axis of 2–4), blocked transposes (256×256 blocks, an AVX-512 16×16
//!   past a block, AVX2 8×8, SSE2 4×4 and 2×2 register micro-kernels for 4- and 8-byte
//!   elements, a first narrow block up to the vectors' alignment along sides of 256 or more)
//!   and the generic strided loop;
//! - reductions: vertical (kept axis contiguous), horizontal (reduced axis contiguous, 8 or
//!   more accumulators, blocks of 128) and strided (neither), lanes folded 64 or more at once;
//! - element classes: plain primitives copied as bytes, `Clone` types without drop glue,
//!   types with drop glue (cloned in order so a panicking `Clone` leaks nothing);
//! - large walks: split across rayon's threads from 1 MiB, outputs of 2 MiB or more
//!   advised for huge pages and faulted in before the kernels write them.
//!
//! Every result is compared with a reference computed here from ndarray views, index loops
//! or folds, never with another call of the library.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt::{Debug, Display};
use std::panic::{catch_unwind, AssertUnwindSafe};

use einops::{dynamic, rearrange, rearrange_into, reduce, reduce_into, repeat, repeat_into};
use ndarray::{
    s, Array, Array0, Array1, Array2, Array3, ArrayBase, ArrayD, ArrayView2, ArrayView3,
    ArrayViewMut2, ArrayViewMutD, Axis, Data, Dimension, IxDyn, ShapeBuilder, Slice,
};

/// Lengths around the micro-kernel sides (2, 4, 8) and strips (16), the interleave lengths
/// (2–4), the reduction lanes (64) and the transposes' cache block (128), with primes for
/// odd tails.
const LENGTHS: [usize; 18] = [
    0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 65, 97, 128, 131,
];

/// Outputs of at least this many bytes start on a 2 MiB boundary (`kernel/alloc.rs`).
const HUGE_PAGE: usize = 2 << 20;

// ---------------------------------------------------------------------------------------
// Element types and comparisons
// ---------------------------------------------------------------------------------------

/// An element type the copy kernels move: values that differ between neighbouring indices,
/// so a misplaced element shows.
trait Elem: Clone + Default + PartialEq + Debug + Send + Sync + 'static {
    fn make(i: usize) -> Self;
    /// Equality that also treats NaN as equal to NaN.
    fn same(&self, other: &Self) -> bool {
        self == other
    }
}

impl Elem for u8 {
    fn make(i: usize) -> Self {
        (i ^ (i >> 8)).wrapping_mul(37) as u8
    }
}
impl Elem for i16 {
    fn make(i: usize) -> Self {
        (i as u16 ^ 0x5a5a) as i16
    }
}
impl Elem for f32 {
    fn make(i: usize) -> Self {
        i as f32 * 0.5 - 7.25
    }
    fn same(&self, other: &Self) -> bool {
        self == other || (self.is_nan() && other.is_nan())
    }
}
impl Elem for f64 {
    fn make(i: usize) -> Self {
        i as f64 * 0.25 - 1e9
    }
    fn same(&self, other: &Self) -> bool {
        self == other || (self.is_nan() && other.is_nan())
    }
}
impl Elem for u128 {
    fn make(i: usize) -> Self {
        // Both halves vary, so a half moved on its own shows.
        ((i as u128) << 64) | (i as u128 ^ 0xa5a5_a5a5)
    }
}
impl Elem for bool {
    fn make(i: usize) -> Self {
        // Thue–Morse: not periodic, so shifted rows differ.
        i.count_ones().is_multiple_of(2)
    }
}
impl Elem for char {
    fn make(i: usize) -> Self {
        char::from_u32(0x1_0000 + (i % 0xf_0000) as u32).expect("a supplementary-plane code point")
    }
}
impl Elem for i64 {
    fn make(i: usize) -> Self {
        (i as i64) << 33 | (i as i64 ^ 0x1234)
    }
}

/// `make(0), make(1), ...` in row-major order.
fn iota<A: Elem, Sh: ShapeBuilder>(shape: Sh) -> Array<A, Sh::Dim> {
    iota_from(shape, 0)
}

/// `make(start), make(start + 1), ...` in row-major order.
fn iota_from<A: Elem, Sh: ShapeBuilder>(shape: Sh, start: usize) -> Array<A, Sh::Dim> {
    let shape = shape.into_shape_with_order();
    let n = shape.size();
    Array::from_shape_vec(shape, (start..start + n).map(A::make).collect()).unwrap()
}

/// Checks shape and every element (row-major), naming the first difference.
#[track_caller]
fn assert_same<A, S, T, D, E>(
    actual: &ArrayBase<S, D>,
    expected: &ArrayBase<T, E>,
    what: impl Display,
) where
    A: Elem,
    S: Data<Elem = A>,
    T: Data<Elem = A>,
    D: Dimension,
    E: Dimension,
{
    assert_eq!(actual.shape(), expected.shape(), "{what}: shape");
    let wrong = actual
        .iter()
        .zip(expected.iter())
        .enumerate()
        .find(|(_, (a, e))| !a.same(e));
    if let Some((k, (a, e))) = wrong {
        panic!("{what}: element {k} (row-major) is {a:?}, expected {e:?}");
    }
}

/// [`assert_same`] for a newly allocated result, which must be in standard layout.
#[track_caller]
fn assert_result<A, S, T, D, E>(
    actual: &ArrayBase<S, D>,
    expected: &ArrayBase<T, E>,
    what: impl Display,
) where
    A: Elem,
    S: Data<Elem = A>,
    T: Data<Elem = A>,
    D: Dimension,
    E: Dimension,
{
    assert!(
        actual.is_standard_layout(),
        "{what}: result not in standard layout"
    );
    assert_same(actual, expected, what);
}

// ---------------------------------------------------------------------------------------
// Memory layouts of inputs and `_into` outputs
// ---------------------------------------------------------------------------------------

/// How an array of a given logical shape sits in memory.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    /// Row-major.
    Standard,
    /// Every axis inverted: negative strides.
    Reversed,
    /// The last axis takes every other element: no axis is contiguous.
    Stepped,
    /// A `reversed_axes` view of a row-major array: column-major.
    Transposed,
    /// A row-major array with its axes rotated by one (`permuted_axes`).
    Rotated,
    /// A view of a view: an inner window (offset, row gaps) with the first axis inverted.
    Nested,
}

const LAYOUTS: [Layout; 6] = [
    Layout::Standard,
    Layout::Reversed,
    Layout::Stepped,
    Layout::Transposed,
    Layout::Rotated,
    Layout::Nested,
];

/// Shape of the row-major array that a `layout` view of `shape` is cut from.
fn backing_shape(shape: &[usize], layout: Layout) -> Vec<usize> {
    let nd = shape.len();
    match layout {
        Layout::Standard | Layout::Reversed => shape.to_vec(),
        Layout::Stepped => {
            let mut b = shape.to_vec();
            if let Some(last) = b.last_mut() {
                *last = 2 * *last + 1;
            }
            b
        }
        Layout::Transposed => shape.iter().rev().copied().collect(),
        Layout::Rotated => (0..nd).map(|j| shape[(j + nd - 1) % nd]).collect(),
        Layout::Nested => shape.iter().map(|&l| l + 2).collect(),
    }
}

/// The `layout` view of a backing array made with [`backing_shape`].
fn arrange<T>(backing: &mut ArrayD<T>, layout: Layout) -> ArrayViewMutD<'_, T> {
    let mut view = backing.view_mut();
    let nd = view.ndim();
    match layout {
        Layout::Standard => {}
        Layout::Reversed => (0..nd).for_each(|ax| view.invert_axis(Axis(ax))),
        Layout::Stepped => {
            if nd > 0 {
                view.slice_axis_inplace(Axis(nd - 1), Slice::new(1, None, 2));
            }
        }
        Layout::Transposed => view = view.reversed_axes(),
        Layout::Rotated => {
            view = view.permuted_axes((0..nd).map(|i| (i + 1) % nd).collect::<Vec<_>>())
        }
        Layout::Nested => {
            view.slice_each_axis_inplace(|_| Slice::new(1, Some(-1), 1));
            if nd > 0 {
                view.invert_axis(Axis(0));
            }
        }
    }
    view
}

/// A backing array for a `layout` view of `shape`, filled with `make(start..)`.
fn backing<A: Elem>(shape: &[usize], layout: Layout, start: usize) -> ArrayD<A> {
    iota_from(IxDyn(&backing_shape(shape, layout)), start)
}

/// Runs `write` on an output of `expected`'s shape laid out as `layout`; checks that the
/// output then holds `expected` and that no element outside it changed.
#[track_caller]
fn check_into<A: Elem>(
    expected: &ArrayD<A>,
    layout: Layout,
    what: impl Display,
    write: impl FnOnce(&mut ArrayViewMutD<'_, A>) -> Result<(), einops::Error>,
) {
    let what = format!("{what}, output {layout:?}");
    let mut out_backing: ArrayD<A> = backing(expected.shape(), layout, 1_000_003);
    let original = out_backing.clone();
    let mut positions = ArrayD::from_shape_vec(
        out_backing.raw_dim(),
        (0..out_backing.len()).collect::<Vec<usize>>(),
    )
    .unwrap();
    let mut covered = vec![false; out_backing.len()];
    arrange(&mut positions, layout)
        .iter()
        .for_each(|&k| covered[k] = true);
    {
        let mut out = arrange(&mut out_backing, layout);
        write(&mut out).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_same(&out, expected, &what);
    }
    let outside = out_backing
        .iter()
        .zip(&original)
        .enumerate()
        .find(|&(k, (now, before))| !covered[k] && !now.same(before));
    if let Some((k, _)) = outside {
        panic!("{what}: element {k} of the backing array, outside the output, was written");
    }
}

/// A permutation (and merge) of a rank-3 array: `perm` orders the input axes for the output,
/// `groups` says how many consecutive permuted axes each output dimension merges.
struct Permutation {
    pattern: &'static str,
    perm: [usize; 3],
    groups: &'static [usize],
}

const PERMUTATIONS: [Permutation; 9] = [
    Permutation {
        pattern: "a b c -> a b c",
        perm: [0, 1, 2],
        groups: &[1, 1, 1],
    },
    Permutation {
        pattern: "a b c -> a c b",
        perm: [0, 2, 1],
        groups: &[1, 1, 1],
    },
    Permutation {
        pattern: "a b c -> b a c",
        perm: [1, 0, 2],
        groups: &[1, 1, 1],
    },
    Permutation {
        pattern: "a b c -> b c a",
        perm: [1, 2, 0],
        groups: &[1, 1, 1],
    },
    Permutation {
        pattern: "a b c -> c a b",
        perm: [2, 0, 1],
        groups: &[1, 1, 1],
    },
    Permutation {
        pattern: "a b c -> c b a",
        perm: [2, 1, 0],
        groups: &[1, 1, 1],
    },
    Permutation {
        pattern: "a b c -> (a b c)",
        perm: [0, 1, 2],
        groups: &[3],
    },
    Permutation {
        pattern: "a b c -> (b c) a",
        perm: [1, 2, 0],
        groups: &[2, 1],
    },
    Permutation {
        pattern: "a b c -> c (b a)",
        perm: [2, 1, 0],
        groups: &[1, 2],
    },
];

impl Permutation {
    /// The expected result for `x`: permuted axes in row-major order, merged as grouped.
    fn expected<A: Elem>(&self, x: &ArrayViewMutD<'_, A>) -> ArrayD<A> {
        let permuted = x
            .view()
            .permuted_axes(self.perm.to_vec())
            .as_standard_layout()
            .into_owned();
        let mut shape = Vec::new();
        let mut dims = permuted.shape().iter();
        for &g in self.groups {
            shape.push(dims.by_ref().take(g).product::<usize>());
        }
        permuted.into_shape_with_order(IxDyn(&shape)).unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// 1. Copy strategies at every boundary length, for every element size
// ---------------------------------------------------------------------------------------

/// Each copy strategy over the [`LENGTHS`] grid. Comments name the strategy the strides
/// lead to (for `r` or `c` of 1 the unit axis disappears and a simpler one runs).
fn copy_strategies<A: Elem>() {
    let name = std::any::type_name::<A>();
    for &r in &LENGTHS {
        let column: Array1<A> = iota(2 * r);
        let contiguous = column.slice(s![..r]);
        let stepped = column.slice(s![..;2]);
        let reversed = column.slice(s![..r;-1]);
        for &c in &LENGTHS {
            let what = |case: &str| format!("{name} r={r} c={c}: {case}");
            let x: Array2<A> = iota((r, c));

            // Blocked transpose (an interleave for r of 2–4): source rows contiguous.
            let t = rearrange!(&x, "a b -> b a").unwrap();
            assert_result(&t, &x.t(), what("transpose"));
            // The same with a negative source column stride.
            let flipped = x.slice(s![..;-1, ..]);
            let t = rearrange!(&flipped, "a b -> b a").unwrap();
            assert_result(&t, &flipped.t(), what("transpose of row-reversed"));
            // Tiles inside an outer loop.
            if r * c <= 2048 {
                let batch: Array3<A> = iota((3, r, c));
                let t = rearrange!(&batch, "n a b -> n b a").unwrap();
                assert_result(
                    &t,
                    &batch.view().permuted_axes([0, 2, 1]),
                    what("batched transpose"),
                );
            }

            // Runs: rows of a wider array, one run copy each.
            let wide: Array2<A> = iota((r, c + 3));
            let window = wide.slice(s![.., 1..c + 1]);
            let flat = rearrange!(&window, "a b -> (a b)").unwrap();
            assert_result(
                &flat,
                &Array1::from_iter(window.iter().cloned()),
                what("runs"),
            );
            let same = rearrange!(window.slice(s![..;-1, ..]), "a b -> a b").unwrap();
            assert_result(
                &same,
                &window.slice(s![..;-1, ..]),
                what("runs, rows reversed"),
            );

            // Generic strided loop: no axis is contiguous in the source.
            let sparse: Array2<A> = iota((r, 2 * c));
            let every_other = sparse.slice(s![.., ..;2]);
            let t = rearrange!(&every_other, "a b -> b a").unwrap();
            assert_result(&t, &every_other.t(), what("strided transpose"));
            let same = rearrange!(&every_other, "a b -> a b").unwrap();
            assert_result(&same, &every_other, what("strided copy"));
            let backwards = x.slice(s![.., ..;-1]);
            let t = rearrange!(&backwards, "a b -> b a").unwrap();
            assert_result(&t, &backwards.t(), what("transpose of column-reversed"));

            // Fills: a new innermost axis (source stride 0) of every length; from a
            // contiguous source and c of 2–4 it is a broadcast interleave.
            for (source, kind) in [
                (stepped, "stepped"),
                (reversed, "reversed"),
                (contiguous, "contiguous"),
            ] {
                let filled = repeat!(&source, "a -> a k", k = c).unwrap();
                let expected = Array2::from_shape_fn((r, c), |(i, _)| source[i].clone());
                assert_result(
                    &filled,
                    &expected,
                    what(&format!("fill from {kind} source")),
                );
            }
            // Whole copies of the source per outer index: runs with source stride 0 outside.
            let tiled = repeat!(&contiguous, "a -> k a", k = c).unwrap();
            let expected = Array2::from_shape_fn((c, r), |(_, i)| contiguous[i].clone());
            assert_result(&tiled, &expected, what("tiled runs"));
        }
    }
}

/// Runs of 2 KiB or more, which the kernels copy with their own loop of 128-byte moves
/// whose last move may overlap the one before: lengths around both sizes.
fn long_runs<A: Elem>() {
    let name = std::any::type_name::<A>();
    let size = std::mem::size_of::<A>();
    let (per_move, per_run) = (128 / size, 2048 / size);
    for len in [
        per_run - 1,
        per_run,
        per_run + 1,
        per_run + per_move - 1,
        per_run + per_move + 1,
        3 * per_run + 7,
    ] {
        let what = |case: &str| format!("{name} len={len}: {case}");
        let wide: Array2<A> = iota((3, len + 2));
        let window = wide.slice(s![.., 1..len + 1]);
        let flat = rearrange!(&window, "a b -> (a b)").unwrap();
        assert_result(
            &flat,
            &Array1::from_iter(window.iter().cloned()),
            what("rows of a wider array"),
        );
        let row = wide.row(1);
        let copy = rearrange!(&row.slice(s![..len]), "a -> a").unwrap();
        assert_result(&copy, &row.slice(s![..len]), what("one run"));
    }
}

/// Short interleaves: an innermost output axis of 2–4 fed from a contiguous source axis.
fn interleaves<A: Elem>() {
    let name = std::any::type_name::<A>();
    for n in 2..=4 {
        for &h in &LENGTHS {
            for w in [1, 3, 5] {
                let what = |case: &str| format!("{name} n={n} h={h} w={w}: {case}");
                // Planes to pixels: `h w` fuse into one contiguous source axis.
                let planes: Array3<A> = iota((n, h, w));
                let pixels = rearrange!(&planes, "c h w -> h w c").unwrap();
                assert_result(
                    &pixels,
                    &planes.view().permuted_axes([1, 2, 0]),
                    what("planes to pixels"),
                );
                // Rows that do not fuse (a window of wider rows): an outer loop around each.
                let wide: Array3<A> = iota((n, h, w + 2));
                let window = wide.slice(s![.., .., 1..w + 1]);
                let pixels = rearrange!(&window, "c h w -> h w c").unwrap();
                assert_result(
                    &pixels,
                    &window.permuted_axes([1, 2, 0]),
                    what("windowed planes"),
                );
                // Negative row stride between the interleaved sources.
                let flipped = planes.slice(s![..;-1, .., ..]);
                let pixels = rearrange!(&flipped, "c h w -> h w c").unwrap();
                assert_result(
                    &pixels,
                    &flipped.permuted_axes([1, 2, 0]),
                    what("reversed planes"),
                );
                // Pixel shuffle.
                let shuffled = rearrange!(&planes, "c h w -> h (w c)").unwrap();
                let expected =
                    Array2::from_shape_fn((h, w * n), |(i, k)| planes[[k % n, i, k / n]].clone());
                assert_result(&shuffled, &expected, what("pixel shuffle"));
                // Broadcast interleave: every output pixel repeats one source element.
                let grey: Array2<A> = iota((h, w));
                let rgb = repeat!(&grey, "h w -> h w c", c = n).unwrap();
                let expected = Array3::from_shape_fn((h, w, n), |(i, j, _)| grey[[i, j]].clone());
                assert_result(&rgb, &expected, what("broadcast interleave"));
            }
        }
    }
}

/// `_into` transposes over the whole grid, into outputs whose rows have negative strides or
/// gaps (the micro-kernels' destination row stride) or whose columns are not contiguous.
fn transposes_into<A: Elem>() {
    let name = std::any::type_name::<A>();
    for &r in &LENGTHS {
        for &c in &LENGTHS {
            let x: Array2<A> = iota((r, c));
            let expected = x.t().to_owned().into_dyn();
            // Negative and gapped destination rows reach the micro-kernels; the other two
            // layouts (generic loop, runs) do not depend on the element size.
            let layouts: &[Layout] = if std::mem::size_of::<A>() == 4 {
                &[
                    Layout::Reversed,
                    Layout::Nested,
                    Layout::Stepped,
                    Layout::Transposed,
                ]
            } else {
                &[Layout::Reversed, Layout::Nested]
            };
            for &layout in layouts {
                check_into(&expected, layout, format!("{name} r={r} c={c}"), |out| {
                    rearrange_into!(out, &x, "a b -> b a")
                });
            }
        }
    }
}

/// Transposes with a side of a block (256) or more first move a narrow block up to where the
/// squares' loads and stores are aligned: sources and destinations offset by every count
/// below 8. Sides around the block, one past it on both sides (the AVX-512 squares), and
/// one short side.
fn transpose_leads<A: Elem>() {
    let name = std::any::type_name::<A>();
    for (r, c) in [
        (256usize, 256usize),
        (255, 300),
        (257, 400),
        (600, 259),
        (258, 7),
        (7, 258),
    ] {
        let (padded_r, padded_c) = (r.next_multiple_of(8) + 8, c.next_multiple_of(8) + 8);
        let source: Array2<A> = iota((r, padded_c));
        for k in 0..8 {
            let what = |case: &str| format!("{name} r={r} c={c} offset {k}: {case}");
            let x = source.slice(s![.., k..k + c]);
            let expected = x.t().to_owned();
            let t = rearrange!(&x, "a b -> b a").unwrap();
            assert_result(&t, &expected, what("new array"));
            let mut backing: Array2<A> = iota_from((c, padded_r), 1 << 20);
            let untouched = backing.clone();
            rearrange_into!(&mut backing.slice_mut(s![.., k..k + r]), &x, "a b -> b a").unwrap();
            assert_same(&backing.slice(s![.., k..k + r]), &expected, what("into"));
            let outside = |b: &Array2<A>| {
                let mut b = b.clone();
                b.slice_mut(s![.., k..k + r]).fill(A::make(0));
                b
            };
            assert_same(&outside(&backing), &outside(&untouched), what("outside"));
        }
    }
}

/// Every input layout with rank-3 permutations, merges and repeats, written to new arrays and
/// into outputs of every layout (two output layouts per call, rotating).
fn layouts<A: Elem>() {
    let name = std::any::type_name::<A>();
    let shapes: [[usize; 3]; 8] = [
        [2, 3, 4],
        [5, 1, 7],
        [1, 33, 2],
        [4, 5, 3],
        [3, 7, 33],
        [0, 3, 2],
        [2, 0, 5],
        [1, 1, 1],
    ];
    // Each output layout meets each input layout across the permutations (two per call).
    let outputs = |i: usize| [LAYOUTS[i % 6], LAYOUTS[(i + 3) % 6]];
    for shape in shapes {
        for (i, input_layout) in LAYOUTS.into_iter().enumerate() {
            let mut input_backing: ArrayD<A> = backing(&shape, input_layout, 0);
            let x = arrange(&mut input_backing, input_layout);
            for (j, p) in PERMUTATIONS.iter().enumerate() {
                let what = format!("{name} {shape:?} input {input_layout:?}: {}", p.pattern);
                let expected = p.expected(&x);
                let got = dynamic::rearrange(&x, p.pattern, &[]).unwrap();
                assert_result(&got, &expected, &what);
                for output_layout in outputs(i + j) {
                    check_into(&expected, output_layout, &what, |out| {
                        dynamic::rearrange_into(out, &x, p.pattern, &[])
                    });
                }
            }
            for (j, k) in [0, 1, 3].into_iter().enumerate() {
                let what = format!("{name} {shape:?} input {input_layout:?}, k={k}");
                let [a, b, c] = shape;
                let expected = ArrayD::from_shape_fn(IxDyn(&[a, b, k, c]), |ix| {
                    x[[ix[0], ix[1], ix[3]]].clone()
                });
                let got = dynamic::repeat(&x, "a b c -> a b k c", &[("k", k)]).unwrap();
                assert_result(&got, &expected, format!("{what}: a b c -> a b k c"));
                let expected = ArrayD::from_shape_fn(IxDyn(&[c, k * a, b]), |ix| {
                    x[[ix[1] % a, ix[2], ix[0]]].clone()
                });
                let got = dynamic::repeat(&x, "a b c -> c (k a) b", &[("k", k)]).unwrap();
                assert_result(&got, &expected, format!("{what}: a b c -> c (k a) b"));
                for output_layout in outputs(i + 2 * j) {
                    check_into(&expected, output_layout, &what, |out| {
                        dynamic::repeat_into(out, &x, "a b c -> c (k a) b", &[("k", k)])
                    });
                }
            }
        }
    }
}

/// The same operations on arrays passed in other forms: a mutable view, a view of a view,
/// owned arrays with an offset or in column-major order, a shared `ArcArray`, lists.
fn input_forms<A: Elem>() {
    let name = std::any::type_name::<A>();
    for (r, c) in [(3, 5), (33, 7), (4, 65), (1, 9)] {
        let what = |case: &str| format!("{name} {r}×{c}: {case}");
        let mut x: Array2<A> = iota((r, c));
        let expected_t = x.t().to_owned();

        let t = rearrange!(x.view_mut(), "a b -> b a").unwrap();
        assert_result(&t, &expected_t, what("ArrayViewMut"));
        let mut nested_view = x.view_mut();
        nested_view.invert_axis(Axis(1));
        let nested_view = nested_view.slice_move(s![.., 1..]);
        let expected = nested_view.t().to_owned();
        let t = rearrange!(nested_view, "a b -> b a").unwrap();
        assert_result(&t, &expected, what("sliced, inverted ArrayViewMut"));

        let view_of_view = x.slice(s![.., 1..]);
        let view_of_view = view_of_view.slice(s![..;-1, ..;2]);
        let t = rearrange!(&view_of_view, "a b -> (b a)").unwrap();
        assert_result(
            &t,
            &Array1::from_iter(view_of_view.t().iter().cloned()),
            what("view of a view"),
        );

        // Owned inputs by value: with an offset (buffer reused), column-major (copied).
        let offset = x.clone().slice_move(s![1.., ..]);
        let expected = Array1::from_iter(offset.iter().cloned());
        let flat = rearrange!(offset, "a b -> (a b)").unwrap();
        assert_result(&flat, &expected, what("owned with offset"));
        let column_major = x.clone().reversed_axes();
        let flat = rearrange!(column_major, "b a -> (a b)").unwrap();
        assert_result(
            &flat,
            &Array1::from_iter(x.iter().cloned()),
            what("owned column-major"),
        );
        let mut inverted = x.clone();
        inverted.invert_axis(Axis(0));
        let expected = inverted.to_owned();
        let same = rearrange!(inverted, "a b -> a b").unwrap();
        assert_result(&same, &expected, what("owned, inverted axis"));
        let shared = x.to_shared();
        let t = rearrange!(shared.clone(), "a b -> b a").unwrap();
        assert_result(&t, &expected_t, what("shared ArcArray"));
        assert_result(&shared, &x, what("shared ArcArray untouched"));

        // Lists are stacked along a new first axis.
        let other: Array2<A> = iota_from((r, c), 5000);
        let stacked = rearrange!([x.view(), other.slice(s![..;-1, ..])], "n a b -> b n a").unwrap();
        let expected = Array3::from_shape_fn((c, 2, r), |(j, n, i)| {
            if n == 0 {
                x[[i, j]].clone()
            } else {
                other[[r - 1 - i, j]].clone()
            }
        });
        assert_result(&stacked, &expected, what("list"));
    }
    // Zero-dimensional arrays.
    let scalar: Array0<A> = Array0::from_elem((), A::make(7));
    assert_result(
        &rearrange!(&scalar, " -> ").unwrap(),
        &scalar,
        format!("{name}: scalar"),
    );
    let repeated = repeat!(&scalar, " -> k", k = 5).unwrap();
    assert_result(
        &repeated,
        &Array1::from_elem(5, A::make(7)),
        format!("{name}: repeated scalar"),
    );
}

/// `_into` with an output of the wrong shape fails before writing anything.
fn wrong_output_shape<A: Elem>() {
    let x: Array2<A> = iota((3, 4));
    let mut out: Array2<A> = iota_from((3, 4), 100);
    let before = out.clone();
    let err = rearrange_into!(&mut out, &x, "a b -> b a").unwrap_err();
    assert_eq!(err.kind(), "output_shape", "{err}");
    let err = repeat_into!(&mut out, &x, "a b -> a (b k)", k = 2).unwrap_err();
    assert_eq!(err.kind(), "output_shape", "{err}");
    let err = repeat_into!(
        &mut out.slice_mut(s![.., ..;2]),
        &x,
        "a b -> a (b k)",
        k = 2
    )
    .unwrap_err();
    assert_eq!(err.kind(), "output_shape", "{err}");
    let mut dyn_out: ArrayD<A> = iota_from(IxDyn(&[4, 0]), 100);
    let err = dynamic::rearrange_into(&mut dyn_out, &x, "a b -> b a", &[]).unwrap_err();
    assert_eq!(err.kind(), "output_shape", "{err}");
    assert_eq!(out, before, "a failed call writes nothing");
}

#[test]
fn reduce_into_wrong_output_shape() {
    let x = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f32);
    let mut out = Array1::<f32>::zeros(4);
    let err = reduce_into!(&mut out, &x, "a b -> a", sum).unwrap_err();
    assert_eq!(err.kind(), "output_shape", "{err}");
    let err = reduce_into!(&mut out.slice_mut(s![..;2]), &x, "a b -> b", max).unwrap_err();
    assert_eq!(err.kind(), "output_shape", "{err}");
    assert_eq!(out, Array1::<f32>::zeros(4), "a failed call writes nothing");
}

macro_rules! per_element_type {
    ($($module:ident: $t:ty),* $(,)?) => {$(
        mod $module {
            #[test]
            fn copy_strategies() {
                super::copy_strategies::<$t>();
            }
            #[test]
            fn long_runs() {
                super::long_runs::<$t>();
            }
            #[test]
            fn interleaves() {
                super::interleaves::<$t>();
            }
            #[test]
            fn transposes_into() {
                super::transposes_into::<$t>();
            }
            #[test]
            fn transpose_leads() {
                super::transpose_leads::<$t>();
            }
            #[test]
            fn layouts() {
                super::layouts::<$t>();
            }
            #[test]
            fn input_forms() {
                super::input_forms::<$t>();
            }
            #[test]
            fn wrong_output_shape() {
                super::wrong_output_shape::<$t>();
            }
        }
    )*};
}

per_element_type!(
    elem_u8: u8,
    elem_i16: i16,
    elem_f32: f32,
    elem_f64: f64,
    elem_u128: u128,
    elem_bool: bool,
    elem_char: char,
);

// ---------------------------------------------------------------------------------------
// 2. Reductions on every kernel path
// ---------------------------------------------------------------------------------------

/// A reducible element type with data sets whose folds are exact in any order (so the
/// reference may fold in another order than the kernels) and reference operations.
trait Num: Elem + Copy + einops::Reducible {
    const FLOAT: bool;
    /// Sums, minima and maxima: small integers for floats, wrapping values for integers.
    fn mixed(i: usize) -> Self;
    /// Products: ±1 and rare powers of two for floats (exact whatever the grouping), odd integers.
    fn factor(i: usize) -> Self;
    /// Mostly zero (for `any`).
    fn sparse(i: usize) -> Self;
    fn plus(a: Self, b: Self) -> Self;
    fn times(a: Self, b: Self) -> Self;
    /// The smaller; NaN wins.
    fn lower(a: Self, b: Self) -> Self;
    /// The larger; NaN wins.
    fn upper(a: Self, b: Self) -> Self;
    fn truth(self) -> bool;
    fn from_truth(t: bool) -> Self;
    fn divide(sum: Self, count: usize) -> Self;
}

/// A well-mixed hash of an index.
fn mix(i: usize) -> usize {
    ((i as u64)
        .wrapping_add(1)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        >> 40) as usize
}

macro_rules! float_num {
    ($t:ty) => {
        impl Num for $t {
            const FLOAT: bool = true;
            fn mixed(i: usize) -> Self {
                (mix(i) % 41) as $t - 20.0
            }
            fn factor(i: usize) -> Self {
                // Rare enough that no product of a whole test array leaves the exponent range.
                match mix(i) % 2048 {
                    0 => 2.0,
                    1 => 0.5,
                    2 => -2.0,
                    k if k < 1024 => -1.0,
                    _ => 1.0,
                }
            }
            fn sparse(i: usize) -> Self {
                if mix(i) % 300 == 0 {
                    3.0
                } else {
                    0.0
                }
            }
            fn plus(a: Self, b: Self) -> Self {
                a + b
            }
            fn times(a: Self, b: Self) -> Self {
                a * b
            }
            fn lower(a: Self, b: Self) -> Self {
                if a.is_nan() || b.is_nan() {
                    <$t>::NAN
                } else {
                    a.min(b)
                }
            }
            fn upper(a: Self, b: Self) -> Self {
                if a.is_nan() || b.is_nan() {
                    <$t>::NAN
                } else {
                    a.max(b)
                }
            }
            fn truth(self) -> bool {
                self != 0.0
            }
            fn from_truth(t: bool) -> Self {
                if t {
                    1.0
                } else {
                    0.0
                }
            }
            fn divide(sum: Self, count: usize) -> Self {
                sum / count as $t
            }
        }
    };
}
float_num!(f32);
float_num!(f64);

macro_rules! int_num {
    ($t:ty, $shift:expr) => {
        impl Num for $t {
            const FLOAT: bool = false;
            fn mixed(i: usize) -> Self {
                // Large enough that sums wrap.
                ((mix(i) as u64) << $shift) as $t
            }
            fn factor(i: usize) -> Self {
                (mix(i) | 1) as $t
            }
            fn sparse(i: usize) -> Self {
                if mix(i) % 300 == 0 {
                    (mix(i) | 1) as $t
                } else {
                    0
                }
            }
            fn plus(a: Self, b: Self) -> Self {
                a.wrapping_add(b)
            }
            fn times(a: Self, b: Self) -> Self {
                a.wrapping_mul(b)
            }
            fn lower(a: Self, b: Self) -> Self {
                a.min(b)
            }
            fn upper(a: Self, b: Self) -> Self {
                a.max(b)
            }
            fn truth(self) -> bool {
                self != 0
            }
            fn from_truth(t: bool) -> Self {
                t as $t
            }
            fn divide(_: Self, _: usize) -> Self {
                unreachable!("mean is not defined for integers")
            }
        }
    };
}
int_num!(i64, 40);
int_num!(u8, 0);

impl Num for bool {
    const FLOAT: bool = false;
    fn mixed(i: usize) -> Self {
        !mix(i).is_multiple_of(3)
    }
    fn factor(i: usize) -> Self {
        !mix(i).is_multiple_of(200)
    }
    fn sparse(i: usize) -> Self {
        mix(i).is_multiple_of(200)
    }
    fn plus(a: Self, b: Self) -> Self {
        a | b
    }
    fn times(a: Self, b: Self) -> Self {
        a & b
    }
    fn lower(a: Self, b: Self) -> Self {
        a & b
    }
    fn upper(a: Self, b: Self) -> Self {
        a | b
    }
    fn truth(self) -> bool {
        self
    }
    fn from_truth(t: bool) -> Self {
        t
    }
    fn divide(_: Self, _: usize) -> Self {
        unreachable!("mean is not defined for bool")
    }
}

/// The reduction of `values` as numpy defines it; `None` for `min`/`max` of nothing.
fn reference<A: Num>(values: impl IntoIterator<Item = A>, reduction: &str) -> Option<A> {
    let mut count = 0;
    let mut values = values.into_iter().inspect(|_| count += 1);
    Some(match reduction {
        "sum" => values.fold(A::from_truth(false), A::plus),
        "prod" => values.fold(A::from_truth(true), A::times),
        "min" => values.reduce(A::lower)?,
        "max" => values.reduce(A::upper)?,
        "mean" => {
            let sum = values.fold(A::from_truth(false), A::plus);
            A::divide(sum, count)
        }
        "any" => A::from_truth(values.any(A::truth)),
        "all" => A::from_truth(values.all(A::truth)),
        other => panic!("unknown reduction {other}"),
    })
}

/// `reduce!` with the reduction written out, as the macros need it.
fn reduce_static<A: Num>(
    x: &ArrayView2<'_, A>,
    reduction: &str,
) -> Result<Array1<A>, einops::Error> {
    match reduction {
        "sum" => reduce!(x, "n l -> l", sum),
        "prod" => reduce!(x, "n l -> l", prod),
        "min" => reduce!(x, "n l -> l", min),
        "max" => reduce!(x, "n l -> l", max),
        "any" => reduce!(x, "n l -> l", any),
        "all" => reduce!(x, "n l -> l", all),
        other => panic!("no static form for {other}"),
    }
}

/// Where the reduced (`n`) and kept (`l`) axes of an `n × l` input sit in memory.
#[derive(Clone, Copy, Debug)]
enum Path {
    /// Kept axis contiguous: whole lanes folded at once.
    Vertical,
    /// The same with a negative stride between reduced rows.
    VerticalReversed,
    /// Reduced axis contiguous: runs folded with several accumulators.
    Horizontal,
    /// Neither contiguous: every other kept lane.
    Strided,
    /// Neither contiguous: both axes inverted.
    StridedReversed,
}

const PATHS: [Path; 5] = [
    Path::Vertical,
    Path::VerticalReversed,
    Path::Horizontal,
    Path::Strided,
    Path::StridedReversed,
];

/// The row-major array an `n × l` input on `path` is a view of.
fn path_backing<A: Num>(path: Path, n: usize, l: usize, data: fn(usize) -> A) -> Array2<A> {
    let shape = match path {
        Path::Vertical | Path::VerticalReversed | Path::StridedReversed => (n, l),
        Path::Horizontal => (l, n),
        Path::Strided => (n, 2 * l + 1),
    };
    Array2::from_shape_fn(shape, |(i, j)| data(i * shape.1 + j))
}

/// The `n × l` view of a [`path_backing`] array.
fn path_view<T>(backing: &mut Array2<T>, path: Path) -> ArrayViewMut2<'_, T> {
    let mut view = backing.view_mut();
    match path {
        Path::Vertical => {}
        Path::VerticalReversed => view.invert_axis(Axis(0)),
        Path::Horizontal => view = view.reversed_axes(),
        Path::Strided => view.slice_axis_inplace(Axis(1), Slice::new(1, None, 2)),
        Path::StridedReversed => {
            view.invert_axis(Axis(0));
            view.invert_axis(Axis(1));
        }
    }
    view
}

/// Reduces `x` over `n` (per lane, into strided outputs, with the macro) and over
/// everything, against [`reference`].
#[track_caller]
fn check_reduction<A: Num>(
    x: &ArrayView2<'_, A>,
    reduction: &str,
    what: &str,
    extras: bool,
) -> Option<ArrayD<A>> {
    let (n, l) = x.dim();
    let what = format!("{what}: {reduction} of {n}×{l}");
    let got = dynamic::reduce(x, "n l -> l", reduction, &[]);
    if extras {
        let whole = dynamic::reduce(x, "n l ->", reduction, &[]);
        match reference(x.iter().copied(), reduction) {
            Some(value) => assert_result(
                &whole.unwrap(),
                &Array0::from_elem((), value).into_dyn(),
                format!("{what}, whole"),
            ),
            None => assert_eq!(
                whole.unwrap_err().kind(),
                "empty_reduction",
                "{what}, whole"
            ),
        }
    }
    if n == 0 && matches!(reduction, "min" | "max") {
        assert_eq!(got.unwrap_err().kind(), "empty_reduction", "{what}");
        return None;
    }
    let got = got.unwrap();
    let expected = Array1::from_shape_fn(l, |j| {
        reference(x.column(j).iter().copied(), reduction).unwrap()
    });
    assert_result(&got, &expected, &what);
    if !extras {
        return Some(got);
    }
    if reduction != "mean" {
        assert_result(
            &reduce_static(x, reduction).unwrap(),
            &expected,
            format!("{what}, macro"),
        );
    }
    let expected = expected.into_dyn();
    for layout in [Layout::Reversed, Layout::Stepped] {
        check_into(&expected, layout, &what, |out| {
            dynamic::reduce_into(out, x, "n l -> l", reduction, &[])
        });
    }
    Some(got)
}

/// A data set and the reductions to run on it.
type DataSet<A> = (fn(usize) -> A, &'static [&'static str]);

/// Every reduction on every path over the `reduced × lanes` grid.
fn reductions<A: Num>(reduced: &[usize], lanes: &[usize], paths: &[Path]) {
    let name = std::any::type_name::<A>();
    let mixed: &[&str] = if A::FLOAT {
        &["sum", "min", "max", "any", "all", "mean"]
    } else {
        &["sum", "min", "max", "any", "all"]
    };
    let data_sets: [DataSet<A>; 3] = [
        (A::mixed, mixed),
        (A::factor, &["prod", "all"]),
        (A::sparse, &["any"]),
    ];
    for &path in paths {
        for &n in reduced {
            for &l in lanes {
                for (data, list) in &data_sets {
                    let mut backing = path_backing(path, n, l, *data);
                    let view = path_view(&mut backing, path);
                    // The whole reduction, the macro and `_into` for the extreme lane counts
                    // (the largest only up to 129 rows, to keep the test fast).
                    let extras = l == lanes[0] || (Some(&l) == lanes.last() && n <= 129);
                    for reduction in list.iter() {
                        let what = format!("{name} {path:?}");
                        check_reduction(&view.view(), reduction, &what, extras);
                    }
                }
            }
        }
    }
}

/// Reduced counts around a vertical pass (8 rows), the fold block (128, the most rows
/// listed) and beyond; lane counts around a vertical chunk (16) and the short lane block (64).
const REDUCED: [usize; 12] = [0, 1, 7, 8, 9, 17, 64, 127, 128, 129, 257, 1000];
const REDUCE_LANES: [usize; 7] = [1, 15, 16, 17, 63, 64, 65];

macro_rules! reduction_tests {
    ($($module:ident: $t:ty),* $(,)?) => {$(
        mod $module {
            use super::*;
            #[test]
            fn every_path() {
                reductions::<$t>(&REDUCED, &REDUCE_LANES, &PATHS);
            }
            /// Wider vertical lane blocks (4096 lanes) and the horizontal kernel's block of
            /// accumulators (8 or 32 accumulators × 128).
            #[test]
            fn wide_lanes_and_long_runs() {
                reductions::<$t>(&[1, 9, 129], &[255, 256, 257], &[Path::Vertical, Path::Strided]);
                reductions::<$t>(&[3, 9], &[4095, 4096, 4097], &[Path::Vertical, Path::VerticalReversed]);
                reductions::<$t>(&[8, 9, 1023, 1024, 1025, 4095, 4096, 4097], &[1, 2], &[Path::Horizontal]);
            }
            /// Inputs of 1 MiB or more, whose vertical folds prefetch ahead along the rows
            /// (past their ends at the last lanes): a window of two rows folded in one
            /// pass, and nine rows, more than a pass.
            #[test]
            fn prefetched_inputs() {
                let size = std::mem::size_of::<$t>();
                let paths = [Path::Vertical, Path::VerticalReversed];
                reductions::<$t>(&[2], &[(1 << 19) / size + 1], &paths);
                reductions::<$t>(&[9], &[(1 << 17) / size + 1], &paths);
            }
        }
    )*};
}

reduction_tests!(reduce_f32: f32, reduce_f64: f64, reduce_i64: i64, reduce_u8: u8, reduce_bool: bool);

/// Rank-3 reductions over every input layout, with axes that fuse, axes that don't, and
/// kept axes in another order than the input's.
fn reductions_3d<A: Num>() {
    let name = std::any::type_name::<A>();
    let patterns: [(&str, &[usize]); 7] = [
        ("a b c -> a", &[0]),
        ("a b c -> b", &[1]),
        ("a b c -> c", &[2]),
        ("a b c -> a c", &[0, 2]),
        ("a b c -> c a", &[2, 0]),
        ("a b c -> b 1", &[1]),
        ("a b c ->", &[]),
    ];
    for shape in [
        [3, 5, 7],
        [2, 129, 3],
        [65, 2, 9],
        [4, 3, 66],
        [0, 3, 4],
        [3, 0, 4],
        [1, 1, 1],
    ] {
        for layout in LAYOUTS {
            let bshape = backing_shape(&shape, layout);
            let count = bshape.iter().product();
            let mut input_backing: ArrayD<A> =
                ArrayD::from_shape_vec(IxDyn(&bshape), (0..count).map(A::mixed).collect()).unwrap();
            let x = arrange(&mut input_backing, layout);
            for (j, (pattern, kept)) in patterns.into_iter().enumerate() {
                // The input's values grouped by output position.
                let out_shape: Vec<usize> = kept.iter().map(|&k| shape[k]).collect();
                let mut groups: Vec<Vec<A>> = vec![Vec::new(); out_shape.iter().product()];
                for (ix, &v) in x.indexed_iter() {
                    let position = kept.iter().fold(0, |acc, &k| acc * shape[k] + ix[k]);
                    groups[position].push(v);
                }
                let mut shape_out = out_shape.clone();
                if pattern.ends_with(" 1") {
                    shape_out.push(1);
                }
                let reduced_count: usize = (0..3)
                    .filter(|k| !kept.contains(k))
                    .map(|k| shape[k])
                    .product();
                for reduction in ["sum", "max", "min"] {
                    let what = format!("{name} {shape:?} {layout:?}: {pattern} {reduction}");
                    let got = dynamic::reduce(&x, pattern, reduction, &[]);
                    if reduced_count == 0 && reduction != "sum" {
                        assert_eq!(got.unwrap_err().kind(), "empty_reduction", "{what}");
                        continue;
                    }
                    let values = groups
                        .iter()
                        .map(|g| reference(g.iter().copied(), reduction).unwrap())
                        .collect();
                    let expected = ArrayD::from_shape_vec(IxDyn(&shape_out), values).unwrap();
                    assert_result(&got.unwrap(), &expected, &what);
                    let output_layout =
                        [Layout::Reversed, Layout::Transposed, Layout::Nested][j % 3];
                    check_into(&expected, output_layout, &what, |out| {
                        dynamic::reduce_into(out, &x, pattern, reduction, &[])
                    });
                }
            }
        }
    }
}

#[test]
fn reductions_3d_i64() {
    reductions_3d::<i64>();
}

#[test]
fn reductions_3d_f32() {
    reductions_3d::<f32>();
}

/// Whether `v` is NaN (the only value unequal to itself).
#[allow(clippy::eq_op)]
fn is_nan<A: PartialEq>(v: &A) -> bool {
    v != v
}

/// min and max propagate NaN as numpy does, wherever the NaN falls: first, inside an
/// accumulator lane, in a tail, in a later block, alongside infinities.
fn nan_propagation<A: Num>(nan: A, inf: A, neg_inf: A) {
    let name = std::any::type_name::<A>();
    for path in PATHS {
        for n in [1, 2, 7, 8, 9, 127, 128, 129, 1000] {
            for l in [1, 65] {
                let mut rows = vec![0, 1, 7, 8, n / 2, n - 1];
                rows.retain(|&r| r < n);
                rows.dedup();
                for row in rows {
                    let mut backing = path_backing(path, n, l, A::mixed);
                    let mut view = path_view(&mut backing, path);
                    for j in (0..l).step_by(2) {
                        view[(row, j)] = nan;
                    }
                    for j in (1..l).step_by(2) {
                        view[(n - 1 - row, j)] = if j % 4 == 1 { inf } else { neg_inf };
                    }
                    let what = format!("{name} {path:?} NaN in row {row}");
                    for reduction in ["min", "max", "sum"] {
                        let got = check_reduction(&view.view(), reduction, &what, false).unwrap();
                        for j in (0..l).step_by(2) {
                            assert!(
                                is_nan(&got[j]),
                                "{what}: {reduction} lane {j} is {:?}, not NaN",
                                got[j]
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn nan_propagation_f32() {
    nan_propagation::<f32>(f32::NAN, f32::INFINITY, f32::NEG_INFINITY);
    // -inf too: min over a lane holding -inf and no NaN is -inf.
    let x = ndarray::arr2(&[
        [1.0f32, f32::NEG_INFINITY],
        [f32::NEG_INFINITY, 2.0],
        [3.0, f32::NAN],
    ]);
    let min = reduce!(&x, "n l -> l", min).unwrap();
    assert_eq!(min[0], f32::NEG_INFINITY);
    assert!(min[1].is_nan());
    let max = reduce!(&x.t(), "l n -> l", max).unwrap();
    assert_eq!(max[0], 3.0);
    assert!(max[1].is_nan());
}

#[test]
fn nan_propagation_f64() {
    nan_propagation::<f64>(f64::NAN, f64::INFINITY, f64::NEG_INFINITY);
}

/// `reduce(x, "n l -> l", reduction)` as a vector.
fn per_lane<A: Num>(x: &ArrayViewMut2<'_, A>, reduction: &str) -> Vec<A> {
    let got = dynamic::reduce(x, "n l -> l", reduction, &[]).unwrap();
    got.iter().copied().collect()
}

/// Integer sums and products wrap, on every path.
#[test]
fn integer_sum_and_prod_wrap() {
    for path in PATHS {
        let mut backing = path_backing(path, 300, 3, |_| 255u8);
        let view = path_view(&mut backing, path);
        // 255 · 300 = 76500 = 298 · 256 + 212.
        assert_eq!(per_lane(&view, "sum"), [212; 3], "{path:?}");
        // 255 ≡ −1 (mod 256), and 300 factors are an even count.
        assert_eq!(per_lane(&view, "prod"), [1; 3], "{path:?}");
        let mut backing = path_backing(path, 129, 2, |_| i64::MAX);
        let view = path_view(&mut backing, path);
        // 129 · (2⁶³ − 1) ≡ 2⁶³ − 129 = i64::MAX − 128 (mod 2⁶⁴).
        assert_eq!(per_lane(&view, "sum"), [i64::MAX - 128; 2], "{path:?}");
        // (2⁶³ − 1)² = 2¹²⁶ − 2⁶⁴ + 1 ≡ 1 (mod 2⁶⁴), so an odd power is i64::MAX.
        assert_eq!(per_lane(&view, "prod"), [i64::MAX; 2], "{path:?}");
    }
    let x = ndarray::arr1(&[200u8, 100, 16, 16]);
    assert_eq!(reduce!(&x, "a ->", sum).unwrap().into_scalar(), 76);
    assert_eq!(
        reduce!(&x.slice(s![2..]), "a ->", prod)
            .unwrap()
            .into_scalar(),
        0
    );
    assert_eq!(
        reduce!(&ndarray::arr1(&[i32::MAX, 1]), "a ->", sum)
            .unwrap()
            .into_scalar(),
        i32::MIN
    );
}

/// Reducing nothing: `sum` 0, `prod` 1, `any` false, `all` true, `mean` NaN; `min`/`max` are
/// errors, also when the output is empty too.
#[test]
fn empty_reductions() {
    for (n, l) in [(0, 3), (0, 0), (0, 65)] {
        let x = Array2::<f32>::zeros((n, l));
        for (reduction, value) in [("sum", 0.0), ("prod", 1.0), ("any", 0.0), ("all", 1.0)] {
            let got = dynamic::reduce(&x, "n l -> l", reduction, &[]).unwrap();
            assert_eq!(
                got,
                Array1::from_elem(l, value).into_dyn(),
                "{reduction} {n}×{l}"
            );
        }
        let mean = reduce!(&x, "n l -> l", mean).unwrap();
        assert_eq!(mean.len(), l);
        assert!(
            mean.iter().all(|v| v.is_nan()),
            "mean of nothing is NaN: {mean}"
        );
        let mean = reduce!(&x.t(), "l n -> l", mean).unwrap();
        assert!(
            mean.iter().all(|v| v.is_nan()),
            "mean of nothing is NaN: {mean}"
        );
        for reduction in ["min", "max"] {
            let err = dynamic::reduce(&x, "n l -> l", reduction, &[]).unwrap_err();
            assert_eq!(err.kind(), "empty_reduction", "{err}");
            let mut out = Array1::<f32>::from_elem(l, 5.0);
            let err = dynamic::reduce_into(&mut out, &x, "n l -> l", reduction, &[]).unwrap_err();
            assert_eq!(err.kind(), "empty_reduction", "{err}");
            assert!(
                out.iter().all(|&v| v == 5.0),
                "a failed reduce_into writes nothing"
            );
        }
        assert_eq!(
            reduce!(&x, "n l -> l", max).unwrap_err().kind(),
            "empty_reduction"
        );
        let b = Array2::<bool>::from_elem((n, l), true);
        assert_eq!(
            reduce!(&b, "n l -> l", all).unwrap(),
            Array1::from_elem(l, true)
        );
        assert_eq!(
            reduce!(&b, "n l -> l", any).unwrap(),
            Array1::from_elem(l, false)
        );
        let i = Array2::<i64>::zeros((n, l));
        assert_eq!(
            reduce!(&i, "n l -> l", prod).unwrap(),
            Array1::from_elem(l, 1)
        );
    }
    // A reduced axis of length 0 next to a kept one of length 0: numpy rejects min and max.
    let x = Array3::<f32>::zeros((0, 4, 0));
    assert_eq!(
        reduce!(&x, "a b c -> a", min).unwrap_err().kind(),
        "empty_reduction"
    );
    assert_eq!(
        reduce!(&x, "a b c -> a b", max).unwrap_err().kind(),
        "empty_reduction"
    );
    // Nothing reduced is empty when only the kept axes are empty.
    assert_eq!(reduce!(&x, "a b c -> a c", min).unwrap().shape(), &[0, 0]);
}

/// Floating-point sums are blocked: a million 0.1f32 add up to within 1e-5 of the f64 sum.
fn check_sum_accuracy(got: f32, what: &str) {
    let exact = 1_000_000.0 * f64::from(0.1f32);
    let error = (f64::from(got) - exact).abs() / exact;
    assert!(error < 1e-5, "{what}: {got} is {error:e} from {exact}");
}

#[test]
fn f32_sum_accuracy_horizontal() {
    let x = Array1::from_elem(1_000_000, 0.1f32);
    check_sum_accuracy(
        reduce!(&x, "a ->", sum).unwrap().into_scalar(),
        "horizontal",
    );
    let mean = reduce!(&x, "a ->", mean).unwrap().into_scalar();
    assert!(
        (f64::from(mean) - f64::from(0.1f32)).abs() < 1e-5 * 0.1,
        "mean {mean}"
    );
}

/// The same sum through the vertical kernel (two contiguous lanes).
#[test]
fn f32_sum_accuracy_vertical() {
    let lanes = Array2::from_elem((1_000_000, 2), 0.1f32);
    for (k, v) in reduce!(&lanes, "a b -> b", sum).unwrap().iter().enumerate() {
        check_sum_accuracy(*v, &format!("vertical lane {k}"));
    }
}

/// The same sums through the strided kernel (no contiguous axis).
#[test]
fn f32_sum_accuracy_strided() {
    let x = Array1::from_elem(1_000_000, 0.1f32);
    check_sum_accuracy(
        reduce!(&x.slice(s![..;-1]), "a ->", sum)
            .unwrap()
            .into_scalar(),
        "reversed",
    );
    let wide = Array2::from_elem((1_000_000, 2), 0.1f32);
    check_sum_accuracy(
        reduce!(&wide.slice(s![.., 1]), "a ->", sum)
            .unwrap()
            .into_scalar(),
        "column",
    );
}

/// Inputs with zero strides (`broadcast`) and overlapping rows (a sliding-window view): the
/// kernels read the same source element for several outputs.
#[test]
fn broadcast_and_overlapping_inputs() {
    let row: Array1<i64> = iota(70);
    for (r, c) in [(1, 5), (2, 7), (3, 33), (4, 64), (5, 65), (33, 3)] {
        let what = format!("{r}×{c}");
        let (head, column) = (row.slice(s![..c]), row.slice(s![..r]).insert_axis(Axis(1)));
        let wide = head.broadcast((r, c)).unwrap();
        let tall = column.broadcast((r, c)).unwrap();
        // A window sliding by one element per row: rows overlap.
        let window =
            ndarray::ArrayView2::from_shape((r, c).strides((1, 1)), row.as_slice().unwrap())
                .unwrap();
        for (x, kind) in [
            (wide, "broadcast rows"),
            (tall, "broadcast columns"),
            (window, "sliding window"),
        ] {
            let what = format!("{what} {kind}");
            let owned = x.to_owned();
            assert_result(&rearrange!(&x, "a b -> b a").unwrap(), &owned.t(), &what);
            assert_result(
                &rearrange!(&x, "a b -> (a b)").unwrap(),
                &Array1::from_iter(owned.iter().copied()),
                &what,
            );
            let repeated = repeat!(&x, "a b -> b k a", k = 3).unwrap();
            assert_result(
                &repeated,
                &Array3::from_shape_fn((c, 3, r), |(j, _, i)| owned[[i, j]]),
                &what,
            );
            let mut out = Array2::zeros((c, 2 * r));
            rearrange_into!(&mut out.slice_mut(s![.., ..;-2]), &x, "a b -> b a").unwrap();
            assert_same(&out.slice(s![.., ..;-2]), &owned.t(), &what);
            for reduction in ["sum", "max", "prod"] {
                let lanes = dynamic::reduce(&x, "a b -> b", reduction, &[]).unwrap();
                let expected = owned.map_axis(Axis(0), |lane| {
                    reference(lane.iter().copied(), reduction).unwrap()
                });
                assert_result(
                    &lanes,
                    &expected.into_dyn(),
                    format!("{what}: {reduction} over rows"),
                );
                let rows = dynamic::reduce(&x, "a b -> a", reduction, &[]).unwrap();
                let expected = owned.map_axis(Axis(1), |lane| {
                    reference(lane.iter().copied(), reduction).unwrap()
                });
                assert_result(
                    &rows,
                    &expected.into_dyn(),
                    format!("{what}: {reduction} over columns"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. Element types with drop glue, panicking clones, and non-trivial clones
// ---------------------------------------------------------------------------------------

thread_local! {
    /// Ids of the `Tracked` values alive on this thread (each test runs on its own thread,
    /// and the kernels never move types with drop glue to other threads).
    static LIVE: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
    /// Drops of values that were not alive: double drops.
    static BAD_DROPS: Cell<usize> = const { Cell::new(0) };
    /// Clones allowed before `Clone` panics (`None`: unlimited).
    static CLONE_BUDGET: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The payload of the panics a spent clone budget raises.
struct BudgetSpent;

/// Spends one clone of the budget, panicking when there is none left.
fn spend_clone() {
    CLONE_BUDGET.with(|budget| match budget.get() {
        Some(0) => std::panic::panic_any(BudgetSpent),
        Some(k) => budget.set(Some(k - 1)),
        None => {}
    });
}

/// Hides the messages of the `BudgetSpent` panics the tests provoke (and only those).
fn quiet_budget_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<BudgetSpent>() {
                default(info);
            }
        }));
    });
}

/// A value with drop glue whose instances are tracked by id.
#[derive(Debug)]
struct Tracked {
    id: u64,
    value: i32,
}

impl Tracked {
    fn new(value: i32) -> Self {
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        LIVE.with(|live| live.borrow_mut().insert(id));
        Tracked { id, value }
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        spend_clone();
        Tracked::new(self.value)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let was_live = LIVE.with(|live| live.borrow_mut().remove(&self.id));
        if !was_live {
            BAD_DROPS.with(|bad| bad.set(bad.get() + 1));
        }
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

fn live() -> HashSet<u64> {
    LIVE.with(|live| live.borrow().clone())
}

/// Checks that exactly the values of `expected` are alive and nothing was dropped twice.
#[track_caller]
fn assert_live(expected: &HashSet<u64>, what: &str) {
    assert_eq!(
        BAD_DROPS.with(Cell::get),
        0,
        "{what}: a value was dropped twice"
    );
    let now = live();
    assert!(
        now == *expected,
        "{what}: {} values alive, expected {} ({} leaked, {} dropped too early)",
        now.len(),
        expected.len(),
        now.difference(expected).count(),
        expected.difference(&now).count()
    );
}

fn tracked(shape: (usize, usize), start: i32) -> Array2<Tracked> {
    Array2::from_shape_fn(shape, |(i, j)| {
        Tracked::new(start + (i * shape.1 + j) as i32)
    })
}

fn values<S: Data<Elem = Tracked>, D: Dimension>(a: &ArrayBase<S, D>) -> Array<i32, D> {
    a.map(|t| t.value)
}

#[test]
fn drop_glue_clones_and_drops_exactly_once() {
    let baseline = live();
    {
        let x = tracked((5, 7), 0);
        let with_x = live();
        let xv = values(&x);
        let alive_with = |extra: usize, what: &str| {
            assert_eq!(live().len(), with_x.len() + extra, "{what}: values alive");
            assert_eq!(BAD_DROPS.with(Cell::get), 0, "{what}: double drop");
        };

        let t = rearrange!(&x, "a b -> b a").unwrap();
        assert_eq!(values(&t), xv.t());
        alive_with(35, "transpose");
        drop(t);
        assert_live(&with_x, "transpose dropped");

        let flat = rearrange!(x.t(), "b a -> (a b)").unwrap();
        assert_eq!(values(&flat), Array1::from_iter(xv.iter().copied()));
        drop(flat);
        assert_live(&with_x, "flatten of a transposed view");

        // An owned standard array in order keeps its buffer: no clone, no drop.
        let owned = x.clone();
        let owned_ids: HashSet<u64> = owned.iter().map(|t| t.id).collect();
        let flat = rearrange!(owned, "a b -> (a b)").unwrap();
        assert_eq!(
            flat.iter().map(|t| t.id).collect::<HashSet<_>>(),
            owned_ids,
            "buffer reused"
        );
        alive_with(35, "buffer reuse");
        drop(flat);
        assert_live(&with_x, "buffer reuse dropped");

        // Owned but column-major: copied, and the input is dropped inside the call.
        let t = rearrange!(x.clone().reversed_axes(), "b a -> a b").unwrap();
        assert_eq!(values(&t), xv);
        alive_with(35, "owned column-major input");
        drop(t);
        let shared = x.to_shared();
        let t = rearrange!(shared.clone(), "a b -> b a").unwrap();
        alive_with(70, "shared ArcArray input");
        drop((t, shared));
        assert_live(&with_x, "owned inputs");

        for r in [0, 1, 3] {
            let rep = repeat!(&x, "a b -> a r b", r = r).unwrap();
            assert_eq!(
                values(&rep),
                Array3::from_shape_fn((5, r, 7), |(i, _, j)| xv[[i, j]])
            );
            alive_with(35 * r, "repeat");
            drop(rep);
            let rep = repeat!(x.slice(s![..;-1, ..]), "a b -> b (a r)", r = r).unwrap();
            assert_eq!(
                values(&rep),
                Array2::from_shape_fn((7, 5 * r), |(j, k)| xv[[4 - k / r, j]])
            );
            drop(rep);
            assert_live(&with_x, "repeat dropped");
        }

        let stacked = rearrange!([x.view(), x.slice(s![..;-1, ..])], "n a b -> a n b").unwrap();
        assert_eq!(
            values(&stacked),
            Array3::from_shape_fn((5, 2, 7), |(i, n, j)| xv
                [[if n == 0 { i } else { 4 - i }, j]])
        );
        drop(stacked);
        let stacked = rearrange!(vec![x.clone(), x.clone()], "n a b -> n (a b)").unwrap();
        assert_eq!(stacked.shape(), &[2, 35]);
        drop(stacked);
        let parts = [x.clone(), x.clone(), x.clone()];
        let stacked = repeat!(&parts[..], "n a b -> b a n k", k = 2).unwrap();
        assert_eq!(stacked.shape(), &[7, 5, 3, 2]);
        drop((stacked, parts));
        assert_live(&with_x, "lists");

        // `_into`: old values are dropped as new ones are assigned.
        let mut out = tracked((7, 5), 1000);
        rearrange_into!(&mut out, &x, "a b -> b a").unwrap();
        assert_eq!(values(&out), xv.t());
        alive_with(35, "rearrange_into");
        let mut big = tracked((14, 10), 2000);
        rearrange_into!(&mut big.slice_mut(s![..;2, ..;-2]), &x, "a b -> b a").unwrap();
        assert_eq!(values(&big.slice(s![..;2, ..;-2])), xv.t());
        assert_eq!(
            values(&big.slice(s![1..;2, ..])),
            Array2::from_shape_fn((7, 10), |(i, j)| 2000 + ((2 * i + 1) * 10 + j) as i32)
        );
        rearrange_into!(
            &mut big.view_mut().reversed_axes().slice_mut(s![..5, ..7]),
            &x.view(),
            "a b -> a b"
        )
        .unwrap();
        repeat_into!(&mut big.slice_mut(s![..7, ..]), &x, "a b -> b (a r)", r = 2).unwrap();
        assert_eq!(
            values(&big.slice(s![..7, ..])),
            Array2::from_shape_fn((7, 10), |(j, k)| xv[[k / 2, j]])
        );
        alive_with(35 + 140, "into strided outputs");
        drop((out, big));
        assert_live(&with_x, "_into outputs dropped");

        let empty = Array2::<Tracked>::from_shape_vec((0, 4), Vec::new()).unwrap();
        assert_eq!(rearrange!(&empty, "a b -> b a").unwrap().shape(), &[4, 0]);
        assert_eq!(
            repeat!(&empty, "a b -> b a r", r = 3).unwrap().shape(),
            &[4, 0, 3]
        );
        let scalar = Array0::from_elem((), Tracked::new(-1));
        let r = repeat!(&scalar, " -> k", k = 4).unwrap();
        assert_eq!(values(&r), Array1::from_elem(4, -1));
        drop((r, scalar, empty));
        assert_live(&with_x, "empty and scalar");
    }
    assert_live(&baseline, "everything dropped");
}

/// Zero-sized elements, with and without drop glue, through the copy and clone paths.
#[test]
fn zero_sized_elements() {
    thread_local!(static UNITS: Cell<isize> = const { Cell::new(0) });
    #[derive(Debug, PartialEq)]
    struct Unit;
    impl Clone for Unit {
        fn clone(&self) -> Self {
            UNITS.with(|u| u.set(u.get() + 1));
            Unit
        }
    }
    impl Drop for Unit {
        fn drop(&mut self) {
            UNITS.with(|u| u.set(u.get() - 1));
        }
    }
    {
        let x = Array2::from_shape_fn((3, 4), |_| {
            UNITS.with(|u| u.set(u.get() + 1));
            Unit
        });
        let t = rearrange!(&x, "a b -> b a").unwrap();
        let r = repeat!(x.t(), "b a -> b r a", r = 5).unwrap();
        assert_eq!((t.shape(), r.shape()), (&[4, 3][..], &[4, 5, 3][..]));
        assert_eq!(UNITS.with(Cell::get), 12 + 12 + 60);
    }
    assert_eq!(
        UNITS.with(Cell::get),
        0,
        "every zero-sized value dropped once"
    );

    let x = Array2::from_elem((3, 4), ());
    assert_eq!(
        rearrange!(&x, "a b -> b a").unwrap(),
        Array2::from_elem((4, 3), ())
    );
    let mut out = Array2::from_elem((4, 6), ());
    repeat_into!(&mut out, x.t(), "b a -> b (a r)", r = 2).unwrap();
}

/// Calls `call` with a clone budget of 0, 1, 2, ... until it succeeds; returns the result
/// and the number of clones it took. After every panic exactly the values alive before the
/// call are alive, or, when `call` overwrites existing values (`_into`), as many as before.
fn with_growing_budget<R>(what: &str, overwrites: bool, mut call: impl FnMut() -> R) -> (R, usize) {
    quiet_budget_panics();
    for k in 0.. {
        let before = live();
        CLONE_BUDGET.with(|b| b.set(Some(k)));
        let result = catch_unwind(AssertUnwindSafe(&mut call));
        CLONE_BUDGET.with(|b| b.set(None));
        match result {
            Ok(value) => return (value, k),
            Err(payload) => {
                assert!(
                    payload.is::<BudgetSpent>(),
                    "{what}: a panic other than the clone's"
                );
                let what = format!("{what}: after a panic at clone {k}");
                if overwrites {
                    assert_eq!(
                        BAD_DROPS.with(Cell::get),
                        0,
                        "{what}: a value was dropped twice"
                    );
                    assert_eq!(live().len(), before.len(), "{what}: values alive");
                } else {
                    assert_live(&before, &what);
                }
            }
        }
    }
    unreachable!()
}

#[test]
fn panicking_clone_leaves_nothing_behind() {
    let baseline = live();
    {
        let x = tracked((6, 5), 0);
        let xv = values(&x);
        let (t, clones) =
            with_growing_budget("transpose", false, || rearrange!(&x, "a b -> b a").unwrap());
        assert_eq!(clones, 30, "one clone per output element");
        assert_eq!(values(&t), xv.t());
        drop(t);
        let (t, clones) = with_growing_budget("repeat", false, || {
            repeat!(x.slice(s![.., ..;-1]), "a b -> b r a", r = 2).unwrap()
        });
        assert_eq!(clones, 60, "one clone per output element");
        assert_eq!(
            values(&t),
            Array3::from_shape_fn((5, 2, 6), |(j, _, i)| xv[[i, 4 - j]])
        );
        drop(t);
        let (t, _) = with_growing_budget("list", false, || {
            rearrange!([x.view(), x.view()], "n a b -> b n a").unwrap()
        });
        assert_eq!(t.shape(), &[5, 2, 6]);
        drop(t);
        let (t, _) = with_growing_budget("owned column-major", false, || {
            // The clone of the input happens inside the budget too.
            rearrange!(x.clone().reversed_axes(), "b a -> a b").unwrap()
        });
        assert_eq!(values(&t), xv);
        drop(t);

        // Into a (strided) output: every element is its old value or its new one.
        let mut big = tracked((10, 6), 1000);
        let old = values(&big);
        let check_mixed = |big: &Array2<Tracked>| {
            for ((i, j), v) in values(big).indexed_iter() {
                let new = (i % 2 == 1).then(|| xv[[j, (9 - i) / 2]]);
                assert!(
                    *v == old[[i, j]] || Some(*v) == new,
                    "element ({i}, {j}) is {v}: neither old nor new"
                );
            }
        };
        let ((), clones) = with_growing_budget("rearrange_into", true, || {
            check_mixed(&big);
            rearrange_into!(&mut big.slice_mut(s![..;-2, ..]), &x, "a b -> b a").unwrap()
        });
        assert_eq!(clones, 30);
        check_mixed(&big);
        assert_eq!(values(&big.slice(s![..;-2, ..])), xv.t());
        drop(big);
    }
    assert_live(&baseline, "everything dropped");
}

/// A type without drop glue whose `Clone` is not a copy: the kernels must call it (plain
/// byte copies are only for primitives).
#[derive(Debug, PartialEq)]
struct Bumped(u32);

impl Clone for Bumped {
    fn clone(&self) -> Self {
        spend_clone();
        Bumped(self.0 + 1)
    }
}

/// An over-aligned type without drop glue.
#[derive(Debug, Clone, PartialEq)]
#[repr(align(64))]
struct Aligned(u16);

#[test]
fn clone_without_drop_glue_is_called() {
    const { assert!(!std::mem::needs_drop::<Bumped>()) };
    let bumped = |shape: (usize, usize)| {
        Array2::from_shape_fn(shape, |(i, j)| Bumped((i * shape.1 + j) as u32))
    };
    let plus = |a: &Array2<Bumped>, k: u32| a.map(|b| Bumped(b.0 + k));
    for (r, c) in [(1, 1), (3, 4), (33, 5), (2, 65)] {
        let x = bumped((r, c));
        let t = rearrange!(&x, "a b -> b a").unwrap();
        assert_eq!(t, plus(&x, 1).t());
        let flat = rearrange!(&x, "a b -> (a b)").unwrap();
        assert_eq!(flat, Array1::from_iter(plus(&x, 1)));
        let rep = repeat!(x.slice(s![..;-1, ..]), "a b -> a b k", k = 3).unwrap();
        assert_eq!(
            rep,
            Array3::from_shape_fn((r, c, 3), |(i, j, _)| Bumped(x[[r - 1 - i, j]].0 + 1))
        );
        // In-order owned input: the buffer is kept, nothing is cloned.
        let kept = rearrange!(bumped((r, c)), "a b -> (a b)").unwrap();
        assert_eq!(kept, Array1::from_iter(bumped((r, c))));

        let mut big = bumped((2 * c, r));
        rearrange_into!(&mut big.slice_mut(s![..;2, ..]), &x, "a b -> b a").unwrap();
        assert_eq!(big.slice(s![..;2, ..]), plus(&x, 1).t());
        assert_eq!(
            big.slice(s![1..;2, ..]),
            bumped((2 * c, r)).slice(s![1..;2, ..]),
            "odd rows untouched"
        );
        let mut out = bumped((r, 2 * c));
        repeat_into!(&mut out, &x, "a b -> a (k b)", k = 2).unwrap();
        assert_eq!(
            out,
            Array2::from_shape_fn((r, 2 * c), |(i, j)| Bumped(x[[i, j % c]].0 + 1))
        );

        let stacked = rearrange!([x.view(), x.view()], "n a b -> n a b").unwrap();
        assert!(
            stacked
                .iter()
                .zip(x.iter().chain(x.iter()))
                .all(|(s, v)| s.0 > v.0),
            "list elements are cloned"
        );

        let aligned = Array2::from_shape_fn((r, c), |(i, j)| Aligned((i * c + j) as u16));
        let t = rearrange!(&aligned, "a b -> b a").unwrap();
        assert_eq!(t, aligned.t());
        assert_eq!(t.as_ptr() as usize % 64, 0);
    }
    // A panicking clone of such a type unwinds cleanly.
    quiet_budget_panics();
    let x = bumped((4, 4));
    let (t, clones) =
        with_growing_budget("Bumped", false, || rearrange!(&x, "a b -> b a").unwrap());
    assert_eq!(clones, 16);
    assert_eq!(t, plus(&x, 1).t());
}

// ---------------------------------------------------------------------------------------
// 4. Large arrays: rayon chunking and 2 MiB-aligned outputs
// ---------------------------------------------------------------------------------------

/// Runs `f` in a one-thread and a two-thread pool.
fn in_both_pools<R: Send>(f: impl Fn() -> R + Sync) -> (R, R) {
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    (pool(1).install(&f), pool(2).install(&f))
}

#[track_caller]
fn assert_bitwise_f32<D: Dimension>(a: &Array<f32, D>, b: &Array<f32, D>, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    assert!(
        a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()),
        "{what}: one and two threads differ"
    );
}

/// A newly allocated output of at least 2 MiB: exactly its elements in its vector (no
/// padding, offset 0), and usable as any array.
#[track_caller]
fn check_huge_output<A: Elem, D: Dimension>(mut array: Array<A, D>, what: &str) {
    let bytes = array.len() * std::mem::size_of::<A>();
    assert!(bytes >= HUGE_PAGE, "{what}: only {bytes} bytes");
    assert!(array.is_standard_layout(), "{what}");
    let start = array.as_ptr();
    let copy = array.clone();
    assert_same(&copy, &array, what);
    if let Some(first) = array.iter_mut().next() {
        *first = A::make(12345);
    }
    let len = array.len();
    let (mut vec, offset) = array.into_raw_vec_and_offset();
    let offset = offset.expect("a non-empty array has an offset");
    assert_eq!(
        (offset, vec.as_ptr()),
        (0, start),
        "{what}: the vector is the output"
    );
    assert_eq!(vec.len(), len, "{what}: vector length (no padding)");
    assert_eq!(
        vec[0],
        A::make(12345),
        "{what}: the write went to the first element"
    );
    assert!(
        vec[1..]
            .iter()
            .zip(copy.iter().skip(1))
            .all(|(a, b)| a.same(b)),
        "{what}"
    );
    vec.push(A::make(1));
    vec.shrink_to_fit();
    assert_eq!(vec.len(), len + 1);
}

#[test]
fn large_transpose_in_one_and_two_threads() {
    // Primes: uneven chunks and partial edge blocks; 2.15 MB crosses both thresholds.
    let (r, c) = (1031, 521);
    let x = Array2::from_shape_fn((r, c), |(i, j)| (mix(i * c + j) % 100_003) as f32 * 1e-3);
    let (one, two) = in_both_pools(|| rearrange!(&x, "a b -> b a").unwrap());
    assert_bitwise_f32(&one, &two, "transpose");
    assert_result(&one, &x.t(), "large transpose");
    check_huge_output(one, "transpose output");
    check_huge_output(two, "transpose output, two threads");

    // Into outputs with negative and gapped rows, from a reversed input.
    let flipped = x.slice(s![..;-1, ..]);
    let (one, two) = in_both_pools(|| {
        let mut big = Array2::<f32>::zeros((c, 2 * r));
        rearrange_into!(&mut big.slice_mut(s![..;-1, ..;2]), &flipped, "a b -> b a").unwrap();
        big
    });
    assert_bitwise_f32(&one, &two, "transpose into a strided output");
    assert_same(
        &one.slice(s![..;-1, ..;2]),
        &flipped.t(),
        "transpose into a strided output",
    );
    assert!(
        one.slice(s![.., 1..;2]).iter().all(|&v| v == 0.0),
        "gaps untouched"
    );

    // Interleaves and fills split across threads (outputs over 1 MiB).
    let small = x.slice(s![..512, ..256]);
    let (one, two) = in_both_pools(|| repeat!(&small, "a b -> a b c", c = 3).unwrap());
    assert_bitwise_f32(&one, &two, "broadcast interleave");
    assert_result(
        &one,
        &Array3::from_shape_fn((512, 256, 3), |(i, j, _)| small[[i, j]]),
        "broadcast interleave",
    );
    let planes = x
        .slice(s![..3, ..])
        .to_owned()
        .into_shape_with_order((3, c, 1))
        .unwrap();
    let planes = repeat!(&planes, "c h w -> c h (w k)", k = 256).unwrap();
    let (one, two) = in_both_pools(|| rearrange!(&planes, "c h w -> h w c").unwrap());
    assert_bitwise_f32(&one, &two, "interleave");
    assert_result(&one, &planes.view().permuted_axes([1, 2, 0]), "interleave");
    let column = x.column(3);
    let (one, two) = in_both_pools(|| repeat!(&column, "a -> a k", k = 300).unwrap());
    assert_bitwise_f32(&one, &two, "fill");
    assert_result(
        &one,
        &Array2::from_shape_fn((r, 300), |(i, _)| column[i]),
        "fill",
    );
}

/// Large walks of short runs whose destination order would read the source in many
/// strided passes run in source order (a head split with few heads); with many heads, or
/// reversed rows, they stay in destination order. Every case in one and two threads.
#[test]
fn short_runs_in_source_order() {
    fn split<A>(x: ArrayView3<'_, A>, h: usize) -> ndarray::ArrayView4<'_, A> {
        let (b, t, hd) = x.dim();
        x.into_shape_with_order((b, t, h, hd / h))
            .unwrap()
            .permuted_axes([0, 2, 1, 3])
    }
    let (b, t, d) = (2, 1031, 33);
    for h in [8, 64] {
        let x = Array3::from_shape_fn((b, t, h * d), |(i, j, k)| {
            (mix((i * t + j) * h * d + k) % 100_003) as f32
        });
        let (one, two) = in_both_pools(|| rearrange!(&x, "b t (h d) -> b h t d", h = h).unwrap());
        assert_bitwise_f32(&one, &two, "head split");
        assert_result(&one, &split(x.view(), h), format!("head split, h = {h}"));
        let bytes: Array3<u8> = x.mapv(|v| v as u8);
        let one = rearrange!(&bytes, "b t (h d) -> b h t d", h = h).unwrap();
        assert_result(
            &one,
            &split(bytes.view(), h),
            format!("u8 head split, h = {h}"),
        );
        let reversed = x.slice(s![.., ..;-1, ..]);
        let one = rearrange!(&reversed, "b t (h d) -> b h t d", h = h).unwrap();
        let expected = reversed.as_standard_layout().into_owned();
        assert_result(
            &one,
            &split(expected.view(), h),
            format!("reversed head split, h = {h}"),
        );
    }
}

/// Outputs of exactly 2 MiB (and one element less) for every element size, copied with
/// one and two threads.
fn huge_outputs<A: Elem>() {
    let name = std::any::type_name::<A>();
    let size = std::mem::size_of::<A>();
    let two_threads = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    // One run, split across the threads.
    let x: Array1<A> = iota(HUGE_PAGE / size);
    let copy = two_threads.install(|| rearrange!(&x, "a -> a").unwrap());
    assert_result(&copy, &x, format!("{name} copy"));
    check_huge_output(copy, &format!("{name} copy"));
    let x = x.slice(s![1..]);
    let copy = two_threads.install(|| rearrange!(&x, "a -> a").unwrap());
    assert_result(
        &copy,
        &x,
        format!("{name} copy, one element less than 2 MiB"),
    );
    // Fills of whole copies of the source.
    let x: Array1<A> = iota(HUGE_PAGE / size / 4);
    let repeated = two_threads.install(|| repeat!(&x, "a -> (k a)", k = 4).unwrap());
    assert_result(
        &repeated.slice(s![3 * x.len()..]),
        &x,
        format!("{name} repeat"),
    );
    check_huge_output(repeated, &format!("{name} repeat"));
    // A 1 MiB transpose, split by tile rows.
    let x: Array2<A> = iota((HUGE_PAGE / size / 128, 64));
    let (one, two) = in_both_pools(|| rearrange!(&x, "a b -> b a").unwrap());
    assert_result(&one, &x.t(), format!("{name} transpose"));
    assert_same(&two, &one, format!("{name} transpose, two threads"));
}

#[test]
fn huge_outputs_u8() {
    huge_outputs::<u8>();
}
#[test]
fn huge_outputs_i16() {
    huge_outputs::<i16>();
}
#[test]
fn huge_outputs_f32() {
    huge_outputs::<f32>();
}
#[test]
fn huge_outputs_f64() {
    huge_outputs::<f64>();
}
#[test]
fn huge_outputs_u128() {
    huge_outputs::<u128>();
}
#[test]
fn huge_outputs_bool() {
    huge_outputs::<bool>();
}
#[test]
fn huge_outputs_char() {
    huge_outputs::<char>();
}

#[test]
fn large_reductions_in_one_and_two_threads() {
    // Integer-valued: every fold is exact, so the reference may fold in any order.
    // 2.4 MB, and still 1.2 MB when every other column is taken.
    let x = Array2::from_shape_fn((1024, 600), |(i, j)| f32::mixed(i * 600 + j));
    let (contiguous, reversed, stepped) =
        (x.view(), x.slice(s![..;-1, ..;-1]), x.slice(s![.., ..;2]));
    for (pattern, reduction, view, path) in [
        ("a b -> b", "sum", contiguous, "vertical"),
        ("a b -> a", "sum", contiguous, "horizontal"),
        ("a b -> b", "mean", reversed, "strided"),
        ("a b -> a", "min", stepped, "strided"),
        ("a b -> b", "max", stepped, "strided"),
    ] {
        {
            let what = format!("{pattern} {reduction} {path}");
            let (one, two) =
                in_both_pools(|| dynamic::reduce(&view, pattern, reduction, &[]).unwrap());
            assert_bitwise_f32(&one, &two, &what);
            let axis = if pattern.ends_with('b') {
                Axis(0)
            } else {
                Axis(1)
            };
            let expected = view.map_axis(axis, |lane| {
                reference(lane.iter().copied(), reduction).unwrap()
            });
            assert_result(&one, &expected.into_dyn(), &what);
        }
    }
    // Fractions: sums now depend on the order, which must not depend on the threads.
    let y = Array2::from_shape_fn((600, 600), |(i, j)| {
        (mix(i * 600 + j) % 1000) as f32 * 0.001
    });
    for pattern in ["a b -> b", "a b -> a"] {
        let (one, two) = in_both_pools(|| dynamic::reduce(&y, pattern, "sum", &[]).unwrap());
        assert_bitwise_f32(&one, &two, pattern);
    }

    // Outputs of 2 MiB (allocated on a huge-page boundary) and one element less.
    let two_threads = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for lanes in [HUGE_PAGE / 4, HUGE_PAGE / 4 - 1] {
        let x = Array2::from_shape_fn((2, lanes), |(i, j)| f32::mixed(i * lanes + j));
        let expected = Array1::from_shape_fn(lanes, |j| x[[0, j]] + x[[1, j]]);
        let (one, two) = in_both_pools(|| reduce!(&x, "a b -> b", sum).unwrap());
        assert_bitwise_f32(&one, &two, "2 MiB reduction");
        assert_result(&one, &expected, "2 MiB reduction");
        if lanes * 4 >= HUGE_PAGE {
            check_huge_output(one, "reduction output");
        }
        let one = two_threads.install(|| {
            let mut out = Array1::<f32>::zeros(lanes);
            reduce_into!(&mut out.slice_mut(s![..;-1]), &x, "a b -> b", max).unwrap();
            out
        });
        let expected =
            Array1::from_shape_fn(lanes, |j| x[[0, lanes - 1 - j]].max(x[[1, lanes - 1 - j]]));
        assert_same(&one, &expected, "reduce_into a reversed output");
    }
}

/// `_into` outputs that own their data behind copy-on-write storage: an unshared `ArcArray`
/// (no copy needed) and an owned `CowArray`, both with gaps between rows.
#[test]
fn into_unshared_copy_on_write_outputs() {
    let x = Array2::from_shape_fn((3, 5), |(i, j)| (i * 5 + j) as f32);
    let mut arc = ndarray::ArcArray2::<f32>::zeros((10, 3)).slice_move(s![..;2, ..]);
    rearrange_into!(&mut arc, &x, "a b -> b a").unwrap();
    assert_eq!(arc, x.t());
    let mut cow = ndarray::CowArray::from(Array2::<f32>::zeros((5, 6)));
    cow.slice_axis_inplace(Axis(1), Slice::new(0, None, 2));
    reduce_into!(&mut cow, &x, "a b -> b a", max).unwrap();
    assert_eq!(cow, x.t());
}

// ---------------------------------------------------------------------------------------
// 5. Outputs that `as_mut_ptr` re-lays out (regressions: strides were once read first)
// ---------------------------------------------------------------------------------------

/// `as_mut_ptr` un-shares a shared `ArcArray` by copying only its visible elements into a
/// new, row-major buffer: the kernel must use the strides of that new buffer.
#[test]
fn into_shared_arc_array_output() {
    let x = ndarray::arr2(&[[1.0f32, 2.0], [3.0, 4.0]]);
    let base = ndarray::ArcArray2::<f32>::zeros((4, 2));
    let mut out = base.clone().slice_move(s![..;2, ..]);
    rearrange_into!(&mut out, &x, "a b -> b a").unwrap();
    assert_eq!(out, x.t(), "the output holds the result");
    assert_eq!(
        base,
        ndarray::ArcArray2::<f32>::zeros((4, 2)),
        "the other owner is untouched"
    );
}

/// The same with a borrowed `CowArray` output: `as_mut_ptr` turns the non-contiguous view
/// into an owned row-major copy, whose strides differ from the view's.
#[test]
fn into_borrowed_cow_array_output() {
    let x = ndarray::arr2(&[[1.0f32, 2.0], [3.0, 4.0]]);
    let backing = Array2::<f32>::zeros((2, 4));
    let mut out = ndarray::CowArray::from(backing.slice(s![.., ..;2]));
    rearrange_into!(&mut out, &x, "a b -> b a").unwrap();
    assert_eq!(out, x.t(), "the output holds the result");
}

// ---------------------------------------------------------------------------------------
// 6. Outputs past the streaming-store threshold (16 MiB)
// ---------------------------------------------------------------------------------------

/// Transposes, runs, fills and reductions whose destination passes 16 MiB use non-temporal stores for
/// their aligned middles; odd lengths put tails and misaligned heads around them.
#[test]
fn streaming_outputs_match_the_reference() {
    let n = 2053; // prime: every block and micro-kernel has a tail
    let x = Array2::from_shape_fn((n, n), |(i, j)| (i * n + j) as f32);
    let t = rearrange!(&x, "h w -> w h").unwrap();
    assert_eq!(t, x.t());
    let mut out = Array2::<f32>::zeros((n, n));
    rearrange_into!(&mut out, &x, "h w -> w h").unwrap();
    assert_eq!(out, x.t());

    // Runs of 2053 elements starting at every alignment (a reversed row order).
    let runs = rearrange!(&x.slice(s![..;-1, ..]), "h w -> h w").unwrap();
    assert_eq!(runs, x.slice(s![..;-1, ..]));

    // Short runs from interleaved sources (heads merged, 33 lanes: every alignment), a
    // 17 MiB output.
    let heads = ndarray::Array4::from_shape_fn((4, 8, 4099, 33), |(b, h, t, d)| {
        ((b * 8 + h) * 4099 * 33 + t * 33 + d) as f32
    });
    let merged = rearrange!(&heads, "b h t d -> b t (h d)").unwrap();
    let expected = heads.view().permuted_axes([0, 2, 1, 3]);
    let expected = expected.as_standard_layout();
    assert_eq!(merged.as_slice().unwrap(), expected.as_slice().unwrap());

    // Heads split from a 17 MiB input, walked in source order (each `t` row once) and
    // streamed: runs of 16 lanes fill whole lines, runs of 20 end mid-line.
    for d in [16, 20] {
        let rows = ndarray::Array3::from_shape_fn((4, 4099, 16 * d), |(b, t, k)| {
            ((b * 4099 + t) * 16 * d + k) as f32
        });
        let split = rearrange!(&rows, "b t (h d) -> b h t d", h = 16).unwrap();
        let expected = rows.to_shape((4, 4099, 16, d)).unwrap();
        let expected = expected.permuted_axes([0, 2, 1, 3]);
        assert_eq!(
            split.as_slice().unwrap(),
            expected.as_standard_layout().as_slice().unwrap()
        );
    }

    // Channels moved last in an 18 MiB output: short destination rows (61 channels),
    // transposed in narrow blocks of whole lines, with a partial block and square.
    let planes = ndarray::Array3::from_shape_fn((2, 61, 36901), |(b, c, k)| {
        ((b * 61 + c) * 36901 + k) as f32
    });
    let last = rearrange!(&planes, "b c n -> b n c").unwrap();
    let expected = planes.view().permuted_axes([0, 2, 1]);
    assert_eq!(
        last.as_slice().unwrap(),
        expected.as_standard_layout().as_slice().unwrap()
    );

    // Fills: each element repeated along a new inner axis of 2053 (and of 3, interleaved).
    let column = Array1::from_shape_fn(n, |i| i as f32);
    let filled = repeat!(&column, "a -> a r", r = n).unwrap();
    assert!(filled
        .outer_iter()
        .enumerate()
        .all(|(i, row)| row.iter().all(|&v| v == i as f32)));
    let big = Array1::from_shape_fn(3 << 20, |i| i as u16);
    let woven = repeat!(&big, "a -> a c", c = 3).unwrap();
    assert!(woven
        .outer_iter()
        .enumerate()
        .all(|(i, row)| row.iter().all(|&v| v == i as u16)));

    // A pooling reduction with a 17 MiB output: 37 lanes (two whole chunks and a tail)
    // per output pixel, streamed from every 16-byte alignment.
    let x = Array3::from_shape_fn((1031, 226, 37), |(i, j, k)| {
        ((i * 31 + j * 7 + k) % 1009) as f32
    });
    let pooled = reduce!(&x, "h (w w2) c -> h w c", max, w2 = 2).unwrap();
    let (even, odd) = (x.slice(s![.., ..;2, ..]), x.slice(s![.., 1..;2, ..]));
    assert_eq!(
        pooled,
        ndarray::Zip::from(&even)
            .and(&odd)
            .map_collect(|&a, &b| a.max(b))
    );
}
