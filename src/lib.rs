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
//! ## candle tensors (feature `candle`)
//! With the feature `candle`, every macro but the `_into` forms also takes a
//! `candle_core::Tensor` or `&Tensor` (for `pack!`, a list of them) and returns
//! `Result<Tensor, Error>` (`pack!`: the tensor and its [`PackedShapes`]; `unpack!`:
//! `Vec<Tensor>`). The pattern is checked at compile time as for arrays; the rank, and
//! `mean` of an integer dtype, when the code runs. The work is done by candle's own ops on
//! the tensor's device (see `einops::candle`); a failure inside candle is
//! [`Error::Backend`]. `einops::dynamic::candle` has the run-time pattern forms.
//!
#![cfg_attr(feature = "candle", doc = "```")]
#![cfg_attr(not(feature = "candle"), doc = "```ignore")]
//! use candle_core::{DType, Device, Tensor};
//! use einops::{einsum, rearrange, reduce};
//!
//! # fn main() -> Result<(), einops::Error> {
//! let images = Tensor::zeros((8, 3, 32, 32), DType::F32, &Device::Cpu).unwrap();
//! let flat = rearrange!(&images, "b c h w -> b (c h w)")?;        // Tensor
//! assert_eq!(flat.dims(), [8, 3 * 32 * 32]);
//! let pooled = reduce!(&images, "b c (h 2) (w 2) -> b c h w", max)?;
//! assert_eq!(pooled.dims(), [8, 3, 16, 16]);
//! let gram = einsum!(&flat, &flat, "b f, c f -> b c")?;
//! assert_eq!(gram.dims(), [8, 8]);
//! # Ok(())
//! # }
//! ```
//!
//! ## burn tensors (feature `burn`)
//! With the feature `burn`, every macro but the `_into` and `_view` forms also takes a
//! `burn::tensor::Tensor<D, K>` or `&Tensor<D, K>` (`Float`, `Int` or `Bool`; for `pack!`, a
//! list of them). A burn tensor's rank is part of its type, so the rank is checked against
//! the pattern at compile time and the result is the `Tensor<O, K>` the pattern gives (a
//! result of rank 0 is burn's `Tensor<1, K>` of shape `[1]`). The work is done by burn's own
//! ops on the tensor's device (see `einops::burn`); `einops::dynamic::burn` has the run-time
//! forms. burn's backend is the user's choice (here burn's `flex` CPU backend).
//!
#![cfg_attr(feature = "burn", doc = "```")]
#![cfg_attr(not(feature = "burn"), doc = "```ignore")]
//! use burn::tensor::{Device, Int, Tensor};
//! use einops::{einsum, rearrange, reduce};
//!
//! # fn main() -> Result<(), einops::Error> {
//! let device = Device::default();
//! let images = Tensor::<4>::zeros([8, 3, 32, 32], &device);
//! let flat = rearrange!(&images, "b c h w -> b (c h w)")?; // Tensor<2>
//! assert_eq!(flat.dims(), [8, 3 * 32 * 32]);
//! let pooled = reduce!(images, "b c (h 2) (w 2) -> b c h w", max)?; // Tensor<4>
//! assert_eq!(pooled.dims(), [8, 3, 16, 16]);
//! let gram = einsum!(&flat, &flat, "b f, c f -> b c")?; // Tensor<2>
//! assert_eq!(gram.dims(), [8, 8]);
//! let counts = Tensor::<2, Int>::ones([2, 3], &device);
//! let totals = reduce!(&counts, "a b -> a", sum)?; // Tensor<1, Int>
//! assert_eq!(totals.dims(), [2]);
//! # Ok(())
//! # }
//! ```
//!
//! ## Differences from Python einops
//! - Pattern errors are compile errors; for `dynamic` they are reported before rank errors.
//! - `any`/`all` return the input's element type (one/zero, `true`/`false` for `bool`).
//! - `repeat!` never returns a view aliasing its input (einops with torch does): it returns
//!   an owned array, reusing the buffer only of an owned input passed by value when no
//!   element moves. [`repeat_view!`] returns the read-only view (stride 0), and
//!   [`rearrange_view!`] / [`rearrange_cow!`] the views einops on numpy returns.
//! - `mean` of an integer array is a compile error whenever the pattern reduces
//!   something (also when only an ellipsis is reduced).
//! - [`einsum!`] accepts grouped axes (`"b (h d), h d e -> b h e", h = 8`); einops rejects
//!   any group. A group whose lengths cannot be determined is still the pattern error
//!   `einsum_composite_axis`. All operands have one element type (numpy would promote), a
//!   named axis of length 1 does not broadcast against a longer one (numpy's accident; only
//!   `...` dimensions broadcast), and `...` in the output needs `...` in an operand.

#[cfg(feature = "burn")]
pub use einops_runtime::burn;
#[cfg(feature = "candle")]
pub use einops_runtime::candle;
pub use einops_runtime::dynamic;
pub use einops_runtime::pattern;
pub use einops_runtime::{ArrayLike, FloatElement, Input, Operand, Reducible};
pub use einops_runtime::{ArrayList, HasShape, PackedShape, PackedShapes};
pub use einops_runtime::{
    Call, CallOperation, Error, LengthOrigin, Parameter, Quantity, SplitFailure, Stage,
};

#[doc(hidden)]
pub mod __private {
    pub use einops_macros::{rearrange, rearrange_into, reduce, reduce_into, repeat, repeat_into};
    pub use einops_runtime::macro_support::{
        length, rearrange as rearrange_call, rearrange_into as rearrange_into_call,
        reduce as reduce_call, reduce_into as reduce_into_call, Site,
    };
    pub use einops_runtime::pattern::{Operation, Recipe, Reduction};
    pub use einops_runtime::rank::{
        AnyElement, AtLeast, AtLeastDyn, Exact, ExactDyn, FloatOnly, Shift,
    };

    pub use einops_macros::{rearrange_cow, rearrange_view, rearrange_view_mut, repeat_view};
    pub use einops_runtime::macro_support::{
        cow as cow_call, spread as spread_call, view as view_call, view_mut as view_mut_call,
    };

    pub use einops_macros::{check_shape, pack, parse_shape, unpack};
    pub use einops_runtime::macro_support::{
        pack as pack_call, parse_shape as parse_shape_call, unpack as unpack_call,
    };
    pub use einops_runtime::pattern::{PackOperation, PackPlan, ShapeOperation, ShapePlan};
    pub use std::clone::Clone;
    pub use std::cmp::{Eq, PartialEq};
    pub use std::fmt::Debug;
    pub use std::hash::Hash;
    pub use std::marker::Copy;
    pub use std::option::Option;

    pub use einops_macros::{einsum, einsum_into};
    pub use einops_runtime::macro_support::{
        einsum as einsum_call, einsum_broadcast, einsum_into as einsum_into_call, einsum_operand,
        einsum_rank, einsum_view,
    };
    pub use einops_runtime::pattern::EinsumPlan;

    pub use einops_macros::{einmix_spec, rearrange_layer, reduce_layer, repeat_layer};
    pub use einops_runtime::macro_support::{
        einmix_spec, rearrange_layer, reduce_layer, repeat_layer,
    };
    pub use einops_runtime::pattern::EinMixPlan;
}

/// Layers: a pattern checked at compile time, applied to any number of inputs.
///
/// `Rearrange!`, `Reduce!` and `Repeat!` take the arguments of [`rearrange!`],
/// [`reduce!`] and [`repeat!`] without the input and build a
/// [`Rearrange`](struct@layers::Rearrange), [`Reduce`](struct@layers::Reduce) or
/// [`Repeat`](struct@layers::Repeat) value; `EinMixSpec!` builds an
/// [`EinMixSpec`](struct@layers::EinMixSpec), which becomes an [`EinMix`](struct@layers::EinMix)
/// with its parameters. Pattern errors are compile errors. Axis lengths are any integer
/// expressions, evaluated once when the layer is built; a negative value is an [`Error`]
/// when the layer is applied (EinMix: when its parameters are made). The same layers can be
/// built from strings at run time with their `new` functions. Layers are
/// `Clone + Debug + Send + Sync` and hold their plan (a `static` for the macros), so
/// applying one parses nothing; `mean` of integers is a run-time [`Error`] for a
/// `Reduce` layer, which is not tied to an element type.
///
/// `forward` takes any input the matching macro takes (EinMix: one array of `f32` or
/// `f64`) and returns `Result<ArrayD<A>, Error>`; a rank the pattern cannot describe is an
/// [`Error`] of stage [`Stage::Rank`].
///
/// ```
/// use einops::layers::{EinMixSpec, Rearrange, Reduce, Repeat};
/// use ndarray::Array4;
///
/// # fn main() -> Result<(), einops::Error> {
/// let pool = Reduce!("b c (h 2) (w 2) -> b c h w", max);
/// let flatten = Rearrange!("b c h w -> b (c h w)");
/// let dense = EinMixSpec!("b i -> b o", weight_shape = "i o", bias_shape = "o", i = 3 * 4 * 4, o = 10)
///     .seeded::<f32>(0)?;
/// let images = Array4::<f32>::ones((2, 3, 8, 8));
/// let logits = dense.forward(flatten.forward(pool.forward(&images)?)?)?;
/// assert_eq!(logits.shape(), &[2, 10]);
///
/// let channels = Repeat!("h w -> h w c", c = 3);
/// assert_eq!(channels.forward(&ndarray::Array2::<u8>::zeros((4, 4)))?.shape(), &[4, 4, 3]);
/// # Ok(())
/// # }
/// ```
///
/// With the feature `candle`, `Rearrange`, `Reduce` and `Repeat` are `candle_core::Module`s
/// (for `candle_nn::seq()` or `tensor.apply(&layer)`; an einops error becomes a candle error
/// that prints the einops message), and `EinMixSpec::candle(vb)` makes a `CandleEinMix`
/// module whose parameters come from a `candle_nn::VarBuilder`, initialised as einops does.
///
#[cfg_attr(feature = "candle", doc = "```")]
#[cfg_attr(not(feature = "candle"), doc = "```ignore")]
/// use candle_core::{DType, Device, Module, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use einops::layers::{EinMixSpec, Rearrange, Reduce};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
/// let dense = EinMixSpec!("b i -> b o", weight_shape = "i o", bias_shape = "o", i = 3 * 4 * 4, o = 10);
/// let model = candle_nn::seq()
///     .add(Reduce!("b c (h 2) (w 2) -> b c h w", max))
///     .add(Rearrange!("b c h w -> b (c h w)"))
///     .add(dense.candle(vb.pp("dense"))?);
/// let images = Tensor::ones((2, 3, 8, 8), DType::F32, &Device::Cpu)?;
/// assert_eq!(model.forward(&images)?.dims(), [2, 10]);
/// # Ok(())
/// # }
/// ```
pub mod layers {
    pub use crate::{EinMixSpec, Rearrange, Reduce, Repeat};
    pub use einops_runtime::layers::*;
}

/// A [`Rearrange`](struct@layers::Rearrange) layer: `Rearrange!("pattern", name = len, ...)`, the pattern
/// checked at compile time.
///
/// ```
/// use einops::layers::Rearrange;
/// let split = Rearrange!("b (h w) -> b h w", h = 2);
/// let x = ndarray::Array2::<i32>::zeros((3, 8));
/// assert_eq!(split.forward(&x).unwrap().shape(), &[3, 2, 4]);
/// ```
#[macro_export]
macro_rules! Rearrange {
    ($($args:tt)*) => { $crate::__private::rearrange_layer!($crate; $($args)*) };
}

/// A [`Reduce`](struct@layers::Reduce) layer: `Reduce!("pattern", reduction, name = len, ...)` with
/// `sum`, `mean`, `min`, `max`, `prod`, `any` or `all`, checked at compile time.
///
/// ```
/// use einops::layers::Reduce;
/// let global_mean = Reduce!("b c h w -> b c", mean);
/// let x = ndarray::Array4::<f64>::ones((2, 3, 4, 4));
/// assert_eq!(global_mean.forward(&x).unwrap(), ndarray::Array2::<f64>::ones((2, 3)).into_dyn());
/// ```
#[macro_export]
macro_rules! Reduce {
    ($($args:tt)*) => { $crate::__private::reduce_layer!($crate; $($args)*) };
}

/// A [`Repeat`](struct@layers::Repeat) layer: `Repeat!("pattern", name = len, ...)`, checked at compile
/// time.
///
/// ```
/// use einops::layers::Repeat;
/// let tile = Repeat!("a -> (r a)", r = 2);
/// assert_eq!(tile.forward(&ndarray::arr1(&[1, 2])).unwrap(), ndarray::arr1(&[1, 2, 1, 2]).into_dyn());
/// ```
#[macro_export]
macro_rules! Repeat {
    ($($args:tt)*) => { $crate::__private::repeat_layer!($crate; $($args)*) };
}

/// A [`EinMixSpec`](struct@layers::EinMixSpec): `EinMixSpec!("pattern", weight_shape = "axes", bias_shape =
/// "axes", name = len, ...)`, checked at compile time (`bias_shape` may be left out for a
/// layer without bias; every weight and bias axis needs its length).
///
/// The spec becomes a [`EinMix`](struct@layers::EinMix) with `.seeded::<f32>(seed)`, `.init(&mut rng)` or
/// `.with_params(weight, bias)`.
///
/// ```
/// use einops::layers::EinMixSpec;
/// let heads = 4;
/// let mix = EinMixSpec!(
///     "t b (head cin) -> t b (head cout)",
///     weight_shape = "head cin cout",
///     head = heads, cin = 8, cout = 2,
/// )
/// .seeded::<f64>(1)
/// .unwrap();
/// let x = ndarray::Array3::<f64>::ones((5, 2, heads * 8));
/// assert_eq!(mix.forward(&x).unwrap().shape(), &[5, 2, heads * 2]);
/// ```
#[macro_export]
macro_rules! EinMixSpec {
    ($($args:tt)*) => { $crate::__private::einmix_spec!($crate; $($args)*) };
}

/// Reorders, splits, merges, adds and removes unit axes: `rearrange!(x, "pattern", name = len, ...)`.
///
/// With the feature `candle`, the input may also be a `candle_core::Tensor` or `&Tensor`
/// (see the crate documentation).
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
/// With the feature `candle`, the input may also be a `candle_core::Tensor` or `&Tensor`
/// (see the crate documentation).
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
/// With the feature `candle`, the input may also be a `candle_core::Tensor` or `&Tensor`
/// (see the crate documentation).
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

/// [`rearrange!`] as a view of the input: `rearrange_view!(&x, "pattern", name = len, ...)`
/// returns `Result<ArrayView<'_, A, O>, Error>`, borrowing `x`'s elements; nothing is copied.
///
/// `O` is the output's dimension type, fixed when the ranks settle it (as for `rearrange!`).
/// Splitting, permuting, adding or removing unit axes is always a view; merging axes into a
/// group is one exactly when they are evenly spaced in `x`'s memory (numpy's rule for
/// reshaping without a copy), otherwise an [`Error`] of kind `"not_a_view"`, never a silent
/// copy. A pattern that merges no axes is always a view. The input is a reference to one
/// ndarray array; a list or a candle tensor is a compile error.
///
/// ```
/// use einops::rearrange_view;
/// let x = ndarray::Array4::<f32>::zeros((2, 3, 4, 5));
/// let y = rearrange_view!(&x, "b c h w -> b (c h w)").unwrap();   // ArrayView2<f32>
/// assert_eq!((y.shape(), y.as_ptr()), (&[2, 60][..], x.as_ptr()));
/// let p = x.permuted_axes([0, 2, 3, 1]);                              // b h w c in memory order b c h w
/// assert_eq!(rearrange_view!(&p, "b h w c -> b (h w c)").unwrap_err().kind(), "not_a_view");
/// ```
#[macro_export]
macro_rules! rearrange_view {
    ($($args:tt)*) => { $crate::__private::rearrange_view!($crate; $($args)*) };
}

/// [`rearrange_view!`] for writing: `rearrange_view_mut!(&mut x, "pattern", ...)` returns
/// `Result<ArrayViewMut<'_, A, O>, Error>`; writes through it land in `x`. For a shared
/// `ArcArray`, ndarray copies the data first so that `x` owns it alone, as for every mutable
/// view: that copy is ndarray's, not einops'.
///
/// ```
/// use einops::rearrange_view_mut;
/// let mut x = ndarray::Array2::<i32>::zeros((2, 6));
/// let mut heads = rearrange_view_mut!(&mut x, "b (h d) -> b h d", h = 3).unwrap();
/// heads[[1, 2, 0]] = 7;
/// assert_eq!(x[[1, 4]], 7);
/// ```
#[macro_export]
macro_rules! rearrange_view_mut {
    ($($args:tt)*) => { $crate::__private::rearrange_view_mut!($crate; $($args)*) };
}

/// [`repeat!`] as a read-only view: `repeat_view!(&x, "pattern", name = len, ...)` returns
/// `Result<ArrayView<'_, A, O>, Error>` in which a new or repeated axis has stride 0. A
/// repeated axis must stand alone in its output group: `"h w -> (h 2) w"` is a compile error.
///
/// ```
/// use einops::repeat_view;
/// let x = ndarray::arr2(&[[1, 2], [3, 4]]);
/// let y = repeat_view!(&x, "h w -> h r w", r = 1000).unwrap();   // ArrayView3<i32>
/// assert_eq!((y.shape(), y.strides()), (&[2, 1000, 2][..], &[2, 0, 1][..]));
/// ```
#[macro_export]
macro_rules! repeat_view {
    ($($args:tt)*) => { $crate::__private::repeat_view!($crate; $($args)*) };
}

/// [`rearrange!`] as a view when strides allow one, else a copy, with the choice visible in
/// the type: `rearrange_cow!(&x, "pattern", ...)` returns `Result<CowArray<'_, A, O>, Error>`
/// (what einops does on numpy).
///
/// ```
/// use einops::rearrange_cow;
/// let x = ndarray::Array3::<f32>::zeros((2, 3, 4));
/// assert!(rearrange_cow!(&x, "b h w -> b (h w)").unwrap().is_view());
/// let t = x.t();
/// assert!(rearrange_cow!(&t, "w h b -> (w h) b").unwrap().is_owned());
/// ```
#[macro_export]
macro_rules! rearrange_cow {
    ($($args:tt)*) => { $crate::__private::rearrange_cow!($crate; $($args)*) };
}

/// Multiplies operands and sums over the axes the output lacks:
/// `einsum!(a, b, ..., "pattern", name = len, ...)`, operands first, pattern last.
///
/// The pattern names each operand's axes, operands separated by `,`, then `->` and the
/// output's axes: `"b i d, b j d -> b i j"`. Names are separated by spaces and may have
/// several letters; `_` is a name. A name repeated within an operand takes the diagonal
/// (`"i i -> i"`; the trace is `"i i ->"`), and `...` matches any number of dimensions,
/// broadcast across operands as in numpy. Beyond Python einops, operands and output may
/// group axes, `(h d)`: a grouped axis whose length no other operand tells needs
/// `name = len`.
///
/// Pattern errors (the number of operands included) and fixed-rank operands of the wrong
/// rank are compile errors; lengths that disagree are a run-time [`Error`]
/// ([`Error::AxisLength`] and its neighbours, naming the operand, dimension and axis).
///
/// Each operand is any ndarray array, by value or by reference; all have the same element
/// type (a number type or `bool`). The result is a new standard-layout `Array`, of fixed
/// rank whenever the rank is known at compile time. Two operands become a (batched) matrix
/// product, through matrixmultiply's GEMM for `f32`/`f64`, reading the operands in place
/// when their strides allow (a copy otherwise); three or more are contracted pairwise,
/// smallest intermediate first; one operand is a copy (permutation, diagonal) or a sum.
/// With the feature `candle`, the operands may instead all be `candle_core::Tensor`s or
/// `&Tensor`s (see the crate documentation).
///
/// ```
/// use einops::einsum;
/// use ndarray::{Array2, Array3};
///
/// let q = Array3::<f32>::ones((2, 5, 4)); // b i d
/// let k = Array3::<f32>::ones((2, 6, 4)); // b j d
/// let scores = einsum!(&q, &k, "b i d, b j d -> b i j").unwrap(); // Array3<f32>
/// assert_eq!(scores.shape(), &[2, 5, 6]);
/// assert_eq!(scores[[0, 0, 0]], 4.0);
///
/// let x = Array2::<i64>::ones((3, 8)); // b (h d)
/// let per_head = einsum!(&x, "b (h d) -> b h", h = 2).unwrap();
/// assert_eq!(per_head, Array2::from_elem((3, 2), 4));
/// ```
#[macro_export]
macro_rules! einsum {
    ($($args:tt)*) => { $crate::__private::einsum!($crate; $($args)*) };
}

/// [`einsum!`] writing into an existing array: `einsum_into!(&mut out, a, b, "pattern", ...)`.
///
/// `out` is any mutable array (any strides) whose shape is the result's; a fixed-rank
/// `out` of the wrong rank is a compile error, a wrong shape a run-time [`Error`].
/// Returns `Result<(), Error>`.
///
/// ```
/// use einops::einsum_into;
/// let a = ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]]);
/// let mut out = ndarray::Array2::zeros((2, 2));
/// einsum_into!(&mut out, &a, &a, "i j, j k -> i k").unwrap();
/// assert_eq!(out, a.dot(&a));
/// ```
#[macro_export]
macro_rules! einsum_into {
    ($($args:tt)*) => { $crate::__private::einsum_into!($crate; $($args)*) };
}

/// Concatenates arrays along the dimensions `*` stands for: `pack!([a, b, ...], "b * c")`.
///
/// Every array has the dimensions the pattern names before and after `*` (here one
/// leading `b` and one trailing `c`), all of the same lengths; whatever dimensions each
/// array has in between (none, one or several) are flattened row-major into one and
/// concatenated. Returns `Result<(Array<A, D>, PackedShapes<E>), Error>`: the packed array,
/// whose rank is the number of names plus one (`D` is `Ix1`–`Ix6`, `IxDyn` beyond), and
/// the shapes [`unpack!`] needs to split it again, typed by the arrays' own dimension
/// type `E`. Packing always copies, each element once.
///
/// The arrays are an array literal, a `Vec` or a slice of any array form (`Array`, `&Array`,
/// views), all of the same type. The pattern is split on any whitespace (tabs too, as in
/// einops). A pattern that is not names and exactly one `*`, or a fixed-rank array with
/// fewer dimensions than the pattern names, is a compile error; an `IxDyn` array with too
/// few dimensions, arrays whose named dimensions differ, or an empty list are a run-time
/// [`Error`]. With the feature `candle`, the list may hold `candle_core::Tensor`s or
/// `&Tensor`s instead (see the crate documentation).
///
/// ```
/// use einops::{pack, unpack};
/// use ndarray::{Array2, Array3};
///
/// # fn main() -> Result<(), einops::Error> {
/// let patches = Array3::<f32>::zeros((2, 16, 8)); // b n d
/// let class = Array3::<f32>::ones((2, 1, 8));     // b 1 d
/// let (tokens, shapes) = pack!([&class, &patches], "b * d")?; // Array3<f32>
/// assert_eq!(tokens.shape(), &[2, 17, 8]);
/// let [class2, patches2]: [Array3<f32>; 2] = unpack!(tokens, &shapes, "b * d")?
///     .try_into()
///     .unwrap();
/// assert_eq!((class2, patches2), (class, patches));
///
/// // Arrays of different ranks: `*` may stand for no dimension or for several.
/// let (packed, shapes) = pack!(
///     [Array2::<u8>::zeros((2, 3)).into_dyn(), Array3::<u8>::zeros((2, 3, 4)).into_dyn()],
///     "h w *"
/// )?;
/// assert_eq!(packed.shape(), &[2, 3, 1 + 4]);
/// assert_eq!(shapes.to_string(), "[[], [4]]");
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! pack {
    ($($args:tt)*) => { $crate::__private::pack!($crate; $($args)*) };
}

/// Splits a packed array back into arrays: `unpack!(packed, &shapes, "b * c")`, the
/// inverse of [`pack!`].
///
/// `shapes` is a [`PackedShapes`]: the one [`pack!`] returned, or one built by hand, in
/// which one shape may have an unknown dimension ([`PackedShape::unknown`], einops' `-1`)
/// that is inferred from the packed length. Returns `Result<Vec<Array<A, E>>, Error>`
/// where `E` is the dimension type of the shapes: the arrays' own type for shapes from
/// `pack!`, `IxDyn` for hand-built ones. Each output is a new array.
///
/// A packed array of fixed rank other than the number of names plus one is a compile
/// error; otherwise the rank, shapes that do not add up to the packed length, more than
/// one unknown shape, or a shape whose rank does not fit `E` are a run-time [`Error`].
/// Unlike Python einops, which slices without checking (inconsistent shapes can give
/// overlapping or empty parts, and no shapes give `[]` for any input), the shapes must
/// cover the packed dimension exactly.
///
/// ```
/// use einops::{unpack, PackedShape, PackedShapes};
/// let x = ndarray::Array::from_shape_vec((2, 5), (0..10).collect::<Vec<i32>>()).unwrap();
/// let shapes = PackedShapes::new([PackedShape::from([2]), PackedShape::unknown()]);
/// let parts = unpack!(&x, &shapes, "b *").unwrap();
/// assert_eq!(parts[0], ndarray::arr2(&[[0, 1], [5, 6]]).into_dyn());
/// assert_eq!(parts[1].shape(), &[2, 3]);
/// ```
#[macro_export]
macro_rules! unpack {
    ($($args:tt)*) => { $crate::__private::unpack!($crate; $($args)*) };
}

/// Reads the lengths of named axes off an array's shape: `parse_shape!(x, "b c _ _")`.
///
/// Each item of the pattern describes one dimension: a name is reported, `_` skips a
/// dimension, `...` any number of them, and `1`, `()` or a number must match the length.
/// Returns `Result<S, Error>` where `S` is a struct generated for the call, with a `usize`
/// field per name (`s.b`, `s.c`; an axis named like a keyword is `s.r#type`), deriving
/// `Debug`, `Clone`, `Copy`, `PartialEq`, `Eq` and `Hash`. The struct has no name the
/// caller can write; to pass the lengths around by name, use
/// [`dynamic::parse_shape`].
///
/// The array is borrowed, never consumed. Groups of several axes or `(...)` are compile
/// errors, as is a fixed-rank array whose rank contradicts the pattern; for `IxDyn` arrays
/// the rank, and the lengths of `1`, `()` and numbers, are checked at run time.
///
/// ```
/// use einops::{parse_shape, rearrange};
/// let x = ndarray::Array4::<f32>::zeros((2, 3, 4, 5));
/// let s = parse_shape!(x, "b _ h w").unwrap();
/// assert_eq!((s.b, s.h, s.w), (2, 4, 5));
/// let flat = rearrange!(&x, "b c h w -> b c (h w)").unwrap();
/// let back = rearrange!(flat, "b c (h w) -> b c h w", h = s.h).unwrap();
/// assert_eq!(back, x);
/// ```
#[macro_export]
macro_rules! parse_shape {
    ($($args:tt)*) => { $crate::__private::parse_shape!($crate; $($args)*) };
}

/// Asserts an array's shape: `check_shape!(x, "b c h w", c = 3)` (einops issue 168).
///
/// The pattern is that of [`parse_shape!`]; the `name = length` pairs give the lengths some
/// named axes must have. Returns `Result<S, Error>` with the same generated struct as
/// [`parse_shape!`], so the check also reads the other lengths; `check_shape!(...)?;`
/// is a plain assertion.
///
/// A fixed-rank array of the wrong rank, and lengths given for axes the pattern does not
/// name, are compile errors. A length that differs is a run-time [`Error`] (kind
/// `axis_length_mismatch`) naming the dimension, the axis, the expected and the actual
/// length.
///
/// ```
/// use einops::check_shape;
/// let x = ndarray::Array4::<f32>::zeros((2, 3, 4, 4));
/// let s = check_shape!(&x, "b c h w", c = 3).unwrap();
/// assert_eq!(s.h, 4);
/// let err = check_shape!(&x, "b c h w", c = 1).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "check_shape `b c h w` on input of shape [2, 3, 4, 4] with c = 1: \
///      dimension 1 has length 3, but group `c` has length 1"
/// );
/// ```
#[macro_export]
macro_rules! check_shape {
    ($($args:tt)*) => { $crate::__private::check_shape!($crate; $($args)*) };
}
