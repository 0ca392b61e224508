//! Blocked 2-D transposition: the source is contiguous along rows `i`, the destination
//! along columns `j`. Square blocks keep both sides in cache; inside a block a 4×4 (or
//! 2×2) micro-kernel transposes in registers where the element size allows.

/// One 2-D transposition: `dst[i * dst_row_stride + j] = src[j * src_col_stride + i]`.
pub(crate) struct Tile {
    /// Number of rows `i` (contiguous in the source).
    pub rows: usize,
    /// Number of columns `j` (contiguous in the destination).
    pub cols: usize,
    /// Source stride between columns.
    pub src_col_stride: isize,
    /// Destination stride between rows.
    pub dst_row_stride: isize,
}

/// Side of a cache block, in elements.
const BLOCK: usize = 32;

/// Transposes `tile` from `src` to `dst`.
///
/// # Safety
/// Every offset of the tile must address a readable element of `src` and a writable
/// element of `dst`, and the two must not overlap.
pub(crate) unsafe fn blocked<T: Copy>(tile: &Tile, src: *const T, dst: *mut T) {
    let micro = micro_size::<T>();
    for i0 in (0..tile.rows).step_by(BLOCK) {
        let i_end = (i0 + BLOCK).min(tile.rows);
        for j0 in (0..tile.cols).step_by(BLOCK) {
            let j_end = (j0 + BLOCK).min(tile.cols);
            let mut j = j0;
            while j + micro <= j_end {
                let mut i = i0;
                while i + micro <= i_end {
                    // SAFETY: the micro tile lies inside the tile, as the caller guarantees.
                    unsafe { micro_kernel(tile, src, dst, i, j) };
                    i += micro;
                }
                // SAFETY: inside the tile.
                unsafe { scalar(tile, src, dst, i..i_end, j..j + micro) };
                j += micro;
            }
            // SAFETY: inside the tile.
            unsafe { scalar(tile, src, dst, i0..i_end, j..j_end) };
        }
    }
}

/// # Safety
/// The ranges must lie inside `tile`.
unsafe fn scalar<T: Copy>(
    tile: &Tile,
    src: *const T,
    dst: *mut T,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
) {
    for j in cols {
        for i in rows.clone() {
            let (i, j) = (i as isize, j as isize);
            // SAFETY: (i, j) lies inside the tile.
            unsafe {
                dst.offset(i * tile.dst_row_stride + j)
                    .write(src.offset(j * tile.src_col_stride + i).read())
            };
        }
    }
}

/// The micro-kernel's side for elements of `T`'s size (1: none).
fn micro_size<T>() -> usize {
    if cfg!(target_arch = "x86_64") {
        match std::mem::size_of::<T>() {
            4 => 4,
            8 => 2,
            _ => 1,
        }
    } else {
        1
    }
}

/// Transposes the `micro_size` square at (`i`, `j`) in registers.
///
/// # Safety
/// The square must lie inside `tile`.
#[inline(always)]
unsafe fn micro_kernel<T: Copy>(tile: &Tile, src: *const T, dst: *mut T, i: usize, j: usize) {
    let (i, j) = (i as isize, j as isize);
    let from = src.wrapping_offset(j * tile.src_col_stride + i);
    let to = dst.wrapping_offset(i * tile.dst_row_stride + j);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the square lies inside the tile (caller); SSE2 is part of x86_64.
    unsafe {
        match std::mem::size_of::<T>() {
            4 => x86::transpose4x4(
                from.cast(),
                tile.src_col_stride,
                to.cast(),
                tile.dst_row_stride,
            ),
            8 => x86::transpose2x2(
                from.cast(),
                tile.src_col_stride,
                to.cast(),
                tile.dst_row_stride,
            ),
            _ => scalar(
                tile,
                src,
                dst,
                i as usize..i as usize + 1,
                j as usize..j as usize + 1,
            ),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: the square lies inside the tile (caller).
    unsafe {
        scalar(
            tile,
            src,
            dst,
            i as usize..i as usize + 1,
            j as usize..j as usize + 1,
        )
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Transposes a 4×4 square of 32-bit elements: source rows `src + j * src_stride`,
    /// destination rows `dst + i * dst_stride`.
    ///
    /// # Safety
    /// The 16 source and 16 destination elements must be valid.
    #[inline(always)]
    pub unsafe fn transpose4x4(
        src: *const u32,
        src_stride: isize,
        dst: *mut u32,
        dst_stride: isize,
    ) {
        // SAFETY: unaligned loads and stores of 4 elements inside the square.
        unsafe {
            let load = |j: isize| _mm_loadu_si128(src.offset(j * src_stride).cast());
            let (r0, r1, r2, r3) = (load(0), load(1), load(2), load(3));
            let t0 = _mm_unpacklo_epi32(r0, r1);
            let t1 = _mm_unpacklo_epi32(r2, r3);
            let t2 = _mm_unpackhi_epi32(r0, r1);
            let t3 = _mm_unpackhi_epi32(r2, r3);
            let store = |i: isize, v| _mm_storeu_si128(dst.offset(i * dst_stride).cast(), v);
            store(0, _mm_unpacklo_epi64(t0, t1));
            store(1, _mm_unpackhi_epi64(t0, t1));
            store(2, _mm_unpacklo_epi64(t2, t3));
            store(3, _mm_unpackhi_epi64(t2, t3));
        }
    }

    /// Transposes a 2×2 square of 64-bit elements.
    ///
    /// # Safety
    /// The 4 source and 4 destination elements must be valid.
    #[inline(always)]
    pub unsafe fn transpose2x2(
        src: *const u64,
        src_stride: isize,
        dst: *mut u64,
        dst_stride: isize,
    ) {
        // SAFETY: unaligned loads and stores of 2 elements inside the square.
        unsafe {
            let r0 = _mm_loadu_si128(src.cast());
            let r1 = _mm_loadu_si128(src.offset(src_stride).cast());
            _mm_storeu_si128(dst.cast(), _mm_unpacklo_epi64(r0, r1));
            _mm_storeu_si128(dst.offset(dst_stride).cast(), _mm_unpackhi_epi64(r0, r1));
        }
    }
}
