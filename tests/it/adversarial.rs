//! Inputs at the edges: 0-d arrays, zero-length axes, lengths whose product overflows,
//! strided and reversed views (also views of views), very long patterns, non-ASCII names and
//! every reduction over empty axes. Each gives the right result or a typed error, never a
//! panic.

use einops::{dynamic, einsum, rearrange, reduce, repeat, Error, Stage};
use ndarray::{arr0, s, Array, Array1, Array2, Array3, ArrayD, Axis, IxDyn};

/// 0, 1, 2, ... in row-major order.
fn iota(shape: &[usize]) -> ArrayD<i64> {
    let len = shape.iter().product::<usize>();
    ArrayD::from_shape_vec(shape, (0..len as i64).collect()).unwrap()
}

/// The error of `result`, whose kind must be `kind`.
#[track_caller]
fn error_of<T: std::fmt::Debug>(result: Result<T, Error>, kind: &str) -> Error {
    let error = result.expect_err("an error");
    assert_eq!(error.kind(), kind, "{error}");
    assert!(!error.to_string().is_empty());
    error
}

#[test]
fn zero_dimensional_arrays() {
    let x = arr0(7i64);
    assert_eq!(
        dynamic::rearrange(&x, "->", &[]).unwrap(),
        x.clone().into_dyn()
    );
    assert_eq!(
        dynamic::rearrange(&x, " -> ", &[]).unwrap(),
        x.clone().into_dyn()
    );
    // `(...)` over no axes is one dimension of length 1; `()` and `1` too.
    let one = dynamic::rearrange(&x, "... -> (...)", &[]).unwrap();
    assert_eq!(one, Array1::from(vec![7]).into_dyn());
    let units = dynamic::rearrange(&x, " -> () 1 (1)", &[]).unwrap();
    assert_eq!(units.shape(), [1, 1, 1]);
    assert_eq!(dynamic::reduce(&x, "->", "max", &[]).unwrap()[[]], 7);
    assert_eq!(dynamic::reduce(&x, "... ->", "prod", &[]).unwrap()[[]], 7);
    let tiled = dynamic::repeat(&x, "-> k", &[("k", 3)]).unwrap();
    assert_eq!(tiled, Array1::from(vec![7, 7, 7]).into_dyn());
    assert_eq!(rearrange!(&x, "->").unwrap(), x);
    assert_eq!(
        repeat!(&x, "-> k", k = 2).unwrap(),
        Array1::from(vec![7, 7])
    );

    assert_eq!(
        dynamic::einsum(&[x.view(), x.view()], ",->").unwrap()[[]],
        49
    );
    assert_eq!(einsum!(&x, "->").unwrap(), x);
    assert!(dynamic::parse_shape(&x, "").unwrap().is_empty());
    assert!(dynamic::parse_shape(&x, "...").unwrap().is_empty());
    error_of(dynamic::parse_shape(&x, "a"), "parse_shape_wrong_ndim");

    // pack "*": each 0-d array is one element of the packed axis.
    let (packed, shapes) = dynamic::pack(&[x.view().into_dyn(), x.view().into_dyn()], "*").unwrap();
    assert_eq!(packed, Array1::from(vec![7, 7]).into_dyn());
    assert_eq!(shapes.to_string(), "[[], []]");
    let parts = dynamic::unpack(&packed, &shapes, "*").unwrap();
    assert_eq!(parts, [x.clone().into_dyn(), x.clone().into_dyn()]);

    // A pattern that needs dimensions: a rank error.
    error_of(dynamic::rearrange(&x, "a -> a", &[]), "wrong_ndim");
    error_of(
        dynamic::rearrange(&x, "a ... -> a ...", &[]),
        "too_few_dims",
    );
}

#[test]
fn zero_length_axes_in_every_position() {
    for empty in 0..3 {
        let mut shape = vec![2, 3, 4];
        shape[empty] = 0;
        let x = iota(&shape);
        let (a, b, c) = (shape[0], shape[1], shape[2]);
        let t = dynamic::rearrange(&x, "a b c -> c a b", &[]).unwrap();
        assert_eq!(t.shape(), [c, a, b]);
        let merged = dynamic::rearrange(&x, "a b c -> (c b) a", &[]).unwrap();
        assert_eq!(merged.shape(), [c * b, a]);
        // Split a merged empty axis back with every other length given.
        let split = dynamic::rearrange(&merged, "(c b) a -> a b c", &[("c", c), ("b", b)]).unwrap();
        assert_eq!(split, x);
        let repeated = dynamic::repeat(&x, "a b c -> a r b c", &[("r", 2)]).unwrap();
        assert_eq!(repeated.shape(), [a, 2, b, c]);
        let sum = dynamic::reduce(&x, "a b c -> b", "sum", &[]).unwrap();
        assert_eq!(sum, x.sum_axis(Axis(2)).sum_axis(Axis(0)));
        let mut out = ArrayD::zeros(vec![c, a, b]);
        dynamic::rearrange_into(&mut out, &x, "a b c -> c a b", &[]).unwrap();
        assert_eq!(out, t);
        let xf = x.mapv(|v| v as f64);
        let y = dynamic::einsum(&[xf.view(), xf.view()], "a b c, a b c -> b").unwrap();
        assert_eq!(y.shape(), [b]);
        let (packed, shapes) = dynamic::pack(&[x.view(), x.view()], "a * c").unwrap();
        assert_eq!(packed.shape(), [a, 2 * b, c]);
        assert_eq!(
            dynamic::unpack(&packed, &shapes, "a * c").unwrap(),
            [x.clone(), x.clone()]
        );
        let lengths = dynamic::parse_shape(&x, "a b c").unwrap();
        assert_eq!(lengths, [("a", a), ("b", b), ("c", c)]);
    }
    // An unknown length next to a zero: cannot be inferred (einops: ZeroDivisionError).
    let x = iota(&[0, 3]);
    let error = error_of(
        dynamic::rearrange(&x, "(a b) c -> a b c", &[("b", 0)]),
        "zero_axis_length",
    );
    assert_eq!(error.stage(), Stage::Shape);
    // New axes of length 0 make an empty result.
    let y = dynamic::repeat(&iota(&[2]), "a -> a r", &[("r", 0)]).unwrap();
    assert_eq!(y.shape(), [2, 0]);
}

#[test]
fn lengths_whose_product_overflows_usize() {
    let big = usize::MAX / 2 + 1;
    let x = iota(&[2]);
    // Given lengths of new axes: the output's length overflows.
    error_of(
        dynamic::repeat(&x, "a -> a b c", &[("b", big), ("c", 2)]),
        "length_overflow",
    );
    error_of(
        dynamic::repeat(&x, "a -> (a b)", &[("b", big)]),
        "length_overflow",
    );
    // Given lengths of a left group: the group's product overflows.
    let empty = iota(&[0]);
    error_of(
        dynamic::rearrange(&empty, "(a b) -> a b", &[("a", big), ("b", 2)]),
        "length_overflow",
    );
    // An empty input whose other axes are huge: valid for ndarray (the product of the
    // non-zero lengths fits isize). Moving them is fine; growing them past usize overflows,
    // and past isize (ndarray's bound) is too large.
    let huge = 1usize << 61;
    let wide = Array::from_shape_vec(IxDyn(&[0, huge, 2]), Vec::<i64>::new()).unwrap();
    let t = dynamic::rearrange(&wide, "z h w -> w (h z)", &[]).unwrap();
    assert_eq!(t.shape(), [2, 0]);
    let t = dynamic::rearrange(&wide, "z h w -> w h z", &[]).unwrap();
    assert_eq!(t.shape(), [2, huge, 0]);
    error_of(
        dynamic::repeat(&wide, "z h w -> z (h w r)", &[("r", 4)]),
        "length_overflow",
    );
    error_of(
        dynamic::repeat(&wide, "z h w -> z h w r", &[("r", 2)]),
        "output_too_large",
    );
    // Einsum: given lengths of a group whose product overflows.
    let none = Array1::<f64>::zeros(0);
    error_of(
        dynamic::einsum_with_lengths(&[none.view()], "(a b) -> a b", &[("a", big), ("b", 2)]),
        "length_overflow",
    );
}

#[test]
fn outputs_too_large_to_allocate_are_errors() {
    // isize::MAX elements of 8 bytes: ndarray accepts the shape, the allocator cannot.
    let x = iota(&[1]);
    let huge = isize::MAX as usize / 4;
    let error = error_of(
        dynamic::repeat(&x, "a -> a r", &[("r", huge)]),
        "output_too_large",
    );
    assert_eq!(error.stage(), Stage::Shape);
    error_of(repeat!(&x, "a -> a r", r = huge), "output_too_large");
    let mut out = Array2::<i64>::zeros((1, 1));
    error_of(
        dynamic::repeat_into(&mut out, &x, "a -> a r", &[("r", huge)]),
        "output_too_large",
    );
}

#[test]
fn reversed_strided_and_nested_views() {
    let base = iota(&[6, 8, 5]);
    let views = [
        base.slice(s![..;-1, .., ..]).into_dyn(),
        base.slice(s![1..;2, ..;-3, 1..4]).into_dyn(),
        base.slice(s![.., ..;2, ..])
            .permuted_axes([2, 0, 1])
            .into_dyn(),
    ];
    for view in &views {
        // A view of a view: slice again, reversed.
        let nested = view.slice(s![..;-1, 1.., ..;2]).into_dyn();
        for x in [view.view(), nested] {
            let owned = x.to_owned(); // standard layout: the reference
            let (a, b, c) = (x.shape()[0], x.shape()[1], x.shape()[2]);
            let t = dynamic::rearrange(&x, "a b c -> c (a b)", &[]).unwrap();
            assert_eq!(
                t,
                dynamic::rearrange(&owned, "a b c -> c (a b)", &[]).unwrap()
            );
            assert_eq!(t.shape(), [c, a * b]);
            assert_eq!(t[[c - 1, a * b - 1]], x[[a - 1, b - 1, c - 1]]);
            let r = dynamic::reduce(&x, "a b c -> c a", "max", &[]).unwrap();
            assert_eq!(
                r,
                owned
                    .fold_axis(Axis(1), i64::MIN, |&m, &v| m.max(v))
                    .t()
                    .to_owned()
            );
            let rep = dynamic::repeat(&x, "a b c -> b k c a", &[("k", 2)]).unwrap();
            assert_eq!(
                rep.index_axis(Axis(1), 1),
                owned.view().permuted_axes(vec![1, 2, 0])
            );
            let mut out = Array3::zeros((c, b, a));
            let mut out_view = out.view_mut();
            out_view.invert_axis(Axis(1));
            dynamic::rearrange_into(&mut out_view, &x, "a b c -> c b a", &[]).unwrap();
            assert_eq!(out_view.into_dyn(), owned.t());
            let xf = x.mapv(|v| v as f64);
            let of = owned.mapv(|v| v as f64);
            let view_f = xf.view();
            let y = dynamic::einsum(&[x.mapv(|v| v as f64).view(), view_f], "a b c, a b c -> c")
                .unwrap();
            let z = dynamic::einsum(&[of.view(), of.view()], "a b c, a b c -> c").unwrap();
            assert_eq!(y, z);
            let (packed, shapes) = dynamic::pack(&[x.view(), owned.view()], "a * c").unwrap();
            let parts = dynamic::unpack(packed.view().reversed_axes().t(), &shapes, "a * c");
            assert_eq!(parts.unwrap(), [owned.clone(), owned.clone()]);
        }
    }
}

/// A pattern over `rank` axes named `x0 x1 ...`.
fn names(rank: usize) -> Vec<String> {
    (0..rank).map(|i| format!("x{i}")).collect()
}

#[test]
fn a_thousand_axes_through_the_dynamic_api() {
    let rank = 1000;
    let mut shape = vec![1; rank];
    shape[0] = 2;
    shape[rank - 1] = 3;
    let x = iota(&shape);
    let axes = names(rank);
    let mut reversed = axes.clone();
    reversed.reverse();
    let pattern = format!("{} -> {}", axes.join(" "), reversed.join(" "));
    let t = dynamic::rearrange(&x, &pattern, &[]).unwrap();
    let mut expected_shape = shape.clone();
    expected_shape.reverse();
    assert_eq!(t.shape(), expected_shape);
    assert_eq!(t.iter().copied().collect::<Vec<_>>(), [0, 3, 1, 4, 2, 5]);

    let merged = format!("{} -> ({})", axes.join(" "), reversed.join(" "));
    let flat = dynamic::rearrange(&x, &merged, &[]).unwrap();
    assert_eq!(flat.as_slice().unwrap(), [0, 3, 1, 4, 2, 5]);

    let reduce = format!("{} -> {}", axes.join(" "), axes[0]);
    let sums = dynamic::reduce(&x, &reduce, "sum", &[]).unwrap();
    assert_eq!(sums, Array1::from(vec![3, 12]).into_dyn());

    let rep = format!("{} -> {} new", axes.join(" "), axes.join(" "));
    let y = dynamic::repeat(&x, &rep, &[("new", 2)]).unwrap();
    assert_eq!(y.len(), 12);

    let ellipsis = dynamic::rearrange(&x, "first ... last -> last ... first", &[]).unwrap();
    assert_eq!(
        ellipsis.iter().copied().collect::<Vec<_>>(),
        [0, 3, 1, 4, 2, 5]
    );

    let all = axes.join(" ");
    let lengths = dynamic::parse_shape(&x, &all).unwrap();
    assert_eq!(lengths.len(), rank);

    let (packed, shapes) = dynamic::pack(&[x.view(), x.view()], "x0 *").unwrap();
    assert_eq!(packed.shape(), [2, 6]);
    assert_eq!(dynamic::unpack(&packed, &shapes, "x0 *").unwrap()[1], x);

    let xf = x.mapv(|v| v as f64);
    // einsum binds axes on the stack: more than its limit is a pattern error.
    let einsum_pattern = format!("{} -> {}", axes.join(" "), axes[rank - 1]);
    let error = dynamic::einsum(&[xf.view()], &einsum_pattern).unwrap_err();
    assert_eq!(error.kind(), "einsum_too_many_axes", "{error}");
    let e = dynamic::einsum(&[xf.view()], "first ... last -> last ... first").unwrap();
    assert_eq!(
        e.iter().copied().collect::<Vec<_>>(),
        [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    );

    // 1,000 axes of length 2 overflow: a typed error, not a huge allocation.
    let wide = format!("{} -> ({})", axes.join(" "), axes.join(" "));
    let lengths: Vec<(&str, usize)> = axes.iter().map(|name| (name.as_str(), 2)).collect();
    error_of(
        dynamic::repeat(
            &arr0(1),
            &format!("-> {}", &wide[wide.find('(').unwrap()..]),
            &lengths,
        ),
        "length_overflow",
    );
}

#[test]
fn non_ascii_axis_names() {
    let x = iota(&[2, 3]);
    let t = dynamic::rearrange(&x, "α 日本 -> 日本 α", &[]).unwrap();
    assert_eq!(t, x.t());
    let y = dynamic::repeat(&x, "α β -> (α ñ) β", &[("ñ", 2)]).unwrap();
    assert_eq!(y.shape(), [4, 3]);
    assert_eq!(
        dynamic::parse_shape(&x, "行 列").unwrap(),
        [("行", 2), ("列", 3)]
    );
    // The caret of a pattern error stands under the offending column, counted in characters.
    let error = dynamic::rearrange(&x, "α β -> α γ", &[]).unwrap_err();
    assert_eq!(error.stage(), Stage::Pattern);
    // Carets count characters, not bytes (β and γ are two bytes each).
    let text = error.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1..], ["  α β -> α γ", "    ^      ^"], "{text}");
    // Not identifiers: emoji and a leading digit.
    error_of(
        dynamic::rearrange(&x, "🙂 b -> b 🙂", &[]),
        "unknown_character",
    );
    let error = dynamic::rearrange(&x, "2a b -> b 2a", &[]).unwrap_err();
    assert_eq!(error.stage(), Stage::Pattern);
}

#[test]
fn every_reduction_over_empty_axes() {
    // einops (numpy): sum 0, prod 1, any false, all true, mean NaN; min/max an error.
    let empty = Array2::<f64>::zeros((3, 0));
    let reduce = |reduction| dynamic::reduce(&empty, "a b -> a", reduction, &[]);
    assert_eq!(reduce("sum").unwrap(), ArrayD::<f64>::zeros(vec![3]));
    assert_eq!(reduce("prod").unwrap(), ArrayD::<f64>::ones(vec![3]));
    assert_eq!(reduce("any").unwrap(), ArrayD::<f64>::zeros(vec![3]));
    assert_eq!(reduce("all").unwrap(), ArrayD::<f64>::ones(vec![3]));
    assert!(reduce("mean").unwrap().iter().all(|v| v.is_nan()));
    for reduction in ["min", "max"] {
        let error = error_of(reduce(reduction), "empty_reduction");
        assert_eq!(error.stage(), Stage::Shape);
        assert!(error.to_string().contains("b = 0"), "{error}");
    }
    // Integers and bools, and every position of the empty axis; also all axes reduced.
    let ints = Array3::<i32>::zeros((2, 0, 3));
    assert_eq!(
        dynamic::reduce(&ints, "a b c -> a c", "sum", &[]).unwrap(),
        ArrayD::<i32>::zeros(vec![2, 3])
    );
    assert_eq!(
        dynamic::reduce(&ints, "a b c ->", "prod", &[]).unwrap()[[]],
        1
    );
    assert_eq!(
        dynamic::reduce(&ints, "a b c -> c", "all", &[]).unwrap(),
        ArrayD::<i32>::ones(vec![3])
    );
    error_of(
        dynamic::reduce(&ints, "a b c -> a c", "mean", &[]),
        "mean_of_integer",
    );
    error_of(
        dynamic::reduce(&ints, "a b c -> a c", "max", &[]),
        "empty_reduction",
    );
    // Only the reduced axes count: an empty kept axis gives an empty result.
    let r = dynamic::reduce(&ints, "a b c -> b", "max", &[]).unwrap();
    assert_eq!(r.shape(), [0]);
    let bools = Array1::<bool>::from(vec![]);
    assert!(!dynamic::reduce(&bools, "a ->", "any", &[]).unwrap()[[]]);
    assert!(dynamic::reduce(&bools, "a ->", "all", &[]).unwrap()[[]]);
    error_of(
        dynamic::reduce(&bools, "a ->", "min", &[]),
        "empty_reduction",
    );
    // Reducing non-empty axes of an empty array: an empty result, no error, even for min.
    let r = dynamic::reduce(&Array2::<f32>::zeros((0, 4)), "a b -> a", "min", &[]).unwrap();
    assert_eq!(r.shape(), [0]);
    // The macros and `_into` forms give the same error.
    error_of(reduce!(&empty, "a b -> a", max), "empty_reduction");
    let mut out = Array1::<f64>::zeros(3);
    error_of(
        dynamic::reduce_into(&mut out, &empty, "a b -> a", "min", &[]),
        "empty_reduction",
    );
}
