//! Property tests: `einops::dynamic::{rearrange, reduce, repeat}` against the naive oracle of
//! `tools/oracle` (the crate `einops-oracle`, shared with the fuzz targets in `fuzz/`): its docs
//! describe the oracle and the case generator. Every property decodes cases from random bytes, so
//! proptest's shrinking of the bytes shrinks a failing case towards the simplest one.

use einops::Stage;
use einops_oracle::{
    assert_valid, check, compare, expected, run, Case, Choices, Layout, Op, ALL_BUT_MEAN, ANY_ALL,
    CHOICE_BYTES, REARRANGE, REDUCTIONS, REPEAT,
};
use ndarray::{ArrayD, ArrayViewD};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Valid cases for one of `ops`.
fn cases(ops: &'static [Op], force_list: bool) -> impl Strategy<Value = Case> {
    (select(ops), vec(any::<u8>(), CHOICE_BYTES), any::<u64>())
        .prop_map(move |(op, bytes, seed)| Case::decode(op, &bytes, seed, force_list))
}

/// Bytes for a second round of choices (mutating a valid case).
fn mutation() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 8)
}

proptest! {
    #[test]
    fn rearrange_matches_oracle(case in cases(REARRANGE, false)) {
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<i64>(&case).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn repeat_matches_oracle(case in cases(REPEAT, false)) {
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<i64>(&case).map_err(TestCaseError::fail)?;
    }

    /// Integer reductions, including `mean` (a dtype error once something is reduced) and
    /// wrapping `sum`/`prod`.
    #[test]
    fn reduce_i64_matches_oracle(case in cases(REDUCTIONS, false)) {
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<i64>(&case).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn reduce_f64_matches_oracle(case in cases(REDUCTIONS, false)) {
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<f64>(&case).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn reduce_bool_any_all_matches_oracle(case in cases(ANY_ALL, false)) {
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<bool>(&case).map_err(TestCaseError::fail)?;
    }

    /// List inputs are stacked along a new first axis, for every operation.
    #[test]
    fn list_inputs_match_oracle(case in cases(ALL_BUT_MEAN, true)) {
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<i64>(&case).map_err(TestCaseError::fail)?;
    }

    /// A given length or an input dimension that contradicts the other is a shape error (or, when
    /// it happens to be consistent, the oracle's result), never a panic.
    #[test]
    fn contradicting_lengths_are_shape_errors(
        mut case in cases(ALL_BUT_MEAN, false),
        bytes in mutation(),
    ) {
        case.contradict(&mut Choices::new(&bytes));
        check::<i64>(&case).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn wrong_rank_is_a_rank_error(mut case in cases(ALL_BUT_MEAN, false), bytes in mutation()) {
        prop_assume!(case.break_rank(&mut Choices::new(&bytes)));
        let arrays: [ArrayD<i64>; 1] = [case.layout.base(&case.shape, |i| case.values.get(0, i))];
        let views = [arrays[0].view()];
        let expected = expected(&case, &case.shape, &|index: &[usize]| views[0][index]);
        prop_assert_eq!(expected.as_ref().err(), Some(&Stage::Rank));
        compare(&case, run(&case, &arrays, &views), expected).map_err(TestCaseError::fail)?;
    }

    /// List elements of different shapes cannot be stacked: a shape error. The first element
    /// keeps the right shape, so that a port reading the rank from it is not misled.
    #[test]
    fn list_of_different_shapes_is_a_shape_error(
        mut case in cases(ALL_BUT_MEAN, true),
        bytes in mutation(),
    ) {
        // Elements of different ranks: pass them as built (standard layout).
        case.layout.perm.clear();
        case.layout.steps.clear();
        let c = &mut Choices::new(&bytes);
        let element_shape = &case.shape[1..];
        let odd = 1 + c.below(case.shape[0] - 1);
        let mut odd_shape = element_shape.to_vec();
        if odd_shape.is_empty() || c.one_in(3) {
            odd_shape.push(1);
        } else {
            let dim = c.below(odd_shape.len());
            odd_shape[dim] += 1;
        }
        let arrays: Vec<ArrayD<i64>> = (0..case.shape[0])
            .map(|k| {
                let shape = if k == odd { &odd_shape[..] } else { element_shape };
                Layout::standard(shape.len()).base(shape, |i| case.values.get(k as u64, i))
            })
            .collect();
        let views: Vec<ArrayViewD<i64>> = arrays.iter().map(|a| a.view()).collect();
        compare(&case, run(&case, &arrays, &views), Err(Stage::Shape)).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    // About one case in six has no named or ellipsis axis to empty and is rejected: allow for
    // that at any PROPTEST_CASES (the default budget is a fixed 1024 rejects).
    #![proptest_config(ProptestConfig {
        max_global_rejects: ProptestConfig::default().cases.max(1024),
        ..ProptestConfig::default()
    })]

    /// Reducing an empty axis: 0 for `sum`, 1 for `prod`, false for `any`, true for `all`, NaN
    /// for a float `mean` (integer `mean`: a dtype error), a shape error for `min`/`max`.
    #[test]
    fn reduce_over_empty_axes_matches_oracle(
        mut case in cases(REDUCTIONS, false),
        bytes in mutation(),
    ) {
        prop_assume!(case.empty_a_reduced_axis(&mut Choices::new(&bytes)));
        assert_valid(&case).map_err(TestCaseError::fail)?;
        check::<f64>(&case).map_err(TestCaseError::fail)?;
        check::<i64>(&case).map_err(TestCaseError::fail)?;
    }
}
