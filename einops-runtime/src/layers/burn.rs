//! The layers on burn (feature `burn`): the pattern layers are burn [`Module`]s without
//! parameters, applied with `forward_burn`; [`BurnEinMix`] is a `Module` whose weight and
//! bias are [`Param`]s, so burn's optimisers train them and its records save and load them.
//! Every forward is lowered by [`crate::burn`] to burn's own ops.

use burn::module::{
    Content, Devices, Module, ModuleDisplay, ModuleDisplayDefault, ModuleMapper, ModuleVisitor,
    Param,
};
use burn::tensor::{Device, Distribution, Tensor, TensorCreationOptions};

use super::{EinMixSpec, Rearrange, Reduce, Repeat};
use crate::burn::{AnyRank, TensorKind};
use crate::error::{Error, Parameter};
use crate::rank::{Rank, TensorRank};
use crate::tensor::{self, backend, Lowered};

/// burn's `Module` for a layer without parameters: nothing to visit, map or move, as
/// burn does for its own constants; shown as the layer is written.
macro_rules! constant_modules {
    ($($layer:ident),*) => {$(
        impl Module for $layer {
            fn collect_devices(&self, devices: Devices) -> Devices {
                devices
            }
            fn fork(self, _: &Device) -> Self {
                self
            }
            fn to_device(self, _: &Device) -> Self {
                self
            }
            fn train(self) -> Self {
                self
            }
            fn valid(&self) -> Self {
                self.clone()
            }
            fn materialize(self) -> Self {
                self
            }
            fn visit<V: ModuleVisitor>(&self, _: &mut V) {}
            fn map<M: ModuleMapper>(self, _: &mut M) -> Self {
                self
            }
        }

        impl ModuleDisplayDefault for $layer {
            fn content(&self, content: Content) -> Option<Content> {
                content.add_formatted(&format!("{self:?}")).optional()
            }
        }

        impl ModuleDisplay for $layer {}
    )*};
}
constant_modules!(Rearrange, Reduce, Repeat, EinMixSpec);

/// The pattern layers' forward on burn tensors.
macro_rules! pattern_forward {
    ($($layer:ident),*) => {$(
        impl $layer {
            /// Applies the layer to a burn tensor (feature `burn`); the result's rank `O`
            /// is the caller's to name and is checked when the code runs
            /// ([`Error::OutputRank`]).
            ///
            /// ```
            /// # use einops_runtime as einops;
            /// use burn::tensor::{Device, Tensor};
            /// let flatten = einops::layers::Rearrange::new("b c h w -> b (c h w)", &[])?;
            /// let x = Tensor::<4>::zeros([2, 3, 4, 5], &Device::default());
            /// let y: Tensor<2> = flatten.forward_burn(x)?;
            /// assert_eq!(y.dims(), [2, 60]);
            /// # Ok::<(), einops::Error>(())
            /// ```
            pub fn forward_burn<const D: usize, const O: usize, K: TensorKind>(
                &self,
                input: Tensor<D, K>,
            ) -> Result<Tensor<O, K>, Error>
            where
                Rank<D>: TensorRank,
            {
                crate::burn::apply(&input, &self.0.recipe, &self.0.lengths)
            }
        }
    )*};
}
pattern_forward!(Rearrange, Reduce, Repeat);

impl EinMixSpec {
    /// The layer with burn parameters created with `options` (`&device`, or
    /// `(&device, dtype)`), initialised as einops does: weight uniform in ±√(3 / fan_in),
    /// bias in ±√(1 / fan_in) (burn's generator: `device.seed(…)` makes them reproducible).
    ///
    /// ```
    /// # use einops_runtime as einops;
    /// use burn::tensor::{Device, Tensor};
    /// use einops::layers::EinMixSpec;
    ///
    /// let spec = EinMixSpec::new("b t c -> b t d", "c d", Some("d"), &[("c", 4), ("d", 8)])?;
    /// let mix = spec.burn(&Device::default())?;
    /// assert_eq!(mix.weight()?.dims(), [4, 8]);
    /// let y: Tensor<3> = mix.forward(Tensor::<3>::ones([2, 5, 4], &Device::default()))?;
    /// assert_eq!(y.dims(), [2, 5, 8]);
    /// # Ok::<(), einops::Error>(())
    /// ```
    pub fn burn(self, options: impl Into<TensorCreationOptions>) -> Result<BurnEinMix, Error> {
        let options = options.into();
        let fan_in = self.fan_in()? as f64;
        let uniform = |len: usize, bound: f64| {
            let uniform = Distribution::Uniform(-bound, bound);
            Param::from_tensor(Tensor::<1>::random([len], uniform, options.clone()))
        };
        let weight = uniform(self.weight_shape()?.iter().product(), (3.0 / fan_in).sqrt());
        let bias_bound = (1.0 / fan_in).sqrt();
        let bias = (self.bias_shape()?).map(|shape| uniform(shape.iter().product(), bias_bound));
        Ok(BurnEinMix {
            spec: self,
            weight,
            bias,
        })
    }
}

impl EinMixSpec {
    /// The layer with the given parameters (of the shapes
    /// [`weight_shape`](EinMixSpec::weight_shape) and [`bias_shape`](EinMixSpec::bias_shape),
    /// as [`AnyRank`]s made from tensors of any rank with `into()`), e.g. trained ones, or
    /// those of a `Linear` whose weight `d (head k)` is this EinMix's `d head k`.
    ///
    /// ```
    /// # use einops_runtime as einops;
    /// use burn::tensor::{Device, Tensor};
    /// use einops::layers::EinMixSpec;
    ///
    /// let spec = EinMixSpec::new("b c -> b d", "c d", None, &[("c", 3), ("d", 2)])?;
    /// let weight = Tensor::<2>::ones([3, 2], &Device::default());
    /// let mix = spec.clone().burn_with_params(weight.into(), None)?;
    /// let y: Tensor<2> = mix.forward(Tensor::<2>::ones([4, 3], &Device::default()))?;
    /// assert_eq!(y.into_data().try_into_vec::<f32>().unwrap(), [3.0; 8]);
    /// let wrong = Tensor::<2>::ones([2, 3], &Device::default());
    /// assert_eq!(spec.burn_with_params(wrong.into(), None).unwrap_err().kind(), "einmix_parameter_shape");
    /// # Ok::<(), einops::Error>(())
    /// ```
    pub fn burn_with_params(
        self,
        weight: AnyRank,
        bias: Option<AnyRank>,
    ) -> Result<BurnEinMix, Error> {
        self.check(
            Parameter::Weight,
            Some(&self.weight_shape()?[..]),
            Some(&weight.dims()[..]),
        )?;
        self.check(
            Parameter::Bias,
            self.bias_shape()?.as_deref(),
            bias.as_ref().map(AnyRank::dims).as_deref(),
        )?;
        let flat = |tensor: AnyRank| -> Result<Param<Tensor<1>>, Error> {
            let len = tensor.dims().iter().product();
            let flat = tensor
                .reshape(&[len])
                .map_err(backend::<AnyRank>(|| self.call(Vec::new())))?;
            Ok(Param::from_tensor(flat.into_tensor()?))
        };
        Ok(BurnEinMix {
            weight: flat(weight)?,
            bias: bias.map(flat).transpose()?,
            spec: self,
        })
    }
}

/// An EinMix layer with burn parameters (feature `burn`), made by [`EinMixSpec::burn`]:
/// it computes what [`EinMix`](super::EinMix) computes, with burn ops on the parameters'
/// device. The parameters are kept flat (`Param<Tensor<1>>`), since their ranks follow
/// the pattern; [`weight`](BurnEinMix::weight) and [`bias`](BurnEinMix::bias) give them
/// in their shapes.
///
/// ```
/// # use einops_runtime as einops;
/// use burn::module::Module;
/// use burn::tensor::{Device, Tensor};
/// use einops::layers::EinMixSpec;
///
/// let device = Device::default();
/// let spec = EinMixSpec::new("t (head c) -> t (head d)", "head c d", None,
///                            &[("head", 2), ("c", 3), ("d", 4)])?;
/// let mix = spec.burn(&device)?;
/// assert_eq!(mix.num_params(), 2 * 3 * 4);
/// let y: Tensor<2> = mix.forward(Tensor::<2>::zeros([5, 6], &device))?;
/// assert_eq!(y.dims(), [5, 8]);
/// # Ok::<(), einops::Error>(())
/// ```
#[derive(Module, Debug)]
pub struct BurnEinMix {
    spec: EinMixSpec,
    weight: Param<Tensor<1>>,
    bias: Option<Param<Tensor<1>>>,
}

impl BurnEinMix {
    /// Applies the layer to `input`: rearrange to flat axes, einsum with the weight, add
    /// the bias, rearrange to the output of rank `O`.
    pub fn forward<const D: usize, const O: usize>(
        &self,
        input: Tensor<D>,
    ) -> Result<Tensor<O>, Error>
    where
        Rank<D>: TensorRank,
    {
        let call = || self.spec.call(vec![input.dims().to_vec()]);
        let weight = self.weight()?;
        let bias = self.bias()?;
        let input: AnyRank = (&input).into();
        tensor::einmix(
            self.spec.plan(),
            self.spec.lengths(),
            &input,
            &weight,
            bias.as_ref(),
            call,
        )?
        .into_tensor()
    }

    /// The spec: plan and lengths.
    pub fn spec(&self) -> &EinMixSpec {
        &self.spec
    }

    /// The weight and the bias as burn stores them (flat), for their gradients
    /// (`param.val().grad(&grads)`) and burn's optimisers.
    ///
    /// ```
    /// # use einops_runtime as einops;
    /// use burn::tensor::Device;
    /// let spec = einops::layers::EinMixSpec::new("b c -> b d", "c d", Some("d"), &[("c", 3), ("d", 2)])?;
    /// let mix = spec.burn(&Device::default())?;
    /// let (weight, bias) = mix.params();
    /// assert_eq!(weight.val().dims(), [6]);
    /// assert_eq!(bias.map(|b| b.val().dims()), Some([2]));
    /// # Ok::<(), einops::Error>(())
    /// ```
    pub fn params(&self) -> (&Param<Tensor<1>>, Option<&Param<Tensor<1>>>) {
        (&self.weight, self.bias.as_ref())
    }

    /// The weight, in its shape ([`EinMixSpec::weight_shape`]).
    pub fn weight(&self) -> Result<AnyRank, Error> {
        self.shaped(&self.weight, self.spec.weight_shape()?)
    }

    /// The bias in its shape, if the layer has one.
    pub fn bias(&self) -> Result<Option<AnyRank>, Error> {
        match (&self.bias, self.spec.bias_shape()?) {
            (Some(bias), Some(shape)) => self.shaped(bias, shape).map(Some),
            _ => Ok(None),
        }
    }

    fn shaped(&self, param: &Param<Tensor<1>>, shape: Vec<usize>) -> Result<AnyRank, Error> {
        let flat: AnyRank = param.val().into();
        flat.reshape(&shape)
            .map_err(backend::<AnyRank>(|| self.spec.call(Vec::new())))
    }
}
