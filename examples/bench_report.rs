//! The benchmark report: every performance figure of this project comes from here.
//!
//! ```text
//! cargo run --release --example bench_report -- --cases tests/data/cases.json --threads 1
//!     [--threads 1,2] [--filter SUBSTR] [--size large|small] [--repeat K] [--rounds R]
//!     [--impls a,b,...]
//! ```
//!
//! For each case of `cases.json` (inputs, keys and machine facts: `shared/bench/README.md`)
//! and each implementation, prints one JSON line:
//! `{"impl", "case", "threads", "median_ns", "gbps", ["gflops",] "materialised", "checksum"}`,
//! then a readable table per case with the speed of `einops` relative to `read` and
//! `fresh-memcpy`, of `einops-into` relative to `memcpy` and of `einops` relative to
//! `ndarray-naive` (all from the same run), and the targets of #15 and #14 (PASS / MISS).
//!
//! Implementations (code in `benches/common/mod.rs`, shared with the criterion benches):
//! - `einops`: the macro with the group's literal pattern on `&input`, allocation included;
//! - `einops-owned` (flatten): the owned input passed by value; `materialised` tells whether
//!   the output kept the input's buffer (checked with the pointers, not assumed);
//! - `einops-view`: the `_view` macros, where the result can be a view (`ndarray-view`: the
//!   same view written with ndarray's own calls); `materialised` is false only when every
//!   element of the result lies in the input's memory;
//! - `einops-into`: the `*_into!` macros writing into an existing, already-touched output;
//! - `ndarray-naive` (and `ndarray-naive-owned` for flatten): plain ndarray code for the same job
//!   (for einsum: a loop of `general_mat_mul` over the batch, allocation included);
//! - `matrixmultiply` (einsum): matrixmultiply's `sgemm` called directly per batch index on the
//!   same M, N, K, allocation included;
//! - `memcpy`: see [`memcpy`];
//! - `fresh-memcpy` (not einsum) and `read` (reductions): what the machine reaches at best,
//!   see [`fresh_memcpy`] and [`read`]; printed next to the absolute GB/s targets.
//!
//! Timing: one warm-up call (its output gives `checksum` and `materialised`), then samples.
//! `large` cases: one call per sample, the output freed after the clock stops; 11 samples
//! (fewer, at least 5, when a call is so slow that 11 would take over 3 s). `small` cases:
//! batches of calls of about 0.5 ms per sample, each output freed inside the loop as in a
//! program's loop, 31 samples. Owned-input jobs get fresh clones made before the clock
//! starts, and their outputs (the inputs' buffers) are freed after it stops. `median_ns` is
//! the median time of one call. Cases are measured in rounds (`--rounds`; small 5, large
//! 3): each round measures every implementation once, in turn, so that a slow spell of a
//! shared machine hits all of them alike, and the figure is the median of the rounds'
//! medians.
//!
//! Everything runs inside a rayon pool of `--threads` threads, so the library's parallel
//! paths obey it. Exits non-zero when the checksum of an implementation differs from
//! einops' beyond float tolerance, or a case contradicts the code of its group.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use common::{Case, Impl, Skip, Visit};
use ndarray::{Array, ArrayD, ArrayView, ArrayView1, Dimension};
use rayon::prelude::*;

const USAGE: &str = "\
usage: bench_report --cases PATH [--threads N[,N...]] [--filter SUBSTR] [--size large|small]
                    [--repeat K] [--rounds R] [--impls NAME[,NAME...]]
  --cases PATH     cases.json (e.g. tests/data/cases.json)
  --threads N,...  rayon pool sizes to measure with (default 1); with 1,2 the two-thread
                   target is checked in the same run
  --filter SUBSTR  only cases whose id contains SUBSTR
  --size S         only `large` or only `small` cases
  --repeat K       K timed samples per measurement (default: large 11, at least 5 within 3 s;
                   small 31)
  --rounds R       rounds of measurements of every implementation, the median kept
                   (default: large 3, small 5)
  --impls LIST     only these implementations: einops, einops-owned, einops-into,
                   ndarray-naive, ndarray-naive-owned, memcpy, fresh-memcpy, read,
                   matrixmultiply, einops-view, ndarray-view (default: all)";

/// `large` cases: samples per measurement, fewest samples, and the time they may take.
const LARGE_SAMPLES: usize = 11;
const LARGE_MIN_SAMPLES: usize = 5;
const LARGE_BUDGET: Duration = Duration::from_secs(3);
/// `small` cases: samples per measurement and the time of one sample (a batch of calls).
const SMALL_SAMPLES: usize = 31;
/// Rounds of measurements of every implementation (see the module docs). One round of the
/// large cases gave ratios to `read` from 0.55x to 1.42x for the same build of
/// `reduce_channel_max` (memory bandwidth on a shared machine changes within seconds).
const SMALL_ROUNDS: usize = 5;
const LARGE_ROUNDS: usize = 3;
const SMALL_SAMPLE: Duration = Duration::from_micros(500);
/// Most calls in one batch.
const MAX_BATCH: usize = 1 << 24;
/// Most calls in one batch of a job that consumes its input: the fresh inputs of a batch
/// are made before it and must stay in the caches (64 of 4 KiB: 256 KiB, within L2), or the
/// batch would time cache misses on the inputs rather than the calls.
const OWNED_BATCH: usize = 64;

// ---------------------------------------------------------------------------------------
// The targets, in one place.

/// What a target requires of one case's measurements.
#[derive(Clone, Copy, Debug)]
enum Check {
    /// `einops` at least this fraction of `read`'s GB/s (reductions).
    VsRead(f64),
    /// `einops` at least this fraction of `fresh-memcpy`'s GB/s (allocating jobs).
    VsFresh(f64),
    /// `einops-into` at least this fraction of `memcpy`'s GB/s.
    IntoVsMemcpy(f64),
    /// `einops-into` time minus `memcpy` time at most this many ns: a call's fixed cost.
    FixedCost(f64),
    /// `ndarray-naive` time over `einops` time at least this.
    SpeedupVsNaive(f64),
    /// `einops` time at most `ndarray-naive` time.
    NotSlowerThanNaive,
    /// `einops` GFLOP/s (allocation included) at least this fraction of `matrixmultiply`'s.
    VsSgemm(f64),
    /// `einops-owned`: no copy.
    OwnedNoCopy,
    /// `einops-view` time per call at most this many ns, and no element copied.
    ViewMaxNs(f64),
    /// `einops-view` time at most this many times the hand-written `ndarray-view`'s.
    ViewVsNaive(f64),
    /// `einops-view` time at most `einops` time (the same job with copies).
    ViewNotSlower,
}

struct Target {
    /// Pattern groups it applies to; empty: every group.
    groups: &'static [&'static str],
    /// `large`, `small`, or `None` for both.
    size: Option<&'static str>,
    check: Check,
}

const TRANSPOSES: &[&str] = &["nchw_to_nhwc", "nhwc_to_nchw", "transpose2d"];
const RUN_COPIES: &[&str] = &["channel_shuffle", "head_split", "head_merge", "flatten"];
/// The allocating jobs held to 0.9x `fresh-memcpy`: run copies, pixel shuffle and repeats.
const FRESH_COPIES: &[&str] = &[
    "channel_shuffle",
    "head_split",
    "head_merge",
    "flatten",
    "pixel_shuffle",
    "repeat_channels",
    "repeat_heads",
];

/// Issue #15's targets (one thread, `large` unless said) and #14's view targets.
#[rustfmt::skip]
static TARGETS: &[Target] = &[
    Target { groups: &["reduce_channel_max"], size: Some("large"), check: Check::VsRead(0.8) },
    Target { groups: &["reduce_maxpool"], size: Some("large"), check: Check::VsRead(0.7) },
    Target { groups: &["reduce_gap_mean"], size: Some("large"), check: Check::VsRead(0.85) },
    Target { groups: FRESH_COPIES, size: Some("large"), check: Check::VsFresh(0.9) },
    Target { groups: TRANSPOSES, size: Some("large"), check: Check::VsFresh(0.8) },
    Target { groups: TRANSPOSES, size: Some("large"), check: Check::IntoVsMemcpy(0.75) },
    Target { groups: &["einsum_gram"], size: Some("large"), check: Check::SpeedupVsNaive(0.97) },
    Target { groups: &["einsum_gram"], size: Some("large"), check: Check::VsSgemm(0.95) },
    Target { groups: RUN_COPIES, size: Some("small"), check: Check::FixedCost(40.0) },
    Target { groups: &[], size: Some("small"), check: Check::NotSlowerThanNaive },
    Target { groups: &["flatten"], size: None, check: Check::OwnedNoCopy },
    // Issue #14 (views): every size; the pattern fixes a permutation's view at compile time.
    Target { groups: VIEWS, size: None, check: Check::ViewMaxNs(100.0) },
    Target { groups: TRANSPOSES, size: None, check: Check::ViewVsNaive(1.5) },
    Target { groups: VIEW_OTHERS, size: None, check: Check::ViewVsNaive(3.0) },
    Target { groups: &["attention_views"], size: None, check: Check::ViewNotSlower },
];

/// The groups whose result can be a view of a standard-layout input.
const VIEWS: &[&str] = &[
    "nchw_to_nhwc",
    "nhwc_to_nchw",
    "transpose2d",
    "flatten",
    "head_split",
    "repeat_channels",
    "repeat_heads",
];
/// The view groups whose view depends on lengths or strides, not only on the pattern.
const VIEW_OTHERS: &[&str] = &["flatten", "head_split", "repeat_channels", "repeat_heads"];

impl Target {
    /// Every target is for one thread.
    fn applies(&self, case: &Case, threads: usize) -> bool {
        threads == 1
            && self.size.is_none_or(|s| s == case.size)
            && (self.groups.is_empty() || self.groups.contains(&case.group.as_str()))
    }
}

impl Check {
    fn describe(self) -> String {
        match self {
            Check::VsRead(f) => format!("einops >= {f}x read GB/s"),
            Check::VsFresh(f) => format!("einops >= {f}x fresh-memcpy GB/s"),
            Check::IntoVsMemcpy(f) => format!("einops-into >= {f}x memcpy GB/s"),
            Check::FixedCost(ns) => format!("einops-into - memcpy <= {ns} ns per call"),
            Check::SpeedupVsNaive(f) => format!("einops >= {f}x the ndarray-naive speed"),
            Check::NotSlowerThanNaive => "einops time <= ndarray-naive time".to_string(),
            Check::VsSgemm(f) => format!("einops >= {f}x plain sgemm GFLOP/s"),
            Check::OwnedNoCopy => "einops-owned: no copy".to_string(),
            Check::ViewMaxNs(ns) => format!("einops-view <= {ns} ns per call, nothing copied"),
            Check::ViewVsNaive(f) => format!("einops-view <= {f}x the ndarray-view time"),
            Check::ViewNotSlower => "einops-view time <= einops time".to_string(),
        }
    }

    /// `Some((passed, measured))`, or `None` when what it needs was not measured.
    fn evaluate(self, rows: &Rows<'_>, case: usize, threads: usize) -> Option<(bool, String)> {
        let get = |imp| rows.find(imp, case, threads);
        // `a`'s speed over `b`'s: their time ratio, the same as their GB/s ratio.
        let speed = |a, b| Some(get(b)?.median_ns / get(a)?.median_ns);
        let at_least = |r: f64, f: f64| (r >= f, format!("{r:.2}x"));
        Some(match self {
            Check::VsRead(f) => at_least(speed(Impl::Einops, Impl::Read)?, f),
            Check::VsFresh(f) => at_least(speed(Impl::Einops, Impl::FreshMemcpy)?, f),
            Check::IntoVsMemcpy(f) => at_least(speed(Impl::EinopsInto, Impl::Memcpy)?, f),
            Check::FixedCost(ns) => {
                let t = get(Impl::EinopsInto)?.median_ns - get(Impl::Memcpy)?.median_ns;
                (t <= ns, format!("{t:.0} ns"))
            }
            Check::SpeedupVsNaive(f) => at_least(speed(Impl::Einops, Impl::Naive)?, f),
            Check::NotSlowerThanNaive => {
                let r = 1.0 / speed(Impl::Einops, Impl::Naive)?;
                (r <= 1.0, format!("{r:.2}x the ndarray-naive time"))
            }
            Check::VsSgemm(f) => at_least(speed(Impl::Einops, Impl::Matrixmultiply)?, f),
            Check::OwnedNoCopy => {
                let m = get(Impl::EinopsOwned)?.materialised;
                (!m, if m { "copied" } else { "no copy" }.to_string())
            }
            Check::ViewMaxNs(ns) => {
                let view = get(Impl::EinopsView)?;
                let copied = if view.materialised { ", COPIED" } else { "" };
                let t = view.median_ns;
                (t <= ns && !view.materialised, format!("{t:.0} ns{copied}"))
            }
            Check::ViewVsNaive(f) => {
                let r = 1.0 / speed(Impl::EinopsView, Impl::NaiveView)?;
                (r <= f, format!("{r:.2}x"))
            }
            Check::ViewNotSlower => {
                let r = 1.0 / speed(Impl::EinopsView, Impl::Einops)?;
                (r <= 1.0, format!("{r:.2}x the einops time"))
            }
        })
    }
}

// ---------------------------------------------------------------------------------------
// Measuring.

/// One measured line.
struct Row {
    imp: Impl,
    /// Index into the cases.
    case: usize,
    threads: usize,
    median_ns: f64,
    gbps: f64,
    gflops: Option<f64>,
    materialised: bool,
    checksum: f64,
    /// Σ |yᵢ|·((i mod 7) + 1): what the checksum tolerance is relative to.
    scale: f64,
}

struct Rows<'c> {
    cases: &'c [Case],
    rows: Vec<Row>,
}

impl Rows<'_> {
    fn find(&self, imp: Impl, case: usize, threads: usize) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.imp == imp && r.case == case && r.threads == threads)
    }
}

struct Measured {
    median_ns: f64,
    materialised: bool,
    checksum: f64,
    scale: f64,
}

/// A view's result, as the timing loop keeps it: on a cache line of its own, so that where
/// the loop's stack frame happens to fall cannot split its stores across two lines. Without it
/// the same instructions (einops' and ndarray's views of a permutation compile to identical
/// loops) timed 1.1 ns in one monomorphisation and 1.6 ns in the other.
#[repr(align(64))]
struct CacheLine<T>(T);

/// Times jobs: a [`Visit`] for the shared job code.
#[derive(Clone, Copy)]
struct Timer<'a> {
    small: bool,
    repeat: Option<usize>,
    /// The case's inputs: an output pointing into one of them is not materialised.
    inputs: &'a [ArrayD<f32>],
}

fn contains<D: Dimension>(array: &Array<f32, D>, p: *const f32) -> bool {
    // Addresses only, never dereferenced.
    let start = array.as_ptr();
    (start..start.wrapping_add(array.len())).contains(&p)
}

impl Timer<'_> {
    /// The median time of one `call`, timed in batches of calls (see [`Timer::median`]).
    fn per_call(&self, mut call: impl FnMut()) -> f64 {
        self.median(MAX_BATCH, |k| {
            let start = Instant::now();
            for _ in 0..k {
                call();
            }
            start.elapsed()
        })
    }

    fn shares_input(&self, p: *const f32) -> bool {
        self.inputs.iter().any(|x| contains(x, p))
    }

    /// The median time of one call in ns; `batch(n)` makes `n` calls and returns how long
    /// they took (any per-call setup happens before its clock starts).
    ///
    /// `small` batches hold at most `max_batch` calls.
    fn median(&self, max_batch: usize, mut batch: impl FnMut(usize) -> Duration) -> f64 {
        let mut per_call: Vec<f64> = if self.small {
            // Warm-up and calibration: double the batch until it takes 1 ms.
            let mut n = 1usize;
            let took = loop {
                let t = batch(n);
                if t >= Duration::from_millis(1) || n >= max_batch {
                    break t;
                }
                n = (n * 2).min(max_batch);
            };
            let per = took.as_secs_f64() / n as f64;
            let n = ((SMALL_SAMPLE.as_secs_f64() / per) as usize).clamp(1, max_batch);
            let samples = self.repeat.unwrap_or(SMALL_SAMPLES);
            (0..samples)
                .map(|_| batch(n).as_secs_f64() * 1e9 / n as f64)
                .collect()
        } else {
            // The caller's first call (for the checksum) was the warm-up.
            let first = batch(1).as_secs_f64();
            let samples = self.repeat.unwrap_or_else(|| {
                ((LARGE_BUDGET.as_secs_f64() / first) as usize)
                    .clamp(LARGE_MIN_SAMPLES, LARGE_SAMPLES)
            });
            std::iter::once(first)
                .chain((1..samples).map(|_| batch(1).as_secs_f64()))
                .map(|s| s * 1e9)
                .collect()
        };
        per_call.sort_by(f64::total_cmp);
        let mid = per_call.len() / 2;
        if per_call.len() % 2 == 1 {
            per_call[mid]
        } else {
            (per_call[mid - 1] + per_call[mid]) / 2.0
        }
    }
}

impl Visit for Timer<'_> {
    type Out = Measured;

    fn call<I, D: Dimension>(self, input: &I, mut f: impl FnMut(&I) -> Array<f32, D>) -> Measured {
        let first = f(input);
        let (checksum, scale) = common::checksum(&first);
        let materialised = !self.shares_input(first.as_ptr());
        drop(first);
        let median_ns = self.median(MAX_BATCH, |n| {
            let start = Instant::now();
            if self.small {
                for _ in 0..n {
                    drop(black_box(f(black_box(input))));
                }
                start.elapsed()
            } else {
                let out = black_box(f(black_box(input)));
                let took = start.elapsed();
                drop(out);
                took
            }
        });
        Measured {
            median_ns,
            materialised,
            checksum,
            scale,
        }
    }

    fn call_owned<DI: Dimension, D: Dimension>(
        self,
        input: &Array<f32, DI>,
        mut f: impl FnMut(Array<f32, DI>) -> Array<f32, D>,
    ) -> Measured {
        let x = input.clone();
        let start = x.as_ptr();
        let end = start.wrapping_add(x.len());
        let first = f(x);
        // Only the addresses are compared: `first` may own the clone's buffer or not.
        let materialised = !(start..end).contains(&first.as_ptr());
        let (checksum, scale) = common::checksum(&first);
        drop(first);
        let median_ns = self.median(OWNED_BATCH, |n| {
            // Fresh owned inputs for the batch, made before the clock starts, and the outputs
            // freed after it stops: freeing what may be the input's own buffer is not the
            // call's work (and a batch of frees makes glibc return memory to the system).
            let mut fresh: Vec<Array<f32, DI>> = (0..n).map(|_| input.clone()).collect();
            let mut outputs = Vec::with_capacity(n);
            let start = Instant::now();
            for x in fresh.drain(..) {
                outputs.push(black_box(f(black_box(x))));
            }
            let took = start.elapsed();
            drop(outputs);
            took
        });
        Measured {
            median_ns,
            materialised,
            checksum,
            scale,
        }
    }

    fn call_view<'i, I, D: Dimension>(
        self,
        input: &'i I,
        mut f: impl FnMut(&'i I) -> ArrayView<'i, f32, D>,
    ) -> Measured {
        let first = f(input);
        let (checksum, scale) = common::checksum(&first);
        // A view is not materialised when every element it reads lies in an input.
        let materialised = !first.iter().all(|e| self.shares_input(e));
        let median_ns = self.median(MAX_BATCH, |n| {
            let start = Instant::now();
            for _ in 0..n {
                black_box(CacheLine(f(black_box(input))));
            }
            start.elapsed()
        });
        Measured {
            median_ns,
            materialised,
            checksum,
            scale,
        }
    }

    fn call_into<I, D: Dimension>(
        self,
        input: &I,
        mut out: Array<f32, D>,
        mut f: impl FnMut(&mut Array<f32, D>, &I),
    ) -> Measured {
        f(&mut out, input);
        let (checksum, scale) = common::checksum(&out);
        let median_ns = self.per_call(|| f(black_box(&mut out), black_box(input)));
        Measured {
            median_ns,
            materialised: true,
            checksum,
            scale,
        }
    }
}

/// `memcpy`: `copy_from_slice` of the case's output (its `output_shape` of `f32`) from one
/// already-touched buffer into another: the floor of a job that writes that output. Its
/// `gbps` is `bytes_total` over its time, as for every row, so ratios of `gbps` are ratios
/// of time. For the rearrange cases that copy moves the case's own traffic; a repeat
/// writes more than it reads, and its baseline writes all of it. With several threads and
/// at least 1 MiB, the copy is split into one chunk per thread (rayon), like a parallel
/// kernel.
///
/// The source starts at page offset 0 and the destination at page offset 2048: glibc's
/// `rep movsb` path on this AMD CPU is 20-30x slower when the destination is a few bytes past
/// the source modulo 4 KiB (two 4 KiB vectors allocated one after the other: 4 KiB copied in
/// about 3 us instead of 100 ns), and the baseline is meant to be a good copy.
fn memcpy(case: &Case, timer: Timer<'_>, threads: usize) -> Measured {
    let n = output_len(case);
    let values = common::input(&[n], 0);
    let mut src_buffer = vec![0.0f32; n + PAGE_FLOATS];
    let mut dst_buffer = vec![1.0f32; n + PAGE_FLOATS];
    let src = at_page_offset(&mut src_buffer, 0, n);
    src.copy_from_slice(values.as_slice().expect("a new array is contiguous"));
    let src = &*src;
    let dst = at_page_offset(&mut dst_buffer, 2048, n);
    let copy = |dst: &mut [f32], src: &[f32]| {
        if threads > 1 && dst.len() * 4 >= 1 << 20 {
            let chunk = dst.len().div_ceil(threads);
            dst.par_chunks_mut(chunk)
                .zip(src.par_chunks(chunk))
                .for_each(|(d, s)| d.copy_from_slice(s));
        } else {
            dst.copy_from_slice(src);
        }
    };
    copy(dst, src);
    let (checksum, scale) = common::checksum(&ArrayView1::from(&*dst));
    let median_ns = timer.per_call(|| copy(black_box(&mut *dst), black_box(src)));
    Measured {
        median_ns,
        materialised: true,
        checksum,
        scale,
    }
}

/// The number of elements of the case's output.
fn output_len(case: &Case) -> usize {
    case.output_shape.iter().product()
}

/// `fresh-memcpy` (and `fresh-aligned`): the `memcpy` job into a buffer allocated for each
/// call as `placement` says, then freed: what any job returning a new large array pays for
/// page faults. Not for einsums.
fn fresh_memcpy(case: &Case, timer: Timer<'_>, placement: Placement) -> Result<Measured, Skip> {
    if case.op == "einsum" {
        return Err(Skip::NotApplicable);
    }
    let n = output_len(case);
    let values = common::input(&[n], 0);
    let src = values.as_slice().expect("a new array is contiguous");
    let copy = |src: &[f32]| {
        let mut out = FreshBuffer::new(src.len(), placement);
        out.as_mut_slice().copy_from_slice(src);
        out
    };
    let first = copy(src);
    let (checksum, scale) = common::checksum(&ArrayView1::from(first.as_slice()));
    drop(first);
    let median_ns = timer.per_call(|| drop(black_box(copy(black_box(src)))));
    Ok(Measured {
        median_ns,
        materialised: true,
        checksum,
        scale,
    })
}

/// Where a fresh buffer of 2 MiB or more gets huge pages.
#[derive(Clone, Copy)]
enum Placement {
    /// Allocated on a 2 MiB boundary, all of it advised.
    Aligned,
    /// An ordinary allocation, its 2 MiB-aligned interior advised (as einops' outputs).
    Interior,
}

/// Floats allocated for each call, advised for huge pages from 2 MiB on as `placement`
/// says. (Filled with copies before being read.)
struct FreshBuffer {
    ptr: *mut f32,
    len: usize,
    layout: std::alloc::Layout,
}

impl FreshBuffer {
    fn new(len: usize, placement: Placement) -> Self {
        const HUGE_PAGE: usize = 2 << 20;
        let bytes = (len * 4).max(4);
        let huge = bytes >= HUGE_PAGE;
        let align = match placement {
            Placement::Aligned if huge => HUGE_PAGE,
            _ => 64,
        };
        let layout = std::alloc::Layout::from_size_align(bytes, align).expect("a valid layout");
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc(layout) }.cast::<f32>();
        assert!(!ptr.is_null(), "allocation of {bytes} bytes failed");
        // The whole 2 MiB pages of the buffer (all of it when aligned).
        let first = (ptr as usize).next_multiple_of(HUGE_PAGE);
        let end = (ptr as usize + bytes) / HUGE_PAGE * HUGE_PAGE;
        #[cfg(target_os = "linux")]
        if huge && end > first {
            // SAFETY: the range is whole pages of our own allocation; advice cannot
            // invalidate it.
            unsafe { libc::madvise(first as *mut _, end - first, libc::MADV_HUGEPAGE) };
        }
        FreshBuffer { ptr, len, layout }
    }

    fn as_mut_slice(&mut self) -> &mut [f32] {
        // SAFETY: `len` floats are allocated; every bit pattern is a valid f32 (the bytes
        // are only written through this slice before being read).
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    fn as_slice(&self) -> &[f32] {
        // SAFETY: as above; callers read only after filling the buffer.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for FreshBuffer {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.ptr.cast(), self.layout) };
    }
}

/// `read`: a sum over the case's input (`bytes_read` bytes) in an already-touched buffer,
/// eight lanes wide (split across the threads from 1 MiB): how fast this machine reads the
/// input once, the ceiling of reductions. Only for reduce cases.
fn read(case: &Case, timer: Timer<'_>, threads: usize) -> Result<Measured, Skip> {
    if case.op != "reduce" {
        return Err(Skip::NotApplicable);
    }
    let n = (case.bytes_read / 4) as usize;
    let values = common::input(&[n], 0);
    let src = values.as_slice().expect("a new array is contiguous");
    let sum = |part: &[f32]| {
        let mut lanes = [0.0f32; 8];
        for chunk in part.chunks_exact(8) {
            for (lane, &x) in lanes.iter_mut().zip(chunk) {
                *lane += x;
            }
        }
        lanes.iter().sum::<f32>() + part.chunks_exact(8).remainder().iter().sum::<f32>()
    };
    let total = |src: &[f32]| -> f32 {
        if threads > 1 && src.len() * 4 >= 1 << 20 {
            src.par_chunks(src.len().div_ceil(threads)).map(sum).sum()
        } else {
            sum(src)
        }
    };
    let checksum = f64::from(total(src));
    let median_ns = timer.per_call(|| {
        black_box(total(black_box(src)));
    });
    Ok(Measured {
        median_ns,
        materialised: false,
        checksum,
        scale: checksum.abs(),
    })
}

const PAGE_FLOATS: usize = 4096 / 4;

/// The `n` floats of `buffer` (`n + PAGE_FLOATS` long) that start at byte `offset` of a 4 KiB page.
fn at_page_offset(buffer: &mut [f32], offset: usize, n: usize) -> &mut [f32] {
    let address = buffer.as_ptr() as usize;
    let skip = (offset + 4096 - address % 4096) % 4096 / 4;
    &mut buffer[skip..skip + n]
}

/// Runs nothing: tells whether the group of a case has code.
struct Probe;

impl Visit for Probe {
    type Out = ();
    fn call<I, D: Dimension>(self, _: &I, _: impl FnMut(&I) -> Array<f32, D>) {}
    fn call_owned<DI: Dimension, D: Dimension>(
        self,
        _: &Array<f32, DI>,
        _: impl FnMut(Array<f32, DI>) -> Array<f32, D>,
    ) {
    }
    fn call_view<'i, I, D: Dimension>(
        self,
        _: &'i I,
        _: impl FnMut(&'i I) -> ArrayView<'i, f32, D>,
    ) {
    }
    fn call_into<I, D: Dimension>(
        self,
        _: &I,
        _: Array<f32, D>,
        _: impl FnMut(&mut Array<f32, D>, &I),
    ) {
    }
}

fn measure(
    case: &Case,
    inputs: &[ArrayD<f32>],
    imp: Impl,
    timer: Timer<'_>,
    threads: usize,
) -> Result<Measured, Skip> {
    match imp {
        Impl::Memcpy => Ok(memcpy(case, timer, threads)),
        Impl::FreshMemcpy => fresh_memcpy(case, timer, Placement::Interior),
        Impl::FreshAligned => fresh_memcpy(case, timer, Placement::Aligned),
        Impl::Read => read(case, timer, threads),
        _ => common::run(case, inputs, imp, timer),
    }
}

fn json_number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "null".to_string()
    }
}

fn print_json(row: &Row, case: &Case) {
    let gflops = row.gflops.map_or(String::new(), |g| {
        format!("\"gflops\": {}, ", json_number((g * 1e3).round() / 1e3))
    });
    println!(
        "{{\"impl\": \"{}\", \"case\": {}, \"threads\": {}, \"median_ns\": {}, \"gbps\": {}, {gflops}\"materialised\": {}, \"checksum\": {}}}",
        row.imp.name(),
        serde_json::Value::from(case.id.as_str()),
        row.threads,
        json_number((row.median_ns * 10.0).round() / 10.0),
        json_number((row.gbps * 1e3).round() / 1e3),
        row.materialised,
        json_number(row.checksum),
    );
}

// ---------------------------------------------------------------------------------------
// Options and the run.

struct Options {
    cases: PathBuf,
    threads: Vec<usize>,
    filter: Option<String>,
    size: Option<String>,
    repeat: Option<usize>,
    rounds: Option<usize>,
    impls: Vec<Impl>,
}

/// The error for a count that is not a positive integer.
const COUNT: &str = "--repeat and --rounds take a positive integer";

/// `text` as a positive integer.
fn positive(text: &str) -> Option<usize> {
    text.parse().ok().filter(|&n| n > 0)
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        cases: PathBuf::new(),
        threads: vec![1],
        filter: None,
        size: None,
        repeat: None,
        rounds: None,
        impls: Impl::ALL.to_vec(),
    };
    let mut cases = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--cases" => cases = Some(PathBuf::from(value()?)),
            "--threads" => {
                options.threads = value()?
                    .split(',')
                    .map(|t| positive(t.trim()))
                    .collect::<Option<_>>()
                    .ok_or("--threads takes positive integers, e.g. 1 or 1,2")?;
            }
            "--filter" => options.filter = Some(value()?),
            "--size" => {
                let size = value()?;
                if size != "large" && size != "small" {
                    return Err(format!("--size is large or small, not {size:?}"));
                }
                options.size = Some(size);
            }
            "--repeat" => options.repeat = Some(positive(&value()?).ok_or(COUNT)?),
            "--rounds" => options.rounds = Some(positive(&value()?).ok_or(COUNT)?),
            "--impls" => {
                options.impls = value()?
                    .split(',')
                    .map(|name| {
                        Impl::from_name(name.trim()).ok_or(format!("unknown impl {name:?}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    options.cases = cases.ok_or("--cases PATH is required")?;
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("bench_report: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let cases: Vec<Case> = match common::load_cases(&options.cases) {
        Ok(cases) => cases
            .into_iter()
            .filter(|c| {
                options
                    .filter
                    .as_ref()
                    .is_none_or(|f| c.id.contains(f.as_str()))
            })
            .filter(|c| options.size.as_ref().is_none_or(|s| &c.size == s))
            .collect(),
        Err(message) => {
            eprintln!("bench_report: {message}");
            return ExitCode::from(2);
        }
    };
    let mut pools = Vec::new();
    for &threads in &options.threads {
        match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pools.push((threads, pool)),
            Err(e) => {
                eprintln!("bench_report: thread pool of {threads}: {e}");
                return ExitCode::from(2);
            }
        }
    }

    let mut rows = Rows {
        cases: &cases,
        rows: Vec::new(),
    };
    let mut failed = false;
    for (index, case) in cases.iter().enumerate() {
        let inputs = case.inputs();
        if let Err(Skip::UnknownGroup) = common::run(case, &inputs, Impl::Naive, Probe) {
            eprintln!(
                "bench_report: skipping {}: no code for group `{}`",
                case.id, case.group
            );
            continue;
        }
        let timer = Timer {
            small: case.size == "small",
            repeat: options.repeat,
            inputs: &inputs,
        };
        let rounds = options.rounds.unwrap_or(if timer.small {
            SMALL_ROUNDS
        } else {
            LARGE_ROUNDS
        });
        'threads: for (threads, pool) in &pools {
            // Every round measures each implementation once, in turn.
            let mut measured: Vec<(Impl, Vec<Measured>)> = Vec::new();
            for _ in 0..rounds {
                for &imp in &options.impls {
                    let result = pool.install(|| measure(case, &inputs, imp, timer, *threads));
                    let m = match result {
                        Ok(m) => m,
                        Err(Skip::NotApplicable) => continue,
                        Err(Skip::UnknownGroup) => break 'threads,
                        Err(Skip::Invalid(message)) => {
                            eprintln!("bench_report: ERROR: {message}");
                            failed = true;
                            break 'threads;
                        }
                    };
                    match measured.iter_mut().find(|(i, _)| *i == imp) {
                        Some((_, rounds)) => rounds.push(m),
                        None => measured.push((imp, vec![m])),
                    }
                }
            }
            for (imp, rounds) in measured {
                let m = median_round(rounds);
                let row = Row {
                    imp,
                    case: index,
                    threads: *threads,
                    median_ns: m.median_ns,
                    gbps: case.bytes_total as f64 / m.median_ns,
                    gflops: case.flops.map(|f| f / m.median_ns),
                    materialised: m.materialised,
                    checksum: m.checksum,
                    scale: m.scale,
                };
                print_json(&row, case);
                rows.rows.push(row);
            }
        }
    }

    failed |= !checksums_agree(&rows);
    print_tables(&rows, &options.threads);
    let took = started.elapsed().as_secs_f64();
    println!("\nwhole run: {took:.1} s");
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The round with the median time (the upper one of an even count).
fn median_round(mut rounds: Vec<Measured>) -> Measured {
    rounds.sort_by(|a, b| a.median_ns.total_cmp(&b.median_ns));
    let mid = rounds.len() / 2;
    rounds.swap_remove(mid)
}

/// Compares every implementation's checksum with einops' (or the first one measured) on the
/// same case: exactly for copies and max (same values, same summation order), within
/// 1e-5 of Σ|yᵢ|·wᵢ for sums, means and einsums.
fn checksums_agree(rows: &Rows<'_>) -> bool {
    let mut agree = true;
    let baseline = |imp| {
        matches!(
            imp,
            Impl::Memcpy | Impl::FreshMemcpy | Impl::FreshAligned | Impl::Read
        )
    };
    for row in rows.rows.iter().filter(|r| !baseline(r.imp)) {
        let case = &rows.cases[row.case];
        let reference = rows
            .find(Impl::Einops, row.case, row.threads)
            .or_else(|| {
                rows.rows
                    .iter()
                    .find(|r| r.case == row.case && r.threads == row.threads && !baseline(r.imp))
            })
            .expect("the row itself qualifies");
        let inexact = case.op == "einsum"
            || matches!(
                case.reduction.as_deref(),
                Some("mean") | Some("sum") | Some("prod")
            );
        let relative = if inexact { 1e-5 } else { 1e-12 };
        let tolerance = relative * row.scale.max(reference.scale);
        if (row.checksum - reference.checksum).abs() > tolerance || row.checksum.is_nan() {
            eprintln!(
                "bench_report: WARNING: checksum of {} on {} ({} threads) is {:?}, {} has {:?} (tolerance {:e})",
                row.imp.name(),
                case.id,
                row.threads,
                row.checksum,
                reference.imp.name(),
                reference.checksum,
                tolerance
            );
            agree = false;
        }
    }
    agree
}

// ---------------------------------------------------------------------------------------
// The readable tables.

fn time_text(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} us", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn print_tables(rows: &Rows<'_>, threads: &[usize]) {
    let (mut passed, mut missed, mut unmeasured) = (0, 0, 0);
    let mut misses = Vec::new();
    for (index, case) in rows.cases.iter().enumerate() {
        for &t in threads {
            let block: Vec<&Row> = rows
                .rows
                .iter()
                .filter(|r| r.case == index && r.threads == t)
                .collect();
            if block.is_empty() {
                continue;
            }
            let shapes: Vec<String> = case.input_shapes.iter().map(|s| format!("{s:?}")).collect();
            println!(
                "\n{} · {} · {} -> {:?} · {} thread{} · {:.1} MiB moved",
                case.id,
                case.pattern,
                shapes.join(", "),
                case.output_shape,
                t,
                if t == 1 { "" } else { "s" },
                case.bytes_total as f64 / (1 << 20) as f64
            );
            println!(
                "  {:<20} {:>12} {:>10}  materialised",
                "impl", "median", "GB/s"
            );
            for row in &block {
                let gflops = row
                    .gflops
                    .map_or(String::new(), |g| format!("  {g:.1} GFLOP/s"));
                println!(
                    "  {:<20} {:>12} {:>10.2}  {}{gflops}",
                    row.imp.name(),
                    time_text(row.median_ns),
                    row.gbps,
                    if row.materialised { "yes" } else { "no" },
                );
            }
            let get = |imp| rows.find(imp, index, t);
            // Speeds relative to each baseline of the same run (time ratios).
            let ratios: Vec<String> = [
                (Impl::Einops, Impl::Read),
                (Impl::Einops, Impl::FreshMemcpy),
                (Impl::EinopsInto, Impl::Memcpy),
                (Impl::Einops, Impl::Naive),
            ]
            .into_iter()
            .filter_map(|(a, b)| {
                let ratio = get(b)?.median_ns / get(a)?.median_ns;
                Some(format!("{} / {}: {ratio:.2}x", a.name(), b.name()))
            })
            .collect();
            if !ratios.is_empty() {
                println!("  speed {}", ratios.join("    "));
            }
            for target in TARGETS.iter().filter(|tg| tg.applies(case, t)) {
                let text = target.check.describe();
                match target.check.evaluate(rows, index, t) {
                    Some((true, measured)) => {
                        passed += 1;
                        println!("  target {text}: PASS ({measured})");
                    }
                    Some((false, measured)) => {
                        missed += 1;
                        println!("  target {text}: MISS ({measured})");
                        misses.push(format!("{} ({t} thr): {text}: {measured}", case.id));
                    }
                    None => {
                        unmeasured += 1;
                        println!("  target {text}: n/a (not measured)");
                    }
                }
            }
        }
    }
    println!("\ntargets: {passed} PASS, {missed} MISS, {unmeasured} not measured");
    for miss in misses {
        println!("  MISS {miss}");
    }
}
