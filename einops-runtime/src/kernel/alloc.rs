//! Output allocation. Large outputs of plain elements are marked for transparent huge pages
//! on Linux: writing a fresh 64 MiB buffer costs thousands of 4 KiB page faults otherwise,
//! which caps any allocating copy far below memory bandwidth. Only the whole 2 MiB pages
//! inside an ordinary allocation are advised, so an output holds exactly its elements
//! (`into_raw_vec_and_offset` returns no padding). bench_report's `fresh-memcpy` (placed
//! the same way) against `fresh-aligned` (2 MiB-aligned) compares the two placements.

use ndarray::{Array, Dimension};

use super::Class;

/// Outputs at least this large (in bytes) get huge-page advice.
const HUGE_PAGE: usize = 2 << 20;

/// An output being filled.
pub(crate) struct OutputBuffer<A> {
    vec: Vec<A>,
    len: usize,
}

impl<A> OutputBuffer<A> {
    /// Room for `len` elements, not yet initialised.
    pub fn new(len: usize) -> Self {
        OutputBuffer {
            vec: with_capacity(len),
            len,
        }
    }

    /// Where element 0 of the output goes.
    pub fn as_mut_ptr(&mut self) -> *mut A {
        self.vec.as_mut_ptr()
    }

    /// The filled output as an array of `shape`.
    ///
    /// # Safety
    /// All `len` elements must have been written, and `shape` must have `len` elements.
    pub unsafe fn finish<D: Dimension>(mut self, shape: D) -> Array<A, D> {
        // SAFETY: the caller wrote all `len` elements, within the capacity.
        unsafe { self.vec.set_len(self.len) };
        // SAFETY: the vector holds exactly the shape's elements (caller), in standard
        // order. (The checked constructor costs small outputs measurable time.)
        unsafe { Array::from_shape_vec_unchecked(shape, self.vec) }
    }
}

/// An empty vector with room for `len` elements; when they are plain and fill 2 MiB or
/// more, the whole 2 MiB pages inside it are advised for huge pages (the partial ones at
/// its ends keep 4 KiB pages), and every page is faulted in.
fn with_capacity<A>(len: usize) -> Vec<A> {
    let vec: Vec<A> = Vec::with_capacity(len);
    let bytes = len.saturating_mul(std::mem::size_of::<A>());
    if bytes >= HUGE_PAGE && matches!(super::class::<A>(), Class::Plain(_)) {
        let start = vec.as_ptr() as usize;
        let first = start.next_multiple_of(HUGE_PAGE);
        let end = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
        if end > first {
            advise_huge_pages(first as *const u8, end - first);
        }
        // Fault the pages in, in order, before a kernel writes them in its own order:
        // faults taken inside the kernels (from transposes' strided squares most, and
        // under streaming stores) cost far more than the same faults taken here.
        // `bench_report --size large`, einops against fresh-memcpy, without and with it
        // in turn: transpose2d 0.54x -> 0.74x, nhwc_to_nchw 0.76x -> 1.01x,
        // channel_shuffle 0.75x -> 0.93x, head_merge 0.82x -> 1.14x; in the median of
        // three full runs after it, 0.74x, 0.87x, 0.84x and 0.95x.
        let base = vec.as_ptr().cast::<u8>().cast_mut();
        // Each huge page is first touched at its last byte: Linux clears a huge page in
        // ascending order only when the fault is at its end, and the descending clear runs
        // far slower (a 128 MiB fresh copy on Zen 4: 12.2 ms against 18.8 ms when touched
        // at the start, in a standalone test, not kept). The 4 KiB pages follow, for the
        // ends and for a kernel without huge pages.
        for last in (first..end)
            .step_by(HUGE_PAGE)
            .map(|page| page + HUGE_PAGE - 1)
        {
            // SAFETY: `last` is inside `start..start + bytes` (`first >= start` and `end
            // <= start + bytes`, both whole huge pages apart), so as below.
            unsafe { base.add(last - start).write_volatile(0) };
        }
        for offset in (0..bytes).step_by(PAGE) {
            // SAFETY: `offset < bytes`, inside the vector's allocation of at least `bytes`
            // bytes, which nothing else refers to yet; its spare capacity is uninitialised,
            // so a byte written there is overwritten before any element is read. Volatile,
            // so that the write is not dropped as dead.
            unsafe { base.add(offset).write_volatile(0) };
        }
    }
    vec
}

/// The smallest page size: touching one byte per page faults every page in.
const PAGE: usize = 4096;

/// A new standard-layout array of `shape` holding a copy of `values`, in order.
///
/// # Panics
/// When `shape` does not have `values.len()` elements.
pub(crate) fn copied<A: Clone, D: Dimension>(values: &[A], shape: D) -> Array<A, D> {
    assert_eq!(
        shape.size(),
        values.len(),
        "a copy keeps the number of elements"
    );
    // Advised like every other output: a reshape's copy (`b c h w -> b (c h w)`) came here
    // without it and paid a 4 KiB page fault per page (flatten/large, 0.77× fresh-memcpy).
    let mut vec = with_capacity(values.len());
    extend_from_slice(&mut vec, values);
    // SAFETY: the shape has exactly as many elements as the vector (checked), which exist,
    // so its size cannot overflow `isize`. (The checked constructor costs a small copy a
    // measurable part of its time.)
    unsafe { Array::from_shape_vec_unchecked(shape, vec) }
}

/// Appends a copy of `values` to `vec`, as `Vec::extend_from_slice` does, except that a
/// long run of plain elements goes through the kernels' run copy: the C library's
/// `memcpy` is very slow at some placements of long copies (see `copy::copy_long_run`).
pub(crate) fn extend_from_slice<A: Clone>(vec: &mut Vec<A>, values: &[A]) {
    let bytes = std::mem::size_of_val(values);
    if bytes < super::LONG_RUN || !matches!(super::class::<A>(), Class::Plain(_)) {
        return vec.extend_from_slice(values);
    }
    vec.reserve(values.len());
    let dst = vec.as_mut_ptr().wrapping_add(vec.len());
    if bytes < ONE_THREAD_RUN {
        // SAFETY: the slice's bytes, at least `LONG_RUN` (checked above), as the long-run
        // copy needs, into the vector's reserved spare capacity; plain elements are
        // exactly their bytes, initialised once all are written.
        unsafe { super::copy_long_run::<u8>(values.as_ptr().cast(), dst.cast(), bytes) };
    } else {
        let run = super::Step {
            len: values.len(),
            src: 1,
            dst: 1,
        };
        // SAFETY: one contiguous run (a simplified walk) from the slice into the same
        // spare capacity.
        unsafe { super::copy(&[run], values.as_ptr(), dst) };
    }
    // SAFETY: all `values.len()` elements after the old length were written.
    unsafe { vec.set_len(vec.len() + values.len()) };
}

/// Runs shorter than this many bytes are neither split across threads nor streamed (it is
/// at most `tuning::PARALLEL_BYTES` and `tuning::STREAM_BYTES`, checked below), so
/// [`extend_from_slice`] copies them without a walk's set-up: 150 of a 4 KiB flatten's
/// 1,400 instructions (callgrind, `call_cost flatten/small einops`).
const ONE_THREAD_RUN: usize = 1 << 20;
const _: () = assert!(ONE_THREAD_RUN <= super::tuning::STREAM_BYTES);
#[cfg(feature = "rayon")]
const _: () = assert!(ONE_THREAD_RUN <= super::tuning::PARALLEL_BYTES);

// The C library's `madvise`, declared here rather than taken from the `libc` crate: this one
// call was all einops used of it, and the crate cost every user's cold build over a second.
#[cfg(target_os = "linux")]
extern "C" {
    fn madvise(
        addr: *mut std::ffi::c_void,
        length: usize,
        advice: std::ffi::c_int,
    ) -> std::ffi::c_int;
}

/// `MADV_HUGEPAGE`: the same value on every Linux architecture (`asm-generic/mman-common.h`).
#[cfg(target_os = "linux")]
const MADV_HUGEPAGE: std::ffi::c_int = 14;

#[cfg(target_os = "linux")]
fn advise_huge_pages(start: *const u8, bytes: usize) {
    // SAFETY: the declaration matches POSIX's `int madvise(void *, size_t, int)`; the range
    // is whole pages inside our own allocation; madvise only changes how the kernel backs
    // it and cannot invalidate it. Failure (e.g. no THP) is harmless.
    unsafe { madvise(start as *mut std::ffi::c_void, bytes, MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *const u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Ix2, Ix3};

    #[test]
    fn copied_keeps_the_order_and_checks_the_count() {
        assert_eq!(
            copied(&[1, 2, 3, 4, 5, 6], Ix2(2, 3)),
            array![[1, 2, 3], [4, 5, 6]]
        );
        assert_eq!(copied::<u8, _>(&[], Ix3(2, 0, 7)).shape(), [2, 0, 7]);
        let strings = ["a".to_string(), "b".to_string()];
        assert_eq!(
            copied(&strings, Ix2(1, 2)),
            array![["a".to_string(), "b".to_string()]]
        );
        assert!(std::panic::catch_unwind(|| copied(&[1, 2, 3], Ix2(2, 2))).is_err());
    }

    /// Appending a run takes the slice path below the long-run length, the run copy from
    /// it, and the kernels' walk from the one-thread bound: every length around both
    /// bounds, odd ones included, after elements already in the vector, keeps them all.
    #[test]
    fn extend_from_slice_around_its_bounds() {
        let long = super::super::LONG_RUN / 4;
        let one_thread = ONE_THREAD_RUN / 4;
        let lengths: &[usize] = if cfg!(miri) {
            &[long - 1, long, long + 3]
        } else {
            &[
                long - 1,
                long,
                long + 1,
                long + 3,
                one_thread - 1,
                one_thread,
                one_thread + 5,
            ]
        };
        for &len in lengths {
            let values: Vec<f32> = (0..len).map(|i| i as f32 * 0.5).collect();
            let mut vec = vec![-1.0f32, -2.0, -3.0];
            extend_from_slice(&mut vec, &values);
            assert_eq!(vec.len(), len + 3, "{len}");
            assert_eq!(vec[..3], [-1.0, -2.0, -3.0], "{len}");
            assert_eq!(vec[3..], values[..], "{len}");
        }
    }

    /// A fresh output is faulted in only when its plain elements fill 2 MiB or more, and
    /// that leaves it empty, with room for every element: around the bound, for plain,
    /// zero-sized and cloned elements.
    #[test]
    fn fresh_outputs_have_room_and_no_elements() {
        let huge = HUGE_PAGE / 4;
        let lengths: &[usize] = if cfg!(miri) {
            &[0, 1, huge]
        } else {
            &[0, 1, huge - 1, huge, huge + 1, huge + 1023, 3 * huge + 7]
        };
        for &len in lengths {
            let mut vec: Vec<f32> = with_capacity(len);
            assert!(vec.is_empty() && vec.capacity() >= len, "{len}");
            if cfg!(miri) {
                // Miri checks the fault-in writes; filling 2 MiB there takes minutes.
                continue;
            }
            vec.extend((0..len).map(|i| i as f32));
            assert!(vec.iter().enumerate().all(|(i, &v)| v == i as f32), "{len}");
        }
        assert!(with_capacity::<()>(usize::MAX).is_empty());
        let strings: Vec<String> = with_capacity(HUGE_PAGE / size_of::<String>() + 1);
        assert!(strings.is_empty());
    }
}
