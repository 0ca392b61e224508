//! The syntax of a macro call:
//! `$crate; [&mut output,] input, "pattern" [, reduction] [, name = expr]*`.
//!
//! The facade's `macro_rules!` wrappers prepend `$crate`, so expansions name the facade
//! crate correctly even when a user renames the dependency.

use proc_macro2::TokenTree;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Token};

/// A parsed `rearrange!` / `reduce!` / `repeat!` call.
pub struct Call {
    /// Path of the facade crate (`$crate`).
    pub krate: TokenTree,
    /// The output expression of the `_into` forms.
    pub output: Option<Expr>,
    /// The input expression.
    pub input: Expr,
    /// The pattern literal.
    pub pattern: LitStr,
    /// The reduction, for `reduce!` (an identifier or a string literal).
    pub reduction: Option<Reduction>,
    /// `name = expr` axis lengths, in call order.
    pub lengths: Vec<(Ident, Expr)>,
}

/// The reduction argument as written.
pub struct Reduction {
    /// Its name.
    pub name: String,
    /// Where it is written, for errors.
    pub span: proc_macro2::Span,
}

impl Call {
    /// Parses a call; `with_reduction` for `reduce!`, `into` for the `_into` forms.
    pub fn parse(input: ParseStream<'_>, with_reduction: bool, into: bool) -> syn::Result<Call> {
        let krate: TokenTree = input.parse()?;
        input.parse::<Token![;]>()?;
        let output = if into {
            let output = expression(input, "the output array first, e.g. `&mut out`")?;
            comma(input, "the input array after the output")?;
            Some(output)
        } else {
            None
        };
        let array = expression(input, "the input array")?;
        comma(
            input,
            "the pattern after the input, e.g. `\"b c h w -> b (c h w)\"`",
        )?;
        let pattern = pattern(input)?;
        let reduction = if with_reduction {
            comma(
                input,
                "a reduction after the pattern: sum, mean, min, max, prod, any or all",
            )?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Call {
            krate,
            output,
            input: array,
            pattern,
            reduction,
            lengths: lengths(input)?,
        })
    }
}

/// Parses the `, name = expr` axis lengths that end a call (a trailing comma allowed).
pub fn lengths(input: ParseStream<'_>) -> syn::Result<Vec<(Ident, Expr)>> {
    let mut lengths = Vec::new();
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let name = Ident::parse_any(input).map_err(|err| {
            syn::Error::new(err.span(), "expected an axis length `name = length`")
        })?;
        input.parse::<Token![=]>().map_err(|err| {
            syn::Error::new(err.span(), "expected `=` and a length after the axis name")
        })?;
        lengths.push((name, input.parse()?));
    }
    Ok(lengths)
}

/// A call with a fixed list of arguments before the pattern:
/// `$crate; argument, ..., "pattern" [, name = expr]*` (`pack!`, `unpack!`,
/// `parse_shape!`, `check_shape!`).
pub struct Args {
    /// Path of the facade crate (`$crate`).
    pub krate: TokenTree,
    /// The arguments before the pattern.
    pub args: Vec<Expr>,
    /// The pattern literal.
    pub pattern: LitStr,
    /// `name = expr` axis lengths, in call order.
    pub lengths: Vec<(Ident, Expr)>,
}

impl Args {
    /// Parses a call with one argument per entry of `expected`, each entry saying what the
    /// argument is (for messages when it is missing); `example` is a pattern for messages.
    pub fn parse(input: ParseStream<'_>, expected: &[&str], example: &str) -> syn::Result<Args> {
        let krate: TokenTree = input.parse()?;
        input.parse::<Token![;]>()?;
        let mut args = Vec::new();
        for (i, what) in expected.iter().enumerate() {
            if i > 0 {
                comma(input, what)?;
            }
            args.push(expression(input, what)?);
        }
        comma(input, &format!("the pattern, e.g. `{example:?}`"))?;
        Ok(Args {
            krate,
            args,
            pattern: pattern(input)?,
            lengths: lengths(input)?,
        })
    }
}

/// Parses the pattern, which must be a string literal.
pub fn pattern(input: ParseStream<'_>) -> syn::Result<LitStr> {
    if !input.peek(LitStr) {
        return Err(input.error(
            "the pattern must be a string literal, so that it is checked at compile time; \
             for a pattern known only at run time use `einops::dynamic`",
        ));
    }
    input.parse()
}

/// Parses an expression, or explains which argument is missing.
pub fn expression(input: ParseStream<'_>, what: &str) -> syn::Result<Expr> {
    if input.is_empty() {
        return Err(input.error(format!("expected {what}")));
    }
    input.parse()
}

/// Parses the comma before the next argument, or explains which argument is missing.
pub fn comma(input: ParseStream<'_>, next: &str) -> syn::Result<()> {
    input
        .parse::<Token![,]>()
        .map(drop)
        .map_err(|err| syn::Error::new(err.span(), format!("expected {next}")))
}

impl Parse for Reduction {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            return Ok(Reduction {
                name: lit.value(),
                span: lit.span(),
            });
        }
        let ident = Ident::parse_any(input)?;
        Ok(Reduction {
            name: ident.unraw().to_string(),
            span: ident.span(),
        })
    }
}
