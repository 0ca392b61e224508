//! Blocked 2-D transposition: the source is contiguous along rows `i`, the destination
//! along columns `j`. Square blocks bound the pages a block touches; inside a block,
//! strips of rows are transposed square by square in registers where the element size
//! allows (for 4-byte elements, found at run time, 16×16 with AVX-512 or 8×8 with AVX2;
//! otherwise SSE2 4×4 or 2×2), and the source lines two strips ahead are prefetched.
//!
//! Stores are ordinary where a square writes only part of each destination line: partial
//! non-temporal lines cost far more than the read-for-ownership they save (measured: 20 %
//! of memcpy streaming, 50–70 % not). The AVX-512 square writes whole lines, so for a
//! large output (`STREAM`) its line-aligned stores are non-temporal.

use super::tuning::{TRANSPOSE_BLOCK as BLOCK, TRANSPOSE_NARROW_ROWS as NARROW_ROWS};

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

/// Transposes `tile` from `src` to `dst`; `STREAM` lets whole destination lines be
/// written with non-temporal stores.
///
/// # Safety
/// Every offset of the tile must address a readable element of `src` and a writable
/// element of `dst`, and the two must not overlap. With `STREAM`, the caller must fence
/// (`stream::fence`) before another thread reads the destination.
pub(crate) unsafe fn blocked<T: Copy, const STREAM: bool>(tile: &Tile, src: *const T, dst: *mut T) {
    // SAFETY (all): forwarded from the caller; each kernel moves elements of its size.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        match std::mem::size_of::<T>() {
            // Long destination rows, or a large output whose short rows are written in
            // narrow blocks (see `blocks`). 16×16 squares cost the small transposes
            // about 30 ns a call (`nchw_to_nhwc`, `nhwc_to_nchw`, `transpose2d` small:
            // 150–165 ns against 175–195 ns; `bench_report --impls einops-into`).
            4 if (tile.cols > BLOCK || STREAM)
                && std::arch::is_x86_feature_detected!("avx512f") =>
            {
                x86::blocked_avx512::<STREAM>(tile, src.cast(), dst.cast())
            }
            4 if std::arch::is_x86_feature_detected!("avx2") => {
                x86::blocked_avx2(tile, src.cast(), dst.cast())
            }
            4 => blocks::<u32, x86::Sse4x4>(tile, src.cast(), dst.cast()),
            8 => blocks::<u64, x86::Sse2x2>(tile, src.cast(), dst.cast()),
            _ => blocks::<T, Scalar>(tile, src, dst),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    unsafe {
        blocks::<T, Scalar>(tile, src, dst)
    }
}

/// Weaves as many whole squares of rows as `rows` holds where an SSE square has side `n`
/// for this element size (4×4 of 4-byte, 2×2 of 8-byte elements), and returns how many
/// rows that was (0 for other sizes): an interleave `dst[i * n + j] = src[j * row_stride + i]`
/// is a transposition whose `n` source rows are a square's columns.
///
/// # Safety
/// Those offsets must be valid for `i < rows`, `j < n`, as for [`blocked`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) unsafe fn weave_squares<T: Copy>(
    n: usize,
    rows: usize,
    src: *const T,
    row_stride: isize,
    dst: *mut T,
) -> usize {
    // SAFETY (both): forwarded from the caller; each kernel moves elements of its size.
    match (std::mem::size_of::<T>(), n) {
        (4, 4) => unsafe {
            column_of_squares::<u32, x86::Sse4x4>(rows, src.cast(), row_stride, dst.cast())
        },
        (8, 2) => unsafe {
            column_of_squares::<u64, x86::Sse2x2>(rows, src.cast(), row_stride, dst.cast())
        },
        _ => 0,
    }
}

/// The squares of [`weave_squares`], one `K::SIDE` rows at a time.
///
/// # Safety
/// As for [`weave_squares`] with `n = K::SIDE`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn column_of_squares<T: Copy, K: Square<T>>(
    rows: usize,
    src: *const T,
    row_stride: isize,
    dst: *mut T,
) -> usize {
    let side = K::SIDE;
    let done = rows / side * side;
    for i in (0..done).step_by(side) {
        // SAFETY: rows `i..i + side` of every source row and destination elements
        // `i * side..(i + side) * side` exist, since `i + side <= rows`.
        unsafe { K::transpose(src.add(i), row_stride, dst.add(i * side), side as isize) };
    }
    done
}

/// A register transpose of one `SIDE`×`SIDE` square.
trait Square<T> {
    /// Side of the square, in elements.
    const SIDE: usize;

    /// Transposes the square whose first source element is `src` (source columns
    /// `src_col_stride` apart) to `dst` (destination rows `dst_row_stride` apart).
    ///
    /// # Safety
    /// The square's `SIDE`² source and destination elements must be valid.
    unsafe fn transpose(src: *const T, src_col_stride: isize, dst: *mut T, dst_row_stride: isize);

    /// Asks for the `SIDE` source lines starting at `src` (columns `src_col_stride`
    /// apart) to be brought into the cache; no-op by default.
    #[inline(always)]
    fn prefetch(_src: *const T, _src_col_stride: isize) {}
}

/// The loops over blocks, strips and squares, for one square kernel `K`.
///
/// A strip is two squares high where possible, so that each source column read in a
/// strip spans a whole cache line for the 8×8 kernel. A square of whole lines (16×16)
/// goes one square high: two squares' 32 destination lines, 16 KiB apart on a side of
/// 4096, left the 2-D transpose at 0.63–0.70× memcpy against 0.77–0.91× one square high
/// (`bench_report --filter transpose2d --size large`, `einops-into`).
///
/// Destination rows no longer than a block (`nchw_to_nhwc`: 64 channels) are written a
/// square of whole lines wide and `NARROW_ROWS` long: the block reads one square's
/// source rows for many pages instead of every source row for one kilobyte (see
/// `tuning::TRANSPOSE_NARROW_ROWS`).
///
/// # Safety
/// As for [`blocked`].
#[inline(always)]
unsafe fn blocks<T: Copy, K: Square<T>>(tile: &Tile, src: *const T, dst: *mut T) {
    let side = K::SIDE;
    let lead_rows = lead(src, tile.src_col_stride, tile.rows, side);
    let lead_cols = lead(dst.cast_const(), tile.dst_row_stride, tile.cols, side);
    let whole_lines = side * std::mem::size_of::<T>() >= 64;
    let squares_high = if whole_lines { 1 } else { 2 };
    let (block_rows, block_cols) = match whole_lines && tile.cols <= BLOCK {
        true => (NARROW_ROWS, side),
        false => (BLOCK, BLOCK),
    };
    for rows in block_ranges(lead_rows, tile.rows, block_rows) {
        for cols in block_ranges(lead_cols, tile.cols, block_cols) {
            let squares_end = cols.start + cols.len() / side * side;
            let mut i = rows.start;
            while i + side <= rows.end {
                let height = if i + squares_high * side <= rows.end {
                    squares_high * side
                } else {
                    side
                };
                // SAFETY: the strip's rows and the block's columns lie inside the tile.
                unsafe { strip::<T, K>(tile, src, dst, i..i + height, &cols, squares_end) };
                i += height;
            }
            // SAFETY: inside the tile.
            unsafe { scalar(tile, src, dst, i..rows.end, cols) };
        }
    }
}

/// Transposes the rows `rows` (one or two squares high) of the columns `cols`: squares up
/// to `squares_end`, then the remaining columns element by element. Prefetches the
/// source of the strip after next.
///
/// # Safety
/// The ranges must lie inside `tile`.
#[inline(always)]
unsafe fn strip<T: Copy, K: Square<T>>(
    tile: &Tile,
    src: *const T,
    dst: *mut T,
    rows: std::ops::Range<usize>,
    cols: &std::ops::Range<usize>,
    squares_end: usize,
) {
    let source =
        |i: usize, j: usize| src.wrapping_offset(j as isize * tile.src_col_stride + i as isize);
    let ahead = rows.start + 2 * rows.len();
    for j in (cols.start..squares_end).step_by(K::SIDE) {
        for top in rows.clone().step_by(K::SIDE) {
            let to = dst.wrapping_offset(top as isize * tile.dst_row_stride + j as isize);
            // SAFETY: the square lies inside the tile (caller).
            unsafe { K::transpose(source(top, j), tile.src_col_stride, to, tile.dst_row_stride) };
        }
        if ahead < tile.rows {
            K::prefetch(source(ahead, j), tile.src_col_stride);
        }
    }
    // SAFETY: inside the tile (caller).
    unsafe { scalar(tile, src, dst, rows, squares_end..cols.end) };
}

/// `0..lead` (unless empty), then blocks of `block` up to `len`.
fn block_ranges(
    lead: usize,
    len: usize,
    block: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let head = (lead > 0).then_some(0..lead);
    let blocks = (lead..len)
        .step_by(block)
        .map(move |start| start..(start + block).min(len));
    head.into_iter().chain(blocks)
}

/// The length of the first, narrow block along a side of `len` elements starting at
/// `start`, lines `stride` apart: up to where the squares' loads (rows) or stores
/// (columns) fall on `side`-element boundaries, so that no vector straddles two cache
/// lines. 0 when the strides do not keep lines on one boundary, and on sides shorter than
/// a block, where the extra scalar work would cost more than it saves.
fn lead<T>(start: *const T, stride: isize, len: usize, side: usize) -> usize {
    let size = std::mem::size_of::<T>();
    let address = start as usize;
    if len < BLOCK || size == 0 || !address.is_multiple_of(size) || stride % side as isize != 0 {
        return 0;
    }
    // `side` is at most 16 and the side at least `BLOCK` long: the lead fits in it.
    (side - address / size % side) % side
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

/// Element by element: the kernel for sizes without a register transpose.
struct Scalar;

impl<T: Copy> Square<T> for Scalar {
    const SIDE: usize = 1;

    #[inline(always)]
    unsafe fn transpose(src: *const T, _: isize, dst: *mut T, _: isize) {
        // SAFETY: one valid element each (caller).
        unsafe { dst.write(src.read()) }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{blocks, Square, Tile};

    /// [`super::blocked`] for 4-byte elements with the AVX2 8×8 kernel.
    ///
    /// # Safety
    /// As for [`super::blocked`]; the CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn blocked_avx2(tile: &Tile, src: *const u32, dst: *mut u32) {
        // SAFETY: forwarded; compiled with AVX2, so `Avx8x8` inlines here.
        unsafe { blocks::<u32, Avx8x8>(tile, src, dst) }
    }

    /// [`super::blocked`] for 4-byte elements with the AVX-512 16×16 kernel: each square
    /// reads 16 whole source lines and writes 16 whole destination lines, so a line is
    /// never left half written while others of the same cache set come and go, which is
    /// what held the 8×8 kernel to a third of memcpy on sides of 4096 (every line of a
    /// square 16 KiB apart, in one L1 set).
    ///
    /// # Safety
    /// As for [`super::blocked`]; the CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn blocked_avx512<const STREAM: bool>(tile: &Tile, src: *const u32, dst: *mut u32) {
        // SAFETY: forwarded; compiled with AVX-512F, so `Avx16x16` inlines here.
        unsafe { blocks::<u32, Avx16x16<STREAM>>(tile, src, dst) }
    }

    /// 16×16 squares of 32-bit elements in sixteen AVX-512 registers; `STREAM` writes
    /// line-aligned destination rows with non-temporal stores.
    pub struct Avx16x16<const STREAM: bool>;

    impl<const STREAM: bool> Square<u32> for Avx16x16<STREAM> {
        const SIDE: usize = 16;

        #[inline(always)]
        unsafe fn transpose(src: *const u32, src_stride: isize, dst: *mut u32, dst_stride: isize) {
            // SAFETY: the square is valid (caller); only called from `blocked_avx512`.
            unsafe { transpose16x16::<STREAM>(src.cast(), src_stride, dst.cast(), dst_stride) }
        }

        #[inline(always)]
        fn prefetch(src: *const u32, src_stride: isize) {
            prefetch_lines(src, src_stride, 16);
        }
    }

    /// Loads 16 source rows; interleaves pairs of elements, then pairs of pairs (a 4×4
    /// transposition inside each 128-bit lane of every group of four rows); then gathers
    /// each output row's four lanes from the four groups in two rounds of 128-bit lane
    /// shuffles, and stores 16 destination rows.
    ///
    /// # Safety
    /// The 256 source and 256 destination elements must be valid; the CPU must support
    /// AVX-512F.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn transpose16x16<const STREAM: bool>(
        src: *const f32,
        src_stride: isize,
        dst: *mut f32,
        dst_stride: isize,
    ) {
        // SAFETY: unaligned loads and stores of 16 elements inside the square.
        unsafe {
            let r: [__m512; 16] =
                std::array::from_fn(|j| _mm512_loadu_ps(src.offset(j as isize * src_stride)));
            // t[2k], t[2k + 1]: rows 2k and 2k + 1 interleaved, low and high pairs per lane.
            let t: [__m512; 16] = std::array::from_fn(|k| match k % 2 {
                0 => _mm512_unpacklo_ps(r[k], r[k + 1]),
                _ => _mm512_unpackhi_ps(r[k - 1], r[k]),
            });
            // u[4g + m], lane l: column 4l + m of rows 4g..4g + 4.
            let u: [__m512; 16] = std::array::from_fn(|k| {
                let (g, m) = (k / 4 * 4, k % 4);
                let (a, b) = (
                    _mm512_castps_pd(t[g + m / 2]),
                    _mm512_castps_pd(t[g + 2 + m / 2]),
                );
                _mm512_castpd_ps(match m % 2 {
                    0 => _mm512_unpacklo_pd(a, b),
                    _ => _mm512_unpackhi_pd(a, b),
                })
            });
            for m in 0..4 {
                // Lanes (0, 2) and (1, 3) of groups 0 and 1, then of groups 2 and 3.
                let even01 = _mm512_shuffle_f32x4::<0x88>(u[m], u[4 + m]);
                let odd01 = _mm512_shuffle_f32x4::<0xDD>(u[m], u[4 + m]);
                let even23 = _mm512_shuffle_f32x4::<0x88>(u[8 + m], u[12 + m]);
                let odd23 = _mm512_shuffle_f32x4::<0xDD>(u[8 + m], u[12 + m]);
                let store = |i: usize, v| {
                    let row = dst.offset(i as isize * dst_stride);
                    // A non-temporal store needs a line-aligned address (the leads align
                    // the squares' rows where the strides allow).
                    match STREAM && row.cast::<__m512>().is_aligned() {
                        true => _mm512_stream_ps(row, v),
                        false => _mm512_storeu_ps(row, v),
                    }
                };
                store(m, _mm512_shuffle_f32x4::<0x88>(even01, even23));
                store(4 + m, _mm512_shuffle_f32x4::<0x88>(odd01, odd23));
                store(8 + m, _mm512_shuffle_f32x4::<0xDD>(even01, even23));
                store(12 + m, _mm512_shuffle_f32x4::<0xDD>(odd01, odd23));
            }
        }
    }

    /// Asks for `count` source lines starting at `src`, `stride` elements apart.
    #[inline(always)]
    fn prefetch_lines(src: *const u32, stride: isize, count: isize) {
        for j in 0..count {
            crate::kernel::prefetch(src.wrapping_offset(j * stride));
        }
    }

    /// 8×8 squares of 32-bit elements in eight AVX registers.
    pub struct Avx8x8;

    impl Square<u32> for Avx8x8 {
        const SIDE: usize = 8;

        #[inline(always)]
        unsafe fn transpose(src: *const u32, src_stride: isize, dst: *mut u32, dst_stride: isize) {
            // SAFETY: the square is valid (caller); only called from `blocked_avx2`.
            unsafe { transpose8x8(src.cast(), src_stride, dst.cast(), dst_stride) }
        }

        #[inline(always)]
        fn prefetch(src: *const u32, src_stride: isize) {
            prefetch_lines(src, src_stride, 8);
        }
    }

    /// Loads 8 source rows (the square's columns), interleaves pairs of elements, then
    /// pairs of pairs, then swaps 128-bit halves, and stores 8 destination rows.
    ///
    /// # Safety
    /// The 64 source and 64 destination elements must be valid; the CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn transpose8x8(src: *const f32, src_stride: isize, dst: *mut f32, dst_stride: isize) {
        // SAFETY: unaligned loads and stores of 8 elements inside the square.
        unsafe {
            let row = |j: isize| _mm256_loadu_ps(src.offset(j * src_stride));
            let r = [
                row(0),
                row(1),
                row(2),
                row(3),
                row(4),
                row(5),
                row(6),
                row(7),
            ];
            let pairs = |a: usize| {
                (
                    _mm256_unpacklo_ps(r[a], r[a + 1]),
                    _mm256_unpackhi_ps(r[a], r[a + 1]),
                )
            };
            let ((t0, t1), (t2, t3), (t4, t5), (t6, t7)) = (pairs(0), pairs(2), pairs(4), pairs(6));
            let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
            let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
            let store = |i: isize, v| _mm256_storeu_ps(dst.offset(i * dst_stride), v);
            store(0, _mm256_permute2f128_ps::<0x20>(u0, u4));
            store(1, _mm256_permute2f128_ps::<0x20>(u1, u5));
            store(2, _mm256_permute2f128_ps::<0x20>(u2, u6));
            store(3, _mm256_permute2f128_ps::<0x20>(u3, u7));
            store(4, _mm256_permute2f128_ps::<0x31>(u0, u4));
            store(5, _mm256_permute2f128_ps::<0x31>(u1, u5));
            store(6, _mm256_permute2f128_ps::<0x31>(u2, u6));
            store(7, _mm256_permute2f128_ps::<0x31>(u3, u7));
        }
    }

    /// 4×4 squares of 32-bit elements in SSE2 registers.
    pub struct Sse4x4;

    impl Square<u32> for Sse4x4 {
        const SIDE: usize = 4;

        #[inline(always)]
        unsafe fn transpose(src: *const u32, src_stride: isize, dst: *mut u32, dst_stride: isize) {
            // SAFETY: unaligned loads and stores of 4 elements inside the square (caller);
            // SSE2 is part of x86_64.
            unsafe {
                let row = |j: isize| _mm_loadu_si128(src.offset(j * src_stride).cast());
                let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
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
    }

    /// 2×2 squares of 64-bit elements in SSE2 registers.
    pub struct Sse2x2;

    impl Square<u64> for Sse2x2 {
        const SIDE: usize = 2;

        #[inline(always)]
        unsafe fn transpose(src: *const u64, src_stride: isize, dst: *mut u64, dst_stride: isize) {
            // SAFETY: unaligned loads and stores of 2 elements inside the square (caller);
            // SSE2 is part of x86_64.
            unsafe {
                let r0 = _mm_loadu_si128(src.cast());
                let r1 = _mm_loadu_si128(src.offset(src_stride).cast());
                _mm_storeu_si128(dst.cast(), _mm_unpacklo_epi64(r0, r1));
                _mm_storeu_si128(dst.offset(dst_stride).cast(), _mm_unpackhi_epi64(r0, r1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `kernel` on a `rows`×`cols` tile whose columns and rows lie `pad` elements
    /// apart beyond their length (negative strides when `reversed`), starting `offset`
    /// elements into the buffers, and checks every element and the untouched padding.
    fn check(
        kernel: unsafe fn(&Tile, *const u32, *mut u32),
        rows: usize,
        cols: usize,
        pad: usize,
        offset: usize,
        reversed: bool,
    ) {
        let (src_stride, dst_stride) = ((rows + pad) as isize, (cols + pad) as isize);
        let len = offset + cols * (rows + pad) + rows * (cols + pad);
        let src: Vec<u32> = (0..len as u32).collect();
        let mut dst = vec![u32::MAX; len];
        // With negative strides the tile starts at the far end of the buffers.
        let (src_start, dst_start, sign) = if reversed {
            let last = |n: usize, stride: isize| offset as isize + (n.max(1) - 1) as isize * stride;
            (last(cols, src_stride), last(rows, dst_stride), -1)
        } else {
            (offset as isize, offset as isize, 1)
        };
        let tile = Tile {
            rows,
            cols,
            src_col_stride: sign * src_stride,
            dst_row_stride: sign * dst_stride,
        };
        // SAFETY: every offset of the tile lies inside the two distinct buffers.
        unsafe {
            kernel(
                &tile,
                src.as_ptr().offset(src_start),
                dst.as_mut_ptr().offset(dst_start),
            )
        };
        let mut written = vec![false; len];
        for i in 0..rows as isize {
            for j in 0..cols as isize {
                let to = (dst_start + i * tile.dst_row_stride + j) as usize;
                let from = (src_start + j * tile.src_col_stride + i) as usize;
                assert_eq!(dst[to], src[from], "{rows}×{cols} pad {pad} at ({i}, {j})");
                written[to] = true;
            }
        }
        let stray = (0..len).find(|&k| !written[k] && dst[k] != u32::MAX);
        assert_eq!(
            stray, None,
            "{rows}×{cols} pad {pad}: wrote outside the tile"
        );
    }

    /// Every kernel over lengths around its side, the strips, the block and the leads.
    #[test]
    fn every_kernel_on_every_edge() {
        let mut kernels: Vec<unsafe fn(&Tile, *const u32, *mut u32)> = vec![
            blocks::<u32, Scalar>,
            blocked::<u32, false>,
            blocked::<u32, true>,
        ];
        #[cfg(target_arch = "x86_64")]
        {
            kernels.push(blocks::<u32, x86::Sse4x4>);
            if std::arch::is_x86_feature_detected!("avx2") {
                kernels.push(x86::blocked_avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                kernels.push(x86::blocked_avx512::<false>);
                kernels.push(x86::blocked_avx512::<true>);
            }
        }
        // Under Miri, which interprets every element: each edge, but not two long sides at
        // once, and one padding.
        let paddings: &[(usize, usize)] = if cfg!(miri) {
            &[(3, 1)]
        } else {
            &[(0, 0), (3, 1), (8, 5)]
        };
        for kernel in kernels {
            // Past the first narrow block, with a partial square column and a lead.
            if !cfg!(miri) {
                for reversed in [false, true] {
                    check(kernel, NARROW_ROWS + 300, 40, 3, 1, reversed);
                }
            }
            for rows in [0, 1, 3, 4, 7, 8, 9, 16, 17, 31, 32, 33, 48, 128, 131, 145] {
                for cols in [1, 4, 8, 15, 16, 24, 32, 47, 129, 130, 144] {
                    if cfg!(miri) && rows * cols > 1200 {
                        continue;
                    }
                    for &(pad, offset) in paddings {
                        for reversed in [false, true] {
                            check(kernel, rows, cols, pad, offset, reversed);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn eight_byte_squares() {
        let (rows, cols) = (131, 130);
        let src: Vec<u64> = (0..(rows * cols) as u64).collect();
        let mut dst = vec![0u64; rows * cols];
        let tile = Tile {
            rows,
            cols,
            src_col_stride: rows as isize,
            dst_row_stride: cols as isize,
        };
        // SAFETY: both buffers hold the whole tile.
        unsafe { blocked::<_, false>(&tile, src.as_ptr(), dst.as_mut_ptr()) };
        for i in 0..rows {
            for j in 0..cols {
                assert_eq!(dst[i * cols + j], src[j * rows + i], "({i}, {j})");
            }
        }
    }
}
