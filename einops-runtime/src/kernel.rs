//! The loops that move and fold elements along a strided walk.

use smallvec::{smallvec, SmallVec};

use crate::element::Reducible;
use crate::pattern::Reduction;
use crate::solve::INLINE;

/// Calls `visit` with `base` plus the offset of every index of `walk` (pairs of length
/// and stride), in row-major order. The innermost axis is a plain strided loop; outer
/// axes advance an odometer, so no offset is recomputed from a full index.
pub(crate) fn for_each_offset(walk: &[(usize, isize)], base: isize, mut visit: impl FnMut(isize)) {
    if walk.iter().any(|&(len, _)| len == 0) {
        return;
    }
    let Some((&(inner_len, inner_stride), outer)) = walk.split_last() else {
        visit(base);
        return;
    };
    let mut index: SmallVec<[usize; INLINE]> = smallvec![0; outer.len()];
    let mut offset = base;
    loop {
        let mut at = offset;
        for _ in 0..inner_len {
            visit(at);
            at += inner_stride;
        }
        let mut axis = outer.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            let (len, stride) = outer[axis];
            index[axis] += 1;
            offset += stride;
            if index[axis] < len {
                break;
            }
            index[axis] = 0;
            offset -= stride * len as isize;
        }
    }
}

/// Number of elements a walk visits.
pub(crate) fn count(walk: &[(usize, isize)]) -> usize {
    walk.iter().map(|&(len, _)| len).product()
}

/// Clones the elements `walk` visits from `base` into a new vector, in walk order.
///
/// # Safety
/// Every offset the walk produces from `base` must point to an initialised element
/// that stays valid and unmodified for the duration of the call.
pub(crate) unsafe fn gather<A: Clone>(base: *const A, walk: &[(usize, isize)]) -> Vec<A> {
    let mut out = Vec::with_capacity(count(walk));
    // SAFETY: the caller guarantees each offset addresses a valid element.
    for_each_offset(walk, 0, |offset| {
        out.push(unsafe { &*base.offset(offset) }.clone())
    });
    out
}

/// Folds the `reduced` walk for every position of the `kept` walk.
///
/// # Safety
/// As for [`gather`], for every combination of a `kept` and a `reduced` offset.
pub(crate) unsafe fn reduce<A: Reducible>(
    base: *const A,
    kept: &[(usize, isize)],
    reduced: &[(usize, isize)],
    reduction: Reduction,
) -> Vec<A> {
    let mut out = Vec::with_capacity(count(kept));
    let reduced_count = count(reduced);
    // SAFETY (both closures): the caller guarantees each combined offset is valid.
    let read = |offset: isize| unsafe { *base.offset(offset) };
    for_each_offset(kept, 0, |start| {
        let fold = |init: A, op: fn(A, A) -> A| {
            let mut acc = init;
            for_each_offset(reduced, start, |offset| acc = op(acc, read(offset)));
            acc
        };
        let truth = |any: bool| {
            let mut found = false;
            for_each_offset(reduced, start, |offset| {
                found |= read(offset).is_true() == any
            });
            if found == any {
                A::ONE
            } else {
                A::ZERO
            }
        };
        out.push(match reduction {
            Reduction::Sum => fold(A::ZERO, A::add),
            Reduction::Prod => fold(A::ONE, A::mul),
            Reduction::Mean => {
                let sum = fold(A::ZERO, A::add);
                A::mean(sum, reduced_count).unwrap_or(sum)
            }
            // The caller rules out empty min/max reductions, so offset `start` is valid.
            Reduction::Min => fold(read(start), A::min),
            Reduction::Max => fold(read(start), A::max),
            Reduction::Any => truth(true),
            Reduction::All => truth(false),
        });
    });
    out
}
