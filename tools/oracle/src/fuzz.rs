//! The logic of the fuzz targets in `fuzz/`, as plain functions of the input bytes, so that
//! stable tests can run the same inputs (the seed corpus, random bytes) without libFuzzer.
//!
//! - [`parse_any`]: arbitrary bytes as a pattern of any kind, through the one parser. It must
//!   return a plan or an error that renders; panicking is the failure.
//! - [`run_any`]: a rearrange/reduce/repeat call through `einops::dynamic`, either a valid case
//!   decoded like the property tests' (possibly mutated into an error case) or arbitrary pattern
//!   text with arbitrary lengths on a small input. Whatever the library returns must agree with
//!   the oracle; an `Err` describes the disagreement.
//!
//! [`seeds`] turns the reference vectors into inputs of both targets.

use einops_runtime::dynamic;
use einops_runtime::pattern::{
    EinsumPlan, Operation, PackOperation, PackPlan, PatternError, Recipe, ShapeOperation, ShapePlan,
};
use einops_runtime::Error;
use ndarray::ArrayD;

use crate::case::{Case, Choices, Op, REDUCTIONS};
use crate::reference::{assert_valid, check, compare, expected, Elem};

/// The operations [`run_any`] picks from with one byte.
const OPS: [Op; 9] = [
    Op::Rearrange,
    Op::Repeat,
    Op::Reduce("sum"),
    Op::Reduce("mean"),
    Op::Reduce("min"),
    Op::Reduce("max"),
    Op::Reduce("prod"),
    Op::Reduce("any"),
    Op::Reduce("all"),
];
/// The pattern kinds [`parse_any`] picks from with its first byte.
const PARSE_KINDS: [&str; 8] = [
    "rearrange",
    "reduce",
    "repeat",
    "einsum",
    "pack",
    "unpack",
    "parse_shape",
    "check_shape",
];
/// Text mode reads input lengths from bytes and skips inputs with more elements.
const MAX_TEXT_INPUT: usize = 4096;
/// Text mode skips calls whose pattern numbers and given lengths multiply to more than this
/// (a bound on how much repeat can multiply the input), so that no call allocates gigabytes.
/// Overflowing lengths are tested in `tests/it/adversarial.rs`.
const MAX_TEXT_FACTOR: u128 = 1 << 12;

/// Fuzz target `parse`: byte 0 picks the pattern kind, the rest is text (lossy UTF-8) split at
/// newlines into the pattern, an extra field (the reduction; for einsum the operand count as
/// its length, or one more than the commas when empty) and the names of given lengths.
///
/// ```
/// einops_oracle::fuzz::parse_any(b"\x01a (b c) -> a\nsum\nb");
/// ```
pub fn parse_any(bytes: &[u8]) {
    let Some((&kind, text)) = bytes.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let mut fields = text.split('\n');
    let pattern = fields.next().unwrap_or_default();
    let extra = fields.next().unwrap_or_default();
    let names: Vec<&str> = fields.collect();
    let result: Result<(), PatternError> = match PARSE_KINDS[usize::from(kind) % PARSE_KINDS.len()]
    {
        "rearrange" => Recipe::new(Operation::Rearrange, pattern, &names).map(drop),
        "reduce" => Recipe::reduce(pattern, extra, &names).map(drop),
        "repeat" => Recipe::new(Operation::Repeat, pattern, &names).map(drop),
        "einsum" => {
            let operands = match extra.len() {
                0 => pattern.matches(',').count() + 1,
                n => n,
            };
            EinsumPlan::new(pattern, operands, &names).map(drop)
        }
        "pack" => PackPlan::new(PackOperation::Pack, pattern).map(drop),
        "unpack" => PackPlan::new(PackOperation::Unpack, pattern).map(drop),
        "parse_shape" => ShapePlan::new(ShapeOperation::ParseShape, pattern, &names).map(drop),
        _ => ShapePlan::new(ShapeOperation::CheckShape, pattern, &names).map(drop),
    };
    if let Err(error) = result {
        explain(&Error::Pattern(error));
    }
}

/// Renders an error every way a user sees it; panicking there is a failure too.
fn explain(error: &Error) -> String {
    if let Error::Pattern(pattern) = error {
        let _ = pattern.headline();
    }
    let _ = (error.kind(), error.stage(), format!("{error:?}"));
    error.to_string()
}

/// Fuzz target `dynamic`: byte 0 picks the mode (modulo 4). 0 and 2: a valid case decoded from
/// the rest like the property tests' (byte 1: operation, byte 2: element type and mutation,
/// bytes 3..11: value seed, bytes 11..19: mutation choices, then the case's choices). 1: byte 1
/// the operation, byte 2 the element type, byte 3 the rank and the next ones the input's
/// lengths, then text (lossy UTF-8): the pattern and, one per line, given lengths `name=value`.
/// 3: einsum on arbitrary pattern text (no oracle: no panic, and a well-formed result).
///
/// ```
/// assert_eq!(einops_oracle::fuzz::run_any(b"\x01\x00\x00\x02\x02\x03a b -> b a"), Ok(()));
/// let mut bytes = vec![0; 32];
/// bytes[1] = 2; // sum
/// assert_eq!(einops_oracle::fuzz::run_any(&bytes), Ok(()));
/// ```
pub fn run_any(bytes: &[u8]) -> Result<(), String> {
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let op = OPS[usize::from(byte(1)) % OPS.len()];
    if byte(0) % 4 == 3 {
        return run_einsum(bytes);
    }
    if byte(0) % 2 == 0 {
        let seed = u64::from_le_bytes(std::array::from_fn(|i| byte(3 + i)));
        let mutation = bytes.get(11..19).unwrap_or_default();
        run_decoded(
            op,
            byte(2),
            seed,
            mutation,
            bytes.get(19..).unwrap_or_default(),
        )
    } else {
        let rank = usize::from(byte(3) % 7);
        let shape: Vec<usize> = (0..rank).map(|i| usize::from(byte(4 + i))).collect();
        let text = String::from_utf8_lossy(bytes.get(4 + rank..).unwrap_or_default());
        run_text(op, byte(2), &shape, &text)
    }
}

/// A valid case, maybe mutated into a case the library must reject (or, when the mutation
/// happens to keep it consistent, compute).
fn run_decoded(op: Op, byte: u8, seed: u64, mutation: &[u8], choices: &[u8]) -> Result<(), String> {
    let c = &mut Choices::new(mutation);
    let mutate = byte % 5;
    let mut case = Case::decode(op, choices, seed, mutate == 1);
    let mean = op == Op::Reduce("mean");
    match mutate {
        0 | 1 => assert_valid(&case)?,
        // The dtype error of an integer mean would compete with the shape or rank error.
        2 if mean => return Ok(()),
        2 => case.contradict(c),
        3 if mean || !case.break_rank(c) => return Ok(()),
        3 => {}
        _ if !REDUCTIONS.contains(&op) || !case.empty_a_reduced_axis(c) => return Ok(()),
        _ => assert_valid(&case)?,
    }
    match (op, byte / 5 % 3) {
        (Op::Reduce("any" | "all"), 2) => check::<bool>(&case),
        (Op::Reduce(_), 1) => check::<f64>(&case),
        _ => check::<i64>(&case),
    }
}

/// Arbitrary pattern text and lengths: whatever the library returns, no panic; a result must
/// equal the oracle's, and so must the `_into` form's.
fn run_text(op: Op, byte: u8, shape: &[usize], text: &str) -> Result<(), String> {
    let elements = shape.iter().try_fold(1usize, |n, &len| n.checked_mul(len));
    if elements.is_none_or(|n| n > MAX_TEXT_INPUT) {
        return Ok(());
    }
    let mut lines = text.split('\n');
    let pattern = lines.next().unwrap_or_default();
    let lengths: Vec<(String, usize)> = lines
        .filter_map(|line| {
            let (name, value) = line.split_once('=')?;
            Some((name.to_owned(), value.trim().parse().ok()?))
        })
        .collect();
    let numbers = pattern
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|digits| digits.parse::<u128>().ok());
    let factor = numbers
        .chain(lengths.iter().map(|&(_, value)| value as u128))
        .try_fold(1u128, |product, n| {
            product
                .checked_mul(n.max(1))
                .filter(|&p| p <= MAX_TEXT_FACTOR)
        });
    if factor.is_none() {
        return Ok(());
    }
    let seed = u64::from(byte);
    let case = |shape: &[usize]| Case::from_text(op, pattern, &lengths, shape, seed);
    match (op, byte % 3) {
        (Op::Reduce("any" | "all"), 2) => run_text_as::<bool>(op, pattern, &lengths, shape, case),
        (Op::Reduce(_), 1) => run_text_as::<f64>(op, pattern, &lengths, shape, case),
        _ => run_text_as::<i64>(op, pattern, &lengths, shape, case),
    }
}

fn run_text_as<T: Elem>(
    op: Op,
    pattern: &str,
    lengths: &[(String, usize)],
    shape: &[usize],
    case: impl Fn(&[usize]) -> Option<Case>,
) -> Result<(), String> {
    let lengths: Vec<(&str, usize)> = lengths.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let values = |seed| crate::case::Values {
        seed,
        spread: 3,
        big: false,
    };
    let mut position = 0;
    let input = ArrayD::from_shape_fn(shape, |_| {
        position += 1;
        values(0).get::<T>(0, position)
    });
    let actual = match op {
        Op::Rearrange => dynamic::rearrange(&input, pattern, &lengths),
        Op::Reduce(reduction) => dynamic::reduce(&input, pattern, reduction, &lengths),
        Op::Repeat => dynamic::repeat(&input, pattern, &lengths),
    };
    let result = match actual {
        Err(error) => {
            explain(&error);
            return Ok(());
        }
        Ok(result) => result,
    };
    let Some(case) = case(shape) else {
        return Err(format!(
            "the library accepted `{pattern}` with {lengths:?} on {shape:?}, which the oracle \
             cannot read"
        ));
    };
    let oracle = expected(&case, shape, &|index: &[usize]| input[index]);
    let mut into = ArrayD::from_elem(result.shape(), values(1).get::<T>(1, 1));
    let written = match op {
        Op::Rearrange => dynamic::rearrange_into(&mut into, &input, pattern, &lengths),
        Op::Reduce(reduction) => {
            dynamic::reduce_into(&mut into, &input, pattern, reduction, &lengths)
        }
        Op::Repeat => dynamic::repeat_into(&mut into, &input, pattern, &lengths),
    };
    compare(&case, Ok(result), oracle.clone())?;
    compare(&case, written.map(|()| into), oracle)
}

/// Fuzz mode 3: `einops::dynamic::einsum_with_lengths` on arbitrary pattern text. Byte 1: the
/// number of operands (1 to 3), byte 2: the element type, then per operand a rank byte and
/// its lengths, then the text as in mode 1. Checked: no panic, errors render, and a result has
/// the output's rank and standard layout (einsum has its own oracle in
/// `tests/it/einsum_oracle.rs`, not shared here).
fn run_einsum(bytes: &[u8]) -> Result<(), String> {
    let mut at = 3;
    let mut next = || {
        let byte = bytes.get(at).copied().unwrap_or(0);
        at += 1;
        byte
    };
    let count = 1 + usize::from(bytes.get(1).copied().unwrap_or(0) % 3);
    let float = bytes.get(2).copied().unwrap_or(0) % 2 == 0;
    let shapes: Vec<Vec<usize>> = (0..count)
        .map(|_| {
            let rank = next() % 5;
            (0..rank).map(|_| usize::from(next() % 8)).collect()
        })
        .collect();
    // The output has at most the product of the operands' lengths as elements.
    let factor: usize = shapes.iter().flatten().map(|&len| len.max(1)).product();
    if factor > 1 << 16 {
        return Ok(());
    }
    let text = String::from_utf8_lossy(bytes.get(at..).unwrap_or_default());
    let mut lines = text.split('\n');
    let pattern = lines.next().unwrap_or_default();
    let lengths: Vec<(&str, usize)> = lines
        .filter_map(|line| {
            let (name, value) = line.split_once('=')?;
            Some((name, value.trim().parse().ok()?))
        })
        .collect();
    let rank = |shape: &[usize]| shape.len();
    let result = if float {
        let operands: Vec<ArrayD<f64>> = shapes
            .iter()
            .map(|shape| ArrayD::from_elem(shape.as_slice(), 1.5))
            .collect();
        dynamic::einsum_with_lengths(&operands, pattern, &lengths)
            .map(|r| (r.is_standard_layout(), r.shape().to_vec()))
    } else {
        let operands: Vec<ArrayD<i64>> = shapes
            .iter()
            .map(|shape| ArrayD::from_elem(shape.as_slice(), 3))
            .collect();
        dynamic::einsum_with_lengths(&operands, pattern, &lengths)
            .map(|r| (r.is_standard_layout(), r.shape().to_vec()))
    };
    match result {
        Err(error) => {
            explain(&error);
            Ok(())
        }
        Ok((true, shape)) => {
            let right = pattern.split("->").nth(1).unwrap_or_default();
            let named = right
                .split_whitespace()
                .filter(|word| !word.contains("..."))
                .count();
            if right.contains("...") || rank(&shape) <= named {
                Ok(())
            } else {
                Err(format!(
                    "einsum `{pattern}` on {shapes:?} returned rank {}",
                    shape.len()
                ))
            }
        }
        Ok((false, shape)) => Err(format!(
            "einsum `{pattern}` on {shapes:?} returned shape {shape:?} not in standard layout"
        )),
    }
}

/// One fuzz input per reference vector and target: `("parse" | "dynamic", id, bytes)`, from the
/// lines of `public.jsonl`. Vectors of operations a target does not run are left out.
///
/// ```
/// let line = r#"{"id":"t","op":"rearrange","pattern":"a b -> b a","reduction":null,"axes_lengths":{},"inputs":[{"shape":[2,3]}],"list_input":false}"#;
/// let seeds = einops_oracle::fuzz::seeds(line);
/// assert_eq!(seeds.len(), 2);
/// for (target, _, bytes) in &seeds {
///     if *target == "dynamic" {
///         assert_eq!(einops_oracle::fuzz::run_any(bytes), Ok(()));
///     }
/// }
/// ```
pub fn seeds(jsonl: &str) -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for line in jsonl.lines().filter(|line| !line.trim().is_empty()) {
        let vector: serde_json::Value = serde_json::from_str(line).expect("a JSON vector per line");
        let text = |key: &str| vector[key].as_str().unwrap_or_default().to_owned();
        let (id, op, pattern, reduction) =
            (text("id"), text("op"), text("pattern"), text("reduction"));
        let lengths: Vec<(String, u64)> = vector["axes_lengths"]
            .as_object()
            .map(|lengths| {
                lengths
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), value.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let inputs = vector["inputs"].as_array().cloned().unwrap_or_default();
        let dims = |input: &serde_json::Value| -> Vec<u64> {
            input["shape"]
                .as_array()
                .map(|shape| shape.iter().filter_map(serde_json::Value::as_u64).collect())
                .unwrap_or_default()
        };

        if let Some(kind) = PARSE_KINDS.iter().position(|&kind| kind == op) {
            let extra = match op.as_str() {
                "reduce" => reduction.clone(),
                _ => String::new(),
            };
            let names = lengths.iter().map(|(name, _)| format!("\n{name}"));
            let text = format!("{pattern}\n{extra}{}", names.collect::<String>());
            let mut bytes = vec![kind as u8];
            bytes.extend(text.as_bytes());
            seeds.push(("parse", id.clone(), bytes));
        }

        if op == "einsum" {
            let shapes: Vec<Vec<u64>> = inputs.iter().map(dims).collect();
            if (1..=3).contains(&shapes.len())
                && shapes
                    .iter()
                    .all(|s| s.len() < 5 && s.iter().all(|&l| l < 8))
            {
                let mut bytes = vec![3, shapes.len() as u8 - 1, 0];
                for shape in &shapes {
                    bytes.push(shape.len() as u8);
                    bytes.extend(shape.iter().map(|&len| len as u8));
                }
                bytes.extend(pattern.as_bytes());
                for (name, value) in &lengths {
                    bytes.extend(format!("\n{name}={value}").as_bytes());
                }
                seeds.push(("dynamic", id.clone(), bytes));
            }
            continue;
        }
        let op_index = OPS.iter().position(|&candidate| match candidate {
            Op::Rearrange => op == "rearrange",
            Op::Repeat => op == "repeat",
            Op::Reduce(name) => op == "reduce" && reduction == name,
        });
        let Some(op_index) = op_index else { continue };
        let Some(first) = inputs.first() else {
            continue;
        };
        let mut shape = dims(first);
        if vector["list_input"].as_bool() == Some(true) {
            shape.insert(0, inputs.len() as u64);
        }
        if shape.len() > 6 || shape.iter().any(|&len| len > 255) {
            continue;
        }
        // Element type byte: f64 for reductions (mean of integers would only test the error).
        let mut bytes = vec![1, op_index as u8, 1, shape.len() as u8];
        bytes.extend(shape.iter().map(|&len| len as u8));
        bytes.extend(pattern.as_bytes());
        for (name, value) in &lengths {
            bytes.extend(format!("\n{name}={value}").as_bytes());
        }
        seeds.push(("dynamic", id, bytes));
    }
    seeds
}
