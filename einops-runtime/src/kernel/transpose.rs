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

/// Rows (source-contiguous) of a cache block: a block reads `BLOCK_COLS` source
/// segments of this many elements, whole rows when the tile is narrow.
const BLOCK_ROWS: usize = 64;
/// Columns (destination-contiguous) of a cache block.
const BLOCK_COLS: usize = 64;

/// Transposes `tile` from `src` to `dst`; `STREAM` writes with non-temporal stores.
///
/// Inside a block, each strip of `micro` destination rows is written left to right, so
/// every destination cache line is completed by consecutive stores (what streaming
/// stores need), while the block's source lines stay in L1 across strips.
///
/// # Safety
/// Every offset of the tile must address a readable element of `src` and a writable
/// element of `dst`, and the two must not overlap.
pub(crate) unsafe fn blocked<T: Copy, const STREAM: bool>(tile: &Tile, src: *const T, dst: *mut T) {
    let micro = micro_size::<T>();
    for i0 in (0..tile.rows).step_by(BLOCK_ROWS) {
        let i_end = (i0 + BLOCK_ROWS).min(tile.rows);
        for j0 in (0..tile.cols).step_by(BLOCK_COLS) {
            let j_end = (j0 + BLOCK_COLS).min(tile.cols);
            let j_micro_end = j0 + (j_end - j0) / micro * micro;
            let mut i = i0;
            while i + micro <= i_end {
                let mut j = j0;
                while j < j_micro_end {
                    // SAFETY: the micro tile lies inside the tile, as the caller guarantees.
                    unsafe { micro_kernel::<T, STREAM>(tile, src, dst, i, j) };
                    j += micro;
                }
                // SAFETY: inside the tile.
                unsafe { scalar(tile, src, dst, i..i + micro, j_micro_end..j_end) };
                i += micro;
            }
            // SAFETY: inside the tile.
            unsafe { scalar(tile, src, dst, i..i_end, j0..j_end) };
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
unsafe fn micro_kernel<T: Copy, const STREAM: bool>(
    tile: &Tile,
    src: *const T,
    dst: *mut T,
    i: usize,
    j: usize,
) {
    let (i, j) = (i as isize, j as isize);
    let from = src.wrapping_offset(j * tile.src_col_stride + i);
    let to = dst.wrapping_offset(i * tile.dst_row_stride + j);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the square lies inside the tile (caller); SSE2 is part of x86_64.
    unsafe {
        match std::mem::size_of::<T>() {
            4 => x86::transpose4x4::<STREAM>(
                from.cast(),
                tile.src_col_stride,
                to.cast(),
                tile.dst_row_stride,
            ),
            8 => x86::transpose2x2::<STREAM>(
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

    /// Stores a vector, streaming when asked and the address allows it.
    ///
    /// # Safety
    /// `to` must be valid for 16 bytes.
    #[inline(always)]
    unsafe fn store<const STREAM: bool>(to: *mut __m128i, value: __m128i) {
        // SAFETY: the caller guarantees 16 writable bytes; streaming needs alignment.
        unsafe {
            if STREAM && (to as usize) % 16 == 0 {
                _mm_stream_si128(to, value)
            } else {
                _mm_storeu_si128(to, value)
            }
        }
    }

    /// Transposes a 4×4 square of 32-bit elements: source rows `src + j * src_stride`,
    /// destination rows `dst + i * dst_stride`.
    ///
    /// # Safety
    /// The 16 source and 16 destination elements must be valid.
    #[inline(always)]
    pub unsafe fn transpose4x4<const STREAM: bool>(
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
            let store = |i: isize, v| store::<STREAM>(dst.offset(i * dst_stride).cast(), v);
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
    pub unsafe fn transpose2x2<const STREAM: bool>(
        src: *const u64,
        src_stride: isize,
        dst: *mut u64,
        dst_stride: isize,
    ) {
        // SAFETY: unaligned loads and stores of 2 elements inside the square.
        unsafe {
            let r0 = _mm_loadu_si128(src.cast());
            let r1 = _mm_loadu_si128(src.offset(src_stride).cast());
            store::<STREAM>(dst.cast(), _mm_unpacklo_epi64(r0, r1));
            store::<STREAM>(dst.offset(dst_stride).cast(), _mm_unpackhi_epi64(r0, r1));
        }
    }
}
