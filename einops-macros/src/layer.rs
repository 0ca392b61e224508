//! The layer macros: `Rearrange!`, `Reduce!`, `Repeat!` (a static recipe) and `EinMix!`
//! (a static EinMix plan), each with its axis-length values.
//!
//! `Rearrange!("b (h w) -> b h w", h = 2)` expands to
//!
//! ```text
//! match (einops::__private::length(2),) {
//!     (length0,) => {
//!         static PLAN: einops::__private::Recipe = einops::__private::Recipe { ... };
//!         einops::__private::rearrange_layer(&PLAN, &[length0])
//!     }
//! }
//! ```

use einops_pattern::{
    EinMixPlan, EinsumPlan, PatternError, PatternErrorKind, Recipe, Role, EINMIX_BIAS,
    EINMIX_WEIGHT,
};
use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

use crate::ast::{comma, lengths, pattern, Reduction};
use crate::expand::{axis_tokens, hidden, numbered, recipe_tokens, terms_tokens};
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
    /// `EinMix!`.
    EinMix,
}

/// What a layer macro call validates to.
pub enum Plan {
    /// `EinMix!`'s plan.
    EinMix(Box<EinMixPlan>),
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

/// The layer macros `Rearrange!`, `Reduce!`, `Repeat!` and `EinMix!`.
pub struct Layer;

impl Macro for Layer {
    type Form = Kind;
    type Call = Call;
    type Plan = Plan;

    /// Parses `$crate; "pattern" [, reduction] [, name = expr]*`, where for `EinMix!` two
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
                .map(|plan| Plan::EinMix(Box::new(plan)))
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

    /// Emits the static plan with the runtime call.
    fn expand(call: &Call, plan: &Plan, _: Kind) -> syn::Result<TokenStream> {
        let krate = &call.krate;
        let private = quote!(#krate::__private);
        let (plan_type, plan_value, function) = match plan {
            Plan::EinMix(plan) => (
                quote!(EinMixPlan),
                einmix_tokens(&private, plan),
                quote!(einmix_spec),
            ),
            Plan::Pattern(recipe) => {
                let function = match call.kind {
                    Kind::Reduce => quote!(reduce_layer),
                    Kind::Repeat => quote!(repeat_layer),
                    _ => quote!(rearrange_layer),
                };
                (quote!(Recipe), recipe_tokens(&private, recipe), function)
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
                    static #plan_ident: #private::#plan_type = #plan_value;
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

/// An EinMix plan as a constant expression.
fn einmix_tokens(private: &TokenStream, plan: &EinMixPlan) -> TokenStream {
    let option = |value: Option<TokenStream>| match value {
        Some(value) => quote!(#private::Option::Some(#value)),
        None => quote!(#private::Option::None),
    };
    let text = |text: &str| quote!(#private::Cow::Borrowed(#text));
    let indices = |list: &[usize]| quote!(#private::Cow::Borrowed(&[#(#list),*]));
    let pattern = text(&plan.pattern);
    let weight_shape = text(&plan.weight_shape);
    let bias_shape = option(plan.bias_shape.as_deref().map(text));
    let names = plan.length_names.iter().map(|name| text(name));
    let pre = option(plan.pre.as_ref().map(|r| recipe_tokens(private, r)));
    let pre_lengths = indices(&plan.pre_lengths);
    let einsum = einsum_tokens(private, &plan.einsum);
    let weight = indices(&plan.weight);
    let fan_in = indices(&plan.fan_in);
    let bias = option(plan.bias.as_ref().map(|axes| {
        let axes = axes.iter().map(|axis| option(axis.map(|i| quote!(#i))));
        quote!(#private::Cow::Borrowed(&[#(#axes),*]))
    }));
    let post = option(plan.post.as_ref().map(|r| recipe_tokens(private, r)));
    quote! {
        #private::EinMixPlan {
            pattern: #pattern,
            weight_shape: #weight_shape,
            bias_shape: #bias_shape,
            length_names: #private::Cow::Borrowed(&[#(#names),*]),
            pre: #pre,
            pre_lengths: #pre_lengths,
            einsum: #einsum,
            weight: #weight,
            fan_in: #fan_in,
            bias: #bias,
            post: #post,
        }
    }
}

/// An einsum plan as a constant expression (EinMix's).
fn einsum_tokens(private: &TokenStream, plan: &EinsumPlan) -> TokenStream {
    let pattern = &*plan.pattern;
    let names = plan.length_names.iter().map(|n| &**n);
    let axes = plan.axes.iter().map(|axis| axis_tokens(private, axis));
    let operands = plan
        .operands
        .iter()
        .map(|terms| terms_tokens(private, terms));
    let output = terms_tokens(private, &plan.output);
    let roles = match &plan.roles {
        Some(roles) => {
            let roles = roles.iter().map(|role| {
                let variant = match role {
                    Role::Batch => quote!(Batch),
                    Role::Left => quote!(Left),
                    Role::Right => quote!(Right),
                    Role::Contracted => quote!(Contracted),
                    Role::SummedLeft => quote!(SummedLeft),
                    Role::SummedRight => quote!(SummedRight),
                };
                quote!(#private::Role::#variant)
            });
            quote!(#private::Option::Some(#private::Cow::Borrowed(&[#(#roles),*])))
        }
        None => quote!(#private::Option::None),
    };
    quote! {
        #private::EinsumPlan {
            pattern: #private::Cow::Borrowed(#pattern),
            length_names: #private::Cow::Borrowed(&[#(#private::Cow::Borrowed(#names)),*]),
            axes: #private::Cow::Borrowed(&[#(#axes),*]),
            operands: #private::Cow::Borrowed(&[#(#operands),*]),
            output: #output,
            roles: #roles,
        }
    }
}
