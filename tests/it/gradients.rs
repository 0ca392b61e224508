//! Gradients through einops on candle (feature `candle`). Every operation is lowered to
//! candle's own ops, so a loss computed through a pattern differentiates like the plain
//! candle code it replaces; a host round-trip anywhere would cut the graph, and the
//! gradient would be missing.
//!
//! Each check takes a scalar loss `Σ w ⊙ y` with random weights `w` (so a wrong
//! permutation cannot pass), calls `backward()`, and compares every input's gradient with
//! (a) the same computation written with plain candle ops and (b) central finite
//! differences, all in `f64`, on inputs without ties. Products have no candle op: their
//! gradient is checked against the analytic `∏ / x` instead.
#![cfg(feature = "candle")]

use std::collections::HashMap;

use candle_core::{DType, Device, Result, Tensor, Var};
use candle_nn::VarBuilder;
use einops::layers::{EinMixSpec, Rearrange, Reduce, Repeat};
use einops::{einsum, pack, rearrange, reduce, repeat, unpack};

/// `n` distinct values in (-1, 1), a different sequence per `seed`: no ties for `min`/`max`.
fn distinct(n: usize, seed: usize) -> Vec<f64> {
    const PRIME: usize = 1_000_003;
    (0..n)
        .map(|i| ((i * 7919 + seed * 104_729) % PRIME) as f64 / PRIME as f64 * 2.0 - 1.0)
        .collect()
}

/// An `f64` tensor of distinct values.
fn tensor(shape: &[usize], seed: usize) -> Tensor {
    let n = shape.iter().product();
    Tensor::from_vec(distinct(n, seed), shape, &Device::Cpu).unwrap()
}

/// Values in ±[0.5, 1.5]: products of them neither vanish nor overflow.
fn factors(shape: &[usize], seed: usize) -> Tensor {
    let values = distinct(shape.iter().product(), seed)
        .into_iter()
        .map(|v| v.signum() * (0.5 + v.abs()))
        .collect();
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
}

fn host(t: &Tensor) -> Vec<f64> {
    t.flatten_all().unwrap().to_vec1::<f64>().unwrap()
}

#[track_caller]
fn assert_close(got: &Tensor, expected: &Tensor, tolerance: f64, what: &str) {
    assert_eq!(got.dims(), expected.dims(), "{what}: shapes");
    for (k, (g, e)) in host(got).into_iter().zip(host(expected)).enumerate() {
        assert!(
            (g - e).abs() <= tolerance * (1.0 + e.abs()),
            "{what}: element {k}: {g} against {e}"
        );
    }
}

/// A computation of several outputs from several inputs.
type Computation<'a> = &'a dyn Fn(&[Tensor]) -> Result<Vec<Tensor>>;

/// `Σ_k Σ w_k ⊙ y_k`, with weights fixed per output.
fn loss(outputs: &[Tensor]) -> Result<Tensor> {
    let mut total = Tensor::zeros((), DType::F64, &Device::Cpu)?;
    for (k, y) in outputs.iter().enumerate() {
        let w = tensor(y.dims(), 1000 + k);
        total = (total + (y * w)?.sum_all()?)?;
    }
    Ok(total)
}

/// The gradients of [`loss`] through `f` at `inputs`, one per input (`None`: the graph
/// does not reach it).
fn gradients(f: Computation, inputs: &[Tensor]) -> Result<(Vec<Tensor>, Vec<Option<Tensor>>)> {
    let vars: Vec<Var> = inputs.iter().map(Var::from_tensor).collect::<Result<_>>()?;
    let tensors: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let outputs = f(&tensors)?;
    let grads = loss(&outputs)?.backward()?;
    Ok((
        outputs,
        vars.iter().map(|v| grads.get(v).cloned()).collect(),
    ))
}

/// Central differences of [`loss`] through `f` with respect to every element of input `k`.
fn finite_differences(f: Computation, inputs: &[Tensor], k: usize) -> Result<Tensor> {
    const STEP: f64 = 1e-6;
    let values = host(&inputs[k]);
    let at = |i: usize, delta: f64| -> Result<f64> {
        let mut moved = values.clone();
        moved[i] += delta;
        let mut shifted = inputs.to_vec();
        shifted[k] = Tensor::from_vec(moved, inputs[k].dims(), &Device::Cpu)?;
        loss(&f(&shifted)?)?.to_scalar::<f64>()
    };
    let slopes = (0..values.len())
        .map(|i| Ok((at(i, STEP)? - at(i, -STEP)?) / (2.0 * STEP)))
        .collect::<Result<Vec<f64>>>()?;
    Tensor::from_vec(slopes, inputs[k].dims(), &Device::Cpu)
}

/// Checks `einops` against `plain` (outputs and every input's gradient) and against finite
/// differences.
#[track_caller]
fn check(what: &str, inputs: &[Tensor], einops: Computation, plain: Computation) {
    let (outputs, grads) = gradients(einops, inputs).unwrap();
    let (plain_outputs, plain_grads) = gradients(plain, inputs).unwrap();
    assert_eq!(outputs.len(), plain_outputs.len(), "{what}: outputs");
    for (y, p) in outputs.iter().zip(&plain_outputs) {
        assert_close(y, p, 1e-12, &format!("{what}: output"));
    }
    for (k, (g, p)) in grads.iter().zip(&plain_grads).enumerate() {
        let g = g
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: no gradient reaches input {k}"));
        let p = p
            .as_ref()
            .expect("the plain computation reaches every input");
        assert_close(
            g,
            p,
            1e-12,
            &format!("{what}: input {k} against plain candle"),
        );
        let numeric = finite_differences(einops, inputs, k).unwrap();
        assert_close(
            g,
            &numeric,
            1e-6,
            &format!("{what}: input {k} against finite differences"),
        );
    }
}

/// One output from one input.
fn unary(f: impl Fn(&Tensor) -> Result<Tensor>) -> impl Fn(&[Tensor]) -> Result<Vec<Tensor>> {
    move |xs| Ok(vec![f(&xs[0])?])
}

fn einops_error(e: einops::Error) -> candle_core::Error {
    candle_core::Error::wrap(e)
}

#[test]
fn rearrange_gradients_are_the_permutation_and_reshape_ones() {
    let cases: [(&str, &[usize], Computation, Computation); 5] = [
        (
            "b c h w -> b h w c",
            &[2, 3, 2, 2],
            &unary(|x| rearrange!(x, "b c h w -> b h w c").map_err(einops_error)),
            &unary(|x| x.permute((0, 2, 3, 1))),
        ),
        (
            "space to depth",
            &[1, 4, 4, 2],
            &unary(|x| {
                rearrange!(x, "b (h h2) (w w2) c -> b h w (h2 w2 c)", h2 = 2, w2 = 2)
                    .map_err(einops_error)
            }),
            &unary(|x| {
                x.reshape((1, 2, 2, 2, 2, 2))?
                    .permute((0, 1, 3, 2, 4, 5))?
                    .reshape((1, 2, 2, 8))
            }),
        ),
        (
            "head split",
            &[2, 3, 4],
            &unary(|x| rearrange!(x, "b t (h d) -> b h t d", h = 2).map_err(einops_error)),
            &unary(|x| x.reshape((2, 3, 2, 2))?.transpose(1, 2)),
        ),
        (
            "ellipsis",
            &[2, 2, 3, 3],
            &unary(|x| rearrange!(x, "b ... c -> b c ...").map_err(einops_error)),
            &unary(|x| x.permute((0, 3, 1, 2))),
        ),
        (
            "unit axes",
            &[3, 1, 4],
            &unary(|x| rearrange!(x, "a 1 b -> b a").map_err(einops_error)),
            &unary(|x| x.squeeze(1)?.t()),
        ),
    ];
    for (what, shape, einops, plain) in cases {
        check(what, &[tensor(shape, 1)], einops, plain);
    }
}

/// Plain candle for `b c h w -> b c`, the 2×2 max pool over NHWC and `b c h w -> b h w`.
fn plain_reduction(x: &Tensor, case: usize, reduction: &str) -> Result<Tensor> {
    let over = |x: &Tensor, dim: usize| match reduction {
        "sum" => x.sum(dim),
        "mean" => x.mean(dim),
        "min" => x.min(dim),
        _ => x.max(dim),
    };
    match case {
        0 => over(&x.flatten_from(2)?, 2),
        1 => {
            let (b, h, w, c) = x.dims4()?;
            over(&over(&x.reshape((b, h / 2, 2, w / 2, 2, c))?, 4)?, 2)
        }
        _ => over(x, 1),
    }
}

fn einops_reduction(x: &Tensor, case: usize, reduction: &str) -> Result<Tensor> {
    let y = match (case, reduction) {
        (0, "sum") => reduce!(x, "b c h w -> b c", sum),
        (0, "mean") => reduce!(x, "b c h w -> b c", mean),
        (0, "min") => reduce!(x, "b c h w -> b c", min),
        (0, "max") => reduce!(x, "b c h w -> b c", max),
        (0, _) => reduce!(x, "b c h w -> b c", prod),
        (1, "sum") => reduce!(x, "b (h 2) (w 2) c -> b h w c", sum),
        (1, "mean") => reduce!(x, "b (h 2) (w 2) c -> b h w c", mean),
        (1, "min") => reduce!(x, "b (h 2) (w 2) c -> b h w c", min),
        (1, "max") => reduce!(x, "b (h 2) (w 2) c -> b h w c", max),
        (1, _) => reduce!(x, "b (h 2) (w 2) c -> b h w c", prod),
        (_, "sum") => reduce!(x, "b c h w -> b h w", sum),
        (_, "mean") => reduce!(x, "b c h w -> b h w", mean),
        (_, "min") => reduce!(x, "b c h w -> b h w", min),
        (_, "max") => reduce!(x, "b c h w -> b h w", max),
        (_, _) => reduce!(x, "b c h w -> b h w", prod),
    };
    y.map_err(einops_error)
}

const REDUCTION_SHAPES: [&[usize]; 3] = [&[2, 3, 2, 3], &[1, 4, 4, 2], &[2, 3, 2, 2]];

#[test]
fn sum_mean_min_max_gradients_are_the_plain_ones() {
    for reduction in ["sum", "mean", "min", "max"] {
        for (case, shape) in REDUCTION_SHAPES.into_iter().enumerate() {
            check(
                &format!("{reduction} #{case}"),
                &[tensor(shape, 2)],
                &unary(|x| einops_reduction(x, case, reduction)),
                &unary(|x| plain_reduction(x, case, reduction)),
            );
        }
    }
}

/// candle has no product: the gradient of `Σ w ⊙ ∏ x` is `w ∏ / x`, the product and the
/// weight broadcast back over the reduced axes.
#[test]
fn prod_gradients_are_the_product_over_each_factor() {
    for (case, shape) in REDUCTION_SHAPES.into_iter().enumerate() {
        let x = factors(shape, 3);
        let f = unary(|x| einops_reduction(x, case, "prod"));
        let (outputs, grads) = gradients(&f, std::slice::from_ref(&x)).unwrap();
        let scaled = (&outputs[0] * tensor(outputs[0].dims(), 1000)).unwrap();
        // The output's axes, with the reduced ones as units, broadcast to the input.
        let back = match case {
            0 => scaled.unsqueeze(2).unwrap().unsqueeze(3).unwrap(),
            1 => {
                let (b, h, w, c) = scaled.dims4().unwrap();
                scaled
                    .reshape((b, h, 1, w, 1, c))
                    .unwrap()
                    .broadcast_as((b, h, 2, w, 2, c))
                    .unwrap()
                    .reshape(shape)
                    .unwrap()
            }
            _ => scaled.unsqueeze(1).unwrap(),
        };
        let expected = back.broadcast_as(shape).unwrap().div(&x).unwrap();
        let got = grads[0].as_ref().expect("a gradient reaches the input");
        assert_close(got, &expected, 1e-12, &format!("prod #{case} against ∏/x"));
        let numeric = finite_differences(&f, &[x], 0).unwrap();
        assert_close(
            got,
            &numeric,
            1e-6,
            &format!("prod #{case} against finite differences"),
        );
    }
}

/// candle's rule, which einops inherits: every element equal to the extreme receives the
/// whole gradient of the output (ties are not split).
#[test]
fn tied_extremes_each_receive_the_whole_gradient() {
    let x = Tensor::new(&[[1f64, 3., 3.], [2., 2., 0.]], &Device::Cpu).unwrap();
    let var = Var::from_tensor(&x).unwrap();
    let y = reduce!(var.as_tensor(), "a b -> a", max).unwrap();
    let grads = (y * Tensor::new(&[10f64, 100.], &Device::Cpu).unwrap())
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let g = grads.get(&var).unwrap().to_vec2::<f64>().unwrap();
    assert_eq!(g, [[0., 10., 10.], [100., 100., 0.]]);
}

/// `any` and `all` compare with zero: a comparison has no gradient, so nothing flows back
/// (documented in the README).
#[test]
fn any_and_all_are_not_differentiable() {
    let var = Var::from_tensor(&tensor(&[2, 3], 4)).unwrap();
    for y in [
        reduce!(var.as_tensor(), "a b -> a", any).unwrap(),
        reduce!(var.as_tensor(), "a b -> a", all).unwrap(),
    ] {
        let grads = y.sum_all().unwrap().backward().unwrap();
        assert!(grads.get(&var).is_none());
    }
}

#[test]
fn repeat_gradients_sum_over_the_copies() {
    let cases: [(&str, &[usize], Computation, Computation); 3] = [
        (
            "new axis",
            &[2, 3],
            &unary(|x| repeat!(x, "h w -> h w c", c = 3).map_err(einops_error)),
            &unary(|x| x.unsqueeze(2)?.broadcast_as((2, 3, 3))),
        ),
        (
            "upsampling",
            &[2, 2],
            &unary(|x| repeat!(x, "h w -> (h 2) (w 3)").map_err(einops_error)),
            &unary(|x| {
                x.reshape((2, 1, 2, 1))?
                    .broadcast_as((2, 2, 2, 3))?
                    .reshape((4, 6))
            }),
        ),
        (
            "heads",
            &[2, 3, 2],
            &unary(|x| repeat!(x, "b t d -> b t r d", r = 2).map_err(einops_error)),
            &unary(|x| x.unsqueeze(2)?.broadcast_as((2, 3, 2, 2))),
        ),
    ];
    for (what, shape, einops, plain) in cases {
        check(what, &[tensor(shape, 5)], einops, plain);
    }
}

#[test]
fn einsum_gradients_reach_every_operand() {
    type Case<'a> = (&'a str, Vec<Tensor>, Computation<'a>, Computation<'a>);
    let cases: [Case; 6] = [
        (
            "attention scores",
            vec![tensor(&[2, 3, 4], 6), tensor(&[2, 2, 4], 7)],
            &|xs| {
                Ok(vec![
                    einsum!(&xs[0], &xs[1], "b i d, b j d -> b i j").map_err(einops_error)?
                ])
            },
            &|xs| Ok(vec![xs[0].matmul(&xs[1].transpose(1, 2)?)?]),
        ),
        (
            "matrix product",
            vec![tensor(&[3, 4], 8), tensor(&[4, 2], 9)],
            &|xs| {
                Ok(vec![
                    einsum!(&xs[0], &xs[1], "i j, j k -> i k").map_err(einops_error)?
                ])
            },
            &|xs| Ok(vec![xs[0].matmul(&xs[1])?]),
        ),
        (
            "three operands",
            vec![
                tensor(&[2, 3], 10),
                tensor(&[3, 4], 11),
                tensor(&[4, 2], 12),
            ],
            &|xs| {
                Ok(vec![einsum!(
                    &xs[0],
                    &xs[1],
                    &xs[2],
                    "i j, j k, k l -> i l"
                )
                .map_err(einops_error)?])
            },
            &|xs| Ok(vec![xs[0].matmul(&xs[1])?.matmul(&xs[2])?]),
        ),
        (
            "three operands, one batch",
            vec![
                tensor(&[2, 3], 13),
                tensor(&[2, 3], 14),
                tensor(&[2, 3], 15),
            ],
            &|xs| {
                Ok(vec![
                    einsum!(&xs[0], &xs[1], &xs[2], "b i, b i, b i -> b").map_err(einops_error)?
                ])
            },
            &|xs| Ok(vec![(&xs[0] * &xs[1])?.mul(&xs[2])?.sum(1)?]),
        ),
        (
            "diagonal",
            vec![tensor(&[3, 3], 16)],
            &|xs| Ok(vec![einsum!(&xs[0], "i i -> i").map_err(einops_error)?]),
            &|xs| {
                let eye = Tensor::eye(3, DType::F64, &Device::Cpu)?;
                Ok(vec![(&xs[0] * eye)?.sum(1)?])
            },
        ),
        (
            "batched trace",
            vec![tensor(&[2, 3, 3], 17)],
            &|xs| Ok(vec![einsum!(&xs[0], "b i i -> b").map_err(einops_error)?]),
            &|xs| {
                let eye = Tensor::eye(3, DType::F64, &Device::Cpu)?;
                Ok(vec![xs[0].broadcast_mul(&eye)?.sum((1, 2))?])
            },
        ),
    ];
    for (what, inputs, einops, plain) in cases {
        check(what, &inputs, einops, plain);
    }
}

#[test]
fn pack_and_unpack_gradients_are_concatenation_and_slicing() {
    check(
        "pack",
        &[tensor(&[2, 1, 3], 18), tensor(&[2, 2, 2, 3], 19)],
        &|xs| {
            let (packed, _) = pack!([&xs[0], &xs[1]], "b * d").map_err(einops_error)?;
            Ok(vec![packed])
        },
        &|xs| Ok(vec![Tensor::cat(&[&xs[0], &xs[1].reshape((2, 4, 3))?], 1)?]),
    );
    let (_, shapes) = pack!([&tensor(&[2, 1, 3], 0), &tensor(&[2, 2, 2, 3], 0)], "b * d").unwrap();
    check(
        "unpack",
        &[tensor(&[2, 5, 3], 20)],
        &|xs| unpack!(&xs[0], &shapes, "b * d").map_err(einops_error),
        &|xs| {
            Ok(vec![
                xs[0].narrow(1, 0, 1)?,
                xs[0].narrow(1, 1, 4)?.reshape((2, 2, 2, 3))?,
            ])
        },
    );
}

#[test]
fn pattern_layers_differentiate_like_their_plain_forms() {
    let flatten = Rearrange!("b c h w -> b (c h w)");
    let pool = Reduce!("b c (h 2) (w 2) -> b c h w", max);
    let tile = Repeat!("b n -> b n r", r = 2);
    check(
        "Rearrange",
        &[tensor(&[2, 2, 2, 3], 21)],
        &unary(|x| x.apply(&flatten)),
        &unary(|x| x.reshape((2, 12))),
    );
    check(
        "Reduce",
        &[tensor(&[2, 2, 4, 4], 22)],
        &unary(|x| x.apply(&pool)),
        // Not `max_pool2d`: candle 0.11 scales its gradient by the share of maxima in the
        // window (a quarter for one maximum of 2×2), where finite differences give the
        // whole gradient, as `Reduce` does.
        &unary(|x| x.reshape((2, 2, 2, 2, 2, 2))?.max(5)?.max(3)),
    );
    check(
        "Repeat",
        &[tensor(&[2, 3], 23)],
        &unary(|x| x.apply(&tile)),
        &unary(|x| x.unsqueeze(2)?.broadcast_as((2, 3, 2))),
    );
}

/// EinMix from given weight and bias tensors (which the gradients then reach).
fn einmix(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Result<Tensor> {
    let spec = EinMixSpec!(
        "b t c -> b t d",
        weight_shape = "c d",
        bias_shape = "d",
        c = 3,
        d = 2
    );
    let parameters = HashMap::from([
        ("weight".to_owned(), weight.clone()),
        ("bias".to_owned(), bias.clone()),
    ]);
    let mix = spec
        .candle(VarBuilder::from_tensors(
            parameters,
            DType::F64,
            &Device::Cpu,
        ))
        .map_err(einops_error)?;
    mix.forward(x).map_err(einops_error)
}

#[test]
fn einmix_gradients_reach_input_weight_and_bias() {
    check(
        "EinMix",
        // The bias is stored with the output's rank, broadcast over `b` and `t`.
        &[
            tensor(&[2, 4, 3], 24),
            tensor(&[3, 2], 25),
            tensor(&[1, 1, 2], 26),
        ],
        &|xs| Ok(vec![einmix(&xs[0], &xs[1], &xs[2])?]),
        &|xs| {
            Ok(vec![xs[0]
                .broadcast_matmul(&xs[1])?
                .broadcast_add(&xs[2])?])
        },
    );
    // The other axis order of the same mix, where the weight's axes are not the output's.
    let spec = EinMixSpec!("b c t -> b t d", weight_shape = "d c", c = 3, d = 2);
    let parameters = |w: &Tensor| HashMap::from([("weight".to_owned(), w.clone())]);
    check(
        "EinMix, transposed weight",
        &[tensor(&[2, 3, 4], 27), tensor(&[2, 3], 28)],
        &|xs| {
            let mix = spec
                .clone()
                .candle(VarBuilder::from_tensors(
                    parameters(&xs[1]),
                    DType::F64,
                    &Device::Cpu,
                ))
                .map_err(einops_error)?;
            Ok(vec![mix.forward(&xs[0]).map_err(einops_error)?])
        },
        &|xs| {
            Ok(vec![xs[0]
                .transpose(1, 2)?
                .broadcast_matmul(&xs[1].t()?)?])
        },
    );
}
