//! Judging `pack`, `unpack` and `parse_shape` results, whose expectations are not one array:
//! the packed array plus its packed shapes, a list of arrays, or a name → length map. Errors
//! and quirk cases are judged exactly as for the other ops (`judge_outcome`, `classify`).

use einops::{PackedShape, PackedShapes};
use ndarray::{Array, Dimension};

use super::{
    check_out_rank, classify, compare_array, judge_outcome, report, Case, Elem, OutRank, Verdict,
};

/// The case's `packed_shapes` argument, with einops' `-1` as an unknown dimension.
pub fn packed_shapes(case: &Case) -> PackedShapes {
    let shapes = case
        .packed_shapes
        .as_ref()
        .unwrap_or_else(|| panic!("{}: an unpack case without packed_shapes", case.id));
    shapes
        .iter()
        .map(|dims| {
            let dims: Vec<Option<usize>> = dims.iter().map(|&d| usize::try_from(d).ok()).collect();
            PackedShape::from(dims)
        })
        .collect()
}

/// Judges a `pack` result: the packed array (as for rearrange) and its packed shapes.
pub fn evaluate_pack<A: Elem, D: Dimension, E>(
    case: &Case,
    got: &Result<(Array<A, D>, PackedShapes<E>), einops::Error>,
    out: OutRank,
) -> Verdict {
    let strict = check_out_rank::<D>(out).and_then(|()| {
        judge_outcome(case, got, |(packed, shapes)| {
            let expected = case.expected_packed_shapes()?.unwrap_or_default();
            let got: Vec<Vec<Option<usize>>> = shapes.iter().map(|s| s.dims().to_vec()).collect();
            let want: Vec<Vec<Option<usize>>> = expected
                .iter()
                .map(|s| s.iter().copied().map(Some).collect())
                .collect();
            if got != want {
                return Err(format!("packed shapes {got:?}, expected {want:?}"));
            }
            let array = case.expected_array()?.ok_or("no expected array")?;
            compare_array(case, &array, packed)
        })
    });
    classify(case, got.as_ref().err(), strict)
}

/// Judges an `unpack` result: each output as for rearrange.
pub fn evaluate_unpack<A: Elem, D: Dimension>(
    case: &Case,
    got: &Result<Vec<Array<A, D>>, einops::Error>,
    out: OutRank,
) -> Verdict {
    let strict = check_out_rank::<D>(out).and_then(|()| {
        judge_outcome(case, got, |outputs| {
            let expected = case.expected_outputs()?.unwrap_or_default();
            if outputs.len() != expected.len() {
                return Err(format!(
                    "{} outputs, expected {}",
                    outputs.len(),
                    expected.len()
                ));
            }
            let mut notes = Vec::new();
            for (i, (output, exp)) in outputs.iter().zip(&expected).enumerate() {
                notes.extend(
                    compare_array(case, exp, output).map_err(|e| format!("output {i}: {e}"))?,
                );
            }
            Ok(notes)
        })
    });
    classify(case, got.as_ref().err(), strict)
}

/// Judges a `parse_shape` result, name → length in pattern order (the vector's map is
/// compared as a map).
pub fn evaluate_parse_shape(
    case: &Case,
    got: &Result<Vec<(&str, usize)>, einops::Error>,
) -> Verdict {
    let strict = judge_outcome(case, got, |axes| {
        let mut got: Vec<(String, usize)> =
            axes.iter().map(|&(name, n)| (name.to_owned(), n)).collect();
        got.sort();
        let mut expected = case.expected_axes()?.unwrap_or_default();
        expected.sort();
        match got == expected {
            true => Ok(Vec::new()),
            false => Err(format!("axes {got:?}, expected {expected:?}")),
        }
    });
    classify(case, got.as_ref().err(), strict)
}

/// Panics unless a `pack` result passes (the generated macro tests).
pub fn check_pack<A: Elem, D: Dimension, E>(
    case: &Case,
    got: Result<(Array<A, D>, PackedShapes<E>), einops::Error>,
    out: OutRank,
) {
    report(case, evaluate_pack(case, &got, out));
}

/// Panics unless an `unpack` result passes (the generated macro tests).
pub fn check_unpack<A: Elem, D: Dimension>(
    case: &Case,
    got: Result<Vec<Array<A, D>>, einops::Error>,
    out: OutRank,
) {
    report(case, evaluate_unpack(case, &got, out));
}

/// Panics unless a `parse_shape` result passes (the generated macro tests).
pub fn check_parse_shape(case: &Case, got: Result<Vec<(&str, usize)>, einops::Error>) {
    report(case, evaluate_parse_shape(case, &got));
}
