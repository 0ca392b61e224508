//! The layers: `Rearrange!`, `Reduce!`, `Repeat!` and `EinMixSpec!` and their run-time
//! constructors. The pattern layers must agree with the macros they wrap on random inputs;
//! EinMix with a plain matrix product; errors must be typed.

use einops::layers::{EinMix, EinMixSpec, Rearrange, Reduce, Repeat};
use einops::{rearrange, reduce, repeat, Stage};
use ndarray::{Array, Array1, Array2, Array3, Array4, ArrayD, IxDyn};
use proptest::prelude::*;

/// An array of `shape` with values from `values`, cycled.
fn filled(shape: &[usize], values: &[f64]) -> ArrayD<f64> {
    let len = shape.iter().product();
    let data = values.iter().copied().cycle().take(len).collect();
    Array::from_shape_vec(IxDyn(shape), data).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn pattern_layers_equal_the_macros(
        (b, c, h, w) in (1usize..4, 1usize..4, 1usize..4, 1usize..4),
        values in prop::collection::vec(-100.0f64..100.0, 1..64),
    ) {
        let x = filled(&[b, c, 2 * h, 2 * w], &values).into_dimensionality::<ndarray::Ix4>().unwrap();

        let flatten = Rearrange!("b c h w -> b (c h w)");
        prop_assert_eq!(flatten.forward(&x).unwrap(), rearrange!(&x, "b c h w -> b (c h w)").unwrap().into_dyn());
        let split = Rearrange!("b c (h h2) w -> b (c h2) h w", h2 = 2);
        prop_assert_eq!(
            split.forward(&x).unwrap(),
            rearrange!(&x, "b c (h h2) w -> b (c h2) h w", h2 = 2).unwrap().into_dyn()
        );

        let pool = Reduce!("b c (h 2) (w 2) -> b c h w", max);
        prop_assert_eq!(pool.forward(&x).unwrap(), reduce!(&x, "b c (h 2) (w 2) -> b c h w", max).unwrap().into_dyn());
        let mean = Reduce!("b c h w -> b c", mean);
        prop_assert_eq!(mean.forward(x.view()).unwrap(), reduce!(x.view(), "b c h w -> b c", mean).unwrap().into_dyn());

        let tile = Repeat!("b c h w -> b c (r h) w", r = 3);
        prop_assert_eq!(tile.forward(&x).unwrap(), repeat!(&x, "b c h w -> b c (r h) w", r = 3).unwrap().into_dyn());

        // The run-time constructors make the same layers.
        let dynamic = Rearrange::new("b c (h h2) w -> b (c h2) h w", &[("h2", 2)]).unwrap();
        prop_assert_eq!(dynamic.forward(&x).unwrap(), split.forward(&x).unwrap());
        let dynamic = Reduce::new("b c (h 2) (w 2) -> b c h w", "max", &[]).unwrap();
        prop_assert_eq!(dynamic.forward(&x).unwrap(), pool.forward(&x).unwrap());
        let dynamic = Repeat::new("b c h w -> b c (r h) w", &[("r", 3)]).unwrap();
        prop_assert_eq!(dynamic.forward(x.clone()).unwrap(), tile.forward(&x).unwrap());
    }

    #[test]
    fn einmix_is_a_dense_layer(
        (b, i, o) in (1usize..5, 1usize..6, 1usize..6),
        values in prop::collection::vec(-10.0f64..10.0, 1..32),
        seed in any::<u64>(),
    ) {
        let layer = EinMixSpec!("b i -> b o", weight_shape = "i o", bias_shape = "o", i = i, o = o)
            .seeded::<f64>(seed)
            .unwrap();
        let x = filled(&[b, i], &values).into_dimensionality::<ndarray::Ix2>().unwrap();
        let weight = layer.weight().view().into_dimensionality::<ndarray::Ix2>().unwrap();
        let bias = layer.bias().unwrap().view().into_dimensionality::<ndarray::Ix2>().unwrap();
        let expected = x.dot(&weight) + bias;
        let got = layer.forward(&x).unwrap();
        prop_assert_eq!(got.shape(), expected.shape());
        for (g, e) in got.iter().zip(expected.iter()) {
            prop_assert!((g - e).abs() <= 1e-9 * e.abs().max(1.0), "{} != {}", g, e);
        }
    }
}

#[test]
fn layers_take_lists_and_every_array_form() {
    let parts = [Array1::from(vec![1, 2]), Array1::from(vec![3, 4])];
    let stack = Rearrange!("f c -> c f");
    let expected = ndarray::arr2(&[[1, 3], [2, 4]]).into_dyn();
    assert_eq!(stack.forward(&parts[..]).unwrap(), expected);
    assert_eq!(stack.forward(parts.clone()).unwrap(), expected);
    let x = ndarray::arr2(&[[1, 2], [3, 4]]);
    let swap = Rearrange!("a b -> b a");
    let t = x.t().to_owned().into_dyn();
    assert_eq!(swap.forward(&x).unwrap(), t);
    assert_eq!(swap.forward(x.view()).unwrap(), t);
    assert_eq!(swap.forward(x.clone().into_shared()).unwrap(), t);
    assert_eq!(swap.forward(x.into_dyn()).unwrap(), t);
}

#[test]
fn a_wrong_rank_is_a_typed_error() {
    let x = Array2::<f32>::zeros((2, 3));
    let err = Rearrange!("b c h w -> b (c h w)").forward(&x).unwrap_err();
    assert_eq!((err.stage(), err.kind()), (Stage::Rank, "wrong_ndim"));
    let err = Reduce!("b c ... -> b", sum)
        .forward(Array1::<f32>::zeros(3))
        .unwrap_err();
    assert_eq!((err.stage(), err.kind()), (Stage::Rank, "too_few_dims"));
    let err = Repeat!("h w -> h w c", c = 3)
        .forward(&Array3::<f32>::zeros((1, 2, 3)))
        .unwrap_err();
    assert_eq!(err.stage(), Stage::Rank);

    let mix = EinMixSpec!("b t c -> b t d", weight_shape = "c d", c = 3, d = 2)
        .seeded::<f32>(0)
        .unwrap();
    assert_eq!(mix.forward(&x).unwrap_err().stage(), Stage::Rank);
    let grouped = EinMixSpec!("b (t c) -> b t d", weight_shape = "c d", c = 3, d = 2)
        .seeded::<f32>(0)
        .unwrap();
    let err = grouped
        .forward(&Array3::<f32>::zeros((1, 3, 3)))
        .unwrap_err();
    assert_eq!((err.stage(), err.kind()), (Stage::Rank, "wrong_ndim"));
}

#[test]
fn shape_errors_are_those_of_the_functions() {
    let x = Array2::<f64>::zeros((2, 7));
    let split = Rearrange!("b (h w) -> b h w", h = 2);
    let err = split.forward(&x).unwrap_err();
    assert_eq!(
        err.kind(),
        rearrange!(&x, "b (h w) -> b h w", h = 2)
            .unwrap_err()
            .kind()
    );
    assert_eq!(err.kind(), "indivisible_axis");

    let mix = EinMixSpec!("b c -> b d", weight_shape = "c d", c = 3, d = 2)
        .seeded::<f64>(0)
        .unwrap();
    let err = mix.forward(&x).unwrap_err();
    assert_eq!(err.stage(), Stage::Shape);
}

#[test]
fn pattern_errors_of_run_time_constructors_are_typed() {
    let err = Rearrange::new("a b -> a c", &[]).unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Pattern, "rearrange_identifier_mismatch")
    );
    let err = Reduce::new("a b -> a", "avg", &[]).unwrap_err();
    assert_eq!(err.kind(), "unknown_reduction");
    let err = Repeat::new("a -> a b", &[]).unwrap_err();
    assert_eq!(err.kind(), "repeat_missing_size");
    let err =
        EinMix::<f32>::new("a b -> a c", "b c ...", None, &[("b", 2), ("c", 3)], 0).unwrap_err();
    assert_eq!(
        (err.stage(), err.kind()),
        (Stage::Pattern, "einmix_weight_ellipsis")
    );
    assert!(err.to_string().contains("b c ...\n      ^^^"), "{err}");
}

#[test]
fn negative_lengths_are_errors_not_panics() {
    let negative = -2;
    let split = Rearrange!("b (h w) -> b h w", h = negative);
    let err = split.forward(&Array2::<f32>::zeros((2, 4))).unwrap_err();
    assert_eq!(err.kind(), "invalid_length");
    let err = EinMixSpec!("b c -> b d", weight_shape = "c d", c = 3, d = negative)
        .seeded::<f32>(0)
        .unwrap_err();
    assert_eq!((err.stage(), err.kind()), (Stage::Shape, "invalid_length"));
    assert!(err.to_string().contains("`d`"), "{err}");
}

#[test]
fn init_draws_within_einops_bounds() {
    // fan_in = c * k = 12 (the weight axes the output lacks); `h` is in the output.
    let spec = EinMixSpec!(
        "b (h c) k -> b h d",
        weight_shape = "h c k d",
        bias_shape = "h d",
        h = 2,
        c = 4,
        k = 3,
        d = 50
    );
    assert_eq!(spec.fan_in().unwrap(), 12);
    let layer = spec.seeded::<f32>(3).unwrap();
    let (weight_bound, bias_bound) = ((3.0f32 / 12.0).sqrt(), (1.0f32 / 12.0).sqrt());
    let weight_max = layer.weight().iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let bias_max = layer
        .bias()
        .unwrap()
        .iter()
        .fold(0.0f32, |m, b| m.max(b.abs()));
    assert!(
        weight_max <= weight_bound && weight_max > 0.9 * weight_bound,
        "{weight_max}"
    );
    assert!(
        bias_max <= bias_bound && bias_max > 0.8 * bias_bound,
        "{bias_max}"
    );
    let mean = layer.weight().mean().unwrap();
    assert!(mean.abs() < 0.05, "weights are not centred: mean {mean}");
    assert_eq!(layer.weight().shape(), &[2, 4, 3, 50]);
    assert_eq!(layer.bias().unwrap().shape(), &[1, 2, 50]); // b h d, b broadcast
}

#[test]
fn seeds_make_the_same_parameters() {
    let spec = EinMixSpec!(
        "b c -> b d",
        weight_shape = "c d",
        bias_shape = "d",
        c = 4,
        d = 8
    );
    let a = spec.clone().seeded::<f64>(11).unwrap();
    let b = spec.clone().seeded::<f64>(11).unwrap();
    let c = spec.seeded::<f64>(12).unwrap();
    assert_eq!((a.weight(), a.bias()), (b.weight(), b.bias()));
    assert_ne!(a.weight(), c.weight());
    let dynamic =
        EinMix::<f64>::new("b c -> b d", "c d", Some("d"), &[("c", 4), ("d", 8)], 11).unwrap();
    assert_eq!((dynamic.weight(), dynamic.bias()), (a.weight(), a.bias()));
}

#[test]
fn loading_parameters_checks_their_shapes() {
    let spec = EinMixSpec::new("b c -> b d", "c d", Some("d"), &[("c", 3), ("d", 2)]).unwrap();
    let weight = || Array::<f32, _>::zeros(vec![3, 2]);
    let bias = || Some(Array::<f32, _>::ones(vec![1, 2]));
    let layer = spec.clone().with_params(weight(), bias()).unwrap();
    let y = layer.forward(&Array2::<f32>::ones((4, 3))).unwrap();
    assert_eq!(y, Array2::<f32>::ones((4, 2)).into_dyn());

    for (w, b, parameter) in [
        (Array::zeros(vec![2, 3]), bias(), "weight"),
        (weight(), Some(Array::zeros(vec![2])), "bias"),
        (weight(), None, "bias"),
    ] {
        let err = spec.clone().with_params(w, b).unwrap_err();
        assert_eq!(
            (err.stage(), err.kind()),
            (Stage::Shape, "einmix_parameter_shape")
        );
        assert!(err.to_string().contains(parameter), "{err}");
    }
    // Parameters passed to `apply` are checked when the layer runs.
    let odd_bias = Array::<f32, _>::zeros(vec![5]);
    let err = spec
        .apply(
            Array2::<f32>::ones((4, 3)),
            weight().view(),
            Some(odd_bias.view()),
        )
        .unwrap_err();
    assert_eq!(err.kind(), "einmix_parameter_shape");
    assert!(err.to_string().contains("needs [1, 2]"), "{err}");

    let no_bias = EinMixSpec!("b c -> b d", weight_shape = "c d", c = 3, d = 2);
    let err = no_bias.with_params(weight(), bias()).unwrap_err();
    assert!(err.to_string().contains("needs none"), "{err}");
}

#[test]
fn layers_are_values_to_keep_and_share() {
    fn shareable<T: Clone + std::fmt::Debug + Send + Sync + 'static>(_: &T) {}
    let rearrange = Rearrange!("b c h w -> b (c h w)");
    let reduce = Reduce!("b (h 2) -> b h", max);
    let repeat = Repeat!("h w -> h w c", c = 3);
    let mix = EinMixSpec!("b c -> b d", weight_shape = "c d", c = 3, d = 2);
    shareable(&rearrange);
    shareable(&reduce);
    shareable(&repeat);
    shareable(&mix);
    shareable(&mix.clone().seeded::<f32>(0).unwrap());
    assert_eq!(format!("{reduce:?}"), r#"Reduce("b (h 2) -> b h", max)"#);
    assert_eq!(
        format!("{mix:?}"),
        r#"EinMix("b c -> b d", weight_shape = "c d", c = 3, d = 2)"#
    );

    // Applying a layer again, from another thread too, gives the same result.
    let x = Array4::<f32>::from_shape_fn((2, 3, 2, 2), |(a, b, c, d)| {
        (a + 2 * b + 3 * c + 5 * d) as f32
    });
    let first = rearrange.forward(&x).unwrap();
    let layer = mix.seeded::<f32>(5).unwrap();
    let input = first
        .view()
        .into_shape_with_order((8, 3))
        .unwrap()
        .to_owned();
    let mixed = layer.forward(&input).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            assert_eq!(rearrange.forward(&x).unwrap(), first);
            assert_eq!(layer.forward(&input).unwrap(), mixed);
        });
    });
    assert_eq!(layer.forward(&input).unwrap(), mixed);
}
