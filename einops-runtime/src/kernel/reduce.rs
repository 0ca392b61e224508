//! Reduction kernels. The kept walk is simplified like a copy's, the reduced one by source
//! stride ([`simplify_reduced`]); then
//!
//! - **vertical**: the innermost kept axis is contiguous in source and destination
//!   (channel max, pooling over NHWC): chunks of lanes are folded in registers over a
//!   few rows at a time, which vectorises across the contiguous lanes; on inputs larger
//!   than the caches each row is prefetched ahead of the reads;
//! - **horizontal**: the innermost reduced axis is contiguous (global average pool):
//!   each output element folds runs with several independent accumulators;
//! - anything else: one element at a time.
//!
//! Outputs of at least `tuning::STREAM_BYTES` are written with streaming stores, a chunk
//! of lanes at a time in destination order (see `stream`).
//!
//! Floating-point sums are blocked (partial folds of at most [`BLOCK`] elements are
//! combined), which keeps the error close to pairwise summation.

use super::parallel::{self, Shared};
use super::tuning::{
    FEW_ACCUMULATORS, FOLD_ACCUMULATORS as ACCUMULATORS, FOLD_CHUNK as CHUNK, FOLD_LANES as LANES,
    FOLD_PASS as PASS, FOLD_PREFETCH, LARGE_WALK, SHORT_FOLD as SHORT_RUN, STREAM_BYTES,
    WINDOW_PREFETCH,
};
use super::{prefetch, stream};
use crate::element::Reducible;
use crate::pattern::Reduction;
use crate::solve::walk::{count, for_each, for_each_inlined, simplify, Step, Steps};

/// Elements folded before a partial result is combined into the total.
const BLOCK: usize = 128;

/// A reduction as a fold: a state seeded from the first element, a step per further
/// element, an associative combination of two states and a final conversion.
trait Fold<A: Reducible> {
    type State: Copy;
    fn first(x: A) -> Self::State;
    fn step(state: Self::State, x: A) -> Self::State;
    fn combine(a: Self::State, b: Self::State) -> Self::State;
    fn finish(state: Self::State, count: usize) -> A;
}

/// Sums (`MEAN = false`) and means (`MEAN = true`): both add in `A::Sum`.
struct Additive<const MEAN: bool>;
type Sum = Additive<false>;
type Mean = Additive<true>;
struct Prod;
/// Minima (`MAX = false`) and maxima (`MAX = true`).
struct Extreme<const MAX: bool>;
type Min = Extreme<false>;
type Max = Extreme<true>;
/// `any` (`ALL = false`) and `all` (`ALL = true`).
struct Truth<const ALL: bool>;
type Any = Truth<false>;
type All = Truth<true>;

impl<A: Reducible, const MEAN: bool> Fold<A> for Additive<MEAN> {
    type State = A::Sum;
    fn first(x: A) -> A::Sum {
        x.to_sum()
    }
    fn step(s: A::Sum, x: A) -> A::Sum {
        A::add_sums(s, x.to_sum())
    }
    fn combine(a: A::Sum, b: A::Sum) -> A::Sum {
        A::add_sums(a, b)
    }
    fn finish(s: A::Sum, count: usize) -> A {
        match MEAN {
            true => A::mean(s, count).unwrap_or_else(|| A::from_sum(s)),
            false => A::from_sum(s),
        }
    }
}

impl<A: Reducible> Fold<A> for Prod {
    type State = A;
    fn first(x: A) -> A {
        x
    }
    fn step(s: A, x: A) -> A {
        A::product(s, x)
    }
    fn combine(a: A, b: A) -> A {
        A::product(a, b)
    }
    fn finish(s: A, _: usize) -> A {
        s
    }
}

impl<A: Reducible, const MAX: bool> Fold<A> for Extreme<MAX> {
    type State = A;
    fn first(x: A) -> A {
        x
    }
    fn step(s: A, x: A) -> A {
        <Self as Fold<A>>::combine(s, x)
    }
    fn combine(a: A, b: A) -> A {
        match MAX {
            true => A::nan_max(a, b),
            false => A::nan_min(a, b),
        }
    }
    fn finish(s: A, _: usize) -> A {
        s
    }
}

impl<A: Reducible, const ALL: bool> Fold<A> for Truth<ALL> {
    type State = bool;
    fn first(x: A) -> bool {
        x.is_true()
    }
    fn step(s: bool, x: A) -> bool {
        <Self as Fold<A>>::combine(s, x.is_true())
    }
    fn combine(a: bool, b: bool) -> bool {
        match ALL {
            true => a & b,
            false => a | b,
        }
    }
    fn finish(s: bool, _: usize) -> A {
        if s {
            A::ONE
        } else {
            A::ZERO
        }
    }
}

/// The result of reducing zero elements (min and max have none; callers reject them).
fn empty<A: Reducible>(reduction: Reduction) -> A {
    match reduction {
        Reduction::Sum | Reduction::Any => A::ZERO,
        Reduction::Prod | Reduction::All => A::ONE,
        Reduction::Mean => A::mean(A::ZERO.to_sum(), 0).unwrap_or(A::ZERO),
        Reduction::Min | Reduction::Max => unreachable!("empty min/max reductions are errors"),
    }
}

/// The reduced walk simplified by source stride, which puts the contiguous reduced axis
/// innermost; `None` when it visits no element. Reducing only unit axes gives one unit
/// loop: every output folds exactly one element.
pub(crate) fn simplify_reduced(reduced: &[Step]) -> Option<Steps> {
    let by_source: Steps = reduced.iter().map(|s| Step { dst: s.src, ..*s }).collect();
    let mut reduced = simplify(&by_source)?;
    if reduced.is_empty() {
        reduced.push(Step {
            len: 1,
            src: 1,
            dst: 1,
        });
    }
    Some(reduced)
}

/// Writes, for every position of `kept`, the reduction of the `reduced` walk there.
///
/// # Safety
/// `kept` must be a walk [`simplify`] returned and `reduced` one [`simplify_reduced`]
/// returned (`None`: no element to fold). Every combination of a kept and a reduced source
/// offset must address a readable element of `src`; every kept destination offset a
/// writable element of `dst` (distinct, not overlapping `src`). A `min`/`max` over a
/// reduced walk with no element must have been rejected (the other reductions write their
/// empty value).
pub(crate) unsafe fn reduce<A: Reducible>(
    kept: &[Step],
    reduced: Option<&[Step]>,
    reduction: Reduction,
    src: *const A,
    dst: *mut A,
) {
    let Some(reduced) = reduced else {
        let value = empty::<A>(reduction);
        // SAFETY: kept destination offsets are valid (caller).
        for_each(kept, move |_, d| unsafe { dst.offset(d).write(value) });
        return;
    };
    let bytes = (count(kept) * count(reduced)).saturating_mul(std::mem::size_of::<A>());
    let scale = Scale {
        streaming: count(kept).saturating_mul(std::mem::size_of::<A>()) >= STREAM_BYTES,
        prefetching: bytes >= LARGE_WALK,
    };
    let (src, dst) = (Shared(src.cast_mut()), Shared(dst));
    parallel::chunks(kept, bytes, |chunk, s, d| {
        let (src, dst) = (
            src.ptr().wrapping_offset(s).cast_const(),
            dst.ptr().wrapping_offset(d),
        );
        // SAFETY: forwarded from the caller; chunks of the kept walk write disjoint outputs.
        unsafe {
            match reduction {
                Reduction::Sum => run::<A, Sum>(chunk, reduced, src, dst, scale),
                Reduction::Mean => run::<A, Mean>(chunk, reduced, src, dst, scale),
                Reduction::Prod => run::<A, Prod>(chunk, reduced, src, dst, scale),
                Reduction::Min => run::<A, Min>(chunk, reduced, src, dst, scale),
                Reduction::Max => run::<A, Max>(chunk, reduced, src, dst, scale),
                Reduction::Any => run::<A, Any>(chunk, reduced, src, dst, scale),
                Reduction::All => run::<A, All>(chunk, reduced, src, dst, scale),
            }
        }
        if scale.streaming {
            stream::fence();
        }
    });
}

/// # Safety
/// As for [`reduce`], with simplified, non-empty walks.
unsafe fn run<A: Reducible, F: Fold<A>>(
    kept: &[Step],
    reduced: &[Step],
    src: *const A,
    dst: *mut A,
    scale: Scale,
) {
    let count: usize = reduced.iter().map(|s| s.len).product();
    match kept.split_last() {
        // SAFETY (all arms): offsets come from the walks, as the caller guarantees.
        Some((&inner, outer)) if inner.src == 1 && inner.dst == 1 => {
            let mut listed = [0isize; BLOCK];
            let rows = if count <= BLOCK {
                let mut n = 0;
                for_each(reduced, |r, _| {
                    listed[n] = r;
                    n += 1;
                });
                Rows::Listed(&listed[..count])
            } else {
                Rows::Walk(reduced)
            };
            unsafe { vertical::<A, F>(outer, src, dst, inner.len, rows, count, scale) };
        }
        _ => {
            let (&last, rest) = reduced
                .split_last()
                .expect("simplified reduced walk is not empty");
            let fold = move |offset: isize| {
                if last.src == 1 {
                    unsafe { horizontal::<A, F>(src.offset(offset), last.len) }
                } else {
                    unsafe { strided::<A, F>(src.offset(offset), last.len, last.src) }
                }
            };
            for_each(kept, move |s, d| {
                // One run per output (global pooling) needs no loop over the others.
                let total = if rest.is_empty() {
                    fold(s)
                } else {
                    let mut total: Option<F::State> = None;
                    for_each(rest, |r, _| {
                        let part = fold(s + r);
                        total = Some(total.map_or(part, |t| F::combine(t, part)));
                    });
                    total.expect("the reduced walk visits at least one run")
                };
                unsafe { dst.offset(d).write(F::finish(total, count)) };
            });
        }
    }
}

/// What the size of a reduction turns on in its vertical folds.
#[derive(Clone, Copy)]
struct Scale {
    /// The output is written with streaming stores (see [`finish`]).
    streaming: bool,
    /// The input is too large for the caches: the folds prefetch along their rows.
    prefetching: bool,
}

impl Scale {
    /// How far ahead along each row a fold prefetches, in bytes: `distance`, or 0 (none)
    /// for inputs the caches hold.
    fn ahead(self, distance: usize) -> usize {
        if self.prefetching {
            distance
        } else {
            0
        }
    }
}

/// The source offsets of the reduced rows a vertical fold visits for every lane block:
/// listed once per call when they fit in one [`BLOCK`] (pooling windows, channel
/// reductions), so that each block loops over a short slice instead of stepping through
/// the walk.
#[derive(Clone, Copy)]
enum Rows<'a> {
    /// At most [`BLOCK`] offsets, in walk order.
    Listed(&'a [isize]),
    /// The simplified reduced walk, of more than [`BLOCK`] rows.
    Walk(&'a [Step]),
}

/// At every position `(s, d)` of the `outer` kept walk, folds `lanes` contiguous lanes
/// over every reduced row: each row contributes one contiguous source run, folded
/// element-wise. With AVX2 the same operations in the same order compile to 256-bit
/// vectors, so both give the same result bit for bit.
///
/// # Safety
/// `src + s + r + k` must be readable for every outer position, reduced offset `r` and
/// `k < lanes`, and `dst + d + k` writable (distinct for distinct positions).
unsafe fn vertical<A: Reducible, F: Fold<A>>(
    outer: &[Step],
    src: *const A,
    dst: *mut A,
    lanes: usize,
    rows: Rows,
    count: usize,
    scale: Scale,
) {
    // One variant per size of the state buffer: a function's stack frame holds its
    // largest buffer, and probing tens of kilobytes of stack on each call made a 2x2
    // pool (one small call per output pixel) twice as slow.
    let single_pass = matches!(rows, Rows::Listed(offsets) if offsets.len() <= PASS);
    // SAFETY (all): forwarded from the caller.
    match (single_pass, lanes <= SHORT_LANES) {
        (true, _) => unsafe {
            vertical_twin::<A, F, 0>(outer, src, dst, lanes, rows, count, scale)
        },
        (false, true) => unsafe {
            vertical_twin::<A, F, SHORT_LANES>(outer, src, dst, lanes, rows, count, scale)
        },
        (false, false) => unsafe {
            vertical_twin::<A, F, LANES>(outer, src, dst, lanes, rows, count, scale)
        },
    }
}

/// [`vertical_positions`], compiled for AVX2 when the CPU has it. Never inlined, so that
/// each size of state buffer stays in its own frame.
///
/// # Safety
/// As for [`vertical_lanes`].
#[inline(never)]
unsafe fn vertical_twin<A: Reducible, F: Fold<A>, const N: usize>(
    outer: &[Step],
    src: *const A,
    dst: *mut A,
    lanes: usize,
    rows: Rows,
    count: usize,
    scale: Scale,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2; the rest is forwarded from the caller.
        return unsafe { vertical_avx2::<A, F, N>(outer, src, dst, lanes, rows, count, scale) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { vertical_positions::<A, F, N>(outer, src, dst, lanes, rows, count, scale) }
}

/// [`vertical_positions`] compiled for AVX2.
///
/// # Safety
/// As for [`vertical_lanes`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn vertical_avx2<A: Reducible, F: Fold<A>, const N: usize>(
    outer: &[Step],
    src: *const A,
    dst: *mut A,
    lanes: usize,
    rows: Rows,
    count: usize,
    scale: Scale,
) {
    // SAFETY: forwarded from the caller.
    unsafe { vertical_positions::<A, F, N>(outer, src, dst, lanes, rows, count, scale) }
}

/// [`vertical_lanes`] at every position of the `outer` kept walk: the walk and the
/// closure are inlined always, so that they run inside the AVX2 twin with its features
/// (a closure written here, outside it, would be compiled for the baseline CPU: 4-lane
/// SSE, which left `reduce_maxpool/large` at 0.53–0.59× read bandwidth against
/// 0.56–0.63× and `reduce_channel_max/large` at 0.73–0.83× against 0.84–0.87×), and a
/// pooling window of a few hundred bytes per output pixel pays no call and no feature
/// check.
///
/// # Safety
/// As for [`vertical`].
#[inline(always)]
unsafe fn vertical_positions<A: Reducible, F: Fold<A>, const N: usize>(
    outer: &[Step],
    src: *const A,
    dst: *mut A,
    lanes: usize,
    rows: Rows,
    count: usize,
    scale: Scale,
) {
    for_each_inlined(
        outer,
        #[inline(always)]
        |s, d| {
            // SAFETY: `s` and `d` are positions of the kept walk (caller).
            unsafe {
                vertical_lanes::<A, F, N>(src.offset(s), dst.offset(d), lanes, rows, count, scale)
            }
        },
    );
}

/// With `N = 0`, one pass over listed rows (at most [`PASS`], a pooling window): states
/// go from registers to the output. Otherwise blocks of `N` lanes whose states wait on
/// the stack between passes.
///
/// # Safety
/// As for [`vertical`], with `N = 0` only for at most [`PASS`] listed rows.
#[inline(always)]
unsafe fn vertical_lanes<A: Reducible, F: Fold<A>, const N: usize>(
    src: *const A,
    dst: *mut A,
    lanes: usize,
    rows: Rows,
    count: usize,
    scale: Scale,
) {
    if N == 0 {
        let Rows::Listed(offsets) = rows else {
            unreachable!("one pass folds listed rows")
        };
        // SAFETY: forwarded from the caller; `k + j < lanes`.
        return unsafe {
            pass::<A, F>(
                src,
                lanes,
                offsets,
                scale.ahead(WINDOW_PREFETCH),
                |k, states| finish::<A, F>(states, dst.add(k), count, scale.streaming),
            )
        };
    }
    for start in (0..lanes).step_by(N) {
        let width = N.min(lanes - start);
        // SAFETY: forwarded from the caller, block by block.
        unsafe { lane_block::<A, F, N>(src.add(start), dst.add(start), width, rows, count, scale) };
    }
}

/// Lane blocks of at most this many lanes keep their states in a small stack buffer,
/// which is seeded on every call.
const SHORT_LANES: usize = 64;

/// Folds `width ≤ N` lanes over the rows in blocks of at most [`BLOCK`] rows, each the
/// combination of passes of [`PASS`] rows; the blocks' results are combined into a total,
/// which keeps long float sums accurate.
///
/// # Safety
/// As for [`vertical`] with `lanes = width`.
#[inline(always)]
unsafe fn lane_block<A: Reducible, F: Fold<A>, const N: usize>(
    src: *const A,
    dst: *mut A,
    width: usize,
    rows: Rows,
    count: usize,
    scale: Scale,
) {
    // Placeholder states (the first reduced row is readable), overwritten before use.
    // SAFETY: offset 0 is the first reduced offset.
    let seed = F::first(unsafe { src.read() });
    let (mut total, mut partial) = ([seed; N], [seed; N]);
    let (total, partial) = (&mut total[..width], &mut partial[..width]);
    let ahead = scale.ahead(FOLD_PREFETCH);
    match rows {
        // SAFETY (both arms): forwarded from the caller.
        Rows::Listed(offsets) => unsafe { fold_rows::<A, F>(src, offsets, total, ahead) },
        Rows::Walk(reduced) => {
            // Offsets computed from the row index, a block at a time: stepping the walk
            // would take a closure, which loses the caller's AVX2.
            let mut listed = [0isize; BLOCK];
            for start in (0..count).step_by(BLOCK) {
                let listed = &mut listed[..BLOCK.min(count - start)];
                for (i, offset) in listed.iter_mut().enumerate() {
                    *offset = source_offset(reduced, start + i);
                }
                if start == 0 {
                    unsafe { fold_rows::<A, F>(src, listed, total, ahead) };
                } else {
                    unsafe { fold_rows::<A, F>(src, listed, partial, ahead) };
                    combine_states::<A, F>(total, partial);
                }
            }
        }
    }
    for (k, states) in total.chunks(CHUNK).enumerate() {
        // SAFETY: `k * CHUNK + states.len() <= width` (caller).
        unsafe { finish::<A, F>(states, dst.add(k * CHUNK), count, scale.streaming) };
    }
}

/// Writes the final values of at most [`CHUNK`] (and at least one) states to `dst`, with
/// streaming stores when `streaming`: outputs far larger than the caches, where a pooling
/// window's ordinary stores made the output's lines be read before they were written
/// (`reduce_maxpool/large`, builds alternated, two runs of three rounds: 0.60–0.62×
/// read bandwidth with ordinary stores, 0.66–0.67× streamed).
///
/// # Safety
/// `dst .. dst + states.len()` must be writable. When `streaming`, [`stream::fence`] must
/// run before another thread reads it.
#[inline(always)]
unsafe fn finish<A: Reducible, F: Fold<A>>(
    states: &[F::State],
    dst: *mut A,
    count: usize,
    streaming: bool,
) {
    // SAFETY (both): the caller guarantees the range.
    if streaming {
        let mut out = [F::finish(states[0], count); CHUNK];
        for (o, &state) in out.iter_mut().zip(states) {
            *o = F::finish(state, count);
        }
        unsafe { stream::copy_run(out.as_ptr(), dst, states.len()) };
    } else {
        for (j, &state) in states.iter().enumerate() {
            unsafe { dst.add(j).write(F::finish(state, count)) };
        }
    }
}

/// The source offset of row `index` of a walk (row-major order).
fn source_offset(steps: &[Step], index: usize) -> isize {
    let mut rest = index;
    let mut offset = 0;
    for step in steps.iter().rev() {
        offset += (rest % step.len) as isize * step.src;
        rest /= step.len;
    }
    offset
}

/// Folds the rows at `offsets` (at least one) into `states`, one per lane, in passes of
/// [`PASS`] rows combined in order, prefetching `ahead` bytes along each (see [`pass`]).
///
/// # Safety
/// `src + r + k` must be readable for every offset `r` and `k < states.len()`.
#[inline(always)]
unsafe fn fold_rows<A: Reducible, F: Fold<A>>(
    src: *const A,
    offsets: &[isize],
    states: &mut [F::State],
    ahead: usize,
) {
    let width = states.len();
    for (p, rows) in offsets.chunks(PASS).enumerate() {
        // SAFETY: forwarded from the caller; `k + j < width`.
        unsafe {
            pass::<A, F>(src, width, rows, ahead, |k, folded| {
                let states = &mut states[k..k + folded.len()];
                if p == 0 {
                    states.copy_from_slice(folded);
                } else {
                    combine_states::<A, F>(states, folded);
                }
            })
        };
    }
}

/// `states[k] = combine(states[k], other[k])` for every lane, whole chunks through local
/// arrays (see [`CHUNK`]).
#[inline(always)]
fn combine_states<A: Reducible, F: Fold<A>>(states: &mut [F::State], other: &[F::State]) {
    let mut states = states.chunks_mut(CHUNK);
    for (states, other) in (&mut states).zip(other.chunks(CHUNK)) {
        if let (Ok(chunk), Ok(other)) = (
            <&mut [F::State; CHUNK]>::try_from(&mut *states),
            <&[F::State; CHUNK]>::try_from(other),
        ) {
            let mut combined = *chunk;
            for (c, &o) in combined.iter_mut().zip(other) {
                *c = F::combine(*c, o);
            }
            *chunk = combined;
        } else {
            for (state, &o) in states.iter_mut().zip(other) {
                *state = F::combine(*state, o);
            }
        }
    }
}

/// Folds the rows at `offsets` (at least one) over `width` lanes, [`CHUNK`] lanes at a
/// time in registers, and hands each chunk's states to `emit(first lane, states)`; the
/// lanes of the last partial chunk one at a time, in the same order of operations. Unless
/// `ahead` is 0, each chunk asks for the source `ahead` bytes further along every row: one
/// line per chunk, which is every line for 4-byte lanes (a chunk of 16 fills one; the
/// distances were measured on `f32`) and every other for 8-byte ones.
///
/// # Safety
/// `src + r + k` must be readable for every offset `r` and `k < width`.
#[inline(always)]
unsafe fn pass<A: Reducible, F: Fold<A>>(
    src: *const A,
    width: usize,
    offsets: &[isize],
    ahead: usize,
    mut emit: impl FnMut(usize, &[F::State]),
) {
    let (&first, rest) = offsets.split_first().expect("a pass folds a row");
    // SAFETY: `r` is one of the offsets and `k + CHUNK <= width` (caller).
    let chunk = |r: isize, k: usize| unsafe { &*src.offset(r).add(k).cast::<[A; CHUNK]>() };
    let mut k = 0;
    let ahead = ahead / std::mem::size_of::<A>().max(1);
    while k + CHUNK <= width {
        if ahead > 0 {
            for &r in offsets {
                prefetch(src.wrapping_offset(r).wrapping_add(k + ahead));
            }
        }
        let mut states = chunk(first, k).map(F::first);
        for &r in rest {
            for (state, &x) in states.iter_mut().zip(chunk(r, k)) {
                *state = F::step(*state, x);
            }
        }
        emit(k, &states);
        k += CHUNK;
    }
    for lane in k..width {
        // SAFETY: `r` is one of the offsets and `lane < width` (caller).
        let at = |r: isize| unsafe { src.offset(r).add(lane).read() };
        let state = rest
            .iter()
            .fold(F::first(at(first)), |s, &r| F::step(s, at(r)));
        emit(lane, &[state]);
    }
}

/// Folds `len` (≥ 1) contiguous elements with [`ACCUMULATORS`] independent states, or
/// [`FEW_ACCUMULATORS`] for short runs (which seeding and combining many would dominate).
///
/// # Safety
/// `src .. src + len` must be readable.
unsafe fn horizontal<A: Reducible, F: Fold<A>>(src: *const A, len: usize) -> F::State {
    // SAFETY: the caller guarantees the run is readable.
    let run = unsafe { std::slice::from_raw_parts(src, len) };
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { fold_avx2::<A, F>(run) };
    }
    fold::<A, F>(run)
}

/// [`fold`] compiled for AVX2, picked at run time where the CPU has it: the same
/// operations in the same order, so the same result bit for bit, but the compiler may use
/// 256-bit vectors (e.g. widening four `f32` to `f64` at a time in float sums). The
/// vertical folds have no such twin: they update lane states in memory, and with AVX the
/// compiler turns a min/max update into masked stores, which made the large channel max
/// and max pool about 40 % slower on AMD Zen 3.
///
/// # Safety
/// Only on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fold_avx2<A: Reducible, F: Fold<A>>(run: &[A]) -> F::State {
    fold::<A, F>(run)
}

/// Folds a non-empty run with as many accumulators as its length pays for, in blocks of
/// at most [`BLOCK`] elements per accumulator.
#[inline(always)]
fn fold<A: Reducible, F: Fold<A>>(run: &[A]) -> F::State {
    if run.len() < SHORT_RUN {
        return fold_blocks::<A, F, FEW_ACCUMULATORS>(run);
    }
    fold_blocks::<A, F, ACCUMULATORS>(run)
}

/// Folds a non-empty run in blocks of `BLOCK * N`, each with `N` independent states.
#[inline(always)]
fn fold_blocks<A: Reducible, F: Fold<A>, const N: usize>(run: &[A]) -> F::State {
    let mut blocks = run.chunks(BLOCK * N);
    let mut total = fold_block::<A, F, N>(blocks.next().expect("runs have an element"));
    for block in blocks {
        total = F::combine(total, fold_block::<A, F, N>(block));
    }
    total
}

/// Folds a non-empty block with `N` independent states.
#[inline(always)]
fn fold_block<A: Reducible, F: Fold<A>, const N: usize>(block: &[A]) -> F::State {
    let mut chunks = block.chunks_exact(N);
    let Some(first) = chunks.next() else {
        return block[1..]
            .iter()
            .fold(F::first(block[0]), |s, &x| F::step(s, x));
    };
    let mut lanes: [F::State; N] = std::array::from_fn(|k| F::first(first[k]));
    for chunk in chunks.by_ref() {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane = F::step(*lane, x);
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(lanes[0], |s, &x| F::step(s, x));
    lanes[1..].iter().fold(tail, |s, &l| F::combine(s, l))
}

/// Folds `len` (≥ 1) elements `stride` apart, in blocks of [`BLOCK`].
///
/// # Safety
/// Those elements must be readable.
unsafe fn strided<A: Reducible, F: Fold<A>>(src: *const A, len: usize, stride: isize) -> F::State {
    // SAFETY (reads): the caller guarantees the elements are readable.
    let read = |k: usize| unsafe { src.offset(k as isize * stride).read() };
    let mut total: Option<F::State> = None;
    for start in (0..len).step_by(BLOCK) {
        let part = (start + 1..len.min(start + BLOCK))
            .fold(F::first(read(start)), |s, k| F::step(s, read(k)));
        total = Some(total.map_or(part, |t| F::combine(t, part)));
    }
    total.expect("runs have at least one element")
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use std::fmt::Debug;

    /// The AVX2 twin gives the portable fold's results bit for bit (compared through
    /// `Debug`, which tells NaN, -0.0 and every other value apart); this also runs the
    /// portable code, which the integration tests on an AVX2 machine never reach.
    fn twins_agree<A: Reducible + Debug, F: Fold<A>>(data: &[A]) {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let show = |x: A| format!("{x:?}");
        for len in [1, 2, 7, 8, 9, 63, 64, 255, 256, 257, 1025, 4097] {
            let run = &data[..len];
            // SAFETY: the CPU has AVX2.
            let twin = unsafe { fold_avx2::<A, F>(run) };
            let portable = fold::<A, F>(run);
            assert_eq!(show(F::finish(twin, len)), show(F::finish(portable, len)));
        }
    }

    /// The same for the vertical kernel's AVX2 twin, on every size of state buffer, with
    /// lane counts around a chunk and row counts around a pass and a block.
    fn vertical_twins_agree<A: Reducible + Debug, F: Fold<A>>(data: &[A]) {
        type Kernel<A> = unsafe fn(&[Step], *const A, *mut A, usize, Rows<'_>, usize, Scale);
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let show = |out: &[A]| format!("{out:?}");
        for (count, lanes) in [(1, 1), (3, 17), (8, 33), (9, 64), (20, 65), (130, 100)] {
            let listed: Vec<isize> = (0..count).map(|r| (r * lanes) as isize).collect();
            let walk = [Step {
                len: count,
                src: lanes as isize,
                dst: 0,
            }];
            let rows = match count <= BLOCK {
                true => Rows::Listed(&listed),
                false => Rows::Walk(&walk),
            };
            let src = data[..count * lanes].as_ptr();
            // `shift` elements before the output move it off 16-byte alignment, which
            // streaming stores split at. A large scale also prefetches, past the rows' ends.
            let run = |twin: bool, n: usize, large: bool, shift: usize| {
                let mut out = data[..lanes + shift].to_vec();
                let dst = out[shift..].as_mut_ptr();
                let kernel: Kernel<A> = match (twin, n) {
                    (true, 0) => vertical_avx2::<A, F, 0>,
                    (false, 0) => vertical_positions::<A, F, 0>,
                    (true, _) => vertical_avx2::<A, F, LANES>,
                    (false, _) => vertical_positions::<A, F, LANES>,
                };
                let scale = Scale {
                    streaming: large,
                    prefetching: large,
                };
                // SAFETY: the CPU has AVX2; every row of `lanes` lanes is inside `data`,
                // and the one (empty) outer position writes `lanes` outputs after `shift`.
                unsafe { kernel(&[], src, dst, lanes, rows, count, scale) };
                if large {
                    stream::fence();
                }
                show(&out[shift..])
            };
            let shift = count % 3;
            for n in [0, LANES] {
                if n == 0 && count > PASS {
                    continue;
                }
                let portable = run(false, n, false, 0);
                let case = format!("{count} rows of {lanes}, {n}-lane states");
                assert_eq!(run(true, n, false, 0), portable, "{case}");
                assert_eq!(run(true, n, true, shift), portable, "{case}, streamed");
            }
        }
    }

    fn every_fold<A: Reducible + Debug>(data: &[A]) {
        twins_agree::<A, Sum>(data);
        twins_agree::<A, Prod>(data);
        twins_agree::<A, Min>(data);
        twins_agree::<A, Max>(data);
        twins_agree::<A, Any>(data);
        twins_agree::<A, All>(data);
        vertical_twins_agree::<A, Sum>(data);
        vertical_twins_agree::<A, Prod>(data);
        vertical_twins_agree::<A, Min>(data);
        vertical_twins_agree::<A, Max>(data);
        vertical_twins_agree::<A, Any>(data);
        vertical_twins_agree::<A, All>(data);
        if A::IS_FLOAT {
            twins_agree::<A, Mean>(data);
            vertical_twins_agree::<A, Mean>(data);
        }
    }

    #[test]
    fn avx2_twin_agrees_with_the_portable_fold() {
        let value = |i: usize| ((i * 7919) % 1001) as f64 / 1001.0 - 0.5;
        let floats: Vec<f64> = (0..13000).map(value).collect();
        // Which of NaN, -0.0 and 0.0 an extreme keeps depends on the order of comparisons.
        let mut specials = floats.clone();
        for (i, special) in [(5, f64::NAN), (70, -0.0), (71, 0.0), (300, f64::NAN)] {
            specials[i] = special;
        }
        for floats in [floats, specials] {
            every_fold::<f64>(&floats);
            every_fold::<f32>(&floats.iter().map(|&x| x as f32).collect::<Vec<_>>());
        }
        every_fold::<i64>(
            &(0..13000)
                .map(|i| (i * 7919 % 1001) - 500)
                .collect::<Vec<i64>>(),
        );
        every_fold::<u8>(&(0..13000).map(|i| (i * 31 % 256) as u8).collect::<Vec<_>>());
        every_fold::<bool>(&(0..13000).map(|i| i % 3 != 0).collect::<Vec<_>>());
    }
}
