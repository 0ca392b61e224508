//! The dimension types a macro's result can have, and what each one is for a backend
//! whose tensor type carries its rank (burn's `Tensor<N, K>`).

use ndarray::{Dimension, Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, Ix6, IxDyn};

#[cfg(feature = "burn")]
use burn::tensor::Tensor;

#[cfg(feature = "burn")]
use crate::burn::{AnyRank, TensorKind};
#[cfg(feature = "burn")]
use crate::error::Error;
use crate::sealed::{Rank, Sealed};

/// `Ix0`–`Ix6` and `IxDyn`: the results the rank rules name.
pub trait OutputDim: Dimension + Sealed<Rank> {
    /// The burn tensor of this rank: `Tensor<N, K>` (`Tensor<1, K>` of shape `[1]` for
    /// `Ix0`, as burn has no rank 0), and [`AnyRank`] for `IxDyn`.
    #[cfg(feature = "burn")]
    type Burn<K: TensorKind>;
    /// The result of a burn computation as that type.
    #[cfg(feature = "burn")]
    fn burn<K: TensorKind>(result: AnyRank<K>) -> Result<Self::Burn<K>, Error>;
}

macro_rules! fixed {
    ($($ix:ty => $n:literal),*) => {$(
        impl OutputDim for $ix {
            #[cfg(feature = "burn")]
            type Burn<K: TensorKind> = Tensor<$n, K>;
            #[cfg(feature = "burn")]
            fn burn<K: TensorKind>(result: AnyRank<K>) -> Result<Tensor<$n, K>, Error> {
                result.into_tensor()
            }
        }
    )*};
}
fixed!(Ix0 => 1, Ix1 => 1, Ix2 => 2, Ix3 => 3, Ix4 => 4, Ix5 => 5, Ix6 => 6);

impl OutputDim for IxDyn {
    #[cfg(feature = "burn")]
    type Burn<K: TensorKind> = AnyRank<K>;
    #[cfg(feature = "burn")]
    fn burn<K: TensorKind>(result: AnyRank<K>) -> Result<AnyRank<K>, Error> {
        Ok(result)
    }
}
