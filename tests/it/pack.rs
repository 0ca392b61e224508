//! `pack!` / `unpack!` and `einops::dynamic::{pack, unpack}`: results and their types, every
//! input form, run-time errors, hygiene, and round-trip property tests against a naive
//! index-arithmetic oracle. The reference vectors run in `tests/it/vectors.rs` and
//! `tests/it/vectors_macro.rs`; compile errors in `tests/ui/pack_*.rs`.

use std::cell::RefCell;

use einops::dynamic;
use einops::{pack, unpack, PackedShape, PackedShapes, Stage};
use ndarray::{
    s, Array, Array1, Array2, Array3, ArrayD, ArrayView2, Axis, Dimension, Ix2, Ix3, IxDyn,
};
use proptest::prelude::*;

/// `start, start + 1, ...` in the given shape.
fn iota<Sh: ndarray::ShapeBuilder<Dim = D>, D: Dimension>(shape: Sh, start: i64) -> Array<i64, D> {
    let shape = shape.into_shape_with_order();
    let n = shape.size() as i64;
    Array::from_shape_vec(shape, (start..start + n).collect()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Results and types

#[test]
fn pack_concatenates_and_unpack_restores() {
    let a = iota((2, 3, 4), 0); // b n d
    let b = iota((2, 1, 4), 100);
    let (packed, shapes): (Array3<i64>, PackedShapes<Ix3>) = pack!([&a, &b], "b * d").unwrap();
    assert_eq!(packed.shape(), &[2, 4, 4]);
    assert_eq!(packed.slice(s![.., ..3, ..]), a);
    assert_eq!(packed.slice(s![.., 3.., ..]), b);
    assert_eq!(shapes.to_string(), "[[3], [1]]");
    let parts: Vec<Array3<i64>> = unpack!(&packed, &shapes, "b * d").unwrap();
    assert_eq!(parts, [a, b]);
}

#[test]
fn star_may_stand_for_no_or_several_dimensions() {
    let image = iota((2, 3, 4, 5), 0).into_dyn(); // b h w c
    let token = iota((2, 5), 1000).into_dyn(); // b c
    let (packed, shapes) = pack!([&image, &token], "b * c").unwrap();
    assert_eq!(packed.shape(), &[2, 13, 5]);
    assert_eq!(shapes[0].dims(), [Some(3), Some(4)]);
    assert_eq!(shapes[1].dims(), []);
    // The flattened image, then the token, per batch element.
    let flat = image.to_shape((2, 12, 5)).unwrap();
    assert_eq!(packed.slice(s![.., ..12, ..]), flat);
    assert_eq!(packed.index_axis(Axis(1), 12).into_dyn(), token);
    let parts = unpack!(packed, &shapes, "b * c").unwrap();
    assert_eq!(parts, [image, token]);
}

#[test]
fn star_first_last_and_alone() {
    let a = iota((2, 3), 0);
    let b = iota((4, 3), 100);
    let (packed, shapes) = pack!([&a, &b], "* c").unwrap();
    assert_eq!(
        packed,
        ndarray::concatenate(Axis(0), &[a.view(), b.view()]).unwrap()
    );
    assert_eq!(unpack!(packed, &shapes, "* c").unwrap(), [a.clone(), b]);

    let c = iota((2, 5), 200);
    let (packed, shapes) = pack!([&a, &c], "r *").unwrap();
    assert_eq!(
        packed,
        ndarray::concatenate(Axis(1), &[a.view(), c.view()]).unwrap()
    );
    assert_eq!(unpack!(packed, &shapes, "r *").unwrap(), [a.clone(), c]);

    let (flat, shapes) = pack!([&a, &a], "*").unwrap(); // Array1
    let expected: Array1<i64> = a.iter().chain(a.iter()).copied().collect();
    assert_eq!(flat, expected);
    let parts: Vec<Array2<i64>> = unpack!(&flat, &shapes, "*").unwrap();
    assert_eq!(parts, [a.clone(), a]);
}

#[test]
fn packed_rank_is_fixed_by_the_pattern() {
    // Whatever the inputs' dimension type, the packed array has one dimension per name
    // plus one: `Ix3` here even for `IxDyn` inputs.
    let parts = vec![iota((2, 3, 4), 0).into_dyn(), iota((2, 4), 0).into_dyn()];
    let (packed, shapes): (Array3<i64>, PackedShapes<IxDyn>) = pack!(&parts, "a * b").unwrap();
    assert_eq!(packed.shape(), &[2, 4, 4]);
    let back: Vec<ArrayD<i64>> = unpack!(packed, &shapes, "a * b").unwrap();
    assert_eq!(back, parts);
    // Seven names: `IxDyn`.
    let x = iota(IxDyn(&[1; 7]), 0);
    let (packed, _): (ArrayD<i64>, _) = pack!([&x], "a b c d e f g *").unwrap();
    assert_eq!(packed.shape(), &[1, 1, 1, 1, 1, 1, 1, 1]);
}

#[test]
fn every_list_form() {
    let a = iota((2, 3), 0);
    let b = iota((2, 2), 10);
    let expected = ndarray::concatenate(Axis(1), &[a.view(), b.view()]).unwrap();
    let owned = vec![a.clone(), b.clone()];
    let views: Vec<ArrayView2<i64>> = owned.iter().map(|x| x.view()).collect();
    let arc = [a.to_shared(), b.to_shared()];
    assert_eq!(pack!([a.clone(), b.clone()], "r *").unwrap().0, expected);
    assert_eq!(pack!([&a, &b], "r *").unwrap().0, expected);
    assert_eq!(pack!([a.view(), b.view()], "r *").unwrap().0, expected);
    assert_eq!(pack!(owned.clone(), "r *").unwrap().0, expected);
    assert_eq!(pack!(&owned, "r *").unwrap().0, expected);
    assert_eq!(pack!(&owned[..], "r *").unwrap().0, expected);
    assert_eq!(pack!(&views, "r *").unwrap().0, expected);
    assert_eq!(pack!(arc, "r *").unwrap().0, expected);
    assert_eq!(pack!(&[a.clone(), b.clone()], "r *").unwrap().0, expected);
    let (dynamic_packed, _) = dynamic::pack(&owned, "r *").unwrap();
    assert_eq!(dynamic_packed, expected.into_dyn());
}

#[test]
fn unpack_takes_every_array_form() {
    let (packed, shapes) = pack!([iota(3, 0), iota(2, 5)], "*").unwrap();
    let expected = [iota(3, 0), iota(2, 5)];
    assert_eq!(unpack!(&packed, &shapes, "*").unwrap(), expected);
    assert_eq!(unpack!(packed.view(), &shapes, "*").unwrap(), expected);
    assert_eq!(unpack!(packed.to_shared(), &shapes, "*").unwrap(), expected);
    assert_eq!(unpack!(packed.clone(), &shapes, "*").unwrap(), expected);
    let mut m = packed.clone();
    assert_eq!(unpack!(m.view_mut(), &shapes, "*").unwrap(), expected);
}

#[test]
fn non_standard_layouts() {
    // Transposed and reversed inputs are read in logical order.
    let a = iota((4, 3), 0);
    let at = a.t(); // (3, 4), column-major
    let b = iota((3, 6), 100);
    let b_rev = b.slice(s![..;-1, ..;2]); // (3, 3), negative and step strides
    let (packed, shapes) = pack!([at, b_rev], "r *").unwrap();
    let expected = ndarray::concatenate(Axis(1), &[at, b_rev]).unwrap();
    assert_eq!(packed, expected);
    // A transposed packed array.
    let packed_t = packed.t().to_owned();
    let parts = unpack!(packed_t.t(), &shapes, "r *").unwrap();
    assert_eq!(parts, [at.to_owned(), b_rev.to_owned()]);
    assert!(parts.iter().all(|p| p.is_standard_layout()));
}

#[test]
fn long_runs() {
    // Runs of 2 KiB and more are copied by the kernels rather than by `memcpy`: lengths
    // around that size (in i64, 256 elements) and its 128-byte moves, with odd tails.
    for (n, m) in [(255, 1), (256, 17), (257, 300), (273, 511)] {
        let a = iota((3, n), 0);
        let b = iota((3, m), 10_000);
        let (packed, shapes) = pack!([&a, &b], "r *").unwrap();
        assert_eq!(
            packed,
            ndarray::concatenate(Axis(1), &[a.view(), b.view()]).unwrap()
        );
        assert_eq!(
            unpack!(&packed, &shapes, "r *").unwrap(),
            [a, b],
            "n={n} m={m}"
        );
    }
}

#[test]
fn elements_with_drop_glue() {
    let a = Array2::from_shape_fn((2, 2), |(i, j)| format!("a{i}{j}"));
    let b = Array2::from_shape_fn((2, 1), |(i, j)| format!("b{i}{j}"));
    let (packed, shapes) = pack!([&a, &b], "r *").unwrap();
    assert_eq!(packed.row(1).to_vec(), ["a10", "a11", "b10"]);
    assert_eq!(unpack!(packed, &shapes, "r *").unwrap(), [a, b]);
}

#[test]
fn zero_lengths() {
    let a = Array3::<i64>::zeros((0, 2, 3));
    let b = Array3::<i64>::zeros((0, 5, 3));
    let (packed, shapes) = pack!([&a, &b], "b * c").unwrap();
    assert_eq!(packed.shape(), &[0, 7, 3]);
    assert_eq!(unpack!(packed, &shapes, "b * c").unwrap(), [a, b]);
    let empty_mid = Array3::<i64>::zeros((2, 0, 3));
    let full = iota((2, 2, 3), 0);
    let (packed, shapes) = pack!([&empty_mid, &full], "b * c").unwrap();
    assert_eq!(packed, full);
    assert_eq!(
        unpack!(packed, &shapes, "b * c").unwrap(),
        [empty_mid, full]
    );
}

#[test]
fn hand_built_shapes_with_an_unknown_segment() {
    let x = iota((2, 10), 0);
    // einops: [[2, 1], [-1], [3]]
    let shapes = PackedShapes::new([
        PackedShape::from([2, 1]),
        PackedShape::unknown(),
        PackedShape::from([3]),
    ]);
    let parts = unpack!(&x, &shapes, "b *").unwrap();
    assert_eq!(parts[0].shape(), &[2, 2, 1]);
    assert_eq!(parts[1], x.slice(s![.., 2..7]).into_dyn());
    assert_eq!(parts[2], x.slice(s![.., 7..]).into_dyn());
    // einops: [[2, -1]]: the unknown dimension inside a shape.
    let shapes: PackedShapes = [PackedShape::from(vec![Some(2), None])]
        .into_iter()
        .collect();
    let parts = dynamic::unpack(&x, &shapes, "b *").unwrap();
    assert_eq!(parts[0], x.to_shape((2, 2, 5)).unwrap().into_dyn());
}

#[test]
fn the_pattern_splits_on_any_whitespace() {
    let a = iota((2, 3), 0);
    let (tabs, _) = dynamic::pack(&[a.view()], "a\t*").unwrap();
    let (spaces, _) = dynamic::pack(&[a.view()], " a   * ").unwrap();
    assert_eq!(tabs, spaces);
    let (packed, _) = pack!([&a], "a\n*").unwrap();
    assert_eq!(packed, a);
}

// ---------------------------------------------------------------------------------------------
// Run-time errors

#[test]
fn pack_errors() {
    let a = iota((2, 3), 0).into_dyn();
    let b = iota((3, 3), 0).into_dyn();
    let v = iota(3, 0).into_dyn();

    let err = pack!([&a, &v], "h w *").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "pack_too_few_dims")
    );
    assert_eq!(
        err.to_string(),
        "pack `h w *`: array 1 has shape [3], but the pattern needs at least 2 dimensions"
    );

    let err = pack!([&a, &b], "h *").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Shape, "pack_shapes_differ")
    );
    assert_eq!(
        err.to_string(),
        "pack `h *`: axis `h` has length 3 in array 1, but 2 in array 0; only the dimensions \
         of `*` may differ"
    );

    let none: Vec<Array2<f32>> = Vec::new();
    let err = pack!(none, "h *").unwrap_err();
    assert_eq!((err.stage(), err.kind()), (Stage::Shape, "empty_list"));

    let err = dynamic::pack(&[a.view()], "h * *").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Pattern, "pack_duplicate_axes")
    );
    assert_eq!(
        err.to_string(),
        "pack pattern `h * *`: `*` appears twice; the pattern needs exactly one\n  h * *\n    ^ ^"
    );
}

#[test]
fn unpack_errors() {
    let x = iota((2, 5), 0).into_dyn();
    let shapes = |s: &[&[Option<usize>]]| -> PackedShapes {
        s.iter()
            .map(|dims| PackedShape::from(dims.to_vec()))
            .collect()
    };
    let two_three = shapes(&[&[Some(2)], &[Some(3)]]);

    let err = unpack!(&x, &two_three, "*").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "unpack_wrong_ndim")
    );
    assert_eq!(
        err.to_string(),
        "unpack `*` on input of shape [2, 5]: the pattern expects 1 dimensions, but the input has 2"
    );

    let err = unpack!(&x, &shapes(&[&[None], &[None]]), "b *").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Shape, "unpack_multiple_unknown")
    );

    let cases: [(&[&[Option<usize>]], &str); 5] = [
        (&[&[Some(2)], &[Some(2)]], "they hold 4 elements"),
        (
            &[&[Some(2)], &[Some(4)], &[None]],
            "the known shapes alone hold 6 elements",
        ),
        (
            &[&[Some(3)], &[Some(3), None]],
            "the remaining 2 elements do not fit shape [3, ?]",
        ),
        (
            &[&[Some(0), None]],
            "the remaining 5 elements do not fit shape [0, ?]",
        ),
        (
            &[&[None, None]],
            "the remaining 5 elements do not fit shape [?, ?]",
        ),
    ];
    for (dims, reason) in cases {
        let err = unpack!(&x, &shapes(dims), "b *").unwrap_err();
        assert_eq!(
            (err.stage(), err.kind()),
            (Stage::Shape, "unpack_split_failed")
        );
        assert!(err.to_string().ends_with(reason), "{err}");
    }
    let err = unpack!(&x, &two_three, "b *").unwrap();
    assert_eq!(err.len(), 2);
    // No shapes at all for a non-empty axis: an error (einops returns `[]`).
    let err = unpack!(&x, &PackedShapes::new([]), "b *").unwrap_err();
    assert_eq!(err.kind(), "unpack_split_failed");
    assert!(
        unpack!(&Array2::<i64>::zeros((2, 0)), &PackedShapes::new([]), "b *")
            .unwrap()
            .is_empty()
    );

    // Shapes of `Array3`s used with a pattern that makes other ranks.
    let (packed, shapes) = pack!([iota((2, 3, 4), 0)], "a * b").unwrap();
    let flat = packed.into_shape_with_order((2, 12)).unwrap();
    let err = unpack!(flat, &shapes, "a *").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "unpack_output_rank")
    );
    assert_eq!(
        err.to_string(),
        "unpack `a *` on input of shape [2, 12]: packed shape [3] makes output 0 2-dimensional, \
         but the packed shapes are for 3-dimensional arrays"
    );
}

// ---------------------------------------------------------------------------------------------
// Hygiene

/// Each argument is evaluated once, left to right.
#[test]
fn arguments_evaluated_once_left_to_right() {
    let log = RefCell::new(Vec::new());
    let note = |what: &'static str| log.borrow_mut().push(what);
    let (packed, shapes) = pack!(
        {
            note("arrays");
            [iota((2, 3), 0), iota((2, 1), 0)]
        },
        "b *"
    )
    .unwrap();
    assert_eq!(*log.borrow(), ["arrays"]);
    log.borrow_mut().clear();
    let parts = unpack!(
        {
            note("packed");
            packed
        },
        {
            note("shapes");
            &shapes
        },
        "b *"
    )
    .unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(*log.borrow(), ["packed", "shapes"]);
}

#[test]
fn question_mark_in_arguments() {
    fn load() -> Result<Array2<f32>, einops::Error> {
        Ok(Array2::zeros((2, 3)))
    }
    fn run() -> Result<usize, einops::Error> {
        let (packed, shapes) = pack!([load()?, load()?], "b *")?;
        Ok(unpack!(packed, &shapes, "b *")?.len())
    }
    assert_eq!(run().unwrap(), 2);
}

/// The caller shadows the prelude and the standard crates; the macros must not care.
#[allow(dead_code, non_camel_case_types, unused_macros)]
mod shadowed_prelude {
    struct Result;
    struct Option;
    struct Ok;
    struct Err;
    struct Some;
    struct None;
    struct Vec;
    struct Cow;
    mod std {}
    mod core {}
    mod ndarray {}
    mod einops {}
    mod __private {}
    static PLAN: u8 = 0;
    macro_rules! vec {
        ($($t:tt)*) => {
            compile_error!("the user's vec! was called")
        };
    }

    #[test]
    fn pack_and_unpack() {
        let a = ::ndarray::Array2::<f32>::ones((2, 3));
        let (packed, shapes) = ::einops::pack!([&a, &a], "b *").unwrap();
        let parts = ::einops::unpack!(packed, &shapes, "b *").unwrap();
        ::std::assert_eq!(parts.len(), 2);
    }
}

/// Without any prelude at all: the expansions name everything by full path.
#[no_implicit_prelude]
mod without_prelude {
    #[test]
    fn pack_and_unpack() {
        let a = ::ndarray::Array2::<f32>::ones((2, 3));
        let (packed, shapes) = ::einops::pack!([&a, &a], "b *").unwrap();
        let parts = ::einops::unpack!(packed, &shapes, "b *").unwrap();
        ::std::assert_eq!(parts.len(), 2);
    }
}

/// Through a renamed crate (`$crate`, not `einops`, in the expansions).
mod renamed {
    extern crate einops as renamed_einops;

    #[test]
    fn pack_and_unpack() {
        let a = ndarray::Array2::<f32>::ones((2, 3));
        let (packed, shapes) = renamed_einops::pack!([&a, &a], "b *").unwrap();
        let parts = renamed_einops::unpack!(packed, &shapes, "b *").unwrap();
        assert_eq!(parts.len(), 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Property tests

/// A random pack problem: `before` and `after` shared dimensions and, per array, its own
/// dimensions for `*`.
#[derive(Debug, Clone)]
struct Problem {
    lead: Vec<usize>,
    trail: Vec<usize>,
    mids: Vec<Vec<usize>>,
}

impl Problem {
    fn pattern(&self) -> String {
        let lead = (0..self.lead.len()).map(|i| format!("l{i}"));
        let trail = (0..self.trail.len()).map(|i| format!("t{i}"));
        lead.chain(["*".to_owned()])
            .chain(trail)
            .collect::<std::vec::Vec<_>>()
            .join(" ")
    }

    fn arrays(&self) -> std::vec::Vec<ArrayD<i64>> {
        self.mids
            .iter()
            .enumerate()
            .map(|(k, mid)| {
                let shape: std::vec::Vec<usize> = self
                    .lead
                    .iter()
                    .chain(mid)
                    .chain(&self.trail)
                    .copied()
                    .collect();
                iota(IxDyn(&shape), 1000 * k as i64)
            })
            .collect()
    }
}

fn problems() -> impl Strategy<Value = Problem> {
    let dims = |n| proptest::collection::vec(0usize..4, n);
    (0usize..3, 0usize..3, 1usize..5).prop_flat_map(move |(before, after, count)| {
        (
            dims(before),
            dims(after),
            proptest::collection::vec(
                (0usize..4).prop_flat_map(move |rank| proptest::collection::vec(0usize..4, rank)),
                count,
            ),
        )
            .prop_map(|(lead, trail, mids)| Problem { lead, trail, mids })
    })
}

/// The packed array by index arithmetic: element `(l, p, t)` is element `(l, m, t)` of the
/// array whose segment holds `p`, `m` being `p`'s row-major position within the segment.
fn oracle(problem: &Problem, arrays: &[ArrayD<i64>]) -> ArrayD<i64> {
    let sizes: std::vec::Vec<usize> = problem.mids.iter().map(|m| m.iter().product()).collect();
    let total: usize = sizes.iter().sum();
    let shape: std::vec::Vec<usize> = problem
        .lead
        .iter()
        .chain([&total])
        .chain(&problem.trail)
        .copied()
        .collect();
    let b = problem.lead.len();
    ArrayD::from_shape_fn(IxDyn(&shape), |index| {
        let index = index.slice();
        let mut p = index[b];
        let k = sizes
            .iter()
            .position(|&size| {
                let inside = p < size;
                if !inside {
                    p -= size;
                }
                inside
            })
            .unwrap();
        // Unravel `p` over the array's own dimensions for `*`.
        let mid = &problem.mids[k];
        let mut unravelled = vec![0; mid.len()];
        for (slot, &len) in unravelled.iter_mut().zip(mid).rev() {
            *slot = p % len;
            p /= len;
        }
        let full: std::vec::Vec<usize> = index[..b]
            .iter()
            .chain(&unravelled)
            .chain(&index[b + 1..])
            .copied()
            .collect();
        arrays[k][IxDyn(&full)]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `dynamic::pack` matches the oracle, and `dynamic::unpack` gives back the inputs.
    #[test]
    fn pack_then_unpack_round_trips(problem in problems()) {
        let pattern = problem.pattern();
        let arrays = problem.arrays();
        let (packed, shapes) = dynamic::pack(&arrays, &pattern).unwrap();
        prop_assert_eq!(&packed, &oracle(&problem, &arrays));
        let expected: std::vec::Vec<PackedShape> =
            problem.mids.iter().map(|m| PackedShape::from(m.clone())).collect();
        prop_assert_eq!(&shapes[..], &expected[..]);
        let back = dynamic::unpack(&packed, &shapes, &pattern).unwrap();
        prop_assert_eq!(&back, &arrays);
    }

    /// Any one shape may be replaced by an unknown one and is inferred back.
    #[test]
    fn one_unknown_shape_is_inferred(problem in problems(), pick in 0usize..4) {
        let pattern = problem.pattern();
        let arrays = problem.arrays();
        let (packed, shapes) = dynamic::pack(&arrays, &pattern).unwrap();
        let pick = pick % shapes.len();
        // Unknown in the last dimension (a rank-0 shape `[]` becomes `[?]`: one dimension).
        let mut dims = shapes[pick].dims().to_vec();
        match dims.last_mut() {
            Some(last) => *last = None,
            None => dims.push(None),
        }
        let with_unknown: PackedShapes = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| if i == pick { PackedShape::from(dims.clone()) } else { s.clone() })
            .collect();
        match dynamic::unpack(&packed, &with_unknown, &pattern) {
            Ok(back) => {
                for (i, (got, want)) in back.iter().zip(&arrays).enumerate() {
                    if i == pick {
                        // Same elements; the shape may differ where a zero length hid the
                        // unknown one, or where `[]` became `[?]`.
                        prop_assert_eq!(got.iter().collect::<std::vec::Vec<_>>(),
                                        want.iter().collect::<std::vec::Vec<_>>());
                    } else {
                        prop_assert_eq!(got, want);
                    }
                }
            }
            // Inference from a shape whose other dimensions multiply to zero is refused
            // (as in numpy's reshape).
            Err(e) => {
                prop_assert_eq!(e.kind(), "unpack_split_failed");
                prop_assert!(dims.iter().flatten().any(|&d| d == 0), "{}", e);
            }
        }
    }

    /// The macros with fixed-rank arrays: the round trip keeps the dimension type.
    #[test]
    fn macro_round_trip_keeps_the_dimension_type(
        b in 0usize..4, c in 0usize..4, n in proptest::collection::vec(0usize..5, 1..5)
    ) {
        let arrays: std::vec::Vec<Array3<i64>> = n
            .iter()
            .enumerate()
            .map(|(k, &len)| iota((b, len, c), 1000 * k as i64))
            .collect();
        let (packed, shapes) = pack!(&arrays, "b * c").unwrap();
        prop_assert_eq!(packed.shape(), &[b, n.iter().sum(), c]);
        let back: std::vec::Vec<Array3<i64>> = unpack!(packed, &shapes, "b * c").unwrap();
        prop_assert_eq!(back, arrays);
    }
}

#[test]
fn dynamic_shapes_are_ixdyn() {
    let a: Array2<f32> = Array2::zeros((2, 3));
    let (_, shapes) = pack!([&a], "r *").unwrap();
    let _: PackedShapes<Ix2> = shapes.clone();
    let dynamic_shapes: PackedShapes = shapes.into_dyn();
    assert_eq!(dynamic_shapes[0].size(), Some(3));
}
