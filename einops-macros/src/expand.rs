//! Code generation: a static recipe plus one runtime call.
//!
//! `rearrange!(x, "b c h w -> b (c h w)")` expands to
//!
//! ```text
//! match (x,) {
//!     (input,) => {
//!         static RECIPE: einops::__private::Site<einops::__private::Recipe> =
//!             einops::__private::Site::new(|| {
//!                 einops::__private::Recipe::new(
//!                     einops::__private::Operation::Rearrange, "b c h w -> b (c h w)", &[])
//!             });
//!         use einops::__private::rearrange_call as einops_call;
//!         type Rule = einops::__private::Exact<4, 2>;
//!         einops_call::<Rule, _>(input, &RECIPE, &[])
//!     }
//! }
//! ```
//!
//! The macro has validated the pattern; the site holds only what the runtime needs to make
//! the same plan with the same parser on the first call (see `Site`), which costs
//! `cargo check` far less than a plan literal would. The arguments are evaluated in the
//! `match` head, outside the arm that declares `RECIPE`, so a caller's own items of that
//! name stay visible to them. The call is written with tokens spanned at the pattern
//! literal, so a rank or element-type error points at the pattern.

use einops_pattern::{mentions_ellipsis, Length, Operation, Recipe, Reduction, Slot, Term};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::LitStr;

use crate::ast::Call;

/// What a pattern macro returns.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A new array (`rearrange!`).
    Array,
    /// Nothing: it writes into a given array (`rearrange_into!`).
    Into,
    /// A read-only view of the input (`rearrange_view!`, `repeat_view!`).
    View,
    /// A mutable view of the input (`rearrange_view_mut!`).
    ViewMut,
    /// The view when one exists, else a copy (`rearrange_cow!`).
    Cow,
}

impl Target {
    /// Whether the result borrows the input's elements.
    pub fn is_view(self) -> bool {
        matches!(self, Target::View | Target::ViewMut | Target::Cow)
    }
}

/// Expands a validated call.
pub fn call(call: &Call, recipe: &Recipe, target: Target) -> TokenStream {
    let krate = &call.krate;
    let private = quote!(#krate::__private);
    let hidden = |name: &str| hidden(&call.pattern, name);
    let (recipe_ident, input_ident, output_ident) =
        (hidden("RECIPE"), hidden("input"), hidden("output"));
    let length_idents = numbered(&call.pattern, "length", call.lengths.len());
    let input = &call.input;
    // The output (if any) is evaluated first: arguments are evaluated left to right.
    let (output_expr, output_binding) = match &call.output {
        Some(output) => (quote!(#output,), quote!(#output_ident,)),
        None => (quote!(), quote!()),
    };
    let length_exprs = call
        .lengths
        .iter()
        .map(|(_, expr)| quote!(#private::length(#expr)));
    let operation = operation_tokens(&private, recipe.operation);
    let pattern = &*recipe.pattern;
    let names = recipe.length_names.iter().map(|n| &**n);
    let rule = rank_rule(&private, recipe);
    let element = element_rule(&private, recipe);
    // What the pattern settles of a view, when the input names one axis per dimension:
    // each output dimension's sources, passed as one flat list when each has one source (a
    // permutation, then ndarray's `permuted_axes`; or a repeat's new axes among them).
    // (Read out of nested lists at run time, a permutation cost 27 ns instead of ndarray's
    // 2, and repeat_heads' view 13.4 ns instead of 3.4: the flat ones fold away.)
    let settled = settled(recipe).filter(|_| target.is_view());
    let flat: Option<Vec<isize>> = settled
        .as_ref()
        .filter(|settled| settled.splits.is_empty())
        .and_then(|settled| {
            let single = |s: &Vec<isize>| (s.len() == 1).then(|| s[0]);
            settled.dims.iter().map(single).collect()
        });
    let spreads = flat
        .as_ref()
        .is_some_and(|order| order.iter().any(|&s| s < 0));
    let (function, generics) = match (recipe.operation, target) {
        (Operation::Reduce(_), Target::Into) => {
            (quote!(reduce_into_call), quote!(Rule, #element, _, _, _))
        }
        (Operation::Reduce(_), _) => (quote!(reduce_call), quote!(Rule, #element, _)),
        (_, Target::Array) => (quote!(rearrange_call), quote!(Rule, _)),
        (_, Target::Into) => (quote!(rearrange_into_call), quote!(Rule, _, _, _)),
        (_, Target::View) if spreads => (quote!(spread_call), quote!(Rule, _)),
        (_, Target::View) => (quote!(view_call), quote!(Rule, _)),
        (_, Target::ViewMut) => (quote!(view_mut_call), quote!(Rule, _)),
        (_, Target::Cow) => (quote!(cow_call), quote!(Rule, _)),
    };
    let nested = |lists: &[Vec<isize>]| {
        let lists = lists.iter().map(|list| quote!(&[#(#list),*]));
        quote!(&[#(#lists),*])
    };
    let settled = match (flat, settled) {
        (Some(order), _) if spreads => quote!(, &[#(#order),*]),
        (Some(order), _) => {
            let order = order.iter().map(|&d| d as usize);
            quote!(, &[#(#order),*], &[], &[])
        }
        (None, Some(settled)) => {
            let (splits, dims) = (nested(&settled.splits), nested(&settled.dims));
            quote!(, &[], #splits, #dims)
        }
        (None, None) if target.is_view() => quote!(, &[], &[], &[]),
        (None, None) => quote!(),
    };
    let invocation = quote_spanned! {call.pattern.span()=>
        use #private::#function as einops_call;
        type Rule = #rule;
        einops_call::<#generics>(
            #output_binding #input_ident, &#recipe_ident, &[#(#length_idents),*] #settled
        )
    };
    quote_spanned! {call.pattern.span()=>
        match (#output_expr #input, #(#length_exprs,)*) {
            (#output_binding #input_ident, #(#length_idents,)*) => {
                static #recipe_ident: #private::Site<#private::Recipe> = #private::Site::new(|| {
                    #private::Recipe::new(#operation, #pattern, &[#(#names),*])
                });
                #invocation
            }
        }
    }
}

/// For a pattern without an ellipsis whose input dimensions are groups of axes of which at
/// most one is inferred: how each input dimension splits, and each output dimension's
/// sources. The view's layout then follows from the input's strides without solving the
/// pattern.
///
/// `splits[k]` lists the lengths of the axes input dimension `k` splits into: `0` for the
/// one inferred from the dimension, `n > 0` for an anonymous axis, `-1 - k` for given
/// length `k`; empty when every input dimension is one inferred axis. An output source is
/// an input axis (numbered in input order) or `-1 - k` for a new axis of given length `k`
/// (a repeat's).
fn settled(recipe: &Recipe) -> Option<Settled> {
    let mut axes = Vec::new();
    let mut splits = Vec::new();
    for term in recipe.input.iter() {
        let Term::Group(slots) = term else {
            return None;
        };
        let mut parts = Vec::new();
        for slot in slots.iter() {
            let Slot::Axis(id) = *slot else {
                return None;
            };
            parts.push(match recipe.axes[id].length {
                Length::Inferred => 0,
                Length::Fixed(0) => return None,
                Length::Fixed(n) => isize::try_from(n).ok()?,
                Length::Given(k) => -1 - isize::try_from(k).ok()?,
            });
            axes.push(id);
        }
        splits.push(parts);
    }
    if splits.iter().all(|parts| parts[..] == [0]) {
        splits.clear();
    }
    let source = |slot: &Slot| match *slot {
        Slot::Axis(id) if recipe.axes[id].in_input => {
            let axis = axes.iter().position(|&a| a == id)?;
            Some(Some(axis as isize))
        }
        Slot::Axis(id) => match recipe.axes[id].length {
            Length::Fixed(1) => Some(None),
            Length::Given(k) => Some(Some(-1 - k as isize)),
            _ => None,
        },
        Slot::Ellipsis => None,
    };
    let dims = recipe
        .output
        .iter()
        .map(|term| match term {
            Term::Group(slots) => slots
                .iter()
                .map(source)
                .collect::<Option<Vec<Option<isize>>>>()
                .map(|sources| sources.into_iter().flatten().collect()),
            Term::Ellipsis => None,
        })
        .collect::<Option<_>>()?;
    Some(Settled { splits, dims })
}

/// What [`settled`] found.
struct Settled {
    splits: Vec<Vec<isize>>,
    dims: Vec<Vec<isize>>,
}

/// A hygienic name located at the pattern, so errors about it point there: the caller's
/// items of the same name stay visible to the arguments.
pub fn hidden(pattern: &LitStr, name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site().located_at(pattern.span()))
}

/// Hygienic names `{prefix}0`, `{prefix}1`, ... located at the pattern.
pub fn numbered(pattern: &LitStr, prefix: &str, count: usize) -> Vec<syn::Ident> {
    (0..count)
        .map(|i| hidden(pattern, &format!("{prefix}{i}")))
        .collect()
}

/// The rank rule: what the input's rank must be and what the output's is.
fn rank_rule(private: &TokenStream, recipe: &Recipe) -> TokenStream {
    let (input, output) = (recipe.input_dims(), recipe.output_dims());
    let (explicit_in, explicit_out) = (input.explicit(), output.explicit());
    match (
        input.has_ellipsis(),
        output.has_ellipsis(),
        explicit_out <= 6,
    ) {
        (false, _, true) => quote!(#private::Exact<#explicit_in, #explicit_out>),
        (false, _, false) => quote!(#private::ExactDyn<#explicit_in>),
        (true, true, true) => quote!(#private::Shift<#explicit_in, #explicit_out>),
        (true, false, true) => quote!(#private::AtLeast<#explicit_in, #explicit_out>),
        (true, _, false) => quote!(#private::AtLeastDyn<#explicit_in>),
    }
}

/// `mean` needs floating-point elements, unless it provably reduces nothing (then, as in
/// einops, it is a rearrangement and any element type works).
fn element_rule(private: &TokenStream, recipe: &Recipe) -> TokenStream {
    let reduces_axis = recipe
        .axes
        .iter()
        .any(|axis| axis.in_input && !axis.in_output);
    let reduces_ellipsis = mentions_ellipsis(&recipe.input) && !mentions_ellipsis(&recipe.output);
    match recipe.operation {
        Operation::Reduce(Reduction::Mean) if reduces_axis || reduces_ellipsis => {
            quote!(#private::FloatOnly)
        }
        _ => quote!(#private::AnyElement),
    }
}

/// An operation as a constant expression.
pub fn operation_tokens(private: &TokenStream, operation: Operation) -> TokenStream {
    match operation {
        Operation::Rearrange => quote!(#private::Operation::Rearrange),
        Operation::Repeat => quote!(#private::Operation::Repeat),
        Operation::Reduce(reduction) => {
            let variant = syn::Ident::new(&format!("{reduction:?}"), Span::call_site());
            quote!(#private::Operation::Reduce(#private::Reduction::#variant))
        }
    }
}
