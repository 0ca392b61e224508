//! The procedural macros of `einops`. Use them through the `einops` crate, whose
//! `rearrange!`, `reduce!` and `repeat!` forward here with the crate's own path.
//!
//! Each macro runs the pipeline parse (`ast`) → validate (`valid`, with the runtime's
//! own pattern parser) → emit (`expand`): a static recipe plus one runtime call.

use einops_runtime::pattern::Operation;
use proc_macro::TokenStream;
use syn::parse::Parser;

mod ast;
mod expand;
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
