//! Layers: a pattern checked once, applied to any number of inputs.
//!
//! [`Rearrange`], [`Reduce`] and [`Repeat`] hold a [`Recipe`] and their axis lengths;
//! [`EinMix`] holds an [`EinMixSpec`] (an [`EinMixPlan`](crate::pattern::EinMixPlan) and
//! its lengths) and its parameters. The `einops` macros `Rearrange!`, `Reduce!`,
//! `Repeat!` and `EinMixSpec!` build them from patterns checked at compile time, around a
//! `static` plan; the `new` constructors build the same values from strings at run time.
//! Nothing is parsed when a layer is applied.
//!
//! With the feature `candle`, the pattern layers are `candle_core::Module`s and
//! `EinMixSpec::candle` makes an EinMix whose parameters come from a `candle_nn::VarBuilder`.
//! With the feature `burn`, the layers are burn `Module`s (`forward_burn` for the pattern
//! layers) and `EinMixSpec::burn` makes an EinMix with burn `Param`s.

#[cfg(feature = "burn")]
mod burn;
#[cfg(feature = "candle")]
mod candle;
mod einmix;

use std::borrow::Cow;
use std::fmt;

use ndarray::{Array, IxDyn};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::Lengths;
use crate::input::Operand;
use crate::ops::{self, Plan};
use crate::pattern::{Operation, Recipe};

#[cfg(feature = "burn")]
pub use burn::BurnEinMix;
#[cfg(feature = "candle")]
pub use candle::CandleEinMix;
pub use einmix::{EinMix, EinMixSpec, MixElement};

/// A recipe with the values of its axis lengths: what the three pattern layers share.
#[derive(Clone)]
struct Prepared {
    /// The `static` recipe of a macro call, or one parsed at run time.
    recipe: Cow<'static, Recipe>,
    /// The lengths, in the order of the recipe's length names.
    lengths: Box<[i128]>,
}

impl Prepared {
    fn parsed(
        operation: Result<Operation, &str>,
        pattern: &str,
        lengths: Lengths<'_>,
    ) -> Result<Prepared, Error> {
        let (names, values) = split(lengths);
        let recipe = match operation {
            Ok(operation) => Recipe::new(operation, pattern, &names)?,
            Err(reduction) => Recipe::reduce(pattern, reduction, &names)?,
        };
        Ok(Prepared {
            recipe: Cow::Owned(recipe),
            lengths: values.into(),
        })
    }

    fn site(recipe: &'static Recipe, lengths: &[i128]) -> Prepared {
        Prepared {
            recipe: Cow::Borrowed(recipe),
            lengths: lengths.into(),
        }
    }

    /// The recipe as the operations take it: a macro's `static` names its call site, so
    /// its walks are remembered; a parsed one may be dropped, so its walks are not.
    fn plan(&self) -> Plan<'_> {
        match &self.recipe {
            Cow::Borrowed(recipe) => Plan::Site(recipe),
            Cow::Owned(recipe) => Plan::Parsed(recipe),
        }
    }

    /// `Name("pattern", a = 1)`, the way the layer is written.
    fn write(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{name}({:?}", &*self.recipe.pattern)?;
        if let Operation::Reduce(reduction) = self.recipe.operation {
            write!(f, ", {}", reduction.name())?;
        }
        write_lengths(f, &self.recipe.length_names, &self.lengths)?;
        f.write_str(")")
    }
}

/// `, a = 1, b = 2`.
fn write_lengths(
    f: &mut fmt::Formatter<'_>,
    names: &[Cow<'static, str>],
    values: &[i128],
) -> fmt::Result {
    names
        .iter()
        .zip(values)
        .try_for_each(|(name, value)| write!(f, ", {name} = {value}"))
}

/// Names and values of run-time lengths, values widened as the macros widen theirs.
fn split<'l>(lengths: Lengths<'l>) -> (Vec<&'l str>, Vec<i128>) {
    lengths
        .iter()
        .map(|&(name, value)| (name, value as i128))
        .unzip()
}

/// A layer that reorders, splits and merges axes: `rearrange` with a fixed pattern.
///
/// Built by `einops::layers::Rearrange!("pattern", name = len, ...)` (checked at compile
/// time) or [`Rearrange::new`]. [`forward`](Rearrange::forward) takes every input
/// `rearrange!` takes (any array form, or a list of arrays to stack) and returns an
/// `IxDyn` array; a rank the pattern cannot describe is an [`Error::Rank`].
///
/// ```
/// use einops::layers::Rearrange;
/// let flatten = Rearrange::new("b c h w -> b (c h w)", &[]).unwrap();
/// let x = ndarray::Array4::<f32>::zeros((2, 3, 4, 4));
/// assert_eq!(flatten.forward(&x).unwrap().shape(), [2, 48]);
/// assert_eq!(format!("{flatten:?}"), r#"Rearrange("b c h w -> b (c h w)")"#);
/// ```
#[derive(Clone)]
pub struct Rearrange(Prepared);

impl Rearrange {
    /// Checks a rearrange pattern at run time; `lengths` are `(name, length)` pairs.
    pub fn new(pattern: &str, lengths: Lengths<'_>) -> Result<Rearrange, Error> {
        Prepared::parsed(Ok(Operation::Rearrange), pattern, lengths).map(Rearrange)
    }

    /// Applies the pattern to `input`.
    pub fn forward<'a, I>(&self, input: I) -> Result<Array<I::Elem, IxDyn>, Error>
    where
        I: Operand<'a>,
        I::Elem: Clone,
    {
        ops::rearrange(input.into_input(), self.0.plan(), &self.0.lengths)
    }
}

/// A layer that reduces the axes missing on the right: `reduce` with a fixed pattern and
/// reduction.
///
/// Built by `einops::layers::Reduce!("pattern", reduction, name = len, ...)` (checked at
/// compile time) or [`Reduce::new`]. `mean` of integers is an [`Error::MeanOfInteger`]
/// when applied (the layer is not tied to an element type).
///
/// ```
/// use einops::layers::Reduce;
/// let pool = Reduce::new("b (h 2) (w 2) -> b h w", "max", &[]).unwrap();
/// let x = ndarray::Array::from_shape_vec((1, 2, 2), vec![1, 5, 3, 2]).unwrap();
/// assert_eq!(pool.forward(&x).unwrap(), ndarray::arr3(&[[[5]]]).into_dyn());
/// ```
#[derive(Clone)]
pub struct Reduce(Prepared);

impl Reduce {
    /// Checks a reduce pattern and reduction name (`"sum"`, `"mean"`, `"min"`, `"max"`,
    /// `"prod"`, `"any"`, `"all"`) at run time.
    pub fn new(pattern: &str, reduction: &str, lengths: Lengths<'_>) -> Result<Reduce, Error> {
        Prepared::parsed(Err(reduction), pattern, lengths).map(Reduce)
    }

    /// Applies the pattern to `input`.
    pub fn forward<'a, I>(&self, input: I) -> Result<Array<I::Elem, IxDyn>, Error>
    where
        I: Operand<'a>,
        I::Elem: Reducible,
    {
        ops::reduce(input.into_input(), self.0.plan(), &self.0.lengths)
    }
}

/// A layer that repeats along the axes new on the right: `repeat` with a fixed pattern.
/// (Python einops has none; its `Reduce(pattern, "repeat")` does the same.)
///
/// Built by `einops::layers::Repeat!("pattern", name = len, ...)` (checked at compile
/// time) or [`Repeat::new`]. The result is always a new array.
///
/// ```
/// use einops::layers::Repeat;
/// let to_rgb = Repeat::new("h w -> h w c", &[("c", 3)]).unwrap();
/// let gray = ndarray::Array2::<u8>::ones((4, 5));
/// assert_eq!(to_rgb.forward(&gray).unwrap().shape(), [4, 5, 3]);
/// assert_eq!(format!("{to_rgb:?}"), r#"Repeat("h w -> h w c", c = 3)"#);
/// ```
#[derive(Clone)]
pub struct Repeat(Prepared);

impl Repeat {
    /// Checks a repeat pattern at run time; new axes need their lengths.
    pub fn new(pattern: &str, lengths: Lengths<'_>) -> Result<Repeat, Error> {
        Prepared::parsed(Ok(Operation::Repeat), pattern, lengths).map(Repeat)
    }

    /// Applies the pattern to `input`.
    pub fn forward<'a, I>(&self, input: I) -> Result<Array<I::Elem, IxDyn>, Error>
    where
        I: Operand<'a>,
        I::Elem: Clone,
    {
        ops::rearrange(input.into_input(), self.0.plan(), &self.0.lengths)
    }
}

/// What the three pattern layers share besides `new` and `forward`: being built at a macro
/// call site, the recipe and lengths they hold, and `Debug` as the layer is written.
macro_rules! prepared_layer {
    ($($layer:ident),*) => {$(
        impl $layer {
            /// The layer of a macro call site.
            pub(crate) fn site(recipe: &'static Recipe, lengths: &[i128]) -> $layer {
                $layer(Prepared::site(recipe, lengths))
            }

            /// The recipe the layer applies.
            ///
            /// ```
            /// let split = einops::layers::Rearrange::new("b (h w) -> b h w", &[("h", 2)]).unwrap();
            /// assert_eq!(&*split.recipe().pattern, "b (h w) -> b h w");
            /// assert_eq!(split.lengths(), [2]);
            /// ```
            pub fn recipe(&self) -> &Recipe {
                &self.0.recipe
            }

            /// The values of the recipe's axis lengths, in the order of its length names.
            pub fn lengths(&self) -> &[i128] {
                &self.0.lengths
            }
        }

        impl fmt::Debug for $layer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(stringify!($layer), f)
            }
        }
    )*};
}
prepared_layer!(Rearrange, Reduce, Repeat);
