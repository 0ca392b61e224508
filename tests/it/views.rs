//! The view forms of `einops::dynamic` against two independent references: the oracle's
//! map from output elements to input elements (`tools/oracle`), checked by brute force for
//! strides that describe it, and the views numpy's einops returned (`tests/data/views.jsonl`).

use std::collections::{HashMap, HashSet};

use einops::{dynamic, Error, Stage};
use einops_oracle::{expected, Atom, AxisId, Case, Op, CHOICE_BYTES, REARRANGE, REPEAT};
use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn, ShapeBuilder, Slice};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

/// Valid single-array cases for one of `ops`, in every layout the oracle builds.
fn cases(ops: &'static [Op]) -> impl Strategy<Value = Case> {
    (select(ops), vec(any::<u8>(), CHOICE_BYTES), any::<u64>())
        .prop_map(|(op, bytes, seed)| Case::decode(op, &bytes, seed, false))
        .prop_filter("a single array", |case| !case.list)
}

fn lengths(case: &Case) -> Vec<(&str, usize)> {
    case.lengths.iter().map(|(n, v)| (n.as_str(), *v)).collect()
}

/// The offset, in elements from `input`'s first element, of the input element each output
/// element is: the oracle run on the input elements' offsets instead of their values.
fn offsets(case: &Case, input: &ArrayViewD<'_, i64>) -> ArrayD<i64> {
    let strides = input.strides().to_vec();
    let offset = |index: &[usize]| -> i64 {
        index
            .iter()
            .zip(&strides)
            .map(|(&i, &s)| i as i64 * s as i64)
            .sum()
    };
    expected::<i64>(case, input.shape(), &offset).expect("a valid case solves")
}

/// Brute force: whether some strides give every offset as the first one plus the sum of
/// index times stride (an empty output is a view of anything).
fn strides_exist(offsets: &ArrayD<i64>) -> bool {
    if offsets.is_empty() {
        return true;
    }
    let ndim = offsets.ndim();
    let origin = offsets[IxDyn(&vec![0; ndim])];
    let strides: Vec<i64> = (0..ndim)
        .map(|d| {
            let mut unit = vec![0; ndim];
            unit[d] = 1;
            match offsets.shape()[d] {
                0 | 1 => 0,
                _ => offsets[IxDyn(&unit)] - origin,
            }
        })
        .collect();
    offsets.indexed_iter().all(|(index, &offset)| {
        let sum: i64 = index
            .slice()
            .iter()
            .zip(&strides)
            .map(|(&i, &s)| i as i64 * s)
            .sum();
        offset == origin + sum
    })
}

/// Whether an output group puts a repeated axis (one not on the left) beside another axis:
/// refused from the pattern alone.
fn merges_a_repeat(case: &Case) -> bool {
    let left: HashSet<AxisId> = case.left.iter().flat_map(|item| item.axis_ids()).collect();
    case.right.iter().filter(|item| item.paren).any(|item| {
        let moving = item.atoms.iter().filter(|atom| **atom != Atom::One).count();
        moving > 1 && item.axis_ids().any(|id| !left.contains(&id))
    })
}

/// The element offset of `element` from `first`.
fn offset_of<A>(element: *const A, first: *const A) -> i64 {
    (element as isize - first as isize) as i64 / size_of::<A>() as i64
}

/// Checks a view form's result on `case` against the oracle and the brute-force check.
fn check_view(case: &Case) -> Result<bool, TestCaseError> {
    let base = case
        .layout
        .base(&case.shape, |i| case.values.get::<i64>(0, i));
    let input = case.layout.arrange(base.view());
    let (pattern, lengths) = (case.pattern(), lengths(case));
    let result = match case.op {
        Op::Repeat => dynamic::repeat_view(&input, &pattern, &lengths),
        _ => dynamic::rearrange_view(&input, &pattern, &lengths),
    };
    if merges_a_repeat(case) {
        let err = result.expect_err("a repeat merged into a group is refused");
        prop_assert_eq!((err.stage(), err.kind()), (Stage::Pattern, "not_a_view"));
        return Ok(false);
    }
    let offsets = offsets(case, &input);
    match result {
        Ok(view) => {
            prop_assert!(
                strides_exist(&offsets),
                "{case:?}: a view the oracle rules out"
            );
            prop_assert_eq!(view.shape(), offsets.shape());
            for (index, element) in view.indexed_iter() {
                prop_assert_eq!(
                    offset_of(element, input.as_ptr()),
                    offsets[&index],
                    "{:?}",
                    case
                );
            }
            Ok(true)
        }
        Err(err) => {
            prop_assert_eq!(err.kind(), "not_a_view", "{:?}: {}", case, err);
            prop_assert_eq!(err.stage(), Stage::Shape);
            prop_assert!(
                !strides_exist(&offsets),
                "{case:?}: refused, but strides exist"
            );
            Ok(false)
        }
    }
}

proptest! {
    #[test]
    fn rearrange_view_is_a_view_exactly_when_strides_exist(case in cases(REARRANGE)) {
        check_view(&case)?;
    }

    #[test]
    fn repeat_view_is_a_view_exactly_when_strides_exist(case in cases(REPEAT)) {
        check_view(&case)?;
    }

    /// Writing every element through a mutable view changes each input element the oracle
    /// maps to it, once, and no other.
    #[test]
    fn writes_through_a_mutable_view_land_where_the_oracle_says(case in cases(REARRANGE)) {
        let mut base = case.layout.base(&case.shape, |_| -1i64);
        let mut input = case.layout.arrange(base.view_mut());
        let offsets = offsets(&case, &input.view());
        let first = input.as_ptr();
        let (pattern, lengths) = (case.pattern(), lengths(&case));
        let Ok(mut view) = dynamic::rearrange_view_mut(&mut input, &pattern, &lengths) else {
            return Ok(());
        };
        for (k, element) in view.iter_mut().enumerate() {
            *element = k as i64;
        }
        let written: HashMap<i64, i64> = input
            .iter()
            .map(|element| (offset_of(element, first), *element))
            .collect();
        for (k, offset) in offsets.iter().enumerate() {
            prop_assert_eq!(written[offset], k as i64, "{:?}", case);
        }
        prop_assert!(input.iter().all(|&v| v >= 0), "an input element was not written");
    }
}

/// How often the property above gives a view and a refusal, on a fixed sample of 2000
/// cases of each operation (printed for the record; both must occur, or the property would
/// test one side only).
#[test]
fn the_property_sees_views_and_refusals() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for (name, ops) in [("rearrange", REARRANGE), ("repeat", REPEAT)] {
        let strategy = cases(ops);
        let (mut views, mut refused) = (0, 0);
        for _ in 0..2000 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            match check_view(&case) {
                Ok(true) => views += 1,
                Ok(false) => refused += 1,
                Err(err) => panic!("{case:?}: {err}"),
            }
        }
        println!("{name}: {views} views, {refused} refused of 2000 oracle cases");
        assert!(
            views > 0 && refused > 0,
            "{name}: {views} views, {refused} refused"
        );
    }
}

/// The three input layouts of `views.jsonl`, with the same logical values.
fn layout_input(layout: &str, shape: &[usize], start: f64) -> ArrayD<f64> {
    let count: usize = shape.iter().product();
    let values: Vec<f64> = (0..count).map(|i| start + i as f64).collect();
    let standard = ArrayD::from_shape_vec(shape, values).unwrap();
    match layout {
        "std" => standard,
        "fortran" => {
            let mut fortran = ArrayD::zeros(IxDyn(shape).f());
            fortran.assign(&standard);
            fortran
        }
        "strided" => {
            let mut wide_shape = shape.to_vec();
            if let Some(last) = wide_shape.last_mut() {
                *last *= 2;
            }
            let mut wide = ArrayD::zeros(wide_shape);
            let last = shape.len().saturating_sub(1);
            wide.slice_axis_inplace(ndarray::Axis(last), Slice::new(0, None, 2));
            wide.assign(&standard);
            wide
        }
        other => panic!("unknown layout {other}"),
    }
}

/// Every successful rearrange of the public vectors on the three layouts numpy's einops was
/// run on: where numpy returned a view, so do we, with its values; elsewhere a view with the
/// same values or `not_a_view`.
#[test]
fn numpys_views_are_views() {
    let path = format!("{}/tests/data/views.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut views, mut refused, mut numpy_copied_we_view) = (0, 0, 0);
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let mut shape: Vec<usize> = serde_json::from_value(case["input"]["shape"].clone()).unwrap();
        let layout = case["layout"].as_str().unwrap();
        if layout == "fortran" && shape.is_empty() {
            // numpy's `asfortranarray` gives a 0-d array one dimension.
            shape.push(1);
        }
        let start = case["input"]["start"].as_f64().unwrap();
        let owned = layout_input(layout, &shape, start);
        let input = owned.view();
        let lengths: Vec<(String, usize)> = case["axes_lengths"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, value)| (name.clone(), value.as_u64().unwrap() as usize))
            .collect();
        let lengths: Vec<(&str, usize)> = lengths.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let pattern = case["pattern"].as_str().unwrap();
        let numpy_view = case["view"].as_bool().unwrap();
        let id = case["id"].as_str().unwrap();
        match dynamic::rearrange_view(&input, pattern, &lengths) {
            Ok(view) => {
                let shape: Vec<usize> =
                    serde_json::from_value(case["expected"]["shape"].clone()).unwrap();
                let values: Vec<f64> =
                    serde_json::from_value(case["expected"]["values"].clone()).unwrap();
                assert_eq!(view.shape(), &shape[..], "{id} ({layout})");
                assert!(
                    view.iter().copied().eq(values.iter().copied()),
                    "{id} ({layout})"
                );
                views += 1;
                numpy_copied_we_view += usize::from(!numpy_view);
            }
            Err(err) => {
                assert!(
                    !numpy_view,
                    "{id} ({layout}): numpy returned a view, we refused: {err}"
                );
                assert_eq!(err.kind(), "not_a_view", "{id} ({layout}): {err}");
                refused += 1;
            }
        }
    }
    println!(
        "views.jsonl: {views} views ({numpy_copied_we_view} where numpy copied), {refused} refused"
    );
    assert!(views + refused > 0);
}

/// The error names the group and the input's strides.
#[test]
fn a_refusal_names_the_group_and_the_strides() {
    let x = ndarray::Array3::<f32>::zeros((2, 3, 4));
    let t = x.t();
    let err: Error = dynamic::rearrange_view(&t, "w h b -> (w h) b", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rearrange `w h b -> (w h) b` on input of shape [4, 3, 2]: output dimension 0 (group \
         `(w h)`) cannot be a view: its axes are not evenly spaced in the input's memory \
         (strides [1, 4, 12]); `rearrange!` copies, or make the input standard-layout first \
         (`.as_standard_layout()`)"
    );
}

/// The macros: fixed-rank results where the ranks settle them, every kind of borrowed array,
/// and `rearrange_cow!` choosing the view exactly when `rearrange_view!` succeeds.
mod macros {
    use einops::{rearrange, rearrange_cow, rearrange_view, rearrange_view_mut, repeat_view};
    use ndarray::{s, Array, ArrayView2, ArrayView3, ArrayViewD, ArrayViewMut3, CowArray, Ix4};

    #[test]
    fn views_have_the_ranks_the_pattern_gives() {
        let x = Array::from_shape_fn((2, 3, 4, 5), |(b, c, h, w)| {
            (b * 60 + c * 20 + h * 5 + w) as i64
        });
        let flat: ArrayView2<i64> = rearrange_view!(&x, "b c h w -> b (c h w)").unwrap();
        assert_eq!(flat, rearrange!(&x, "b c h w -> b (c h w)").unwrap());
        assert_eq!(flat.as_ptr(), x.as_ptr());
        let heads: ArrayView3<i64> = rearrange_view!(&flat, "b (h d) -> b h d", h = 6).unwrap();
        assert_eq!(heads.shape(), [2, 6, 10]);
        let dynamic = x.clone().into_dyn();
        let any: ArrayViewD<i64> = rearrange_view!(&dynamic, "b ... -> ... b").unwrap();
        assert_eq!(any.shape(), [3, 4, 5, 2]);
        let tiled = repeat_view!(&x, "b c h w -> b c h w r", r = 3).unwrap();
        assert_eq!(tiled.strides()[4], 0);
        let expected = x.view().insert_axis(ndarray::Axis(4));
        assert_eq!(tiled, expected.broadcast((2, 3, 4, 5, 3)).unwrap());
    }

    #[test]
    fn every_borrowed_array_kind_gives_a_view() {
        let owned = Array::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f32);
        let shared = owned.to_shared();
        let cow = CowArray::from(owned.view());
        let sliced = owned.slice(s![..;2, ..;-1]);
        for x in [owned.view(), shared.view(), cow.view(), sliced] {
            let y = rearrange_view!(&x, "a (b c) -> c a b", c = 2).unwrap();
            assert_eq!(y, rearrange!(&x, "a (b c) -> c a b", c = 2).unwrap());
        }
        assert!(rearrange_view!(&shared, "a b -> (a b)").is_ok());
    }

    #[test]
    fn writes_through_the_macro_view_land_in_the_input() {
        let mut x = Array::<i32, Ix4>::zeros((2, 3, 4, 5));
        let mut planes: ArrayViewMut3<i32> =
            rearrange_view_mut!(&mut x, "b c h w -> (b c) w h").unwrap();
        planes[[5, 4, 1]] = 9; // b = 1, c = 2, w = 4, h = 1
        assert_eq!(x[[1, 2, 1, 4]], 9);
        let mut shared = x.into_shared();
        let keep = shared.clone();
        rearrange_view_mut!(&mut shared, "b c h w -> b c (h w)").unwrap()[[0, 0, 0]] = 1;
        assert_eq!(
            (shared[[0, 0, 0, 0]], keep[[0, 0, 0, 0]]),
            (1, 0),
            "ndarray un-shares first"
        );
    }

    /// The layouts the macros settle from the pattern agree with the general path of
    /// `dynamic` (the same shapes, strides and refusals), on layouts where merging works
    /// and where it does not.
    #[test]
    fn settled_layouts_agree_with_the_general_path() {
        let base = Array::from_shape_fn((4, 6, 10), |(a, b, c)| (a * 60 + b * 10 + c) as i32);
        let layouts = [
            base.view(),
            base.slice(s![.., ..;2, ..;-1]),
            base.slice(s![..;-1, .., 1..3]),
            base.view().reversed_axes(),
        ];
        macro_rules! agree {
            ($x:expr, $macro:ident, $function:ident, $pattern:literal $(, $name:ident = $len:expr)*) => {{
                let settled = $macro!(&$x, $pattern $(, $name = $len)*);
                let general = einops::dynamic::$function(&$x, $pattern, &[$((stringify!($name), $len)),*]);
                match (settled, general) {
                    (Ok(s), Ok(g)) => {
                        assert_eq!((s.shape(), s.as_ptr()), (g.shape(), g.as_ptr()), $pattern);
                        assert_eq!(s.into_dyn(), g, $pattern);

                    }
                    (Err(s), Err(g)) => assert_eq!(s, g, $pattern),
                    (s, g) => panic!("{}: settled {:?}, general {:?}", $pattern, s.map(|v| v.shape().to_vec()), g.map(|v| v.shape().to_vec())),
                }
            }};
        }
        for x in layouts {
            agree!(x, rearrange_view, rearrange_view, "a b c -> a (b c)");
            agree!(x, rearrange_view, rearrange_view, "a b c -> (a b c)");
            agree!(x, rearrange_view, rearrange_view, "a b c -> c (a b) ()");
            agree!(x, rearrange_view, rearrange_view, "a b c -> (c a) 1 b");
            agree!(x, repeat_view, repeat_view, "a b c -> a b r c", r = 3);
            agree!(x, repeat_view, repeat_view, "a b c -> c r a b", r = 0);
            agree!(
                x,
                rearrange_view,
                rearrange_view,
                "a (b1 b2) c -> b2 a b1 c",
                b1 = 2
            );
            agree!(
                x,
                rearrange_view,
                rearrange_view,
                "a (b1 b2) c -> a (b2 c) b1",
                b1 = 3
            );
            agree!(
                x,
                rearrange_view,
                rearrange_view,
                "(a1 a2) b c -> a2 (b c a1)",
                a2 = 2
            );
            agree!(
                x,
                rearrange_view,
                rearrange_view,
                "a (b1 b2) (c 1) -> (a b1) b2 c",
                b2 = 3
            );
            agree!(
                x,
                rearrange_view,
                rearrange_view,
                "a (b1 b2) c -> a b1 b2 c",
                b1 = 4
            );
            agree!(
                x,
                rearrange_view,
                rearrange_view,
                "a (b1 b2) c -> a b1 b2 c",
                b1 = 0
            );
            agree!(
                x,
                repeat_view,
                repeat_view,
                "a (b1 b2) c -> b1 r a b2 c",
                b2 = 3,
                r = 2
            );
            agree!(
                x,
                repeat_view,
                repeat_view,
                "a b c -> r c s b a",
                r = 2,
                s = 1
            );
            agree!(x, repeat_view, repeat_view, "a b c -> r (a b) c", r = 2);
            agree!(x, repeat_view, repeat_view, "a b c -> r (a b) c", r = 0);
        }
    }

    #[test]
    fn cow_is_borrowed_exactly_when_a_view_exists() {
        let x = Array::from_shape_fn((2, 3, 4), |(a, b, c)| (a * 12 + b * 4 + c) as u8);
        let t = x.t();
        macro_rules! same_choice {
            ($input:expr, $($pattern:literal),*) => {$(
                let cow = rearrange_cow!(&$input, $pattern).unwrap();
                assert_eq!(cow.is_view(), rearrange_view!(&$input, $pattern).is_ok(), $pattern);
                assert_eq!(cow, rearrange!(&$input, $pattern).unwrap(), $pattern);
            )*};
        }
        for input in [x.view(), t] {
            same_choice!(
                input,
                "a b c -> a (b c)",
                "a b c -> (a b) c",
                "a b c -> c b a",
                "a b c -> (c b a)"
            );
        }
    }
}
