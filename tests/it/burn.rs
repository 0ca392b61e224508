//! The burn backend (feature `burn`, run on burn's `flex` CPU backend): every
//! rearrange/reduce/repeat/einsum/pack/unpack/parse_shape case of `tests/data/public.jsonl`
//! through `einops::dynamic::burn` (and `dynamic::parse_shape` on a tensor), judged by the
//! same harness as the ndarray API; then the macros on tensors, gradients through burn's
//! autodiff, and the layers as burn `Module`s.
//!
//! A burn tensor's rank is a const generic, so each case is dispatched to the
//! `Tensor<D, K>` of its input's rank and asks for the `Tensor<O, K>` of its expected
//! output's rank. burn has no tensors of rank 0: the cases with a rank-0 input are
//! skipped (and counted), and a rank-0 result is a `Tensor<1, K>` of shape `[1]`.
//! Results are read back to the host only to compare them.
#![cfg(feature = "burn")]

use burn::tensor::{DType, Device, Element, Float, Int, Tensor, TensorData};
use einops::burn::{AnyRank, TensorKind};
use einops::dynamic::burn as dynamic;
use ndarray::{ArrayD, Axis, IxDyn};

use crate::common;
use crate::common::shapes::{evaluate_pack, evaluate_parse_shape, evaluate_unpack, packed_shapes};
use crate::common::{evaluate, lengths, Case, Elem, OutRank, Verdict};

/// The vectors' element types as burn tensors: the kind and the dtype that hold them.
trait BurnElem: Elem + Element {
    type Kind: TensorKind;
    const BURN: DType;
}

impl BurnElem for f32 {
    type Kind = Float;
    const BURN: DType = DType::F32;
}

impl BurnElem for f64 {
    type Kind = Float;
    const BURN: DType = DType::F64;
}

impl BurnElem for i64 {
    type Kind = Int;
    const BURN: DType = DType::I64;
}

fn device() -> Device {
    Device::default()
}

/// Runs `$body` with the const `$n` set to `$rank` (1 to 12, burn's ranks the vectors use).
macro_rules! ranked {
    ($rank:expr, $n:ident => $body:expr) => {
        match $rank {
            1 => {
                const $n: usize = 1;
                $body
            }
            2 => {
                const $n: usize = 2;
                $body
            }
            3 => {
                const $n: usize = 3;
                $body
            }
            4 => {
                const $n: usize = 4;
                $body
            }
            5 => {
                const $n: usize = 5;
                $body
            }
            6 => {
                const $n: usize = 6;
                $body
            }
            7 => {
                const $n: usize = 7;
                $body
            }
            8 => {
                const $n: usize = 8;
                $body
            }
            9 => {
                const $n: usize = 9;
                $body
            }
            10 => {
                const $n: usize = 10;
                $body
            }
            11 => {
                const $n: usize = 11;
                $body
            }
            12 => {
                const $n: usize = 12;
                $body
            }
            rank => panic!("no burn tensor of rank {rank} in these tests"),
        }
    };
}

/// `array` as a burn tensor of rank `D` and dtype `A::BURN`.
fn tensor<A: BurnElem, const D: usize>(array: &ArrayD<A>) -> Tensor<D, A::Kind> {
    let data = TensorData::new(array.iter().cloned().collect(), array.shape().to_vec());
    Tensor::from_data(data, (&device(), A::BURN))
}

/// A tensor of any rank as an array of logical rank `rank` (a burn `Tensor<1>` of shape
/// `[1]` stands for rank 0).
fn host<A: BurnElem, const D: usize>(tensor: Tensor<D, A::Kind>, rank: usize) -> ArrayD<A> {
    let data = tensor.into_data();
    let shape = match rank {
        0 => Vec::new(),
        _ => data.shape().as_slice().to_vec(),
    };
    let values = data.try_into_vec_as::<A>().expect("readable values");
    ArrayD::from_shape_vec(IxDyn(&shape), values).expect("as many values as the shape")
}

fn host_any<A: BurnElem>(tensor: AnyRank<A::Kind>) -> ArrayD<A> {
    let rank = tensor.dims().len();
    ranked!(rank.max(1), N => host::<A, N>(tensor.into_tensor::<N>().expect("its own rank"), rank))
}

/// The rank of the case's expected result (1 when it is an error or rank 0).
fn output_rank(case: &Case) -> usize {
    let rank = match case.op.as_str() {
        "unpack" => case
            .expected_outputs()
            .ok()
            .flatten()
            .and_then(|outputs| outputs.first().map(|o| o.shape.len())),
        _ => case.expected_array().ok().flatten().map(|a| a.shape.len()),
    };
    rank.unwrap_or(1)
}

/// Runs one case through `einops::dynamic::burn` with element type `A`; `None` for a
/// case burn cannot express (a rank-0 input).
fn run_case<A: BurnElem>(case: &Case) -> Option<Verdict> {
    let lengths = match lengths(case) {
        Ok(l) => l,
        Err(msg) => return Some(Verdict::Fail(format!("cannot express the case: {msg}"))),
    };
    let mut arrays = common::inputs_dyn::<A>(case);
    if case.list_input {
        // One tensor per call: a list is stacked first (the vectors' lists all have
        // elements of one shape).
        let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
        match ndarray::stack(Axis(0), &views) {
            Ok(stacked) => arrays = vec![stacked],
            Err(e) => return Some(Verdict::Fail(format!("cannot stack the list: {e}"))),
        }
    }
    if arrays.iter().any(|a| a.ndim() == 0) {
        return None;
    }
    let rank = output_rank(case);
    let pattern = case.pattern.as_str();
    let anys = || -> Vec<AnyRank<A::Kind>> {
        let any = |a: &ArrayD<A>| ranked!(a.ndim(), D => AnyRank::from(tensor::<A, D>(a)));
        arrays.iter().map(any).collect()
    };
    Some(match case.op.as_str() {
        "rearrange" | "repeat" | "reduce" => ranked!(arrays[0].ndim(), D => {
            let x = tensor::<A, D>(&arrays[0]);
            ranked!(rank.max(1), O => {
                let got = call::<D, O, A::Kind>(case, &x, &lengths);
                evaluate(case, &got.map(|t| host::<A, O>(t, rank)), OutRank::Dynamic)
            })
        }),
        "einsum" => ranked!(rank.max(1), O => {
            let got = dynamic::einsum::<O, A::Kind>(&anys(), pattern, &lengths);
            evaluate(case, &got.map(|t| host::<A, O>(t, rank)), OutRank::Dynamic)
        }),
        "pack" => ranked!(rank.max(1), O => {
            let got = dynamic::pack::<O, A::Kind>(&anys(), pattern);
            let got = got.map(|(t, shapes)| (host::<A, O>(t, rank), shapes));
            evaluate_pack(case, &got, OutRank::Dynamic)
        }),
        "unpack" => ranked!(arrays[0].ndim(), D => {
            let x = tensor::<A, D>(&arrays[0]);
            let got = dynamic::unpack(&x, &packed_shapes(case), pattern);
            let got = got.map(|parts| parts.into_iter().map(host_any::<A>).collect::<Vec<_>>());
            evaluate_unpack(case, &got, OutRank::Dynamic)
        }),
        "parse_shape" => ranked!(arrays[0].ndim(), D => {
            let x = tensor::<A, D>(&arrays[0]);
            evaluate_parse_shape(case, &einops::dynamic::parse_shape(&x, pattern))
        }),
        op => unreachable!("op {op} is filtered out"),
    })
}

fn call<const D: usize, const O: usize, K: TensorKind>(
    case: &Case,
    x: &Tensor<D, K>,
    lengths: &[(&str, usize)],
) -> Result<Tensor<O, K>, einops::Error> {
    let pattern = case.pattern.as_str();
    match case.op.as_str() {
        "rearrange" => dynamic::rearrange(x, pattern, lengths),
        "reduce" => {
            let reduction = case.reduction.as_deref().unwrap_or("");
            dynamic::reduce(x, pattern, reduction, lengths)
        }
        _ => dynamic::repeat(x, pattern, lengths),
    }
}

#[test]
fn burn_matches_reference_vectors() {
    let why = "with a rank-0 input (burn has no rank 0)";
    common::check_tensor_backend("burn (flex CPU)", why, |case| match case.input_dtype() {
        Some("f64") => run_case::<f64>(case),
        Some("f32") => run_case::<f32>(case),
        Some("i64") => run_case::<i64>(case),
        other => Some(Verdict::Fail(format!(
            "input dtype {other:?} has no burn dtype"
        ))),
    });
}

// ---------------------------------------------------------------------------------------
// The macros on tensors: ranks from the types, results typed by the pattern

fn arange<const D: usize>(shape: [usize; D]) -> Tensor<D> {
    let len = shape.iter().product::<usize>() as i64;
    Tensor::<1, Int>::arange(0..len, &device())
        .float()
        .reshape(shape)
}

fn values<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
    tensor
        .into_data()
        .try_into_vec_as::<f32>()
        .expect("f32 values")
}

/// The same call on an ndarray array of the tensor's values.
fn array_of<const D: usize>(tensor: &Tensor<D>) -> ArrayD<f32> {
    host::<f32, D>(tensor.clone(), D)
}

#[test]
fn macros_take_tensors_by_value_and_by_reference_with_ranks_from_the_pattern(
) -> Result<(), einops::Error> {
    use einops::{check_shape, einsum, pack, parse_shape, rearrange, reduce, repeat, unpack};
    let x = arange([2, 3, 4, 6]);
    let a = array_of(&x);

    let flat: Tensor<2> = rearrange!(&x, "b c h w -> b (c h w)")?;
    assert_eq!(flat.dims(), [2, 72]);
    let moved: Tensor<4> = rearrange!(x.clone(), "b c (h h2) w -> b h (c h2) w", h2 = 2)?;
    let expected = einops::dynamic::rearrange(&a, "b c (h h2) w -> b h (c h2) w", &[("h2", 2)])?;
    assert_eq!(values(moved), expected.iter().copied().collect::<Vec<_>>());

    let pooled: Tensor<4> = reduce!(&x, "b c (h 2) (w 3) -> b c h w", max)?;
    let expected = einops::dynamic::reduce(&a, "b c (h 2) (w 3) -> b c h w", "max", &[])?;
    assert_eq!(values(pooled), expected.iter().copied().collect::<Vec<_>>());
    // A rank-0 result is burn's `Tensor<1>` of shape [1].
    let total: Tensor<1> = reduce!(&x, "b c h w ->", sum)?;
    assert_eq!(values(total), [(0..144).sum::<i32>() as f32]);
    // With an ellipsis the output rank follows from the input's type.
    let mean: Tensor<3> = reduce!(&x, "b ... w -> ... b", mean)?;
    assert_eq!(mean.dims(), [3, 4, 2]);

    let tiled: Tensor<5> = repeat!(&x, "b c h w -> b c h w r", r = 2)?;
    assert_eq!(tiled.dims(), [2, 3, 4, 6, 2]);

    let q = arange([2, 5, 4]);
    let k = arange([2, 6, 4]);
    let scores: Tensor<3> = einsum!(&q, &k, "b i d, b j d -> b i j")?;
    let expected = einops::dynamic::einsum(&[array_of(&q), array_of(&k)], "b i d, b j d -> b i j")?;
    assert_eq!(values(scores), expected.iter().copied().collect::<Vec<_>>());

    let (packed, shapes) = pack!([&q, &k], "b * d")?;
    let packed: Tensor<3> = packed;
    assert_eq!(packed.dims(), [2, 11, 4]);
    let parts: Vec<Tensor<3>> = unpack!(&packed, &shapes, "b * d")?;
    assert_eq!(values(parts[1].clone()), values(k.clone()));

    let axes = parse_shape!(&x, "b c _ _")?;
    assert_eq!((axes.b, axes.c), (2, 3));
    check_shape!(&q, "b i d", b = 2, d = 4)?;
    Ok(())
}

#[test]
fn int_and_bool_tensors_take_the_reductions_that_suit_them() -> Result<(), einops::Error> {
    use burn::tensor::Bool;
    use einops::reduce;
    let x = Tensor::<1, Int>::arange(0..6, &device()).reshape([2, 3]);
    let sums: Tensor<1, Int> = reduce!(&x, "a b -> a", sum)?;
    assert_eq!(sums.into_data().try_into_vec_as::<i64>().unwrap(), [3, 12]);
    let flags: Tensor<2, Bool> = x.clone().greater_elem(2);
    let any: Tensor<1, Bool> = reduce!(&flags, "a b -> a", any)?;
    assert_eq!(
        any.into_data().try_into_vec::<bool>().unwrap(),
        [false, true]
    );
    let all: Tensor<1, Bool> = reduce!(flags.clone(), "a b -> b", all)?;
    assert_eq!(
        all.into_data().try_into_vec::<bool>().unwrap(),
        [false, false, false]
    );
    // burn cannot sum `Bool` tensors: a backend error, before any op runs.
    let error = einops::dynamic::burn::reduce::<2, 1, Bool>(&flags, "a b -> a", "sum", &[])
        .expect_err("no sum of bools");
    assert_eq!(error.kind(), "backend_error");
    // `mean` of `Int` is a compile error for the macros; here, a run-time one.
    let error = einops::dynamic::burn::reduce::<2, 1, Int>(&x, "a b -> a", "mean", &[])
        .expect_err("no mean of integers");
    assert_eq!(error.kind(), "mean_of_integer");
    Ok(())
}

#[test]
fn wrong_ranks_and_mixed_devices_are_errors_not_panics() {
    let x = arange([2, 3]);
    let error = einops::dynamic::burn::rearrange::<2, 3, Float>(&x, "a b -> b a", &[])
        .expect_err("rank 2, not 3");
    assert_eq!(error.kind(), "output_rank");
    assert_eq!(
        error.to_string(),
        "rearrange `a b -> b a` on input of shape [2, 3]: the result has 2 dimensions, but 3 were asked for"
    );
    let y = Tensor::<2>::zeros([2, 3], (&device(), DType::F64));
    let error = einops::dynamic::burn::einsum::<2, Float>(
        &[(&x).into(), (&y).into()],
        "a b, a b -> a b",
        &[],
    )
    .expect_err("f32 and f64");
    assert_eq!(error.kind(), "backend_error");
}

/// Compile-time errors on burn tensors: a rank the pattern contradicts, `mean` of `Int`,
/// a view form (burn has no views). Blessed with the feature `burn` alone
/// (`TRYBUILD=overwrite cargo test --features burn,burn/flex,burn/autodiff --test it burn::ui`).
#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui-burn/*.rs");
}

// ---------------------------------------------------------------------------------------
// Gradients through burn's autodiff

/// `n` distinct values in [0.5, 1.5) in a scrambled order (no ties for `min`/`max`, no
/// zeros for `prod`), shifted by `shift`.
fn distinct(n: usize, salt: usize, shift: f64) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7919 + salt * 104_729) % n) as f64 / n as f64 + 0.5 + shift)
        .collect()
}

fn f64_tensor<const D: usize>(values: Vec<f64>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), (device, DType::F64))
}

fn host_f64<const D: usize>(tensor: Tensor<D>) -> Vec<f64> {
    tensor
        .into_data()
        .try_into_vec_as::<f64>()
        .expect("f64 values")
}

/// Checks the gradient of `sum(w ⊙ f(x))` (random `w`) through `einops` against the same
/// loss through `plain` (burn ops written by hand) and against central finite differences.
fn check_gradient<const D: usize, const O: usize>(
    what: &str,
    shape: [usize; D],
    einops: impl Fn(Tensor<D>) -> Tensor<O>,
    plain: impl Fn(Tensor<D>) -> Tensor<O>,
) {
    let device = Device::default().autodiff();
    let len = shape.iter().product();
    let values = distinct(len, 1, 0.0);
    let out_dims = einops(f64_tensor(values.clone(), shape, &device)).dims();
    let out_len = out_dims.iter().product();
    let w = Tensor::<O>::from_data(
        TensorData::new(distinct(out_len, 2, -1.0), out_dims),
        (&device, DType::F64),
    );
    let gradient = |f: &dyn Fn(Tensor<D>) -> Tensor<O>| {
        let x = f64_tensor(values.clone(), shape, &device).require_grad();
        let loss = (f(x.clone()) * w.clone()).sum();
        let grads = loss.backward();
        host_f64(x.grad(&grads).expect("x has a gradient"))
    };
    let got = gradient(&einops);
    let reference = gradient(&plain);
    let loss_at = |values: Vec<f64>| -> f64 {
        let y = einops(f64_tensor(values, shape, &device));
        host_f64((y * w.clone()).sum())[0]
    };
    let eps = 1e-6;
    for (i, (&g, &r)) in got.iter().zip(&reference).enumerate() {
        assert!(
            (g - r).abs() <= 1e-12 * (1.0 + r.abs()),
            "{what}: d/dx[{i}] = {g}, plain burn {r}"
        );
        let (mut up, mut down) = (values.clone(), values.clone());
        up[i] += eps;
        down[i] -= eps;
        let numeric = (loss_at(up) - loss_at(down)) / (2.0 * eps);
        assert!(
            (g - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()),
            "{what}: d/dx[{i}] = {g}, finite differences {numeric}"
        );
    }
    assert_eq!(got.len(), len, "{what}");
}

#[test]
fn gradients_flow_through_rearrange_reduce_and_repeat() {
    use einops::{rearrange, reduce, repeat};
    check_gradient(
        "rearrange",
        [2, 3, 4],
        |x| rearrange!(x, "a (b c) d -> (d a) c b", b = 3).unwrap(),
        |x: Tensor<3>| {
            x.reshape([2, 3, 1, 4])
                .permute([3, 0, 2, 1])
                .reshape([8, 1, 3])
        },
    );
    check_gradient(
        "reduce sum",
        [2, 3, 4],
        |x| reduce!(x, "a b c -> a c", sum).unwrap(),
        |x: Tensor<3>| x.sum_dim(1).reshape([2, 4]),
    );
    check_gradient(
        "reduce mean",
        [2, 3, 4],
        |x| reduce!(x, "a b c -> c", mean).unwrap(),
        |x: Tensor<3>| x.mean_dim(0).mean_dim(1).reshape([4]),
    );
    check_gradient(
        "reduce max",
        [2, 3, 4],
        |x| reduce!(x, "a b (c 2) -> b a c", max).unwrap(),
        |x: Tensor<3>| {
            x.reshape([2, 3, 2, 2])
                .max_dim(3)
                .reshape([2, 3, 2])
                .permute([1, 0, 2])
        },
    );
    check_gradient(
        "reduce min",
        [2, 3, 4],
        |x| reduce!(x, "a b c -> b", min).unwrap(),
        |x: Tensor<3>| x.permute([1, 0, 2]).reshape([3, 8]).min_dim(1).reshape([3]),
    );
    check_gradient(
        "reduce prod",
        [2, 3, 4],
        |x| reduce!(x, "a b c -> a b", prod).unwrap(),
        |x: Tensor<3>| x.prod_dim(2).reshape([2, 3]),
    );
    check_gradient(
        "repeat",
        [2, 3],
        |x| repeat!(x, "a b -> a r b", r = 4).unwrap(),
        |x: Tensor<2>| x.reshape([2, 1, 3]).repeat_dim(1, 4),
    );
}

#[test]
fn gradients_flow_through_einsum_pack_and_unpack() {
    use einops::{einsum, pack, unpack};
    let device = Device::default().autodiff();
    let m = f64_tensor(distinct(12, 3, 0.0), [3, 4], &device);
    let v = f64_tensor(distinct(5, 4, 0.0), [5], &device);
    check_gradient(
        "einsum of 2",
        [2, 3],
        |x| einsum!(&x, &m, "i j, j k -> i k").unwrap(),
        |x: Tensor<2>| x.matmul(m.clone()),
    );
    check_gradient(
        "einsum of 3",
        [5, 3],
        |x| einsum!(&v, &x, &m, "a, a j, j k -> k").unwrap(),
        |x: Tensor<2>| {
            let weighted = x * v.clone().reshape([5, 1]);
            weighted.sum_dim(0).matmul(m.clone()).reshape([4])
        },
    );
    check_gradient(
        "einsum diagonal",
        [3, 3],
        |x| einsum!(&x, "i i -> i").unwrap(),
        |x: Tensor<2>| {
            (x * Tensor::<2>::eye(3, &device).cast(DType::F64))
                .sum_dim(1)
                .reshape([3])
        },
    );
    check_gradient(
        "pack",
        [2, 3],
        |x| {
            let (packed, _) = pack!([x.clone(), x * 2.0], "a *").unwrap();
            packed
        },
        |x: Tensor<2>| Tensor::cat(vec![x.clone(), x * 2.0], 1),
    );
    let shapes = einops::PackedShapes::new([
        einops::PackedShape::from([2]),
        einops::PackedShape::from([4]),
    ]);
    check_gradient(
        "unpack",
        [3, 6],
        |x| {
            // Hand-made shapes are `IxDyn`: the parts come as `AnyRank`s.
            let parts = unpack!(x, &shapes, "a *").unwrap();
            let [first, second] = [0, 1].map(|i| parts[i].clone().into_tensor::<2>().unwrap());
            second * 3.0 + first.sum_dim(1)
        },
        |x: Tensor<2>| x.clone().narrow(1, 2, 4) * 3.0 + x.narrow(1, 0, 2).sum_dim(1),
    );
}

// ---------------------------------------------------------------------------------------
// Layers as burn modules

mod layers {
    use burn::module::Module;
    use burn::tensor::{DType, Device, Tensor};
    use einops::layers::{BurnEinMix, EinMixSpec, Rearrange, Reduce, Repeat};

    use super::{distinct, f64_tensor, host, host_any, host_f64};

    fn spec() -> EinMixSpec {
        let lengths = [("h", 2), ("c", 3), ("d", 4)];
        EinMixSpec::new("b t (h c) -> b t (h d)", "h c d", Some("h d"), &lengths).unwrap()
    }

    /// The same layer with plain burn ops on its own parameters.
    fn plain(mix: &BurnEinMix, x: Tensor<3>) -> Tensor<3> {
        let (weight, bias) = mix.params();
        let weight = weight.val().reshape([2, 3, 4]);
        let bias = bias.expect("a bias").val().reshape([1, 2, 4]);
        let heads = x.reshape([10, 2, 3]).permute([1, 0, 2]);
        let mixed = heads.matmul(weight).permute([1, 0, 2]) + bias;
        mixed.reshape([2, 5, 8])
    }

    #[test]
    fn einmix_equals_the_ndarray_einmix_and_plain_burn_and_its_parameters_get_gradients() {
        let device = Device::default().autodiff();
        let mix = spec().burn((&device, DType::F64)).unwrap();
        let weight = host_any::<f64>(mix.weight().unwrap());
        let bias = mix.bias().unwrap().map(host_any::<f64>);
        let reference = spec().with_params(weight.clone(), bias.clone()).unwrap();
        let x = f64_tensor(distinct(60, 5, 0.0), [2, 5, 6], &device);
        let y: Tensor<3> = mix.forward(x.clone()).unwrap();
        let expected = reference.forward(&host::<f64, 3>(x.clone(), 3)).unwrap();
        let got = host::<f64, 3>(y.clone(), 3);
        let close = |a: &ndarray::ArrayD<f64>, b: &ndarray::ArrayD<f64>| {
            a.shape() == b.shape() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
        };
        assert!(close(&got, &expected), "{got} vs {expected}");
        let plain_y = host::<f64, 3>(plain(&mix, x.clone()), 3);
        assert!(close(&got, &plain_y), "{got} vs {plain_y}");

        // d/d(weight, bias) of sum(w ⊙ y): against plain burn on the same parameter
        // leaves, and against finite differences of the ndarray EinMix.
        let w = f64_tensor(distinct(80, 6, -1.0), [2, 5, 8], &device);
        let grads_of = |y: Tensor<3>| {
            let grads = (y * w.clone()).sum().backward();
            let (weight, bias) = mix.params();
            let of = |p: &burn::module::Param<Tensor<1>>| host_f64(p.val().grad(&grads).unwrap());
            (of(weight), of(bias.unwrap()))
        };
        let (gw, gb) = grads_of(mix.forward(x.clone()).unwrap());
        let (pw, pb) = grads_of(plain(&mix, x.clone()));
        let host_w = host::<f64, 3>(w.clone(), 3);
        let host_x = host::<f64, 3>(x, 3);
        let loss = |weight: &ndarray::ArrayD<f64>, bias: &ndarray::ArrayD<f64>| {
            let mix = spec()
                .with_params(weight.clone(), Some(bias.clone()))
                .unwrap();
            (mix.forward(&host_x).unwrap() * &host_w).sum()
        };
        let bias = bias.unwrap();
        let eps = 1e-6;
        for (i, (&g, &p)) in gw.iter().zip(&pw).enumerate() {
            assert!((g - p).abs() < 1e-10, "weight[{i}]: {g} vs plain {p}");
            let (mut up, mut down) = (weight.clone(), weight.clone());
            up.as_slice_mut().unwrap()[i] += eps;
            down.as_slice_mut().unwrap()[i] -= eps;
            let numeric = (loss(&up, &bias) - loss(&down, &bias)) / (2.0 * eps);
            assert!((g - numeric).abs() < 1e-6, "weight[{i}]: {g} vs {numeric}");
        }
        for (i, (&g, &p)) in gb.iter().zip(&pb).enumerate() {
            assert!((g - p).abs() < 1e-10, "bias[{i}]: {g} vs plain {p}");
            let (mut up, mut down) = (bias.clone(), bias.clone());
            up.as_slice_mut().unwrap()[i] += eps;
            down.as_slice_mut().unwrap()[i] -= eps;
            let numeric = (loss(&weight, &up) - loss(&weight, &down)) / (2.0 * eps);
            assert!((g - numeric).abs() < 1e-6, "bias[{i}]: {g} vs {numeric}");
        }
        assert_eq!((gw.len(), gb.len()), (24, 8));
    }

    /// A module of burn's own kind holding einops layers: derive, records, devices.
    #[derive(Module, Debug)]
    struct Head {
        pool: Reduce,
        mix: BurnEinMix,
        flatten: Rearrange,
        tile: Repeat,
    }

    impl Head {
        fn new(device: &Device) -> Head {
            Head {
                pool: Reduce::new("b c (h 2) (w 2) -> b h w c", "max", &[]).unwrap(),
                mix: EinMixSpec::new(
                    "b h w c -> b h w d",
                    "c d",
                    Some("d"),
                    &[("c", 3), ("d", 5)],
                )
                .unwrap()
                .burn(device)
                .unwrap(),
                flatten: Rearrange::new("b h w d -> b (h w d)", &[]).unwrap(),
                tile: Repeat::new("b f -> b r f", &[("r", 2)]).unwrap(),
            }
        }

        fn forward(&self, x: Tensor<4>) -> Tensor<3> {
            let pooled: Tensor<4> = self.pool.forward_burn(x).unwrap();
            let mixed: Tensor<4> = self.mix.forward(pooled).unwrap();
            let flat: Tensor<2> = self.flatten.forward_burn(mixed).unwrap();
            self.tile.forward_burn(flat).unwrap()
        }
    }

    #[test]
    fn layers_go_into_burn_modules_whose_records_save_and_load() {
        let device = Device::default();
        let head = Head::new(&device);
        assert_eq!(head.num_params(), 3 * 5 + 5);
        let x = Tensor::<4>::from_data(
            burn::tensor::TensorData::new(distinct(2 * 3 * 4 * 6, 7, 0.0), [2, 3, 4, 6]),
            (&device, DType::F32),
        );
        let y = head.forward(x.clone());
        assert_eq!(y.dims(), [2, 2, 2 * 3 * 5]);

        let bytes = head.clone().into_record().into_bytes().unwrap();
        let fresh = Head::new(&device);
        let before = host::<f32, 3>(fresh.forward(x.clone()), 3);
        assert_ne!(
            before,
            host::<f32, 3>(y.clone(), 3),
            "a fresh head draws new parameters"
        );
        let record = burn::store::ModuleRecord::from_bytes(bytes).unwrap();
        let loaded = fresh.load_record(record);
        assert_eq!(host::<f32, 3>(loaded.forward(x), 3), host::<f32, 3>(y, 3));
        // The module prints its layers as they are written.
        let shown = format!("{head}");
        assert!(shown.contains("b c (h 2) (w 2) -> b h w c"), "{shown}");
    }
}
