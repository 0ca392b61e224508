//! Non-temporal ("streaming") stores for outputs much larger than the caches. A normal
//! store first reads the destination line into the cache (read-for-ownership), so an
//! ordinary copy moves three bytes per byte copied; streaming stores skip that read, as
//! the C library's `memcpy` does for large copies. Only worth it when the output will not
//! be read back from the cache soon, hence only for large walks, and only where whole
//! lines are written by consecutive stores: runs (in destination or source order; a run
//! ending mid-line is finished by the next run of its stream) and fills, the AVX-512
//! transpose's squares (in `transpose`), and the vertical reductions' outputs, written a
//! chunk of lanes at a time (in `reduce`). The narrower transposes write parts of many
//! lines at once, and partial streaming lines cost more than the reads they save.

use crate::solve::walk::{for_each_inlined, Step};

/// Copies `len` contiguous elements, streaming the 16-byte-aligned middle.
///
/// # Safety
/// Both ranges must be valid and must not overlap. [`fence`] must run before another
/// thread reads the destination.
#[inline(always)]
pub(crate) unsafe fn copy_run<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    // SAFETY (all): the caller guarantees both ranges; the middle is split off exactly.
    unsafe {
        let (head, middle) = split_aligned(dst, len);
        copy_plain(src, dst, head);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{__m128i, _mm_loadu_si128};
            let from = src.add(head).cast::<__m128i>();
            let to = dst.add(head).cast::<__m128i>();
            for k in 0..middle {
                store(to.add(k), _mm_loadu_si128(from.add(k)));
            }
        }
        let done = head + middle * per_vector::<T>();
        copy_plain(src.add(done), dst.add(done), len - done);
    }
}

/// Streams a run of `len` elements at every position of `walk`.
///
/// The same loop runs about twice as fast compiled for AVX2, where its 16-byte loads and
/// streaming stores take the VEX encoding: on an AMD Zen 5, `head_merge/large` (runs of
/// 256 bytes) went from 0.49–0.75× to 1.11–1.20× of memcpy into an existing array and
/// from 0.64–0.67× to 0.96–1.05× of `fresh-memcpy` allocating (`bench_report --size large
/// --filter head_`, builds alternated, three rounds; `perf annotate` put 70 % of the
/// old loop on its `movntdq`).
///
/// # Safety
/// As for [`copy_run`], at every position of the walk.
pub(crate) unsafe fn copy_runs<T: Copy>(walk: &[Step], src: *const T, dst: *mut T, len: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2; the rest is forwarded from the caller.
        return unsafe { copy_runs_avx2(walk, src, dst, len) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { copy_runs_inlined(walk, src, dst, len) }
}

/// [`copy_runs_inlined`] compiled for AVX2.
///
/// # Safety
/// As for [`copy_runs`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn copy_runs_avx2<T: Copy>(walk: &[Step], src: *const T, dst: *mut T, len: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { copy_runs_inlined(walk, src, dst, len) }
}

/// The walk and its closure, inlined always so that they take the caller's features.
///
/// # Safety
/// As for [`copy_runs`].
#[inline(always)]
unsafe fn copy_runs_inlined<T: Copy>(walk: &[Step], src: *const T, dst: *mut T, len: usize) {
    for_each_inlined(
        walk,
        #[inline(always)]
        move |s, d| {
            // SAFETY: `s` and `d` are positions of the walk (caller).
            unsafe { copy_run(src.offset(s), dst.offset(d), len) }
        },
    );
}

/// Writes `value` to `len` contiguous elements, streaming the 16-byte-aligned middle.
///
/// # Safety
/// The range must be valid. [`fence`] must run before another thread reads it.
#[inline(always)]
pub(crate) unsafe fn fill_run<T: Copy>(dst: *mut T, len: usize, value: T) {
    // SAFETY (all): the caller guarantees the range; the middle is split off exactly.
    unsafe {
        let (head, middle) = split_aligned(dst, len);
        fill_plain(dst, head, value);
        #[cfg(target_arch = "x86_64")]
        if middle > 0 {
            use std::arch::x86_64::{__m128i, _mm_loadu_si128};
            let mut pattern = [value; 16];
            let vector = _mm_loadu_si128(pattern.as_mut_ptr().cast::<__m128i>());
            let to = dst.add(head).cast::<__m128i>();
            for k in 0..middle {
                store(to.add(k), vector);
            }
        }
        let done = head + middle * per_vector::<T>();
        fill_plain(dst.add(done), len - done, value);
    }
}

/// A streaming store of one 16-byte vector. Miri cannot run the `movntdq` instruction
/// (inline assembly), so under Miri an ordinary store of the same width stands in: the
/// split into head, middle and tail, and every address, are still checked.
///
/// # Safety
/// `to` must be 16-byte aligned and valid for a 16-byte write.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store(to: *mut std::arch::x86_64::__m128i, vector: std::arch::x86_64::__m128i) {
    // SAFETY (both): the caller guarantees the address.
    #[cfg(not(miri))]
    unsafe {
        std::arch::x86_64::_mm_stream_si128(to, vector)
    };
    #[cfg(miri)]
    unsafe {
        std::arch::x86_64::_mm_store_si128(to, vector)
    };
}

/// Makes streaming stores visible before the data is handed to anyone else. (Miri runs
/// streaming stores as ordinary ones, which need no fence, and cannot run `sfence`.)
pub(crate) fn fence() {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `sfence` has no preconditions; SSE is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

/// Elements per 16-byte vector (0 when `T` does not tile one, then nothing streams).
fn per_vector<T>() -> usize {
    let size = std::mem::size_of::<T>();
    if cfg!(target_arch = "x86_64") && size > 0 && 16 % size == 0 {
        16 / size
    } else {
        0
    }
}

/// Splits `len` elements at `dst` into a head before the first 16-byte boundary and a
/// number of whole 16-byte vectors after it.
fn split_aligned<T>(dst: *mut T, len: usize) -> (usize, usize) {
    let per = per_vector::<T>();
    if per == 0 {
        return (len, 0);
    }
    let size = std::mem::size_of::<T>();
    let misaligned = (dst as usize) % 16;
    if !misaligned.is_multiple_of(size) {
        return (len, 0);
    }
    let head = (((16 - misaligned) % 16) / size).min(len);
    (head, (len - head) / per)
}

/// # Safety
/// Both ranges valid and disjoint.
#[inline(always)]
unsafe fn copy_plain<T: Copy>(src: *const T, dst: *mut T, len: usize) {
    for k in 0..len {
        // SAFETY: `k < len`, inside both ranges (caller).
        unsafe { dst.add(k).write(src.add(k).read()) };
    }
}

/// # Safety
/// The range must be valid.
#[inline(always)]
unsafe fn fill_plain<T: Copy>(dst: *mut T, len: usize, value: T) {
    for k in 0..len {
        // SAFETY: `k < len`, inside the range (caller).
        unsafe { dst.add(k).write(value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type CopyRuns = unsafe fn(&[Step], *const u32, *mut u32, usize);

    /// Streamed runs at every position of a walk, through the AVX2 twin where the CPU has
    /// it and the plain loop otherwise, with lengths around a vector and destinations at
    /// every 4-byte alignment within one: each run is copied, and nothing between the runs
    /// is written.
    #[test]
    fn streamed_runs_copy_every_run_and_nothing_else() {
        let source: Vec<u32> = (0..400).map(|i| i * 7 + 1).collect();
        let mut copies: Vec<CopyRuns> = vec![copy_runs_inlined::<u32>];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            copies.push(copy_runs_avx2::<u32>);
        }
        for copy in copies {
            for len in [0, 1, 3, 4, 5, 8, 17] {
                for shift in 0..4 {
                    // Three runs, read in reverse order, written `len + 5` apart.
                    let gap = len + 5;
                    let walk = [Step {
                        len: 3,
                        src: -(len as isize) - 2,
                        dst: gap as isize,
                    }];
                    let mut dst = vec![0u32; shift + 3 * gap];
                    // SAFETY: the runs read `source[2 * (len + 2)..][..len]` and the two
                    // before it at a step of `len + 2`, inside 400 elements; they write
                    // `len` elements from `shift + k * gap`, inside `dst`.
                    unsafe {
                        let src = source.as_ptr().add(2 * (len + 2));
                        copy(&walk, src, dst.as_mut_ptr().add(shift), len);
                    }
                    fence();
                    for k in 0..3 {
                        let from = 2 * (len + 2) - k * (len + 2);
                        let at = shift + k * gap;
                        assert_eq!(dst[at..at + len], source[from..from + len], "{len} {shift}");
                        assert!(dst[at + len..at + gap].iter().all(|&x| x == 0));
                    }
                    assert!(dst[..shift].iter().all(|&x| x == 0));
                }
            }
        }
    }
}
