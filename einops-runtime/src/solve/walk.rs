//! Strided walks: the axes a kernel loops over, simplified before any element moves.

use std::cmp::Reverse;

use smallvec::{smallvec, SmallVec};

use super::INLINE;

/// One loop of a kernel: its length and the source and destination strides (in elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    pub len: usize,
    pub src: isize,
    pub dst: isize,
}

/// The loops of a kernel, outermost first.
pub(crate) type Steps = SmallVec<[Step; INLINE]>;

/// Simplifies a walk without changing which source element lands where: drops unit
/// axes, orders the loops by destination stride (largest outside, so writes are
/// sequential) and fuses neighbours that are contiguous in both source and destination.
/// Returns `None` when the walk visits nothing.
pub(crate) fn simplify(steps: &[Step]) -> Option<Steps> {
    if steps.iter().any(|s| s.len == 0) {
        return None;
    }
    let mut sorted: Steps = steps.iter().copied().filter(|s| s.len != 1).collect();
    sorted.sort_by_key(|s| Reverse(s.dst.unsigned_abs()));
    let mut fused = Steps::new();
    for step in sorted {
        match fused.last_mut() {
            Some(last)
                if last.src == step.src.wrapping_mul(step.len as isize)
                    && last.dst == step.dst.wrapping_mul(step.len as isize) =>
            {
                last.len *= step.len;
                last.src = step.src;
                last.dst = step.dst;
            }
            _ => fused.push(step),
        }
    }
    Some(fused)
}

/// Calls `visit(src_offset, dst_offset)` for every index of `steps` in row-major
/// order. The two innermost axes are plain nested loops; the outer ones advance an
/// odometer, so no offset is recomputed from a full index. `steps` must not contain a
/// zero length.
pub(crate) fn for_each(steps: &[Step], visit: impl FnMut(isize, isize)) {
    for_each_inlined(steps, visit)
}

/// [`for_each`], inlined into its caller always, and `visit` with it: for a caller
/// compiled with more target features than the crate (an AVX2 twin), where `visit`
/// would otherwise be compiled without them. (A closure inherits the features of the
/// function it is written in; one written in an inlined helper does not.)
#[inline(always)]
pub(crate) fn for_each_inlined(steps: &[Step], mut visit: impl FnMut(isize, isize)) {
    let unit = Step {
        len: 1,
        src: 0,
        dst: 0,
    };
    let (outer, inner) = steps.split_at(steps.len().saturating_sub(2));
    let (middle, innermost) = match *inner {
        [middle, innermost] => (middle, innermost),
        [innermost] => (unit, innermost),
        _ => (unit, unit),
    };
    // The odometer's digits, on the stack for up to `INLINE` outer axes. (The inner loops
    // have one call site, also for walks without outer axes, so that `visit` is inlined
    // into them: with two, it was called per position, 28 instructions more per output
    // of `reduce_gap_mean/small` under callgrind.)
    let mut digits = [0usize; INLINE];
    let mut spilled = Vec::new();
    let index: &mut [usize] = match digits.get_mut(..outer.len()) {
        Some(digits) => digits,
        None => {
            spilled.resize(outer.len(), 0);
            &mut spilled
        }
    };
    let (mut src, mut dst) = (0isize, 0isize);
    loop {
        inner_loops(middle, innermost, src, dst, &mut visit);
        let mut axis = outer.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            let step = outer[axis];
            index[axis] += 1;
            src += step.src;
            dst += step.dst;
            if index[axis] < step.len {
                break;
            }
            index[axis] = 0;
            src -= step.src * step.len as isize;
            dst -= step.dst * step.len as isize;
        }
    }
}

/// The two innermost loops of [`for_each`] from `(src, dst)`: a function, not a closure,
/// so that it is inlined always (see [`for_each_inlined`]).
#[inline(always)]
fn inner_loops(
    middle: Step,
    innermost: Step,
    src: isize,
    dst: isize,
    visit: &mut impl FnMut(isize, isize),
) {
    let (mut row_src, mut row_dst) = (src, dst);
    for _ in 0..middle.len {
        let (mut s, mut d) = (row_src, row_dst);
        for _ in 0..innermost.len {
            visit(s, d);
            s += innermost.src;
            d += innermost.dst;
        }
        row_src += middle.src;
        row_dst += middle.dst;
    }
}

/// Number of elements a walk visits.
pub(crate) fn count(steps: &[Step]) -> usize {
    steps.iter().map(|s| s.len).product()
}

/// Row-major strides of a contiguous array of `shape`.
pub(crate) fn standard_strides(shape: &[usize]) -> SmallVec<[isize; INLINE]> {
    let mut strides: SmallVec<[isize; INLINE]> = smallvec![0; shape.len()];
    let mut stride = 1isize;
    for (s, &len) in strides.iter_mut().zip(shape).rev() {
        *s = stride;
        stride = stride.wrapping_mul(len as isize);
    }
    strides
}

/// Whether an array of `shape` with elements of `size` bytes can exist: ndarray bounds the
/// product of the non-zero lengths by `isize::MAX`, and `Vec` bounds the bytes the same way.
pub(crate) fn fits_in_memory(shape: &[usize], size: usize) -> bool {
    let limit = isize::MAX as usize;
    let mut non_zero = shape.iter().filter(|&&len| len != 0);
    let Some(elements) = non_zero.try_fold(1usize, |n, &len| n.checked_mul(len)) else {
        return false;
    };
    let bytes = if shape.contains(&0) {
        Some(0)
    } else {
        elements.checked_mul(size)
    };
    elements <= limit && bytes.is_some_and(|bytes| bytes <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(len: usize, src: isize, dst: isize) -> Step {
        Step { len, src, dst }
    }

    #[test]
    fn simplify_fuses_axes_contiguous_in_both() {
        // b c h w -> b h w c on [2, 3, 4, 5]: h and w fuse; b stays apart.
        let walk = [
            step(2, 60, 60),
            step(4, 5, 15),
            step(5, 1, 3),
            step(3, 20, 1),
        ];
        assert_eq!(
            simplify(&walk).unwrap().as_slice(),
            &[step(2, 60, 60), step(20, 1, 3), step(3, 20, 1)]
        );
    }

    #[test]
    fn simplify_drops_units_and_detects_empty_walks() {
        assert_eq!(
            simplify(&[step(1, 7, 7), step(3, 1, 1)])
                .unwrap()
                .as_slice(),
            &[step(3, 1, 1)]
        );
        assert!(simplify(&[step(0, 1, 1), step(3, 1, 1)]).is_none());
        assert!(simplify(&[]).unwrap().is_empty());
    }

    #[test]
    fn for_each_visits_row_major_offsets() {
        let mut seen = Vec::new();
        for_each(&[step(2, 10, 3), step(3, -1, 1)], |s, d| seen.push((s, d)));
        assert_eq!(seen, [(0, 0), (-1, 1), (-2, 2), (10, 3), (9, 4), (8, 5)]);
    }

    #[test]
    fn for_each_visits_every_index_of_any_depth() {
        let visited = |steps: &[Step]| {
            let mut seen = Vec::new();
            for_each(steps, |s, d| seen.push((s, d)));
            seen
        };
        assert_eq!(visited(&[]), [(0, 0)]);
        assert_eq!(visited(&[step(3, 2, -1)]), [(0, 0), (2, -1), (4, -2)]);
        // Four axes: the odometer carries across two outer axes.
        let steps = [
            step(2, 100, 1000),
            step(2, 10, 100),
            step(2, 1, 10),
            step(2, 0, 1),
        ];
        let expected: Vec<(isize, isize)> = (0..16)
            .map(|i: isize| {
                let (a, b, c, d) = (i >> 3 & 1, i >> 2 & 1, i >> 1 & 1, i & 1);
                (100 * a + 10 * b + c, 1000 * a + 100 * b + 10 * c + d)
            })
            .collect();
        assert_eq!(visited(&steps), expected);
        // More outer axes than fit on the stack: 12 binary digits of the offset.
        let steps: Vec<Step> = (0..12).rev().map(|k| step(2, 1 << k, 1 << k)).collect();
        let expected: Vec<(isize, isize)> = (0..1 << 12).map(|i| (i, i)).collect();
        assert_eq!(visited(&steps), expected);
    }
}
