//! Compile-time behaviour of the macros. Each file under `tests/ui/` is one compile-time
//! error kind; the `.stderr` next to it is the message users see (regenerate with
//! `TRYBUILD=overwrite cargo test --test it ui::` and read the diff). Files under
//! `tests/ui-pass/` are hygiene cases that must compile.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
