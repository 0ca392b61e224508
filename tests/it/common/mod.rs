//! Helpers shared by the reference-vector harnesses `tests/it/vectors.rs` (run-time patterns) and
//! the generated `tests/it/vectors_macro.rs` (compile-time patterns): loading the vectors, building
//! inputs exactly as the README defines them, and judging a result against a case. Keeping one
//! copy means the two harnesses apply the same comparison rules.

// Each test binary that includes this module uses a different subset of it.
#![allow(dead_code)]

pub mod case;
pub mod shapes;

use std::fmt::Debug;
use std::sync::OnceLock;

use ndarray::{Array, ArrayD, Dimension, IxDyn};

pub use case::{Case, ExpectedArray};

/// Path of the vector file, relative to the root package.
pub const VECTORS: &str = "tests/data/public.jsonl";

/// All cases of `tests/data/public.jsonl`, parsed once per test binary (the macro tests look
/// their case up by id, one test per case, so re-parsing per test would be wasteful).
pub fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let path = format!("{}/{VECTORS}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        case::parse_cases(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    })
}

/// The case with this id. Panics if it is missing: a generated test whose case disappeared
/// means `tests/it/vectors_macro.rs` must be regenerated.
pub fn case(id: &str) -> &'static Case {
    cases().iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!("no case `{id}` in {VECTORS}; regenerate with `cargo run -p gen-vector-tests`")
    })
}

/// Element types the vectors use for inputs (`f64`, `f32`, `i64`).
pub trait Elem: Clone + Debug + 'static {
    /// The vector dtype name of this type.
    const DTYPE: &'static str;
    /// Whether results of `sum`/`mean`/`prod` are compared with a tolerance.
    const FLOAT: bool;
    /// Relative tolerance for float reductions (README: 1e-5 for f32, 1e-10 for f64).
    const TOL: f64;
    /// `arange` value cast to this type (values are small integers, exact in every dtype).
    fn from_index(v: i64) -> Self;
    /// The value for comparison with a JSON number.
    fn num(&self) -> Num;
}

/// A result element widened for comparison: integers stay exact, floats become f64 (an f32
/// widens exactly, and the vectors write f32 values as the exact f64 of the f32).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// An integer element.
    Int(i64),
    /// A float element.
    Float(f64),
}

impl Elem for f64 {
    const DTYPE: &'static str = "f64";
    const FLOAT: bool = true;
    const TOL: f64 = 1e-10;
    fn from_index(v: i64) -> Self {
        v as f64
    }
    fn num(&self) -> Num {
        Num::Float(*self)
    }
}

impl Elem for f32 {
    const DTYPE: &'static str = "f32";
    const FLOAT: bool = true;
    const TOL: f64 = 1e-5;
    fn from_index(v: i64) -> Self {
        v as f32
    }
    fn num(&self) -> Num {
        Num::Float(f64::from(*self))
    }
}

impl Elem for i64 {
    const DTYPE: &'static str = "i64";
    const FLOAT: bool = false;
    const TOL: f64 = 0.0;
    fn from_index(v: i64) -> Self {
        v
    }
    fn num(&self) -> Num {
        Num::Int(*self)
    }
}

/// Input `k` of `case`: `arange(prod(shape)) + start`, row-major, as an `IxDyn` array.
pub fn input_dyn<A: Elem>(case: &Case, k: usize) -> ArrayD<A> {
    let spec = &case.inputs[k];
    assert_eq!(
        spec.dtype,
        A::DTYPE,
        "{}: input {k} is {}, the harness built {}",
        case.id,
        spec.dtype,
        A::DTYPE
    );
    let len: usize = spec.shape.iter().product();
    let data = (0..len)
        .map(|i| A::from_index(i as i64 + spec.start))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&spec.shape), data).expect("shape and data length agree")
}

/// Every input of `case` as `IxDyn` arrays (the list of a list-input case).
pub fn inputs_dyn<A: Elem>(case: &Case) -> Vec<ArrayD<A>> {
    (0..case.inputs.len()).map(|k| input_dyn(case, k)).collect()
}

/// Input `k` of `case` with a fixed-rank dimension type (`Ix0`..`Ix6`).
pub fn input_fixed<A: Elem, D: Dimension>(case: &Case, k: usize) -> Array<A, D> {
    input_dyn(case, k)
        .into_dimensionality::<D>()
        .unwrap_or_else(|e| {
            panic!(
                "{}: input {k} as {}: {e}",
                case.id,
                std::any::type_name::<D>()
            )
        })
}

/// The `N` inputs of a list-input case, each with a fixed-rank dimension type, so a test can
/// destructure them and pass an array literal `[x0, x1, ...]` to a macro.
pub fn inputs_fixed<A: Elem, D: Dimension, const N: usize>(case: &Case) -> [Array<A, D>; N] {
    let all: Vec<Array<A, D>> = (0..case.inputs.len())
        .map(|k| input_fixed(case, k))
        .collect();
    all.try_into()
        .unwrap_or_else(|v: Vec<_>| panic!("{}: {} inputs, the test expects {N}", case.id, v.len()))
}

/// The lengths of a case as the run-time API takes them. `Err` names a length that a `usize`
/// cannot hold (none in the current vectors; einops treats negatives as a quirk).
pub fn lengths(case: &Case) -> Result<Vec<(&str, usize)>, String> {
    case.axes_lengths
        .iter()
        .map(|(name, n)| {
            usize::try_from(*n)
                .map(|n| (name.as_str(), n))
                .map_err(|_| format!("axis length {name} = {n} does not fit a usize"))
        })
        .collect()
}

/// What the dimension type of a result must be, per the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutRank {
    /// `Ix0`..`Ix6` (pattern without ellipsis, or fixed-rank input).
    Fixed,
    /// `IxDyn` (ellipsis with an `IxDyn` input, and every run-time-pattern call).
    Dynamic,
}

/// How one call compared with its case.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Matches the case. `notes` lists accepted deliberate differences (e.g. `any`/`all`
    /// returning the input dtype instead of `bool`).
    Pass {
        /// Accepted differences, for the summary.
        notes: Vec<String>,
    },
    /// Does not match a non-quirk case.
    Fail(String),
    /// A quirk case; `acceptable` when the port either reproduced einops or returned an error.
    Quirk {
        /// Reproduced einops, or rejected the input with an error.
        acceptable: bool,
        /// What happened.
        what: String,
    },
}

/// Stage name of an error as the vectors spell it.
pub fn stage_name(stage: einops::Stage) -> &'static str {
    // Exhaustive on purpose: a new stage must get a name here before the harness compiles.
    match stage {
        einops::Stage::Pattern => "pattern",
        einops::Stage::Rank => "rank",
        einops::Stage::Shape => "shape",
        einops::Stage::Dtype => "dtype",
        einops::Stage::Backend => "backend",
    }
}

/// Judges `got` against `case`: shape, values, dtype and layout of a success, or stage and kind
/// of an error; quirk cases are classified instead of failed.
pub fn evaluate<A: Elem, D: Dimension>(
    case: &Case,
    got: &Result<Array<A, D>, einops::Error>,
    out: OutRank,
) -> Verdict {
    classify(case, got.as_ref().err(), judge(case, got, out))
}

/// The verdict for a call that ended in `error` (or succeeded) and compared as `strict`
/// (`Ok(notes)` when it matches the case): quirk cases are classified instead of failed.
pub fn classify(
    case: &Case,
    error: Option<&einops::Error>,
    strict: Result<Vec<String>, String>,
) -> Verdict {
    let Some(quirk) = &case.quirk else {
        return match strict {
            Ok(notes) => Verdict::Pass { notes },
            Err(msg) => Verdict::Fail(msg),
        };
    };
    match (strict, error) {
        (Ok(_), None) => Verdict::Quirk {
            acceptable: true,
            what: format!("reproduces the einops result ({quirk})"),
        },
        (Ok(_), Some(e)) => Verdict::Quirk {
            acceptable: true,
            what: format!(
                "reproduces the einops error as stage {} kind {} ({quirk}): {e}",
                stage_name(e.stage()),
                e.kind()
            ),
        },
        (Err(_), Some(e)) => Verdict::Quirk {
            acceptable: true,
            what: format!(
                "rejected with stage {} kind {}: {e}",
                stage_name(e.stage()),
                e.kind()
            ),
        },
        (Err(msg), None) => Verdict::Quirk {
            acceptable: false,
            what: format!("neither reproduces einops nor errors: {msg}"),
        },
    }
}

/// Panics unless `got` passes `case` (or is an acceptable outcome of a quirk case); the form
/// the generated macro tests use.
pub fn check<A: Elem, D: Dimension>(
    case: &Case,
    got: Result<Array<A, D>, einops::Error>,
    out: OutRank,
) {
    report(case, evaluate(case, &got, out));
}

/// Panics on a failed verdict and prints a quirk one; the form the generated macro tests use.
pub fn report(case: &Case, verdict: Verdict) {
    match verdict {
        Verdict::Pass { .. } => {}
        Verdict::Fail(msg) => panic!("{} `{}`: {msg}", case.id, case.pattern),
        Verdict::Quirk { acceptable, what } => {
            // Quirk outcomes are reported, not failed (see shared/vectors/README.md).
            let tag = if acceptable {
                "quirk"
            } else {
                "QUIRK, NOT ACCEPTABLE"
            };
            println!("{tag}: {} `{}`: {what}", case.id, case.pattern);
        }
    }
}

/// The strict comparison: `Ok(notes)` when `got` matches `case`, else why not.
fn judge<A: Elem, D: Dimension>(
    case: &Case,
    got: &Result<Array<A, D>, einops::Error>,
    out: OutRank,
) -> Result<Vec<String>, String> {
    check_out_rank::<D>(out)?;
    judge_outcome(case, got, |y| match case.expected_array()? {
        Some(exp) => compare_array(case, &exp, y),
        None => Err("case has neither expected nor expected_error".into()),
    })
}

/// Whether the dimension type `D` of a result is what the API promises.
pub fn check_out_rank<D: Dimension>(out: OutRank) -> Result<(), String> {
    match (out, D::NDIM) {
        (OutRank::Fixed, None) => {
            Err("output dimension type is IxDyn, the API promises a fixed rank".into())
        }
        (OutRank::Dynamic, Some(n)) => Err(format!(
            "output dimension type has fixed rank {n}, expected IxDyn"
        )),
        _ => Ok(()),
    }
}

/// Compares the outcome of a call with `case`: an error's stage and kind, or, for a success,
/// what `ok` says of the value (`Ok(notes)` when it matches).
pub fn judge_outcome<T>(
    case: &Case,
    got: &Result<T, einops::Error>,
    ok: impl FnOnce(&T) -> Result<Vec<String>, String>,
) -> Result<Vec<String>, String> {
    match (got, &case.expected_error) {
        (Err(e), Some(exp)) => {
            let stage = stage_name(e.stage());
            if stage == exp.stage && e.kind() == exp.kind {
                Ok(Vec::new())
            } else {
                Err(format!(
                    "expected error stage {} kind {}, got stage {stage} kind {}: {e}",
                    exp.stage,
                    exp.kind,
                    e.kind()
                ))
            }
        }
        (Ok(_), Some(exp)) => Err(format!(
            "expected error stage {} kind {}, got Ok",
            exp.stage, exp.kind
        )),
        (Err(e), None) => Err(format!(
            "expected success, got error stage {} kind {}: {e}",
            stage_name(e.stage()),
            e.kind()
        )),
        (Ok(y), None) => ok(y),
    }
}

/// Shape, dtype, layout and values of a successful result.
fn compare_array<A: Elem, D: Dimension>(
    case: &Case,
    exp: &ExpectedArray,
    y: &Array<A, D>,
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    if y.shape() != exp.shape.as_slice() {
        return Err(format!("shape {:?}, expected {:?}", y.shape(), exp.shape));
    }
    let reduction = case.reduction.as_deref().unwrap_or("");
    if exp.dtype != A::DTYPE {
        let any_all = case.op == "reduce" && matches!(reduction, "any" | "all");
        if any_all && exp.dtype == "bool" {
            // Deliberate difference: any/all keep the element type and yield 0/1.
            notes.push(format!("{reduction} returns {} 0/1, einops bool", A::DTYPE));
        } else {
            return Err(format!("dtype {}, expected {}", A::DTYPE, exp.dtype));
        }
    }
    if !y.is_standard_layout() {
        return Err(format!(
            "output is not in standard layout (strides {:?})",
            y.strides()
        ));
    }
    let tolerant = A::FLOAT
        && (matches!(case.op.as_str(), "einsum" | "einmix")
            || case.op == "reduce" && matches!(reduction, "sum" | "mean" | "prod"));
    let mut bad = Vec::new();
    for (i, (g, e)) in y.iter().zip(&exp.values).enumerate() {
        if !value_matches(g.num(), e, tolerant.then_some(A::TOL)) {
            bad.push(format!("[{i}] = {g:?}, expected {e}"));
        }
    }
    if bad.is_empty() {
        Ok(notes)
    } else {
        let n = bad.len();
        bad.truncate(8);
        Err(format!(
            "{n} of {} values differ: {}",
            exp.values.len(),
            bad.join(", ")
        ))
    }
}

/// Exact equality, or `|got - exp| <= tol * max(1, |exp|)` when a tolerance applies.
fn value_matches(got: Num, exp: &serde_json::Value, tol: Option<f64>) -> bool {
    match got {
        Num::Int(g) => exp.as_i64() == Some(g),
        Num::Float(g) => {
            let Some(e) = exp.as_f64() else {
                return false;
            };
            match tol {
                Some(tol) => (g - e).abs() <= tol * e.abs().max(1.0),
                None => g == e,
            }
        }
    }
}

/// Judges an EinMix layer built for `case` (by `EinMixSpec::new` or `EinMixSpec!`): a pattern
/// error's stage and kind, or the parameter shapes it asks for and, with the case's weight
/// (input 1) and bias (input 2) loaded, its output on input 0.
pub fn einmix_verdict<A: Elem + einops::layers::MixElement>(
    case: &Case,
    spec: Result<einops::layers::EinMixSpec, einops::Error>,
) -> Verdict {
    let shapes = spec.as_ref().ok().map(|spec| {
        let weight = spec.weight_shape().map_err(|e| e.to_string())?;
        let bias = spec.bias_shape().map_err(|e| e.to_string())?;
        Ok::<_, String>((weight, bias))
    });
    if let (Some(got), Ok(Some(expected))) = (shapes, case.expected_parameter_shapes()) {
        match got {
            Ok(got) if got == expected => {}
            Ok(got) => {
                return Verdict::Fail(format!("parameter shapes {got:?}, expected {expected:?}"))
            }
            Err(msg) => return Verdict::Fail(msg),
        }
    }
    let got = spec.and_then(|spec| {
        let bias = case.bias_shape.as_ref().map(|_| input_dyn::<A>(case, 2));
        let layer = spec.with_params(input_dyn::<A>(case, 1), bias)?;
        layer.forward(&input_dyn::<A>(case, 0))
    });
    evaluate(case, &got, OutRank::Dynamic)
}

/// The ops a tensor backend runs from the vectors (einmix cases go to the layers' tests).
const TENSOR_OPS: [&str; 7] = [
    "rearrange",
    "reduce",
    "repeat",
    "einsum",
    "pack",
    "unpack",
    "parse_shape",
];

/// Runs every vector case of the tensor ops through a backend's `run` (`None`: a case the
/// backend cannot express, for `why_skipped`), prints the tally per op and fails on any
/// case that differs, or when more than a tenth are skipped.
pub fn check_tensor_backend(
    backend: &str,
    why_skipped: &str,
    run: impl Fn(&Case) -> Option<Verdict>,
) {
    let all = cases();
    let cases: Vec<&Case> = all
        .iter()
        .filter(|c| TENSOR_OPS.contains(&c.op.as_str()))
        .collect();
    let other_ops = all.len() - cases.len();
    let mut tally: std::collections::BTreeMap<&str, [usize; 4]> = Default::default();
    let mut failures = Vec::new();
    for case in &cases {
        let entry = tally.entry(case.op.as_str()).or_default();
        match run(case) {
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
    println!("reference vectors on {backend}, op: passed / failed / acceptable quirk / skipped");
    for (op, [passed, failed, quirk, skipped]) in &tally {
        println!("{op:<12} {passed:>4} {failed:>4} {quirk:>4} {skipped:>4}");
    }
    let skipped: usize = tally.values().map(|t| t[3]).sum();
    println!("skipped: {skipped} case(s) {why_skipped}");
    println!("not run here: {other_ops} case(s) of other ops (einmix: the layers' tests)");
    assert!(cases.len() >= 340, "only {} cases", cases.len());
    assert!(
        skipped * 10 <= cases.len(),
        "{skipped} of {} cases skipped",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) differ on {backend}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
