//! Validation: the runtime's parser checks the pattern at compile time, and its errors
//! become compile errors pointing at the offending argument.

use einops_pattern::{Operation, PatternError, PatternErrorKind, Recipe};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Expr, Ident, LitStr};

use crate::ast::Call;

/// Validates a call's pattern for `operation` (`None` for `reduce!`, whose reduction is
/// taken from the call); for a view form, also that the pattern allows a view.
pub fn recipe(call: &Call, operation: Option<Operation>, view: bool) -> syn::Result<Recipe> {
    let names = length_names(&call.lengths);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let pattern = call.pattern.value();
    let result = match (operation, &call.reduction) {
        (Some(operation), _) => Recipe::new(operation, &pattern, &names),
        (None, Some(reduction)) => Recipe::reduce(&pattern, &reduction.name, &names),
        (None, None) => unreachable!("reduce! always parses a reduction"),
    };
    let recipe = result.map_err(|err| to_syn(call, err))?;
    if view {
        recipe.check_view().map_err(|err| to_syn(call, err))?;
    }
    Ok(recipe)
}

/// The names of `name = expr` axis lengths as the pattern spells them (`r#type` is `type`).
pub fn length_names(lengths: &[(Ident, Expr)]) -> Vec<String> {
    lengths
        .iter()
        .map(|(name, _)| name.unraw().to_string())
        .collect()
}

/// Points the error at the argument it is about.
fn to_syn(call: &Call, err: PatternError) -> syn::Error {
    let reduction = call.reduction.as_ref().map(|r| r.span);
    error_at(&call.pattern, &call.lengths, reduction, err)
}

/// Points a pattern error at the argument it is about: the reduction, an axis length's
/// name, or else the pattern.
pub fn error_at(
    pattern: &LitStr,
    lengths: &[(Ident, Expr)],
    reduction: Option<Span>,
    err: PatternError,
) -> syn::Error {
    let length_span = |name: &str| {
        lengths
            .iter()
            .find(|(ident, _)| ident.unraw() == name)
            .map(|(ident, _)| ident.span())
    };
    let span = match &err.kind {
        PatternErrorKind::UnknownReduction(_) => reduction,
        PatternErrorKind::InvalidAxisLengthName(name)
        | PatternErrorKind::UnusedAxisLength(name) => length_span(name),
        _ => None,
    };
    syn::Error::new(span.unwrap_or_else(|| pattern.span()), err)
}
