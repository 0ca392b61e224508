//! One matrix product `C = A B` with arbitrary strides: matrixmultiply's `sgemm`/`dgemm`
//! for `f32`/`f64` (which read any row and column strides, so no operand is copied to fit
//! them), a plain loop for other element types and for tiny products.
//!
//! (A register-tiled loop for small products was tried: copying B into panels costs about
//! what matrixmultiply's packing does, so it was no faster at the benchmark sizes.)

use std::any::TypeId;

use crate::element::Reducible;

/// Below this length in every dimension a plain loop beats packing for the GEMM kernel
/// (ndarray's `general_mat_mul` uses the same cut-off).
const TINY: usize = 7;

/// The shape and strides (in elements) of `C[m × n] = A[m × k] · B[k × n]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Matmul {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    /// Row and column strides of `A`.
    pub a: [isize; 2],
    /// Row and column strides of `B`.
    pub b: [isize; 2],
    /// Row and column strides of `C`; they must not make two elements alias.
    pub c: [isize; 2],
}

/// The element offset of `[row, col]` with these strides.
fn offset(strides: [isize; 2], row: usize, col: usize) -> isize {
    strides[0].wrapping_mul(row as isize) + strides[1].wrapping_mul(col as isize)
}

/// Writes `C = A B` (without reading `C`).
///
/// # Safety
/// `a`, `b` with the strides of `mm` must address initialised elements for every index
/// within `m × k` and `k × n`; `c` must address distinct writable slots for every index
/// within `m × n`, overlapping neither `a` nor `b`.
pub(super) unsafe fn matmul<A: Reducible>(mm: &Matmul, a: *const A, b: *const A, c: *mut A) {
    let tiny = mm.m <= TINY && mm.n <= TINY && mm.k <= TINY;
    let ty = TypeId::of::<A>();
    let [(ra, ca), (rb, cb), (rc, cc)] = [mm.a, mm.b, mm.c].map(|s| (s[0], s[1]));
    // SAFETY: forwarded from the caller; the casts are to `A` itself, checked by TypeId.
    // With beta 0, C is written without being read.
    unsafe {
        if !tiny && ty == TypeId::of::<f32>() {
            let (a, b, c) = (a.cast(), b.cast(), c.cast());
            matrixmultiply::sgemm(mm.m, mm.k, mm.n, 1.0, a, ra, ca, b, rb, cb, 0.0, c, rc, cc);
        } else if !tiny && ty == TypeId::of::<f64>() {
            let (a, b, c) = (a.cast(), b.cast(), c.cast());
            matrixmultiply::dgemm(mm.m, mm.k, mm.n, 1.0, a, ra, ca, b, rb, cb, 0.0, c, rc, cc);
        } else {
            plain(mm, a, b, c);
        }
    }
}

/// The sum of products element by element, accumulated like `reduce`'s sums (floats in
/// `f64`, integers wrapping).
///
/// # Safety
/// As for [`matmul`].
unsafe fn plain<A: Reducible>(mm: &Matmul, a: *const A, b: *const A, c: *mut A) {
    for i in 0..mm.m {
        for j in 0..mm.n {
            let mut sum = A::ZERO.to_sum();
            for p in 0..mm.k {
                // SAFETY: the indices are within the shapes the caller vouched for.
                let product =
                    unsafe { A::mul(*a.offset(offset(mm.a, i, p)), *b.offset(offset(mm.b, p, j))) };
                sum = A::add_sums(sum, product.to_sum());
            }
            // SAFETY: as above.
            unsafe { c.offset(offset(mm.c, i, j)).write(A::from_sum(sum)) };
        }
    }
}
