//! One matrix product `C = A B` with arbitrary strides: matrixmultiply's `sgemm`/`dgemm`
//! for `f32`/`f64` (which read any row and column strides, so no operand is copied to fit
//! them), dot products of contiguous rows for small float products that allow them, and a
//! plain loop for other element types and for tiny products.
//!
//! (A register-tiled loop for small products was tried: copying B into panels costs about
//! what matrixmultiply's packing does, so it was no faster at the benchmark sizes. Dot
//! products copy nothing, but need rows of A and columns of B contiguous along `k`, as in
//! a Gram matrix or attention scores.)

use std::any::TypeId;

use super::tuning::{DOTS, DOT_DEPTH};

use crate::element::Reducible;

/// Below this length in every dimension a plain loop beats packing for the GEMM kernel
/// (ndarray's `general_mat_mul` uses the same cut-off).
const TINY: usize = 7;

/// The shape and strides (in elements) of `C[m × n] = A[m × k] · B[k × n]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Matmul {
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
pub(crate) unsafe fn matmul<A: Reducible>(mm: &Matmul, a: *const A, b: *const A, c: *mut A) {
    let tiny = mm.m <= TINY && mm.n <= TINY && mm.k <= TINY;
    let work = mm.m.saturating_mul(mm.n).saturating_mul(mm.k);
    let dots = mm.a[1] == 1 && mm.b[0] == 1 && mm.k >= DOT_DEPTH && work <= DOTS;
    let ty = TypeId::of::<A>();
    let [(ra, ca), (rb, cb), (rc, cc)] = [mm.a, mm.b, mm.c].map(|s| (s[0], s[1]));
    // SAFETY: forwarded from the caller; the casts are to `A` itself, checked by TypeId.
    // With beta 0, C is written without being read.
    unsafe {
        // (`dots` implies not `tiny`: it needs `k >= DOT_DEPTH`.)
        if dots && ty == TypeId::of::<f32>() {
            dot_products::<f32>(mm, a.cast(), b.cast(), c.cast());
        } else if dots && ty == TypeId::of::<f64>() {
            dot_products::<f64>(mm, a.cast(), b.cast(), c.cast());
        } else if !tiny && ty == TypeId::of::<f32>() {
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
                let product = unsafe {
                    A::product(*a.offset(offset(mm.a, i, p)), *b.offset(offset(mm.b, p, j)))
                };
                sum = A::add_sums(sum, product.to_sum());
            }
            // SAFETY: as above.
            unsafe { c.offset(offset(mm.c, i, j)).write(A::from_sum(sum)) };
        }
    }
}

/// The arithmetic of a float dot product.
trait Dot: Copy + Default + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> {}
impl Dot for f32 {}
impl Dot for f64 {}

/// `C[i, j]` as the dot product of row `i` of A and column `j` of B, both contiguous.
///
/// # Safety
/// As for [`matmul`], with `mm.a[1] == 1` and `mm.b[0] == 1`.
unsafe fn dot_products<T: Dot>(mm: &Matmul, a: *const T, b: *const T, c: *mut T) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: forwarded from the caller; the CPU has AVX2.
        return unsafe { dot_products_avx2(mm, a, b, c) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { dot_loops(mm, a, b, c) }
}

/// [`dot_loops`] compiled for AVX2: the same operations in the same order (the same
/// results), in 256-bit vectors.
///
/// # Safety
/// As for [`dot_products`], on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_products_avx2<T: Dot>(mm: &Matmul, a: *const T, b: *const T, c: *mut T) {
    // SAFETY: forwarded from the caller.
    unsafe { dot_loops(mm, a, b, c) }
}

/// # Safety
/// As for [`dot_products`].
#[inline(always)]
unsafe fn dot_loops<T: Dot>(mm: &Matmul, a: *const T, b: *const T, c: *mut T) {
    for i in 0..mm.m {
        // SAFETY: row `i` of A holds `k` contiguous elements (caller).
        let row = unsafe { std::slice::from_raw_parts(a.offset(offset(mm.a, i, 0)), mm.k) };
        for j in 0..mm.n {
            // SAFETY: column `j` of B holds `k` contiguous elements (caller).
            let column = unsafe { std::slice::from_raw_parts(b.offset(offset(mm.b, 0, j)), mm.k) };
            // SAFETY: `[i, j]` is within `m × n` (caller).
            unsafe { c.offset(offset(mm.c, i, j)).write(dot(row, column)) };
        }
    }
}

/// Lanes of a dot product: eight independent sums, which the compiler keeps in vector
/// registers.
const DOT_LANES: usize = 8;

/// `Σ x[p] y[p]` in [`DOT_LANES`] lanes (the last `k mod 8` products in a sum of their
/// own), added up at the end.
#[inline(always)]
fn dot<T: Dot>(x: &[T], y: &[T]) -> T {
    let mut lanes = [T::default(); DOT_LANES];
    let (xs, ys) = (x.chunks_exact(DOT_LANES), y.chunks_exact(DOT_LANES));
    let tail = xs.remainder().iter().zip(ys.remainder());
    let tail = tail.fold(T::default(), |sum, (&x, &y)| sum + x * y);
    for (xs, ys) in xs.zip(ys) {
        for ((lane, &x), &y) in lanes.iter_mut().zip(xs).zip(ys) {
            *lane = *lane + x * y;
        }
    }
    lanes.iter().fold(tail, |sum, &lane| sum + lane)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `m × k` and `k × n` operands whose rows of A and columns of B are contiguous (B
    /// stored transposed), with a gap after each, and the product's expected value.
    fn operands(m: usize, n: usize, k: usize) -> (Vec<f64>, Vec<f64>, Matmul) {
        let value = |i: usize| ((i * 7919) % 1001) as f64 / 1001.0 - 0.5;
        let a = (0..m * (k + 3)).map(value).collect();
        let b = (0..n * (k + 1)).map(|i| value(i + 17)).collect();
        let mm = Matmul {
            m,
            n,
            k,
            a: [(k + 3) as isize, 1],
            b: [1, (k + 1) as isize],
            c: [n as isize, 1],
        };
        (a, b, mm)
    }

    /// The element-by-element loop (integers, and products too small for a GEMM): integer
    /// products and sums wrap as numpy's do, and a product over nothing (`k = 0`) writes
    /// zeros without reading either operand.
    #[test]
    fn plain_products_wrap_and_empty_sums_are_zero() {
        let (a, b) = ([100i8, 100], [3i8, 3]);
        let mm = Matmul {
            m: 1,
            n: 1,
            k: 2,
            a: [2, 1],
            b: [1, 1],
            c: [1, 1],
        };
        let mut c = [0i8];
        // SAFETY: a is 1 × 2, b is 2 × 1 and c is 1 × 1 with these strides.
        unsafe { matmul(&mm, a.as_ptr(), b.as_ptr(), c.as_mut_ptr()) };
        // 100 · 3 wraps to 44; 44 + 44 = 88, which is 600 modulo 256.
        assert_eq!(c, [88]);

        let mm = Matmul {
            m: 2,
            n: 3,
            k: 0,
            a: [0, 1],
            b: [1, 0],
            c: [3, 1],
        };
        let mut c = [7i8; 6];
        // SAFETY: with k = 0 no operand element is read; c is 2 × 3 with these strides.
        unsafe { matmul(&mm, std::ptr::null(), std::ptr::null(), c.as_mut_ptr()) };
        assert_eq!(c, [0; 6]);
    }

    #[test]
    fn dot_products_match_the_plain_loop() {
        for (m, n, k) in [(1, 1, 64), (8, 8, 64), (3, 5, 67), (7, 9, 71), (2, 3, 512)] {
            let (a, b, mm) = operands(m, n, k);
            let mut expected = vec![0.0; m * n];
            let mut got = vec![0.0; m * n];
            // SAFETY: the operands and outputs have the extents `operands` gave `mm`.
            unsafe {
                plain(&mm, a.as_ptr(), b.as_ptr(), expected.as_mut_ptr());
                matmul(&mm, a.as_ptr(), b.as_ptr(), got.as_mut_ptr());
            }
            for (g, e) in got.iter().zip(&expected) {
                assert!((g - e).abs() < 1e-9, "{m}×{n}×{k}: {g} against {e}");
            }
            let (a, b): (Vec<f32>, Vec<f32>) = (
                a.iter().map(|&x| x as f32).collect(),
                b.iter().map(|&x| x as f32).collect(),
            );
            let mut portable = vec![0.0f32; m * n];
            let mut chosen = vec![0.0f32; m * n];
            // SAFETY: as above.
            unsafe {
                dot_loops(&mm, a.as_ptr(), b.as_ptr(), portable.as_mut_ptr());
                matmul(&mm, a.as_ptr(), b.as_ptr(), chosen.as_mut_ptr());
            }
            // The AVX2 twin (where the CPU has it) adds in the same order: the same bits.
            assert_eq!(portable, chosen, "{m}×{n}×{k}");
            for (g, e) in portable.iter().zip(&expected) {
                assert!(
                    (f64::from(*g) - e).abs() < 1e-4,
                    "{m}×{n}×{k}: {g} against {e}"
                );
            }
        }
    }
}
