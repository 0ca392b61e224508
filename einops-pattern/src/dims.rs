//! Rank arithmetic: how many dimensions a side of a pattern describes.

use std::fmt;

use crate::recipe::Term;

/// The number of dimensions a side of a pattern describes: exactly so many, or with a bare
/// ellipsis `...`, at least the others.
///
/// The macros turn it into the compile-time rank rules; the runtime checks an input
/// against it and reports it in rank errors (`4`, `at least 3`).
///
/// ```
/// use einops_pattern::{Dims, Recipe};
/// let recipe = Recipe::rearrange("b ... (h w) -> b h w ...", &["h"]).unwrap();
/// assert_eq!(recipe.input_dims(), Dims::AtLeast(2));
/// assert!(recipe.input_dims().admits(5) && !recipe.input_dims().admits(1));
/// assert_eq!(Dims::Exactly(4).to_string(), "4");
/// assert_eq!(Dims::AtLeast(3).to_string(), "at least 3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dims {
    /// Exactly this many dimensions (no bare ellipsis).
    Exactly(usize),
    /// At least this many: the side has a bare ellipsis besides them.
    AtLeast(usize),
}

impl Dims {
    /// The dimensions that `terms` describe: one per term, a bare `...` any number.
    pub fn of(terms: &[Term]) -> Dims {
        Dims::counting(terms.iter().map(|term| matches!(term, Term::Ellipsis)))
    }

    /// The dimensions of a side given, per written dimension, whether it is a bare `...`.
    pub fn counting(ellipses: impl IntoIterator<Item = bool>) -> Dims {
        let (mut explicit, mut ellipsis) = (0, false);
        for is_ellipsis in ellipses {
            match is_ellipsis {
                true => ellipsis = true,
                false => explicit += 1,
            }
        }
        match ellipsis {
            true => Dims::AtLeast(explicit),
            false => Dims::Exactly(explicit),
        }
    }

    /// The dimensions besides the ellipsis's.
    pub fn explicit(self) -> usize {
        match self {
            Dims::Exactly(n) | Dims::AtLeast(n) => n,
        }
    }

    /// Whether a bare ellipsis stands for any further dimensions.
    pub fn has_ellipsis(self) -> bool {
        matches!(self, Dims::AtLeast(_))
    }

    /// Whether an array with `ndim` dimensions fits.
    pub fn admits(self, ndim: usize) -> bool {
        match self {
            Dims::Exactly(n) => ndim == n,
            Dims::AtLeast(n) => ndim >= n,
        }
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dims::Exactly(n) => write!(f, "{n}"),
            Dims::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}
