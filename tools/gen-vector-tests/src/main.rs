//! Generates `tests/it/vectors_macro.rs`: the reference vectors as compile-time macro calls.
//!
//! The macros take their pattern, reduction and axis-length names as literal tokens, so the
//! vectors cannot be looped over at run time the way `tests/it/vectors.rs` does with
//! `einops::dynamic`; each case has to become source code. This tool writes one `#[test]` per
//! rearrange/reduce/repeat case of `tests/data/public.jsonl`, calling the macro on an `IxDyn`
//! input and on a fixed-rank (`Ix0`..`Ix6`) input. Expected results are not copied into the
//! generated file: the tests look their case up by id and compare through the helpers in
//! `tests/it/common/mod.rs`, the same ones `tests/it/vectors.rs` uses.
//!
//! Regenerate after the vectors change:
//!
//! ```text
//! cargo run -p gen-vector-tests            # rewrites tests/it/vectors_macro.rs
//! cargo run -p gen-vector-tests -- --check # exit status 1 if the committed file is stale
//! ```
//!
//! The output is passed through `rustfmt` so that `cargo fmt` leaves it unchanged and
//! `--check` stays meaningful.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

// The vector model is shared with the test harnesses instead of being written twice.
#[path = "../../../tests/it/common/case.rs"]
mod case;

use case::Case;

/// Vector file, relative to the workspace root.
const INPUT: &str = "tests/data/public.jsonl";
/// Generated file, relative to the workspace root.
const OUTPUT: &str = "tests/it/vectors_macro.rs";
/// Largest rank ndarray has a fixed dimension type for (`Ix6`).
const MAX_FIXED_RANK: usize = 6;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args.as_slice() {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("usage: cargo run -p gen-vector-tests [-- --check]");
            return ExitCode::from(2);
        }
    };
    match run(check) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("gen-vector-tests: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(check: bool) -> Result<ExitCode, String> {
    let root = workspace_root();
    let input = root.join(INPUT);
    let text = std::fs::read_to_string(&input).map_err(|e| format!("{}: {e}", input.display()))?;
    let cases = case::parse_cases(&text).map_err(|e| format!("{}: {e}", input.display()))?;
    let source = rustfmt(&generate(&cases)?, &root)?;
    let output = root.join(OUTPUT);
    if check {
        let committed = std::fs::read_to_string(&output).unwrap_or_default();
        if committed == source {
            println!("{OUTPUT} is up to date");
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!("{OUTPUT} is stale: run `cargo run -p gen-vector-tests`");
            Ok(ExitCode::FAILURE)
        }
    } else {
        std::fs::write(&output, source).map_err(|e| format!("{}: {e}", output.display()))?;
        println!("wrote {OUTPUT}");
        Ok(ExitCode::SUCCESS)
    }
}

/// The workspace root, two levels above this crate (`tools/gen-vector-tests`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Formats with the toolchain's rustfmt, run in the workspace root so it finds any
/// `rustfmt.toml` that `cargo fmt` would use.
fn rustfmt(source: &str, root: &Path) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(source.as_bytes())
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// What the generated file needs to import, collected while writing the tests.
#[derive(Default)]
struct Uses {
    macros: BTreeSet<&'static str>,
    helpers: BTreeSet<&'static str>,
    dims: BTreeSet<String>,
}

/// The whole generated file, before rustfmt.
fn generate(cases: &[Case]) -> Result<String, String> {
    let mut uses = Uses::default();
    let mut names = HashSet::new();
    let mut body = String::new();
    let mut tests = 0;
    for case in cases.iter().filter(|c| c.is_rearrange_family()) {
        if matches!(case.stage(), "pattern" | "dtype") {
            continue;
        }
        let name = test_name(&case.id);
        if !names.insert(name.clone()) {
            return Err(format!("two case ids map to the test name `{name}`"));
        }
        match skip_reason(case)? {
            Some(reason) => writeln!(body, "\n// Skipped {}:\n// {reason}.", case.id).unwrap(),
            None => {
                body.push_str(&test_fn(case, &name, &mut uses)?);
                tests += 1;
            }
        }
    }
    // The other operations: every case that gets past the pattern stage.
    type Selects = fn(&Case) -> bool;
    type WriteTest = fn(&Case, &str, &mut Uses) -> Result<String, String>;
    let others: [(Selects, WriteTest); 3] = [
        (is_pack_or_shape, pack_or_shape_test_fn),
        (|case| case.op == "einsum", einsum_test_fn),
        (|case| case.op == "einmix", einmix_test_fn),
    ];
    for (selects, write_test) in others {
        for case in cases
            .iter()
            .filter(|c| selects(c) && c.stage() != "pattern")
        {
            let name = test_name(&case.id);
            if !names.insert(name.clone()) {
                return Err(format!("two case ids map to the test name `{name}`"));
            }
            body.push_str(&write_test(case, &name, &mut uses)?);
            tests += 1;
        }
    }

    let mut out = String::new();
    out.push_str(&header(tests));
    out.push('\n');
    let helpers: Vec<&str> = ["case", "check", "OutRank"]
        .into_iter()
        .chain(uses.helpers.iter().copied())
        .collect();
    writeln!(out, "use crate::common::{{{}}};", helpers.join(", ")).unwrap();
    let macros: Vec<&str> = uses.macros.iter().copied().collect();
    writeln!(out, "use einops::{{{}}};", macros.join(", ")).unwrap();
    if !uses.dims.is_empty() {
        let dims: Vec<&str> = uses.dims.iter().map(String::as_str).collect();
        writeln!(out, "use ndarray::{{{}}};", dims.join(", ")).unwrap();
    }
    out.push_str(&body);
    Ok(out)
}

/// Module documentation of the generated file: that it is generated, how to regenerate it, and
/// which cases it leaves out (so a reader does not look for them there).
fn header(tests: usize) -> String {
    format!(
        "\
//! GENERATED by `cargo run -p gen-vector-tests` from `tests/data/public.jsonl`: do not edit,
//! regenerate. `cargo run -p gen-vector-tests -- --check` fails when this file is stale.
//!
//! The reference vectors through the compile-time macros ({tests} tests). Each test calls the
//! macro with the case's literal pattern and lengths, once on an `IxDyn` input (by reference)
//! and once on a fixed-rank input (by value; a list case passes an array literal of fixed-rank
//! arrays), and checks shape, values and dimension type, or the error's stage and kind, with
//! the helpers of `tests/it/common/mod.rs` that `tests/it/vectors.rs` also uses. pack, unpack and
//! parse_shape cases call `pack!`, `unpack!` and `parse_shape!` the same way and are judged by
//! `tests/it/common/shapes.rs`. einsum cases call `einsum!` with every input as an operand, each
//! fixed-rank operand of its own rank. einmix cases build the layer with `EinMixSpec!` and load
//! the case's weight and bias (inputs 1 and 2), judged by `einmix_verdict` as in `tests/it/vectors.rs`.
//!
//! Not here: pattern-stage errors (compile errors for the macros, covered by the trybuild tests
//! under `tests/ui/`), dtype-stage cases, `mean` of `i64` (a compile error) and lengths whose
//! name is not a Rust identifier; the fixed-rank call is left out for rank errors (a compile
//! error with a fixed-rank input) and for ranks above 6 (ndarray has no `Ix7`). Each skip is a
//! comment naming the case.
"
    )
}

/// Why a case cannot be written as a macro call at all, if it cannot.
fn skip_reason(case: &Case) -> Result<Option<String>, String> {
    if let Some((name, _)) = case
        .axes_lengths
        .iter()
        .find(|(name, _)| !is_rust_ident(name))
    {
        return Ok(Some(format!(
            "axis-length name `{name}` cannot be written as a Rust identifier"
        )));
    }
    let dtype = case
        .input_dtype()
        .ok_or_else(|| format!("{}: inputs of different dtypes", case.id))?;
    if case.reduction.as_deref() == Some("mean") && dtype == "i64" {
        return Ok(Some(
            "`mean` of an integer array is a compile error for `reduce!`".into(),
        ));
    }
    Ok(None)
}

/// One `#[test]` for `case`.
fn test_fn(case: &Case, name: &str, uses: &mut Uses) -> Result<String, String> {
    let op: &'static str = match case.op.as_str() {
        "rearrange" => "rearrange",
        "reduce" => "reduce",
        _ => "repeat",
    };
    uses.macros.insert(op);
    let ty = rust_type(case.input_dtype().unwrap_or_default())
        .ok_or_else(|| format!("{}: unknown dtype", case.id))?;
    let mut args = format!("{:?}", case.pattern);
    if let Some(reduction) = &case.reduction {
        write!(args, ", {reduction}").unwrap();
    }
    for (axis, len) in &case.axes_lengths {
        write!(args, ", {axis} = {len}").unwrap();
    }
    let dyn_out = out_rank(case, None)?;

    let mut f = String::new();
    writeln!(f, "\n/// `{}`: `{}`", case.id, case.pattern).unwrap();
    writeln!(f, "#[test]\nfn {name}() {{").unwrap();
    writeln!(f, "let c = case({:?});", case.id).unwrap();
    if case.list_input {
        uses.helpers.insert("inputs_dyn");
        writeln!(f, "let xs = inputs_dyn::<{ty}>(c);").unwrap();
        writeln!(f, "check(c, {op}!(&xs[..], {args}), OutRank::{dyn_out});").unwrap();
    } else {
        uses.helpers.insert("input_dyn");
        writeln!(f, "let x = input_dyn::<{ty}>(c, 0);").unwrap();
        writeln!(f, "check(c, {op}!(&x, {args}), OutRank::{dyn_out});").unwrap();
    }

    let ranks: BTreeSet<usize> = case.inputs.iter().map(|i| i.shape.len()).collect();
    let fixed_skip = fixed_skip_reason(case, &ranks);
    match (fixed_skip, ranks.first()) {
        (Some(reason), _) => writeln!(f, "// No fixed-rank call: {reason}.").unwrap(),
        (None, Some(&rank)) => {
            let dim = format!("Ix{rank}");
            let fixed_out = out_rank(case, Some(rank))?;
            if case.list_input {
                uses.helpers.insert("inputs_fixed");
                let n = case.inputs.len();
                let names: Vec<String> = (0..n).map(|k| format!("x{k}")).collect();
                let names = names.join(", ");
                writeln!(f, "let [{names}] = inputs_fixed::<{ty}, {dim}, {n}>(c);").unwrap();
                writeln!(
                    f,
                    "check(c, {op}!([{names}], {args}), OutRank::{fixed_out});"
                )
                .unwrap();
            } else {
                uses.helpers.insert("input_fixed");
                writeln!(f, "let x = input_fixed::<{ty}, {dim}>(c, 0);").unwrap();
                writeln!(f, "check(c, {op}!(x, {args}), OutRank::{fixed_out});").unwrap();
            }
            uses.dims.insert(dim);
        }
        (None, None) => return Err(format!("{}: no inputs", case.id)),
    }
    f.push_str("}\n");
    Ok(f)
}

/// Whether the case is a pack, unpack or parse_shape case.
fn is_pack_or_shape(case: &Case) -> bool {
    matches!(case.op.as_str(), "pack" | "unpack" | "parse_shape")
}

/// One `#[test]` for a pack, unpack or parse_shape case: the macro on `IxDyn` inputs (by
/// reference), then on fixed-rank inputs (by value) unless `fixed_skip_reason` says otherwise.
fn pack_or_shape_test_fn(case: &Case, name: &str, uses: &mut Uses) -> Result<String, String> {
    let ty = rust_type(case.input_dtype().unwrap_or_default())
        .ok_or_else(|| format!("{}: unknown dtype", case.id))?;
    let pattern = format!("{:?}", case.pattern);
    let ranks: BTreeSet<usize> = case.inputs.iter().map(|i| i.shape.len()).collect();
    let fixed = match (fixed_skip_reason(case, &ranks), ranks.first()) {
        (None, Some(&rank)) => Ok(format!("Ix{rank}")),
        (Some(reason), _) => Err(reason),
        (None, None) => return Err(format!("{}: no inputs", case.id)),
    };
    let mut f = String::new();
    writeln!(f, "\n/// `{}`: `{}`", case.id, case.pattern.escape_debug()).unwrap();
    writeln!(f, "#[test]\nfn {name}() {{").unwrap();
    writeln!(f, "let c = case({:?});", case.id).unwrap();
    // `dyn_call` / `fixed_call`: the call on the `IxDyn` / fixed-rank input(s), judged.
    let (dyn_call, fixed_call) = match case.op.as_str() {
        "pack" => {
            uses.macros.insert("pack");
            uses.helpers.extend(["inputs_dyn", "shapes::check_pack"]);
            // The packed rank is the names of the pattern plus one, whatever the inputs.
            let packed_rank = case.pattern.split_whitespace().count();
            let out = match packed_rank <= MAX_FIXED_RANK {
                true => "Fixed",
                false => "Dynamic",
            };
            writeln!(f, "let xs = inputs_dyn::<{ty}>(c);").unwrap();
            let n = case.inputs.len();
            let names: Vec<String> = (0..n).map(|k| format!("x{k}")).collect();
            let names = names.join(", ");
            (
                format!("check_pack(c, pack!(&xs[..], {pattern}), OutRank::{out});"),
                format!(
                    "let [{names}] = inputs_fixed::<{ty}, {{dim}}, {n}>(c);\n\
                     check_pack(c, pack!([{names}], {pattern}), OutRank::{out});"
                ),
            )
        }
        "unpack" => {
            uses.macros.insert("unpack");
            uses.helpers
                .extend(["input_dyn", "shapes::check_unpack", "shapes::packed_shapes"]);
            writeln!(f, "let shapes = packed_shapes(c);").unwrap();
            writeln!(f, "let x = input_dyn::<{ty}>(c, 0);").unwrap();
            // Hand-built packed shapes are `IxDyn`, so are the outputs.
            (
                format!("check_unpack(c, unpack!(&x, &shapes, {pattern}), OutRank::Dynamic);"),
                format!(
                    "let x = input_fixed::<{ty}, {{dim}}>(c, 0);\n\
                     check_unpack(c, unpack!(x, &shapes, {pattern}), OutRank::Dynamic);"
                ),
            )
        }
        _ => {
            uses.macros.insert("parse_shape");
            uses.helpers
                .extend(["input_dyn", "shapes::check_parse_shape"]);
            let names = shape_names(&case.pattern);
            if let Some(name) = names.iter().find(|n| !is_rust_ident(n)) {
                writeln!(
                    f,
                    "// Skipped: axis `{name}` cannot be a Rust field name.\n}}"
                )
                .unwrap();
                return Ok(f);
            }
            let read = match names.is_empty() {
                true => "|_| vec![]".to_owned(),
                false => {
                    let pairs: Vec<String> =
                        names.iter().map(|n| format!("({n:?}, s.{n})")).collect();
                    format!("|s| vec![{}]", pairs.join(", "))
                }
            };
            writeln!(f, "let x = input_dyn::<{ty}>(c, 0);").unwrap();
            (
                format!("check_parse_shape(c, parse_shape!(&x, {pattern}).map({read}));"),
                format!(
                    "let x = input_fixed::<{ty}, {{dim}}>(c, 0);\n\
                     check_parse_shape(c, parse_shape!(x, {pattern}).map({read}));"
                ),
            )
        }
    };
    writeln!(f, "{dyn_call}").unwrap();
    match fixed {
        Ok(dim) => {
            uses.helpers.insert(match case.op.as_str() {
                "pack" => "inputs_fixed",
                _ => "input_fixed",
            });
            writeln!(f, "{}", fixed_call.replace("{dim}", &dim)).unwrap();
            uses.dims.insert(dim);
        }
        Err(reason) => writeln!(f, "// No fixed-rank call: {reason}.").unwrap(),
    }
    f.push_str("}\n");
    Ok(f)
}

/// The axis names a valid parse_shape pattern reports, in order (`_`, `...`, numbers and
/// parentheses left out).
fn shape_names(pattern: &str) -> Vec<String> {
    pattern
        .split([' ', '(', ')'])
        .filter(|t| !t.is_empty() && *t != "_" && *t != "...")
        .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

/// One `#[test]` for an einsum case: `einsum!` on the `IxDyn` inputs (by reference), then on
/// fixed-rank inputs of each operand's own rank (by value), except for rank errors (a compile
/// error with fixed-rank operands) and ranks above 6.
fn einsum_test_fn(case: &Case, name: &str, uses: &mut Uses) -> Result<String, String> {
    uses.macros.insert("einsum");
    uses.helpers.insert("inputs_dyn");
    let ty = rust_type(case.input_dtype().unwrap_or_default())
        .ok_or_else(|| format!("{}: unknown or mixed dtypes", case.id))?;
    let pattern = format!("{:?}", case.pattern);
    let n = case.inputs.len();
    let ranks: Vec<usize> = case.inputs.iter().map(|i| i.shape.len()).collect();
    let mut f = String::new();
    writeln!(f, "\n/// `{}`: `{}`", case.id, case.pattern.escape_debug()).unwrap();
    writeln!(f, "#[test]\nfn {name}() {{").unwrap();
    writeln!(f, "let c = case({:?});", case.id).unwrap();
    writeln!(f, "let xs = inputs_dyn::<{ty}>(c);").unwrap();
    let refs: Vec<String> = (0..n).map(|k| format!("&xs[{k}]")).collect();
    let out = einsum_out_rank(case, None)?;
    let refs = refs.join(", ");
    writeln!(f, "check(c, einsum!({refs}, {pattern}), OutRank::{out});").unwrap();
    let skip = match ranks.iter().find(|&&r| r > MAX_FIXED_RANK) {
        _ if case.stage() == "rank" => {
            Some("a fixed-rank operand of the wrong rank is a compile error".to_owned())
        }
        Some(rank) => Some(format!(
            "ndarray has no fixed dimension type for rank {rank}"
        )),
        None => None,
    };
    if let Some(reason) = skip {
        writeln!(f, "// No fixed-rank call: {reason}.").unwrap();
    } else {
        uses.helpers.insert("input_fixed");
        for (k, rank) in ranks.iter().enumerate() {
            let dim = format!("Ix{rank}");
            writeln!(f, "let x{k} = input_fixed::<{ty}, {dim}>(c, {k});").unwrap();
            uses.dims.insert(dim);
        }
        let names: Vec<String> = (0..n).map(|k| format!("x{k}")).collect();
        let out = einsum_out_rank(case, Some(&ranks))?;
        let names = names.join(", ");
        writeln!(f, "check(c, einsum!({names}, {pattern}), OutRank::{out});").unwrap();
    }
    f.push_str("}\n");
    Ok(f)
}

/// One `#[test]` for an einmix case: the spec from `EinMixSpec!` with the case's literal
/// pattern, weight and bias shapes and lengths, judged like the run-time constructor's.
fn einmix_test_fn(case: &Case, name: &str, uses: &mut Uses) -> Result<String, String> {
    uses.macros.insert("EinMixSpec");
    uses.helpers.extend(["einmix_verdict", "report"]);
    let ty = rust_type(case.input_dtype().unwrap_or_default())
        .ok_or_else(|| format!("{}: unknown or mixed dtypes", case.id))?;
    let mut args = vec![format!("{:?}", case.pattern)];
    let weight = case
        .weight_shape
        .as_ref()
        .ok_or_else(|| format!("{}: no weight_shape", case.id))?;
    args.push(format!("weight_shape = {weight:?}"));
    if let Some(bias) = &case.bias_shape {
        args.push(format!("bias_shape = {bias:?}"));
    }
    for (axis, length) in &case.axes_lengths {
        if !is_rust_ident(axis) {
            return Err(format!(
                "{}: axis `{axis}` is not a Rust identifier",
                case.id
            ));
        }
        args.push(format!("{axis} = {length}"));
    }
    let mut f = String::new();
    writeln!(f, "\n/// `{}`: `{}`", case.id, case.pattern.escape_debug()).unwrap();
    writeln!(f, "#[test]\nfn {name}() {{").unwrap();
    writeln!(f, "let c = case({:?});", case.id).unwrap();
    writeln!(f, "let spec = EinMixSpec!({});", args.join(", ")).unwrap();
    writeln!(f, "report(c, einmix_verdict::<{ty}>(c, Ok(spec)));").unwrap();
    f.push_str("}\n");
    Ok(f)
}

/// The dimension type `einsum!` promises (`OutRank` variant name): fixed unless the output has
/// a bare ellipsis whose dimensions only run time knows (`IxDyn` operands), or more than 6
/// dimensions. `ranks` holds each fixed-rank operand's rank, `None` for `IxDyn` operands.
fn einsum_out_rank(case: &Case, ranks: Option<&[usize]>) -> Result<&'static str, String> {
    let (left, right) = case
        .pattern
        .split_once("->")
        .ok_or_else(|| format!("{}: no arrow in a non-pattern-error case", case.id))?;
    let (right_items, right_ellipsis) = top_level_items(right);
    let rank = match (right_ellipsis, ranks) {
        (false, _) => Some(right_items),
        (true, None) => None,
        (true, Some(ranks)) => {
            // The ellipsis covers as many dimensions as the most any operand's matches.
            let covered = left
                .split(',')
                .zip(ranks)
                .filter_map(|(operand, &rank)| match top_level_items(operand) {
                    (items, true) => Some(rank.saturating_sub(items)),
                    (_, false) => None,
                })
                .max()
                .unwrap_or(0);
            Some(right_items + covered)
        }
    };
    if let (Some(rank), Some(expected)) = (rank, case.expected_array()?) {
        if rank != expected.shape.len() {
            return Err(format!(
                "{}: computed output rank {rank}, the vector says {}",
                case.id,
                expected.shape.len()
            ));
        }
    }
    Ok(match rank {
        Some(rank) if rank <= MAX_FIXED_RANK => "Fixed",
        _ => "Dynamic",
    })
}

/// Why a case gets no call with fixed-rank (`Ix0`..`Ix6`) inputs, if it does not.
fn fixed_skip_reason(case: &Case, ranks: &BTreeSet<usize>) -> Option<String> {
    if case.stage() == "rank" {
        return Some("a fixed-rank input of the wrong rank is a compile error".to_owned());
    }
    if ranks.len() != 1 {
        return Some(format!("list elements of different ranks {ranks:?}"));
    }
    ranks
        .iter()
        .find(|&&r| r > MAX_FIXED_RANK)
        .map(|rank| format!("ndarray has no fixed dimension type for rank {rank}"))
}

/// The dimension type the API promises for a call (`OutRank` variant name): fixed whenever the
/// output rank is known at compile time and ndarray has an `IxN` for it (N <= 6), else `IxDyn`.
/// `input_rank` is the rank of each fixed-rank input, `None` for `IxDyn` inputs.
fn out_rank(case: &Case, input_rank: Option<usize>) -> Result<&'static str, String> {
    let (left, right) = case
        .pattern
        .split_once("->")
        .ok_or_else(|| format!("{}: no arrow in a non-pattern-error case", case.id))?;
    let (left_items, _) = top_level_items(left);
    let (right_items, right_ellipsis) = top_level_items(right);
    let rank = match (right_ellipsis, input_rank) {
        (false, _) => Some(right_items),
        (true, None) => None,
        (true, Some(rank)) => {
            // A list is stacked on a new axis 0, which the pattern counts.
            let stacked = rank + usize::from(case.list_input);
            let covered = stacked
                .checked_sub(left_items)
                .ok_or_else(|| format!("{}: input rank {stacked} below the pattern's", case.id))?;
            Some(right_items + covered)
        }
    };
    if let (Some(rank), Some(expected)) = (rank, case.expected_array()?) {
        // Cross-check this small parser against the recorded result.
        if rank != expected.shape.len() {
            return Err(format!(
                "{}: computed output rank {rank}, the vector says {}",
                case.id,
                expected.shape.len()
            ));
        }
    }
    Ok(match rank {
        Some(rank) if rank <= MAX_FIXED_RANK => "Fixed",
        _ => "Dynamic",
    })
}

/// Counts the top-level items (dimensions) of one side of a valid pattern, not counting a
/// top-level `...`, and says whether there is one. A group counts once; `1` is a dimension.
fn top_level_items(side: &str) -> (usize, bool) {
    // Top-level words of the side; a group becomes the single word "(".
    let mut words = Vec::new();
    let mut depth = 0usize;
    let mut token = String::new();
    for c in side.chars().chain([' ']) {
        if !matches!(c, ' ' | '(' | ')') {
            token.push(c);
            continue;
        }
        if depth == 0 && !token.is_empty() {
            words.push(std::mem::take(&mut token));
        }
        token.clear();
        match c {
            '(' => {
                if depth == 0 {
                    words.push("(".to_owned());
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let ellipsis = words.iter().any(|w| w == "...");
    (words.len() - usize::from(ellipsis), ellipsis)
}

/// Rust element type of a vector dtype.
fn rust_type(dtype: &str) -> Option<&'static str> {
    match dtype {
        "f64" => Some("f64"),
        "f32" => Some("f32"),
        "i64" => Some("i64"),
        _ => None,
    }
}

/// Test function name for a case id: `seed.split_tb` → `seed_split_tb`.
fn test_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "case_");
    }
    name
}

/// Whether `name` can be written as a plain `name = len` argument. Only ASCII identifiers that
/// are not keywords: rustc NFC-normalises non-ASCII identifiers, which could change the name the
/// macro sees, and a raw identifier `r#for` would be a different token from the pattern's `for`.
fn is_rust_ident(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "_", "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
        "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box",
        "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}
