//! Criterion benches of the kernels: einops next to plain ndarray code for the same job,
//! one benchmark group per pattern, on medium inputs (about 2 MiB: past L2, within L3) so
//! that `cargo bench` stays quick. The patterns, axis lengths and reductions are those of
//! the `large` case of each group in `tests/data/cases.json`; the job code and the inputs are
//! those of `examples/bench_report.rs` (`benches/common/mod.rs`). The full-size figures of
//! issue 3 come from that report, not from here.
//!
//! ```text
//! cargo bench --bench kernels [-- FILTER]
//! ```

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use common::{Case, Impl, Visit};
use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, Throughput,
};
use ndarray::{Array, ArrayD, Dimension};

/// Pattern groups and their medium input shapes.
const MEDIUM: &[(&str, &[usize])] = &[
    ("transpose2d", &[512, 1024]),
    ("pixel_shuffle", &[2, 64, 64, 64]),
    ("head_split", &[4, 256, 512]),
    ("reduce_gap_mean", &[8, 64, 32, 32]),
    ("reduce_maxpool", &[2, 64, 64, 64]),
    // 512 KiB in, 2 MiB out.
    ("repeat_heads", &[4, 128, 256]),
];

/// Benchmarks a job as `name` in `group`.
struct Bench<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    name: &'static str,
}

impl Visit for Bench<'_, '_> {
    type Out = ();

    fn call<I, D: Dimension>(self, input: &I, mut f: impl FnMut(&I) -> Array<f32, D>) {
        self.group
            .bench_function(self.name, |b| b.iter(|| f(black_box(input))));
    }

    fn call_owned<DI: Dimension, D: Dimension>(
        self,
        input: &Array<f32, DI>,
        mut f: impl FnMut(Array<f32, DI>) -> Array<f32, D>,
    ) {
        self.group.bench_function(self.name, |b| {
            b.iter_batched(|| input.clone(), &mut f, BatchSize::LargeInput)
        });
    }

    fn call_into<I, D: Dimension>(
        self,
        input: &I,
        mut out: Array<f32, D>,
        mut f: impl FnMut(&mut Array<f32, D>, &I),
    ) {
        self.group
            .bench_function(self.name, |b| b.iter(|| f(&mut out, black_box(input))));
    }
}

/// Runs a job once: its output's shape and checksum.
struct Once;

impl Visit for Once {
    type Out = (Vec<usize>, (f64, f64));

    fn call<I, D: Dimension>(self, input: &I, mut f: impl FnMut(&I) -> Array<f32, D>) -> Self::Out {
        let y = f(input);
        (y.shape().to_vec(), common::checksum(&y))
    }

    fn call_owned<DI: Dimension, D: Dimension>(
        self,
        input: &Array<f32, DI>,
        mut f: impl FnMut(Array<f32, DI>) -> Array<f32, D>,
    ) -> Self::Out {
        let y = f(input.clone());
        (y.shape().to_vec(), common::checksum(&y))
    }

    fn call_into<I, D: Dimension>(
        self,
        input: &I,
        mut out: Array<f32, D>,
        mut f: impl FnMut(&mut Array<f32, D>, &I),
    ) -> Self::Out {
        f(&mut out, input);
        (out.shape().to_vec(), common::checksum(&out))
    }
}

/// The medium case of `group`: its `large` case with another input shape.
fn medium_case(cases: &[Case], group: &str, shape: &[usize]) -> (Case, Vec<ArrayD<f32>>) {
    let mut case = cases
        .iter()
        .find(|c| c.group == group && c.size == "large")
        .unwrap_or_else(|| panic!("cases.json has no large case of group {group}"))
        .clone();
    case.id = group.to_string();
    case.size = "medium".to_string();
    case.input_shapes = vec![shape.to_vec()];
    let inputs = case.inputs();
    let (shape, (sum, scale)) =
        common::run(&case, &inputs, Impl::Einops, Once).expect("einops job");
    let (_, (naive_sum, _)) = common::run(&case, &inputs, Impl::Naive, Once).expect("ndarray job");
    assert!(
        (sum - naive_sum).abs() <= 1e-5 * scale,
        "{group}: einops and ndarray-naive disagree ({sum} vs {naive_sum})"
    );
    let elements = |s: &[usize]| s.iter().product::<usize>() as u64;
    case.output_shape = shape;
    case.bytes_read = 4 * elements(&case.input_shapes[0]);
    case.bytes_written = 4 * elements(&case.output_shape);
    case.bytes_total = case.bytes_read + case.bytes_written;
    (case, inputs)
}

fn kernels(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cases.json");
    let cases = common::load_cases(&path).expect("tests/data/cases.json");
    for &(group, shape) in MEDIUM {
        let (case, inputs) = medium_case(&cases, group, shape);
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(case.bytes_total));
        for imp in [Impl::Einops, Impl::Naive] {
            let bench = Bench {
                group: &mut g,
                name: imp.name(),
            };
            common::run(&case, &inputs, imp, bench).expect("job of the group");
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = kernels
}
criterion_main!(benches);
