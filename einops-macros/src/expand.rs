//! Code generation: a static recipe plus one runtime call.
//!
//! `rearrange!(x, "b c h w -> b (c h w)")` expands to
//!
//! ```text
//! {
//!     static RECIPE: einops::__private::Recipe = einops::__private::Recipe { ... };
//!     match (x,) {
//!         (input,) => einops::__private::rearrange::<einops::__private::Exact<4, 2>, _>(input, &RECIPE, &[]),
//!     }
//! }
//! ```

use einops_runtime::pattern::{Length, Operation, Recipe, Reduction, Slot, Term};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::ast::Call;

/// Expands a validated call.
pub fn call(call: &Call, recipe: &Recipe) -> TokenStream {
    let krate = &call.krate;
    let private = quote!(#krate::__private);
    let recipe_ident = syn::Ident::new("RECIPE", Span::mixed_site());
    let input_ident = syn::Ident::new("input", Span::mixed_site());
    let length_idents: Vec<syn::Ident> = (0..call.lengths.len())
        .map(|i| format_ident!("length{}", i, span = Span::mixed_site()))
        .collect();
    let output_ident = syn::Ident::new("output", Span::mixed_site());
    let input = &call.input;
    // The output (if any) is evaluated first: arguments are evaluated left to right.
    let (output_expr, output_binding) = match &call.output {
        Some(output) => (quote!(#output,), quote!(#output_ident,)),
        None => (quote!(), quote!()),
    };
    let into = call.output.is_some();
    let length_exprs = call
        .lengths
        .iter()
        .map(|(_, expr)| quote!(#private::length(#expr)));
    let recipe_value = recipe_tokens(&private, recipe);
    let rule = rank_rule(&private, recipe);
    let function = match (recipe.operation, into) {
        (Operation::Reduce(_), false) => {
            let element = element_rule(&private, recipe);
            quote!(reduce_call::<#rule, #element, _>)
        }
        (Operation::Reduce(_), true) => {
            let element = element_rule(&private, recipe);
            quote!(reduce_into_call::<#rule, #element, _, _, _>)
        }
        (_, false) => quote!(rearrange_call::<#rule, _>),
        (_, true) => quote!(rearrange_into_call::<#rule, _, _, _>),
    };
    // Spanned at the pattern so that a rank or element-type error points at it.
    let invocation = quote_spanned! {call.pattern.span()=>
        #private::#function(#output_binding #input_ident, &#recipe_ident, &[#(#length_idents),*])
    };
    quote! {
        {
            static #recipe_ident: #private::Recipe = #recipe_value;
            match (#output_expr #input, #(#length_exprs,)*) {
                (#output_binding #input_ident, #(#length_idents,)*) => #invocation,
            }
        }
    }
}

/// The rank rule: what the input's rank must be and what the output's is.
fn rank_rule(private: &TokenStream, recipe: &Recipe) -> TokenStream {
    let explicit = |terms: &[Term]| {
        terms
            .iter()
            .filter(|t| !matches!(t, Term::Ellipsis))
            .count()
    };
    let input = explicit(&recipe.input);
    let output = explicit(&recipe.output);
    let input_ellipsis = input != recipe.input.len();
    let output_ellipsis = output != recipe.output.len();
    match (input_ellipsis, output_ellipsis, output <= 6) {
        (false, _, true) => quote!(#private::Exact<#input, #output>),
        (false, _, false) => quote!(#private::ExactDyn<#input>),
        (true, true, true) => quote!(#private::Shift<#input, #output>),
        (true, false, true) => quote!(#private::AtLeast<#input, #output>),
        (true, _, false) => quote!(#private::AtLeastDyn<#input>),
    }
}

/// `mean` needs floating-point elements, unless it provably reduces nothing (then, as in
/// einops, it is a rearrangement and any element type works).
fn element_rule(private: &TokenStream, recipe: &Recipe) -> TokenStream {
    let reduces_axis = recipe
        .axes
        .iter()
        .any(|axis| axis.in_input && !axis.in_output);
    let has_ellipsis = |terms: &[Term]| {
        terms.iter().any(|t| match t {
            Term::Ellipsis => true,
            Term::Group(slots) => slots.contains(&Slot::Ellipsis),
        })
    };
    let reduces_ellipsis = has_ellipsis(&recipe.input) && !has_ellipsis(&recipe.output);
    match recipe.operation {
        Operation::Reduce(Reduction::Mean) if reduces_axis || reduces_ellipsis => {
            quote!(#private::FloatOnly)
        }
        _ => quote!(#private::AnyElement),
    }
}

fn recipe_tokens(private: &TokenStream, recipe: &Recipe) -> TokenStream {
    let operation = match recipe.operation {
        Operation::Rearrange => quote!(#private::Operation::Rearrange),
        Operation::Repeat => quote!(#private::Operation::Repeat),
        Operation::Reduce(reduction) => {
            let variant = syn::Ident::new(&format!("{reduction:?}"), Span::call_site());
            quote!(#private::Operation::Reduce(#private::Reduction::#variant))
        }
    };
    let pattern = &*recipe.pattern;
    let names = recipe.length_names.iter().map(|n| &**n);
    let axes = recipe.axes.iter().map(|axis| {
        let name = &*axis.name;
        let length = match axis.length {
            Length::Fixed(n) => quote!(#private::Length::Fixed(#n)),
            Length::Given(i) => quote!(#private::Length::Given(#i)),
            Length::Inferred => quote!(#private::Length::Inferred),
        };
        let (in_input, in_output) = (axis.in_input, axis.in_output);
        quote! {
            #private::Axis {
                name: #private::Cow::Borrowed(#name),
                length: #length,
                in_input: #in_input,
                in_output: #in_output,
            }
        }
    });
    let input = terms_tokens(private, &recipe.input);
    let output = terms_tokens(private, &recipe.output);
    quote! {
        #private::Recipe {
            operation: #operation,
            pattern: #private::Cow::Borrowed(#pattern),
            length_names: #private::Cow::Borrowed(&[#(#private::Cow::Borrowed(#names)),*]),
            axes: #private::Cow::Borrowed(&[#(#axes),*]),
            input: #input,
            output: #output,
        }
    }
}

fn terms_tokens(private: &TokenStream, terms: &[Term]) -> TokenStream {
    let terms = terms.iter().map(|term| match term {
        Term::Ellipsis => quote!(#private::Term::Ellipsis),
        Term::Group(slots) => {
            let slots = slots.iter().map(|slot| match slot {
                Slot::Axis(id) => quote!(#private::Slot::Axis(#id)),
                Slot::Ellipsis => quote!(#private::Slot::Ellipsis),
            });
            quote!(#private::Term::Group(#private::Cow::Borrowed(&[#(#slots),*])))
        }
    });
    quote!(#private::Cow::Borrowed(&[#(#terms),*]))
}
