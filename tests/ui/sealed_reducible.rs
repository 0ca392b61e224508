// sealed_reducible: `Reducible` is sealed. The parallel reductions run an element type's
// comparisons and arithmetic on several threads at once, which einops has checked only for
// the primitives it implements the trait for. A type of a user's (even a harmless one like
// this; one holding a `Cell` would also fail `Sync`) cannot opt in.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
struct Counted(f32);

impl einops::Reducible for Counted {
    const IS_FLOAT: bool = false;
    const NAME: &'static str = "Counted";
    const ZERO: Self = todo!();
    const ONE: Self = todo!();
    type Sum = u32;
    fn to_sum(self) -> u32 {
        0
    }
    fn add_sums(a: u32, b: u32) -> u32 {
        a + b
    }
    fn from_sum(_: u32) -> Self {
        todo!()
    }
    fn product(a: Self, _: Self) -> Self {
        a
    }
    fn mean(_: u32, _: usize) -> Option<Self> {
        None
    }
}

fn main() {}
