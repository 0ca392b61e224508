//! The burn backend (feature `burn`): every operation on [`burn::tensor::Tensor`]s of
//! every kind (`Float`, `Int`, `Bool`), lowered to burn's own ops (`reshape`, `permute`,
//! `sum_dim`/`mean_dim`/`max_dim`/`min_dim`/`prod_dim`, `any_dim`/`all_dim`, `expand`,
//! `narrow`, `cat`, `matmul`), so it runs on whatever device the tensors live on, autodiff
//! sees every step, and nothing goes through the host.
//!
//! The patterns are parsed and their shapes solved exactly as for ndarray and candle (the
//! same [`Recipe`], [`PackPlan`] and [`EinsumPlan`], the same errors). A burn tensor's
//! rank is part of its type: the results here are `Tensor<O, K>` with the `O` the caller
//! names, checked against the pattern when the code runs ([`Error::OutputRank`]); the
//! macros compute `O` from the pattern at compile time instead.
//!
//! - burn has no tensors of rank 0: a result with no dimensions (`"a b ->"` reduced) is a
//!   tensor of shape `[1]`, as burn's own `sum()` returns.
//! - While a pattern runs, its tensors are held at a fixed working rank
//!   ([`WORKING_RANK`]) with leading unit dimensions, since burn's ops name their rank
//!   at compile time and a pattern's intermediate ranks are known only when it runs. A
//!   pattern needing more elementary axes at once is an [`Error::Backend`].
//! - `mean` of an `Int` tensor is a compile error for the macros (and
//!   [`Error::MeanOfInteger`] here); a `Bool` tensor reduces with `any` and `all` only,
//!   and multiplies in no einsum.
//! - burn reports a failure by panicking; what einops can see coming (tensors of
//!   different dtypes or devices in one call, too many dimensions) is an
//!   [`Error::Backend`] before any op runs.

use burn::tensor::kind::Basic;
use burn::tensor::{Bool, DType, Float, Int, Shape, Tensor};

use crate::error::{Call, CallOperation, Error};
use crate::ops::Element;
use crate::pack::PackedShapes;
use crate::pattern::{EinsumPlan, PackOperation, PackPlan, Recipe, Reduction};
use crate::rank::{Rank, TensorRank};
use crate::sealed::{self, Sealed};
use crate::shape::HasShape;
use crate::tensor::{self, Failure, Lowered};

/// The rank every tensor is held at while a pattern runs: the most elementary axes one
/// pattern can have at once on burn.
pub const WORKING_RANK: usize = 12;
const W: usize = WORKING_RANK;

/// The kinds of burn tensor the patterns take: `Float`, `Int` and `Bool`. Sealed: each
/// kind's reductions and products are chosen here.
///
/// ```
/// # use einops_runtime as einops;
/// use burn::tensor::{Device, Int, Tensor};
/// use einops::burn::TensorKind;
/// use einops::pattern::{Operation, Recipe};
///
/// fn flatten<K: TensorKind>(x: &Tensor<4, K>) -> Result<Tensor<2, K>, einops::Error> {
///     let recipe = Recipe::new(Operation::Rearrange, "b c h w -> b (c h w)", &[])?;
///     einops::burn::apply(x, &recipe, &[])
/// }
/// let x = Tensor::<4, Int>::zeros([2, 3, 4, 5], &Device::default());
/// assert_eq!(flatten(&x)?.dims(), [2, 60]);
/// # Ok::<(), einops::Error>(())
/// ```
pub trait TensorKind: Basic + Sealed<sealed::Element> + 'static {
    /// Folds dimension `dim` with `reduction`, keeping it with length 1.
    #[doc(hidden)]
    fn fold(
        tensor: Tensor<W, Self>,
        dim: usize,
        reduction: Reduction,
    ) -> Result<Tensor<W, Self>, Failure>;
    /// Sums over `dims`, keeping them with length 1.
    #[doc(hidden)]
    fn sum_dims(tensor: Tensor<W, Self>, dims: &[usize]) -> Result<Tensor<W, Self>, Failure>;
    /// The batched matrix product of the last two dimensions.
    #[doc(hidden)]
    fn matmul(lhs: Tensor<W, Self>, rhs: Tensor<W, Self>) -> Result<Tensor<W, Self>, Failure>;
    /// `lhs + rhs`, broadcast.
    #[doc(hidden)]
    fn add(lhs: Tensor<W, Self>, rhs: Tensor<W, Self>) -> Result<Tensor<W, Self>, Failure>;
    /// `tensor != 0` as a tensor of this kind and dtype `dtype`, reduced by `any`/`all`.
    #[doc(hidden)]
    fn from_bool(tensor: Tensor<W, Bool>, dtype: DType) -> Tensor<W, Self>;
}

impl Sealed<sealed::Element> for Float {}
impl Sealed<sealed::Element> for Int {}
impl Sealed<sealed::Element> for Bool {}

/// `any` / `all` over `dim` of any kind, as a tensor of that kind (one or zero).
fn any_all<K: TensorKind>(tensor: Tensor<W, K>, dim: usize, all: bool) -> Tensor<W, K> {
    let dtype = tensor.dtype();
    let nonzero = tensor.not_equal_elem(0);
    let folded = match all {
        true => nonzero.all_dim(dim),
        false => nonzero.any_dim(dim),
    };
    K::from_bool(folded, dtype)
}

macro_rules! numeric_kinds {
    ($($kind:ident => $convert:ident),*) => {$(
        impl TensorKind for $kind {
            fn fold(
                tensor: Tensor<W, Self>,
                dim: usize,
                reduction: Reduction,
            ) -> Result<Tensor<W, Self>, Failure> {
                Ok(match reduction {
                    Reduction::Sum => tensor.sum_dim(dim),
                    Reduction::Mean => tensor.mean_dim(dim),
                    Reduction::Max => tensor.max_dim(dim),
                    Reduction::Min => tensor.min_dim(dim),
                    Reduction::Prod => tensor.prod_dim(dim),
                    Reduction::Any => any_all(tensor, dim, false),
                    Reduction::All => any_all(tensor, dim, true),
                })
            }

            fn sum_dims(tensor: Tensor<W, Self>, dims: &[usize]) -> Result<Tensor<W, Self>, Failure> {
                Ok(tensor.sum_dims(dims))
            }

            fn matmul(lhs: Tensor<W, Self>, rhs: Tensor<W, Self>) -> Result<Tensor<W, Self>, Failure> {
                Ok(lhs.matmul(rhs))
            }

            fn add(lhs: Tensor<W, Self>, rhs: Tensor<W, Self>) -> Result<Tensor<W, Self>, Failure> {
                Ok(lhs.add(rhs))
            }

            fn from_bool(tensor: Tensor<W, Bool>, dtype: DType) -> Tensor<W, Self> {
                tensor.$convert().cast(dtype)
            }
        }
    )*};
}
numeric_kinds!(Float => float, Int => int);

/// What a `Bool` tensor cannot do.
fn not_for_bool(what: &str) -> Failure {
    format!("burn has no {what} of `Bool` tensors")
}

impl TensorKind for Bool {
    fn fold(
        tensor: Tensor<W, Self>,
        dim: usize,
        reduction: Reduction,
    ) -> Result<Tensor<W, Self>, Failure> {
        match reduction {
            Reduction::Any => Ok(tensor.any_dim(dim)),
            Reduction::All => Ok(tensor.all_dim(dim)),
            other => Err(not_for_bool(&format!("`{}` reduction", other.name()))),
        }
    }

    fn sum_dims(_: Tensor<W, Self>, _: &[usize]) -> Result<Tensor<W, Self>, Failure> {
        Err(not_for_bool("sum"))
    }

    fn matmul(_: Tensor<W, Self>, _: Tensor<W, Self>) -> Result<Tensor<W, Self>, Failure> {
        Err(not_for_bool("product"))
    }

    fn add(_: Tensor<W, Self>, _: Tensor<W, Self>) -> Result<Tensor<W, Self>, Failure> {
        Err(not_for_bool("sum"))
    }

    fn from_bool(tensor: Tensor<W, Bool>, _: DType) -> Tensor<W, Self> {
        tensor
    }
}

/// A burn tensor of any rank up to [`WORKING_RANK`], for the einsum operands of
/// [`einsum`] (whose ranks differ, so no one `Tensor<D, K>` type holds them all). Made
/// from a `Tensor<D, K>` or `&Tensor<D, K>` with `into()`.
///
/// ```
/// # use einops_runtime as einops;
/// use burn::tensor::{Device, Tensor};
/// use einops::burn::AnyRank;
/// let x = Tensor::<3>::zeros([2, 3, 4], &Device::default());
/// let any: AnyRank = (&x).into();
/// assert_eq!(any.dims(), [2, 3, 4]);
/// ```
#[derive(Clone, Debug)]
pub struct AnyRank<K: TensorKind = Float> {
    /// The elements, with `W - rank` leading dimensions of length 1.
    tensor: Tensor<W, K>,
    rank: usize,
}

impl<K: TensorKind> AnyRank<K> {
    /// The logical dimensions' lengths.
    pub fn dims(&self) -> Vec<usize> {
        self.tensor.dims()[W - self.rank..].to_vec()
    }

    /// The tensor as a `Tensor<O, K>` ([`Error::OutputRank`] for another rank); a tensor
    /// of rank 0 becomes a `Tensor<1, K>` of shape `[1]`, as burn has no rank 0.
    ///
    /// ```
    /// # use einops_runtime as einops;
    /// use burn::tensor::{Device, Tensor};
    /// use einops::burn::AnyRank;
    /// let any: AnyRank = Tensor::<3>::zeros([2, 3, 4], &Device::default()).into();
    /// let x: Tensor<3> = any.clone().into_tensor()?;
    /// assert_eq!(x.dims(), [2, 3, 4]);
    /// assert!(any.into_tensor::<2>().is_err());
    /// # Ok::<(), einops::Error>(())
    /// ```
    pub fn into_tensor<const O: usize>(self) -> Result<Tensor<O, K>, Error> {
        self.into_rank(|| None)
    }

    /// The tensor as `Tensor<O, K>`, or an [`Error::OutputRank`] about the call `call`
    /// describes.
    fn into_rank<const O: usize>(
        self,
        call: impl FnOnce() -> Option<Box<Call>>,
    ) -> Result<Tensor<O, K>, Error> {
        let dims = self.dims();
        if dims.len() != O && !(dims.is_empty() && O == 1) {
            return Err(Error::OutputRank {
                call: call(),
                actual: dims.len(),
                expected: O,
            });
        }
        let shape = match dims.is_empty() {
            true => vec![1],
            false => dims,
        };
        Ok(reshape_to(self.tensor, shape))
    }

    /// `dims` padded to the working rank with leading 1s, or a failure past it.
    fn padded(dims: &[usize]) -> Result<Vec<usize>, Failure> {
        let pad = W.checked_sub(dims.len()).ok_or_else(|| {
            format!(
                "{} dimensions at once, more than the {W} einops holds burn tensors at",
                dims.len()
            )
        })?;
        Ok(std::iter::repeat_n(1, pad)
            .chain(dims.iter().copied())
            .collect())
    }

    /// The tensor held at the working rank, whose last `rank` dimensions are the logical
    /// ones.
    fn new(tensor: Tensor<W, K>, rank: usize) -> AnyRank<K> {
        debug_assert!(rank <= W);
        AnyRank { tensor, rank }
    }
}

/// `tensor` reshaped to `shape` (of rank `R`). burn reads a 0 in a reshape's target as
/// "keep this dimension", so an empty result is made afresh (it has no elements whose
/// gradient could be lost).
fn reshape_to<const D: usize, const R: usize, K: TensorKind>(
    tensor: Tensor<D, K>,
    shape: Vec<usize>,
) -> Tensor<R, K> {
    debug_assert_eq!(shape.len(), R);
    if shape.contains(&0) {
        let options = (&tensor.device(), tensor.dtype());
        return Tensor::<R, K>::empty(Shape::from(shape), options);
    }
    tensor.reshape(Shape::from(shape))
}

impl<const D: usize, K: TensorKind> From<Tensor<D, K>> for AnyRank<K> {
    fn from(tensor: Tensor<D, K>) -> AnyRank<K> {
        let dims = tensor.dims();
        // D ≤ W for every tensor this crate's functions take (`FixedRank`); a user's
        // higher rank is caught by `padded` when the tensor is used.
        match AnyRank::<K>::padded(&dims) {
            Ok(shape) => AnyRank {
                tensor: reshape_to(tensor, shape),
                rank: D,
            },
            Err(_) => AnyRank {
                tensor: Tensor::empty([0; W], (&tensor.device(), tensor.dtype())),
                rank: usize::MAX,
            },
        }
    }
}

impl<const D: usize, K: TensorKind> From<&Tensor<D, K>> for AnyRank<K> {
    fn from(tensor: &Tensor<D, K>) -> AnyRank<K> {
        tensor.clone().into()
    }
}

impl<K: TensorKind> AnyRank<K> {
    /// The working-rank dimension of logical dimension `dim`.
    fn at(&self, dim: usize) -> usize {
        W - self.rank + dim
    }

    fn valid(&self) -> Result<(), Failure> {
        match self.rank <= W {
            true => Ok(()),
            false => Err(format!("a tensor of more than {W} dimensions")),
        }
    }
}

/// burn's ops for the shared lowering.
impl<K: TensorKind> Lowered for AnyRank<K> {
    const BACKEND: &'static str = "burn";

    fn dims(&self) -> Vec<usize> {
        AnyRank::dims(self)
    }

    fn element(&self) -> Element {
        let dtype = self.tensor.dtype();
        Element {
            name: dtype_name(dtype),
            float: dtype.is_float(),
        }
    }

    fn element_size(&self) -> usize {
        self.tensor.dtype().size()
    }

    fn reshape(&self, shape: &[usize]) -> Result<Self, Failure> {
        self.valid()?;
        let padded = Self::padded(shape)?;
        Ok(AnyRank::new(
            reshape_to(self.tensor.clone(), padded),
            shape.len(),
        ))
    }

    fn permute(&self, order: &[usize]) -> Result<Self, Failure> {
        let lead = W - self.rank;
        let mut axes: [usize; W] = std::array::from_fn(|d| d);
        for (d, &from) in order.iter().enumerate() {
            axes[lead + d] = lead + from;
        }
        Ok(AnyRank::new(self.tensor.clone().permute(axes), self.rank))
    }

    fn broadcast(&self, shape: &[usize]) -> Result<Self, Failure> {
        let padded = Self::padded(shape)?;
        let tensor = match padded.contains(&0) {
            true => reshape_to(self.tensor.clone(), padded),
            false => self.tensor.clone().expand(Shape::from(padded)),
        };
        Ok(AnyRank::new(tensor, shape.len()))
    }

    fn fold_last(&self, reduction: Reduction) -> Result<Self, Failure> {
        let mut dims = self.dims();
        dims.pop();
        let folded = K::fold(self.tensor.clone(), W - 1, reduction)?;
        AnyRank::new(folded, self.rank).reshape(&dims)
    }

    fn narrow(&self, dim: usize, start: usize, len: usize) -> Result<Self, Failure> {
        if len == 0 {
            let mut dims = self.dims();
            dims[dim] = 0;
            return self.filled(&dims, 0.0);
        }
        Ok(AnyRank::new(
            self.tensor.clone().narrow(self.at(dim), start, len),
            self.rank,
        ))
    }

    fn cat(parts: &[Self], dim: usize) -> Result<Self, Failure> {
        let first = &parts[0];
        // burn drops empty parts itself, but fails when nothing is left.
        let full: Vec<Tensor<W, K>> = parts
            .iter()
            .filter(|p| !p.dims().contains(&0))
            .map(|p| p.tensor.clone())
            .collect();
        if full.is_empty() {
            let mut dims = first.dims();
            dims[dim] = parts.iter().map(|p| p.dims()[dim]).sum();
            return first.filled(&dims, 0.0);
        }
        Ok(AnyRank::new(Tensor::cat(full, first.at(dim)), first.rank))
    }

    fn sum_dims(&self, dims: &[usize]) -> Result<Self, Failure> {
        let at: Vec<usize> = dims.iter().map(|&d| self.at(d)).collect();
        let kept: Vec<usize> = self
            .dims()
            .into_iter()
            .enumerate()
            .filter(|(d, _)| !dims.contains(d))
            .map(|(_, len)| len)
            .collect();
        let summed = K::sum_dims(self.tensor.clone(), &at)?;
        AnyRank::new(summed, self.rank).reshape(&kept)
    }

    fn matmul(&self, rhs: &Self) -> Result<Self, Failure> {
        let (a, b) = (self.dims(), rhs.dims());
        let out = [a[0], a[1], b[2]];
        if a.contains(&0) || b.contains(&0) {
            // burn's products expect elements; an empty sum is zero.
            return self.filled(&out, 0.0);
        }
        let product = K::matmul(self.tensor.clone(), rhs.tensor.clone())?;
        Ok(AnyRank::new(product, 3))
    }

    fn add(&self, other: &Self) -> Result<Self, Failure> {
        let rank = self.rank.max(other.rank);
        Ok(AnyRank::new(
            K::add(self.tensor.clone(), other.tensor.clone())?,
            rank,
        ))
    }

    fn filled(&self, shape: &[usize], value: f64) -> Result<Self, Failure> {
        let padded = Self::padded(shape)?;
        let options = (&self.tensor.device(), self.tensor.dtype());
        let tensor = match padded.contains(&0) {
            true => Tensor::empty(Shape::from(padded), options),
            false => Tensor::full(Shape::from(padded), value, options),
        };
        Ok(AnyRank::new(tensor, shape.len()))
    }

    fn compatible(&self, other: &Self) -> Result<(), Failure> {
        self.valid()?;
        other.valid()?;
        let (a, b) = (self.tensor.dtype(), other.tensor.dtype());
        if a != b {
            return Err(format!("tensors of dtypes {a:?} and {b:?} in one call"));
        }
        let (a, b) = (self.tensor.device(), other.tensor.device());
        if a != b {
            return Err(format!("tensors on devices {a:?} and {b:?} in one call"));
        }
        Ok(())
    }
}

/// The name of a dtype, as errors print it.
fn dtype_name(dtype: DType) -> &'static str {
    match dtype {
        DType::F64 => "f64",
        DType::F32 | DType::Flex32 => "f32",
        DType::F16 => "f16",
        DType::BF16 => "bf16",
        DType::I64 => "i64",
        DType::I32 => "i32",
        DType::I16 => "i16",
        DType::I8 => "i8",
        DType::U64 => "u64",
        DType::U32 => "u32",
        DType::U16 => "u16",
        DType::U8 => "u8",
        DType::Bool(_) => "bool",
        _ => "quantized",
    }
}

/// The call an error names when a tensor result has the wrong rank.
fn recipe_call<'a>(
    recipe: &'a Recipe,
    dims: Vec<usize>,
    lengths: &'a [i128],
) -> impl FnOnce() -> Option<Box<Call>> + 'a {
    move || {
        let values = recipe
            .length_names
            .iter()
            .zip(lengths)
            .map(|(name, &value)| (name.to_string(), value))
            .collect();
        Some(Call::boxed(
            CallOperation::Recipe(recipe.operation),
            &recipe.pattern,
            vec![dims],
            values,
        ))
    }
}

/// Applies a rearrange, reduce or repeat recipe to `input`; the result has the rank `O`
/// the caller names ([`Error::OutputRank`] otherwise).
///
/// ```
/// # use einops_runtime as einops;
/// use burn::tensor::{Device, Tensor};
/// use einops::pattern::Recipe;
///
/// let x = Tensor::<2>::from_data([[0f32, 1., 2.], [3., 4., 5.]], &Device::default());
/// let recipe = Recipe::reduce("a b -> b", "max", &[])?;
/// let y: Tensor<1> = einops::burn::apply(&x, &recipe, &[])?;
/// assert_eq!(y.into_data().try_into_vec::<f32>()?, [3., 4., 5.]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply<const D: usize, const O: usize, K: TensorKind>(
    input: &Tensor<D, K>,
    recipe: &Recipe,
    lengths: &[i128],
) -> Result<Tensor<O, K>, Error> {
    let input: AnyRank<K> = input.into();
    let output = tensor::apply(&input, recipe, lengths)?;
    output.into_rank(recipe_call(recipe, input.dims(), lengths))
}

/// Multiplies `operands` and sums over the axes the output lacks, as `plan` says; the
/// operands' ranks differ, so they come as [`AnyRank`]s.
///
/// ```
/// # use einops_runtime as einops;
/// use burn::tensor::{Device, Tensor};
/// use einops::burn::AnyRank;
/// use einops::pattern::EinsumPlan;
///
/// let a = Tensor::<2>::from_data([[1f32, 2.], [3., 4.]], &Device::default());
/// let v = Tensor::<1>::from_data([1f32, 1.], &Device::default());
/// let plan = EinsumPlan::new("i j, j -> i", 2, &[])?;
/// let y: Tensor<1> = einops::burn::einsum(&[(&a).into(), (&v).into()], &plan, &[])?;
/// assert_eq!(y.into_data().try_into_vec::<f32>()?, [3., 7.]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn einsum<const O: usize, K: TensorKind>(
    operands: &[AnyRank<K>],
    plan: &EinsumPlan,
    lengths: &[i128],
) -> Result<Tensor<O, K>, Error> {
    let refs: Vec<&AnyRank<K>> = operands.iter().collect();
    let output = tensor::einsum(&refs, plan, lengths)?;
    output.into_rank(|| {
        let shapes = operands.iter().map(AnyRank::dims).collect();
        Some(Call::boxed(
            CallOperation::Einsum,
            &plan.pattern,
            shapes,
            Vec::new(),
        ))
    })
}

/// Packs `tensors` (of any ranks, as [`AnyRank`]s) along the dimensions `*` stands for;
/// returns the packed tensor (of the rank `O` the caller names) and the shapes [`unpack`]
/// needs.
///
/// ```
/// # use einops_runtime as einops;
/// use burn::tensor::{Device, Tensor};
/// use einops::pattern::{PackOperation, PackPlan};
///
/// let plan = PackPlan::new(PackOperation::Pack, "b * w")?;
/// let image = Tensor::<3>::zeros([2, 3, 4], &Device::default());
/// let token = Tensor::<2>::zeros([2, 4], &Device::default());
/// let (packed, shapes) = einops::burn::pack(&[image.into(), token.into()], &plan)?;
/// let packed: Tensor<3> = packed;
/// assert_eq!(packed.dims(), [2, 4, 4]);
/// assert_eq!(shapes.to_string(), "[[3], []]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pack<const O: usize, K: TensorKind>(
    tensors: &[AnyRank<K>],
    plan: &PackPlan,
) -> Result<(Tensor<O, K>, PackedShapes), Error> {
    let refs: Vec<&AnyRank<K>> = tensors.iter().collect();
    let (packed, shapes) = tensor::pack(&refs, plan)?;
    let packed = packed.into_rank(|| {
        let shapes = tensors.iter().map(AnyRank::dims).collect();
        let operation = CallOperation::Pack(PackOperation::Pack);
        Some(Call::boxed(operation, &plan.pattern, shapes, Vec::new()))
    })?;
    Ok((packed, shapes))
}

/// Splits `packed` along the dimension of `*` into one tensor per packed shape: the
/// inverse of [`pack`]. The parts' ranks differ with their packed shapes, so they come
/// as [`AnyRank`]s ([`AnyRank::into_tensor`] names each one's rank).
///
/// ```
/// # use einops_runtime as einops;
/// use burn::tensor::{Device, Int, Tensor};
/// use einops::pattern::{PackOperation, PackPlan};
/// use einops::{PackedShape, PackedShapes};
///
/// let plan = PackPlan::new(PackOperation::Unpack, "b *")?;
/// let x = Tensor::<1, Int>::arange(0..10, &Device::default()).reshape([2, 5]);
/// let shapes = PackedShapes::new([PackedShape::from([2]), PackedShape::unknown()]);
/// let parts = einops::burn::unpack(&x, &shapes, &plan)?;
/// assert_eq!(parts[1].dims(), [2, 3]);
/// let first: Tensor<2, Int> = parts[0].clone().into_tensor()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unpack<const D: usize, K: TensorKind, S>(
    packed: &Tensor<D, K>,
    shapes: &PackedShapes<S>,
    plan: &PackPlan,
) -> Result<Vec<AnyRank<K>>, Error> {
    let packed: AnyRank<K> = packed.into();
    tensor::unpack(&packed, shapes, plan)
}

/// A burn tensor's shape, for `parse_shape!`, `check_shape!` and
/// [`dynamic::parse_shape`](crate::dynamic::parse_shape); its rank is checked at compile
/// time by the macros.
///
/// ```
/// # use einops_runtime as einops;
/// use einops::HasShape;
/// let x = burn::tensor::Tensor::<2>::zeros([2, 3], &burn::tensor::Device::default());
/// assert_eq!(HasShape::shape(&x), [2, 3]);
/// ```
impl<const D: usize, K: TensorKind> HasShape for Tensor<D, K>
where
    Rank<D>: TensorRank,
{
    type Dim = <Rank<D> as TensorRank>::Dim;
    type Lengths<'s> = Vec<usize>;
    fn shape(&self) -> Vec<usize> {
        self.dims().to_vec()
    }
}

impl<const D: usize, K: TensorKind> Sealed<sealed::Shape> for Tensor<D, K> {}
