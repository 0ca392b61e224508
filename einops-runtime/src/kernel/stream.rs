//! Non-temporal ("streaming") stores for outputs much larger than the caches. A normal
//! store first reads the destination line into the cache (read-for-ownership), so an
//! ordinary copy moves three bytes per byte copied; streaming stores skip that read, as
//! the C library's `memcpy` does for large copies. Only worth it when the output will not
//! be read back from the cache soon, hence only for large walks, and only where whole
//! lines are written by consecutive stores: runs and fills in destination order, the
//! AVX-512 transpose's squares (in `transpose`), and the vertical reductions' outputs,
//! written a chunk of lanes at a time (in `reduce`). The narrower transposes, and runs
//! visited in source order, write parts of many lines at once, and partial streaming
//! lines cost more than the reads they save.

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
