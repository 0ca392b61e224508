//! What `einsum!` / `einsum_into!` expansions call (through `einops::__private`): each
//! operand is converted under its rank rule, then one call computes the call site's
//! constant plan, whose planned products are memoised per thread.

use ndarray::{Array, ArrayBase, CowArray, DataMut, Dimension};

use crate::einsum::{Plan, Strided};
use crate::element::Reducible;
use crate::error::Error;
use crate::input::ArrayLike;
use crate::pattern::EinsumPlan;
use crate::rank::einsum::{Broadcast, Ellipsis, OperandRule, OutputRule};
use crate::rank::OutputFits;
use crate::sealed::{Held, Sealed, Source};
use crate::site::Site;

use super::OutputDim;

/// What an `einsum!` operand can be: one ndarray array of any form ([`ArrayLike`]) and,
/// with the feature `candle`, a `Tensor` or `&Tensor` (rank checked at run time).
pub trait EinsumSource<'a>: Sealed<Source> {
    /// The dimension type the rank rules see (`IxDyn` for tensors).
    type Dim: Dimension;
    /// What the operand is held as until the call: a `CowArray` or the tensor.
    type Held: Viewed;
    /// Converts the operand.
    fn hold(self) -> Self::Held;
}

impl<'a, I: ArrayLike<'a>> EinsumSource<'a> for I {
    type Dim = I::Dim;
    type Held = CowArray<'a, I::Elem, I::Dim>;
    fn hold(self) -> Self::Held {
        self.into_cow()
    }
}

impl<'a, I: ArrayLike<'a>> Sealed<Held> for I {}
impl<A> Sealed<Held> for Strided<'_, A> {}

/// A held operand, and what einsum reads it through.
pub trait Viewed: Sealed<Held> {
    /// A [`Strided`] view of an array, or a borrowed tensor.
    type View<'v>
    where
        Self: 'v;
    /// The view.
    fn view(&self) -> Self::View<'_>;
}

impl<A, D: Dimension> Viewed for CowArray<'_, A, D> {
    type View<'v>
        = Strided<'v, A>
    where
        Self: 'v;
    fn view(&self) -> Strided<'_, A> {
        Strided::of(self)
    }
}

/// The views of a call's operands, all of one kind: what computes the result.
pub trait Contract: Sized + Sealed<Held> {
    /// The result when the output rule gives the dimension type `O`.
    type Output<O: OutputDim>;
    /// Computes the call site's plan.
    fn contract<O: OutputDim>(
        operands: &[Self],
        plan: &'static EinsumPlan,
        lengths: &[i128],
    ) -> Result<Self::Output<O>, Error>;
}

impl<A: Reducible> Contract for Strided<'_, A> {
    type Output<O: OutputDim> = Array<A, O>;
    fn contract<O: OutputDim>(
        operands: &[Self],
        plan: &'static EinsumPlan,
        lengths: &[i128],
    ) -> Result<Array<A, O>, Error> {
        crate::einsum::einsum(Plan::Site(plan), operands, lengths)
    }
}

/// An operand converted by [`einsum_operand`], with the marker of the dimension type `E`
/// of what its ellipsis matches.
pub type Converted<'a, I, E> = (<I as EinsumSource<'a>>::Held, Ellipsis<E>);

/// `einsum!`: one operand, its rank checked by `R`.
pub fn einsum_operand<'a, R, I>(operand: I) -> Converted<'a, I, R::Ellipsis>
where
    I: EinsumSource<'a>,
    R: OperandRule<I::Dim>,
{
    (operand.hold(), Ellipsis::new())
}

/// `einsum!`: the ellipsis dimensions of two operands broadcast together.
pub fn einsum_broadcast<E: Broadcast<F>, F: Dimension>(
    _: Ellipsis<E>,
    _: Ellipsis<F>,
) -> Ellipsis<<E as Broadcast<F>>::Output> {
    Ellipsis::new()
}

/// `einsum!`: the view einsum reads a converted operand through.
pub fn einsum_view<H: Viewed>(operand: &H) -> H::View<'_> {
    operand.view()
}

/// `einsum!`: computes the call site's plan into a new array whose dimension type `R`
/// derives from the broadcast ellipsis `E`.
pub fn einsum<R, E, V>(
    _: Ellipsis<E>,
    operands: &[V],
    site: &'static Site<EinsumPlan>,
    lengths: &[i128],
) -> Result<V::Output<R::Output>, Error>
where
    R: OutputRule<E, Output: OutputDim>,
    E: Dimension,
    V: Contract,
{
    V::contract(operands, site.plan()?, lengths)
}

/// `einsum_into!`: computes the call site's plan into `out`.
pub fn einsum_into<R, E, A, S, O>(
    out: &mut ArrayBase<S, O>,
    _: Ellipsis<E>,
    operands: &[Strided<'_, A>],
    site: &'static Site<EinsumPlan>,
    lengths: &[i128],
) -> Result<(), Error>
where
    R: OutputRule<E>,
    E: Dimension,
    A: Reducible,
    S: DataMut<Elem = A>,
    O: Dimension + OutputFits<R::Output>,
{
    crate::einsum::einsum_into(out, Plan::Site(site.plan()?), operands, lengths)
}

#[cfg(feature = "candle")]
mod tensors {
    use candle_core::Tensor;
    use ndarray::IxDyn;

    use super::{Contract, EinsumSource, OutputDim, Viewed};
    use crate::error::Error;
    use crate::pattern::EinsumPlan;

    crate::sealed::seal!(crate::sealed::Held: Tensor, &Tensor);

    impl EinsumSource<'_> for Tensor {
        type Dim = IxDyn;
        type Held = Tensor;
        fn hold(self) -> Tensor {
            self
        }
    }

    impl<'a> EinsumSource<'a> for &'a Tensor {
        type Dim = IxDyn;
        type Held = &'a Tensor;
        fn hold(self) -> &'a Tensor {
            self
        }
    }

    impl Viewed for Tensor {
        type View<'v> = &'v Tensor;
        fn view(&self) -> &Tensor {
            self
        }
    }

    impl Viewed for &Tensor {
        type View<'v>
            = &'v Tensor
        where
            Self: 'v;
        fn view(&self) -> &Tensor {
            self
        }
    }

    impl Contract for &Tensor {
        type Output<O: OutputDim> = Tensor;
        fn contract<O: OutputDim>(
            operands: &[Self],
            plan: &'static EinsumPlan,
            lengths: &[i128],
        ) -> Result<Tensor, Error> {
            crate::candle::einsum(operands, plan, lengths)
        }
    }
}

/// burn operands are held as [`AnyRank`](crate::burn::AnyRank)s, one type for the
/// operands' different ranks (each checked at compile time by its rule).
#[cfg(feature = "burn")]
mod burn_tensors {
    use burn::tensor::Tensor;

    use super::{Contract, EinsumSource, OutputDim, Viewed};
    use crate::burn::{AnyRank, TensorKind};
    use crate::error::Error;
    use crate::pattern::EinsumPlan;
    use crate::rank::{Rank, TensorRank};
    use crate::sealed::{Held, Sealed};
    use crate::tensor;

    impl<K: TensorKind> Sealed<Held> for AnyRank<K> {}
    impl<K: TensorKind> Sealed<Held> for &AnyRank<K> {}

    macro_rules! operands {
        ($($tensor:ty),*) => {$(
            impl<'a, const D: usize, K: TensorKind> EinsumSource<'a> for $tensor
            where
                Rank<D>: TensorRank,
            {
                type Dim = <Rank<D> as TensorRank>::Dim;
                type Held = AnyRank<K>;
                fn hold(self) -> AnyRank<K> {
                    self.into()
                }
            }
        )*};
    }
    operands!(Tensor<D, K>, &'a Tensor<D, K>);

    impl<K: TensorKind> Viewed for AnyRank<K> {
        type View<'v> = &'v AnyRank<K>;
        fn view(&self) -> &AnyRank<K> {
            self
        }
    }

    impl<K: TensorKind> Contract for &AnyRank<K> {
        type Output<O: OutputDim> = O::Burn<K>;
        fn contract<O: OutputDim>(
            operands: &[Self],
            plan: &'static EinsumPlan,
            lengths: &[i128],
        ) -> Result<O::Burn<K>, Error> {
            O::burn(tensor::einsum(operands, plan, lengths)?)
        }
    }
}
