//! Runs one job of the benchmark report (same code: `benches/common/mod.rs`) a given number
//! of times, for counting instructions per call with callgrind, which stays stable on a
//! noisy shared machine where wall time does not:
//!
//! ```text
//! cargo build --release --example call_cost
//! valgrind --tool=callgrind target/release/examples/call_cost tests/data/cases.json \
//!     head_split/small einops 1000
//! ```
//!
//! Run it with two call counts: the difference of the totals over the difference of the
//! counts is the cost of one call, start-up excluded.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::Path;
use std::process::ExitCode;

use common::{Case, Impl, Visit};
use ndarray::{Array, ArrayView, Dimension};

const USAGE: &str = "usage: call_cost CASES_JSON CASE_ID IMPL CALLS
  IMPL: einops, einops-owned, einops-into, ndarray-naive, ndarray-naive-owned";

/// Calls a job `calls` times.
struct Repeat {
    calls: usize,
}

impl Visit for Repeat {
    type Out = ();

    fn call<I, D: Dimension>(self, input: &I, mut f: impl FnMut(&I) -> Array<f32, D>) {
        for _ in 0..self.calls {
            black_box(f(black_box(input)));
        }
    }

    fn call_owned<DI: Dimension, D: Dimension>(
        self,
        input: &Array<f32, DI>,
        mut f: impl FnMut(Array<f32, DI>) -> Array<f32, D>,
    ) {
        // The clone is counted too: run the same job on `-owned` and plain to tell.
        for _ in 0..self.calls {
            black_box(f(input.clone()));
        }
    }

    fn call_view<'i, I, D: Dimension>(
        self,
        input: &'i I,
        mut f: impl FnMut(&'i I) -> ArrayView<'i, f32, D>,
    ) {
        for _ in 0..self.calls {
            black_box(f(black_box(input)));
        }
    }

    fn call_into<I, D: Dimension>(
        self,
        input: &I,
        mut out: Array<f32, D>,
        mut f: impl FnMut(&mut Array<f32, D>, &I),
    ) {
        for _ in 0..self.calls {
            f(black_box(&mut out), black_box(input));
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cases, id, imp, calls] = &args[..] else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (Some(imp), Ok(calls)) = (Impl::from_name(imp), calls.parse()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let cases: Vec<Case> = match common::load_cases(Path::new(cases)) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(case) = cases.iter().find(|c| c.id == *id) else {
        eprintln!("no case {id}");
        return ExitCode::FAILURE;
    };
    match common::run(case, &case.inputs(), imp, Repeat { calls }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(skip) => {
            eprintln!("{id} {}: {skip:?}", imp.name());
            ExitCode::FAILURE
        }
    }
}
