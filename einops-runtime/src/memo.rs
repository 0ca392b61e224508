//! The per-thread memo of macro call sites.
//!
//! A macro's plan (a [`Recipe`](crate::pattern::Recipe) or an
//! [`EinsumPlan`](crate::pattern::EinsumPlan)) lives in a `static`
//! [`Site`](crate::site::Site) for the rest of the program, so its address names the call
//! site. Per thread, a memo keeps the work planned for a call site together with the [`Key`]
//! it was planned for: the site, every array's shape and strides and the given lengths. A
//! call with exactly the same key was validated when its work was planned, so it skips
//! validation and planning. (Python einops caches the same way, per pattern and shape.)
//!
//! The entries sit in sets chosen by the call site, so sites do not evict each other unless
//! more than [`WAYS`] calls of one set alternate; a set replaces its oldest entry. Entries
//! are shared (`Rc`), so no borrow of the memo is held while the work runs: element clones
//! may call einops again.

use std::cell::RefCell;
use std::rc::Rc;
use std::thread::LocalKey;

/// A plan, and whether the work planned from it is remembered.
#[derive(Debug)]
pub(crate) enum Plan<'p, P: 'static> {
    /// A macro call site's plan, kept in its `static` site: its address names the call site.
    Site(&'static P),
    /// A plan made at run time: never remembered (its address may be reused).
    Parsed(&'p P),
}

impl<P> Clone for Plan<'_, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Plan<'_, P> {}

impl<'p, P> Plan<'p, P> {
    /// The plan itself.
    pub fn plan(self) -> &'p P {
        match self {
            Plan::Site(plan) => plan,
            Plan::Parsed(plan) => plan,
        }
    }
}

/// Longest key remembered (words); calls with longer keys are planned every time.
const KEY: usize = 48;

/// The length of a key whose call is not remembered.
const FORGOTTEN: usize = usize::MAX;

/// What a call's work is planned for, as words, the call site first. A call of a plan
/// made at run time, with a key longer than [`KEY`] words or with a given length that is
/// no `usize` has a key that finds and remembers nothing. (Built in place and never
/// moved: a key is a few hundred bytes, and the memo's path is short.)
pub(crate) struct Key {
    words: [usize; KEY],
    /// Words in use, or [`FORGOTTEN`].
    len: usize,
}

impl Key {
    /// The key of a call of `plan`, to be completed with [`push`](Key::push) and friends.
    pub fn new<P>(plan: Plan<'_, P>) -> Key {
        let mut key = Key {
            words: [0; KEY],
            len: 0,
        };
        match plan {
            Plan::Site(site) => key.push(site as *const P as usize),
            Plan::Parsed(_) => key.len = FORGOTTEN,
        }
        key
    }

    /// Appends a word.
    pub fn push(&mut self, word: usize) {
        match self.words.get_mut(self.len) {
            Some(slot) => {
                *slot = word;
                self.len += 1;
            }
            None => self.len = FORGOTTEN,
        }
    }

    /// Appends an array's rank, then its length and stride along each axis. (Interleaved,
    /// they fill one short loop, where two slice copies would call `memcpy` twice.)
    pub fn array(&mut self, shape: &[usize], strides: &[isize]) {
        let rank = shape.len();
        let end = self.len.saturating_add(1 + 2 * rank);
        let Some(words) = self.words.get_mut(self.len..end) else {
            self.len = FORGOTTEN;
            return;
        };
        words[0] = rank;
        for (axis, (&length, &stride)) in words[1..]
            .chunks_exact_mut(2)
            .zip(shape.iter().zip(strides))
        {
            axis[0] = length;
            axis[1] = stride as usize;
        }
        self.len = end;
    }

    /// Appends the given axis lengths. (A length that is no `usize` fails validation, so
    /// such a call is not remembered.)
    pub fn lengths(&mut self, lengths: &[i128]) {
        for &length in lengths {
            match usize::try_from(length) {
                Ok(length) => self.push(length),
                Err(_) => self.len = FORGOTTEN,
            }
        }
    }

    /// The words, or `None` for a call that is not remembered.
    fn words(&self) -> Option<&[usize]> {
        self.words.get(..self.len)
    }

    /// The set of the call site: plans in statics are at least 8 bytes apart and aligned.
    fn set(&self) -> usize {
        (self.words[0] >> 3) % SETS
    }
}

/// Whether two keys' words are equal: compared in one pass without early exit, which
/// compiles to a few vector compares, where slice equality called `memcmp`.
fn same_words(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |differ, (x, y)| differ | (x ^ y)) == 0
}

/// Sets of a memo, and entries per set.
const SETS: usize = 16;
const WAYS: usize = 4;

/// Remembered work of type `V`, by key.
pub(crate) struct Memo<V> {
    sets: [Set<V>; SETS],
}

struct Set<V> {
    entries: Vec<(Box<[usize]>, Rc<V>)>,
    /// The entry to replace next, once all are in use.
    next: usize,
}

impl<V> Set<V> {
    const EMPTY: Set<V> = Set {
        entries: Vec::new(),
        next: 0,
    };
}

impl<V> Memo<V> {
    /// An empty memo (for a `thread_local!`).
    pub const fn new() -> Self {
        Memo {
            sets: [Set::EMPTY; SETS],
        }
    }

    fn get(&self, key: &Key) -> Option<Rc<V>> {
        let words = key.words()?;
        self.sets[key.set()]
            .entries
            .iter()
            .find(|(k, _)| same_words(k, words))
            .map(|(_, value)| Rc::clone(value))
    }

    fn insert(&mut self, key: &Key, value: Rc<V>) {
        let Some(words) = key.words() else { return };
        let set = &mut self.sets[key.set()];
        let entry = (words.into(), value);
        if set.entries.len() < WAYS {
            set.entries.push(entry);
        } else {
            set.entries[set.next] = entry;
            set.next = (set.next + 1) % WAYS;
        }
    }
}

/// A per-thread memo.
pub(crate) type Local<V> = LocalKey<RefCell<Memo<V>>>;

/// The work remembered for `key`, if any.
pub(crate) fn recall<V>(memo: &'static Local<V>, key: &Key) -> Option<Rc<V>> {
    // A thread being torn down has no memo any more: then nothing is remembered.
    memo.try_with(|memo| memo.borrow().get(key)).ok().flatten()
}

/// Remembers `value` for `key` (unless the call is not remembered) and returns it.
pub(crate) fn remember<V>(memo: &'static Local<V>, key: &Key, value: V) -> Rc<V> {
    let value = Rc::new(value);
    if key.words().is_some() {
        let _ = memo.try_with(|memo| memo.borrow_mut().insert(key, Rc::clone(&value)));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    static SITE_A: u64 = 1;
    static SITE_B: u64 = 2;

    thread_local! {
        static NUMBERS: RefCell<Memo<u32>> = const { RefCell::new(Memo::new()) };
    }

    fn key(site: &'static u64, shape: &[usize]) -> Key {
        let mut key = Key::new(Plan::Site(site));
        key.array(shape, &[1; 2][..shape.len()]);
        key
    }

    #[test]
    fn recalls_only_the_exact_key_of_the_same_site() {
        remember(&NUMBERS, &key(&SITE_A, &[2, 3]), 23);
        remember(&NUMBERS, &key(&SITE_B, &[2, 3]), 99);
        assert_eq!(
            recall(&NUMBERS, &key(&SITE_A, &[2, 3])).as_deref(),
            Some(&23)
        );
        assert_eq!(
            recall(&NUMBERS, &key(&SITE_B, &[2, 3])).as_deref(),
            Some(&99)
        );
        assert!(recall(&NUMBERS, &key(&SITE_A, &[3, 2])).is_none());
        assert!(recall(&NUMBERS, &key(&SITE_A, &[6])).is_none());
    }

    #[test]
    fn a_set_replaces_its_oldest_entry() {
        for n in 0..=WAYS {
            remember(&NUMBERS, &key(&SITE_A, &[n + 10]), n as u32);
        }
        assert!(recall(&NUMBERS, &key(&SITE_A, &[10])).is_none());
        for n in 1..=WAYS {
            assert_eq!(
                recall(&NUMBERS, &key(&SITE_A, &[n + 10])).as_deref(),
                Some(&(n as u32))
            );
        }
    }

    #[test]
    fn run_time_plans_and_long_or_invalid_keys_have_no_key() {
        assert!(Key::new(Plan::Parsed(&SITE_A)).words().is_none());
        let mut long = Key::new(Plan::Site(&SITE_A));
        (0..KEY).for_each(|w| long.push(w));
        assert!(long.words().is_none());
        long.push(1);
        assert!(long.words().is_none());
        let mut wide = Key::new(Plan::Site(&SITE_A));
        wide.array(&[1; 24], &[1; 24]);
        assert!(wide.words().is_none());
        let mut negative = Key::new(Plan::Site(&SITE_A));
        negative.lengths(&[2, -1, 3]);
        assert!(negative.words().is_none());
        let mut full = Key::new(Plan::Site(&SITE_A));
        full.array(&[1; 23], &[1; 23]);
        assert_eq!(full.words().map(<[usize]>::len), Some(KEY));
        // A forgotten call finds nothing and leaves nothing behind.
        assert_eq!(*remember(&NUMBERS, &long, 7), 7);
        assert!(recall(&NUMBERS, &long).is_none());
    }
}
