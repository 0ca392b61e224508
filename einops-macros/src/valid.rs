//! Validation: the runtime's parser checks the pattern at compile time, and its errors
//! become compile errors pointing at the offending argument.

use einops_runtime::pattern::{Operation, PatternError, PatternErrorKind, Recipe};
use syn::ext::IdentExt;

use crate::ast::Call;

/// Validates a call's pattern for `operation` (`None` for `reduce!`, whose reduction is
/// taken from the call).
pub fn recipe(call: &Call, operation: Option<Operation>) -> syn::Result<Recipe> {
    let names: Vec<String> = call
        .lengths
        .iter()
        .map(|(name, _)| name.unraw().to_string())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let pattern = call.pattern.value();
    let result = match (operation, &call.reduction) {
        (Some(operation), _) => Recipe::new(operation, &pattern, &names),
        (None, Some(reduction)) => Recipe::reduce(&pattern, &reduction.name, &names),
        (None, None) => unreachable!("reduce! always parses a reduction"),
    };
    result.map_err(|err| to_syn(call, err))
}

/// Points the error at the argument it is about.
fn to_syn(call: &Call, err: PatternError) -> syn::Error {
    let length_span = |name: &str| {
        call.lengths
            .iter()
            .find(|(ident, _)| ident.unraw() == name)
            .map(|(ident, _)| ident.span())
    };
    let span = match &err.kind {
        PatternErrorKind::UnknownReduction(_) => call.reduction.as_ref().map(|r| r.span),
        PatternErrorKind::InvalidAxisLengthName(name)
        | PatternErrorKind::UnusedAxisLength(name) => length_span(name),
        _ => None,
    };
    syn::Error::new(span.unwrap_or_else(|| call.pattern.span()), err)
}
