//! `pack!` and `unpack!`: parse the call ([`Args`]), validate the pattern with the
//! runtime's [`PackPlan`], and expand to a static plan site (the plan made on the first
//! call, by the parser that validated it here) plus one runtime call.
//!
//! `pack!([a, b], "b * c")` expands to
//!
//! ```text
//! match ([a, b],) {
//!     (arrays,) => {
//!         static PLAN: einops::__private::Site<einops::__private::PackPlan> =
//!             einops::__private::Site::new(|| einops::__private::PackPlan::new(
//!                 einops::__private::PackOperation::Pack, "b * c"));
//!         type Rule = einops::__private::AtLeast<2, 3>;
//!         einops::__private::pack_call::<Rule, _>(arrays, &PLAN)
//!     }
//! }
//! ```
//!
//! and `unpack!(x, &shapes, "b * c")` to
//!
//! ```text
//! match (x, &shapes,) {
//!     (packed, shapes,) => {
//!         static PLAN: einops::__private::Site<einops::__private::PackPlan> = ...;
//!         type Rule = einops::__private::ExactDyn<3>;
//!         type Parts = einops::__private::AtLeastDyn<2>;
//!         einops::__private::unpack_call::<Rule, Parts, _, _>(packed, shapes, &PLAN)
//!     }
//! }
//! ```
//!
//! The rank rules make a fixed-rank array with fewer dimensions than the pattern names
//! (`pack!`), a fixed-rank packed array of another rank, or packed shapes whose
//! dimension type is too small (`unpack!`) compile errors pointing at the pattern.

use einops_pattern::{PackOperation, PackPlan};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::ParseStream;

use crate::ast::Args;
use crate::expand::{hidden, numbered};
use crate::Macro;

/// Largest rank with a fixed ndarray dimension type (`Ix6`).
const MAX_FIXED_RANK: usize = 6;

/// `pack!` and `unpack!`.
pub struct Pack;

impl Macro for Pack {
    type Form = PackOperation;
    type Call = Args;
    type Plan = PackPlan;

    /// Parses a `pack!` or `unpack!` call.
    fn parse(input: ParseStream<'_>, operation: PackOperation) -> syn::Result<Args> {
        let expected: &[&str] = match operation {
            PackOperation::Pack => &["the arrays to pack, e.g. `[a, b]`"],
            PackOperation::Unpack => &[
                "the packed array",
                "the packed shapes after the packed array, e.g. `&shapes`",
            ],
        };
        let call = Args::parse(input, expected, "b * c")?;
        if let Some((name, _)) = call.lengths.first() {
            let message = format!(
                "{}! takes no axis lengths: the pattern only counts the dimensions around `*`",
                operation.name()
            );
            return Err(syn::Error::new(name.span(), message));
        }
        Ok(call)
    }

    /// Validates the call's pattern.
    fn validate(call: &Args, operation: PackOperation) -> syn::Result<PackPlan> {
        PackPlan::new(operation, &call.pattern.value())
            .map_err(|err| syn::Error::new(call.pattern.span(), err))
    }

    /// Expands a validated call.
    fn expand(call: &Args, plan: &PackPlan, operation: PackOperation) -> syn::Result<TokenStream> {
        let krate = &call.krate;
        let private = quote!(#krate::__private);
        let span = call.pattern.span();
        let plan_ident = hidden(&call.pattern, "PLAN");
        let args = &call.args;
        let bindings = numbered(&call.pattern, "argument", args.len());
        let pattern = &*plan.pattern;
        let operation_value = match operation {
            PackOperation::Pack => quote!(#private::PackOperation::Pack),
            PackOperation::Unpack => quote!(#private::PackOperation::Unpack),
        };
        let (named, packed_rank) = (plan.named(), plan.named() + 1);
        let invocation = match operation {
            PackOperation::Pack => {
                let rule = match packed_rank <= MAX_FIXED_RANK {
                    true => quote!(#private::AtLeast<#named, #packed_rank>),
                    false => quote!(#private::AtLeastDyn<#named>),
                };
                let arrays = &bindings[0];
                quote_spanned! {span=>
                    type Rule = #rule;
                    #private::pack_call::<Rule, _>(#arrays, &#plan_ident)
                }
            }
            PackOperation::Unpack => {
                let (packed, shapes) = (&bindings[0], &bindings[1]);
                quote_spanned! {span=>
                    type Rule = #private::ExactDyn<#packed_rank>;
                    type Parts = #private::AtLeastDyn<#named>;
                    #private::unpack_call::<Rule, Parts, _, _>(#packed, #shapes, &#plan_ident)
                }
            }
        };
        Ok(quote_spanned! {span=>
            match (#(#args,)*) {
                (#(#bindings,)*) => {
                    static #plan_ident: #private::Site<#private::PackPlan> =
                        #private::Site::new(|| #private::PackPlan::new(#operation_value, #pattern));
                    #invocation
                }
            }
        })
    }
}
