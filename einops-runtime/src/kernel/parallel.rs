//! Splitting a kernel's outermost loop across rayon's threads, for large walks only:
//! a parallel call costs microseconds, which small arrays cannot repay. Each output
//! element is computed by exactly the same code whatever the split, so results are
//! identical to one thread.

#[cfg(feature = "rayon")]
use super::tuning::PARALLEL_BYTES;
use crate::solve::walk::Step;

/// A raw pointer that may cross threads: the chunks a caller hands to different
/// threads touch disjoint destination elements and only read the source.
///
/// `T: Send + Sync` is what the threads do with the elements: several of them read the
/// same source elements through shared pointers (`Sync`), and each writes values into
/// elements that the calling thread owns afterwards (`Send`). The kernels only share
/// plain primitives and sealed `Reducible` types this way, whose comparisons and
/// arithmetic touch nothing but the values themselves.
#[derive(Clone, Copy)]
pub(crate) struct Shared<T: Send + Sync>(pub *mut T);
impl<T: Send + Sync> Shared<T> {
    /// The pointer. (A method, so closures capture the whole `Shared`, not its field.)
    pub fn ptr(self) -> *mut T {
        self.0
    }
}

// SAFETY: a `Shared<T>` is only a pointer; sending it lets another thread read source
// elements of type `T` (sound as `T: Sync`) and write `T` values into destination
// elements that no other thread touches (every user splits the walk into disjoint
// writes, see `chunks`), which the owning thread then takes over (sound as `T: Send`).
unsafe impl<T: Send + Sync> Send for Shared<T> {}
// SAFETY: sharing `&Shared<T>` only shares the pointer value, which is `Copy`; what the
// threads do through it is the argument above.
unsafe impl<T: Send + Sync> Sync for Shared<T> {}

/// Runs `work(steps, src_offset, dst_offset)` over the walk, possibly as several chunks
/// of its outermost loop on rayon's pool when the walk moves at least a megabyte.
pub(crate) fn chunks(steps: &[Step], bytes: usize, work: impl Fn(&[Step], isize, isize) + Sync) {
    #[cfg(feature = "rayon")]
    if let Some(&outer) = steps.first() {
        use rayon::prelude::*;
        // The byte count first: asking rayon for its threads costs small calls time.
        let threads = if bytes >= PARALLEL_BYTES {
            rayon::current_num_threads()
        } else {
            1
        };
        let pieces = (threads * 4).min(outer.len);
        if threads > 1 && pieces > 1 {
            (0..pieces).into_par_iter().for_each(|piece| {
                let start = outer.len * piece / pieces;
                let end = outer.len * (piece + 1) / pieces;
                let mut sub: crate::solve::walk::Steps = steps.iter().copied().collect();
                sub[0].len = end - start;
                work(&sub, outer.src * start as isize, outer.dst * start as isize);
            });
            return;
        }
    }
    #[cfg(not(feature = "rayon"))]
    let _ = bytes;
    work(steps, 0, 0);
}

#[cfg(all(test, feature = "rayon"))]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// The pieces `chunks` hands out for an outer loop of `len`, as (first index, length),
    /// sorted, after checking that each piece keeps the inner loops and that its source
    /// and destination offsets name the same first index.
    fn pieces(len: usize, bytes: usize) -> Vec<(usize, usize)> {
        let (outer, inner) = (
            Step {
                len,
                src: 3,
                dst: -5,
            },
            Step {
                len: 2,
                src: 1,
                dst: 1,
            },
        );
        let seen = Mutex::new(Vec::new());
        chunks(&[outer, inner], bytes, |steps, src, dst| {
            assert_eq!(steps.len(), 2);
            assert_eq!(steps[1], inner);
            assert_eq!((src % 3, dst % 5), (0, 0));
            assert_eq!(src / 3, -dst / 5);
            seen.lock()
                .unwrap()
                .push(((src / 3) as usize, steps[0].len));
        });
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        seen
    }

    /// The argument of `Shared`'s `Send`/`Sync`: the pieces write disjoint parts of the
    /// walk. Every outer index is in exactly one piece, for lengths around the number of
    /// pieces (threads × 4) and below the parallel threshold.
    #[test]
    fn pieces_cover_the_outer_loop_once() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for len in [0, 1, 2, 3, 11, 12, 13, 97] {
            for bytes in [0, PARALLEL_BYTES - 1, PARALLEL_BYTES] {
                let got = pool.install(|| pieces(len, bytes));
                let mut next = 0;
                for &(start, length) in &got {
                    assert_eq!(start, next, "len {len}, bytes {bytes}: {got:?}");
                    next += length;
                }
                assert_eq!(next, len, "len {len}, bytes {bytes}: {got:?}");
                let split = bytes >= PARALLEL_BYTES && len > 1;
                assert_eq!(got.len() > 1, split, "len {len}, bytes {bytes}: {got:?}");
                assert!(got.len() <= 12);
            }
        }
    }
}
