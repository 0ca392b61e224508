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

use std::collections::BTreeMap;

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
    Device::flex()
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
    let ops = [
        "rearrange",
        "reduce",
        "repeat",
        "einsum",
        "pack",
        "unpack",
        "parse_shape",
    ];
    let cases: Vec<&Case> = common::cases()
        .iter()
        .filter(|c| ops.contains(&c.op.as_str()))
        .collect();
    let other_ops = common::cases().len() - cases.len();
    let mut tally: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let verdict = match case.input_dtype() {
            Some("f64") => run_case::<f64>(case),
            Some("f32") => run_case::<f32>(case),
            Some("i64") => run_case::<i64>(case),
            other => Some(Verdict::Fail(format!(
                "input dtype {other:?} has no burn dtype"
            ))),
        };
        let entry = tally.entry(case.op.as_str()).or_default();
        match verdict {
            None => entry[3] += 1,
            Some(Verdict::Pass { .. }) => entry[0] += 1,
            Some(Verdict::Quirk {
                acceptable: true, ..
            }) => entry[2] += 1,
            Some(Verdict::Quirk { what, .. } | Verdict::Fail(what)) => {
                entry[1] += 1;
                failures.push(format!(
                    "{} `{}`: {what}",
                    case.id,
                    case.pattern.escape_debug()
                ));
            }
        }
    }
    println!(
        "reference vectors on burn (flex CPU), op: passed / failed / acceptable quirk / skipped"
    );
    for (op, [passed, failed, quirk, skipped]) in &tally {
        println!("{op:<12} {passed:>4} {failed:>4} {quirk:>4} {skipped:>4}");
    }
    let skipped: usize = tally.values().map(|t| t[3]).sum();
    println!("skipped: {skipped} case(s) with a rank-0 input (burn has no rank 0)");
    println!("not run here: {other_ops} case(s) of other ops (einmix: layers)");
    assert!(cases.len() >= 340, "only {} cases", cases.len());
    assert!(
        skipped * 10 <= cases.len(),
        "{skipped} of {} cases skipped",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) differ on burn:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
