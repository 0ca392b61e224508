//! The per-thread memo of macro call sites.
//!
//! A macro's plan (a [`Recipe`](crate::pattern::Recipe) or an
//! [`EinsumPlan`](crate::pattern::EinsumPlan)) is a `static`, so its address names the call
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
    /// A macro call site's `static` plan: its address names the call site.
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

/// What a call's work is planned for, as words, the call site first.
pub(crate) struct Key {
    words: [usize; KEY],
    len: usize,
}

impl Key {
    /// The key of a call of `plan`, to be completed with [`push`](Key::push) and friends;
    /// `None` for a plan made at run time.
    pub fn new<P>(plan: Plan<'_, P>) -> Option<Key> {
        let Plan::Site(site) = plan else { return None };
        let mut key = Key {
            words: [0; KEY],
            len: 0,
        };
        key.push(site as *const P as usize)?;
        Some(key)
    }

    /// Appends a word; `None` when the key is full.
    pub fn push(&mut self, word: usize) -> Option<()> {
        *self.words.get_mut(self.len)? = word;
        self.len += 1;
        Some(())
    }

    /// Appends an array's rank, shape and strides.
    pub fn array(&mut self, shape: &[usize], strides: &[isize]) -> Option<()> {
        let rank = shape.len();
        let words = self.words.get_mut(self.len..self.len + 1 + 2 * rank)?;
        let (head, strides_words) = words.split_at_mut(1 + rank);
        head[0] = rank;
        head[1..].copy_from_slice(shape);
        for (word, &stride) in strides_words.iter_mut().zip(strides) {
            *word = stride as usize;
        }
        self.len += 1 + 2 * rank;
        Some(())
    }

    /// Appends the given axis lengths; `None` when one is no `usize` (such a call fails
    /// validation, so it is never remembered).
    pub fn lengths(&mut self, lengths: &[i128]) -> Option<()> {
        lengths
            .iter()
            .try_for_each(|&l| self.push(usize::try_from(l).ok()?))
    }

    fn words(&self) -> &[usize] {
        &self.words[..self.len]
    }

    /// The set of the call site: statics are at least 8 bytes apart and aligned.
    fn set(&self) -> usize {
        (self.words[0] >> 3) % SETS
    }
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
        let words = key.words();
        self.sets[key.set()]
            .entries
            .iter()
            .find(|(k, _)| **k == *words)
            .map(|(_, value)| Rc::clone(value))
    }

    fn insert(&mut self, key: &Key, value: Rc<V>) {
        let set = &mut self.sets[key.set()];
        let entry = (key.words().into(), value);
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

/// Remembers `value` for `key` and returns it.
pub(crate) fn remember<V>(memo: &'static Local<V>, key: &Key, value: V) -> Rc<V> {
    let value = Rc::new(value);
    let _ = memo.try_with(|memo| memo.borrow_mut().insert(key, Rc::clone(&value)));
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
        let mut key = Key::new(Plan::Site(site)).unwrap();
        key.array(shape, &[1; 2][..shape.len()]).unwrap();
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
        assert!(Key::new(Plan::Parsed(&SITE_A)).is_none());
        let mut long = Key::new(Plan::Site(&SITE_A)).unwrap();
        assert!((0..KEY).try_for_each(|w| long.push(w)).is_none());
        let mut negative = Key::new(Plan::Site(&SITE_A)).unwrap();
        assert!(negative.lengths(&[2, -1]).is_none());
    }
}
