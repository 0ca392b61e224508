//! `einsum!` and `einsum_into!`: the call `$crate; [&mut output,] operand, ..., "pattern"
//! [, name = expr]*`, validated with the runtime's [`EinsumPlan`] (which also checks the
//! operand count) and expanded to a static plan site plus one runtime call.
//!
//! `einsum!(a, b, "b c t, b t l -> b c l")` expands to
//!
//! ```text
//! match (a, b,) {
//!     (operand0, operand1,) => {
//!         // The plan is made on the first call, with the parser that validated it here.
//!         static PLAN: einops::__private::Site<einops::__private::EinsumPlan> =
//!             einops::__private::Site::new(|| {
//!                 einops::__private::EinsumPlan::new("b c t, b t l -> b c l", 2, &[])
//!             });
//!         use einops::__private::{
//!             einsum_operand as einsum_operand, einsum_rank as einsum_rank,
//!             einsum_view as einsum_view,
//!         };
//!         let (operand0, ellipsis0) = einsum_operand::<einsum_rank::Exact<3>, _>(operand0);
//!         let (operand1, ellipsis1) = einsum_operand::<einsum_rank::Exact<3>, _>(operand1);
//!         let ellipsis = einops::__private::einsum_broadcast(ellipsis0, ellipsis1);
//!         einops::__private::einsum_call::<einops::__private::einsum_rank::Fixed<3>, _, _>(
//!             ellipsis, &[einsum_view(&operand0), einsum_view(&operand1)], &PLAN, &[])
//!     }
//! }
//! ```
//!
//! Each operand is converted under its own rank rule, spanned at the operand (the hygienic
//! names `einsum_operand`, `einsum_rank`, `einsum_view` and `operandK` are located there), so a fixed-rank operand of the
//! wrong rank, or of another element type, is a compile error pointing at it. The output's
//! dimension type follows from the ellipses of the operands (see the runtime's
//! `einsum::rank`).

use einops_pattern::EinsumPlan;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Token};

use crate::ast::{comma, expression, lengths};
use crate::valid::error_at;
use crate::Macro;

/// A parsed `einsum!` / `einsum_into!` call.
pub struct Call {
    /// Path of the facade crate (`$crate`).
    krate: TokenTree,
    /// The output expression of `einsum_into!`.
    output: Option<Expr>,
    /// The operand expressions.
    operands: Vec<Expr>,
    /// The pattern literal.
    pattern: LitStr,
    /// `name = expr` axis lengths, in call order.
    lengths: Vec<(Ident, Expr)>,
}

/// `einsum!` and `einsum_into!` (whether the call writes into an array).
pub struct Einsum;

impl Macro for Einsum {
    type Form = bool;
    type Call = Call;
    type Plan = EinsumPlan;

    /// Parses a call; `into` for `einsum_into!`.
    fn parse(input: ParseStream<'_>, into: bool) -> syn::Result<Call> {
        let krate: TokenTree = input.parse()?;
        input.parse::<Token![;]>()?;
        let output = if into {
            let output = expression(input, "the output array first, e.g. `&mut out`")?;
            comma(input, "the operands after the output")?;
            Some(output)
        } else {
            None
        };
        let mut operands: Vec<Expr> = Vec::new();
        while !input.peek(LitStr) {
            let operand = expression(
                input,
                "the operands, then the pattern, e.g. `einsum!(a, b, \"i j, j k -> i k\")`",
            )?;
            if input.is_empty() {
                return Err(syn::Error::new(
                    operand.span(),
                    "expected the pattern last, as a string literal, so that it is checked at \
                     compile time; for a pattern known only at run time use \
                     `einops::dynamic::einsum`",
                ));
            }
            comma(input, "a comma between the operands and before the pattern")?;
            operands.push(operand);
        }
        let pattern: LitStr = input.parse()?;
        if operands.is_empty() {
            return Err(syn::Error::new(
                pattern.span(),
                "einsum needs at least one operand before the pattern",
            ));
        }
        Ok(Call {
            krate,
            output,
            operands,
            pattern,
            lengths: lengths(input)?,
        })
    }

    /// Validates the pattern with the call's operand count and length names.
    fn validate(call: &Call, _: bool) -> syn::Result<EinsumPlan> {
        let names: Vec<String> = call
            .lengths
            .iter()
            .map(|(name, _)| name.unraw().to_string())
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        EinsumPlan::new(&call.pattern.value(), call.operands.len(), &names)
            .map_err(|err| error_at(&call.pattern, &call.lengths, None, err))
    }

    /// The static plan, the operands' conversions and the runtime call.
    fn expand(call: &Call, plan: &EinsumPlan, _: bool) -> syn::Result<TokenStream> {
        let krate = &call.krate;
        let private = quote!(#krate::__private);
        let rank = quote!(#private::einsum_rank);
        // Hygienic names located at the pattern, so errors about them point there too.
        let site = Span::mixed_site().located_at(call.pattern.span());
        let plan_ident = Ident::new("PLAN", site);
        let output_ident = Ident::new("output", site);
        // Located at each operand, so type errors about an operand point at it.
        let at = |expr: &Expr| Span::mixed_site().located_at(expr.span());
        let operand_idents: Vec<Ident> = call
            .operands
            .iter()
            .enumerate()
            .map(|(k, expr)| format_ident!("operand{}", k, span = at(expr)))
            .collect();
        let (convert, rules, view) = (
            Ident::new("einsum_operand", site),
            Ident::new("einsum_rank", site),
            Ident::new("einsum_view", site),
        );
        // Each operand passed as a view, located at the operand (element type mismatches).
        let views: Vec<TokenStream> = call
            .operands
            .iter()
            .zip(&operand_idents)
            .map(|(expr, operand)| {
                let view = Ident::new("einsum_view", at(expr));
                quote_spanned!(expr.span()=> #view(&#operand))
            })
            .collect();
        let ellipsis_idents: Vec<Ident> = (0..call.operands.len())
            .map(|k| format_ident!("ellipsis{}", k, span = site))
            .collect();
        let length_idents: Vec<Ident> = (0..call.lengths.len())
            .map(|i| format_ident!("length{}", i, span = site))
            .collect();

        // Arguments are evaluated once, left to right, in the match head.
        let (output_expr, output_binding) = match &call.output {
            Some(output) => (quote!(#output,), quote!(#output_ident,)),
            None => (quote!(), quote!()),
        };
        let operand_exprs = &call.operands;
        let length_exprs = call
            .lengths
            .iter()
            .map(|(_, expr)| quote!(#private::length(#expr)));

        let keeps_ellipsis = plan.output_has_ellipsis();
        let conversions = call.operands.iter().enumerate().map(|(k, expr)| {
            let dims = plan.operand_dims(k);
            let (explicit, has_ellipsis) = (dims.explicit(), dims.has_ellipsis());
            let rules = Ident::new("einsum_rank", at(expr));
            let rule = match has_ellipsis && keeps_ellipsis {
                true => quote_spanned!(expr.span()=> #rules::AtLeast<#explicit>),
                false => quote_spanned!(expr.span()=> #rules::Exact<#explicit>),
            };
            let (operand, ellipsis) = (&operand_idents[k], &ellipsis_idents[k]);
            let convert = Ident::new("einsum_operand", at(expr));
            quote_spanned! {expr.span()=>
                let (#operand, #ellipsis) = #convert::<#rule, _>(#operand);
            }
        });
        let first = &ellipsis_idents[0];
        let ellipsis = ellipsis_idents[1..].iter().fold(
            quote!(#first),
            |acc, e| quote!(#private::einsum_broadcast(#acc, #e)),
        );
        let output = plan.output_dims();
        let output_rule = match (output.explicit(), output.has_ellipsis()) {
            (n, false) if n <= 6 => quote!(#rank::Fixed<#n>),
            (n, true) if n <= 6 => quote!(#rank::Shift<#n>),
            _ => quote!(#rank::Dynamic),
        };
        let invocation = match call.output {
            None => quote_spanned! {call.pattern.span()=>
                #private::einsum_call::<#output_rule, _, _>(
                    #ellipsis, &[#(#views),*], &#plan_ident, &[#(#length_idents),*])
            },
            Some(_) => quote_spanned! {call.pattern.span()=>
                #private::einsum_into_call::<#output_rule, _, _, _, _>(
                    #output_ident, #ellipsis, &[#(#views),*], &#plan_ident,
                    &[#(#length_idents),*])
            },
        };
        let pattern = &*plan.pattern;
        let names = plan.length_names.iter().map(|n| &**n);
        let count = call.operands.len();
        Ok(quote_spanned! {call.pattern.span()=>
            match (#output_expr #(#operand_exprs,)* #(#length_exprs,)*) {
                (#output_binding #(#operand_idents,)* #(#length_idents,)*) => {
                    static #plan_ident: #private::Site<#private::EinsumPlan> =
                        #private::Site::new(|| {
                            #private::EinsumPlan::new(#pattern, #count, &[#(#names),*])
                        });
                    use #private::{
                        einsum_operand as #convert, einsum_rank as #rules, einsum_view as #view,
                    };
                    #(#conversions)*
                    #invocation
                }
            }
        })
    }
}
