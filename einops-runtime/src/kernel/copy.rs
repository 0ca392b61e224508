//! Copy kernels for plain (bitwise-copyable) elements, chosen by the shape of the walk's
//! innermost loop, in the spirit of HPTT: fuse axes first, then
//!
//! - **runs**: innermost axis contiguous in both → inline vector moves per run;
//! - **fills**: innermost source stride 0 (repeat) → a broadcast store per run;
//! - **short interleave**: an innermost destination axis of 2–4 elements whose source
//!   comes from a contiguous source axis elsewhere (pixel shuffle, `h w -> h w c`) →
//!   SSE registers where the element size allows (4×4 squares of 4-byte and 2×2 of
//!   8-byte elements, quads of 2–3 rows of 4-byte ones), else a loop with a constant
//!   inner length;
//! - **blocked transpose**: the contiguous source axis is another loop → square tiles
//!   with a register-transposing micro-kernel;
//! - anything else: a plain strided loop.

use super::tuning::{FEW_STREAMS, INLINE_RUN as SHORT_RUN, LARGE_WALK, LONG_RUN, MOVE_ALIGN};
use super::{stream, transpose};
use crate::solve::walk::{count, for_each, Step, Steps};

/// Copies every element of the walk from `src` to `dst`; `STREAM` writes contiguous
/// runs with non-temporal stores (see [`stream`]).
///
/// # Safety
/// Every offset the walk produces must address a readable element of `src` and a
/// writable element of `dst`, the two regions must not overlap, and the destination
/// offsets must be distinct.
pub(crate) unsafe fn copy<T: Copy, const STREAM: bool>(steps: &[Step], src: *const T, dst: *mut T) {
    // SAFETY: forwarded from the caller.
    unsafe { copy_walk::<T, STREAM>(steps, src, dst) };
    if STREAM {
        stream::fence();
    }
}

/// # Safety
/// As for [`copy`].
unsafe fn copy_walk<T: Copy, const STREAM: bool>(steps: &[Step], src: *const T, dst: *mut T) {
    let Some((&inner, outer)) = steps.split_last() else {
        // SAFETY: a walk with no loops visits offset 0 of both.
        unsafe { dst.write(src.read()) };
        return;
    };
    // SAFETY (all closures): offsets come from the walk, as the caller guarantees.
    if inner.dst == 1 && inner.src == 1 && outer.is_empty() && !STREAM {
        // One contiguous run (a reshape that must copy): no loop to set up.
        return unsafe { copy_run(src, dst, inner.len) };
    }
    if inner.dst == 1 && inner.src == 1 {
        let by_source = source_order::<T>(outer, inner.len);
        let walk = by_source.as_deref().unwrap_or(outer);
        let len = inner.len;
        // Every run has the same length, so the kind of copy is chosen once, outside the
        // loop, and the closures take their captures by value: the loop then keeps its
        // few offsets in registers.
        if STREAM {
            unsafe { stream::copy_runs(walk, src, dst, len) };
        } else {
            match run_copy::<T>(len) {
                RunCopy::Loop => unsafe { long_runs(walk, src, dst, len) },
                RunCopy::Memcpy => for_each(walk, move |s, d| unsafe {
                    std::ptr::copy_nonoverlapping(src.offset(s), dst.offset(d), len)
                }),
                RunCopy::Inline => for_each(walk, move |s, d| unsafe {
                    copy_short_run(src.offset(s), dst.offset(d), len)
                }),
            }
        }
        return;
    }
    if let Some(p) = outer.iter().rposition(|step| step.src == 1) {
        if inner.dst == 1 && (2..=4).contains(&inner.len) && outer[p].dst == inner.len as isize {
            let rest = without(outer, p);
            let (rows, row_stride) = (outer[p].len, inner.src);
            // The weave is chosen once per walk: a pixel shuffle calls it for every short
            // row, where a dispatch per call would cost as much as the row.
            // SAFETY: the walk without loop `p`, whose rows the weave covers.
            unsafe {
                match inner.len {
                    2 => interleave::<T, 2>(&rest, rows, src, row_stride, dst),
                    3 => interleave::<T, 3>(&rest, rows, src, row_stride, dst),
                    _ => interleave::<T, 4>(&rest, rows, src, row_stride, dst),
                }
            }
            return;
        }
        if inner.dst == 1 && inner.src != 0 {
            let rest = without(outer, p);
            let tile = transpose::Tile {
                rows: outer[p].len,
                cols: inner.len,
                src_col_stride: inner.src,
                dst_row_stride: outer[p].dst,
            };
            for_each(&rest, move |s, d| unsafe {
                transpose::blocked::<T, STREAM>(&tile, src.offset(s), dst.offset(d))
            });
            return;
        }
    }
    if inner.src == 0 && inner.dst == 1 {
        for_each(outer, move |s, d| unsafe {
            if STREAM {
                stream::fill_run(dst.offset(d), inner.len, src.offset(s).read())
            } else {
                std::slice::from_raw_parts_mut(dst.offset(d), inner.len).fill(src.offset(s).read())
            }
        });
        return;
    }
    for_each(outer, move |s, d| unsafe {
        for k in 0..inner.len as isize {
            dst.offset(d + k * inner.dst)
                .write(src.offset(s + k * inner.src).read());
        }
    });
}

/// Runs of a page or more are long enough for the prefetchers in any order.
const PAGE: usize = 4096;

/// The loops of a large walk of short runs in source order, when the destination order
/// (the walk's) reads the source in too many interleaved streams for the prefetchers
/// while source order writes few: a multi-head split (`b t (h d) -> b h t d`) reads each
/// `t` row once instead of in `h` strided passes. Its runs stream like any others in a
/// large output: whatever the run's length, streaming stores took `head_split/large`
/// (`b t (h d) -> b h t d`, 8 heads, 32 × 2048 rows) on an AMD Zen 5 from 0.65–0.70× to
/// 0.95–0.99× of `fresh-memcpy` allocating with d = 20 (80-byte runs, ending mid-line),
/// 0.90–0.94× to 1.27–1.31× with d = 12, 0.74–0.77× to 1.00–1.04× with d = 40, and
/// 0.77–0.79× to 1.05–1.08× with the case's own d = 64 (`bench_report` on cases of those
/// shapes, the two stores alternated in one build, two or three rounds).
fn source_order<T>(outer: &[Step], run: usize) -> Option<Steps> {
    let size = std::mem::size_of::<T>();
    let bytes = count(outer).saturating_mul(run).saturating_mul(size);
    if run * size >= PAGE || bytes < LARGE_WALK || streams(outer, run, |s| s.src) <= FEW_STREAMS {
        return None;
    }
    let mut by_source: Steps = outer.iter().copied().collect();
    by_source.sort_by_key(|step| std::cmp::Reverse(step.src.unsigned_abs()));
    (streams(&by_source, run, |s| s.dst) <= FEW_STREAMS).then_some(by_source)
}

/// How many streams of runs a walk of `run`-element runs interleaves on one side: the
/// product of the loops between the runs and the innermost loop that continues a run
/// there (its stride on that side is `run`); unbounded when none does.
fn streams(outer: &[Step], run: usize, side: impl Fn(&Step) -> isize) -> usize {
    let mut count = 1usize;
    for step in outer.iter().rev() {
        if side(step) == run as isize {
            return count;
        }
        count = count.saturating_mul(step.len);
    }
    usize::MAX
}

/// How a run is copied, by its length in bytes.
enum RunCopy {
    /// Below [`SHORT_RUN`]: inline moves, since a call costs more than the copy.
    Inline,
    /// Up to [`LONG_RUN`]: the C library's `memcpy`, whose wide moves win there.
    Memcpy,
    /// From [`LONG_RUN`]: the kernels' own loop, not `memcpy` (see [`copy_long_run`]).
    Loop,
}

/// How a run of `len` elements is copied.
fn run_copy<T>(len: usize) -> RunCopy {
    match len * std::mem::size_of::<T>() {
        bytes if bytes < SHORT_RUN => RunCopy::Inline,
        bytes if bytes < LONG_RUN => RunCopy::Memcpy,
        _ => RunCopy::Loop,
    }
}

/// Copies `len` contiguous elements.
///
/// # Safety
/// Both ranges must be valid and must not overlap.
#[inline(always)]
unsafe fn copy_run<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY (all): the caller guarantees both ranges.
    match run_copy::<T>(len) {
        RunCopy::Loop => unsafe { copy_long_run(src, dst, len) },
        RunCopy::Memcpy => unsafe { std::ptr::copy_nonoverlapping(src, dst, len) },
        RunCopy::Inline => unsafe { copy_short_run(src, dst, len) },
    }
}

/// Copies a run of `len` elements (at least [`LONG_RUN`] bytes) at every offset of
/// `walk`.
///
/// # Safety
/// Every run of the walk must be valid in both, as for [`copy`].
unsafe fn long_runs<T: Copy>(walk: &[Step], src: *const T, dst: *mut T, len: usize) {
    // SAFETY: offsets come from the walk, as the caller guarantees.
    for_each(walk, move |s, d| unsafe {
        copy_long_run(src.offset(s), dst.offset(d), len)
    });
}

/// Copies `len` contiguous elements, at least [`LONG_RUN`] bytes, with 512-bit moves where
/// the CPU has AVX-512, else 256-bit ones where it has AVX2 (checked per run: a run this
/// long repays the check and the call). 512-bit moves took `flatten/small` (one 4 KiB run)
/// into an existing array from 42–44 ns over `memcpy` to 37 ns (`bench_report`); with
/// 256-bit moves that run is 435 instructions (callgrind, which has no AVX-512).
///
/// Not with the C library's `memcpy`: glibc's `rep movsb` (used from 2 KiB on this AMD
/// Zen 3) runs about 25 times slower when the destination starts 16 bytes past the source
/// modulo 4 KiB, which is where a heap allocation lands right after an input of whole
/// pages.
///
/// # Safety
/// As for [`copy_run`].
pub(super) unsafe fn copy_long_run<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F; the ranges are forwarded from the caller.
            return unsafe { copy_long_run_avx512(src, dst, len) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2; the ranges are forwarded from the caller.
            return unsafe { copy_long_run_avx2(src, dst, len) };
        }
    }
    // SAFETY: forwarded from the caller.
    unsafe { copy_in_moves::<T, MOVE_ALIGN>(src, dst, len) }
}

/// [`copy_in_moves`] compiled for AVX-512: the same moves, 64 bytes at a time, to
/// line-aligned destinations.
///
/// # Safety
/// As for [`copy_run`], on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn copy_long_run_avx512<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { copy_in_moves::<T, 64>(src, dst, len) }
}

/// [`copy_in_moves`] compiled for AVX2: the same moves, 32 bytes at a time.
///
/// # Safety
/// As for [`copy_run`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn copy_long_run_avx2<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { copy_in_moves::<T, MOVE_ALIGN>(src, dst, len) }
}

/// Bytes per move of a long run: a copy of constant length is emitted as inline vector
/// moves, four or eight of them.
const LONG_MOVE: usize = 128;

/// Copies `len` contiguous elements, at least [`LONG_MOVE`] bytes, in moves of
/// [`LONG_MOVE`] bytes: a first move from the start, then moves to `ALIGN`-byte aligned
/// destinations, and a last one that ends at the run's end. Moves may overlap, which
/// rewrites a few elements with the same values.
///
/// # Safety
/// As for [`copy_run`].
#[inline(always)]
unsafe fn copy_in_moves<T: Copy, const ALIGN: usize>(src: *const T, dst: *mut T, len: usize) {
    let size = std::mem::size_of::<T>();
    if size == 0 || !LONG_MOVE.is_multiple_of(size) {
        // SAFETY: the caller guarantees both ranges.
        return unsafe { std::ptr::copy_nonoverlapping(src, dst, len) };
    }
    let per_move = LONG_MOVE / size;
    let moves = |k: usize| {
        // SAFETY: callers pass `k + per_move <= len`, within both ranges.
        unsafe {
            std::ptr::copy_nonoverlapping(
                src.add(k).cast::<u8>(),
                dst.add(k).cast::<u8>(),
                LONG_MOVE,
            )
        }
    };
    moves(0);
    let mut k = (dst as usize).wrapping_neg() % ALIGN / size;
    while k + per_move <= len {
        moves(k);
        k += per_move;
    }
    if k < len {
        moves(len - per_move);
    }
}

/// Copies `len` contiguous elements, fewer than [`SHORT_RUN`] bytes, inline.
///
/// # Safety
/// As for [`copy_run`].
#[inline(always)]
unsafe fn copy_short_run<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    let mut k = 0;
    // Moves of 64 bytes at a time: a copy of constant length is emitted as inline vector
    // moves.
    let per_line = (64 / std::mem::size_of::<T>().max(1)).max(1);
    if std::mem::size_of::<T>() <= 64 && 64 % std::mem::size_of::<T>().max(1) == 0 {
        while k + per_line <= len {
            // SAFETY: `k + per_line <= len` elements lie within both ranges.
            unsafe {
                std::ptr::copy_nonoverlapping(src.add(k).cast::<u8>(), dst.add(k).cast::<u8>(), 64)
            };
            k += per_line;
        }
    }
    while k < len {
        // SAFETY: `k < len`.
        unsafe { dst.add(k).write(src.add(k).read()) };
        k += 1;
    }
}

/// The walk without loop `p`.
fn without(steps: &[Step], p: usize) -> crate::solve::walk::Steps {
    steps
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != p)
        .map(|(_, s)| *s)
        .collect()
}

/// Weaves, at every offset of `walk`, `N` source rows of `rows` elements (`row_stride`
/// apart, or one broadcast row when it is 0) into one destination run:
/// `dst[i * N + j] = src[j * row_stride + i]`.
///
/// # Safety
/// All those offsets must be valid, as for [`copy`].
unsafe fn interleave<T: Copy, const N: usize>(
    walk: &[Step],
    rows: usize,
    src: *const T,
    row_stride: isize,
    dst: *mut T,
) {
    // SAFETY: offsets come from the walk, as the caller guarantees.
    for_each(walk, move |s, d| unsafe {
        weave::<T, N>(rows, src.offset(s), row_stride, dst.offset(d))
    });
}

/// One run of [`interleave`].
///
/// # Safety
/// As for [`interleave`], at one offset.
#[inline(always)]
unsafe fn weave<T: Copy, const N: usize>(
    rows: usize,
    src: *const T,
    row_stride: isize,
    dst: *mut T,
) {
    // SAFETY (both): forwarded from the caller; 4-byte elements move as `f32` bits.
    #[cfg(target_arch = "x86_64")]
    let done = match (std::mem::size_of::<T>(), N) {
        (4, 2 | 3) => unsafe { x86::weave_quads::<N>(rows, src.cast(), row_stride, dst.cast()) },
        _ => unsafe { transpose::weave_squares(N, rows, src, row_stride, dst) },
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = 0;
    let sources: [*const T; N] =
        std::array::from_fn(|j| src.wrapping_offset(j as isize * row_stride));
    // The rows left; the constant `N` lets long rows vectorise.
    for i in done..rows {
        for (j, row) in sources.iter().enumerate() {
            // SAFETY: `i < rows` and `j < N` address valid elements per the caller.
            unsafe { dst.add(i * N + j).write(row.add(i).read()) };
        }
    }
}

/// Interleaves of two or three 4-byte rows, four rows at a time in SSE registers (part of
/// every x86-64 CPU): an element at a time, the compiler vectorises only rows of 48 or
/// more, and a pixel shuffle's are often 8. (Four rows, or two of 8-byte elements, are
/// squares: `transpose::weave_squares`.)
#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::{
        __m128, _mm_loadu_ps, _mm_shuffle_ps, _mm_storeu_ps, _mm_unpackhi_ps, _mm_unpacklo_ps,
    };

    /// Weaves as many whole quads of rows as `rows` holds, as [`super::weave`] does, and
    /// returns how many rows that was (0 unless `N` is 2 or 3).
    ///
    /// # Safety
    /// As for [`super::weave`].
    #[inline(always)]
    pub(super) unsafe fn weave_quads<const N: usize>(
        rows: usize,
        src: *const f32,
        row_stride: isize,
        dst: *mut f32,
    ) -> usize {
        // SAFETY (all): forwarded from the caller.
        unsafe {
            match N {
                2 => quads::<2>(rows, src, row_stride, dst, |[a, b]| {
                    [_mm_unpacklo_ps(a, b), _mm_unpackhi_ps(a, b)]
                }),
                3 => quads::<3>(rows, src, row_stride, dst, |[a, b, c]| {
                    let ab_lo = _mm_unpacklo_ps(a, b); // a0 b0 a1 b1
                    let ab_hi = _mm_unpackhi_ps(a, b); // a2 b2 a3 b3
                    let bc_lo = _mm_unpacklo_ps(b, c); // b0 c0 b1 c1
                    let bc_hi = _mm_unpackhi_ps(b, c); // b2 c2 b3 c3
                    let c0_a1 = _mm_shuffle_ps::<{ pick(0, 0, 2, 2) }>(c, ab_lo);
                    let c2_a3 = _mm_shuffle_ps::<{ pick(2, 2, 2, 2) }>(c, ab_hi);
                    [
                        _mm_shuffle_ps::<{ pick(0, 1, 0, 2) }>(ab_lo, c0_a1),
                        _mm_shuffle_ps::<{ pick(2, 3, 0, 1) }>(bc_lo, ab_hi),
                        _mm_shuffle_ps::<{ pick(0, 2, 2, 3) }>(c2_a3, bc_hi),
                    ]
                }),
                _ => 0,
            }
        }
    }

    /// The `_mm_shuffle_ps` mask taking lanes `l0`, `l1` of its first operand and `l2`,
    /// `l3` of its second, listed in output order.
    const fn pick(l0: i32, l1: i32, l2: i32, l3: i32) -> i32 {
        l0 | l1 << 2 | l2 << 4 | l3 << 6
    }

    /// The loop over quads of rows: one vector load per source row, `weave` to turn the
    /// `N` vectors of four rows into `N` vectors of output, one store each.
    ///
    /// # Safety
    /// As for [`super::weave`].
    #[inline(always)]
    unsafe fn quads<const N: usize>(
        rows: usize,
        src: *const f32,
        row_stride: isize,
        dst: *mut f32,
        weave: impl Fn([__m128; N]) -> [__m128; N],
    ) -> usize {
        let quads = rows / 4;
        for q in 0..quads {
            let i = 4 * q;
            // SAFETY: elements `i..i + 4` of every source row and destination elements
            // `i * N..(i + 4) * N` exist, since `i + 4 <= rows`.
            let sources: [__m128; N] = std::array::from_fn(|j| unsafe {
                _mm_loadu_ps(src.offset(j as isize * row_stride).add(i))
            });
            for (k, woven) in weave(sources).into_iter().enumerate() {
                // SAFETY: as above.
                unsafe { _mm_storeu_ps(dst.add(i * N + 4 * k), woven) };
            }
        }
        4 * quads
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every long-run copy this CPU can run (the portable moves, and the AVX2 and AVX-512
    /// twins where present), on lengths around the moves' size and on every alignment of
    /// the source and destination within a line: the run is copied and nothing around it
    /// is written.
    #[test]
    fn long_run_copies_on_every_alignment() {
        let mut copies: Vec<unsafe fn(*const u8, *mut u8, usize)> =
            vec![copy_in_moves::<u8, MOVE_ALIGN>];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                copies.push(copy_long_run_avx2::<u8>);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                copies.push(copy_long_run_avx512::<u8>);
            }
        }
        let (lengths, offsets): (&[usize], &[usize]) = if cfg!(miri) {
            (&[128, 257], &[0, 17])
        } else {
            (
                &[128, 129, 191, 192, 255, 256, 257, 1000, 4103],
                &[0, 1, 16, 31, 32, 33, 63],
            )
        };
        let source: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        for copy in copies {
            for &len in lengths {
                for &from in offsets {
                    for &to in offsets {
                        let mut dst = vec![0xAAu8; len + 128];
                        // SAFETY: `len` bytes from `from` lie in `source` (5000 bytes) and
                        // from `to` in `dst` (`len + 128`); the buffers are distinct.
                        unsafe { copy(source.as_ptr().add(from), dst.as_mut_ptr().add(to), len) };
                        assert_eq!(
                            &dst[to..to + len],
                            &source[from..from + len],
                            "{len} {from} {to}"
                        );
                        assert!(dst[..to].iter().chain(&dst[to + len..]).all(|&b| b == 0xAA));
                    }
                }
            }
        }
    }
}
