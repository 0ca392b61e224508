//! Reference vectors through the run-time pattern API (`einops::dynamic`).
//!
//! Every rearrange/reduce/repeat case of `tests/data/public.jsonl` (expected values and errors
//! recorded from Python einops 0.8.2) is run, pattern-stage errors included, since a run-time
//! pattern must report them as `Err`. One test covers all cases so the summary per op and stage
//! is printed in one place (`cargo test --test vectors -- --nocapture` to see it when passing);
//! the test fails listing every non-quirk case that does not match. The einsum cases run in their
//! own test, through `einops::dynamic::einsum`. The compile-time macros run
//! the same cases in the generated `tests/it/vectors_macro.rs`.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::common;
use crate::common::{evaluate, lengths, Case, Elem, OutRank, Verdict};
use ndarray::{ArrayD, ArrayViewD};

/// Runs one case through `einops::dynamic` with element type `A` and judges the result. A list
/// case is run with each list form the API takes (slice, `Vec`, slice of views); all must pass.
fn run_case<A: Elem + einops::Reducible>(case: &Case) -> Verdict {
    let lengths = match lengths(case) {
        Ok(l) => l,
        Err(msg) => return Verdict::Fail(format!("cannot express the case: {msg}")),
    };
    if case.op == "einsum" {
        return run_einsum::<A>(case, &lengths);
    }
    if matches!(case.op.as_str(), "pack" | "unpack" | "parse_shape") {
        return run_pack_or_shape::<A>(case);
    }
    if !case.list_input {
        let x = common::input_dyn::<A>(case, 0);
        return evaluate(case, &call(case, &x, &lengths), OutRank::Dynamic);
    }
    let xs = common::inputs_dyn::<A>(case);
    let views: Vec<ArrayViewD<A>> = xs.iter().map(|x| x.view()).collect();
    let results = [
        ("&[Array]", call(case, &xs[..], &lengths)),
        ("&Vec<Array>", call(case, &xs, &lengths)),
        ("&[ArrayView]", call(case, &views[..], &lengths)),
    ];
    let mut verdicts = results
        .iter()
        .map(|(form, got)| (form, evaluate(case, got, OutRank::Dynamic)));
    let first = verdicts.next().expect("three forms").1;
    for (form, verdict) in verdicts {
        if verdict != first {
            return Verdict::Fail(format!(
                "list input as {form} gives {verdict:?}, as &[Array] {first:?}"
            ));
        }
    }
    first
}

/// The run-time call for the case's op.
fn call<'a, A, I>(
    case: &Case,
    input: I,
    lengths: &[(&str, usize)],
) -> Result<ArrayD<A>, einops::Error>
where
    A: einops::Reducible,
    I: einops::Operand<'a, Elem = A>,
{
    let pattern = case.pattern.as_str();
    match case.op.as_str() {
        "rearrange" => einops::dynamic::rearrange(input, pattern, lengths),
        "reduce" => {
            let reduction = case.reduction.as_deref().unwrap_or("");
            einops::dynamic::reduce(input, pattern, reduction, lengths)
        }
        "repeat" => einops::dynamic::repeat(input, pattern, lengths),
        op => unreachable!("op {op} is filtered out"),
    }
}

/// Dispatches on the input dtype; a panic inside the library is a failure (the API promises
/// `Err`, never a panic) but must not hide the other cases.
fn run(case: &Case) -> Verdict {
    let outcome = catch_unwind(AssertUnwindSafe(|| match case.input_dtype() {
        Some("f64") if case.op == "einmix" => run_einmix::<f64>(case),
        Some("f32") if case.op == "einmix" => run_einmix::<f32>(case),
        Some("f64") => run_case::<f64>(case),
        Some("f32") => run_case::<f32>(case),
        Some("i64") => run_case::<i64>(case),
        other => Verdict::Fail(format!("unsupported input dtype(s) {other:?}")),
    }));
    outcome.unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("(non-string payload)");
        let verdict_msg = format!("panicked: {msg}");
        match case.quirk {
            Some(_) => Verdict::Quirk {
                acceptable: false,
                what: verdict_msg,
            },
            None => Verdict::Fail(verdict_msg),
        }
    })
}

/// Per (op, stage) tallies for the summary.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    quirk: usize,
    noted: usize,
}

#[test]
fn dynamic_api_matches_reference_vectors() {
    let cases: Vec<&Case> = common::cases()
        .iter()
        .filter(|c| c.is_rearrange_family())
        .collect();
    assert!(
        cases.len() > 200,
        "only {} rearrange/reduce/repeat cases: is {} truncated?",
        cases.len(),
        common::VECTORS
    );
    run_all("einops::dynamic", &cases);
}

/// Runs `cases`, prints the summary per op and stage (headed `api`) and fails listing every
/// non-quirk case that does not match.
fn run_all(api: &str, cases: &[&Case]) {
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut quirks = Vec::new();
    let mut notes: BTreeMap<String, usize> = BTreeMap::new();
    for &case in cases {
        let tally = tallies
            .entry((case.op.clone(), case.stage().to_owned()))
            .or_default();
        match run(case) {
            Verdict::Pass { notes: n } => {
                tally.passed += 1;
                tally.noted += usize::from(!n.is_empty());
                for note in n {
                    *notes.entry(note).or_default() += 1;
                }
            }
            Verdict::Fail(msg) => {
                tally.failed += 1;
                failures.push(format!(
                    "{} [{} {}] `{}`: {msg}",
                    case.id,
                    case.op,
                    case.stage(),
                    case.pattern.escape_debug()
                ));
            }
            Verdict::Quirk { acceptable, what } => {
                tally.quirk += 1;
                let tag = if acceptable {
                    "acceptable"
                } else {
                    "NOT ACCEPTABLE"
                };
                quirks.push(format!(
                    "{} `{}` ({tag}): {what}",
                    case.id,
                    case.pattern.escape_debug()
                ));
            }
        }
    }

    println!("reference vectors, {api}:");
    println!(
        "{:<10} {:<8} {:>6} {:>6} {:>6}  (passed with a deliberate difference)",
        "op", "stage", "passed", "failed", "quirk"
    );
    for ((op, stage), t) in &tallies {
        println!(
            "{op:<10} {stage:<8} {:>6} {:>6} {:>6}  ({})",
            t.passed, t.failed, t.quirk, t.noted
        );
    }
    for (note, n) in &notes {
        println!("deliberate difference, {n} case(s): {note}");
    }
    for q in &quirks {
        println!("quirk: {q}");
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ from einops:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// einsum

/// Every einsum case through `einops::dynamic::einsum_with_lengths`, pattern errors included
/// (the operand count is the case's number of inputs).
#[test]
fn dynamic_einsum_matches_reference_vectors() {
    let cases: Vec<&Case> = common::cases()
        .iter()
        .filter(|c| c.op == "einsum")
        .collect();
    assert!(
        cases.len() >= 26,
        "only {} einsum cases: is {} truncated?",
        cases.len(),
        common::VECTORS
    );
    run_all("einops::dynamic::einsum", &cases);
}

/// One einsum case: the inputs as a slice of owned arrays, and again as views.
fn run_einsum<A: Elem + einops::Reducible>(case: &Case, lengths: &[(&str, usize)]) -> Verdict {
    let xs = common::inputs_dyn::<A>(case);
    let views: Vec<ArrayViewD<A>> = xs.iter().map(|x| x.view()).collect();
    let pattern = case.pattern.as_str();
    let owned = einops::dynamic::einsum_with_lengths(&xs, pattern, lengths);
    let viewed = einops::dynamic::einsum_with_lengths(&views, pattern, lengths);
    let verdict = evaluate(case, &owned, OutRank::Dynamic);
    let again = evaluate(case, &viewed, OutRank::Dynamic);
    if again != verdict {
        return Verdict::Fail(format!("views give {again:?}, owned arrays {verdict:?}"));
    }
    verdict
}

// ---------------------------------------------------------------------------------------
// EinMix

/// Every einmix case through the run-time constructor `EinMixSpec::new`, pattern errors
/// included; the weight and bias are the case's inputs 1 and 2.
#[test]
fn dynamic_einmix_matches_reference_vectors() {
    let cases: Vec<&Case> = common::cases()
        .iter()
        .filter(|c| c.op == "einmix")
        .collect();
    assert!(
        cases.len() >= 11,
        "only {} einmix cases: is {} truncated?",
        cases.len(),
        common::VECTORS
    );
    run_all("einops::layers::EinMixSpec::new", &cases);
}

/// One einmix case.
fn run_einmix<A: Elem + einops::layers::MixElement>(case: &Case) -> Verdict {
    let lengths = match lengths(case) {
        Ok(l) => l,
        Err(msg) => return Verdict::Fail(format!("cannot express the case: {msg}")),
    };
    let weight = case.weight_shape.as_deref().unwrap_or_default();
    let spec = einops::layers::EinMixSpec::new(
        &case.pattern,
        weight,
        case.bias_shape.as_deref(),
        &lengths,
    );
    common::einmix_verdict::<A>(case, spec)
}

// ---------------------------------------------------------------------------------------
// pack, unpack, parse_shape

/// Every pack, unpack and parse_shape case through `einops::dynamic`, pattern errors included.
#[test]
fn dynamic_pack_unpack_parse_shape_match_reference_vectors() {
    let cases: Vec<&Case> = common::cases()
        .iter()
        .filter(|c| matches!(c.op.as_str(), "pack" | "unpack" | "parse_shape"))
        .collect();
    assert!(
        cases.len() >= 48,
        "only {} pack/unpack/parse_shape cases: is {} truncated?",
        cases.len(),
        common::VECTORS
    );
    run_all("einops::dynamic::{pack, unpack, parse_shape}", &cases);
}

/// One pack / unpack / parse_shape case, run twice: pack with a slice of owned arrays and a
/// slice of views, unpack and parse_shape with the input by reference and as a view; both
/// must agree.
fn run_pack_or_shape<A: Elem>(case: &Case) -> Verdict {
    use common::shapes::{evaluate_pack, evaluate_parse_shape, evaluate_unpack, packed_shapes};
    let pattern = case.pattern.as_str();
    let xs = common::inputs_dyn::<A>(case);
    let views: Vec<ArrayViewD<A>> = xs.iter().map(|x| x.view()).collect();
    let (verdict, again) = match case.op.as_str() {
        "pack" => (
            evaluate_pack(case, &einops::dynamic::pack(&xs, pattern), OutRank::Dynamic),
            evaluate_pack(
                case,
                &einops::dynamic::pack(&views, pattern),
                OutRank::Dynamic,
            ),
        ),
        "unpack" => {
            let shapes = packed_shapes(case);
            (
                evaluate_unpack(
                    case,
                    &einops::dynamic::unpack(&xs[0], &shapes, pattern),
                    OutRank::Dynamic,
                ),
                evaluate_unpack(
                    case,
                    &einops::dynamic::unpack(views[0].view(), &shapes, pattern),
                    OutRank::Dynamic,
                ),
            )
        }
        _ => (
            evaluate_parse_shape(case, &einops::dynamic::parse_shape(&xs[0], pattern)),
            evaluate_parse_shape(case, &einops::dynamic::parse_shape(&views[0], pattern)),
        ),
    };
    if again != verdict {
        return Verdict::Fail(format!(
            "the second form gives {again:?}, the first {verdict:?}"
        ));
    }
    verdict
}

/// `tests/data/` holds copies of the shared vector and benchmark files so that a clone is
/// self-contained; this catches a copy going stale. Skipped when `../shared` is not beside the
/// work tree.
#[test]
fn data_copies_match_shared() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (copy, shared) in [
        ("tests/data/public.jsonl", "../shared/vectors/public.jsonl"),
        ("tests/data/views.jsonl", "../shared/vectors/views.jsonl"),
        ("tests/data/cases.json", "../shared/bench/cases.json"),
    ] {
        let shared_path = format!("{root}/{shared}");
        let Ok(original) = std::fs::read(&shared_path) else {
            continue;
        };
        let copy_path = format!("{root}/{copy}");
        let ours = std::fs::read(&copy_path).unwrap_or_else(|e| panic!("{copy_path}: {e}"));
        assert!(
            ours == original,
            "{copy} differs from {shared}: copy the shared file again"
        );
    }
}
