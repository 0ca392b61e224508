//! Views: the output described by strides over the input's memory, where they can.

use smallvec::SmallVec;

use super::walk::Step;
use super::{Solution, INLINE};

impl Solution {
    /// The output's strides over the input's memory (in elements, from the input's first
    /// element), or the first output dimension whose group has none.
    pub fn view_strides(&self) -> Result<SmallVec<[isize; INLINE]>, usize> {
        let mut strides = SmallVec::new();
        if self.shape.contains(&0) {
            // No element to address: any strides describe it. Row-major ones (a length 0
            // counted as 1) keep the axes apart, as ndarray asks of a mutable view.
            let mut stride = 1isize;
            for &len in self.shape.iter().rev() {
                strides.insert(0, stride);
                stride = stride.saturating_mul(len.max(1) as isize);
            }
            return Ok(strides);
        }
        let mut next = 0;
        for (dim, &len) in self.shape.iter().enumerate() {
            let start = next;
            while next < self.kept.len() && self.kept_place[next].0 == dim {
                next += 1;
            }
            strides.push(group_stride(&self.kept[start..next], len).ok_or(dim)?);
        }
        Ok(strides)
    }
}

/// The stride of an output dimension merged from `axes` (outermost first), if one exists:
/// numpy's rule for reshaping without a copy. Ignoring length-1 axes, each axis must step by
/// the next one's stride times its length. A dimension of length 0 or 1 takes any stride.
fn group_stride(axes: &[Step], len: usize) -> Option<isize> {
    if len <= 1 {
        return Some(0);
    }
    let mut moving = axes.iter().filter(|axis| axis.len != 1);
    let inner = moving.next_back()?;
    let mut within = inner;
    for outer in moving.rev() {
        let spacing = within.src.checked_mul(isize::try_from(within.len).ok()?)?;
        if outer.src != spacing {
            return None;
        }
        within = outer;
    }
    Some(inner.src)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(len: usize, src: isize) -> Step {
        Step { len, src, dst: 0 }
    }

    #[test]
    fn nested_strides_merge_and_others_do_not() {
        // (c h w) of a standard [c, h, w] = [2, 3, 4]: strides 12, 4, 1.
        let standard = [step(2, 12), step(3, 4), step(4, 1)];
        assert_eq!(group_stride(&standard, 24), Some(1));
        // The same axes permuted (w before h) are not evenly spaced.
        assert_eq!(
            group_stride(&[step(2, 12), step(4, 1), step(3, 4)], 24),
            None
        );
        // Negative strides nest too: a reversed standard array.
        assert_eq!(group_stride(&[step(3, -4), step(4, -1)], 12), Some(-1));
        // Unit axes are skipped whatever their stride.
        assert_eq!(
            group_stride(&[step(3, 4), step(1, 999), step(4, 1)], 12),
            Some(1)
        );
        // A repeated axis (stride 0) beside a moving one cannot merge.
        assert_eq!(group_stride(&[step(3, 1), step(2, 0)], 6), None);
        // Empty and length-1 dimensions take any stride.
        assert_eq!(group_stride(&[step(0, 5), step(4, 1)], 0), Some(0));
        assert_eq!(group_stride(&[step(1, 5)], 1), Some(0));
    }

    #[test]
    fn spacing_that_overflows_never_matches() {
        let huge = isize::MAX / 2 + 1;
        assert_eq!(group_stride(&[step(2, 0), step(4, huge)], 8), None);
    }
}
