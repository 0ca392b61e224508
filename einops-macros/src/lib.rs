//! The procedural macros of `einops`. Use them through the `einops` crate, whose
//! `rearrange!`, `reduce!`, `repeat!` and `einsum!` forward here with the crate's own path.
//!
//! Every macro runs through one driver, `run`, as the three steps of `Macro`: parse
//! the call, validate it with the pattern core (`einops-pattern`, the parser the run-time
//! API also uses), expand it into a static plan site plus one runtime call. The families:
//! `Pattern` here (`rearrange!`, `reduce!`, `repeat!` and their `_into` forms, whose steps
//! are the modules `ast` → `valid` → `expand`), and in their own modules `einsum::Einsum`,
//! `pack::Pack`, `shape::Shape` (`parse_shape!`, `check_shape!`) and `layer::Layer`
//! (`Rearrange!`, `Reduce!`, `Repeat!`, `EinMixSpec!`), each implementing the three steps
//! itself.

use einops_pattern::{Operation, PackOperation, Recipe, ShapeOperation};
use proc_macro::TokenStream;
use syn::parse::{ParseStream, Parser};

mod ast;
mod einsum;
mod expand;
mod layer;
mod pack;
mod shape;
mod valid;

/// A family of macros as three steps, run in this order by [`run`]: parse the call's
/// tokens, validate the call with the pattern core (`einops-pattern`, the parser the
/// run-time API also uses), and expand the validated call. An error of any step becomes a
/// `compile_error!` at the span it names.
trait Macro {
    /// Which member of the family (e.g. `rearrange!` or `reduce_into!`).
    type Form: Copy;
    /// The parsed call.
    type Call;
    /// What validation makes of the call: the plan the expansion is written from.
    type Plan;
    /// Parses the call's tokens.
    fn parse(input: ParseStream<'_>, form: Self::Form) -> syn::Result<Self::Call>;
    /// Validates the call with the pattern core.
    fn validate(call: &Self::Call, form: Self::Form) -> syn::Result<Self::Plan>;
    /// Writes the expansion of a validated call.
    fn expand(
        call: &Self::Call,
        plan: &Self::Plan,
        form: Self::Form,
    ) -> syn::Result<proc_macro2::TokenStream>;
}

/// The one driver of every macro: parse, validate, expand.
fn run<M: Macro>(tokens: TokenStream, form: M::Form) -> TokenStream {
    let parse = |input: ParseStream<'_>| M::parse(input, form);
    parse
        .parse(tokens)
        .and_then(|call| {
            let plan = M::validate(&call, form)?;
            M::expand(&call, &plan, form)
        })
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `rearrange!`, `reduce!`, `repeat!` and their `_into`, `_view` and `_cow` forms: the
/// operation (`None` for `reduce`, whose reduction the call names) and what the result is.
struct Pattern;

impl Macro for Pattern {
    type Form = (Option<Operation>, expand::Target);
    type Call = ast::Call;
    type Plan = Recipe;
    fn parse(input: ParseStream<'_>, (operation, target): Self::Form) -> syn::Result<ast::Call> {
        let into = target == expand::Target::Into;
        ast::Call::parse(input, operation.is_none(), into)
    }
    fn validate(call: &ast::Call, (operation, target): Self::Form) -> syn::Result<Recipe> {
        valid::recipe(call, operation, target.is_view())
    }
    fn expand(
        call: &ast::Call,
        recipe: &Recipe,
        (_, target): Self::Form,
    ) -> syn::Result<proc_macro2::TokenStream> {
        Ok(expand::call(call, recipe, target))
    }
}

/// The pattern macros, by operation and target.
macro_rules! pattern_macros {
    ($($(#[$doc:meta])* $name:ident => ($operation:expr, $target:ident);)*) => {$(
        $(#[$doc])*
        #[proc_macro]
        pub fn $name(tokens: TokenStream) -> TokenStream {
            run::<Pattern>(tokens, ($operation, expand::Target::$target))
        }
    )*};
}

pattern_macros! {
    /// `rearrange!($crate; input, "pattern", name = length, ...)`.
    rearrange => (Some(Operation::Rearrange), Array);
    /// `reduce!($crate; input, "pattern", reduction, name = length, ...)`.
    reduce => (None, Array);
    /// `repeat!($crate; input, "pattern", name = length, ...)`.
    repeat => (Some(Operation::Repeat), Array);
    /// `rearrange_into!($crate; &mut output, input, "pattern", name = length, ...)`.
    rearrange_into => (Some(Operation::Rearrange), Into);
    /// `reduce_into!($crate; &mut output, input, "pattern", reduction, name = length, ...)`.
    reduce_into => (None, Into);
    /// `repeat_into!($crate; &mut output, input, "pattern", name = length, ...)`.
    repeat_into => (Some(Operation::Repeat), Into);
    /// `rearrange_view!($crate; &input, "pattern", name = length, ...)`.
    rearrange_view => (Some(Operation::Rearrange), View);
    /// `rearrange_view_mut!($crate; &mut input, "pattern", name = length, ...)`.
    rearrange_view_mut => (Some(Operation::Rearrange), ViewMut);
    /// `repeat_view!($crate; &input, "pattern", name = length, ...)`.
    repeat_view => (Some(Operation::Repeat), View);
    /// `rearrange_cow!($crate; &input, "pattern", name = length, ...)`.
    rearrange_cow => (Some(Operation::Rearrange), Cow);
}

/// `einsum!($crate; operand, ..., "pattern", name = length, ...)`.
#[proc_macro]
pub fn einsum(tokens: TokenStream) -> TokenStream {
    run::<einsum::Einsum>(tokens, false)
}

/// `einsum_into!($crate; &mut output, operand, ..., "pattern", name = length, ...)`.
#[proc_macro]
pub fn einsum_into(tokens: TokenStream) -> TokenStream {
    run::<einsum::Einsum>(tokens, true)
}

/// `pack!($crate; arrays, "pattern")`.
#[proc_macro]
pub fn pack(tokens: TokenStream) -> TokenStream {
    run::<pack::Pack>(tokens, PackOperation::Pack)
}

/// `unpack!($crate; packed, shapes, "pattern")`.
#[proc_macro]
pub fn unpack(tokens: TokenStream) -> TokenStream {
    run::<pack::Pack>(tokens, PackOperation::Unpack)
}

/// `parse_shape!($crate; array, "pattern")`.
#[proc_macro]
pub fn parse_shape(tokens: TokenStream) -> TokenStream {
    run::<shape::Shape>(tokens, ShapeOperation::ParseShape)
}

/// `check_shape!($crate; array, "pattern", name = length, ...)`.
#[proc_macro]
pub fn check_shape(tokens: TokenStream) -> TokenStream {
    run::<shape::Shape>(tokens, ShapeOperation::CheckShape)
}

/// `Rearrange!($crate; "pattern", name = length, ...)`: a `Rearrange` layer.
#[proc_macro]
pub fn rearrange_layer(tokens: TokenStream) -> TokenStream {
    run::<layer::Layer>(tokens, layer::Kind::Rearrange)
}

/// `Reduce!($crate; "pattern", reduction, name = length, ...)`: a `Reduce` layer.
#[proc_macro]
pub fn reduce_layer(tokens: TokenStream) -> TokenStream {
    run::<layer::Layer>(tokens, layer::Kind::Reduce)
}

/// `Repeat!($crate; "pattern", name = length, ...)`: a `Repeat` layer.
#[proc_macro]
pub fn repeat_layer(tokens: TokenStream) -> TokenStream {
    run::<layer::Layer>(tokens, layer::Kind::Repeat)
}

/// `EinMixSpec!($crate; "pattern", weight_shape = "...", bias_shape = "...", name = length, ...)`:
/// an `EinMixSpec`.
#[proc_macro]
pub fn einmix_spec(tokens: TokenStream) -> TokenStream {
    run::<layer::Layer>(tokens, layer::Kind::EinMix)
}
