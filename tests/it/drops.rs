//! Elements with drop glue through pack/unpack and the dynamic API (the kernels' own drop
//! tests are in `tests/it/kernels.rs`): every clone is dropped exactly once, also when `Clone`
//! panics midway through a call.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use einops::{dynamic, pack, unpack};
use ndarray::{s, Array2, Array3, ArrayD};

thread_local! {
    /// Values alive on this thread (tests run on separate threads).
    static ALIVE: Cell<isize> = const { Cell::new(0) };
    /// Clones left before `Clone` panics.
    static BUDGET: Cell<usize> = const { Cell::new(usize::MAX) };
}

#[derive(Debug, PartialEq)]
struct Counted(u32);

impl Counted {
    fn new(value: u32) -> Counted {
        ALIVE.with(|alive| alive.set(alive.get() + 1));
        Counted(value)
    }
}

impl Clone for Counted {
    fn clone(&self) -> Counted {
        let left = BUDGET.with(Cell::get);
        if left == 0 {
            std::panic::panic_any("clone budget spent");
        }
        BUDGET.with(|budget| budget.set(left - 1));
        Counted::new(self.0)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        ALIVE.with(|alive| alive.set(alive.get() - 1));
    }
}

fn alive() -> isize {
    ALIVE.with(Cell::get)
}

fn counted(shape: (usize, usize, usize)) -> Array3<Counted> {
    let mut k = 0;
    Array3::from_shape_simple_fn(shape, || {
        k += 1;
        Counted::new(k)
    })
}

/// Hides the messages (and backtraces) of the panics the tests provoke, and only those.
fn quiet_budget_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&"clone budget spent") {
                default(info);
            }
        }));
    });
}

/// Runs `call` with clone budgets 0, 1, 2, ... until it succeeds: after each panic exactly the
/// values alive before the call are alive (nothing leaked, nothing dropped twice: a double drop
/// would make the count too low). Returns the successful result.
fn with_every_budget<R>(mut call: impl FnMut() -> R) -> R {
    quiet_budget_panics();
    let before = alive();
    for budget in 0.. {
        BUDGET.with(|b| b.set(budget));
        let result = catch_unwind(AssertUnwindSafe(&mut call));
        BUDGET.with(|b| b.set(usize::MAX));
        match result {
            Ok(result) => return result,
            Err(panic) if panic.downcast_ref::<&str>() == Some(&"clone budget spent") => {
                assert_eq!(alive(), before, "after a panic at clone {budget}");
            }
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    unreachable!()
}

#[test]
fn pack_and_unpack_drop_every_clone_once() {
    let a = counted((2, 3, 4));
    let b = counted((2, 1, 4));
    let before = alive();
    let (packed, shapes) = pack!([&a, &b], "x * z").unwrap();
    assert_eq!(alive(), before + 32);
    let parts: Vec<Array3<Counted>> = unpack!(packed.view(), &shapes, "x * z").unwrap();
    assert_eq!(parts, [a.clone(), b.clone()]);
    drop((packed, parts));
    assert_eq!(alive(), before);

    let (packed, shapes) =
        with_every_budget(|| pack!([a.view(), b.slice(s![..;-1, .., ..])], "x * z").unwrap());
    assert_eq!(alive(), before + 32);
    // Transposed: the parts are copied out of a non-standard layout.
    let transposed = with_every_budget(|| dynamic::unpack(packed.t(), &shapes, "z * x").unwrap());
    assert_eq!(alive(), before + 64);
    drop(transposed);
    let parts = with_every_budget(|| unpack!(&packed, &shapes, "x * z").unwrap());
    assert_eq!(alive(), before + 64);
    drop((packed, parts));
    assert_eq!(alive(), before);
}

#[test]
fn dynamic_calls_drop_every_clone_once() {
    let x = counted((2, 3, 4));
    let before = alive();
    let t: ArrayD<Counted> = with_every_budget(|| {
        dynamic::rearrange(x.slice(s![.., ..;-1, ..]), "a b c -> c (a b)", &[]).unwrap()
    });
    assert_eq!(alive(), before + 24);
    let r = with_every_budget(|| dynamic::repeat(&x, "a b c -> a b c r", &[("r", 2)]).unwrap());
    assert_eq!(alive(), before + 72);
    let list = [x.view(), x.view()];
    let stacked =
        with_every_budget(|| dynamic::rearrange(&list[..], "n a b c -> b n a c", &[]).unwrap());
    assert_eq!(alive(), before + 120);
    let mut out = Array2::from_shape_simple_fn((4, 6), || Counted::new(0));
    with_every_budget(|| {
        let reversed = x.slice(s![.., ..;-1, ..]);
        dynamic::rearrange_into(&mut out, reversed, "a b c -> c (a b)", &[]).unwrap()
    });
    assert_eq!(out.into_dyn(), t);
    drop((t, r, stacked));
    assert_eq!(alive(), before);
}
