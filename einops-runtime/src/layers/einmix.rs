//! EinMix: a linear layer written as an einsum pattern.
//!
//! The layer is split in two on purpose. An [`EinMixSpec`] is everything but the
//! parameters (the plan and the length values): it gives the parameters' shapes and fan-in
//! and computes the layer with parameters passed in ([`EinMixSpec::apply`]). An [`EinMix`]
//! is a spec with its ndarray parameters. Another backend needs only its own parameters
//! around the same spec.

use std::borrow::Cow;
use std::fmt;
use std::ops::Add;

use ndarray::{Array, ArrayD, ArrayView, CowArray, Dimension, IxDyn, Zip};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use smallvec::SmallVec;

use super::{split, write_lengths};
use crate::einsum::{self, Strided};
use crate::element::FloatElement;
use crate::error::{Call, CallOperation, Error, Parameter};
use crate::input::Lengths;
use crate::input::{ArrayLike, Input};
use crate::memo::Plan;
use crate::ops;
use crate::pattern::EinMixPlan;

/// Element types of EinMix parameters: `f32` and `f64`.
///
/// ```
/// use einops::layers::MixElement;
/// fn half<A: MixElement>() -> A {
///     A::from_f64(0.5)
/// }
/// assert_eq!(half::<f32>(), 0.5f32);
/// ```
pub trait MixElement: FloatElement + Add<Output = Self> + fmt::Debug + Send + Sync {
    /// The nearest value of this type.
    fn from_f64(value: f64) -> Self;
}

impl MixElement for f32 {
    fn from_f64(value: f64) -> f32 {
        value as f32
    }
}

impl MixElement for f64 {
    fn from_f64(value: f64) -> f64 {
        value
    }
}

/// An EinMix layer without its parameters: the checked plan and the length values.
///
/// Built by `einops::layers::EinMixSpec!(...)` (checked at compile time) or
/// [`EinMixSpec::new`]; it becomes an [`EinMix`] with initial parameters
/// ([`init`](EinMixSpec::init), [`seeded`](EinMixSpec::seeded)) or given ones
/// ([`with_params`](EinMixSpec::with_params)).
///
/// ```
/// use einops::layers::EinMixSpec;
/// let spec = EinMixSpec::new("b t c -> b t cout", "c cout", Some("cout"), &[("c", 4), ("cout", 8)])
///     .unwrap();
/// assert_eq!(spec.weight_shape().unwrap(), [4, 8]);
/// assert_eq!(spec.bias_shape().unwrap(), Some(vec![1, 1, 8]));
/// assert_eq!(spec.fan_in().unwrap(), 4);
/// let layer = spec.seeded::<f32>(7).unwrap();
/// let y = layer.forward(&ndarray::Array3::<f32>::ones((2, 5, 4))).unwrap();
/// assert_eq!(y.shape(), [2, 5, 8]);
/// ```
#[derive(Clone)]
pub struct EinMixSpec {
    /// The `static` plan of a macro call, or one parsed at run time.
    plan: Cow<'static, EinMixPlan>,
    /// The lengths, in the order of the plan's length names.
    lengths: Box<[i128]>,
}

impl EinMixSpec {
    /// Checks an EinMix layer at run time: `pattern` (`"b t c -> b t cout"`), the weight's
    /// axes (`"c cout"`), the bias's axes if it has a bias (`Some("cout")`), and the lengths
    /// of the weight and bias axes (plus any input axes to check or to split groups).
    ///
    /// ```
    /// let err = einops::layers::EinMixSpec::new("a b -> a c", "b c", None, &[("b", 2)])
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), "einmix_weight_size_missing");
    /// ```
    pub fn new(
        pattern: &str,
        weight_shape: &str,
        bias_shape: Option<&str>,
        lengths: Lengths<'_>,
    ) -> Result<EinMixSpec, Error> {
        let (names, values) = split(lengths);
        let plan = EinMixPlan::new(pattern, weight_shape, bias_shape, &names)?;
        Ok(EinMixSpec {
            plan: Cow::Owned(plan),
            lengths: values.into(),
        })
    }

    /// The spec of an `EinMixSpec!` call site.
    pub(crate) fn site(plan: &'static EinMixPlan, lengths: &[i128]) -> EinMixSpec {
        EinMixSpec {
            plan: Cow::Borrowed(plan),
            lengths: lengths.into(),
        }
    }

    /// The plan.
    pub fn plan(&self) -> &EinMixPlan {
        &self.plan
    }

    /// The values of the plan's axis lengths, in the order of its length names.
    pub fn lengths(&self) -> &[i128] {
        &self.lengths
    }

    /// A call of this layer, on inputs of these shapes (none while building it).
    pub(crate) fn call(&self, shapes: Vec<Vec<usize>>) -> Box<Call> {
        let lengths = Call::lengths(&self.plan.length_names, &self.lengths);
        Call::boxed(CallOperation::EinMix, &self.plan.pattern, shapes, lengths)
    }

    /// The length with index `index`, checked.
    fn length(&self, index: usize) -> Result<usize, Error> {
        let value = self.lengths[index];
        usize::try_from(value).map_err(|_| Error::InvalidLength {
            call: self.call(Vec::new()),
            axis: self.plan.length_names[index].to_string(),
            value,
        })
    }

    /// A shape from length indices (`None` is 1), with its element count checked.
    fn shape(
        &self,
        parameter: Parameter,
        axes: impl Iterator<Item = Option<usize>>,
    ) -> Result<Vec<usize>, Error> {
        let shape = axes
            .map(|axis| axis.map_or(Ok(1), |i| self.length(i)))
            .collect::<Result<Vec<usize>, Error>>()?;
        match shape.iter().try_fold(1usize, |n, &l| n.checked_mul(l)) {
            Some(_) => Ok(shape),
            None => Err(Error::ParameterSize {
                call: self.call(Vec::new()),
                parameter,
                shape,
            }),
        }
    }

    /// The weight's shape: the lengths of the weight axes, in written order.
    pub fn weight_shape(&self) -> Result<Vec<usize>, Error> {
        self.shape(Parameter::Weight, self.plan.weight.iter().map(|&i| Some(i)))
    }

    /// The bias's shape, `None` without bias: per output axis (groups flattened, the
    /// ellipsis left out) its length if the bias has it, else 1, so that it broadcasts
    /// from the right.
    pub fn bias_shape(&self) -> Result<Option<Vec<usize>>, Error> {
        self.plan
            .bias
            .as_ref()
            .map(|axes| self.shape(Parameter::Bias, axes.iter().copied()))
            .transpose()
    }

    /// How many inputs each output element combines: the product of the lengths of the
    /// weight axes the output lacks (1 if none).
    pub fn fan_in(&self) -> Result<usize, Error> {
        let shape = self.shape(Parameter::Weight, self.plan.fan_in.iter().map(|&i| Some(i)))?;
        Ok(shape.iter().product())
    }

    /// The layer with parameters drawn from `rng` as einops draws them: weight uniform in
    /// ±√(3 / fan_in), bias uniform in ±√(1 / fan_in).
    ///
    /// ```
    /// use einops::layers::EinMixSpec;
    /// use rand::SeedableRng;
    /// let spec = EinMixSpec::new("b c -> b d", "c d", None, &[("c", 3), ("d", 2)]).unwrap();
    /// let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
    /// let layer = spec.init::<f64, _>(&mut rng).unwrap();
    /// assert!(layer.weight().iter().all(|w| w.abs() <= 1.0)); // √(3/3)
    /// ```
    // `rand::Rng` in this signature is deliberate: any generator a user already has (a
    // seeded one of their own, rand's thread-local one) draws the parameters. It makes rand
    // 0.10 a public dependency, so a new major version of rand is a breaking release of
    // ours; `seeded` is the form that names no third-party type.
    pub fn init<A: MixElement, R: Rng + ?Sized>(self, rng: &mut R) -> Result<EinMix<A>, Error> {
        let fan_in = self.fan_in()? as f64;
        let mut uniform = |shape: Vec<usize>, bound: f64| -> ArrayD<A> {
            Array::from_shape_simple_fn(IxDyn(&shape), || {
                A::from_f64(rng.random_range(-bound..bound))
            })
        };
        let weight = uniform(self.weight_shape()?, (3.0 / fan_in).sqrt());
        let bias = self
            .bias_shape()?
            .map(|shape| uniform(shape, (1.0 / fan_in).sqrt()));
        Ok(EinMix {
            spec: self,
            weight,
            bias,
        })
    }

    /// [`init`](EinMixSpec::init) from a xoshiro256++ generator seeded with `seed`: the
    /// same parameters for the same seed, on every platform.
    ///
    /// ```
    /// let spec = einops::layers::EinMixSpec::new("b c -> b d", "c d", None, &[("c", 3), ("d", 2)])
    ///     .unwrap();
    /// let a = spec.clone().seeded::<f32>(42).unwrap();
    /// let b = spec.seeded::<f32>(42).unwrap();
    /// assert_eq!(a.weight(), b.weight());
    /// ```
    pub fn seeded<A: MixElement>(self, seed: u64) -> Result<EinMix<A>, Error> {
        self.init(&mut Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    /// The layer with the given parameters, whose shapes must be
    /// [`weight_shape`](EinMixSpec::weight_shape) and [`bias_shape`](EinMixSpec::bias_shape)
    /// (a bias exactly when the layer has one).
    ///
    /// ```
    /// use einops::layers::EinMixSpec;
    /// let spec = EinMixSpec::new("b c -> b d", "c d", None, &[("c", 3), ("d", 2)]).unwrap();
    /// let err = spec.with_params(ndarray::Array::<f32, _>::zeros(vec![2, 3]), None).unwrap_err();
    /// assert_eq!(err.kind(), "einmix_parameter_shape");
    /// ```
    pub fn with_params<A: MixElement>(
        self,
        weight: ArrayD<A>,
        bias: Option<ArrayD<A>>,
    ) -> Result<EinMix<A>, Error> {
        self.check(
            Parameter::Weight,
            Some(&self.weight_shape()?[..]),
            Some(weight.shape()),
        )?;
        self.check(
            Parameter::Bias,
            self.bias_shape()?.as_deref(),
            bias.as_ref().map(ArrayD::shape),
        )?;
        Ok(EinMix {
            spec: self,
            weight,
            bias,
        })
    }

    /// A parameter of the expected shape, or the error naming both.
    pub(super) fn check(
        &self,
        parameter: Parameter,
        expected: Option<&[usize]>,
        actual: Option<&[usize]>,
    ) -> Result<(), Error> {
        if expected == actual {
            return Ok(());
        }
        Err(Error::ParameterShape {
            call: self.call(Vec::new()),
            parameter,
            expected: expected.map(<[usize]>::to_vec),
            actual: actual.map(<[usize]>::to_vec),
        })
    }

    /// Computes the layer on `input` with these parameters (of the shapes
    /// [`weight_shape`](EinMixSpec::weight_shape) and [`bias_shape`](EinMixSpec::bias_shape)):
    /// rearrange to flat axes, einsum with the weight, add the bias, rearrange to the
    /// output. Errors name the step's own pattern (e.g. the flat einsum).
    ///
    /// ```
    /// use einops::layers::EinMixSpec;
    /// let spec = EinMixSpec::new("(b c) -> b d", "c d", None, &[("c", 2), ("d", 1)]).unwrap();
    /// let weight = ndarray::arr2(&[[1.0], [10.0]]).into_dyn();
    /// let y = spec.apply(ndarray::arr1(&[1.0, 2.0, 3.0, 4.0]), weight.view(), None).unwrap();
    /// assert_eq!(y, ndarray::arr2(&[[21.0], [43.0]]).into_dyn());
    /// ```
    pub fn apply<'a, I>(
        &self,
        input: I,
        weight: ArrayView<'_, I::Elem, IxDyn>,
        bias: Option<ArrayView<'_, I::Elem, IxDyn>>,
    ) -> Result<ArrayD<I::Elem>, Error>
    where
        I: ArrayLike<'a>,
        I::Elem: MixElement,
    {
        let plan = &*self.plan;
        let input = input.into_cow();
        let input_dim = input.raw_dim();
        let flat: CowArray<'a, I::Elem, IxDyn> = match self.step(|plan| plan.pre.as_ref()) {
            Some(pre) => {
                let lengths: SmallVec<[i128; 8]> =
                    plan.pre_lengths.iter().map(|&i| self.lengths[i]).collect();
                ops::rearrange(Input::Single(input), pre, &lengths)?.into()
            }
            None => input.into_dyn(),
        };
        let einsum_plan = self
            .step(|plan| Some(&plan.einsum))
            .expect("an EinMix plan always has its einsum");
        let operands = [Strided::of(&flat), Strided::of(&weight)];
        let mut y: ArrayD<I::Elem> = einsum::einsum(einsum_plan, &operands, &self.lengths)?;
        if let Some(bias) = bias {
            // The bias broadcasts from the right; a wrong shape is reported with the right one.
            let broadcast = bias
                .broadcast(y.raw_dim())
                .ok_or_else(|| match self.bias_shape() {
                    Ok(expected) => Error::ParameterShape {
                        call: self.call(vec![input_dim.slice().to_vec()]),
                        parameter: Parameter::Bias,
                        expected,
                        actual: Some(bias.shape().to_vec()),
                    },
                    Err(err) => err,
                })?;
            Zip::from(&mut y)
                .and(&broadcast)
                .for_each(|y, &b| *y = *y + b);
        }
        match self.step(|plan| plan.post.as_ref()) {
            Some(post) => ops::rearrange(Input::Single(y.into()), post, &[]),
            None => Ok(y),
        }
    }

    /// One step of the plan as the operations take it: a macro's plan is a `static`, so
    /// its steps name the call site and their walks and products are memoised.
    fn step<P: 'static>(&self, part: impl Fn(&EinMixPlan) -> Option<&P>) -> Option<Plan<'_, P>> {
        match &self.plan {
            Cow::Borrowed(plan) => part(plan).map(Plan::Site),
            Cow::Owned(plan) => part(plan).map(Plan::Parsed),
        }
    }
}

impl fmt::Debug for EinMixSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = &*self.plan;
        write!(
            f,
            "EinMix({:?}, weight_shape = {:?}",
            &*plan.pattern, &*plan.weight_shape
        )?;
        if let Some(bias) = &plan.bias_shape {
            write!(f, ", bias_shape = {:?}", &**bias)?;
        }
        write_lengths(f, &plan.length_names, &self.lengths)?;
        f.write_str(")")
    }
}

/// A linear layer written as einops: `"b t c -> b t cout"` with weight `"c cout"` is a
/// dense layer over the last axis; groups split or merge around it
/// (`"t b (head cin) -> t b (head cout)"` with weight `"head cin cout"` mixes per head).
///
/// Build it from an [`EinMixSpec`] (`EinMixSpec!(...)` or [`EinMixSpec::new`]), or with
/// [`EinMix::new`]. [`forward`](EinMix::forward) takes one array of any form with
/// elements `A` and returns an `IxDyn` array.
///
/// ```
/// use einops::layers::EinMix;
/// let mix = EinMix::<f64>::new(
///     "t b (head cin) -> t b (head cout)",
///     "head cin cout",
///     None,
///     &[("head", 2), ("cin", 3), ("cout", 4)],
///     0,
/// )
/// .unwrap();
/// assert_eq!(mix.weight().shape(), [2, 3, 4]);
/// let y = mix.forward(&ndarray::Array3::<f64>::zeros((5, 1, 6))).unwrap();
/// assert_eq!(y.shape(), [5, 1, 8]);
/// ```
#[derive(Clone)]
pub struct EinMix<A> {
    spec: EinMixSpec,
    weight: ArrayD<A>,
    bias: Option<ArrayD<A>>,
}

impl<A: MixElement> EinMix<A> {
    /// Checks the layer at run time ([`EinMixSpec::new`]) and initialises its parameters
    /// from `seed` ([`EinMixSpec::seeded`]).
    pub fn new(
        pattern: &str,
        weight_shape: &str,
        bias_shape: Option<&str>,
        lengths: Lengths<'_>,
        seed: u64,
    ) -> Result<EinMix<A>, Error> {
        EinMixSpec::new(pattern, weight_shape, bias_shape, lengths)?.seeded(seed)
    }

    /// Applies the layer to `input`.
    pub fn forward<'a, I>(&self, input: I) -> Result<ArrayD<A>, Error>
    where
        I: ArrayLike<'a, Elem = A>,
    {
        self.spec.apply(
            input,
            self.weight.view(),
            self.bias.as_ref().map(|b| b.view()),
        )
    }

    /// The spec: plan and lengths.
    pub fn spec(&self) -> &EinMixSpec {
        &self.spec
    }

    /// The weight.
    pub fn weight(&self) -> &ArrayD<A> {
        &self.weight
    }

    /// The bias, if the layer has one.
    pub fn bias(&self) -> Option<&ArrayD<A>> {
        self.bias.as_ref()
    }

    /// The spec, weight and bias.
    pub fn into_parts(self) -> (EinMixSpec, ArrayD<A>, Option<ArrayD<A>>) {
        (self.spec, self.weight, self.bias)
    }
}

impl<A: fmt::Debug> fmt::Debug for EinMix<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EinMix")
            .field("spec", &self.spec)
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .finish()
    }
}
