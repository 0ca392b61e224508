//! The candle backend (feature `candle`): every operation on [`candle_core::Tensor`]s,
//! lowered to candle's own ops (`reshape`, `permute`, `sum`/`mean`/`max`/`min`,
//! `broadcast_as`, `narrow`, `cat`, `matmul`), so it runs on whatever device the tensors
//! live on and nothing is copied to the host.
//!
//! The patterns are parsed and their shapes solved exactly as for ndarray (the same
//! [`Recipe`], [`PackPlan`] and [`EinsumPlan`], the same
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

use candle_core::{DType, Tensor, D};
use ndarray::IxDyn;

use crate::error::Error;
use crate::ops::Element;
use crate::pack::PackedShapes;
use crate::pattern::{EinsumPlan, PackPlan, Recipe, Reduction};
use crate::shape::HasShape;
use crate::tensor::{self, Failure, Lowered};

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
    type Lengths<'s> = &'s [usize];
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
    tensor::apply(input, recipe, lengths)
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
    tensor::pack(&refs(tensors), plan)
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
    tensor::unpack(packed, shapes, plan)
}

/// Computes an einsum `plan` on `operands` (one tensor per operand of the pattern).
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{Device, Tensor};
/// use einops::pattern::EinsumPlan;
///
/// let plan = EinsumPlan::new("i j, j k -> i k", 2, &[])?;
/// let a = Tensor::new(&[[1f32, 2.], [3., 4.]], &Device::Cpu)?;
/// let y = einops::candle::einsum(&[&a, &a], &plan, &[])?;
/// assert_eq!(y.to_vec2::<f32>()?, [[7., 10.], [15., 22.]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn einsum<T: AsRef<Tensor>>(
    operands: &[T],
    plan: &EinsumPlan,
    lengths: &[i128],
) -> Result<Tensor, Error> {
    tensor::einsum(&refs(operands), plan, lengths)
}

/// The tensors of a list, borrowed.
fn refs<T: AsRef<Tensor>>(tensors: &[T]) -> Vec<&Tensor> {
    tensors.iter().map(AsRef::as_ref).collect()
}

/// A candle failure as the lowering reports it: candle's own message.
fn failed(err: candle_core::Error) -> Failure {
    err.to_string()
}

/// candle's ops for the shared lowering; candle checks dtypes and devices itself.
impl Lowered for Tensor {
    const BACKEND: &'static str = "candle";

    fn dims(&self) -> Vec<usize> {
        Tensor::dims(self).to_vec()
    }

    fn element(&self) -> Element {
        let dtype = self.dtype();
        Element {
            name: dtype.as_str(),
            float: dtype.is_float(),
        }
    }

    fn element_size(&self) -> usize {
        self.dtype().size_in_bytes()
    }

    fn reshape(&self, shape: &[usize]) -> Result<Tensor, Failure> {
        Tensor::reshape(self, shape).map_err(failed)
    }

    fn permute(&self, order: &[usize]) -> Result<Tensor, Failure> {
        Tensor::permute(self, order.to_vec()).map_err(failed)
    }

    fn broadcast(&self, shape: &[usize]) -> Result<Tensor, Failure> {
        self.broadcast_as(shape).map_err(failed)
    }

    fn fold_last(&self, reduction: Reduction) -> Result<Tensor, Failure> {
        fold_last(self, reduction).map_err(failed)
    }

    fn narrow(&self, dim: usize, start: usize, len: usize) -> Result<Tensor, Failure> {
        Tensor::narrow(self, dim, start, len).map_err(failed)
    }

    fn cat(parts: &[Tensor], dim: usize) -> Result<Tensor, Failure> {
        Tensor::cat(parts, dim).map_err(failed)
    }

    fn sum_dims(&self, dims: &[usize]) -> Result<Tensor, Failure> {
        self.sum(dims.to_vec()).map_err(failed)
    }

    fn matmul(&self, rhs: &Tensor) -> Result<Tensor, Failure> {
        match has_matmul(self.dtype()) {
            true => self
                .contiguous()
                .and_then(|lhs| lhs.matmul(&rhs.contiguous()?)),
            // Other dtypes: the same sum of products, broadcast and summed over k.
            false => self
                .unsqueeze(3)
                .and_then(|lhs| lhs.broadcast_mul(&rhs.unsqueeze(1)?))
                .and_then(|products| products.sum(2)),
        }
        .map_err(failed)
    }

    fn add(&self, other: &Tensor) -> Result<Tensor, Failure> {
        self.broadcast_add(other).map_err(failed)
    }

    fn filled(&self, shape: &[usize], value: f64) -> Result<Tensor, Failure> {
        Tensor::full(value, shape, self.device())
            .and_then(|t| t.to_dtype(self.dtype()))
            .map_err(failed)
    }

    fn compatible(&self, _other: &Tensor) -> Result<(), Failure> {
        Ok(())
    }
}

/// Folds the last dimension of `x` away with `reduction`.
fn fold_last(x: &Tensor, reduction: Reduction) -> candle_core::Result<Tensor> {
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

/// Whether candle multiplies matrices of this dtype (on the CPU: the float types but `bf16`).
fn has_matmul(dtype: DType) -> bool {
    matches!(dtype, DType::F16 | DType::F32 | DType::F64)
}
