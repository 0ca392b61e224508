//! The oracle: solves lengths and computes every output element by index arithmetic.

use std::fmt;

use einops_runtime::{dynamic, Error, Reducible, Stage};
use ndarray::{ArrayD, ArrayViewD, Ix0, Ix1, Ix2, Ix3};

use crate::case::side_dims;
use crate::case::{AxisId, AxisKind, Case, Op, Pass, BIG};

/// Element types under test, with the oracle's reference reductions.
pub trait Elem: Reducible + fmt::Debug {
    fn from_small(value: i64, big: bool) -> Self;
    /// Reduces a non-empty list for `min`/`max`, any list for the others.
    fn fold(reduction: &str, values: &[Self]) -> Self;
    fn same(a: Self, b: Self) -> bool;
}

impl Elem for i64 {
    fn from_small(value: i64, big: bool) -> i64 {
        if big {
            value.wrapping_mul(BIG)
        } else {
            value
        }
    }

    fn fold(reduction: &str, values: &[i64]) -> i64 {
        let mut all = values.iter().copied();
        match reduction {
            "sum" => all.fold(0, i64::wrapping_add),
            "prod" => all.fold(1, i64::wrapping_mul),
            "min" => all.min().expect("min of an empty list is an error"),
            "max" => all.max().expect("max of an empty list is an error"),
            "any" => i64::from(all.any(|v| v != 0)),
            "all" => i64::from(all.all(|v| v != 0)),
            _ => unreachable!("{reduction} of i64 is not computed"),
        }
    }

    fn same(a: i64, b: i64) -> bool {
        a == b
    }
}

impl Elem for f64 {
    fn from_small(value: i64, _big: bool) -> f64 {
        value as f64
    }

    fn fold(reduction: &str, values: &[f64]) -> f64 {
        let mut all = values.iter().copied();
        match reduction {
            "sum" => all.sum(),
            // 0 / 0 = NaN for an empty mean, as in numpy.
            "mean" => all.sum::<f64>() / values.len() as f64,
            "prod" => all.product(),
            "min" => all
                .reduce(f64::min)
                .expect("min of an empty list is an error"),
            "max" => all
                .reduce(f64::max)
                .expect("max of an empty list is an error"),
            "any" => f64::from(u8::from(all.any(|v| v != 0.0))),
            "all" => f64::from(u8::from(all.all(|v| v != 0.0))),
            _ => unreachable!("unknown reduction {reduction}"),
        }
    }

    fn same(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + b.abs())
    }
}

impl Elem for bool {
    fn from_small(value: i64, _big: bool) -> bool {
        value != 0
    }

    fn fold(reduction: &str, values: &[bool]) -> bool {
        match reduction {
            "any" => values.iter().any(|&v| v),
            "all" => values.iter().all(|&v| v),
            _ => unreachable!("{reduction} of bool is not computed"),
        }
    }

    fn same(a: bool, b: bool) -> bool {
        a == b
    }
}

/// Calls `f` with every index of `shape` in row-major order (once for a 0-d shape, never for an
/// empty one).
pub fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut index = vec![0; shape.len()];
    loop {
        f(&index);
        let mut d = shape.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

/// Solves every elementary length from the given lengths and the input shape, as einops does:
/// rank first, then each left group in order (no unknown: the product must match; one unknown:
/// the known product must divide the dimension).
pub fn solve(case: &Case, shape: &[usize]) -> Result<Vec<usize>, Stage> {
    let fixed = case
        .left
        .iter()
        .filter(|item| !item.is_bare_ellipsis())
        .count();
    let rank_ok = if case.ellipsis_on_left() {
        shape.len() >= fixed
    } else {
        shape.len() == fixed
    };
    if !rank_ok {
        return Err(Stage::Rank);
    }
    assert_eq!(
        shape.len() - fixed,
        if case.ellipsis_on_left() {
            case.ellipsis.len()
        } else {
            0
        },
        "the generator changes the rank only to break it"
    );
    let mut lens: Vec<Option<usize>> = case
        .axes
        .iter()
        .map(|axis| (axis.kind == AxisKind::Anonymous).then_some(axis.len))
        .collect();
    for (name, value) in &case.lengths {
        let id = case
            .axes
            .iter()
            .position(|axis| axis.name == *name)
            .expect("named axis");
        lens[id] = Some(*value);
    }
    let mut dims = shape.iter().copied();
    for item in &case.left {
        if item.is_bare_ellipsis() {
            for &id in &case.ellipsis {
                lens[id] = dims.next();
            }
            continue;
        }
        let dim = dims.next().expect("rank checked");
        let known: usize = item.axis_ids().filter_map(|id| lens[id]).product();
        let unknown: Vec<AxisId> = item.axis_ids().filter(|&id| lens[id].is_none()).collect();
        match unknown[..] {
            [] if dim != known => return Err(Stage::Shape),
            [] => {}
            [_] if known == 0 || dim % known != 0 => return Err(Stage::Shape),
            [id] => lens[id] = Some(dim / known),
            _ => unreachable!("the generator leaves at most one unknown length per group"),
        }
    }
    Ok(lens
        .into_iter()
        .map(|len| len.expect("every axis is on the left or given"))
        .collect())
}

/// What the library must return for `case` on an input of `shape` read through `read`: the
/// array, or the stage of the error.
pub fn expected<T: Elem>(
    case: &Case,
    shape: &[usize],
    read: &dyn Fn(&[usize]) -> T,
) -> Result<ArrayD<T>, Stage> {
    let lens = solve(case, shape)?;
    let reduced = case.reduced_axes();
    let reduction = match case.op {
        // Without a reduced axis the reduction is never applied (values and dtype unchanged).
        Op::Reduce(reduction) if !reduced.is_empty() => Some(reduction),
        _ => None,
    };
    match reduction {
        Some("mean") if !T::IS_FLOAT => return Err(Stage::Dtype),
        Some("min" | "max") if reduced.iter().any(|&id| lens[id] == 0) => return Err(Stage::Shape),
        _ => {}
    }

    let in_dims = side_dims(&case.left, &case.ellipsis);
    let out_dims = side_dims(&case.right, &case.ellipsis);
    let out_shape: Vec<usize> = out_dims
        .iter()
        .map(|dim| dim.iter().map(|&id| lens[id]).product())
        .collect();
    let reduced_shape: Vec<usize> = reduced.iter().map(|&id| lens[id]).collect();
    // The current index of every elementary axis.
    let mut at = vec![0; case.axes.len()];
    let mut in_index = vec![0; in_dims.len()];
    let mut values = Vec::new();
    let mut out = Vec::new();
    for_each_index(&out_shape, |out_index| {
        for (dim, &index) in out_dims.iter().zip(out_index) {
            let mut rest = index;
            for &id in dim.iter().rev() {
                at[id] = rest % lens[id];
                rest /= lens[id];
            }
        }
        values.clear();
        for_each_index(&reduced_shape, |reduced_index| {
            for (&id, &index) in reduced.iter().zip(reduced_index) {
                at[id] = index;
            }
            for (slot, dim) in in_index.iter_mut().zip(&in_dims) {
                *slot = dim.iter().fold(0, |acc, &id| acc * lens[id] + at[id]);
            }
            values.push(read(&in_index));
        });
        out.push(match reduction {
            Some(reduction) => T::fold(reduction, &values),
            None => values[0],
        });
    });
    Ok(ArrayD::from_shape_vec(out_shape, out).expect("one element per output index"))
}

/// Runs the library on `arrays` (the list elements, or the one input array) as the case says.
pub fn run<T: Elem>(
    case: &Case,
    arrays: &[ArrayD<T>],
    views: &[ArrayViewD<'_, T>],
) -> Result<ArrayD<T>, Error> {
    let pattern = case.pattern();
    let lengths: Vec<(&str, usize)> = case
        .lengths
        .iter()
        .map(|(name, value)| (name.as_str(), *value))
        .collect();
    macro_rules! call {
        ($input:expr) => {
            match case.op {
                Op::Rearrange => dynamic::rearrange($input, &pattern, &lengths),
                Op::Reduce(reduction) => dynamic::reduce($input, &pattern, reduction, &lengths),
                Op::Repeat => dynamic::repeat($input, &pattern, &lengths),
            }
        };
    }
    let owned = || arrays.iter().map(|a| case.layout.arrange(a.clone()));
    match (case.list, case.layout.pass) {
        (true, Pass::Borrowed) => return call!(arrays),
        (true, Pass::View) => return call!(views),
        (true, Pass::Owned) => return call!(owned().collect::<Vec<_>>()),
        (false, Pass::Borrowed) => return call!(&arrays[0]),
        (false, Pass::Owned) => return call!(owned().next().unwrap()),
        (false, Pass::View) => {}
    }
    let view = views[0].clone();
    if case.layout.fixed_dim {
        return match view.ndim() {
            0 => call!(&view.into_dimensionality::<Ix0>().unwrap()),
            1 => call!(&view.into_dimensionality::<Ix1>().unwrap()),
            2 => call!(&view.into_dimensionality::<Ix2>().unwrap()),
            3 => call!(&view.into_dimensionality::<Ix3>().unwrap()),
            _ => unreachable!("fixed_dim is only chosen up to rank 3"),
        };
    }
    call!(&view)
}

/// Builds the input of `case`, runs the library and compares with the oracle.
pub fn check<T: Elem>(case: &Case) -> Result<(), String> {
    let (count, element_shape) = if case.list {
        (case.shape[0], &case.shape[1..])
    } else {
        (1, &case.shape[..])
    };
    let arrays: Vec<ArrayD<T>> = (0..count)
        .map(|k| {
            case.layout
                .base(element_shape, |i| case.values.get(k as u64, i))
        })
        .collect();
    let views: Vec<ArrayViewD<T>> = arrays
        .iter()
        .map(|a| case.layout.arrange(a.view()))
        .collect();
    let read = |index: &[usize]| {
        if case.list {
            views[index[0]][&index[1..]]
        } else {
            views[0][index]
        }
    };
    let expected = expected(case, &case.shape, &read);
    compare(case, run(case, &arrays, &views), expected)
}

/// Compares what the library returned for `case` with what the oracle expects: equal arrays
/// (in standard layout), or errors of the same [`Stage`].
pub fn compare<T: Elem>(
    case: &Case,
    actual: Result<ArrayD<T>, Error>,
    expected: Result<ArrayD<T>, Stage>,
) -> Result<(), String> {
    match (actual, expected) {
        (Ok(actual), Ok(expected)) => {
            if actual.shape() != expected.shape() {
                return Err(format!(
                    "output shape {:?}, oracle {:?}; {case:?}",
                    actual.shape(),
                    expected.shape()
                ));
            }
            if let Some(at) = actual
                .iter()
                .zip(expected.iter())
                .position(|(&a, &e)| !T::same(a, e))
            {
                return Err(format!(
                    "element #{at} differs; {case:?}\nlibrary {:?}\noracle  {:?}",
                    actual.iter().collect::<Vec<_>>(),
                    expected.iter().collect::<Vec<_>>()
                ));
            }
            if !actual.is_standard_layout() {
                return Err(format!(
                    "result is not in standard layout (strides {:?}); {case:?}",
                    actual.strides()
                ));
            }
            Ok(())
        }
        (Err(error), Err(stage)) if error.stage() == stage => Ok(()),
        (Err(error), Err(stage)) => Err(format!(
            "error `{error}` is of stage {:?}, the oracle expects {stage:?}; {case:?}",
            error.stage()
        )),
        (Ok(actual), Err(stage)) => Err(format!(
            "expected a {stage:?} error, got shape {:?}; {case:?}",
            actual.shape()
        )),
        (Err(error), Ok(expected)) => Err(format!(
            "unexpected error `{error}` (oracle shape {:?}); {case:?}",
            expected.shape()
        )),
    }
}

/// Checks that the generator produced a valid case: its lengths solve to the ones the input
/// was built with. Without this a generator bug would silently turn properties into error
/// tests.
pub fn assert_valid(case: &Case) -> Result<(), String> {
    let built: Vec<usize> = case.axes.iter().map(|axis| axis.len).collect();
    match solve(case, &case.shape) {
        Ok(solved) if solved == built => Ok(()),
        solved => Err(format!(
            "generated case {case:?} solves to {solved:?}, not {built:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Atom, AxisDef, Item, Layout, Values};

    /// The oracle itself, on hand-computed examples (input values = row-major position).
    #[test]
    fn oracle_matches_hand_computed_examples() {
        let axis = |name: &str, len, kind| AxisDef {
            name: name.to_string(),
            len,
            kind,
        };
        let group = |ids: &[AxisId]| Item {
            atoms: ids.iter().map(|&id| Atom::Axis(id)).collect(),
            paren: true,
        };
        let case = |op, axes, left, right, lengths: &[(&str, usize)], shape: &[usize]| Case {
            op,
            axes,
            ellipsis: Vec::new(),
            left,
            right,
            lengths: lengths.iter().map(|&(n, v)| (n.to_string(), v)).collect(),
            list: false,
            shape: shape.to_vec(),
            layout: Layout::standard(shape.len()),
            values: Values {
                seed: 0,
                spread: 1,
                big: false,
            },
            compact: false,
        };
        let position = |shape: Vec<usize>| {
            move |index: &[usize]| {
                index
                    .iter()
                    .zip(&shape)
                    .fold(0, |acc, (&i, &len)| acc * len as i64 + i as i64)
            }
        };

        // "(a b) -> b a", b = 3 on [0, 1, 2, 3, 4, 5].
        let transpose = case(
            Op::Rearrange,
            vec![axis("a", 2, AxisKind::Named), axis("b", 3, AxisKind::Named)],
            vec![group(&[0, 1])],
            vec![Item::bare(Atom::Axis(1)), Item::bare(Atom::Axis(0))],
            &[("b", 3)],
            &[6],
        );
        assert_eq!(transpose.pattern(), "(a b) -> b a");
        let out = expected(&transpose, &[6], &position(vec![6])).unwrap();
        assert_eq!(out, ndarray::arr2(&[[0, 3], [1, 4], [2, 5]]).into_dyn());

        // "a (b 2) -> b", sum, on [[0, 1, 2, 3], [4, 5, 6, 7]]: (0+1+4+5, 2+3+6+7).
        let pool = case(
            Op::Reduce("sum"),
            vec![
                axis("a", 2, AxisKind::Named),
                axis("b", 2, AxisKind::Named),
                axis("2", 2, AxisKind::Anonymous),
            ],
            vec![Item::bare(Atom::Axis(0)), group(&[1, 2])],
            vec![Item::bare(Atom::Axis(1))],
            &[],
            &[2, 4],
        );
        assert_eq!(pool.pattern(), "a (b 2) -> b");
        let out = expected(&pool, &[2, 4], &position(vec![2, 4])).unwrap();
        assert_eq!(out, ndarray::arr1(&[10, 18]).into_dyn());

        // "a -> (r a)" (tile) and "a -> (a r)" (repeat), r = 2, on [0, 1, 2].
        let tile = |right| {
            case(
                Op::Repeat,
                vec![axis("a", 3, AxisKind::Named), axis("r", 2, AxisKind::Named)],
                vec![Item::bare(Atom::Axis(0))],
                vec![group(right)],
                &[("r", 2)],
                &[3],
            )
        };
        let out = expected(&tile(&[1, 0]), &[3], &position(vec![3])).unwrap();
        assert_eq!(out, ndarray::arr1(&[0, 1, 2, 0, 1, 2]).into_dyn());
        let out = expected(&tile(&[0, 1]), &[3], &position(vec![3])).unwrap();
        assert_eq!(out, ndarray::arr1(&[0, 0, 1, 1, 2, 2]).into_dyn());
    }
}
