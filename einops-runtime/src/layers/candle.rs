//! The layers on candle (feature `candle`): every layer is a [`candle_core::Module`], so it
//! goes into `candle_nn::seq()` or `tensor.apply(&layer)`, lowered by
//! [`crate::candle`]; an EinMix takes its parameters from a [`VarBuilder`].

use candle_core::{Module, Tensor};
use candle_nn::{Init, VarBuilder};

use super::{EinMixSpec, Rearrange, Reduce, Repeat};
use crate::candle;
use crate::error::Error;
use crate::tensor::{self, backend};

/// `Module` for the pattern layers: [`crate::candle::apply`] with the layer's recipe and
/// lengths. An einops error becomes a candle error printing the einops message (candle
/// keeps it as text only: for the typed [`Error`], call `einops::candle::apply(&x,
/// layer.recipe(), layer.lengths())`).
macro_rules! pattern_modules {
    ($($layer:ident),*) => {$(
        impl Module for $layer {
            fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
                Ok(candle::apply(xs, &self.0.recipe, &self.0.lengths)?)
            }
        }
    )*};
}
pattern_modules!(Rearrange, Reduce, Repeat);

impl EinMixSpec {
    /// The layer with candle parameters from `vb`, named `weight` and `bias` (as
    /// `candle_nn::linear` names them), of the shapes [`weight_shape`](EinMixSpec::weight_shape)
    /// and [`bias_shape`](EinMixSpec::bias_shape). Parameters `vb` creates (from a
    /// `VarMap`) are initialised as einops does: weight uniform in ±√(3 / fan_in), bias in
    /// ±√(1 / fan_in). A parameter `vb` lacks or holds with another shape is an
    /// [`Error::Backend`].
    ///
    /// ```
    /// # use einops_runtime as einops;
    /// use candle_core::{DType, Device, Module, Tensor};
    /// use candle_nn::{VarBuilder, VarMap};
    /// use einops::layers::EinMixSpec;
    ///
    /// let vars = VarMap::new();
    /// let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
    /// let spec = EinMixSpec::new("b t c -> b t d", "c d", Some("d"), &[("c", 4), ("d", 8)])?;
    /// let mix = spec.candle(vb.pp("mix"))?;
    /// assert_eq!(mix.weight().dims(), [4, 8]);
    /// let x = Tensor::ones((2, 5, 4), DType::F32, &Device::Cpu)?;
    /// assert_eq!(x.apply(&mix)?.dims(), [2, 5, 8]);
    /// assert_eq!(vars.all_vars().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn candle(self, vb: VarBuilder) -> Result<CandleEinMix, Error> {
        let fan_in = self.fan_in()? as f64;
        let uniform = |bound: f64| Init::Uniform {
            lo: -bound,
            up: bound,
        };
        let fail = || {
            let fail = backend::<Tensor>(|| self.call(Vec::new()));
            |err: candle_core::Error| fail(err.to_string())
        };
        let weight = vb
            .get_with_hints(
                self.weight_shape()?,
                "weight",
                uniform((3.0 / fan_in).sqrt()),
            )
            .map_err(fail())?;
        let bias = match self.bias_shape()? {
            Some(shape) => Some(
                vb.get_with_hints(shape, "bias", uniform((1.0 / fan_in).sqrt()))
                    .map_err(fail())?,
            ),
            None => None,
        };
        Ok(CandleEinMix {
            spec: self,
            weight,
            bias,
        })
    }
}

/// An EinMix layer with candle parameters (feature `candle`), made by
/// [`EinMixSpec::candle`]. It computes what [`EinMix`](super::EinMix) computes, with
/// candle ops on the parameters' device; as a [`Module`] it goes into `candle_nn::seq()`.
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{DType, Device, Tensor};
/// use candle_nn::{VarBuilder, VarMap};
/// use einops::layers::EinMixSpec;
///
/// let vars = VarMap::new();
/// let vb = VarBuilder::from_varmap(&vars, DType::F64, &Device::Cpu);
/// let heads = EinMixSpec::new(
///     "t b (head cin) -> t b (head cout)",
///     "head cin cout",
///     None,
///     &[("head", 2), ("cin", 3), ("cout", 4)],
/// )?
/// .candle(vb)?;
/// let y = heads.forward(&Tensor::zeros((5, 1, 6), DType::F64, &Device::Cpu)?)?;
/// assert_eq!(y.dims(), [5, 1, 8]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct CandleEinMix {
    spec: EinMixSpec,
    weight: Tensor,
    bias: Option<Tensor>,
}

impl CandleEinMix {
    /// Applies the layer to `input`, as [`EinMixSpec::apply`] does on arrays: rearrange
    /// to flat axes, einsum with the weight, add the bias, rearrange to the output.
    pub fn forward(&self, input: &Tensor) -> Result<Tensor, Error> {
        tensor::einmix(
            self.spec.plan(),
            self.spec.lengths(),
            input,
            &self.weight,
            self.bias.as_ref(),
            || self.spec.call(vec![input.dims().to_vec()]),
        )
    }

    /// The spec: plan and lengths.
    pub fn spec(&self) -> &EinMixSpec {
        &self.spec
    }

    /// The weight.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, if the layer has one.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }
}

/// `Module` for EinMix: [`CandleEinMix::forward`], an einops error becoming a candle error
/// that prints the einops message.
impl Module for CandleEinMix {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        Ok(CandleEinMix::forward(self, xs)?)
    }
}
