//! Training through einops on candle (feature `candle`): short, deterministic runs of the
//! walk-through's networks (`examples/train/nets.rs`, shared with `examples/train`), the
//! einops versions against their plain candle twins, dropout in training mode, and EinMix
//! parameters through safetensors.
#![cfg(feature = "candle")]

#[path = "../../examples/train/nets.rs"]
mod nets;

use candle_core::{DType, Device, Tensor};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use einops::layers::EinMixSpec;
use nets::Style;

/// Steps of the short runs: enough to halve the loss and to beat the baselines, few
/// enough for a test build.
const CLASSIFIER_STEPS: usize = 60;
const SUPER_RESOLUTION_STEPS: usize = 150;

/// The einops network and its plain twin trained to the same loss at every step.
#[track_caller]
fn assert_same_losses(einops: &nets::Run, plain: &nets::Run) {
    for (step, (a, b)) in einops.losses.iter().zip(&plain.losses).enumerate() {
        assert!(
            (a - b).abs() <= 1e-5 * (1.0 + a.abs()),
            "step {step}: {a} against {b}"
        );
    }
}

fn first_and_last(losses: &[f32]) -> (f32, f32) {
    let last = &losses[losses.len() - 10..];
    (losses[0], last.iter().sum::<f32>() / last.len() as f32)
}

#[test]
fn the_conv_net_learns_the_shapes_and_equals_its_plain_twin() {
    let data = nets::classification_data(1024, 300).unwrap();
    let mut runs = Vec::new();
    for style in [Style::Einops, Style::Plain] {
        let (vars, net) = nets::build(7, |vb| nets::conv_net(vb, style, 0.0)).unwrap();
        runs.push(nets::train_classifier(&vars, &net, &net, &data, CLASSIFIER_STEPS).unwrap());
    }
    let (first, last) = first_and_last(&runs[0].losses);
    assert!(last <= first / 2.0, "loss {first} → {last}");
    let chance = 1.0 / nets::CLASSES as f32;
    assert!(
        runs[0].score >= 3.0 * chance,
        "held-out accuracy {}",
        runs[0].score
    );
    assert_same_losses(&runs[0], &runs[1]);
    assert_eq!(runs[0].score, runs[1].score);
}

#[test]
fn the_super_resolution_net_beats_nearest_neighbour_and_equals_its_plain_twin() {
    let data = nets::super_resolution_data(1024, 128).unwrap();
    let baseline = nets::psnr(&nets::nearest(&data.1.inputs).unwrap(), &data.1.targets).unwrap();
    let mut runs = Vec::new();
    for style in [Style::Einops, Style::Plain] {
        let (vars, net) = nets::build(8, |vb| nets::super_resolution_net(vb, style)).unwrap();
        runs.push(
            nets::train_super_resolution(&vars, &net, &data, SUPER_RESOLUTION_STEPS).unwrap(),
        );
    }
    let (first, last) = first_and_last(&runs[0].losses);
    assert!(last <= first / 2.0, "loss {first} → {last}");
    assert!(
        runs[0].score >= baseline + 1.0,
        "PSNR {} dB against nearest neighbour {baseline} dB",
        runs[0].score
    );
    assert_same_losses(&runs[0], &runs[1]);
}

/// With dropout around the `Rearrange` layer (candle's generator, not seeded: no exact
/// values), training steps run, the loss stays finite and every parameter moves.
#[test]
fn layers_train_with_dropout_around_them() {
    let data = nets::classification_data(256, 64).unwrap();
    let vars = VarMap::new();
    let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
    let training = nets::conv_net(&vb, Style::Einops, 0.5).unwrap();
    let evaluation = nets::conv_net(&vb, Style::Einops, 0.0).unwrap();
    nets::initialise(&vars, 9).unwrap();
    let before: Vec<Tensor> = vars
        .all_vars()
        .iter()
        .map(|v| v.as_tensor().copy().unwrap())
        .collect();
    let run = nets::train_classifier(&vars, &training, &evaluation, &data, 5).unwrap();
    assert!(run.losses.iter().all(|l| l.is_finite()), "{:?}", run.losses);
    for (var, old) in vars.all_vars().iter().zip(&before) {
        let moved = (var.as_tensor() - old)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(
            moved > 0.0,
            "a parameter of shape {:?} did not move",
            var.dims()
        );
    }
}

/// EinMix's weight and bias live in the `VarMap` they were built from: trained there,
/// saved with safetensors and loaded into a fresh map, they give the same outputs.
#[test]
fn einmix_parameters_round_trip_through_safetensors() {
    let spec = EinMixSpec!(
        "b t (h c) -> b t h d",
        weight_shape = "h c d",
        bias_shape = "h d",
        h = 2,
        c = 3,
        d = 4
    );
    let vars = VarMap::new();
    let mix = spec
        .clone()
        .candle(VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu).pp("mix"))
        .unwrap();
    let x = nets::blobs(2, &mut nets::Rng::new(5))
        .unwrap()
        .narrow(2, 0, 6)
        .unwrap();
    // One optimiser step, so that the saved values are not the initial ones.
    let mut sgd = candle_nn::SGD::new(vars.all_vars(), 0.1).unwrap();
    sgd.backward_step(&mix.forward(&x).unwrap().sum_all().unwrap())
        .unwrap();
    let expected = mix.forward(&x).unwrap();

    let path = std::env::temp_dir().join(format!("einmix-{}.safetensors", std::process::id()));
    vars.save(&path).unwrap();
    let mut loaded_vars = VarMap::new();
    let loaded = spec
        .candle(VarBuilder::from_varmap(&loaded_vars, DType::F32, &Device::Cpu).pp("mix"))
        .unwrap();
    let fresh = loaded.forward(&x).unwrap();
    loaded_vars.load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let got = loaded.forward(&x).unwrap();
    let difference = |a: &Tensor, b: &Tensor| {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    };
    assert_eq!(difference(&got, &expected), 0.0);
    assert!(
        difference(&fresh, &expected) > 0.0,
        "the fresh map was already equal"
    );
}
