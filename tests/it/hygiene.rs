//! Macro hygiene: the expansions of `rearrange!`, `reduce!` and `repeat!` work whatever the
//! caller has in scope, evaluate each argument exactly once and left to right, accept `?` and
//! any integer type in their arguments, and work through a renamed dependency.

use std::cell::RefCell;

use einops::{rearrange, reduce, repeat, Stage};
use ndarray::{Array, Array1, Array2, Array3, Array4, ArrayBase, Data, Ix2, Ix4};

/// `0, 1, 2, ...` in the given shape.
fn iota<Sh: ndarray::ShapeBuilder<Dim = D>, D: ndarray::Dimension>(shape: Sh) -> Array<i64, D> {
    let shape = shape.into_shape_with_order();
    let n = shape.size();
    Array::from_shape_vec(shape, (0..n as i64).collect()).unwrap()
}

/// (a) The caller shadows the prelude and the standard crates; the macros must not care.
#[allow(
    dead_code,
    non_camel_case_types,
    non_upper_case_globals,
    unused_macros,
    clippy::upper_case_acronyms
)]
mod shadowed_prelude {
    // Items named like the prelude and the crates an expansion might reach for.
    struct Result;
    struct Option;
    struct Ok;
    struct Err;
    struct Some;
    struct None;
    struct Box;
    struct Vec;
    struct String;
    struct Clone;
    struct Copy;
    struct Default;
    struct Into;
    struct From;
    struct Iterator;
    struct Sized;
    mod std {}
    mod core {}
    mod alloc {}
    mod ndarray {}
    mod einops {}
    mod einops_runtime {}
    mod __private {}
    static RECIPE: u8 = 0;
    static PLAN: u8 = 0;
    macro_rules! vec {
        ($($t:tt)*) => {
            compile_error!("the user's vec! was called")
        };
    }
    macro_rules! matches {
        ($($t:tt)*) => {
            compile_error!("the user's matches! was called")
        };
    }
    macro_rules! panic {
        ($($t:tt)*) => {
            compile_error!("the user's panic! was called")
        };
    }

    use ::einops::{rearrange, reduce, repeat};
    use ::ndarray::{Array1, Array2, Array3, Array4};

    fn pipeline(x: Array4<f32>) -> ::core::result::Result<Array2<f32>, ::einops::Error> {
        let input = x;
        let length0 = 2usize;
        let tokens: Array3<f32> = rearrange!(
            input,
            "b c (h p) (w q) -> b (h w) (p q c)",
            p = length0,
            q = 2
        )?;
        let pooled: Array2<f32> = reduce!(tokens, "b n d -> b d", mean)?;
        let widened: Array3<f32> = repeat!(pooled, "b d -> b d r", r = 2)?;
        rearrange!(widened, "b d r -> b (d r)")
    }

    #[test]
    fn macros_work_with_the_prelude_and_std_shadowed() {
        let x = Array4::<f32>::ones((2, 3, 4, 4));
        let y = pipeline(x).unwrap();
        assert_eq!(y.shape(), &[2, 24]);
        assert!(y.iter().all(|&v| v == 1.0));
        let v: Array1<i32> = Array1::from(::std::vec![3, 1, 2]);
        let m: Array1<i32> = reduce!(&v, "(a b) -> a", max, b = 3).unwrap();
        assert_eq!(m.to_vec(), [3]);
    }

    #[test]
    fn layer_macros_work_with_the_prelude_and_std_shadowed() {
        let length0 = 2usize;
        let pool = ::einops::Reduce!("b c (h p) (w 2) -> b c h w", max, p = length0);
        let flatten = ::einops::Rearrange!("b c h w -> b (c h w)");
        let widen = ::einops::Repeat!("b f -> b f r", r = PLAN + 2);
        let mix = ::einops::EinMixSpec!(
            "b (g i) -> b (g o)",
            weight_shape = "g i o",
            bias_shape = "g o",
            g = 2,
            i = 6,
            o = length0
        )
        .seeded::<f32>(0)
        .unwrap();
        let x = Array4::<f32>::ones((2, 3, 4, 4));
        let flat = flatten.forward(pool.forward(&x).unwrap()).unwrap();
        assert_eq!(flat.shape(), &[2, 12]);
        assert_eq!(widen.forward(&flat).unwrap().shape(), &[2, 12, 2]);
        assert_eq!(mix.forward(&flat).unwrap().shape(), &[2, 4]);
    }
}

/// (a) Without any prelude at all: the expansions name everything by full path.
#[no_implicit_prelude]
mod without_prelude {
    #[test]
    fn macros_work_without_the_prelude() {
        let x = ::ndarray::Array4::<f64>::ones((2, 3, 4, 4));
        let t = ::einops::rearrange!(&x, "b c (h p) w -> b (h w) (p c)", p = 2).unwrap();
        ::std::assert_eq!(t.shape(), &[2, 8, 6]);
        let m = ::einops::reduce!(t, "b n d -> b d", mean).unwrap();
        ::std::assert_eq!(m.shape(), &[2, 6]);
        let r = ::einops::repeat!(m.view(), "b d -> b d r", r = 3u8).unwrap();
        ::std::assert_eq!(r.shape(), &[2, 6, 3]);
        let e = ::einops::rearrange!(&r, "b (d k) r -> b d k r", k = 4).unwrap_err();
        ::std::assert_eq!(e.stage(), ::einops::Stage::Shape);
    }

    #[test]
    fn layer_macros_work_without_the_prelude() {
        let x = ::ndarray::Array3::<f64>::ones((2, 3, 4));
        let split = ::einops::Rearrange!("b c (h w) -> b c h w", h = 2);
        ::std::assert_eq!(split.forward(&x).unwrap().shape(), &[2, 3, 2, 2]);
        let sum = ::einops::Reduce!("b c d -> b", sum);
        ::std::assert_eq!(sum.forward(&x).unwrap().shape(), &[2]);
        let tile = ::einops::Repeat!("b c d -> b c d r", r = 2);
        ::std::assert_eq!(tile.forward(x.view()).unwrap().shape(), &[2, 3, 4, 2]);
        let mix =
            ::einops::EinMixSpec!("b c d -> b e", weight_shape = "c d e", c = 3, d = 4, e = 5)
                .seeded::<f64>(1)
                .unwrap();
        ::std::assert_eq!(mix.forward(&x).unwrap().shape(), &[2, 5]);
    }
}

#[derive(Debug)]
struct LoadError;

impl From<einops::Error> for LoadError {
    fn from(_: einops::Error) -> Self {
        LoadError
    }
}

fn load(ok: bool) -> Result<Array2<i64>, LoadError> {
    if ok {
        Ok(iota((2, 6)))
    } else {
        Err(LoadError)
    }
}

fn heads(ok: bool) -> Result<u32, LoadError> {
    if ok {
        Ok(3)
    } else {
        Err(LoadError)
    }
}

fn split(load_ok: bool, heads_ok: bool) -> Result<Array3<i64>, LoadError> {
    Ok(rearrange!(
        load(load_ok)?,
        "b (h d) -> b h d",
        h = heads(heads_ok)?
    )?)
}

/// (b) `?` inside the input expression and inside a length expression.
#[test]
fn question_mark_in_arguments() {
    let y = split(true, true).unwrap();
    assert_eq!(y.shape(), &[2, 3, 2]);
    assert_eq!(y[[1, 2, 1]], 11);
    assert!(split(false, true).is_err());
    assert!(split(true, false).is_err());
}

/// `?` on an argument returns early: the arguments after it are not evaluated.
#[test]
fn question_mark_stops_evaluation() {
    let log = RefCell::new(Vec::new());
    let run = || -> Result<Array3<i64>, LoadError> {
        Ok(repeat!(
            {
                log.borrow_mut().push("input");
                load(false)?
            },
            "b d -> b d r",
            r = {
                log.borrow_mut().push("r");
                2
            }
        )?)
    };
    assert!(run().is_err());
    assert_eq!(*log.borrow(), ["input"]);
}

/// (c) Every argument is evaluated exactly once, left to right.
#[test]
fn arguments_evaluated_once_left_to_right() {
    let log = RefCell::new(Vec::new());
    let note = |what: &'static str| log.borrow_mut().push(what);

    let y = rearrange!(
        {
            note("input");
            iota((2, 12))
        },
        "b (h w c) -> b h w c",
        h = {
            note("h");
            2
        },
        c = {
            note("c");
            3
        }
    )
    .unwrap();
    assert_eq!(y.shape(), &[2, 2, 2, 3]);
    assert_eq!(*log.borrow(), ["input", "h", "c"]);

    log.borrow_mut().clear();
    let y = reduce!(
        {
            note("input");
            iota((4, 6))
        },
        "(b b2) (d d2) -> b d",
        sum,
        d2 = {
            note("d2");
            2
        },
        b2 = {
            note("b2");
            2
        }
    )
    .unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    assert_eq!(y[[0, 0]], 1 + 6 + 7);
    assert_eq!(*log.borrow(), ["input", "d2", "b2"]);

    log.borrow_mut().clear();
    let y = repeat!(
        {
            note("input");
            iota(3)
        },
        "w -> r w c",
        c = {
            note("c");
            2
        },
        r = {
            note("r");
            4
        }
    )
    .unwrap();
    assert_eq!(y.shape(), &[4, 3, 2]);
    assert_eq!(*log.borrow(), ["input", "c", "r"]);
}

/// The `_into` forms evaluate the output first, then the input, then the lengths.
#[test]
fn into_forms_evaluate_output_first() {
    let log = RefCell::new(Vec::new());
    let note = |what: &'static str| log.borrow_mut().push(what);
    let mut out = Array3::<i64>::zeros((2, 2, 3));
    einops::rearrange_into!(
        {
            note("output");
            &mut out
        },
        {
            note("input");
            iota((2, 6))
        },
        "b (h w) -> b h w",
        h = {
            note("h");
            2
        }
    )
    .unwrap();
    assert_eq!(out, iota((2, 2, 3)));
    assert_eq!(*log.borrow(), ["output", "input", "h"]);
}

/// A length argument that is a counter's side effect runs once per call, even in a loop.
#[test]
fn side_effects_run_once_per_call() {
    let mut calls = 0;
    let mut next = || {
        calls += 1;
        2usize
    };
    for _ in 0..3 {
        let y = rearrange!(iota(8), "(a b) -> a b", a = next()).unwrap();
        assert_eq!(y.shape(), &[2, 4]);
    }
    assert_eq!(calls, 3);
}

/// (d) Lengths of any integer type, by value or by reference.
#[test]
fn lengths_of_any_integer_type() {
    let x = iota((2, 12));
    let h8: u8 = 2;
    let h16: i16 = 2;
    let h32: i32 = 2;
    let h64: u64 = 2;
    let hs: usize = 2;
    let hi: i64 = 2;
    let h128: u128 = 2;
    let hisize: isize = 2;
    let expected = iota((2, 2, 6));
    let a: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = h8).unwrap();
    let b: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = h16).unwrap();
    let c: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = h32).unwrap();
    let d: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = h64).unwrap();
    let e: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = hs).unwrap();
    let f: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = hi).unwrap();
    let g: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = h128).unwrap();
    let h: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = hisize).unwrap();
    let i: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = &hs).unwrap();
    let j: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = &h32).unwrap();
    let k: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = 2).unwrap();
    let l: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = 2u8, w = 6i64).unwrap();
    let m: Array3<i64> = rearrange!(&x, "b (h w) -> b h w", h = x.len() / 24).unwrap();
    for y in [a, b, c, d, e, f, g, h, i, j, k, l] {
        assert_eq!(y, expected);
    }
    assert_eq!(m.shape(), &[2, 1, 12]);
    let r: Array3<i64> = repeat!(&x, "b f -> b f c", c = 3u8).unwrap();
    assert_eq!(r.shape(), &[2, 12, 3]);
    let s: Array2<i64> = reduce!(&x, "b (f f2) -> b f", max, f2 = 4i32).unwrap();
    assert_eq!(s.shape(), &[2, 3]);
}

/// (d) A negative or too large length is a run-time error of stage `Shape`, not a panic.
#[test]
fn invalid_length_values_are_shape_errors() {
    let x = iota((2, 12));
    let errors = [
        (rearrange!(&x, "b (h w) -> b h w", h = -2).unwrap_err(), "h"),
        (
            rearrange!(&x, "b (h w) -> b h w", h = -2i64).unwrap_err(),
            "h",
        ),
        (
            rearrange!(&x, "b (h w) -> b h w", h = i8::MIN).unwrap_err(),
            "h",
        ),
        (
            rearrange!(&x, "b (h w) -> b h w", h = u128::MAX).unwrap_err(),
            "h",
        ),
        (
            rearrange!(&x, "b (h w) -> b h w", h = i128::MAX).unwrap_err(),
            "h",
        ),
        (repeat!(&x, "b f -> b f c", c = -1).unwrap_err(), "c"),
        (
            reduce!(&x, "b (f f2) -> b f", sum, f2 = -4).unwrap_err(),
            "f2",
        ),
    ];
    for (err, axis) in errors {
        assert_eq!(err.stage(), Stage::Shape, "{err}");
        assert!(err.to_string().contains(&format!("`{axis}`")), "{err}");
    }
    let err = rearrange!(&x, "b (h w) -> b h w", h = -2).unwrap_err();
    assert!(err.to_string().contains("-2"), "{err}");
    assert!(err.to_string().contains("`h`"), "{err}");
}

/// Axis names that are Rust keywords (einops accepts them) work as length names.
#[test]
fn keyword_axis_names() {
    let x = iota((2, 6));
    let y: Array3<i64> = rearrange!(&x, "b (type fn) -> b fn type", type = 3).unwrap();
    assert_eq!(y.shape(), &[2, 2, 3]);
    assert_eq!(y[[0, 1, 2]], x[[0, 5]]);
    let z: Array3<i64> = rearrange!(&x, "b (type fn) -> b fn type", r#type = 3).unwrap();
    assert_eq!(z, y);
}

/// (e) The facade under another name, in a module where `einops` is a different, empty module
/// (an expansion naming `einops::...` relatively would fail here). The crate root still has
/// `einops` in its extern prelude; `renamed_dependency_crate` below covers a crate without it.
mod renamed {
    extern crate einops as renamed_einops;

    #[allow(dead_code)]
    mod einops {}

    use ndarray::{Array1, Array2, Array3};

    #[test]
    fn macros_through_a_renamed_crate() {
        let x = Array2::from_shape_vec((2, 6), (0..12).collect::<Vec<u32>>()).unwrap();
        let y: Array3<u32> = renamed_einops::rearrange!(&x, "b (h w) -> b h w", h = 2).unwrap();
        assert_eq!(y[[1, 1, 2]], 11);
        let s: Array1<u32> = renamed_einops::reduce!(&x, "b f -> b", sum).unwrap();
        assert_eq!(s.to_vec(), [15, 51]);
        let r: Array3<u32> = renamed_einops::repeat!(x, "b f -> b f c", c = 2).unwrap();
        assert_eq!(r.shape(), &[2, 6, 2]);
        let e: renamed_einops::Error =
            renamed_einops::rearrange!(&y, "b h w -> b (h w)", h = 3).unwrap_err();
        assert_eq!(e.stage(), renamed_einops::Stage::Shape);
    }
}

/// (e) A real renamed dependency: `tests/renamed-dependency` is a separate package whose only
/// name for this crate is `my_einops` (`my_einops = { package = "einops-rs", path = "../.." }`).
/// Cargo ignores a package's dev-dependency on itself, so the package is copied under
/// `CARGO_TARGET_TMPDIR` (pointing at this checkout, with this workspace's `Cargo.lock` so it
/// builds offline with the same versions) and run with a nested `cargo run`: about a minute
/// the first time, cached afterwards.
#[test]
fn renamed_dependency_crate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("tests/renamed-dependency");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("renamed-dependency");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = std::fs::read_to_string(fixture.join("Cargo.toml")).unwrap();
    let manifest = manifest.replace(
        r#"path = "../..""#,
        &format!("path = {:?}", root.display().to_string()),
    );
    assert!(manifest.contains(&root.display().to_string()));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(fixture.join("src/main.rs"), dir.join("src/main.rs")).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["run", "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(dir.join("target"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("renamed dependency ok"),
        "the renamed-dependency crate failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn flatten_generic<A: Clone, S: Data<Elem = A>>(
    x: &ArrayBase<S, Ix4>,
) -> Result<Array2<A>, einops::Error> {
    rearrange!(x, "b c h w -> b (c h w)")
}

fn pool_generic<A: einops::Reducible>(x: Array4<A>) -> Result<Array4<A>, einops::Error> {
    reduce!(x, "b c (h 2) (w 2) -> b c h w", max)
}

fn tile_generic<A: Clone, S: Data<Elem = A>>(
    x: ArrayBase<S, Ix2>,
    times: usize,
) -> Result<Array2<A>, einops::Error> {
    repeat!(&x, "a b -> a (r b)", r = times)
}

/// (f) Calls inside generic functions and closures, nested calls, two calls in one expression.
#[test]
fn generic_functions_closures_and_nesting() {
    let x = iota((2, 3, 4, 4));
    let flat = flatten_generic(&x).unwrap();
    assert_eq!(flat.shape(), &[2, 48]);
    assert_eq!(flatten_generic(&x.view()).unwrap(), flat);
    let names = x.mapv(|v| v.to_string());
    assert_eq!(flatten_generic(&names).unwrap()[[1, 47]], "95");

    let pooled = pool_generic(x.mapv(|v| v as f64)).unwrap();
    assert_eq!(pooled.shape(), &[2, 3, 2, 2]);
    assert_eq!(pooled[[0, 0, 0, 0]], 5.0);

    let tiled = tile_generic(iota((2, 2)), 3).unwrap();
    assert_eq!(tiled.row(1).to_vec(), [2, 3, 2, 3, 2, 3]);

    // In closures, also with captured lengths.
    let h = 2;
    let split = |v: Array2<i64>| rearrange!(v, "b (h w) -> b h w", h = h);
    let outs: Vec<Array3<i64>> = (0..3)
        .map(|i| split(iota((1, 4 * (i + 1)))).unwrap())
        .collect();
    assert_eq!(outs[2].shape(), &[1, 2, 6]);

    // Two calls in one expression.
    let a = iota((2, 3));
    let sum = reduce!(&a, "a b -> a", sum).unwrap() + reduce!(&a, "a b -> a", max).unwrap();
    assert_eq!(sum.to_vec(), [3 + 2, 12 + 5]);
    let (t, r) = (
        rearrange!(&a, "a b -> b a").unwrap(),
        repeat!(&a, "a b -> a b c", c = 1).unwrap(),
    );
    assert_eq!(t.shape(), &[3, 2]);
    assert_eq!(r.shape(), &[2, 3, 1]);

    // Nested calls: the inner call is the outer call's input.
    let back: Array2<i64> =
        rearrange!(rearrange!(&a, "a b -> b a").unwrap(), "b a -> a b").unwrap();
    assert_eq!(back, a);
    let nested = reduce!(
        repeat!(
            &a,
            "a b -> a b c",
            c = reduce!(&a, "a b ->", max).unwrap().into_scalar() as usize
        )
        .unwrap(),
        "a b c -> a",
        sum
    )
    .unwrap();
    assert_eq!(nested, Array1::from(vec![3 * 5, 12 * 5]));
}

/// A call whose result is used directly as the value of a `match` arm and of an `if`.
#[test]
fn calls_in_expression_positions() {
    let a = iota((2, 3));
    let y = if a.len() > 1 {
        rearrange!(&a, "a b -> (b a)")
    } else {
        rearrange!(&a, "a b -> (a b)")
    }
    .unwrap();
    assert_eq!(y.to_vec(), [0, 3, 1, 4, 2, 5]);
    let z = match a.shape()[0] {
        2 => reduce!(&a, "a b -> b", min),
        _ => reduce!(&a, "a b -> b", max),
    }
    .unwrap();
    assert_eq!(z.to_vec(), [0, 1, 2]);
}
