//! Element types that reductions work on.

/// An element type that `reduce` can fold: every number type and `bool`.
///
/// Integer `sum` and `prod` wrap on overflow, as numpy does. `any` and `all` give the
/// element type's one or zero (`true`/`false` for `bool`). On `bool`, `sum` is a logical
/// or and `prod` a logical and.
///
/// ```
/// use einops_runtime::Reducible;
/// assert_eq!(i8::add(100, 100), -56);
/// assert!(!f32::IS_FLOAT || f32::mean(6.0, 4) == Some(1.5));
/// ```
pub trait Reducible: Copy + PartialOrd + 'static {
    /// Whether `mean` is defined (floating-point types).
    const IS_FLOAT: bool;
    /// The type's name in messages.
    const NAME: &'static str;
    /// The neutral element of `sum`.
    const ZERO: Self;
    /// The neutral element of `prod`.
    const ONE: Self;
    /// `a + b`, wrapping for integers.
    fn add(a: Self, b: Self) -> Self;
    /// `a * b`, wrapping for integers.
    fn mul(a: Self, b: Self) -> Self;
    /// `sum / count`, or `None` for types without a mean.
    fn mean(sum: Self, count: usize) -> Option<Self>;
    /// Whether the value counts as true for `any` / `all`.
    fn is_true(self) -> bool {
        self != Self::ZERO
    }
    /// The smaller of two values; NaN wins, as in numpy.
    fn min(a: Self, b: Self) -> Self {
        // `a != a` is true only for NaN, which numpy propagates.
        #[allow(clippy::eq_op)]
        if b < a || b != b {
            b
        } else {
            a
        }
    }
    /// The larger of two values; NaN wins, as in numpy.
    fn max(a: Self, b: Self) -> Self {
        #[allow(clippy::eq_op)]
        if b > a || b != b {
            b
        } else {
            a
        }
    }
}

/// Floating-point element types, the ones `mean` is defined for.
#[diagnostic::on_unimplemented(
    message = "`mean` needs floating-point elements, but the array holds `{Self}`",
    label = "integer array reduced with `mean`",
    note = "convert first, e.g. `x.mapv(|v| v as f64)`, or use `sum`"
)]
pub trait Float: Reducible {}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            const IS_FLOAT: bool = false;
            const NAME: &'static str = stringify!($t);
            const ZERO: Self = 0;
            const ONE: Self = 1;
            fn add(a: Self, b: Self) -> Self { a.wrapping_add(b) }
            fn mul(a: Self, b: Self) -> Self { a.wrapping_mul(b) }
            fn mean(_: Self, _: usize) -> Option<Self> { None }
        }
    )*};
}
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            const IS_FLOAT: bool = true;
            const NAME: &'static str = stringify!($t);
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            fn add(a: Self, b: Self) -> Self { a + b }
            fn mul(a: Self, b: Self) -> Self { a * b }
            fn mean(sum: Self, count: usize) -> Option<Self> { Some(sum / count as $t) }
        }
        impl Float for $t {}
    )*};
}
floats!(f32, f64);

impl Reducible for bool {
    const IS_FLOAT: bool = false;
    const NAME: &'static str = "bool";
    const ZERO: Self = false;
    const ONE: Self = true;
    fn add(a: Self, b: Self) -> Self {
        a | b
    }
    fn mul(a: Self, b: Self) -> Self {
        a & b
    }
    fn mean(_: Self, _: usize) -> Option<Self> {
        None
    }
}
