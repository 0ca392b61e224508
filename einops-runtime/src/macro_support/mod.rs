//! What the macro expansions call: one function per operation, generic over the rank
//! rule the macro chose, taking the call site's `static` recipe (whose address names the
//! site for the memo of walks) and the length values.
//!
//! Not a stable API: reached through `einops::__private`.

mod einsum;
mod output;
mod view;

use ndarray::{Array, ArrayBase, DataMut, Dimension};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::{ArrayLike, Operand};
use crate::layers::{EinMixSpec, Rearrange, Reduce, Repeat};
use crate::ops::{self, Plan};
use crate::pack::{self, ArrayList, PackedShapes};
use crate::pattern::{EinMixPlan, PackPlan, Recipe, ShapePlan};
use crate::rank::{ElementRule, OutputFits, RankRule};
use crate::sealed::{self, Sealed};
use crate::shape::{self, HasShape};

pub use crate::site::Site;

pub use self::einsum::{einsum, einsum_broadcast, einsum_into, einsum_operand, einsum_view};
pub use self::output::OutputDim;
pub use self::view::{cow, spread, view, view_mut, Viewable, ViewableMut};
pub use crate::einsum::Strided;
pub use crate::rank::einsum as einsum_rank;

/// What `rearrange!` and `repeat!` accept: every ndarray [`Operand`] (then the result is
/// an `Array` of the rank rule's dimension type) and, with the feature `candle`, a
/// `candle_core::Tensor` or `&Tensor` (then the result is a `Tensor`; its rank is checked
/// when the code runs, as for `IxDyn` arrays).
pub trait Source<'a>: Sealed<sealed::Source> {
    /// The element type the compile-time element rules see.
    type Elem: 'a;
    /// The dimension type the compile-time rank rules see.
    type Dim: Dimension;
    /// The result of an operation whose rank rule gives the dimension type `O`.
    type Output<O: OutputDim>;
    /// Applies a rearrange or repeat recipe.
    fn rearrange<O: OutputDim>(
        self,
        recipe: &'static Recipe,
        lengths: &[i128],
    ) -> Result<Self::Output<O>, Error>;
}

/// What `reduce!` accepts: the [`Source`]s whose elements can be folded.
pub trait ReduceSource<'a>: Source<'a> {
    /// Applies a reduce recipe.
    fn reduce<O: OutputDim>(
        self,
        recipe: &'static Recipe,
        lengths: &[i128],
    ) -> Result<Self::Output<O>, Error>;
}

impl<'a, I: Operand<'a>> Source<'a> for I
where
    I::Elem: Clone,
{
    type Elem = I::Elem;
    type Dim = I::Dim;
    type Output<O: OutputDim> = Array<I::Elem, O>;
    fn rearrange<O: OutputDim>(
        self,
        recipe: &'static Recipe,
        lengths: &[i128],
    ) -> Result<Array<I::Elem, O>, Error> {
        ops::rearrange(self.into_input(), Plan::Site(recipe), lengths)
    }
}

impl<'a, I: Operand<'a>> ReduceSource<'a> for I
where
    I::Elem: Reducible,
{
    fn reduce<O: OutputDim>(
        self,
        recipe: &'static Recipe,
        lengths: &[i128],
    ) -> Result<Array<I::Elem, O>, Error> {
        ops::reduce(self.into_input(), Plan::Site(recipe), lengths)
    }
}

/// Output type of a macro call.
pub type Output<'a, R, I> =
    <I as Source<'a>>::Output<<R as RankRule<<I as Source<'a>>::Dim>>::Output>;

/// `rearrange!` and `repeat!`.
pub fn rearrange<'a, R, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<Output<'a, R, I>, Error>
where
    I: Source<'a>,
    R: RankRule<I::Dim, Output: OutputDim>,
{
    input.rearrange(site.plan()?, lengths)
}

/// `reduce!`; `M` restricts the element type (`mean` needs floats).
pub fn reduce<'a, R, M, I>(
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<Output<'a, R, I>, Error>
where
    I: ReduceSource<'a>,
    R: RankRule<I::Dim, Output: OutputDim>,
    M: ElementRule<I::Elem>,
{
    input.reduce(site.plan()?, lengths)
}

/// `rearrange_into!` and `repeat_into!`.
pub fn rearrange_into<'a, R, I, S, O>(
    out: &mut ArrayBase<S, O>,
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    R: RankRule<I::Dim>,
    S: DataMut<Elem = I::Elem>,
    O: Dimension + OutputFits<R::Output>,
{
    ops::rearrange_into(out, input.into_input(), Plan::Site(site.plan()?), lengths)
}

/// `reduce_into!`.
pub fn reduce_into<'a, R, M, I, S, O>(
    out: &mut ArrayBase<S, O>,
    input: I,
    site: &'static Site<Recipe>,
    lengths: &[i128],
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
    R: RankRule<I::Dim>,
    M: ElementRule<I::Elem>,
    S: DataMut<Elem = I::Elem>,
    O: Dimension + OutputFits<R::Output>,
{
    ops::reduce_into(out, input.into_input(), Plan::Site(site.plan()?), lengths)
}

/// An integer usable as an axis length (`name = expr`); converted without loss, so a
/// negative or too large value is reported at run time instead of wrapping.
pub trait AxisLength: Sealed<sealed::Length> {
    /// The value, saturated to `i128` (which no valid length reaches).
    fn to_i128(self) -> i128;
}

macro_rules! axis_lengths {
    ($($t:ty),*) => {$(
        impl Sealed<sealed::Length> for $t {}
        impl AxisLength for $t {
            fn to_i128(self) -> i128 {
                i128::try_from(self).unwrap_or(i128::MAX)
            }
        }
    )*};
}
axis_lengths!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl<T: AxisLength + Copy> AxisLength for &T {
    fn to_i128(self) -> i128 {
        (*self).to_i128()
    }
}

impl<T: AxisLength + Copy> Sealed<sealed::Length> for &T {}
impl<'a, I: Operand<'a>> Sealed<sealed::Source> for I {}
impl<'a, L: ArrayList<'a>> Sealed<sealed::Pack> for L {}

/// Converts one axis-length argument.
pub fn length(value: impl AxisLength) -> i128 {
    value.to_i128()
}

/// What `pack!` accepts: every ndarray [`ArrayList`] and, with the feature `candle`, a
/// list of tensors (`[Tensor; N]`, `[&Tensor; N]`, `Vec`, slices).
pub trait PackSource<'a>: Sealed<sealed::Pack> {
    /// The dimension type the rank rules see (`IxDyn` for tensors).
    type Dim: Dimension;
    /// The packed result when the rank rule gives the dimension type `O`.
    type Packed<O: OutputDim>;
    /// Packs the list.
    fn pack<O: OutputDim>(self, plan: &PackPlan) -> Result<Self::Packed<O>, Error>;
}

impl<'a, L: ArrayList<'a>> PackSource<'a> for L
where
    L::Elem: Clone,
{
    type Dim = L::Dim;
    type Packed<O: OutputDim> = (Array<L::Elem, O>, PackedShapes<L::Dim>);
    fn pack<O: OutputDim>(self, plan: &PackPlan) -> Result<Self::Packed<O>, Error> {
        pack::pack(&self.into_arrays(), plan)
    }
}

/// What `pack!` returns: for arrays, the packed array (dimension type from the rank rule
/// `R`) and the packed shapes (typed by the arrays' dimension type).
pub type Packed<'a, R, L> =
    <L as PackSource<'a>>::Packed<<R as RankRule<<L as PackSource<'a>>::Dim>>::Output>;

/// `pack!`: `R` checks each array's rank and names the packed array's dimension type.
pub fn pack<'a, R, L>(arrays: L, site: &'static Site<PackPlan>) -> Result<Packed<'a, R, L>, Error>
where
    L: PackSource<'a>,
    R: RankRule<L::Dim, Output: OutputDim>,
{
    arrays.pack(site.plan()?)
}

/// What `unpack!` accepts: one ndarray array of any form ([`ArrayLike`]) and, with the
/// feature `candle`, a `Tensor` or `&Tensor`.
pub trait UnpackSource<'a>: Sealed<sealed::Source> {
    /// The dimension type the rank rules see (`IxDyn` for tensors).
    type Dim: Dimension;
    /// The parts, for packed shapes of dimension type `D`.
    type Parts<D: OutputDim>;
    /// Splits the packed array or tensor.
    fn unpack<D: OutputDim>(
        self,
        shapes: &PackedShapes<D>,
        plan: &PackPlan,
    ) -> Result<Self::Parts<D>, Error>;
}

impl<'a, I: ArrayLike<'a>> UnpackSource<'a> for I
where
    I::Elem: Clone,
{
    type Dim = I::Dim;
    type Parts<D: OutputDim> = Vec<Array<I::Elem, D>>;
    fn unpack<D: OutputDim>(
        self,
        shapes: &PackedShapes<D>,
        plan: &PackPlan,
    ) -> Result<Self::Parts<D>, Error> {
        pack::unpack(self.into_cow().view().into_dyn(), shapes, plan)
    }
}

/// `unpack!`: `R` checks the packed array's rank, `S` that the arrays' dimension type `D`
/// has room for the pattern's names.
pub fn unpack<'a, R, S, I, D>(
    packed: I,
    shapes: &PackedShapes<D>,
    site: &'static Site<PackPlan>,
) -> Result<I::Parts<D>, Error>
where
    I: UnpackSource<'a>,
    R: RankRule<I::Dim>,
    S: RankRule<D>,
    D: OutputDim,
{
    packed.unpack(shapes, site.plan()?)
}

/// `parse_shape!` and `check_shape!`: the lengths of the `K` named axes, in pattern order.
pub fn parse_shape<R, I, const K: usize>(
    input: &I,
    site: &'static Site<ShapePlan>,
    lengths: &[i128],
) -> Result<[usize; K], Error>
where
    I: HasShape + ?Sized,
    R: RankRule<I::Dim>,
{
    let mut out = [0; K];
    shape::parse(site.plan()?, &input.shape(), lengths, &mut out)?;
    Ok(out)
}

/// `Rearrange!`: the layer of a call site.
pub fn rearrange_layer(site: &'static Site<Recipe>, lengths: &[i128]) -> Rearrange {
    Rearrange::site(site.validated(), lengths)
}

/// `Reduce!`: the layer of a call site.
pub fn reduce_layer(site: &'static Site<Recipe>, lengths: &[i128]) -> Reduce {
    Reduce::site(site.validated(), lengths)
}

/// `Repeat!`: the layer of a call site.
pub fn repeat_layer(site: &'static Site<Recipe>, lengths: &[i128]) -> Repeat {
    Repeat::site(site.validated(), lengths)
}

/// `EinMixSpec!`: the spec of a call site.
pub fn einmix_spec(site: &'static Site<EinMixPlan>, lengths: &[i128]) -> EinMixSpec {
    EinMixSpec::site(site.validated(), lengths)
}

/// The element type of a `candle_core::Tensor` as the compile-time rules see it: its
/// dtype is known only when the code runs, so every element rule accepts it, and `mean`
/// of an integer dtype is a run-time [`Error::MeanOfInteger`].
#[cfg(feature = "candle")]
#[derive(Debug, Clone, Copy)]
pub struct TensorElements;

#[cfg(feature = "candle")]
mod tensors {
    use candle_core::Tensor;
    use ndarray::IxDyn;

    use super::{OutputDim, PackSource, ReduceSource, Source, TensorElements, UnpackSource};
    use crate::candle;
    use crate::error::Error;
    use crate::pack::PackedShapes;
    use crate::pattern::{PackPlan, Recipe};
    use crate::rank::{AnyElement, ElementRule, FloatOnly};
    use crate::sealed::{self, Sealed};

    impl ElementRule<TensorElements> for AnyElement {}
    impl ElementRule<TensorElements> for FloatOnly {}

    macro_rules! single {
        ($($tensor:ty),*) => {$(
            impl<'a> Sealed<sealed::Source> for $tensor {}
            impl<'a> Source<'a> for $tensor {
                type Elem = TensorElements;
                type Dim = IxDyn;
                type Output<O: OutputDim> = Tensor;
                fn rearrange<O: OutputDim>(self, recipe: &'static Recipe, lengths: &[i128]) -> Result<Tensor, Error> {
                    candle::apply(&self, recipe, lengths)
                }
            }

            impl<'a> ReduceSource<'a> for $tensor {
                fn reduce<O: OutputDim>(self, recipe: &'static Recipe, lengths: &[i128]) -> Result<Tensor, Error> {
                    candle::apply(&self, recipe, lengths)
                }
            }

            impl<'a> UnpackSource<'a> for $tensor {
                type Dim = IxDyn;
                type Parts<D: OutputDim> = Vec<Tensor>;
                fn unpack<D: OutputDim>(
                    self,
                    shapes: &PackedShapes<D>,
                    plan: &PackPlan,
                ) -> Result<Vec<Tensor>, Error> {
                    candle::unpack(&self, shapes, plan)
                }
            }
        )*};
    }
    single!(Tensor, &'a Tensor);

    macro_rules! lists {
        ($(<$($n:ident)?> $list:ty),*) => {$(
            impl<'a, $(const $n: usize)?> Sealed<sealed::Pack> for $list {}
            impl<'a, $(const $n: usize)?> PackSource<'a> for $list {
                type Dim = IxDyn;
                type Packed<O: OutputDim> = (Tensor, PackedShapes);
                fn pack<O: OutputDim>(self, plan: &PackPlan) -> Result<Self::Packed<O>, Error> {
                    candle::pack(&self[..], plan)
                }
            }
        )*};
    }
    lists!(
        <N> [Tensor; N], <N> [&'a Tensor; N], <N> &'a [Tensor; N], <N> &'a [&'a Tensor; N],
        <> Vec<Tensor>, <> Vec<&'a Tensor>, <> &'a Vec<Tensor>, <> &'a [Tensor], <> &'a [&'a Tensor]
    );
}

/// burn tensors: the rank is the type's (`Tensor<D, K>`), so the rank rules check it at
/// compile time and name the result's `Tensor<O, K>`; the kind `K` is the element type
/// the element rules see (`mean` needs `Float`).
#[cfg(feature = "burn")]
mod burn_tensors {
    use burn::tensor::{Bool, Float, Int, Tensor};

    use super::{OutputDim, PackSource, ReduceSource, Source, UnpackSource};
    use crate::burn::{AnyRank, TensorKind};
    use crate::error::Error;
    use crate::pack::PackedShapes;
    use crate::pattern::{PackPlan, Recipe};
    use crate::rank::{AnyElement, ElementRule, FloatOnly, Rank, TensorRank};
    use crate::sealed::{self, Sealed};
    use crate::tensor;

    impl ElementRule<Float> for AnyElement {}
    impl ElementRule<Int> for AnyElement {}
    impl ElementRule<Bool> for AnyElement {}
    impl ElementRule<Float> for FloatOnly {}

    macro_rules! single {
        ($($tensor:ty),*) => {$(
            impl<'a, const D: usize, K: TensorKind> Sealed<sealed::Source> for $tensor {}
            impl<'a, const D: usize, K: TensorKind> Source<'a> for $tensor
            where
                Rank<D>: TensorRank,
            {
                type Elem = K;
                type Dim = <Rank<D> as TensorRank>::Dim;
                type Output<O: OutputDim> = O::Burn<K>;
                fn rearrange<O: OutputDim>(self, recipe: &'static Recipe, lengths: &[i128]) -> Result<O::Burn<K>, Error> {
                    O::burn(tensor::apply(&AnyRank::from(self), recipe, lengths)?)
                }
            }

            impl<'a, const D: usize, K: TensorKind> ReduceSource<'a> for $tensor
            where
                Rank<D>: TensorRank,
            {
                fn reduce<O: OutputDim>(self, recipe: &'static Recipe, lengths: &[i128]) -> Result<O::Burn<K>, Error> {
                    O::burn(tensor::apply(&AnyRank::from(self), recipe, lengths)?)
                }
            }

            impl<'a, const D: usize, K: TensorKind> UnpackSource<'a> for $tensor
            where
                Rank<D>: TensorRank,
            {
                type Dim = <Rank<D> as TensorRank>::Dim;
                type Parts<S: OutputDim> = Vec<S::Burn<K>>;
                fn unpack<S: OutputDim>(
                    self,
                    shapes: &PackedShapes<S>,
                    plan: &PackPlan,
                ) -> Result<Vec<S::Burn<K>>, Error> {
                    let packed: AnyRank<K> = self.into();
                    tensor::unpack(&packed, shapes, plan)?.into_iter().map(S::burn).collect()
                }
            }
        )*};
    }
    single!(Tensor<D, K>, &'a Tensor<D, K>);

    macro_rules! lists {
        ($(<$($n:ident)?> $list:ty),*) => {$(
            impl<'a, const D: usize, K: TensorKind, $(const $n: usize)?> Sealed<sealed::Pack> for $list {}
            impl<'a, const D: usize, K: TensorKind, $(const $n: usize)?> PackSource<'a> for $list
            where
                Rank<D>: TensorRank,
            {
                type Dim = <Rank<D> as TensorRank>::Dim;
                type Packed<O: OutputDim> = (O::Burn<K>, PackedShapes<Self::Dim>);
                fn pack<O: OutputDim>(self, plan: &PackPlan) -> Result<Self::Packed<O>, Error> {
                    let parts: Vec<AnyRank<K>> = self.iter().map(|t| AnyRank::from(t.clone())).collect();
                    let (packed, shapes) = tensor::pack(&parts.iter().collect::<Vec<_>>(), plan)?;
                    Ok((O::burn(packed)?, shapes.retyped()))
                }
            }
        )*};
    }
    lists!(
        <N> [Tensor<D, K>; N], <N> [&'a Tensor<D, K>; N], <N> &'a [Tensor<D, K>; N],
        <N> &'a [&'a Tensor<D, K>; N], <> Vec<Tensor<D, K>>, <> Vec<&'a Tensor<D, K>>,
        <> &'a Vec<Tensor<D, K>>, <> &'a [Tensor<D, K>], <> &'a [&'a Tensor<D, K>]
    );
}
