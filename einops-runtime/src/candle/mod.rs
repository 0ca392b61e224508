//! The candle backend (feature `candle`): every operation on [`candle_core::Tensor`]s,
//! lowered to candle's own ops (`reshape`, `permute`, `sum`/`mean`/`max`/`min`,
//! `broadcast_as`, `narrow`, `cat`, `matmul`), so it runs on whatever device the tensors
//! live on and nothing is copied to the host.
//!
//! The patterns are parsed and their shapes solved exactly as for ndarray (the same
//! [`Recipe`], [`PackPlan`] and [`EinsumPlan`](crate::pattern::EinsumPlan), the same
//! errors); only the data movement differs. These functions are what the macros and
//! [`dynamic::candle`](crate::dynamic::candle) call, one per operation, taking a plan and
//! the length values, for layers that hold a plan of their own.
//!
//! - What copies: a rearrange that only splits axes, permutes them, or adds or removes unit
//!   axes returns candle's own view of a contiguous input (a permutation is not
//!   contiguous afterwards); merging axes that a permutation moved apart copies (candle's
//!   `reshape` of a non-contiguous tensor), and so does every reshape of a non-contiguous
//!   input. A repeat is candle's `broadcast_as`, a view until something makes it
//!   contiguous. The `_view` macros are for ndarray arrays.
//! - `prod`: candle has no product reduction, so the reduced axes are multiplied in
//!   halves, `log2(n)` elementwise products.
//! - `any` / `all`: `x != 0`, then the maximum / minimum, converted back to the input's
//!   dtype (one or zero), as for ndarray.
//! - `mean` of an integer dtype is [`Error::MeanOfInteger`] (stage `dtype`).
//! - A failure inside candle (tensors of different dtypes or devices, an op a device lacks)
//!   is [`Error::Backend`].

mod einsum;

use candle_core::{DType, Tensor, D};
use ndarray::IxDyn;

use crate::error::{Call, CallOperation, Error};
use crate::kernel::standard_strides;
use crate::ops::{reduction_to_run, Element};
use crate::pack::{pack_layout, product, unpack_layout, PackedShape, PackedShapes};
use crate::pattern::{elementary, PackOperation, PackPlan, Recipe, Reduction};
use crate::shape::HasShape;
use crate::solve::{solve, Context};

pub use self::einsum::einsum;

crate::sealed::seal!(crate::sealed::Shape: Tensor);

/// A tensor's shape, for `parse_shape!`, `check_shape!` and
/// [`dynamic::parse_shape`](crate::dynamic::parse_shape); its rank is checked at run time.
///
/// ```
/// # use einops_runtime as einops;
/// use einops::HasShape;
/// let x = candle_core::Tensor::zeros((2, 3), candle_core::DType::F32, &candle_core::Device::Cpu)?;
/// assert_eq!(HasShape::shape(&x), [2, 3]);
/// # Ok::<(), candle_core::Error>(())
/// ```
impl HasShape for Tensor {
    type Dim = IxDyn;
    fn shape(&self) -> &[usize] {
        self.dims()
    }
}

/// An einops error as a candle error, so that `?` works in code returning
/// `candle_core::Result` (a `Module`'s `forward`): printed, it is exactly the einops
/// message (no backtrace is attached, even with `RUST_BACKTRACE` set: the message names
/// the call). candle keeps a wrapped error as text only, so the typed [`Error`] is not
/// recovered from it; call the einops function itself when its [`stage`](Error::stage) or
/// [`kind`](Error::kind) matters.
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{Device, Tensor};
/// fn flatten(x: &Tensor) -> candle_core::Result<Tensor> {
///     Ok(einops::dynamic::candle::rearrange(x, "b c h w -> b (c h w)", &[])?)
/// }
/// let err = flatten(&Tensor::zeros((2, 3), candle_core::DType::F32, &Device::Cpu)?).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "rearrange `b c h w -> b (c h w)` on input of shape [2, 3]: the pattern expects 4 \
///      dimensions, but the input has 2"
/// );
/// # Ok::<(), candle_core::Error>(())
/// ```
impl From<Error> for candle_core::Error {
    fn from(err: Error) -> candle_core::Error {
        candle_core::Error::Wrapped(Box::new(err))
    }
}

/// Turns a candle error into an [`Error::Backend`] about the call `call` describes (built
/// only on failure).
pub(crate) fn backend(
    call: impl FnOnce() -> Box<Call>,
) -> impl FnOnce(candle_core::Error) -> Error {
    move |err| Error::Backend {
        call: call(),
        backend: "candle",
        message: err.to_string(),
    }
}

/// Applies a rearrange, reduce or repeat recipe to `input`.
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{Device, Tensor};
/// use einops::pattern::Recipe;
///
/// let x = Tensor::arange(0f32, 6., &Device::Cpu)?.reshape((2, 3))?;
/// let recipe = Recipe::reduce("a b -> b", "max", &[])?;
/// let y = einops::candle::apply(&x, &recipe, &[])?;
/// assert_eq!(y.to_vec1::<f32>()?, [3., 4., 5.]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply(input: &Tensor, recipe: &Recipe, lengths: &[i128]) -> Result<Tensor, Error> {
    let ctx = Context {
        recipe,
        shape: input.dims(),
        lengths,
    };
    let dtype = input.dtype();
    let solution = solve(&ctx, &standard_strides(input.dims()), dtype.size_in_bytes())?;
    let element = Element {
        name: dtype.as_str(),
        float: dtype.is_float(),
    };
    let reduction = reduction_to_run(&ctx, &solution, Some(element))?;
    let fail = || backend(|| ctx.call());

    let ellipsis = recipe.axes.len()..solution.lengths.len();
    let lengths_of =
        |ids: &[usize]| -> Vec<usize> { ids.iter().map(|&id| solution.lengths[id]).collect() };

    let mut ids = elementary(&recipe.input, ellipsis.clone());
    let mut x = reshaped(input, &lengths_of(&ids)).map_err(fail())?;
    if let Some(reduction) = reduction {
        let reduced = &solution.reduced_ids;
        let kept: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|id| !reduced.contains(id))
            .collect();
        let order = positions(&ids, kept.iter().chain(reduced.iter()));
        let mut shape = lengths_of(&kept);
        shape.push(product(&lengths_of(reduced)));
        x = permuted(&x, &order)
            .and_then(|x| x.reshape(shape))
            .and_then(|x| fold_last(&x, reduction))
            .map_err(fail())?;
        ids = kept;
    }

    // The kept axes in output order, then the axes repeat adds, broadcast from length 1.
    let output = elementary(&recipe.output, ellipsis);
    let present: Vec<usize> = output
        .iter()
        .copied()
        .filter(|id| ids.contains(id))
        .collect();
    let with_units: Vec<usize> = output
        .iter()
        .map(|&id| match ids.contains(&id) {
            true => solution.lengths[id],
            false => 1,
        })
        .collect();
    permuted(&x, &positions(&ids, present.iter()))
        .and_then(|x| reshaped(&x, &with_units))
        .and_then(|x| match x.dims() == lengths_of(&output) {
            true => Ok(x),
            false => x.broadcast_as(lengths_of(&output)),
        })
        .and_then(|x| reshaped(&x, &solution.shape))
        .map_err(fail())
}

/// `x` reshaped to `shape`, left as it is when it has that shape already: candle copies a
/// tensor that is not contiguous on every reshape, so a permuted view stays a view only if
/// nothing reshapes it.
fn reshaped(x: &Tensor, shape: &[usize]) -> candle_core::Result<Tensor> {
    match x.dims() == shape {
        true => Ok(x.clone()),
        false => x.reshape(shape),
    }
}

/// Where each of `wanted` is in `ids`.
fn positions<'i>(ids: &[usize], wanted: impl Iterator<Item = &'i usize>) -> Vec<usize> {
    wanted
        .map(|id| {
            ids.iter()
                .position(|i| i == id)
                .expect("every wanted axis is one of the tensor's")
        })
        .collect()
}

/// `x` with its dimensions in `order`, skipping the identity permutation.
fn permuted(x: &Tensor, order: &[usize]) -> candle_core::Result<Tensor> {
    match order.iter().enumerate().all(|(i, &p)| i == p) {
        true => Ok(x.clone()),
        false => x.permute(order.to_vec()),
    }
}

/// Folds the last dimension of `x` away with `reduction`.
fn fold_last(x: &Tensor, reduction: Reduction) -> candle_core::Result<Tensor> {
    if x.dim(D::Minus1)? == 0 {
        // candle's reductions expect at least one element; these are the neutral ones
        // (`min`/`max` of nothing were rejected before).
        let dims = &x.dims()[..x.rank() - 1];
        return match reduction {
            Reduction::Prod | Reduction::All => Tensor::ones(dims, x.dtype(), x.device()),
            Reduction::Mean => Tensor::full(f64::NAN, dims, x.device())?.to_dtype(x.dtype()),
            _ => Tensor::zeros(dims, x.dtype(), x.device()),
        };
    }
    match reduction {
        Reduction::Sum => x.sum(D::Minus1),
        Reduction::Mean => x.mean(D::Minus1),
        Reduction::Max => x.max(D::Minus1),
        Reduction::Min => x.min(D::Minus1),
        Reduction::Prod => product_last(x),
        Reduction::Any => x.ne(&x.zeros_like()?)?.max(D::Minus1)?.to_dtype(x.dtype()),
        Reduction::All => x.ne(&x.zeros_like()?)?.min(D::Minus1)?.to_dtype(x.dtype()),
    }
}

/// The product over the last dimension (at least one element long): halves multiplied
/// together until one element is left, an odd last element carried along.
fn product_last(x: &Tensor) -> candle_core::Result<Tensor> {
    let mut x = x.clone();
    loop {
        let n = x.dim(D::Minus1)?;
        if n == 1 {
            return x.squeeze(D::Minus1);
        }
        let half = n / 2;
        let products = (x.narrow(D::Minus1, 0, half)? * x.narrow(D::Minus1, half, half)?)?;
        x = match n % 2 {
            0 => products,
            _ => Tensor::cat(&[products, x.narrow(D::Minus1, n - 1, 1)?], D::Minus1)?,
        };
    }
}

/// Packs `tensors` along the dimensions `*` stands for; returns the packed tensor and the
/// shapes [`unpack`] needs.
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{DType, Device, Tensor};
/// use einops::pattern::{PackOperation, PackPlan};
///
/// let plan = PackPlan::new(PackOperation::Pack, "b * c")?;
/// let a = Tensor::zeros((2, 3, 4), DType::F32, &Device::Cpu)?;
/// let b = Tensor::zeros((2, 4), DType::F32, &Device::Cpu)?;
/// let (packed, shapes) = einops::candle::pack(&[a, b], &plan)?;
/// assert_eq!(packed.dims(), [2, 4, 4]);
/// assert_eq!(shapes.to_string(), "[[3], []]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pack<T: AsRef<Tensor>>(
    tensors: &[T],
    plan: &PackPlan,
) -> Result<(Tensor, PackedShapes), Error> {
    let shapes: Vec<&[usize]> = tensors.iter().map(|t| t.as_ref().dims()).collect();
    let layout = pack_layout(&shapes, plan)?;
    let fail = || {
        backend(|| {
            let shapes = shapes.iter().map(|s| s.to_vec()).collect();
            let operation = CallOperation::Pack(PackOperation::Pack);
            Call::boxed(operation, &plan.pattern, shapes, Vec::new())
        })
    };
    let parts = tensors
        .iter()
        .zip(&layout.mids)
        .map(|(tensor, mid)| {
            let flat = [product(mid)];
            let shape: Vec<usize> = layout
                .lead
                .iter()
                .chain(&flat)
                .chain(layout.trail)
                .copied()
                .collect();
            tensor.as_ref().reshape(shape)
        })
        .collect::<candle_core::Result<Vec<Tensor>>>()
        .map_err(fail())?;
    let packed = Tensor::cat(&parts, plan.before.len()).map_err(fail())?;
    Ok((packed, layout.shapes()))
}

/// Splits `packed` along the dimension of `*` into one tensor per packed shape: the
/// inverse of [`pack`]. One shape may have an unknown dimension, inferred from the length.
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{Device, Tensor};
/// use einops::pattern::{PackOperation, PackPlan};
/// use einops::{PackedShape, PackedShapes};
///
/// let plan = PackPlan::new(PackOperation::Unpack, "b *")?;
/// let x = Tensor::arange(0u32, 10, &Device::Cpu)?.reshape((2, 5))?;
/// let shapes = PackedShapes::new([PackedShape::from([2]), PackedShape::unknown()]);
/// let parts = einops::candle::unpack(&x, &shapes, &plan)?;
/// assert_eq!(parts[0].to_vec2::<u32>()?, [[0, 1], [5, 6]]);
/// assert_eq!(parts[1].dims(), [2, 3]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unpack<D>(
    packed: &Tensor,
    shapes: &PackedShapes<D>,
    plan: &PackPlan,
) -> Result<Vec<Tensor>, Error> {
    let shapes: &[PackedShape] = shapes;
    let mids = unpack_layout(packed.dims(), shapes, plan, None)?;
    let fail = || {
        backend(|| {
            let operation = CallOperation::Pack(PackOperation::Unpack);
            Call::boxed(
                operation,
                &plan.pattern,
                vec![packed.dims().to_vec()],
                Vec::new(),
            )
        })
    };
    let axis = plan.before.len();
    let (lead, rest) = packed.dims().split_at(axis);
    let trail = &rest[1..];
    let mut start = 0;
    let mut parts = Vec::with_capacity(mids.len());
    for mid in &mids {
        let len = product(mid);
        let shape: Vec<usize> = lead.iter().chain(mid).chain(trail).copied().collect();
        let part = packed
            .narrow(axis, start, len)
            .and_then(|part| part.reshape(shape))
            .map_err(fail())?;
        parts.push(part);
        start += len;
    }
    Ok(parts)
}

/// Whether candle multiplies matrices of this dtype (on the CPU: the float types but `bf16`).
pub(crate) fn has_matmul(dtype: DType) -> bool {
    matches!(dtype, DType::F16 | DType::F32 | DType::F64)
}
