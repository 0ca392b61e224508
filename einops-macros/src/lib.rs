//! The procedural macros of `einops`. Use them through the `einops` crate, whose
//! `rearrange!`, `reduce!`, `repeat!` and `einsum!` forward here with the crate's own path.
//!
//! Each macro runs the pipeline parse (`ast`) → validate (`valid`, with the runtime's
//! own pattern parser) → emit (`expand`): a static recipe plus one runtime call.
//! `einsum!`, whose call has any number of operands, has its own pipeline in `einsum`.
//! `pack!`/`unpack!` (module `pack`) and `parse_shape!`/`check_shape!` (module `shape`)
//! parse with `ast::Args` and validate with the runtime's plans. The layer macros
//! (`Rearrange!`, `Reduce!`, `Repeat!`, `EinMix!`) have theirs in `layer`.

use einops_pattern::{Operation, PackOperation, ShapeOperation};
use proc_macro::TokenStream;
use syn::parse::Parser;

mod ast;
mod einsum;
mod expand;
mod layer;
mod pack;
mod shape;
mod valid;

fn run(tokens: TokenStream, operation: Option<Operation>, into: bool) -> TokenStream {
    let parse =
        |input: syn::parse::ParseStream<'_>| ast::Call::parse(input, operation.is_none(), into);
    let expanded = parse.parse(tokens).and_then(|call| {
        valid::recipe(&call, operation).map(|recipe| expand::call(&call, &recipe))
    });
    expanded
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `rearrange!($crate; input, "pattern", name = length, ...)`.
#[proc_macro]
pub fn rearrange(tokens: TokenStream) -> TokenStream {
    run(tokens, Some(Operation::Rearrange), false)
}

/// `reduce!($crate; input, "pattern", reduction, name = length, ...)`.
#[proc_macro]
pub fn reduce(tokens: TokenStream) -> TokenStream {
    run(tokens, None, false)
}

/// `repeat!($crate; input, "pattern", name = length, ...)`.
#[proc_macro]
pub fn repeat(tokens: TokenStream) -> TokenStream {
    run(tokens, Some(Operation::Repeat), false)
}

/// `rearrange_into!($crate; &mut output, input, "pattern", name = length, ...)`.
#[proc_macro]
pub fn rearrange_into(tokens: TokenStream) -> TokenStream {
    run(tokens, Some(Operation::Rearrange), true)
}

/// `reduce_into!($crate; &mut output, input, "pattern", reduction, name = length, ...)`.
#[proc_macro]
pub fn reduce_into(tokens: TokenStream) -> TokenStream {
    run(tokens, None, true)
}

/// `repeat_into!($crate; &mut output, input, "pattern", name = length, ...)`.
#[proc_macro]
pub fn repeat_into(tokens: TokenStream) -> TokenStream {
    run(tokens, Some(Operation::Repeat), true)
}

fn run_einsum(tokens: TokenStream, into: bool) -> TokenStream {
    let parse = |input: syn::parse::ParseStream<'_>| einsum::Call::parse(input, into);
    let expanded = parse
        .parse(tokens)
        .and_then(|call| call.plan().map(|plan| call.expand(&plan)));
    expanded
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `einsum!($crate; operand, ..., "pattern", name = length, ...)`.
#[proc_macro]
pub fn einsum(tokens: TokenStream) -> TokenStream {
    run_einsum(tokens, false)
}

/// `einsum_into!($crate; &mut output, operand, ..., "pattern", name = length, ...)`.
#[proc_macro]
pub fn einsum_into(tokens: TokenStream) -> TokenStream {
    run_einsum(tokens, true)
}

fn run_pack(tokens: TokenStream, operation: PackOperation) -> TokenStream {
    let parse = |input: syn::parse::ParseStream<'_>| pack::parse(input, operation);
    let expanded = parse.parse(tokens).and_then(|call| {
        pack::plan(&call, operation).map(|plan| pack::expand(&call, &plan, operation))
    });
    expanded
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `pack!($crate; arrays, "pattern")`.
#[proc_macro]
pub fn pack(tokens: TokenStream) -> TokenStream {
    run_pack(tokens, PackOperation::Pack)
}

/// `unpack!($crate; packed, shapes, "pattern")`.
#[proc_macro]
pub fn unpack(tokens: TokenStream) -> TokenStream {
    run_pack(tokens, PackOperation::Unpack)
}

fn run_shape(tokens: TokenStream, operation: ShapeOperation) -> TokenStream {
    let parse = |input: syn::parse::ParseStream<'_>| shape::parse(input, operation);
    let expanded = parse.parse(tokens).and_then(|call| {
        shape::plan(&call, operation).and_then(|plan| shape::expand(&call, &plan))
    });
    expanded
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `parse_shape!($crate; array, "pattern")`.
#[proc_macro]
pub fn parse_shape(tokens: TokenStream) -> TokenStream {
    run_shape(tokens, ShapeOperation::ParseShape)
}

/// `check_shape!($crate; array, "pattern", name = length, ...)`.
#[proc_macro]
pub fn check_shape(tokens: TokenStream) -> TokenStream {
    run_shape(tokens, ShapeOperation::CheckShape)
}

fn run_layer(tokens: TokenStream, kind: layer::Kind) -> TokenStream {
    let parse = |input: syn::parse::ParseStream<'_>| layer::Call::parse(input, kind);
    let expanded = parse.parse(tokens).and_then(|call| call.expand());
    expanded
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `Rearrange!($crate; "pattern", name = length, ...)`: a `Rearrange` layer.
#[proc_macro]
pub fn rearrange_layer(tokens: TokenStream) -> TokenStream {
    run_layer(tokens, layer::Kind::Rearrange)
}

/// `Reduce!($crate; "pattern", reduction, name = length, ...)`: a `Reduce` layer.
#[proc_macro]
pub fn reduce_layer(tokens: TokenStream) -> TokenStream {
    run_layer(tokens, layer::Kind::Reduce)
}

/// `Repeat!($crate; "pattern", name = length, ...)`: a `Repeat` layer.
#[proc_macro]
pub fn repeat_layer(tokens: TokenStream) -> TokenStream {
    run_layer(tokens, layer::Kind::Repeat)
}

/// `EinMix!($crate; "pattern", weight_shape = "...", bias_shape = "...", name = length, ...)`:
/// an `EinMixSpec`.
#[proc_macro]
pub fn einmix_spec(tokens: TokenStream) -> TokenStream {
    run_layer(tokens, layer::Kind::EinMix)
}
