//! The layer macros: `Rearrange!`, `Reduce!`, `Repeat!` (a recipe site) and `EinMixSpec!`
//! (an EinMix plan site), each with its axis-length values.
//!
//! `Rearrange!("b (h w) -> b h w", h = 2)` expands to
//!
//! ```text
//! match (einops::__private::length(2),) {
//!     (length0,) => {
//!         static PLAN: einops::__private::Site<einops::__private::Recipe> =
//!             einops::__private::Site::new(|| einops::__private::Recipe::new(
//!                 einops::__private::Operation::Rearrange, "b (h w) -> b h w", &["h"]));
//!         einops::__private::rearrange_layer(&PLAN, &[length0])
//!     }
//! }
//! ```
//!
//! As for the other macros, the site makes the validated plan on first use.

use einops_pattern::{
    EinMixPlan, PatternError, PatternErrorKind, Recipe, EINMIX_BIAS, EINMIX_WEIGHT,
};
use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

use crate::ast::{comma, lengths, pattern, Reduction};
use crate::expand::{hidden, numbered, operation_tokens};
use crate::valid::{error_at, length_names};
use crate::Macro;

/// Which layer a macro builds.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `Rearrange!`.
    Rearrange,
    /// `Reduce!`.
    Reduce,
    /// `Repeat!`.
    Repeat,
    /// `EinMixSpec!`.
    EinMix,
}

/// What a layer macro call validates to.
pub enum Plan {
    /// `EinMixSpec!`'s plan is valid (its site makes it again when the program runs).
    EinMix,
    /// The recipe of `Rearrange!`, `Reduce!` or `Repeat!`.
    Pattern(Recipe),
}

/// A parsed layer macro call.
pub struct Call {
    krate: TokenTree,
    kind: Kind,
    pattern: LitStr,
    reduction: Option<Reduction>,
    weight_shape: Option<LitStr>,
    bias_shape: Option<LitStr>,
    lengths: Vec<(Ident, Expr)>,
}

impl Call {
    /// Points an EinMix error at the text it is about: the weight or bias shape, a
    /// length's name, or else the pattern.
    fn einmix_error(&self, err: PatternError) -> syn::Error {
        let literal = match err.operation {
            EINMIX_WEIGHT => self.weight_shape.as_ref(),
            EINMIX_BIAS => self.bias_shape.as_ref(),
            _ => None,
        };
        if let Some(literal) = literal {
            return syn::Error::new(literal.span(), err);
        }
        let length = match &err.kind {
            PatternErrorKind::EinmixUnusedAxisLength(names) => names.first(),
            PatternErrorKind::DuplicateAxisLength(name) => Some(name),
            _ => None,
        };
        let span = length.and_then(|name| {
            self.lengths
                .iter()
                .rev()
                .find(|(ident, _)| ident.unraw() == name)
                .map(|(ident, _)| ident.span())
        });
        match span {
            Some(span) => syn::Error::new(span, err),
            None => error_at(&self.pattern, &self.lengths, None, err),
        }
    }
}

/// The layer macros `Rearrange!`, `Reduce!`, `Repeat!` and `EinMixSpec!`.
pub struct Layer;

impl Macro for Layer {
    type Form = Kind;
    type Call = Call;
    type Plan = Plan;

    /// Parses `$crate; "pattern" [, reduction] [, name = expr]*`, where for `EinMixSpec!` two
    /// of the names are `weight_shape` and `bias_shape` with string literals.
    fn parse(input: ParseStream<'_>, kind: Kind) -> syn::Result<Call> {
        let krate: TokenTree = input.parse()?;
        input.parse::<Token![;]>()?;
        let pattern = pattern(input)?;
        let reduction = match kind {
            Kind::Reduce => {
                comma(
                    input,
                    "a reduction after the pattern: sum, mean, min, max, prod, any or all",
                )?;
                Some(input.parse()?)
            }
            _ => None,
        };
        let mut lengths = lengths(input)?;
        let (mut weight_shape, mut bias_shape) = (None, None);
        if let Kind::EinMix = kind {
            weight_shape = take_shape(&mut lengths, "weight_shape")?;
            bias_shape = take_shape(&mut lengths, "bias_shape")?;
            if weight_shape.is_none() {
                return Err(syn::Error::new(
                    pattern.span(),
                    "EinMix needs the weight's axes, e.g. `weight_shape = \"c cout\"`",
                ));
            }
        }
        Ok(Call {
            krate,
            kind,
            pattern,
            reduction,
            weight_shape,
            bias_shape,
            lengths,
        })
    }

    /// Validates the call: its pattern (and EinMix's weight and bias shapes) and the names
    /// of its lengths.
    fn validate(call: &Call, _: Kind) -> syn::Result<Plan> {
        let names = length_names(&call.lengths);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let pattern = call.pattern.value();
        let reduction_span = call.reduction.as_ref().map(|r| r.span);
        let at_pattern = |err| error_at(&call.pattern, &call.lengths, reduction_span, err);
        match call.kind {
            Kind::EinMix => {
                let weight = call.weight_shape.as_ref().expect("checked when parsed");
                EinMixPlan::new(
                    &pattern,
                    &weight.value(),
                    call.bias_shape.as_ref().map(LitStr::value).as_deref(),
                    &names,
                )
                .map(|_| Plan::EinMix)
                .map_err(|err| call.einmix_error(err))
            }
            // Only `Reduce!` parses a reduction.
            kind => match (&call.reduction, kind) {
                (Some(reduction), _) => Recipe::reduce(&pattern, &reduction.name, &names),
                (None, Kind::Repeat) => Recipe::repeat(&pattern, &names),
                (None, _) => Recipe::rearrange(&pattern, &names),
            }
            .map(Plan::Pattern)
            .map_err(at_pattern),
        }
    }

    /// Emits the plan site with the runtime call.
    fn expand(call: &Call, plan: &Plan, _: Kind) -> syn::Result<TokenStream> {
        let krate = &call.krate;
        let private = quote!(#krate::__private);
        let pattern = &call.pattern;
        let names = length_names(&call.lengths);
        let (plan_type, make, function) = match plan {
            Plan::EinMix => {
                let weight = call.weight_shape.as_ref().expect("checked when parsed");
                let bias = match &call.bias_shape {
                    Some(bias) => quote!(#private::Option::Some(#bias)),
                    None => quote!(#private::Option::None),
                };
                (
                    quote!(EinMixPlan),
                    quote!(#private::EinMixPlan::new(#pattern, #weight, #bias, &[#(#names),*])),
                    quote!(einmix_spec),
                )
            }
            Plan::Pattern(recipe) => {
                let function = match call.kind {
                    Kind::Reduce => quote!(reduce_layer),
                    Kind::Repeat => quote!(repeat_layer),
                    _ => quote!(rearrange_layer),
                };
                let operation = operation_tokens(&private, recipe.operation);
                (
                    quote!(Recipe),
                    quote!(#private::Recipe::new(#operation, #pattern, &[#(#names),*])),
                    function,
                )
            }
        };
        let plan_ident = hidden(&call.pattern, "PLAN");
        let length_idents = numbered(&call.pattern, "length", call.lengths.len());
        let length_exprs = call
            .lengths
            .iter()
            .map(|(_, expr)| quote!(#private::length(#expr)));
        Ok(quote_spanned! {call.pattern.span()=>
            match (#(#length_exprs,)*) {
                (#(#length_idents,)*) => {
                    static #plan_ident: #private::Site<#private::#plan_type> =
                        #private::Site::new(|| #make);
                    #private::#function(&#plan_ident, &[#(#length_idents),*])
                }
            }
        })
    }
}

/// Removes `name = "literal"` from the lengths and returns the literal.
fn take_shape(lengths: &mut Vec<(Ident, Expr)>, name: &str) -> syn::Result<Option<LitStr>> {
    let Some(at) = lengths.iter().position(|(ident, _)| ident == name) else {
        return Ok(None);
    };
    match lengths.remove(at).1 {
        Expr::Lit(ExprLit {
            lit: Lit::Str(literal),
            ..
        }) => Ok(Some(literal)),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{name}` must be a string literal of axis names, e.g. `\"c cout\"`"),
        )),
    }
}
