//! The error catalogue, `docs/errors.md`: every run-time error kind and every pattern error
//! kind rendered from a call that produces it, then every compile-time error of the trybuild
//! tests (`tests/ui/*.stderr`). The test fails when the file is not current, so a changed
//! message shows up in review; `EINOPS_BLESS=1 cargo test --test it error_catalogue::` rewrites it.
//! It also fails when an error kind named in the sources has no example here.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use einops::layers::EinMixSpec;
use einops::{
    check_shape, dynamic, einsum, einsum_into, pack, rearrange_into, repeat, unpack, Error,
    PackedShape, PackedShapes,
};
use ndarray::{Array1, Array2, Array3, ArrayD, ArrayViewD};

/// One example: the call as written and what it returned.
struct Example {
    call: &'static str,
    error: Error,
}

/// `example!(call)`: the call's text and its error (it must fail).
macro_rules! example {
    ($call:expr) => {
        Example {
            call: stringify!($call),
            error: $call.map(drop).expect_err(stringify!($call)),
        }
    };
}

fn iota(rows: usize, cols: usize) -> Array2<i64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as i64)
}

/// Calls that fail with each run-time (shape, rank or dtype) error.
fn runtime_examples() -> Vec<Example> {
    let x = iota(2, 3);
    let xf = x.mapv(|v| v as f64);
    let xd = xf.clone().into_dyn();
    let empty = Array2::<f64>::zeros((2, 0));
    let big = usize::MAX / 2 + 1;
    let (packed3, shapes3) = pack!([Array3::<i64>::zeros((2, 3, 4))], "a * b").unwrap();
    let flat = packed3.into_shape_with_order((2, 12)).unwrap();
    let two = PackedShapes::new([PackedShape::unknown(), PackedShape::unknown()]);
    let five = PackedShapes::new([PackedShape::from([5])]);
    let no_views: Vec<ArrayViewD<i64>> = Vec::new();
    let no_arrays: Vec<Array2<i64>> = Vec::new();
    let mut wrong_out = Array2::<i64>::zeros((2, 2));
    let mut wrong_einsum_out = Array2::<f64>::zeros((2, 2));
    vec![
        example!(dynamic::rearrange(&x, "a b c -> c b a", &[])),
        example!(dynamic::rearrange_view(&x.t(), "b a -> (b a)", &[])),
        example!(dynamic::rearrange(&x, "a b c ... -> c ... b a", &[])),
        example!(repeat!(&x, "a b -> a b r", r = -1)),
        example!(dynamic::rearrange(
            &x,
            "a (b c) -> a b c",
            &[("b", 2), ("c", 2)]
        )),
        example!(dynamic::rearrange(&x, "a (b c) -> a b c", &[("b", 2)])),
        example!(dynamic::rearrange(&empty, "a (b c) -> a b c", &[("b", 0)])),
        example!(dynamic::repeat(
            &x,
            "a b -> a b c d",
            &[("c", big), ("d", 2)]
        )),
        example!(dynamic::repeat(
            &x,
            "a b -> a b r",
            &[("r", isize::MAX as usize / 8)]
        )),
        example!(dynamic::rearrange(
            &[x.clone(), x.t().to_owned()],
            "n a b -> n a b",
            &[]
        )),
        example!(dynamic::rearrange(&no_arrays, "n a b -> n a b", &[])),
        example!(dynamic::reduce(&empty, "a b -> a", "max", &[])),
        example!(rearrange_into!(&mut wrong_out, &x, "a b -> b a")),
        example!(dynamic::reduce(&x, "a b -> a", "mean", &[])),
        example!(dynamic::pack(&no_views, "a *")),
        example!(dynamic::pack(&[x.view()], "a b c *")),
        example!(dynamic::pack(&[x.view(), x.t()], "a *")),
        example!(dynamic::unpack(&x, &five, "a b *")),
        example!(dynamic::unpack(&x, &two, "a *")),
        example!(dynamic::unpack(&x, &five, "a *")),
        example!(unpack!(flat, &shapes3, "a *")),
        example!(dynamic::parse_shape(&x, "a b c")),
        example!(dynamic::parse_shape(&x, "a b c ...")),
        example!(dynamic::parse_shape(&x, "a 1")),
        example!(dynamic::parse_shape(&x, "a 4")),
        example!(check_shape!(x, "a b", b = 4)),
        example!(einsum!(&xd, "a b c -> a")),
        example!(einsum!(&xd, "... b -> b")),
        example!(einsum!(&xf, &xf, "a b, b c -> a c")),
        example!(dynamic::einsum(
            &[xd.view(), ndarray::ArrayD::zeros(vec![4]).view()],
            "... b, ... -> ... b"
        )),
        example!(einsum!(&xf, "a (b c) -> a b c", b = 2, c = 2)),
        example!(einsum!(&xf, "a (b c) -> a b c", b = 2)),
        example!(einsum!(&empty, "a (b c) -> a b c", b = 0)),
        example!(einsum!(&xf, "a (b c) -> a b c", b = -1)),
        example!(dynamic::einsum_with_lengths(
            &[Array1::<f64>::zeros(0).view()],
            "(a b) -> a b",
            &[("a", big), ("b", 2)]
        )),
        example!(einsum_into!(&mut wrong_einsum_out, &xf, "a b -> b a")),
        example!(
            EinMixSpec::new("a b -> a c", "b c", None, &[("b", 3), ("c", 2)])
                .unwrap()
                .with_params(ArrayD::<f64>::zeros(vec![2, 2]), None)
        ),
    ]
}

/// Calls whose pattern is wrong: the same messages the macros print at compile time.
fn pattern_examples() -> Vec<Example> {
    let x = iota(2, 3);
    let xf = x.mapv(|v| v as f64);
    let many = (0..100)
        .map(|i| format!("a{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let too_many: &'static str = format!("{many} -> a0").leak();
    let v = x.view();
    vec![
        example!(dynamic::rearrange(&x, "a b", &[])),
        example!(dynamic::rearrange(&x, "a -> b -> a", &[])),
        example!(dynamic::rearrange(&x, "a $ -> a", &[])),
        example!(dynamic::rearrange(&x, "a .. -> a", &[])),
        example!(dynamic::rearrange(&x, "... a ... -> a", &[])),
        example!(dynamic::rearrange(&x, "a b_ -> a b_", &[])),
        example!(dynamic::rearrange(&x, "a 0 -> a", &[])),
        example!(dynamic::rearrange(&x, "a a -> a", &[])),
        example!(dynamic::rearrange(&x, "a ((b)) -> a b", &[])),
        example!(dynamic::rearrange(&x, "a b) -> a b", &[])),
        example!(dynamic::rearrange(&x, "a (b -> a b", &[])),
        example!(dynamic::rearrange(&x, "a b -> a b ...", &[])),
        example!(dynamic::rearrange(&x, "a (b ...) -> a b ...", &[])),
        example!(dynamic::rearrange(&x, "a b 2 -> a b", &[])),
        example!(dynamic::rearrange(&x, "a b -> a", &[])),
        example!(dynamic::repeat(&x, "a b -> a", &[])),
        example!(dynamic::repeat_view(&x, "a b -> (a r) b", &[("r", 2)])),
        example!(dynamic::repeat(&x, "a b -> a b c", &[])),
        example!(dynamic::reduce(&x, "a b -> a c", "sum", &[])),
        example!(dynamic::reduce(&x, "a b -> a", "avg", &[])),
        example!(dynamic::rearrange(&x, "a b -> b a", &[("1x", 2)])),
        example!(dynamic::rearrange(&x, "a b -> b a", &[("z", 2)])),
        example!(dynamic::rearrange(&x, "a b -> b a", &[("a", 2), ("a", 2)])),
        example!(dynamic::rearrange(&x, "(a b) c -> a b c", &[])),
        example!(dynamic::pack(&[v], "a a *")),
        example!(dynamic::pack(&[v], "a b")),
        example!(dynamic::pack(&[v], "a 2 *")),
        example!(dynamic::parse_shape(&x, "(a b)")),
        example!(dynamic::parse_shape(&x, "a (...)")),
        example!(dynamic::einsum(&[xf.view()], "a b")),
        example!(dynamic::einsum(&[xf.view()], "a 1 -> a")),
        example!(dynamic::einsum(&[xf.view()], "a (b c) -> a b c")),
        example!(dynamic::einsum(&[xf.view()], "a 2 -> a")),
        example!(dynamic::einsum(&[xf.view()], too_many)),
        example!(dynamic::einsum(&[xf.view()], "a b -> c")),
        example!(dynamic::einsum(&[xf.view()], "a b, b c -> a c")),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b 3 c",
            None,
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b c",
            Some("x"),
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "a ... b -> a b ...",
            "b",
            Some("b"),
            &[("b", 2)]
        )),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b c",
            Some("a"),
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "a ... b -> a c",
            "b c",
            None,
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "(a ...) b -> a ... c",
            "b c",
            None,
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b c w",
            None,
            &[("b", 2), ("c", 3), ("w", 4)]
        )),
        example!(EinMixSpec::new(
            "a b -> a d",
            "b c",
            None,
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b c",
            None,
            &[("b", 2), ("c", 3), ("z", 4)]
        )),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b c ...",
            None,
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new(
            "a b -> a c",
            "(b c)",
            None,
            &[("b", 2), ("c", 3)]
        )),
        example!(EinMixSpec::new("a b -> a c", "b c", None, &[("b", 2)])),
        example!(EinMixSpec::new(
            "a b -> a c",
            "b 1 c",
            None,
            &[("b", 2), ("c", 3)]
        )),
    ]
}

/// Kinds only a feature can produce: `backend_error` is a failure inside candle or burn
/// (tests/it/candle.rs shows it), `output_rank` a burn result of another rank than the
/// one the caller named (tests/it/burn.rs).
const FEATURE_KINDS: [&str; 2] = ["backend_error", "output_rank"];

/// The kind names that the sources' `kind()` / `name()` functions can return (without
/// those of features).
fn kinds_in_sources() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut kinds = BTreeSet::new();
    for (file, function) in [
        ("einops-runtime/src/error/mod.rs", "pub fn kind(&self)"),
        ("einops-pattern/src/error.rs", "pub fn name(&self)"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let start = text.find(function).expect("the kind function");
        let body = &text[start..start + text[start..].find("\n    }\n").unwrap()];
        let names = body.split('"').skip(1).step_by(2);
        // Only names: `kind()` also compares messages with other literals.
        kinds.extend(
            names
                .filter(|s| s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                .filter(|s| !FEATURE_KINDS.contains(s))
                .map(str::to_owned),
        );
    }
    kinds
}

fn section(out: &mut String, title: &str, examples: &[Example]) {
    writeln!(out, "## {title}\n").unwrap();
    for Example { call, error } in examples {
        writeln!(out, "### `{}` ({:?})\n", error.kind(), error.stage()).unwrap();
        writeln!(out, "```rust\n{call}\n```\n\n```text\n{error}\n```\n").unwrap();
    }
}

fn catalogue() -> String {
    let mut out = String::from(
        "# Error catalogue\n\n\
         <!-- Generated by tests/it/error_catalogue.rs; `EINOPS_BLESS=1 cargo test --test \
         error_catalogue` rewrites it. Do not edit. -->\n\n\
         Every error einops can report, each from one call that produces it. Run-time errors \
         are `einops::Error` values: `kind()` gives the name in each heading, `stage()` the \
         stage in parentheses. A pattern error is reported by the macros at compile time and \
         by `einops::dynamic` at run time with the same text. The last section shows the \
         compiler's output for the compile-time errors (the trybuild tests in `tests/ui`).\n\n\
         In the calls, `x` is a 2×3 `i64` array (`v` a view of it), `xf` the same in `f64` and \
         `xd` that as an `ArrayD`; `empty` is a 2×0 `f64` array.\n\n",
    );
    section(&mut out, "Run-time errors", &runtime_examples());
    section(&mut out, "Pattern errors", &pattern_examples());
    out.push_str("## Compile-time errors\n\n");
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut stderr: Vec<_> = std::fs::read_dir(&ui)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "stderr"))
        .collect();
    stderr.sort();
    for path in stderr {
        let name = path.file_stem().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(&path).unwrap();
        writeln!(
            out,
            "### `tests/ui/{name}.rs`\n\n```text\n{}\n```\n",
            text.trim_end()
        )
        .unwrap();
    }
    out
}

#[test]
fn every_error_kind_has_an_example() {
    let shown: BTreeSet<String> = runtime_examples()
        .iter()
        .chain(&pattern_examples())
        .map(|example| example.error.kind().to_owned())
        .collect();
    let missing: Vec<_> = kinds_in_sources().difference(&shown).cloned().collect();
    assert!(
        missing.is_empty(),
        "error kinds without an example: {missing:?}"
    );
}

#[test]
fn the_catalogue_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md");
    let current = catalogue();
    if std::env::var_os("EINOPS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/errors.md is not current: rerun with EINOPS_BLESS=1 and review the diff"
    );
}

/// Every message names the pattern text of its call that is at fault (patterns are the
/// strings of a call; EinMix's weight and bias shapes are patterns too).
#[test]
fn messages_name_the_pattern() {
    for Example { call, error } in runtime_examples().iter().chain(&pattern_examples()) {
        let text = error.to_string();
        let mut patterns = call.split('"').skip(1).step_by(2);
        assert!(
            patterns.any(|pattern| pattern.is_empty() || text.contains(pattern))
                || call.contains("too_many"),
            "the message of {call} does not name its pattern: {text}"
        );
    }
}
