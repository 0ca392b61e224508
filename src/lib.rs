//! # einops for Rust, with the patterns compiled
//!
//! Readable tensor patterns for [`ndarray`], in the pattern language of Python
//! [einops](https://einops.rocks): `rearrange!(x, "b c h w -> b (c h w)")`.
//! Every pattern literal is parsed and validated **at compile time**: a bad pattern,
//! an unknown axis or a fixed-rank array of the wrong rank is a compile error.
//! What only run time knows (axis lengths) is checked per call and reported as an
//! [`Error`] naming the pattern, the input shape and the failing axis.
//!
//! ```
//! use einops::{rearrange, reduce, repeat};
//! use ndarray::Array4;
//!
//! # fn main() -> Result<(), einops::Error> {
//! let images = Array4::<f32>::zeros((8, 3, 32, 32));
//! let flat = rearrange!(&images, "b c h w -> b (c h w)")?;       // Array2<f32>
//! assert_eq!(flat.shape(), &[8, 3 * 32 * 32]);
//! let pooled = reduce!(&images, "b c (h 2) (w 2) -> b c h w", max)?;
//! assert_eq!(pooled.shape(), &[8, 3, 16, 16]);
//! let rgb = repeat!(flat, "b f -> b f c", c = 3)?;
//! assert_eq!(rgb.shape(), &[8, 3072, 3]);
//! # Ok(())
//! # }
//! ```
//!
//! ## Inputs and outputs
//! Every macro takes any `ndarray` array by value or by reference (`Array`, `ArcArray`,
//! views, `CowArray`), or a list of them (`[a, b]`, a `Vec`, `&v[..]`), which is stacked
//! along a new first axis. It returns `Result<Array<A, D>, Error>` in standard layout,
//! where `D` is `Ix0`–`Ix6` whenever the rank is known at compile time.
//!
//! Which calls copy: an owned standard-layout array passed **by value** whose elements
//! stay in order (merging or splitting adjacent axes, adding or removing unit axes) keeps
//! its buffer; every other call writes a new array.
//!
//! ## Differences from Python einops
//! - Pattern errors are compile errors; for `dynamic` they are reported before rank errors.
//! - `any`/`all` return the input's element type (one/zero, `true`/`false` for `bool`).
//! - `repeat!` never returns a view aliasing its input (einops with torch does): it returns
//!   an owned array, reusing the buffer only of an owned input passed by value when no
//!   element moves.
//! - `mean` of an integer array is a compile error whenever the pattern reduces
//!   something (also when only an ellipsis is reduced).

pub use einops_runtime::dynamic;
pub use einops_runtime::{Error, Float, Operand, Reducible, Stage};

#[doc(hidden)]
pub mod __private {
    pub use einops_macros::{rearrange, rearrange_into, reduce, reduce_into, repeat, repeat_into};
    pub use einops_runtime::macro_support::{
        length, rearrange as rearrange_call, rearrange_into as rearrange_into_call,
        reduce as reduce_call, reduce_into as reduce_into_call,
    };
    pub use einops_runtime::pattern::{Axis, Length, Operation, Recipe, Reduction, Slot, Term};
    pub use einops_runtime::rank::{
        AnyElement, AtLeast, AtLeastDyn, Exact, ExactDyn, FloatOnly, Shift,
    };
    pub use std::borrow::Cow;
}

/// Reorders, splits, merges, adds and removes unit axes: `rearrange!(x, "pattern", name = len, ...)`.
///
/// ```
/// use einops::rearrange;
/// let x = ndarray::Array::from_shape_vec((2, 6), (0..12).collect::<Vec<i32>>()).unwrap();
/// let y = rearrange!(&x, "b (h w) -> b w h", h = 2).unwrap();   // Array3<i32>
/// assert_eq!(y.shape(), &[2, 3, 2]);
/// assert_eq!(y[[0, 1, 1]], x[[0, 4]]);
/// ```
#[macro_export]
macro_rules! rearrange {
    ($($args:tt)*) => { $crate::__private::rearrange!($crate; $($args)*) };
}

/// Reduces the axes missing on the right: `reduce!(x, "pattern", reduction, name = len, ...)`
/// with `sum`, `mean`, `min`, `max`, `prod`, `any` or `all`.
///
/// ```
/// use einops::reduce;
/// let x = ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(reduce!(&x, "a b -> a", mean).unwrap(), ndarray::arr1(&[1.5, 3.5]));
/// ```
#[macro_export]
macro_rules! reduce {
    ($($args:tt)*) => { $crate::__private::reduce!($crate; $($args)*) };
}

/// Repeats along axes that are new on the right: `repeat!(x, "pattern", name = len, ...)`.
///
/// ```
/// use einops::repeat;
/// let x = ndarray::arr1(&[1, 2]);
/// assert_eq!(repeat!(&x, "a -> (r a)", r = 2).unwrap(), ndarray::arr1(&[1, 2, 1, 2]));
/// ```
#[macro_export]
macro_rules! repeat {
    ($($args:tt)*) => { $crate::__private::repeat!($crate; $($args)*) };
}

/// [`rearrange!`] writing into an existing array: `rearrange_into!(&mut out, x, "pattern", ...)`.
///
/// `out` is any mutable array (`&mut Array`, `&mut ArrayViewMut`, any strides) whose
/// shape is the result's; a fixed-rank `out` of the wrong rank is a compile error, a
/// wrong shape a run-time [`Error`]. Returns `Result<(), Error>`.
///
/// ```
/// use einops::rearrange_into;
/// let x = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
/// let mut out = ndarray::Array2::zeros((3, 2));
/// rearrange_into!(&mut out, &x, "a b -> b a").unwrap();
/// assert_eq!(out, x.t());
/// ```
#[macro_export]
macro_rules! rearrange_into {
    ($($args:tt)*) => { $crate::__private::rearrange_into!($crate; $($args)*) };
}

/// [`reduce!`] writing into an existing array: `reduce_into!(&mut out, x, "pattern", max, ...)`.
///
/// ```
/// use einops::reduce_into;
/// let x = ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]]);
/// let mut out = ndarray::Array1::zeros(2);
/// reduce_into!(&mut out, &x, "a b -> b", sum).unwrap();
/// assert_eq!(out, ndarray::arr1(&[4.0, 6.0]));
/// ```
#[macro_export]
macro_rules! reduce_into {
    ($($args:tt)*) => { $crate::__private::reduce_into!($crate; $($args)*) };
}

/// [`repeat!`] writing into an existing array: `repeat_into!(&mut out, x, "pattern", ...)`.
///
/// ```
/// use einops::repeat_into;
/// let x = ndarray::arr1(&[1, 2]);
/// let mut out = ndarray::Array2::zeros((2, 2));
/// repeat_into!(&mut out, &x, "a -> a r", r = 2).unwrap();
/// assert_eq!(out, ndarray::arr2(&[[1, 1], [2, 2]]));
/// ```
#[macro_export]
macro_rules! repeat_into {
    ($($args:tt)*) => { $crate::__private::repeat_into!($crate; $($args)*) };
}
