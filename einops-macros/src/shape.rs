//! `parse_shape!` and `check_shape!`: parse the call ([`Args`]), validate the pattern with
//! the runtime's [`ShapePlan`], and expand to a static plan site, a struct with one `usize`
//! field per named axis, and one runtime call.
//!
//! `check_shape!(x, "b c _ _", c = 3)` expands to
//!
//! ```text
//! match (&(x), einops::__private::length(3),) {
//!     (input, length0,) => {
//!         static PLAN: einops::__private::Site<einops::__private::ShapePlan> =
//!             einops::__private::Site::new(|| einops::__private::ShapePlan::new(
//!                 einops::__private::ShapeOperation::CheckShape, "b c _ _", &["c"]));
//!         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
//!         struct ParsedShape { pub b: usize, pub c: usize }
//!         type Rule = einops::__private::ExactDyn<4>;
//!         einops::__private::parse_shape_call::<Rule, _, 2>(input, &PLAN, &[length0])
//!             .map(|values| ParsedShape { b: values[0], c: values[1] })
//!     }
//! }
//! ```
//!
//! The input is borrowed, so the macro never consumes it. The struct's name is hygienic
//! (callers cannot name it, and each call has its own struct); its fields carry the
//! pattern's span, so `s.b` resolves. An axis named like a Rust keyword becomes a raw
//! field (`s.r#type`).

use einops_pattern::{Dims, ShapeOperation, ShapePlan};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::ParseStream;
use syn::Ident;

use crate::ast::Args;
use crate::expand::{hidden, numbered};
use crate::valid::{error_at, length_names};
use crate::Macro;

/// Rust keywords, which need a raw identifier (`r#type`) as a field name.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "try", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
    "unsized", "virtual", "yield",
];

/// Keywords that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate"];

/// `parse_shape!` and `check_shape!`.
pub struct Shape;

impl Macro for Shape {
    type Form = ShapeOperation;
    type Call = Args;
    type Plan = ShapePlan;

    /// Parses a `parse_shape!` or `check_shape!` call.
    fn parse(input: ParseStream<'_>, operation: ShapeOperation) -> syn::Result<Args> {
        let call = Args::parse(input, &["the array whose shape to read"], "b c h w")?;
        if let (ShapeOperation::ParseShape, Some((name, _))) = (operation, call.lengths.first()) {
            return Err(syn::Error::new(
                name.span(),
                "parse_shape! takes no axis lengths; to check lengths, use \
                 `check_shape!(x, pattern, name = length, ...)`, which returns the same value",
            ));
        }
        Ok(call)
    }

    /// Validates the call's pattern and the names of its lengths.
    fn validate(call: &Args, operation: ShapeOperation) -> syn::Result<ShapePlan> {
        let names = length_names(&call.lengths);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        ShapePlan::new(operation, &call.pattern.value(), &names)
            .map_err(|err| error_at(&call.pattern, &call.lengths, None, err))
    }

    /// Expands a validated call.
    fn expand(call: &Args, plan: &ShapePlan, _: ShapeOperation) -> syn::Result<TokenStream> {
        let krate = &call.krate;
        let private = quote!(#krate::__private);
        let span = call.pattern.span();
        let (plan_ident, input, shape) = (
            hidden(&call.pattern, "PLAN"),
            hidden(&call.pattern, "input"),
            hidden(&call.pattern, "ParsedShape"),
        );
        let fields = plan
            .names()
            .map(|name| field(name, call))
            .collect::<syn::Result<Vec<Ident>>>()?;
        let values = hidden(&call.pattern, "values");
        let indices = 0..fields.len();
        let length_idents = numbered(&call.pattern, "length", call.lengths.len());
        let length_exprs = call
            .lengths
            .iter()
            .map(|(_, expr)| quote!(#private::length(#expr)));
        let array = &call.args[0];
        let operation = match plan.operation {
            ShapeOperation::ParseShape => quote!(#private::ShapeOperation::ParseShape),
            ShapeOperation::CheckShape => quote!(#private::ShapeOperation::CheckShape),
        };
        let pattern = &*plan.pattern;
        let names = plan.length_names.iter().map(|name| &**name);
        let rule = match plan.input_dims() {
            Dims::Exactly(n) => quote!(#private::ExactDyn<#n>),
            Dims::AtLeast(n) => quote!(#private::AtLeastDyn<#n>),
        };
        let count = fields.len();
        Ok(quote_spanned! {span=>
            match (&(#array), #(#length_exprs,)*) {
                (#input, #(#length_idents,)*) => {
                    static #plan_ident: #private::Site<#private::ShapePlan> = #private::Site::new(|| {
                        #private::ShapePlan::new(#operation, #pattern, &[#(#names),*])
                    });
                    #[derive(
                        #private::Debug,
                        #private::Clone,
                        #private::Copy,
                        #private::PartialEq,
                        #private::Eq,
                        #private::Hash
                    )]
                    #[allow(dead_code, non_snake_case)]
                    struct #shape {
                        #(pub #fields: usize,)*
                    }
                    type Rule = #rule;
                    #private::parse_shape_call::<Rule, _, #count>(
                        #input,
                        &#plan_ident,
                        &[#(#length_idents),*],
                    )
                    .map(|#values| #shape { #(#fields: #values[#indices]),* })
                }
            }
        })
    }
}

/// The field for axis `name`, spanned at the pattern so that `s.name` resolves.
fn field(name: &str, call: &Args) -> syn::Result<Ident> {
    let span = call.pattern.span();
    if NOT_RAW.contains(&name) {
        return Err(syn::Error::new(
            span,
            format!(
                "axis `{name}` cannot be a field of the result: Rust has no `r#{name}`; \
                 rename the axis (`einops::dynamic` accepts it)"
            ),
        ));
    }
    Ok(match KEYWORDS.contains(&name) {
        true => Ident::new_raw(name, span),
        false => Ident::new(name, span),
    })
}
