//! Element types that reductions work on.

use crate::sealed::{Element, Sealed};

/// An element type that `reduce` can fold: every number type and `bool`.
///
/// Integer `sum` and `prod` wrap on overflow, as numpy does. `f32` sums accumulate in
/// `f64`, so they are at least as accurate as numpy's pairwise sums. `any` and `all`
/// give the element type's one or zero (`true`/`false` for `bool`). On `bool`, `sum` is
/// a logical or and `prod` a logical and.
///
/// ```
/// use einops::Reducible;
/// assert_eq!(i8::from_sum(i8::add_sums(100, 100)), -56);
/// assert_eq!(f32::mean(f32::add_sums(2.0f32.to_sum(), 4.0f32.to_sum()), 2), Some(3.0));
/// ```
pub trait Reducible: Copy + PartialOrd + Send + Sync + 'static + Sealed<Element> {
    /// Whether `mean` is defined (floating-point types).
    const IS_FLOAT: bool;
    /// The type's name in messages.
    const NAME: &'static str;
    /// The neutral element of `sum`.
    const ZERO: Self;
    /// The neutral element of `prod`.
    const ONE: Self;
    /// The type sums accumulate in.
    type Sum: Copy + Send + Sync;
    /// The value as a sum.
    fn to_sum(self) -> Self::Sum;
    /// `a + b`, wrapping for integers.
    fn add_sums(a: Self::Sum, b: Self::Sum) -> Self::Sum;
    /// A sum as a value of this type.
    fn from_sum(sum: Self::Sum) -> Self;
    /// `a * b`, wrapping for integers.
    fn product(a: Self, b: Self) -> Self;
    /// `sum / count`, or `None` for types without a mean.
    fn mean(sum: Self::Sum, count: usize) -> Option<Self>;
    /// Whether the value counts as true for `any` / `all`.
    fn is_true(self) -> bool {
        self != Self::ZERO
    }
    /// The smaller of two values; NaN wins, as in numpy.
    fn nan_min(a: Self, b: Self) -> Self {
        // `a != a` is true only for NaN, which numpy propagates.
        #[allow(clippy::eq_op)]
        if b < a || b != b {
            b
        } else {
            a
        }
    }
    /// The larger of two values; NaN wins, as in numpy.
    fn nan_max(a: Self, b: Self) -> Self {
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
    label = "not a floating-point element type",
    note = "convert first, e.g. `x.mapv(|v| v as f64)` (a burn `Int` tensor: `x.float()`), or use `sum`"
)]
pub trait FloatElement: Reducible {}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl Sealed<Element> for $t {}
        impl Reducible for $t {
            const IS_FLOAT: bool = false;
            const NAME: &'static str = stringify!($t);
            const ZERO: Self = 0;
            const ONE: Self = 1;
            type Sum = Self;
            fn to_sum(self) -> Self { self }
            fn add_sums(a: Self, b: Self) -> Self { a.wrapping_add(b) }
            fn from_sum(sum: Self) -> Self { sum }
            fn product(a: Self, b: Self) -> Self { a.wrapping_mul(b) }
            fn mean(_: Self, _: usize) -> Option<Self> { None }
        }
    )*};
}
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Sealed<Element> for $t {}
        impl Reducible for $t {
            const IS_FLOAT: bool = true;
            const NAME: &'static str = stringify!($t);
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            type Sum = f64;
            fn to_sum(self) -> f64 { self.into() }
            fn add_sums(a: f64, b: f64) -> f64 { a + b }
            fn from_sum(sum: f64) -> Self { sum as $t }
            fn product(a: Self, b: Self) -> Self { a * b }
            fn mean(sum: f64, count: usize) -> Option<Self> { Some((sum / count as f64) as $t) }
        }
        impl FloatElement for $t {}
    )*};
}
floats!(f32, f64);

impl Sealed<Element> for bool {}
impl Reducible for bool {
    const IS_FLOAT: bool = false;
    const NAME: &'static str = "bool";
    const ZERO: Self = false;
    const ONE: Self = true;
    type Sum = bool;
    fn to_sum(self) -> bool {
        self
    }
    fn add_sums(a: bool, b: bool) -> bool {
        a | b
    }
    fn from_sum(sum: bool) -> bool {
        sum
    }
    fn product(a: Self, b: Self) -> Self {
        a & b
    }
    fn mean(_: Self, _: usize) -> Option<Self> {
        None
    }
}
