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
