//! Where a macro call keeps its plan: the expansions' `static`s.

use std::sync::OnceLock;

use crate::error::Error;
use crate::pattern::PatternError;

/// A macro call site's plan: made on the site's first call by the function the expansion
/// gives (a call into `einops-pattern`, the parser the macro validated the pattern with, at
/// the exact version the macros used) and kept for the rest of the program.
///
/// Emitting this instead of the finished plan as a constant keeps the expansion small:
/// type-checking and evaluating a `static` plan literal was most of what a macro call cost
/// `cargo check`. The memo of walks (and einsum's planned products) is keyed by the
/// plan's address inside the site, which never changes.
///
/// ```
/// use einops_runtime::macro_support::Site;
/// use einops_runtime::pattern::Recipe;
/// static SITE: Site<Recipe> = Site::new(|| Recipe::rearrange("b (h w) -> b h w", &["h"]));
/// assert_eq!(SITE.plan().unwrap().axes.len(), 3);
/// assert!(std::ptr::eq(SITE.plan().unwrap(), SITE.plan().unwrap()));
/// ```
pub struct Site<P: 'static> {
    make: fn() -> Result<P, PatternError>,
    plan: OnceLock<P>,
}

impl<P> Site<P> {
    /// The site of a macro call whose plan `make` makes.
    pub const fn new(make: fn() -> Result<P, PatternError>) -> Site<P> {
        Site {
            make,
            plan: OnceLock::new(),
        }
    }

    /// The site's plan, made on the first call. The macro validated the pattern with the
    /// same parser, so this cannot fail unless the crates' versions differ (which their
    /// exact version requirements rule out); it reports that as an error, not a panic.
    #[inline]
    pub fn plan(&'static self) -> Result<&'static P, Error> {
        match self.plan.get() {
            Some(plan) => Ok(plan),
            None => self.first_plan(),
        }
    }

    /// The plan of a site whose caller has no error to return: the layer macros, which
    /// build a layer, not a `Result`. The macro validated the pattern with this parser
    /// (pinned to the exact version), so a failure here is a bug in einops, never a
    /// consequence of the user's input, and it panics saying so.
    ///
    /// ```
    /// use einops_runtime::macro_support::Site;
    /// use einops_runtime::pattern::Recipe;
    /// static SITE: Site<Recipe> = Site::new(|| Recipe::rearrange("a b -> b a", &[]));
    /// assert_eq!(SITE.validated().pattern, "a b -> b a");
    /// ```
    pub fn validated(&'static self) -> &'static P {
        match self.plan() {
            Ok(plan) => plan,
            Err(err) => panic!("einops bug: a pattern its macro accepted was refused: {err}"),
        }
    }

    /// The first call's path, out of line so that every later call is a load and a test.
    #[cold]
    #[inline(never)]
    fn first_plan(&'static self) -> Result<&'static P, Error> {
        let plan = (self.make)()?;
        Ok(self.plan.get_or_init(|| plan))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Recipe;

    /// A plan the parser refuses (only possible if the macros and the runtime disagreed) is
    /// an error on every call, never a panic and never a plan.
    #[test]
    fn a_refused_plan_is_an_error_on_every_call() {
        static REFUSED: Site<Recipe> = Site::new(|| Recipe::rearrange("a b -> a", &[]));
        for _ in 0..2 {
            let err = REFUSED.plan().unwrap_err();
            assert_eq!(err.kind(), "rearrange_identifier_mismatch");
        }
        assert!(REFUSED.plan.get().is_none());
    }
}
