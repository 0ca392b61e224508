//! Criterion benches of the kernels: einops next to plain ndarray code for the same job,
//! one benchmark group per pattern, on medium inputs (about 2 MiB: past L2, within L3) so
//! that `cargo bench` stays quick. The patterns, axis lengths and reductions are those of
//! the `large` case of each group in `tests/data/cases.json`; the job code and the inputs are
//! those of `examples/bench_report.rs` (`benches/common/mod.rs`). The full-size figures of
//! issue 3 come from that report, not from here. A last group, `run_placement`, times one
//! long run copied to two destination placements, next to `memcpy`.
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
use einops::rearrange_into;
use ndarray::{Array, ArrayD, ArrayView, ArrayView2, ArrayViewMut1, Dimension};

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

    fn call_view<'i, I, D: Dimension>(
        self,
        input: &'i I,
        mut f: impl FnMut(&'i I) -> ArrayView<'i, f32, D>,
    ) {
        self.group
            .bench_function(self.name, |b| b.iter(|| f(black_box(input))));
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

    fn call_view<'i, I, D: Dimension>(
        self,
        input: &'i I,
        mut f: impl FnMut(&'i I) -> ArrayView<'i, f32, D>,
    ) -> Self::Out {
        let y = f(input);
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

/// Elements of `values` before its first 4 KiB boundary.
fn to_page(values: &[f32]) -> usize {
    (values.as_ptr() as usize).wrapping_neg() % 4096 / std::mem::size_of::<f32>()
}

/// A 16 KiB copy (`a b -> (a b)` of a view) into a destination at a page boundary and 16
/// bytes past one, with the source at a page boundary: the second is where a heap
/// allocation lands right after an input of whole pages, and where glibc's `memcpy` (here
/// `copy_from_slice`) slows about 25-fold on AMD Zen 3. einops copies long runs itself.
fn run_placement(c: &mut Criterion) {
    const LEN: usize = 4096;
    let mut g = c.benchmark_group("run_placement");
    g.throughput(Throughput::Bytes(2 * 4 * LEN as u64));
    let source: Vec<f32> = (0..2 * LEN).map(|i| i as f32).collect();
    let source = &source[to_page(&source)..][..LEN];
    let input = ArrayView2::from_shape((64, 64), source).expect("64 × 64 = LEN");
    let mut target = vec![0f32; 2 * LEN];
    let page = to_page(&target);
    for (placement, skip) in [("page boundary", 0), ("16 bytes past", 4)] {
        let out = &mut target[page + skip..][..LEN];
        g.bench_function(format!("einops, {placement}"), |b| {
            b.iter(|| {
                let mut out = ArrayViewMut1::from(&mut *out);
                rearrange_into!(&mut out, black_box(&input), "a b -> (a b)").unwrap()
            })
        });
        g.bench_function(format!("memcpy, {placement}"), |b| {
            b.iter(|| out.copy_from_slice(black_box(source)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = kernels, run_placement
}
criterion_main!(benches);
