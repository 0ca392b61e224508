//! The run-time pattern API: the same operations with the pattern as a `&str`.
//!
//! Patterns are parsed by the same parser the macros use at compile time; a pattern
//! error is an [`Error::Pattern`] carrying the text the macro would have printed.
//! Results are `IxDyn` arrays. [`parse_shape`] and [`check_shape`] also read
//! `candle_core::Tensor`s; the other operations on tensors are in the module `candle`
//! (feature `candle`).

mod einsum;

use ndarray::{Array, ArrayBase, ArrayD, ArrayView, ArrayViewMut, Data, DataMut, Dimension, IxDyn};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::{ArrayLike, Operand};
use crate::ops::{self, Plan};
use crate::pack::{self, ArrayList, PackedShapes};
use crate::pattern::{Operation, PackOperation, PackPlan, Recipe, ShapeOperation, ShapePlan};
use crate::shape::{self, HasShape};
use crate::view;

pub use self::einsum::{einsum, einsum_with_lengths};
pub use crate::input::Lengths;

fn split(lengths: Lengths<'_>) -> (Vec<&str>, Vec<i128>) {
    lengths
        .iter()
        .map(|&(name, value)| (name, value as i128))
        .unzip()
}

/// Reorders, splits and merges axes (`"b c h w -> b (c h w)"`).
///
/// ```
/// let x = ndarray::Array::from_shape_vec((2, 3), (0..6).collect()).unwrap();
/// let y = einops::dynamic::rearrange(&x, "a b -> b a", &[]).unwrap();
/// assert_eq!(y, x.t().into_dyn());
/// ```
pub fn rearrange<'a, I>(
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<Array<I::Elem, IxDyn>, Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
    ops::rearrange(input.into_input(), Plan::Parsed(&recipe), &values)
}

/// [`rearrange`] as a view of `x`: no element is copied, and the result borrows `x`.
///
/// Splitting, permuting, adding or removing unit axes always gives a view; merging axes
/// into a group does exactly when they are evenly spaced in `x`'s memory (numpy's rule for
/// reshaping without a copy). Otherwise the error's `kind()` is `"not_a_view"`: never a
/// silent copy.
///
/// ```
/// let x = ndarray::Array::from_shape_vec((2, 3, 4), (0..24).collect::<Vec<i32>>()).unwrap();
/// let y = einops::dynamic::rearrange_view(&x, "b h w -> b (h w)", &[]).unwrap();
/// assert_eq!(y.shape(), [2, 12]);
/// assert_eq!(y.as_ptr(), x.as_ptr());
/// let t = x.t();
/// let err = einops::dynamic::rearrange_view(&t, "w h b -> (w h) b", &[]).unwrap_err();
/// assert_eq!(err.kind(), "not_a_view");
/// ```
pub fn rearrange_view<'a, A, S, D>(
    x: &'a ArrayBase<S, D>,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<ArrayView<'a, A, IxDyn>, Error>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    read_only_view(x.view(), Operation::Rearrange, pattern, lengths)
}

/// [`rearrange_view`] for writing: writes through the result land in `x`.
///
/// For an `ArcArray` whose data is shared, ndarray copies the data first so that `x` owns
/// it alone, as it does for every mutable view; that copy is ndarray's, not einops'.
///
/// ```
/// let mut x = ndarray::Array::<i32, _>::zeros((2, 6));
/// let mut y = einops::dynamic::rearrange_view_mut(&mut x, "b (h w) -> b w h", &[("h", 2)]).unwrap();
/// y[[1, 2, 1]] = 7;
/// assert_eq!(x[[1, 5]], 7);
/// ```
pub fn rearrange_view_mut<'a, A, S, D>(
    x: &'a mut ArrayBase<S, D>,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<ArrayViewMut<'a, A, IxDyn>, Error>
where
    S: DataMut<Elem = A>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
    view::mutable(x.view_mut(), Plan::Parsed(&recipe), &values)
}

/// [`repeat`] as a read-only view of `x`: a new or repeated axis has stride 0, so every
/// copy is the same element.
///
/// A repeated axis must stand alone in its output group (`"h w -> h w r"`, not
/// `"h w -> (h r) w"`, which is a pattern-stage `"not_a_view"` error); groups of the input's
/// axes follow [`rearrange_view`]'s rule.
///
/// ```
/// let x = ndarray::arr2(&[[1, 2], [3, 4]]);
/// let y = einops::dynamic::repeat_view(&x, "h w -> h r w", &[("r", 3)]).unwrap();
/// assert_eq!(y.shape(), [2, 3, 2]);
/// assert_eq!(y.strides()[1], 0);
/// assert_eq!(y[[1, 2, 0]], 3);
/// ```
pub fn repeat_view<'a, A, S, D>(
    x: &'a ArrayBase<S, D>,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<ArrayView<'a, A, IxDyn>, Error>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    read_only_view(x.view(), Operation::Repeat, pattern, lengths)
}

/// `pattern` parsed for `operation` (a rearrange or a repeat) as a view of `x`.
fn read_only_view<'a, A, D: Dimension>(
    x: ArrayView<'a, A, D>,
    operation: Operation,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<ArrayView<'a, A, IxDyn>, Error> {
    let (names, values) = split(lengths);
    let recipe = Recipe::new(operation, pattern, &names)?;
    view::read_only(x, Plan::Parsed(&recipe), &values)
}

/// Reduces the axes missing on the right with `reduction` (`"sum"`, `"mean"`, `"min"`,
/// `"max"`, `"prod"`, `"any"`, `"all"`).
///
/// `any`/`all` give the element type's one or zero. `mean` of integers is an error.
///
/// ```
/// let x = ndarray::Array::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// let y = einops::dynamic::reduce(&x, "a b -> a", "mean", &[]).unwrap();
/// assert_eq!(y, ndarray::arr1(&[2.0, 5.0]).into_dyn());
/// ```
pub fn reduce<'a, I>(
    input: I,
    pattern: &str,
    reduction: &str,
    lengths: Lengths<'_>,
) -> Result<Array<I::Elem, IxDyn>, Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::reduce(pattern, reduction, &names)?;
    ops::reduce(input.into_input(), Plan::Parsed(&recipe), &values)
}

/// Repeats along the axes new on the right (`"h w -> h w c"` with `c`).
///
/// ```
/// let x = ndarray::arr1(&[1, 2]);
/// let y = einops::dynamic::repeat(&x, "a -> (a r)", &[("r", 2)]).unwrap();
/// assert_eq!(y, ndarray::arr1(&[1, 1, 2, 2]).into_dyn());
/// ```
pub fn repeat<'a, I>(
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<Array<I::Elem, IxDyn>, Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Repeat, pattern, &names)?;
    ops::rearrange(input.into_input(), Plan::Parsed(&recipe), &values)
}

/// [`rearrange`] writing into `out`, whose shape must be the result's.
///
/// ```
/// let x = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
/// let mut out = ndarray::Array2::zeros((3, 2));
/// einops::dynamic::rearrange_into(&mut out, &x, "a b -> b a", &[]).unwrap();
/// assert_eq!(out, x.t());
/// ```
pub fn rearrange_into<'a, I, S, D>(
    out: &mut ArrayBase<S, D>,
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    S: DataMut<Elem = I::Elem>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
    ops::rearrange_into(out, input.into_input(), Plan::Parsed(&recipe), &values)
}

/// [`reduce`] writing into `out`, whose shape must be the result's.
///
/// ```
/// let x = ndarray::arr2(&[[1, 2, 3], [4, 5, 6]]);
/// let mut out = ndarray::Array1::zeros(2);
/// einops::dynamic::reduce_into(&mut out, &x, "a b -> a", "max", &[]).unwrap();
/// assert_eq!(out, ndarray::arr1(&[3, 6]));
/// ```
pub fn reduce_into<'a, I, S, D>(
    out: &mut ArrayBase<S, D>,
    input: I,
    pattern: &str,
    reduction: &str,
    lengths: Lengths<'_>,
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
    S: DataMut<Elem = I::Elem>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::reduce(pattern, reduction, &names)?;
    ops::reduce_into(out, input.into_input(), Plan::Parsed(&recipe), &values)
}

/// [`repeat`] writing into `out`, whose shape must be the result's.
///
/// ```
/// let x = ndarray::arr1(&[1, 2]);
/// let mut out = ndarray::Array2::zeros((2, 3));
/// einops::dynamic::repeat_into(&mut out, &x, "a -> a c", &[("c", 3)]).unwrap();
/// assert_eq!(out, ndarray::arr2(&[[1, 1, 1], [2, 2, 2]]));
/// ```
pub fn repeat_into<'a, I, S, D>(
    out: &mut ArrayBase<S, D>,
    input: I,
    pattern: &str,
    lengths: Lengths<'_>,
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    S: DataMut<Elem = I::Elem>,
    D: Dimension,
{
    let (names, values) = split(lengths);
    let recipe = Recipe::new(Operation::Repeat, pattern, &names)?;
    ops::rearrange_into(out, input.into_input(), Plan::Parsed(&recipe), &values)
}

/// Concatenates `arrays` along the dimensions `*` stands for (`"b * c"`): every array has
/// the same dimensions for the names before and after `*`, and those in between are
/// flattened into one and concatenated. Returns the packed array and the shapes that
/// [`unpack`] needs to split it again.
///
/// The pattern is split on any whitespace (tabs included, as in einops).
///
/// ```
/// use ndarray::{Array2, Array3};
/// let image = Array3::<f32>::zeros((2, 3, 4));     // b h w
/// let token = Array2::<f32>::zeros((2, 4));        // b w
/// let (packed, shapes) =
///     einops::dynamic::pack(&[image.view().into_dyn(), token.view().into_dyn()], "b * w")
///         .unwrap();
/// assert_eq!(packed.shape(), [2, 3 + 1, 4]);
/// assert_eq!(shapes.to_string(), "[[3], []]");
/// ```
pub fn pack<'a, L>(arrays: L, pattern: &str) -> Result<(ArrayD<L::Elem>, PackedShapes), Error>
where
    L: ArrayList<'a>,
    L::Elem: Clone,
{
    let plan = PackPlan::new(PackOperation::Pack, pattern)?;
    let (packed, shapes) = pack::pack(&arrays.into_arrays(), &plan)?;
    Ok((packed, shapes.into_dyn()))
}

/// Splits `packed` along the dimension of `*` into one array per packed shape: the
/// inverse of [`pack()`]. One shape may have an unknown dimension
/// ([`PackedShape::unknown`](crate::PackedShape::unknown), einops' `-1`), inferred from the
/// packed length. The shapes must cover the packed dimension exactly (einops does not check,
/// and may return overlapping or empty parts).
///
/// ```
/// use einops::{dynamic, PackedShape, PackedShapes};
/// let x = ndarray::Array::from_shape_vec((2, 5), (0..10).collect::<Vec<i32>>()).unwrap();
/// let shapes = PackedShapes::new([PackedShape::from([2]), PackedShape::unknown()]);
/// let parts = dynamic::unpack(&x, &shapes, "b *").unwrap();
/// assert_eq!(parts[0], ndarray::arr2(&[[0, 1], [5, 6]]).into_dyn());
/// assert_eq!(parts[1].shape(), [2, 3]);
/// ```
pub fn unpack<'a, I, D>(
    packed: I,
    shapes: &PackedShapes<D>,
    pattern: &str,
) -> Result<Vec<ArrayD<I::Elem>>, Error>
where
    I: ArrayLike<'a>,
    I::Elem: Clone,
{
    let plan = PackPlan::new(PackOperation::Unpack, pattern)?;
    pack::unpack(packed.into_cow().view().into_dyn(), shapes, &plan)
}

/// The length of each named axis of `pattern` (`"b c _ _"`), in pattern order: `_`
/// skips a dimension, `...` any number of them, `1`/`()` and numbers must match. The
/// names borrow from `pattern`, so the result goes straight into the lengths of
/// [`rearrange`] and friends.
///
/// ```
/// let x = ndarray::Array4::<f32>::zeros((2, 3, 8, 8));
/// let axes = einops::dynamic::parse_shape(&x, "b c _ _").unwrap();
/// assert_eq!(axes, [("b", 2), ("c", 3)]);
/// let y = ndarray::Array2::<f32>::zeros((2, 6));
/// let z = einops::dynamic::rearrange(&y, "b (c r) -> b c r", &axes).unwrap();
/// assert_eq!(z.shape(), [2, 3, 2]);
/// ```
pub fn parse_shape<'p, I>(input: &I, pattern: &'p str) -> Result<Vec<(&'p str, usize)>, Error>
where
    I: HasShape + ?Sized,
{
    read_shape(input, pattern, &[], ShapeOperation::ParseShape)
}

/// [`parse_shape`] that also checks the given lengths: an `Err` names the first axis
/// whose length differs. Returns the same name → length list.
///
/// ```
/// let x = ndarray::Array4::<f32>::zeros((2, 3, 8, 8));
/// assert!(einops::dynamic::check_shape(&x, "b c h w", &[("c", 3)]).is_ok());
/// let err = einops::dynamic::check_shape(&x, "b c h w", &[("c", 4)]).unwrap_err();
/// assert_eq!(err.kind(), "axis_length_mismatch");
/// ```
pub fn check_shape<'p, I>(
    input: &I,
    pattern: &'p str,
    lengths: Lengths<'_>,
) -> Result<Vec<(&'p str, usize)>, Error>
where
    I: HasShape + ?Sized,
{
    read_shape(input, pattern, lengths, ShapeOperation::CheckShape)
}

fn read_shape<'p, I: HasShape + ?Sized>(
    input: &I,
    pattern: &'p str,
    lengths: Lengths<'_>,
    operation: ShapeOperation,
) -> Result<Vec<(&'p str, usize)>, Error> {
    let (names, values) = split(lengths);
    let plan = ShapePlan::new(operation, pattern, &names)?;
    let mut out = vec![0; plan.names().count()];
    shape::parse(&plan, &input.shape(), &values, &mut out)?;
    // Each name is a substring of the pattern; return that substring, so the result
    // borrows from the pattern rather than from the plan.
    let borrowed = plan.names().map(|name| {
        let at = pattern
            .find(name)
            .expect("a name of the pattern is in the pattern");
        &pattern[at..at + name.len()]
    });
    Ok(borrowed.zip(out).collect())
}

/// The run-time pattern API on `candle_core::Tensor`s (feature `candle`): the same
/// functions, patterns and errors as for arrays, computed with candle's own ops on the
/// tensors' device (see [`crate::candle`]). Results are tensors.
/// [`parse_shape`] and [`check_shape`] take tensors directly.
#[cfg(feature = "candle")]
pub mod candle {
    use candle_core::Tensor;

    use super::{split, Lengths};
    use crate::error::Error;
    use crate::pack::PackedShapes;
    use crate::pattern::{EinsumPlan, Operation, PackOperation, PackPlan, Recipe};

    /// Reorders, splits and merges axes (`"b c h w -> b (c h w)"`).
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::arange(0u32, 6, &Device::Cpu)?.reshape((2, 3))?;
    /// let y = einops::dynamic::candle::rearrange(&x, "a b -> b a", &[])?;
    /// assert_eq!(y.to_vec2::<u32>()?, [[0, 3], [1, 4], [2, 5]]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rearrange(input: &Tensor, pattern: &str, lengths: Lengths<'_>) -> Result<Tensor, Error> {
        let (names, values) = split(lengths);
        let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
        crate::candle::apply(input, &recipe, &values)
    }

    /// Reduces the axes missing on the right with `reduction` (`"sum"`, `"mean"`, `"min"`,
    /// `"max"`, `"prod"`, `"any"`, `"all"`); `mean` of an integer dtype is an error.
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[[1f64, 2., 3.], [4., 5., 6.]], &Device::Cpu)?;
    /// let y = einops::dynamic::candle::reduce(&x, "a b -> a", "mean", &[])?;
    /// assert_eq!(y.to_vec1::<f64>()?, [2., 5.]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reduce(
        input: &Tensor,
        pattern: &str,
        reduction: &str,
        lengths: Lengths<'_>,
    ) -> Result<Tensor, Error> {
        let (names, values) = split(lengths);
        let recipe = Recipe::reduce(pattern, reduction, &names)?;
        crate::candle::apply(input, &recipe, &values)
    }

    /// Repeats along the axes new on the right (`"h w -> h w c"` with `c`).
    ///
    /// ```
    /// use candle_core::{Device, Tensor};
    /// let x = Tensor::new(&[1i64, 2], &Device::Cpu)?;
    /// let y = einops::dynamic::candle::repeat(&x, "a -> (a r)", &[("r", 2)])?;
    /// assert_eq!(y.to_vec1::<i64>()?, [1, 1, 2, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn repeat(input: &Tensor, pattern: &str, lengths: Lengths<'_>) -> Result<Tensor, Error> {
        let (names, values) = split(lengths);
        let recipe = Recipe::new(Operation::Repeat, pattern, &names)?;
        crate::candle::apply(input, &recipe, &values)
    }

    /// Multiplies the operands and sums over the axes the output lacks
    /// (`"b i d, b j d -> b i j"`), with lengths for grouped axes.
    ///
    /// ```
    /// use candle_core::{DType, Device, Tensor};
    /// let q = Tensor::ones((2, 5, 4), DType::F32, &Device::Cpu)?;
    /// let k = Tensor::ones((2, 6, 4), DType::F32, &Device::Cpu)?;
    /// let s = einops::dynamic::candle::einsum(&[&q, &k], "b i d, b j d -> b i j", &[])?;
    /// assert_eq!(s.dims(), [2, 5, 6]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn einsum<T: AsRef<Tensor>>(
        operands: &[T],
        pattern: &str,
        lengths: Lengths<'_>,
    ) -> Result<Tensor, Error> {
        let (names, values) = split(lengths);
        let plan = EinsumPlan::new(pattern, operands.len(), &names)?;
        crate::candle::einsum(operands, &plan, &values)
    }

    /// Concatenates `tensors` along the dimensions `*` stands for (`"b * c"`); returns the
    /// packed tensor and the shapes [`unpack`] needs.
    ///
    /// ```
    /// use candle_core::{DType, Device, Tensor};
    /// let image = Tensor::zeros((2, 3, 4), DType::F32, &Device::Cpu)?;
    /// let token = Tensor::zeros((2, 4), DType::F32, &Device::Cpu)?;
    /// let (packed, shapes) = einops::dynamic::candle::pack(&[image, token], "b * w")?;
    /// assert_eq!(packed.dims(), [2, 4, 4]);
    /// assert_eq!(shapes.to_string(), "[[3], []]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pack<T: AsRef<Tensor>>(
        tensors: &[T],
        pattern: &str,
    ) -> Result<(Tensor, PackedShapes), Error> {
        let plan = PackPlan::new(PackOperation::Pack, pattern)?;
        crate::candle::pack(tensors, &plan)
    }

    /// Splits `packed` into one tensor per packed shape: the inverse of [`pack`].
    ///
    /// ```
    /// use candle_core::{DType, Device, Tensor};
    /// use einops::dynamic::candle::{pack, unpack};
    /// let a = Tensor::zeros((2, 3), DType::U8, &Device::Cpu)?;
    /// let (packed, shapes) = pack(&[&a, &a], "b *")?;
    /// let parts = unpack(&packed, &shapes, "b *")?;
    /// assert_eq!(parts[1].dims(), [2, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unpack<D>(
        packed: &Tensor,
        shapes: &PackedShapes<D>,
        pattern: &str,
    ) -> Result<Vec<Tensor>, Error> {
        let plan = PackPlan::new(PackOperation::Unpack, pattern)?;
        crate::candle::unpack(packed, shapes, &plan)
    }
}

/// The run-time pattern API on `burn::tensor::Tensor<D, K>` (feature `burn`): the same
/// functions, patterns and errors as for arrays, computed with burn's own ops on the
/// tensors' device (see [`crate::burn`]). The result's rank `O` is the caller's to name
/// (usually by the type of the binding) and is checked when the code runs
/// ([`Error::OutputRank`]). [`parse_shape`] and [`check_shape`] take tensors directly.
#[cfg(feature = "burn")]
pub mod burn {
    use burn::tensor::Tensor;

    use super::{split, Lengths};
    use crate::burn::{AnyRank, TensorKind};
    use crate::error::Error;
    use crate::pack::PackedShapes;
    use crate::pattern::{EinsumPlan, Operation, PackOperation, PackPlan, Recipe};

    /// Reorders, splits and merges axes (`"b c h w -> b (c h w)"`).
    ///
    /// ```
    /// use burn::tensor::{Device, Int, Tensor};
    /// let x = Tensor::<1, Int>::arange(0..6, &Device::default()).reshape([2, 3]);
    /// let y: Tensor<2, Int> = einops::dynamic::burn::rearrange(&x, "a b -> b a", &[])?;
    /// assert_eq!(y.into_data().try_into_vec_as::<i64>()?, [0, 3, 1, 4, 2, 5]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rearrange<const D: usize, const O: usize, K: TensorKind>(
        input: &Tensor<D, K>,
        pattern: &str,
        lengths: Lengths<'_>,
    ) -> Result<Tensor<O, K>, Error> {
        let (names, values) = split(lengths);
        let recipe = Recipe::new(Operation::Rearrange, pattern, &names)?;
        crate::burn::apply(input, &recipe, &values)
    }

    /// Reduces the axes missing on the right with `reduction` (`"sum"`, `"mean"`, `"min"`,
    /// `"max"`, `"prod"`, `"any"`, `"all"`); `mean` of an `Int` tensor is an error.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// let x = Tensor::<2>::from_data([[1f32, 2., 3.], [4., 5., 6.]], &Device::default());
    /// let y: Tensor<1> = einops::dynamic::burn::reduce(&x, "a b -> a", "mean", &[])?;
    /// assert_eq!(y.into_data().try_into_vec::<f32>()?, [2., 5.]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reduce<const D: usize, const O: usize, K: TensorKind>(
        input: &Tensor<D, K>,
        pattern: &str,
        reduction: &str,
        lengths: Lengths<'_>,
    ) -> Result<Tensor<O, K>, Error> {
        let (names, values) = split(lengths);
        let recipe = Recipe::reduce(pattern, reduction, &names)?;
        crate::burn::apply(input, &recipe, &values)
    }

    /// Repeats along the axes new on the right (`"h w -> h w c"` with `c`).
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// let x = Tensor::<1>::from_data([1f32, 2.], &Device::default());
    /// let y: Tensor<1> = einops::dynamic::burn::repeat(&x, "a -> (a r)", &[("r", 2)])?;
    /// assert_eq!(y.into_data().try_into_vec::<f32>()?, [1., 1., 2., 2.]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn repeat<const D: usize, const O: usize, K: TensorKind>(
        input: &Tensor<D, K>,
        pattern: &str,
        lengths: Lengths<'_>,
    ) -> Result<Tensor<O, K>, Error> {
        let (names, values) = split(lengths);
        let recipe = Recipe::new(Operation::Repeat, pattern, &names)?;
        crate::burn::apply(input, &recipe, &values)
    }

    /// Multiplies the operands (of any ranks, as [`AnyRank`]s) and sums over the axes the
    /// output lacks (`"b i d, b j d -> b i j"`), with lengths for grouped axes.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// let q = Tensor::<3>::ones([2, 5, 4], &Device::default());
    /// let k = Tensor::<3>::ones([2, 6, 4], &Device::default());
    /// let s: Tensor<3> =
    ///     einops::dynamic::burn::einsum(&[(&q).into(), (&k).into()], "b i d, b j d -> b i j", &[])?;
    /// assert_eq!(s.dims(), [2, 5, 6]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn einsum<const O: usize, K: TensorKind>(
        operands: &[AnyRank<K>],
        pattern: &str,
        lengths: Lengths<'_>,
    ) -> Result<Tensor<O, K>, Error> {
        let (names, values) = split(lengths);
        let plan = EinsumPlan::new(pattern, operands.len(), &names)?;
        crate::burn::einsum(operands, &plan, &values)
    }

    /// Concatenates `tensors` (of any ranks, as [`AnyRank`]s) along the dimensions `*`
    /// stands for (`"b * c"`); returns the packed tensor and the shapes [`unpack`] needs.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// let image = Tensor::<3>::zeros([2, 3, 4], &Device::default());
    /// let token = Tensor::<2>::zeros([2, 4], &Device::default());
    /// let (packed, shapes): (Tensor<3>, _) =
    ///     einops::dynamic::burn::pack(&[(&image).into(), (&token).into()], "b * w")?;
    /// assert_eq!(packed.dims(), [2, 4, 4]);
    /// assert_eq!(shapes.to_string(), "[[3], []]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pack<const O: usize, K: TensorKind>(
        tensors: &[AnyRank<K>],
        pattern: &str,
    ) -> Result<(Tensor<O, K>, PackedShapes), Error> {
        let plan = PackPlan::new(PackOperation::Pack, pattern)?;
        crate::burn::pack(tensors, &plan)
    }

    /// Splits `packed` into one tensor per packed shape: the inverse of [`pack`]. The
    /// parts' ranks follow their packed shapes; [`AnyRank::into_tensor`] names each one's.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use einops::dynamic::burn::{pack, unpack};
    /// let a = Tensor::<2>::zeros([2, 3], &Device::default());
    /// let (packed, shapes): (Tensor<2>, _) = pack(&[(&a).into(), (&a).into()], "b *")?;
    /// let parts = unpack(&packed, &shapes, "b *")?;
    /// let second: Tensor<2> = parts[1].clone().into_tensor()?;
    /// assert_eq!(second.dims(), [2, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unpack<const D: usize, K: TensorKind, S>(
        packed: &Tensor<D, K>,
        shapes: &PackedShapes<S>,
        pattern: &str,
    ) -> Result<Vec<AnyRank<K>>, Error> {
        let plan = PackPlan::new(PackOperation::Unpack, pattern)?;
        crate::burn::unpack(packed, shapes, &plan)
    }
}
