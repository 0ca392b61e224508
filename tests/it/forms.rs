//! Every input form the macros accept (API.md "Inputs accepted wherever an array goes"), the
//! output dimension types they give, when an owned input's buffer is reused, and element types
//! that are `Clone` but not `Copy`.

use einops::{rearrange, reduce, repeat};
use ndarray::{
    arr2, ArcArray, Array, Array0, Array1, Array2, Array3, Array4, ArrayD, ArrayView2,
    ArrayViewMut2, CowArray, Dimension, Ix2, IxDyn, ShapeBuilder,
};

/// `0, 1, 2, ...` in the given shape.
fn iota<Sh: ShapeBuilder<Dim = D>, D: Dimension>(shape: Sh) -> Array<i64, D> {
    let shape = shape.into_shape_with_order();
    let n = shape.size();
    Array::from_shape_vec(shape, (0..n as i64).collect()).unwrap()
}

/// The 2×3 input of the single-array tests and what each macro makes of it.
fn base() -> Array2<i64> {
    iota((2, 3))
}
fn transposed() -> Array2<i64> {
    arr2(&[[0, 3], [1, 4], [2, 5]])
}
fn row_sums() -> Array1<i64> {
    Array1::from(vec![3, 12])
}
fn repeated() -> Array3<i64> {
    Array3::from_shape_fn((2, 3, 2), |(a, b, _)| (3 * a + b) as i64)
}

/// Applies all three macros to one input form (an expression evaluated once per macro) and
/// checks values and fixed-rank output types.
macro_rules! check_form {
    ($make:expr) => {{
        let t: Array2<i64> = rearrange!($make, "a b -> b a").unwrap();
        assert_eq!(t, transposed());
        assert!(t.is_standard_layout());
        let s: Array1<i64> = reduce!($make, "a b -> a", sum).unwrap();
        assert_eq!(s, row_sums());
        let r: Array3<i64> = repeat!($make, "a b -> a b c", c = 2).unwrap();
        assert_eq!(r, repeated());
    }};
}

#[test]
fn array_by_value() {
    check_form!(base());
}

#[test]
fn array_by_reference() {
    let x = base();
    check_form!(&x);
    assert_eq!(x, base(), "the input is untouched");
}

#[test]
fn array_view() {
    let x = base();
    check_form!(x.view());
}

#[test]
fn reference_to_array_view() {
    let x = base();
    let v: ArrayView2<i64> = x.view();
    check_form!(&v);
}

#[test]
fn array_view_mut() {
    let mut x = base();
    {
        let t: Array2<i64> = rearrange!(x.view_mut(), "a b -> b a").unwrap();
        assert_eq!(t, transposed());
    }
    let m: ArrayViewMut2<i64> = x.view_mut();
    let s: Array1<i64> = reduce!(m, "a b -> a", sum).unwrap();
    assert_eq!(s, row_sums());
    let r: Array3<i64> = repeat!(x.view_mut(), "a b -> a b c", c = 2).unwrap();
    assert_eq!(r, repeated());
    // The mutable borrow ended with the call.
    x[[0, 0]] = 7;
    assert_eq!(x[[0, 0]], 7);
}

#[test]
fn cow_array_borrowed_and_owned() {
    let x = base();
    check_form!(CowArray::from(x.view()));
    check_form!(CowArray::<i64, Ix2>::from(base()));
}

#[test]
fn arc_array_unique_and_shared() {
    check_form!(base().into_shared());
    let shared: ArcArray<i64, Ix2> = base().into_shared();
    let other = shared.clone();
    check_form!(shared.clone());
    check_form!(&shared);
    assert_eq!(other, base());
}

#[test]
fn array_literal_list() {
    let (a, b, c) = (iota((2, 2)), iota((2, 2)) + 10, iota((2, 2)) + 20);
    let y: Array2<i64> = rearrange!([a.clone(), b.clone(), c.clone()], "f b c -> b (f c)").unwrap();
    assert_eq!(y, arr2(&[[0, 1, 10, 11, 20, 21], [2, 3, 12, 13, 22, 23]]));
    let y2: Array2<i64> = rearrange!([&a, &b, &c], "f b c -> b (f c)").unwrap();
    assert_eq!(y2, y);
    let y3: Array2<i64> = rearrange!([a.view(), b.view(), c.view()], "f b c -> b (f c)").unwrap();
    assert_eq!(y3, y);
    let s: Array2<i64> = reduce!([&a, &b, &c], "f b c -> b c", sum).unwrap();
    assert_eq!(s, arr2(&[[30, 33], [36, 39]]));
    let r: Array4<i64> = repeat!([a, b, c], "f b c -> f b c r", r = 2).unwrap();
    assert_eq!(r.shape(), &[3, 2, 2, 2]);
    assert_eq!(r[[2, 1, 0, 1]], 22);
}

#[test]
fn vec_and_slices_of_arrays_and_views() {
    let parts: Vec<Array2<i64>> = (0..3).map(|k| iota((2, 2)) + 10 * k).collect();
    let expected = arr2(&[[0, 1, 10, 11, 20, 21], [2, 3, 12, 13, 22, 23]]);

    let y: Array2<i64> = rearrange!(&parts[..], "f b c -> b (f c)").unwrap();
    assert_eq!(y, expected);
    let y: Array2<i64> = rearrange!(&parts, "f b c -> b (f c)").unwrap();
    assert_eq!(y, expected);
    let s: Array2<i64> = reduce!(&parts[..], "f b c -> b c", max).unwrap();
    assert_eq!(s, arr2(&[[20, 21], [22, 23]]));
    let r: Array4<i64> = repeat!(&parts[..], "f b c -> b f c r", r = 2).unwrap();
    assert_eq!(r.shape(), &[2, 3, 2, 2]);
    assert_eq!(r[[1, 2, 0, 1]], 22);

    let views: Vec<ArrayView2<i64>> = parts.iter().map(|p| p.view()).collect();
    let y: Array2<i64> = rearrange!(&views[..], "f b c -> b (f c)").unwrap();
    assert_eq!(y, expected);
    let s: Array2<i64> = reduce!(&views[..], "f b c -> b c", min).unwrap();
    assert_eq!(s, iota((2, 2)));
    let y: Array2<i64> = rearrange!(views, "f b c -> b (f c)").unwrap();
    assert_eq!(y, expected);

    let y: Array2<i64> = rearrange!(parts.clone(), "f b c -> b (f c)").unwrap();
    assert_eq!(y, expected);
    let r: Array4<i64> = repeat!(parts, "f b c -> b f c r", r = 2).unwrap();
    assert_eq!(r[[1, 2, 0, 1]], 22);
}

#[test]
fn empty_list_is_a_runtime_error() {
    let parts: Vec<Array2<f32>> = Vec::new();
    let err = rearrange!(&parts[..], "f b c -> b (f c)").unwrap_err();
    assert_eq!(err.stage(), einops::Stage::Shape);
}

#[test]
fn list_elements_of_different_shapes_are_a_runtime_error() {
    let parts = [iota((2, 2)), iota((2, 3))];
    let err = rearrange!(&parts[..], "f b c -> b (f c)").unwrap_err();
    assert_eq!(err.stage(), einops::Stage::Shape);
    assert_eq!(err.kind(), "list_shapes_differ");
}

/// Output dimension types: fixed when the rank is known at compile time.
#[test]
fn output_dimension_types() {
    let x4 = iota((2, 3, 4, 5));
    let flat: Array2<i64> = rearrange!(&x4, "b ... -> b (...)").unwrap();
    assert_eq!(flat.shape(), &[2, 60]);
    let chw: Array3<i64> = rearrange!(iota((2, 3, 4)), "... c -> c ...").unwrap();
    assert_eq!(chw.shape(), &[4, 2, 3]);
    assert_eq!(chw[[3, 1, 2]], 23);
    let same: Array4<i64> = rearrange!(&x4, "... -> ...").unwrap();
    assert_eq!(same, x4);
    let pooled: Array1<i64> = reduce!(&x4, "b ... -> b", max).unwrap();
    assert_eq!(pooled.to_vec(), [59, 119]);
    let keep: Array4<i64> = reduce!(&x4, "b c ... -> b c 1 1", sum).unwrap();
    assert_eq!(keep.shape(), &[2, 3, 1, 1]);
    let scalar: Array0<i64> = reduce!(&x4, "... ->", max).unwrap();
    assert_eq!(scalar.into_scalar(), 119);
    let extra: Array3<i64> = repeat!(iota((2, 3)), "... -> ... r", r = 2).unwrap();
    assert_eq!(extra.shape(), &[2, 3, 2]);
    let six = rearrange!(&x4, "b c h w -> b c h w () ()").unwrap();
    let _: &ndarray::Array6<i64> = &six;
    let seven = rearrange!(&x4, "b c h w -> b c h w () () ()").unwrap();
    let _: &ArrayD<i64> = &seven;
    assert_eq!(seven.shape(), &[2, 3, 4, 5, 1, 1, 1]);

    // IxDyn inputs: fixed output when the pattern has no ellipsis, IxDyn otherwise.
    let xd: ArrayD<i64> = iota(IxDyn(&[2, 3, 4]));
    let fixed: Array2<i64> = rearrange!(&xd, "a b c -> a (b c)").unwrap();
    assert_eq!(fixed.shape(), &[2, 12]);
    // The ellipsis only inside a group: the output rank is known even for an IxDyn input.
    let grouped: Array2<i64> = rearrange!(&xd, "a ... -> a (...)").unwrap();
    assert_eq!(grouped.shape(), &[2, 12]);
    let dynamic: ArrayD<i64> = rearrange!(&xd, "... c -> c ...").unwrap();
    assert_eq!(dynamic.shape(), &[4, 2, 3]);
    let reduced: Array1<i64> = reduce!(&xd, "a ... -> a", sum).unwrap();
    assert_eq!(reduced.to_vec(), [(0..12).sum::<i64>(), (12..24).sum()]);
    // The rank of an IxDyn input is checked when the code runs.
    let err = rearrange!(&xd, "a b c d -> a (b c d)").unwrap_err();
    assert_eq!(err.stage(), einops::Stage::Rank);
    let err = rearrange!(&xd, "a b c d ... -> a (b c d) ...").unwrap_err();
    assert_eq!(err.stage(), einops::Stage::Rank);
}

/// An owned standard-layout array by value keeps its buffer when no element moves.
#[test]
fn owned_input_buffer_is_reused_without_data_movement() {
    let x = iota((2, 3, 4, 5));
    let ptr = x.as_ptr();
    let y: Array2<i64> = rearrange!(x, "b c h w -> b (c h w)").unwrap();
    assert_eq!(y.as_ptr(), ptr);
    assert_eq!(y, iota((2, 60)));

    let x = iota((2, 3));
    let ptr = x.as_ptr();
    let y: Array3<i64> = rearrange!(x, "a b -> a 1 b").unwrap();
    assert_eq!(y.as_ptr(), ptr);
    assert_eq!(y, iota((2, 1, 3)));

    let x = iota((6, 4));
    let ptr = x.as_ptr();
    let y: Array3<i64> = rearrange!(x, "(a b) c -> a b c", a = 2).unwrap();
    assert_eq!(y.as_ptr(), ptr);
    assert_eq!(y, iota((2, 3, 4)));

    let x = iota(IxDyn(&[2, 12, 1]));
    let ptr = x.as_ptr();
    let y: ArrayD<i64> = rearrange!(x, "a (b c) ... -> a b c ...", b = 3).unwrap();
    assert_eq!(y.as_ptr(), ptr);
    assert_eq!(y, iota(IxDyn(&[2, 3, 4, 1])));
}

/// The other owned forms by value: a uniquely held `ArcArray` and an owned `CowArray` keep
/// their buffer too; a shared `ArcArray` is copied and the other holder is unaffected.
#[test]
fn owned_arc_and_cow_inputs_reuse_their_buffer() {
    let a: ArcArray<i64, Ix2> = iota((2, 6)).into_shared();
    let ptr = a.as_ptr();
    let y: Array3<i64> = rearrange!(a, "b (h w) -> b h w", h = 2).unwrap();
    assert_eq!(y.as_ptr(), ptr);
    assert_eq!(y, iota((2, 2, 3)));

    let c: CowArray<i64, Ix2> = iota((2, 6)).into();
    let ptr = c.as_ptr();
    let y: Array3<i64> = rearrange!(c, "b (h w) -> b h w", h = 2).unwrap();
    assert_eq!(y.as_ptr(), ptr);

    let shared: ArcArray<i64, Ix2> = iota((2, 6)).into_shared();
    let other = shared.clone();
    let y: Array3<i64> = rearrange!(shared, "b (h w) -> b h w", h = 2).unwrap();
    assert_ne!(y.as_ptr(), other.as_ptr());
    assert_eq!(y, iota((2, 2, 3)));
    assert_eq!(other, iota((2, 6)));
}

/// A transpose, a view input or a non-standard-layout owned input give a new standard-layout
/// array with the right values.
#[test]
fn data_movement_or_borrowed_input_gives_a_new_array() {
    let x = iota((2, 3, 4));
    let ptr = x.as_ptr();
    let y: Array3<i64> = rearrange!(x, "a b c -> c a b").unwrap();
    assert_ne!(y.as_ptr(), ptr);
    assert!(y.is_standard_layout());
    assert_eq!(y[[3, 1, 2]], 12 + 2 * 4 + 3);

    let x = iota((2, 3, 4));
    let y: Array2<i64> = rearrange!(x.view(), "a b c -> a (b c)").unwrap();
    assert_ne!(y.as_ptr(), x.as_ptr());
    assert!(y.is_standard_layout());
    assert_eq!(y, iota((2, 12)));

    let y: Array2<i64> = rearrange!(&x, "a b c -> a (b c)").unwrap();
    assert_ne!(y.as_ptr(), x.as_ptr());
    assert_eq!(y, iota((2, 12)));

    // Owned but column-major (a transposed buffer): the values follow the logical order.
    let f = iota((3, 2)).reversed_axes();
    assert!(!f.is_standard_layout());
    let ptr = f.as_ptr();
    let y: Array1<i64> = rearrange!(f, "a b -> (a b)").unwrap();
    assert_ne!(y.as_ptr(), ptr);
    assert_eq!(y.to_vec(), [0, 2, 4, 1, 3, 5]);

    let f = Array::from_shape_vec((2, 3).f(), (0..6).collect::<Vec<i64>>()).unwrap();
    let y: Array3<i64> = rearrange!(f, "a (b c) -> a b c", c = 1).unwrap();
    assert!(y.is_standard_layout());
    assert_eq!(y.into_raw_vec_and_offset().0, [0, 2, 4, 1, 3, 5]);

    // A sliced (strided) owned array.
    let mut s = iota((4, 3));
    s.slice_collapse(ndarray::s![..;2, ..]);
    let y: Array1<i64> = rearrange!(s, "a b -> (a b)").unwrap();
    assert_eq!(y.to_vec(), [0, 1, 2, 6, 7, 8]);

    // repeat! always writes a new array, even when it adds only unit axes.
    let x = iota((2, 3));
    let ptr = x.as_ptr();
    let y: Array3<i64> = repeat!(x, "a b -> a b c", c = 2).unwrap();
    assert_ne!(y.as_ptr(), ptr);
    assert!(y.is_standard_layout());
}

/// Elements that are `Clone` but not `Copy` go through rearrange and repeat.
#[test]
fn clone_only_elements() {
    let words = Array2::from_shape_fn((2, 3), |(i, j)| format!("w{i}{j}"));
    let t: Array2<String> = rearrange!(&words, "a b -> b a").unwrap();
    assert_eq!(t[[2, 1]], "w12");
    let flat: Array1<String> = rearrange!(words.clone(), "a b -> (a b)").unwrap();
    assert_eq!(flat[4], "w11");
    let r: Array3<String> = repeat!(words.view(), "a b -> a (r b) c", r = 2, c = 2).unwrap();
    assert_eq!(r.shape(), &[2, 6, 2]);
    assert_eq!(r[[1, 4, 1]], "w11");
    let stacked: Array2<String> = rearrange!([words.row(0), words.row(1)], "f c -> c f").unwrap();
    assert_eq!(stacked[[2, 1]], "w12");
    let boxed = Array1::from(vec![Box::new(1u8), Box::new(2u8)]);
    let r: Array2<Box<u8>> = repeat!(boxed, "a -> r a", r = 3).unwrap();
    assert_eq!(*r[[2, 1]], 2);
}

/// `mean` of integers compiles when nothing is reduced (a pure rearrangement, as in einops);
/// `any`/`all` work on `bool`.
#[test]
fn element_type_rules() {
    let x = iota((2, 3));
    let y: Array2<i64> = reduce!(&x, "a b -> b a", mean).unwrap();
    assert_eq!(y, transposed());
    let mask = x.mapv(|v| v % 2 == 0);
    let any: Array1<bool> = reduce!(&mask, "a b -> a", any).unwrap();
    let all: Array1<bool> = reduce!(&mask, "a b -> b", all).unwrap();
    assert_eq!(any.to_vec(), [true, true]);
    assert_eq!(all.to_vec(), [false, false, false]);
    let m: Array1<f32> = reduce!(x.mapv(|v| v as f32), "a b -> a", mean).unwrap();
    assert_eq!(m.to_vec(), [1.0, 4.0]);
}
