//! A macro call site remembers the walk it solved for each input layout (per thread) and
//! reuses it only for a call with the same shapes, strides, lengths and output layout.
//!
//! Each test calls one call site in many ways, more than a memo set holds and then again,
//! interleaving failing calls, and compares every result with a reference computed here
//! from ndarray views (never with another call of the library).

use einops::{rearrange, rearrange_into, reduce, reduce_into, repeat, Stage};
use ndarray::{s, Array, Array2, Array3, Array4, ArrayView3, ArrayViewMut2, Axis};

fn iota3(shape: (usize, usize, usize), start: i64) -> Array3<i64> {
    let len = shape.0 * shape.1 * shape.2;
    Array::from_shape_vec(shape, (start..start + len as i64).collect()).unwrap()
}

/// The same values as `x` in other memory orders: transposed storage, reversed axes
/// (negative strides) and every other element of a larger array.
fn layouts(x: &Array3<i64>) -> Vec<Array3<i64>> {
    let transposed = x.view().reversed_axes().to_owned();
    let transposed = transposed.reversed_axes();
    let reversed = x.slice(s![.., ..;-1, ..;-1]).to_owned();
    let reversed = reversed.slice_move(s![.., ..;-1, ..;-1]);
    let (a, b, c) = x.dim();
    let mut wide = Array3::<i64>::zeros((a, b, 2 * c));
    wide.slice_mut(s![.., .., ..;2]).assign(x);
    let strided = wide.slice_move(s![.., .., ..;2]);
    vec![x.clone(), transposed, reversed, strided]
}

/// `b t (h d) -> b h t d` by hand.
fn split_heads<A: Clone>(x: ArrayView3<A>, h: usize) -> Array4<A> {
    let (b, t, hd) = x.dim();
    let x = x.as_standard_layout();
    let split = x.view().into_shape_with_order((b, t, h, hd / h)).unwrap();
    split.permuted_axes([0, 2, 1, 3]).to_owned()
}

#[test]
fn a_rearrange_site_reuses_its_walk_only_for_identical_calls() {
    // A generic function: every element type shares the site's `static` recipe.
    fn site<A: Clone>(x: ArrayView3<A>, h: usize) -> Result<Array4<A>, einops::Error> {
        rearrange!(x, "b t (h d) -> b h t d", h = h)
    }
    for round in 0..2 {
        for (shape, h) in [
            ((2, 3, 8), 2),
            ((2, 3, 8), 4),
            ((1, 5, 6), 3),
            ((2, 3, 8), 2),
        ] {
            let x = iota3(shape, round);
            for layout in layouts(&x) {
                assert_eq!(
                    site(layout.view(), h).unwrap(),
                    split_heads(layout.view(), h)
                );
                let floats = layout.mapv(|v| v as f32);
                assert_eq!(
                    site(floats.view(), h).unwrap(),
                    split_heads(floats.view(), h)
                );
                // Drop glue: the elements are cloned in output order.
                let strings = layout.mapv(|v| v.to_string());
                assert_eq!(
                    site(strings.view(), h).unwrap(),
                    split_heads(strings.view(), h)
                );
            }
            // A failing call at the same site fails every time, also after successes.
            for bad in [5, 0] {
                let err = site(x.view(), bad).unwrap_err();
                assert_eq!(err.stage(), Stage::Shape, "h = {bad}: {err}");
            }
        }
    }
}

#[test]
fn an_owned_input_keeps_its_buffer_only_when_owned() {
    fn flatten(x: Array3<f32>) -> Array2<f32> {
        rearrange!(x, "a b c -> a (b c)").unwrap()
    }
    fn flatten_view(x: ArrayView3<f32>) -> Array2<f32> {
        rearrange!(x, "a b c -> a (b c)").unwrap()
    }
    for _ in 0..3 {
        let x = iota3((2, 3, 4), 0).mapv(|v| v as f32);
        let expected = x.clone().into_shape_with_order((2, 12)).unwrap();
        assert_eq!(flatten_view(x.view()), expected);
        let pointer = x.as_ptr();
        let y = flatten(x);
        assert_eq!((y.as_ptr(), &y), (pointer, &expected));
        // Same shape, other strides: the elements move.
        let t = expected.clone().into_shape_with_order((2, 3, 4)).unwrap();
        let t = t.view().reversed_axes().to_owned().reversed_axes();
        assert_eq!(flatten(t), expected);
    }
}

#[test]
fn a_reduce_site_reuses_its_walk_only_for_identical_calls() {
    fn sum_site(x: ArrayView3<i64>) -> Result<Array2<i64>, einops::Error> {
        reduce!(x, "a b c -> a c", sum)
    }
    fn max_site(x: ArrayView3<i64>) -> Result<Array2<i64>, einops::Error> {
        reduce!(x, "a b c -> a c", max)
    }
    let fold = |x: &Array3<i64>, f: fn(i64, i64) -> i64| {
        x.map_axis(Axis(1), |lane| lane.iter().copied().reduce(f).unwrap_or(0))
    };
    for round in 0..2 {
        for shape in [
            (2, 3, 4),
            (3, 2, 4),
            (2, 1, 4),
            (1, 7, 1),
            (2, 0, 3),
            (2, 3, 4),
        ] {
            let x = iota3(shape, round);
            for layout in layouts(&x) {
                assert_eq!(
                    sum_site(layout.view()).unwrap(),
                    fold(&layout, |a, b| a + b)
                );
                match max_site(layout.view()) {
                    Ok(max) => assert_eq!(max, fold(&layout, i64::max)),
                    // An empty max is an error, however often the site has succeeded.
                    Err(err) => assert_eq!((shape.1, err.stage()), (0, Stage::Shape)),
                }
            }
        }
    }
}

#[test]
fn an_into_site_follows_its_output_layout() {
    fn site(
        out: &mut ArrayViewMut2<f32>,
        x: ArrayView3<f32>,
        r: usize,
    ) -> Result<(), einops::Error> {
        rearrange_into!(out, x, "a b c -> (a b) c", a = r)
    }
    fn mean_site(out: &mut ArrayViewMut2<f32>, x: ArrayView3<f32>) -> Result<(), einops::Error> {
        reduce_into!(out, x, "a b c -> (a b) c", mean)
    }
    for round in 0..2 {
        let x = iota3((2, 3, 4), round).mapv(|v| v as f32);
        let expected = x.clone().into_shape_with_order((6, 4)).unwrap();
        for transposed in [false, true, false] {
            let mut backing = Array2::<f32>::zeros(if transposed { (4, 6) } else { (6, 4) });
            let mut out = backing.view_mut();
            if transposed {
                out = out.reversed_axes();
            }
            site(&mut out, x.view(), 2).unwrap();
            assert_eq!(out, expected);
            mean_site(&mut out, x.view()).unwrap();
            assert_eq!(out, expected);
            // The same output with a length that contradicts the input fails.
            assert_eq!(
                site(&mut out, x.view(), 3).unwrap_err().stage(),
                Stage::Shape
            );
            // An output of the wrong shape fails, whatever the site remembered.
            let mut wrong = Array2::<f32>::zeros((4, 6));
            let err = site(&mut wrong.view_mut(), x.view(), 2).unwrap_err();
            assert_eq!(err.stage(), Stage::Shape);
        }
    }
}

#[test]
fn repeat_lengths_are_part_of_what_is_remembered() {
    fn site(x: &Array2<u8>, r: usize) -> Array3<u8> {
        repeat!(x, "h w -> h r w", r = r).unwrap()
    }
    let x = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as u8);
    for r in [2, 3, 0, 1, 2, 5, 3] {
        let expected = x.view().insert_axis(Axis(1));
        let expected = expected.broadcast((3, r, 4)).unwrap();
        assert_eq!(site(&x, r), expected);
    }
}

#[test]
fn every_thread_has_its_own_memo() {
    fn site(x: ArrayView3<i64>) -> Array3<i64> {
        rearrange!(x, "a b c -> c a b").unwrap()
    }
    std::thread::scope(|scope| {
        for thread in 0..4usize {
            scope.spawn(move || {
                for k in 0..50 {
                    let shape = (1 + (thread + k) % 3, 2 + k % 2, 1 + thread);
                    let x = iota3(shape, k as i64);
                    for layout in layouts(&x) {
                        let expected = layout.view().permuted_axes([2, 0, 1]).to_owned();
                        assert_eq!(site(layout.view()), expected);
                        assert_eq!(site(layout.view()).raw_dim(), expected.raw_dim());
                    }
                }
            });
        }
    });
    // And on this thread, after the others remembered theirs.
    let x = iota3((2, 2, 2), 1);
    assert_eq!(site(x.view()), x.view().permuted_axes([2, 0, 1]).to_owned());
    assert_eq!(site(x.view()).ndim(), 3);
}
