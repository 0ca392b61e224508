//! `parse_shape!` / `check_shape!` and `einops::dynamic::{parse_shape, check_shape}`: the
//! generated struct, every input form, run-time errors and hygiene. The reference vectors run
//! in `tests/it/vectors.rs` and `tests/it/vectors_macro.rs`; compile errors in
//! `tests/ui/parse_shape_*.rs` and `tests/ui/check_shape_*.rs`.

use std::cell::RefCell;

use einops::{check_shape, dynamic, parse_shape, rearrange, Stage};
use ndarray::{Array2, Array3, Array4, ArrayD, IxDyn};

#[test]
fn named_fields_skips_and_ellipsis() {
    let x = Array4::<f32>::zeros((2, 3, 4, 5));
    let s = parse_shape!(x, "b c _ _").unwrap();
    assert_eq!((s.b, s.c), (2, 3));
    let s = parse_shape!(x, "b ... w").unwrap();
    assert_eq!((s.b, s.w), (2, 5));
    let s = parse_shape!(x, "... h 5").unwrap();
    assert_eq!(s.h, 4);
    let s = parse_shape!(x, "(b) 3 _ (w 1)").unwrap();
    assert_eq!((s.b, s.w), (2, 5));
    // Nothing named: an empty struct.
    let s = parse_shape!(x, "_ _ ...").unwrap();
    let t = parse_shape!(x, "...").unwrap();
    assert_eq!(format!("{s:?} {t:?}"), "ParsedShape ParsedShape");
    // Unit axes.
    let u = Array3::<f32>::zeros((1, 7, 1));
    assert_eq!(parse_shape!(u, "1 n ()").unwrap().n, 7);
    // 0-d.
    let scalar = ndarray::arr0(1.5);
    parse_shape!(scalar, "").unwrap();
    parse_shape!(scalar, "...").unwrap();
}

#[test]
fn the_struct_derives_the_usual_traits() {
    let x = Array2::<u8>::zeros((2, 3));
    let s = parse_shape!(x, "rows cols").unwrap();
    let copy = s;
    assert_eq!(s, copy);
    assert_eq!(format!("{s:?}"), "ParsedShape { rows: 2, cols: 3 }");
    let mut set = std::collections::HashSet::new();
    set.insert(s);
    assert!(set.contains(&copy));
}

#[test]
fn fields_feed_other_macros() {
    let x = Array4::<f32>::zeros((2, 3, 4, 6));
    let s = parse_shape!(&x, "b c h w").unwrap();
    let flat = rearrange!(&x, "b c h w -> b (c h w)").unwrap();
    let back = rearrange!(flat, "b (c h w) -> b c h w", c = s.c, h = s.h).unwrap();
    assert_eq!(back, x);
}

#[test]
fn keyword_and_unicode_axis_names() {
    let x = Array3::<f32>::zeros((2, 3, 4));
    let s = parse_shape!(x, "type for ß").unwrap();
    assert_eq!((s.r#type, s.r#for, s.ß), (2, 3, 4));
    let s = check_shape!(x, "type _ _", r#type = 2).unwrap();
    assert_eq!(s.r#type, 2);
}

#[test]
fn every_input_form_and_no_move() {
    // Each call has its own struct type: compare the fields.
    let mut x = Array2::<i64>::zeros((2, 3));
    let fields = |s: (usize, usize)| assert_eq!(s, (2, 3));
    let s = parse_shape!(x, "a b").unwrap(); // borrowed, not moved
    fields((s.a, s.b));
    let s = parse_shape!(&x, "a b").unwrap();
    fields((s.a, s.b));
    let s = parse_shape!(&&x, "a b").unwrap();
    fields((s.a, s.b));
    let s = parse_shape!(x.view(), "a b").unwrap();
    fields((s.a, s.b));
    let s = parse_shape!(x.view_mut(), "a b").unwrap();
    fields((s.a, s.b));
    let s = parse_shape!(&mut x, "a b").unwrap();
    fields((s.a, s.b));
    let s = parse_shape!(x.to_shared(), "a b").unwrap();
    fields((s.a, s.b));
    let s = parse_shape!(x.clone().into_dyn(), "a b").unwrap();
    fields((s.a, s.b));
    x[[0, 0]] = 1; // still ours
}

#[test]
fn check_shape_checks_given_lengths() {
    let x = Array4::<f32>::zeros((2, 3, 4, 4));
    check_shape!(x, "b c h w", c = 3, h = 4u8).unwrap();
    let s = check_shape!(x, "b c ...", c = 3i64).unwrap();
    assert_eq!(s.b, 2);
    let err = check_shape!(x, "b c h w", c = 3, w = 5).unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Shape, "axis_length_mismatch")
    );
    assert_eq!(
        err.to_string(),
        "check_shape `b c h w` on input of shape [2, 3, 4, 4] with c = 3, w = 5: \
         dimension 3 has length 4, but group `w` has length 5"
    );
    let err = check_shape!(x, "b c h w", c = -3).unwrap_err();
    assert_eq!((err.stage(), err.kind()), (Stage::Shape, "invalid_length"));
    // With no lengths it is parse_shape!.
    assert_eq!(check_shape!(x, "b _ _ _").unwrap().b, 2);
}

#[test]
fn run_time_errors_for_dynamic_ranks_and_fixed_lengths() {
    let x = ArrayD::<f32>::zeros(IxDyn(&[2, 3, 4]));
    let err = parse_shape!(x, "a b").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "parse_shape_wrong_ndim")
    );
    assert_eq!(
        err.to_string(),
        "parse_shape `a b` on input of shape [2, 3, 4]: the pattern expects 2 dimensions, \
         but the input has 3"
    );
    let err = check_shape!(x, "a b c d ...").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Rank, "parse_shape_too_few_dims")
    );
    let err = parse_shape!(x, "a 1 c").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Shape, "parse_shape_unit_axis_length")
    );
    assert_eq!(
        err.to_string(),
        "parse_shape `a 1 c` on input of shape [2, 3, 4]: dimension 1 has length 3, \
         but the pattern writes it as 1"
    );
    let err = parse_shape!(x, "... 5").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Shape, "parse_shape_anonymous_axis_length")
    );
}

#[test]
fn dynamic_forms() {
    let x = Array4::<f32>::zeros((2, 3, 4, 5));
    let axes = dynamic::parse_shape(&x, "b c _ w").unwrap();
    assert_eq!(axes, [("b", 2), ("c", 3), ("w", 5)]);
    let axes = dynamic::parse_shape(&x.view(), " a ... b").unwrap();
    assert_eq!(axes, [("a", 2), ("b", 5)]);
    // Names that are substrings of others still come out right.
    let axes = dynamic::parse_shape(&x, "bb b _ _").unwrap();
    assert_eq!(axes, [("bb", 2), ("b", 3)]);
    let axes = dynamic::check_shape(&x, "b c h w", &[("c", 3), ("h", 4)]).unwrap();
    assert_eq!(axes.len(), 4);
    let err = dynamic::check_shape(&x, "b c h w", &[("c", 4)]).unwrap_err();
    assert_eq!(err.kind(), "axis_length_mismatch");
    let err = dynamic::check_shape(&x, "b c h w", &[("z", 4)]).unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Pattern, "unused_axis_length")
    );
    let err = dynamic::parse_shape(&x, "b (c h) w").unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Pattern, "parse_shape_composite_axis")
    );
    assert_eq!(
        err.to_string(),
        "parse_shape pattern `b (c h) w`: a group of several axes cannot be read from one \
         length; name each dimension on its own\n  b (c h) w\n     ^ ^"
    );
    let err = dynamic::parse_shape(&x, "(...) a").unwrap_err();
    assert_eq!(err.kind(), "parse_shape_parenthesized_ellipsis");
}

#[test]
fn arguments_evaluated_once_left_to_right() {
    let log = RefCell::new(Vec::new());
    let note = |what: &'static str| log.borrow_mut().push(what);
    let s = check_shape!(
        {
            note("array");
            Array2::<f32>::zeros((2, 3))
        },
        "a b",
        b = {
            note("b");
            3
        },
        a = {
            note("a");
            2
        }
    )
    .unwrap();
    assert_eq!((s.a, s.b), (2, 3));
    assert_eq!(*log.borrow(), ["array", "b", "a"]);
}

/// The caller shadows the prelude and the standard crates; the macros must not care.
#[allow(dead_code, non_camel_case_types, unused_macros)]
mod shadowed_prelude {
    struct Result;
    struct Option;
    struct Ok;
    struct Err;
    struct Some;
    struct None;
    struct Debug;
    struct Clone;
    struct Copy;
    struct Hash;
    struct ParsedShape;
    mod std {}
    mod core {}
    mod ndarray {}
    mod einops {}
    mod __private {}
    static PLAN: u8 = 0;

    #[test]
    fn parse_and_check() {
        let x = ::ndarray::Array2::<f32>::ones((2, 3));
        let s = ::einops::parse_shape!(x, "a b").unwrap();
        ::std::assert_eq!((s.a, s.b), (2, 3));
        let s = ::einops::check_shape!(x, "a b", b = 3).unwrap();
        ::std::assert_eq!(s.a, 2);
    }
}

/// Without any prelude at all: the expansions name everything by full path.
#[no_implicit_prelude]
mod without_prelude {
    #[test]
    fn parse_and_check() {
        let x = ::ndarray::Array2::<f32>::ones((2, 3));
        let s = ::einops::parse_shape!(x, "a b").unwrap();
        ::std::assert_eq!((s.a, s.b), (2, 3));
        let s = ::einops::check_shape!(x, "a b", b = 3).unwrap();
        ::std::assert_eq!(s.a, 2);
    }
}

/// Through a renamed crate (`$crate`, not `einops`, in the expansions).
mod renamed {
    extern crate einops as renamed_einops;

    #[test]
    fn parse_and_check() {
        let x = ndarray::Array2::<f32>::ones((2, 3));
        assert_eq!(renamed_einops::parse_shape!(x, "a b").unwrap().a, 2);
        assert_eq!(renamed_einops::check_shape!(x, "a b", a = 2).unwrap().b, 3);
    }
}
