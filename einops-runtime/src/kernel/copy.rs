//! Copy kernels for plain (bitwise-copyable) elements, chosen by the shape of the walk's
//! innermost loop, in the spirit of HPTT: fuse axes first, then
//!
//! - **runs**: innermost axis contiguous in both → `copy_nonoverlapping` per run;
//! - **fills**: innermost source stride 0 (repeat) → a broadcast store per run;
//! - **short interleave**: an innermost destination axis of 2–4 elements whose source
//!   comes from a contiguous source axis elsewhere (pixel shuffle, `h w -> h w c`) →
//!   a loop with a constant inner length the compiler vectorises;
//! - **blocked transpose**: the contiguous source axis is another loop → square tiles
//!   with a register-transposing micro-kernel;
//! - anything else: a plain strided loop.

use super::walk::{count, for_each, Step, Steps};
use super::{stream, transpose};

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
        // loop, and the closures take their captures by value: a loop around a `memcpy`
        // call then keeps its few offsets in registers.
        if STREAM && by_source.is_none() {
            for_each(walk, move |s, d| unsafe {
                stream::copy_run(src.offset(s), dst.offset(d), len)
            });
        } else if is_long_run::<T>(len) {
            for_each(walk, move |s, d| unsafe {
                std::ptr::copy_nonoverlapping(src.offset(s), dst.offset(d), len)
            });
        } else {
            for_each(walk, move |s, d| unsafe {
                copy_short_run(src.offset(s), dst.offset(d), len)
            });
        }
        return;
    }
    if let Some(p) = outer.iter().rposition(|step| step.src == 1) {
        if inner.dst == 1 && (2..=4).contains(&inner.len) && outer[p].dst == inner.len as isize {
            let rest = without(outer, p);
            let (rows, row_stride) = (outer[p].len, inner.src);
            for_each(&rest, move |s, d| unsafe {
                interleave(inner.len, rows, src.offset(s), row_stride, dst.offset(d))
            });
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
                transpose::blocked(&tile, src.offset(s), dst.offset(d))
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

/// Interleaved streams the hardware prefetchers follow well (measured on AMD Zen 3).
const FEW_STREAMS: usize = 16;
/// Runs of a page or more are long enough for the prefetchers in any order.
const PAGE: usize = 4096;
/// Walks moving less than this stay in the caches, where the order does not matter.
const LARGE_WALK: usize = 1 << 20;

/// The loops of a large walk of short runs in source order, when the destination order
/// (the walk's) reads the source in too many interleaved streams for the prefetchers
/// while source order writes few: a multi-head split (`b t (h d) -> b h t d`) reads each
/// `t` row once instead of in `h` strided passes. Stores are then ordinary ones, which
/// handle several write streams better than streaming stores do.
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

/// Runs shorter than this many bytes are copied inline: a call into the C library's
/// `memcpy` costs more than moving a cache line or two, but its wide moves win beyond.
const SHORT_RUN: usize = 128;

/// Whether a run of `len` elements is long enough for the C library's `memcpy`.
fn is_long_run<T>(len: usize) -> bool {
    len * std::mem::size_of::<T>() >= SHORT_RUN
}

/// Copies `len` contiguous elements.
///
/// # Safety
/// Both ranges must be valid and must not overlap.
#[inline(always)]
unsafe fn copy_run<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY (both): the caller guarantees both ranges.
    if is_long_run::<T>(len) {
        unsafe { std::ptr::copy_nonoverlapping(src, dst, len) }
    } else {
        unsafe { copy_short_run(src, dst, len) }
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
fn without(steps: &[Step], p: usize) -> super::walk::Steps {
    steps
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != p)
        .map(|(_, s)| *s)
        .collect()
}

/// `dst[i * n + j] = src[j * row_stride + i]` for `i < rows`, `j < n`: `n` source rows
/// (or one broadcast row when `row_stride` is 0) woven into one destination run.
///
/// # Safety
/// All those offsets must be valid, as for [`copy`].
unsafe fn interleave<T: Copy>(
    n: usize,
    rows: usize,
    src: *const T,
    row_stride: isize,
    dst: *mut T,
) {
    // SAFETY: forwarded from the caller; the constant `N` lets the loop vectorise.
    unsafe {
        match n {
            2 => weave::<T, 2>(rows, src, row_stride, dst),
            3 => weave::<T, 3>(rows, src, row_stride, dst),
            _ => weave::<T, 4>(rows, src, row_stride, dst),
        }
    }
}

/// # Safety
/// As for [`interleave`] with `n = N`.
unsafe fn weave<T: Copy, const N: usize>(
    rows: usize,
    src: *const T,
    row_stride: isize,
    dst: *mut T,
) {
    let sources: [*const T; N] =
        std::array::from_fn(|j| src.wrapping_offset(j as isize * row_stride));
    for i in 0..rows {
        for (j, row) in sources.iter().enumerate() {
            // SAFETY: `i < rows` and `j < N` address valid elements per the caller.
            unsafe { dst.add(i * N + j).write(row.add(i).read()) };
        }
    }
}
