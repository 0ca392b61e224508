//! `einsum!`, `einsum_into!` and `einops::dynamic::einsum` on the jobs they exist for, checked
//! against plain ndarray code: matrix products of every layout (the GEMM path reads strided,
//! transposed and reversed operands in place), batched products (Gram matrices, attention
//! scores), diagonals and traces, ellipsis broadcasting, grouped axes, three and four operands,
//! integer and `bool` elements, empty axes, output dimension types, errors, and macro hygiene.
//! The random-pattern property test is `tests/it/einsum_oracle.rs`.

use einops::{dynamic, einsum, einsum_into, CallOperation, Error, Stage};
use ndarray::{
    s, Array, Array0, Array1, Array2, Array3, Array4, ArrayD, ArrayView1, ArrayView2, ArrayView3,
    Axis, Dimension, Ix2, IxDyn, ShapeBuilder,
};

/// `0, 1, 2, ...` (shifted by `start`) in the given shape, as `f64`.
fn iota<Sh: ShapeBuilder<Dim = D>, D: Dimension>(shape: Sh, start: f64) -> Array<f64, D> {
    let shape = shape.into_shape_with_order();
    let n = shape.size();
    Array::from_shape_vec(shape, (0..n).map(|i| i as f64 + start).collect()).unwrap()
}

/// Small pseudo-random `f32` values, so products of long sums are not all integers.
fn noise<Sh: ShapeBuilder<Dim = D>, D: Dimension>(shape: Sh, seed: usize) -> Array<f32, D> {
    let shape = shape.into_shape_with_order();
    let n = shape.size();
    let values = (0..n)
        .map(|i| (((7 * i + 13 * seed) % 1001) as f32) / 1001.0 - 0.5)
        .collect();
    Array::from_shape_vec(shape, values).unwrap()
}

fn assert_close<D: Dimension>(got: &Array<f32, D>, expected: &Array<f32, D>) {
    assert_eq!(got.shape(), expected.shape());
    for (g, e) in got.iter().zip(expected) {
        assert!((g - e).abs() <= 1e-4 * e.abs().max(1.0), "{g} vs {e}");
    }
}

/// The error, after checking that it names an einsum call.
fn einsum_error(err: &Error) -> &Error {
    let call = err.call().expect("a call error");
    assert_eq!(call.operation, CallOperation::Einsum, "{err:?}");
    err
}

#[test]
fn matrix_product_of_every_layout_matches_dot() {
    let a = noise((37, 19), 0);
    let b = noise((19, 23), 1);
    let expected = a.dot(&b);
    // Row-major, column-major, transposed views, reversed axes, strided slices.
    let a_t = a.t().to_owned(); // [19, 37]
    let b_fortran = {
        let mut f = Array2::<f32>::zeros((19, 23).f());
        f.assign(&b);
        f
    };
    let a_reversed = a.slice(s![..;-1, ..]).to_owned(); // rows reversed
    let wide = noise((19, 46), 2);
    let mut b_strided_src = wide.clone();
    b_strided_src.slice_mut(s![.., ..;2]).assign(&b);

    assert_close(&einsum!(&a, &b, "i j, j k -> i k").unwrap(), &expected);
    assert_close(&einsum!(a_t.t(), &b, "i j, j k -> i k").unwrap(), &expected);
    assert_close(&einsum!(&a_t, &b, "j i, j k -> i k").unwrap(), &expected);
    assert_close(
        &einsum!(&a, &b_fortran, "i j, j k -> i k").unwrap(),
        &expected,
    );
    assert_close(
        &einsum!(a_reversed.slice(s![..;-1, ..]), &b, "i j, j k -> i k").unwrap(),
        &expected,
    );
    assert_close(
        &einsum!(&a, b_strided_src.slice(s![.., ..;2]), "i j, j k -> i k").unwrap(),
        &expected,
    );
    // The output transposed: C is written column by column.
    assert_close(
        &einsum!(&a, &b, "i j, j k -> k i").unwrap(),
        &expected.t().to_owned(),
    );
    // f64 and the dynamic API.
    let (a64, b64) = (a.mapv(f64::from), b.mapv(f64::from));
    let c64 = dynamic::einsum(&[a64.view(), b64.view()], "i j, j k -> i k").unwrap();
    let expected64 = a64.dot(&b64).into_dyn();
    assert!(c64
        .iter()
        .zip(&expected64)
        .all(|(g, e)| (g - e).abs() < 1e-9));
}

#[test]
fn tiny_and_degenerate_products() {
    // Below the GEMM cut-off, vectors, outer products, scalars.
    let a = iota((3, 2), 0.0);
    let b = iota((2, 4), 10.0);
    assert_eq!(einsum!(&a, &b, "i j, j k -> i k").unwrap(), a.dot(&b));
    let v = iota(5, 1.0);
    let w = iota(5, 2.0);
    assert_eq!(einsum!(&v, &w, "i, i ->").unwrap()[()], v.dot(&w));
    let outer = einsum!(&v, &w, "i, j -> i j").unwrap();
    assert_eq!(outer[[2, 3]], v[2] * w[3]);
    let scalar = Array0::from_elem((), 3.0);
    assert_eq!(einsum!(&scalar, &v, ", i -> i").unwrap(), &v * 3.0);
    assert_eq!(einsum!(&v, &w, "i, i -> i").unwrap(), &v * &w);
}

#[test]
fn gram_and_attention_are_batched_products() {
    // Each batch's Gram matrix against ndarray's `dot` of the flattened maps.
    let check_gram = |maps: &Array4<f32>| {
        let gram: Array3<f32> = einsum!(maps, maps, "b c h w, b d h w -> b c d").unwrap();
        let (batch, c, h, w) = maps.dim();
        for b in 0..batch {
            let flat = maps
                .index_axis(Axis(0), b)
                .to_shape((c, h * w))
                .unwrap()
                .to_owned();
            assert_close(
                &gram.index_axis(Axis(0), b).to_owned(),
                &flat.dot(&flat.t()),
            );
        }
    };
    check_gram(&noise((3, 8, 4, 5), 0)); // b c h w
                                         // At least 64 deep (9 × 9): dot products of contiguous rows instead of the GEMM kernel.
    check_gram(&noise((2, 8, 9, 9), 3));
    let queries = noise((2, 3, 9, 16), 1); // b h i d
    let keys = noise((2, 3, 11, 16), 2); // b h j d
    let scores: Array4<f32> = einsum!(&queries, &keys, "b h i d, b h j d -> b h i j").unwrap();
    for b in 0..2 {
        for h in 0..3 {
            let q: ArrayView2<f32> = queries.slice(s![b, h, .., ..]);
            let k: ArrayView2<f32> = keys.slice(s![b, h, .., ..]);
            assert_close(&scores.slice(s![b, h, .., ..]).to_owned(), &q.dot(&k.t()));
        }
    }
}

#[test]
fn diagonals_traces_and_sums() {
    let m = iota((4, 4), 0.0);
    assert_eq!(einsum!(&m, "i i -> i").unwrap(), m.diag());
    assert_eq!(einsum!(&m, "i i ->").unwrap()[()], m.diag().sum());
    assert_eq!(einsum!(&m, "i j -> j i").unwrap(), m.t());
    assert_eq!(einsum!(&m, "i j -> i").unwrap(), m.sum_axis(Axis(1)));
    let cube = iota((3, 3, 3), 0.0);
    let diag3 = einsum!(&cube, "one one one -> one").unwrap();
    assert_eq!(diag3, Array1::from_vec(vec![0.0, 13.0, 26.0]));
    // A diagonal feeding a product: the operand is read with the summed strides.
    let v = iota(4, 1.0);
    assert_eq!(einsum!(&m, &v, "i i, i -> i").unwrap(), &m.diag() * &v);
    // `_` is an ordinary name.
    assert_eq!(einsum!(&m, "_ x -> x").unwrap(), m.sum_axis(Axis(0)));
}

#[test]
fn ellipsis_broadcasts_like_numpy() {
    // `...` is [2, 1] in the first operand and [5] in the second: broadcast to [2, 5].
    let a = iota((2, 1, 3, 4), 0.0);
    let b = iota((5, 4, 2), 100.0);
    let c = einsum!(&a, &b, "... i j, ... j k -> ... i k").unwrap();
    assert_eq!(c.shape(), &[2, 5, 3, 2]);
    for x in 0..2 {
        for y in 0..5 {
            let (ax, by): (ArrayView2<f64>, ArrayView2<f64>) =
                (a.slice(s![x, 0, .., ..]), b.slice(s![y, .., ..]));
            let expected = ax.dot(&by);
            assert_eq!(c.slice(s![x, y, .., ..]), expected);
        }
    }
    // The ellipsis may cover nothing, even when the output lacks it.
    let m = iota((3, 4), 0.0);
    assert_eq!(einsum!(&m, "... i j -> i").unwrap(), m.sum_axis(Axis(1)));
    // Output groups may merge the ellipsis dimensions.
    let merged = einsum!(&a, "... i j -> (... i) j").unwrap();
    assert_eq!(merged, a.to_shape((6, 4)).unwrap());
}

#[test]
fn grouped_axes_in_operands_and_output() {
    let x = iota((2, 12), 0.0); // b (h d), h = 3
    let w = iota((12, 5), 1.0); // (h d) e
    let y = einsum!(&x, &w, "b (h d), (h d) e -> b h e", h = 3).unwrap();
    let x4 = x.to_shape((2, 3, 4)).unwrap();
    let w4 = w.to_shape((3, 4, 5)).unwrap();
    for h in 0..3 {
        let (xh, wh): (ArrayView2<f64>, ArrayView2<f64>) =
            (x4.slice(s![.., h, ..]), w4.slice(s![h, .., ..]));
        let expected = xh.dot(&wh);
        assert_eq!(y.slice(s![.., h, ..]), expected);
    }
    // `d` is known from another operand, so `h` needs no length; the output merges axes.
    let v = iota(4, 0.0);
    let merged = einsum!(&x, &v, "b (h d), d -> (b h)").unwrap();
    assert_eq!(merged.shape(), &[6]);
    let row: ArrayView1<f64> = x4.slice(s![1, 1, ..]);
    assert_eq!(merged[4], row.dot(&v));
    let wrong = dynamic::einsum_with_lengths(&[x.view()], "b (h d) -> b h", &[("h", 5)]);
    let err = wrong.unwrap_err();
    assert_eq!(err.kind(), "indivisible_axis");
    assert_eq!(
        err.to_string(),
        "einsum `b (h d) -> b h` on an operand of shape [2, 12] with h = 5: dimension 1 of \
         operand 0 of length 12 cannot be split into group `(h d)`: it is not a multiple of 5 \
         (the product of h)"
    );
    let err = einsum!(&x, &v, "b (h d), d -> b h", h = 2).unwrap_err();
    assert_eq!(err.kind(), "axis_length_mismatch");
}

#[test]
fn three_and_four_operands_are_contracted_pairwise() {
    let a = noise((6, 40), 0);
    let b = noise((40, 3), 1);
    let c = noise((3, 50), 2);
    let d = noise((50, 2), 3);
    let chain = einsum!(&a, &b, &c, &d, "i j, j k, k l, l m -> i m").unwrap();
    assert_close(&chain, &a.dot(&b).dot(&c).dot(&d));
    // The vectors' three-operand case: a private axis `g` summed first.
    let x = iota((2, 3, 2), 0.0);
    let y = iota((2, 3, 2), 1000.0);
    let z = iota((2, 2, 3), 2000.0);
    let got = einsum!(&x, &y, &z, "a b c, c b d, a g k -> a b k").unwrap();
    let mut expected = Array3::<f64>::zeros((2, 3, 3));
    for ((a_, b_, k_), out) in expected.indexed_iter_mut() {
        for c_ in 0..2 {
            for d_ in 0..2 {
                for g_ in 0..2 {
                    *out += x[[a_, b_, c_]] * y[[c_, b_, d_]] * z[[a_, g_, k_]];
                }
            }
        }
    }
    assert_eq!(got, expected);
    // Elementwise product of three.
    let p = einsum!(&x, &y, &x, "..., ..., ... -> ...").unwrap();
    assert_eq!(p, &x * &y * &x);
}

#[test]
fn integer_and_bool_elements() {
    let a = Array2::from_shape_fn((9, 8), |(i, j)| (i * 8 + j) as i64 - 30);
    let b = Array2::from_shape_fn((8, 10), |(i, j)| (i * 3 + j) as i64);
    assert_eq!(einsum!(&a, &b, "i j, j k -> i k").unwrap(), a.dot(&b));
    // Integer products wrap, as numpy's do.
    let big = Array1::from_elem(2, i32::MAX);
    assert_eq!(einsum!(&big, &big, "i, i ->").unwrap()[()], 2i32);
    let u = Array2::from_shape_fn((3, 3), |(i, j)| (i + j) as u8);
    assert_eq!(einsum!(&u, "i i ->").unwrap()[()], 6u8);
    // bool: and for products, or for sums.
    let p = ndarray::arr2(&[[true, false], [false, false]]);
    let q = ndarray::arr2(&[[false, false], [true, false]]);
    assert_eq!(
        einsum!(&p, &q, "i j, j k -> i k").unwrap(),
        ndarray::arr2(&[[false, false], [false, false]])
    );
    assert_eq!(
        einsum!(&q, &p, "i j, j k -> i k").unwrap(),
        ndarray::arr2(&[[false, false], [true, false]])
    );
}

#[test]
fn empty_axes() {
    let a = Array2::<f32>::zeros((3, 0));
    let b = Array2::<f32>::zeros((0, 4));
    // An empty contraction sums nothing: zeros.
    assert_eq!(
        einsum!(&a, &b, "i j, j k -> i k").unwrap(),
        Array2::<f32>::zeros((3, 4))
    );
    // An empty output.
    let e = einsum!(&b, &b, "j k, j l -> k l").unwrap();
    assert_eq!(e, Array2::<f32>::zeros((4, 4)));
    let none = einsum!(&a, &a, "i j, k j -> j").unwrap();
    assert_eq!(none.shape(), &[0]);
    let i = Array2::<i64>::zeros((0, 5));
    assert_eq!(
        einsum!(&i, &i, "a b, a c -> b c").unwrap(),
        Array2::<i64>::zeros((5, 5))
    );
}

#[test]
fn output_dimension_types() {
    let x4 = Array4::<f64>::zeros((2, 3, 4, 5));
    let xd = x4.clone().into_dyn();
    // Fixed-rank output whenever the pattern fixes it.
    let _: Array2<f64> = einsum!(&x4, "a b c d -> a b").unwrap();
    let _: Array2<f64> = einsum!(&xd, "a b c d -> a b").unwrap();
    // With an ellipsis the output keeps the ellipsis dimensions of fixed-rank operands.
    let _: Array3<f64> = einsum!(&x4, "a ... d -> ... a").unwrap();
    let _: Array4<f64> =
        einsum!(&x4, &Array2::<f64>::zeros((6, 5)), "... d, e d -> ... e").unwrap();
    let _: ArrayD<f64> = einsum!(&xd, "a ... d -> ... a").unwrap();
    // Owned operands by value, views, CowArray, ArcArray.
    let shared = x4.clone().into_shared();
    let cow = ndarray::CowArray::from(x4.view());
    let y = einsum!(
        x4.clone(),
        x4.view(),
        cow,
        shared,
        "a b c d, a b c d, a b c d, a b c d -> a"
    )
    .unwrap();
    assert_eq!(y, Array1::<f64>::zeros(2));
}

#[test]
fn run_time_errors_name_the_operand_and_axis() {
    let a = iota((2, 3), 0.0).into_dyn();
    let b = iota((4, 5), 0.0).into_dyn();
    let err = einsum!(&a, &b, "i j, j k -> i k").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Shape, "einsum_axis_length_mismatch")
    );
    assert!(matches!(
        einsum_error(&err),
        Error::AxisLength {
            operand: 1,
            dim: 0,
            actual: 4,
            expected: 3,
            ..
        }
    ));
    let err = einsum!(&a, "i j k -> i").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "einsum_wrong_ndim")
    );
    assert_eq!(
        err.to_string(),
        "einsum `i j k -> i` on an operand of shape [2, 3]: operand 0 has 2 dimensions, but \
         `i j k` describes 3"
    );
    let err = einsum!(&a, "... j -> j").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "einsum_ellipsis_not_in_output")
    );
    let square = iota((3, 4), 0.0);
    let err = einsum!(&square, "i i -> i").unwrap_err();
    assert_eq!(err.kind(), "einsum_axis_length_mismatch");
    let err = einsum!(
        &iota((2, 3), 0.0),
        &iota((4, 3), 0.0),
        "... j, ... j -> ..."
    )
    .unwrap_err();
    assert!(matches!(einsum_error(&err), Error::EllipsisLength { .. }));
    let err = einsum!(&iota((2, 12), 0.0), "b (h d) -> b h", h = -1).unwrap_err();
    assert_eq!(err.kind(), "invalid_length");
    let err = einsum!(&iota((2, 12), 0.0), "b (h d) -> b h", h = 0).unwrap_err();
    assert_eq!(err.kind(), "zero_axis_length");
    let mut out = Array2::<f64>::zeros((3, 3));
    let err = einsum_into!(&mut out, &square, "i j -> j i").unwrap_err();
    assert_eq!(err.kind(), "output_shape");
}

#[test]
fn pattern_errors_from_the_dynamic_api() {
    let a = iota((2, 3), 0.0);
    for (pattern, operands, kind) in [
        ("i j", 1, "einsum_no_arrow"),
        ("i j -> i j -> i", 1, "arrow_multiple"),
        ("i () -> i", 1, "einsum_unit_axis"),
        ("(a b) -> a b", 1, "einsum_composite_axis"),
        ("i 2 -> i", 1, "einsum_anonymous_axis"),
        ("ij -> i", 1, "einsum_unknown_output_axis"),
        ("i j, j k -> i k", 1, "einsum_operand_count"),
        ("i j -> i", 2, "einsum_operand_count"),
    ] {
        let views = vec![a.view(); operands];
        let err = dynamic::einsum(&views, pattern).unwrap_err();
        assert_eq!(
            (err.stage(), err.kind()),
            (Stage::Pattern, kind),
            "{pattern}"
        );
    }
    let err = dynamic::einsum(&[a.view()], "i j -> i k").unwrap_err();
    assert_eq!(
        err.to_string(),
        "einsum pattern `i j -> i k`: output axis `k` is in no operand (axis names are \
         separated by spaces)\n  i j -> i k\n           ^"
    );
}

#[test]
fn einsum_into_writes_any_strides() {
    let a = noise((20, 30), 0);
    let b = noise((30, 10), 1);
    let expected = a.dot(&b);
    // Into a transposed view: C's rows and columns swap strides.
    let mut target = Array2::<f32>::zeros((10, 20));
    einsum_into!(
        &mut target.view_mut().reversed_axes(),
        &a,
        &b,
        "i j, j k -> i k"
    )
    .unwrap();
    assert_close(&target.t().to_owned(), &expected);
    // Into every other column of a wider array, and into an IxDyn array.
    let mut wide = Array2::<f32>::from_elem((20, 20), 7.0);
    einsum_into!(&mut wide.slice_mut(s![.., ..;2]), &a, &b, "i j, j k -> i k").unwrap();
    assert_close(&wide.slice(s![.., ..;2]).to_owned(), &expected);
    assert!(wide.slice(s![.., 1..;2]).iter().all(|&v| v == 7.0));
    let mut dynamic_out = ArrayD::<f32>::zeros(IxDyn(&[20, 10]));
    einsum_into!(&mut dynamic_out, &a, &b, "i j, j k -> i k").unwrap();
    assert_close(
        &dynamic_out.into_dimensionality::<Ix2>().unwrap(),
        &expected,
    );
}

/// `einsum!` remembers the matrix product it planned per call site (per thread) and reuses it
/// only for a call with the same shapes and strides. One call site, in a generic function
/// (whose `static` plan all instantiations share), called with changing shapes, layouts and
/// element types, more distinct ways than the memo holds, and again.
#[test]
fn a_call_site_reuses_its_plan_only_for_identical_calls() {
    fn site<A: einops::Reducible>(a: ArrayView3<A>, b: ArrayView3<A>) -> Array3<A> {
        einsum!(a, b, "b i k, b k j -> b i j").unwrap()
    }
    fn into_site(out: &mut ndarray::ArrayViewMut3<f64>, a: ArrayView3<f64>, b: ArrayView3<f64>) {
        einsum_into!(out, a, b, "b i k, b k j -> b i j").unwrap()
    }
    let expected = |a: ArrayView3<f64>, b: ArrayView3<f64>| {
        let mut c = Array3::<f64>::zeros((a.dim().0, a.dim().1, b.dim().2));
        for (x, mut out) in c.outer_iter_mut().enumerate() {
            let (ax, bx): (ArrayView2<f64>, ArrayView2<f64>) =
                (a.index_axis(Axis(0), x), b.index_axis(Axis(0), x));
            out.assign(&ax.dot(&bx));
        }
        c
    };
    for round in 0..2 {
        for (batch, m, k, n) in [(2, 9, 10, 11), (1, 3, 4, 5), (3, 12, 2, 9), (2, 9, 10, 11)] {
            let a = iota((batch, m, k), round as f64);
            let b = iota((batch, k, n), 1.0);
            let b_t = b.view().permuted_axes([0, 2, 1]).to_owned();
            let b_t = b_t.view().permuted_axes([0, 2, 1]); // same values, other strides
            let a_rev = a.slice(s![.., ..;-1, ..]).to_owned();
            let a_rev = a_rev.slice(s![.., ..;-1, ..]); // same values, negative strides
            for (x, y) in [
                (a.view(), b.view()),
                (a.view(), b_t),
                (a_rev, b.view()),
                (a_rev, b_t),
            ] {
                let want = expected(x, y);
                assert_eq!(site(x, y), want);
                let (x32, y32) = (x.mapv(|v| v as f32), y.mapv(|v| v as f32));
                assert_eq!(site(x32.view(), y32.view()), want.mapv(|v| v as f32));
                let mut out = Array3::<f64>::zeros((batch, n, m));
                into_site(&mut out.view_mut().permuted_axes([0, 2, 1]), x, y);
                assert_eq!(out.view().permuted_axes([0, 2, 1]), want);
                let mut out = Array3::<f64>::zeros((batch, m, n));
                into_site(&mut out.view_mut(), x, y);
                assert_eq!(out, want);
            }
        }
    }
}

#[test]
fn arguments_are_evaluated_once_left_to_right() {
    let log = std::cell::RefCell::new(Vec::new());
    let a = iota((2, 12), 0.0);
    let note = |what: &'static str| log.borrow_mut().push(what);
    let mut out = Array2::<f64>::zeros((2, 3));
    einsum_into!(
        {
            note("out");
            &mut out
        },
        {
            note("a");
            &a
        },
        "b (h d) -> b h",
        h = {
            note("h");
            3u8
        }
    )
    .unwrap();
    assert_eq!(*log.borrow(), ["out", "a", "h"]);
    assert_eq!(out[[1, 2]], (20..24).sum::<i32>() as f64);
}

/// The expansion must not depend on what the caller has in scope.
#[allow(dead_code, non_camel_case_types, clippy::upper_case_acronyms)]
mod shadowed_prelude {
    struct Result;
    struct Option;
    struct Ok;
    struct Some;
    struct Vec;
    mod std {}
    mod core {}
    mod ndarray {}
    static PLAN: u8 = 0;

    #[test]
    fn einsum_ignores_the_callers_names() {
        let x = ::ndarray::Array2::<f32>::ones((2, 3));
        let y = ::einops::einsum!(&x, &x, "i j, k j -> i k").unwrap();
        assert_eq!(y, ::ndarray::Array2::from_elem((2, 2), 3.0));
        let _ = PLAN;
    }
}
