//! Eight threads hammering shared inputs through every operation give exactly the results of
//! one thread: no shared state leaks between calls (einsum's per-thread memo included), and
//! rayon's pool, used for the large input from several threads at once, changes nothing.

use einops::{
    dynamic, einsum, einsum_into, pack, parse_shape, rearrange, rearrange_into, reduce,
    reduce_into, repeat, repeat_into, unpack,
};
use ndarray::{s, Array2, Array3, ArrayD, ArrayView3, IxDyn};

const THREADS: usize = 8;
const ROUNDS: usize = 4;

/// Deterministic, non-trivial values (small integers, so every sum is exact in f32).
fn values(shape: &[usize], salt: usize) -> ArrayD<f32> {
    let mut k = salt;
    ArrayD::from_shape_fn(IxDyn(shape), |_| {
        k = (k * 7 + 3) % 17;
        k as f32 - 8.0
    })
}

struct Inputs {
    small: Array3<f32>,
    /// 2 MiB: past the size at which copies and reductions split across rayon's threads.
    large: Array3<f32>,
    matrix: Array2<f32>,
}

/// Everything one round computes, as arrays.
fn round(inputs: &Inputs, round: usize) -> Vec<ArrayD<f32>> {
    let Inputs {
        small,
        large,
        matrix,
    } = inputs;
    // Alternate views so that einsum's memo sees new keys as well as repeated ones.
    let view: ArrayView3<f32> = if round.is_multiple_of(2) {
        small.view()
    } else {
        small.slice(s![.., ..;-1, ..])
    };
    let mut out = Vec::new();
    out.push(rearrange!(view, "a b c -> c (a b)").unwrap().into_dyn());
    out.push(rearrange!(large, "a b c -> b a c").unwrap().into_dyn());
    out.push(reduce!(view, "a b c -> a", sum).unwrap().into_dyn());
    out.push(reduce!(large, "a b c -> a c", max).unwrap().into_dyn());
    out.push(reduce!(large, "a (b 2) c -> b", mean).unwrap().into_dyn());
    out.push(repeat!(view, "a b c -> a b c r", r = 3).unwrap().into_dyn());

    let mut into = Array3::<f32>::zeros((5, 6, 4));
    rearrange_into!(&mut into, view, "a b c -> c b a").unwrap();
    out.push(into.into_dyn());
    let mut into = Array2::<f32>::zeros((5, 6));
    reduce_into!(&mut into, view, "a b c -> c b", min).unwrap();
    out.push(into.into_dyn());
    let mut into = Array2::<f32>::zeros((4, 12));
    repeat_into!(
        &mut into,
        view.slice(s![.., .., 0]),
        "a b -> a (b r)",
        r = 2
    )
    .unwrap();
    out.push(into.into_dyn());

    out.push(
        einsum!(view, matrix, "a b c, c d -> a d b")
            .unwrap()
            .into_dyn(),
    );
    out.push(einsum!(large, "a b c -> c").unwrap().into_dyn());
    let mut into = Array2::<f32>::zeros((4, 6));
    einsum_into!(&mut into, view, view, "a b c, a b c -> a b").unwrap();
    out.push(into.into_dyn());
    out.push(
        dynamic::einsum(
            &[view.into_dyn(), matrix.view().into_dyn()],
            "a b c, c d -> d",
        )
        .unwrap(),
    );

    let (packed, shapes) = pack!([view, view.slice(s![.., 1.., ..])], "a * c").unwrap();
    let parts: Vec<Array3<f32>> = unpack!(&packed, &shapes, "a * c").unwrap();
    out.push(packed.into_dyn());
    out.extend(parts.into_iter().map(|part| part.into_dyn()));
    let (packed, _) = dynamic::pack(&[large.view(), large.view()], "* b c").unwrap();
    out.push(packed);

    let lengths = parse_shape!(view, "a _ c").unwrap();
    let dynamic = dynamic::parse_shape(large, "a b c").unwrap();
    let numbers = [
        lengths.a,
        lengths.c,
        dynamic[0].1,
        dynamic[1].1,
        dynamic[2].1,
    ];
    out.push(ArrayD::from_shape_vec(IxDyn(&[5]), numbers.map(|n| n as f32).to_vec()).unwrap());
    out.push(dynamic::rearrange(large, "a b c -> (c a) b", &[]).unwrap());
    out.push(dynamic::reduce(&view, "a b c -> b", "prod", &[]).unwrap());
    out
}

#[test]
fn eight_threads_agree_with_one() {
    let inputs = Inputs {
        small: values(&[4, 6, 5], 1).into_dimensionality().unwrap(),
        large: values(&[32, 128, 128], 2).into_dimensionality().unwrap(),
        matrix: values(&[5, 3], 3).into_dimensionality().unwrap(),
    };
    let expected: Vec<Vec<ArrayD<f32>>> = (0..ROUNDS).map(|r| round(&inputs, r)).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let inputs = &inputs;
                // Each thread starts at another round, so different calls overlap.
                scope.spawn(move || {
                    (0..ROUNDS)
                        .map(|k| {
                            let r = (k + thread) % ROUNDS;
                            (r, round(inputs, r))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (thread, worker) in workers.into_iter().enumerate() {
            for (r, results) in worker.join().unwrap() {
                assert_eq!(results.len(), expected[r].len());
                for (k, (got, want)) in results.iter().zip(&expected[r]).enumerate() {
                    assert_eq!(got, want, "thread {thread}, round {r}, result {k}");
                }
            }
        }
    });
}
