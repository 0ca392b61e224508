//! The memo of `einsum!` call sites.
//!
//! An `einsum!` plan is a `static`, so its address names the call site. Per thread, the
//! memo keeps the last few products planned for a call site together with what they were
//! planned for: the operands' shapes and strides, the given lengths and (for `einsum_into!`)
//! the output's shape and strides. A call with exactly the same key was validated when its
//! product was planned, so it only allocates the output and runs the GEMMs. (Python einops
//! caches the same way, per pattern and shape.) Only products that read the operands and
//! write the output in place are kept; everything else is planned on every call.

use std::cell::RefCell;

use smallvec::SmallVec;

use super::bind::AXES;
use super::contract::Product;
use super::Strided;
use crate::pattern::EinsumPlan;

/// Entries per thread; a new one replaces the oldest.
const ENTRIES: usize = 8;

struct Entry {
    /// What the product was planned for (the words of [`key`]).
    key: Vec<usize>,
    /// The output's shape.
    shape: SmallVec<[usize; AXES]>,
    product: Product,
}

struct Memo {
    entries: Vec<Entry>,
    /// The entry to replace next, once all are in use.
    next: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = const {
        RefCell::new(Memo {
            entries: Vec::new(),
            next: 0,
        })
    };
}

/// Longest key remembered (words); calls with longer keys are planned every time.
const KEY: usize = 32;

/// Writes into `words` what a call is planned for: the plan's address, each operand's
/// rank, shape and strides, the given lengths, and the output's shape and strides when
/// one is given. Returns the number of words, `None` when they do not fit.
fn key<A>(
    words: &mut [usize; KEY],
    plan: &'static EinsumPlan,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
    output: Option<(&[usize], &[isize])>,
) -> Option<usize> {
    let mut len = 0;
    let mut push = |word: usize| {
        *words.get_mut(len)? = word;
        len += 1;
        Some(())
    };
    push(plan as *const EinsumPlan as usize)?;
    for o in operands {
        push(o.shape().len())?;
        o.shape().iter().try_for_each(|&l| push(l))?;
        o.strides().iter().try_for_each(|&s| push(s as usize))?;
    }
    for &length in lengths {
        // All 128 bits, in 32-bit pieces so that no platform's `usize` truncates them.
        [0, 32, 64, 96]
            .iter()
            .try_for_each(|&shift| push((length >> shift) as u32 as usize))?;
    }
    if let Some((shape, strides)) = output {
        shape.iter().try_for_each(|&l| push(l))?;
        strides.iter().try_for_each(|&s| push(s as usize))?;
    }
    Some(len)
}

/// Calls `run` with the output shape and the product remembered for a call, if any.
pub(super) fn recall<A, R>(
    plan: &'static EinsumPlan,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
    output: Option<(&[usize], &[isize])>,
    run: impl FnOnce(&[usize], &Product) -> R,
) -> Option<R> {
    let mut words = [0; KEY];
    let len = key(&mut words, plan, operands, lengths, output)?;
    MEMO.with_borrow(|memo| {
        // The plan's address first: entries of other call sites differ there.
        let entry = memo
            .entries
            .iter()
            .find(|e| e.key[0] == words[0] && e.key[..] == words[..len])?;
        Some(run(&entry.shape, &entry.product))
    })
}

/// Remembers a direct `product` with output `shape` for a call.
pub(super) fn remember<A>(
    plan: &'static EinsumPlan,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
    output: Option<(&[usize], &[isize])>,
    shape: &[usize],
    product: Product,
) {
    debug_assert!(product.is_direct());
    let mut words = [0; KEY];
    let Some(len) = key(&mut words, plan, operands, lengths, output) else {
        return;
    };
    let entry = Entry {
        key: words[..len].to_vec(),
        shape: shape.iter().copied().collect(),
        product,
    };
    MEMO.with_borrow_mut(|memo| {
        if memo.entries.len() < ENTRIES {
            memo.entries.push(entry);
        } else {
            let next = memo.next;
            memo.entries[next] = entry;
            memo.next = (next + 1) % ENTRIES;
        }
    });
}
