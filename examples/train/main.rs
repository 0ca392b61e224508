//! Trains the walk-through's networks through einops on candle: the MNIST-style ConvNet
//! (flattened by a `Rearrange` layer) on shapes drawn in code, and the super-resolution net
//! (a pixel shuffle as a `Rearrange`) on smooth images, with candle-nn's AdamW. The plain
//! candle versions train beside them from the same initial parameters on the same batches.
//!
//! ```text
//! cargo run --release --example train --features candle [-- OUTPUT_DIR]
//! ```
//!
//! Prints the loss per epoch of 50 steps, the held-out accuracy and PSNR (against
//! nearest-neighbour upsampling), and writes `loss.png` (both networks' loss curves) and
//! `super_resolution.png` (inputs, outputs and targets) to `OUTPUT_DIR` (default
//! `target/train`; the README shows the copies in `docs/train`).

mod nets;

use std::error::Error;
use std::path::PathBuf;

use candle_core::{Module, Tensor};
use image::{Rgb, RgbImage};
use nets::Style;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

const CLASSIFIER_STEPS: usize = 400;
const SUPER_RESOLUTION_STEPS: usize = 400;
const EPOCH: usize = 50;

fn main() -> Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/train"));
    std::fs::create_dir_all(&out)?;

    println!(
        "ConvNet on {} classes of drawn shapes (chance {:.0} %)",
        nets::CLASSES,
        100.0 / nets::CLASSES as f32
    );
    let data = nets::classification_data(4096, 1000)?;
    let mut classifier = Vec::new();
    for style in [Style::Einops, Style::Plain] {
        let (vars, net) = nets::build(7, |vb| nets::conv_net(vb, style, 0.0))?;
        let run = nets::train_classifier(&vars, &net, &net, &data, CLASSIFIER_STEPS)?;
        report(style, &run.losses);
        println!("  {style:?}: held-out accuracy {:.1} %", 100.0 * run.score);
        classifier.push(run);
    }
    println!(
        "  largest difference between the two loss curves: {:.2e}",
        largest_difference(&classifier[0].losses, &classifier[1].losses)
    );

    println!("super-resolution ×2 of smooth 16×16 images");
    let data = nets::super_resolution_data(4096, 256)?;
    let baseline = nets::psnr(&nets::nearest(&data.1.inputs)?, &data.1.targets)?;
    let mut resolution = Vec::new();
    let mut einops_net = None;
    for style in [Style::Einops, Style::Plain] {
        let (vars, net) = nets::build(8, |vb| nets::super_resolution_net(vb, style))?;
        let run = nets::train_super_resolution(&vars, &net, &data, SUPER_RESOLUTION_STEPS)?;
        report(style, &run.losses);
        println!(
            "  {style:?}: held-out PSNR {:.2} dB (nearest neighbour {baseline:.2} dB, {:+.2} dB)",
            run.score,
            run.score - baseline
        );
        if style == Style::Einops {
            einops_net = Some(net);
        }
        resolution.push(run);
    }
    println!(
        "  largest difference between the two loss curves: {:.2e}",
        largest_difference(&resolution[0].losses, &resolution[1].losses)
    );

    plot_losses(&classifier[0].losses, &resolution[0].losses)?.save(out.join("loss.png"))?;
    let net = einops_net.expect("the einops network was trained");
    samples(&net, &data.1.inputs, &data.1.targets)?.save(out.join("super_resolution.png"))?;
    println!("pictures in {}", out.display());
    Ok(())
}

/// Prints the mean loss of every epoch.
fn report(style: Style, losses: &[f32]) {
    let epochs: Vec<String> = losses
        .chunks(EPOCH)
        .map(|epoch| format!("{:.4}", epoch.iter().sum::<f32>() / epoch.len() as f32))
        .collect();
    println!("  {style:?}: loss per epoch {}", epochs.join(" "));
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Both loss curves on a white 400×200 picture, each relative to its first value on a
/// logarithmic scale from 2 (top) to 1/1000 (bottom): the classifier in blue, the
/// super-resolution net in red.
fn plot_losses(classifier: &[f32], resolution: &[f32]) -> Result<RgbImage> {
    let (width, height) = (400u32, 200u32);
    let mut picture = RgbImage::from_pixel(width, height, Rgb([255, 255, 255]));
    let (top, bottom) = (2f32.log10(), -3f32);
    for (losses, colour) in [
        (classifier, Rgb([40, 80, 200])),
        (resolution, Rgb([200, 50, 40])),
    ] {
        let row = |loss: f32| {
            let level = (loss / losses[0]).log10().clamp(bottom, top);
            ((top - level) / (top - bottom) * (height - 1) as f32) as u32
        };
        for (k, pair) in losses.windows(2).enumerate() {
            let x = (k as f32 / losses.len() as f32 * width as f32) as u32;
            let (a, b) = (row(pair[0]), row(pair[1]));
            for y in a.min(b)..=a.max(b) {
                picture.put_pixel(x.min(width - 1), y, colour);
            }
        }
    }
    Ok(picture)
}

/// Eight held-out samples in rows: the input upsampled by nearest neighbour, the network's
/// output and the target, each enlarged ×4.
fn samples(net: &impl Module, inputs: &Tensor, targets: &Tensor) -> Result<RgbImage> {
    const ROWS: usize = 8;
    const ZOOM: usize = 4;
    let inputs = inputs.narrow(0, 0, ROWS)?;
    let columns = [
        nets::nearest(&inputs)?,
        net.forward(&inputs)?,
        targets.narrow(0, 0, ROWS)?,
    ];
    let side = nets::HIGH * ZOOM;
    let mut picture = RgbImage::new((side * 3 + 8) as u32, (side * ROWS + ROWS) as u32);
    for (c, column) in columns.iter().enumerate() {
        let values = column.clamp(0f32, 1f32)?.to_vec3::<f32>()?;
        for (r, image) in values.iter().enumerate() {
            for (y, row) in image.iter().enumerate() {
                for (x, &v) in row.iter().enumerate() {
                    let grey = (v * 255.0) as u8;
                    for (dy, dx) in (0..ZOOM).flat_map(|dy| (0..ZOOM).map(move |dx| (dy, dx))) {
                        let px = c * (side + 4) + x * ZOOM + dx;
                        let py = r * (side + 1) + y * ZOOM + dy;
                        picture.put_pixel(px as u32, py as u32, Rgb([grey, grey, grey]));
                    }
                }
            }
        }
    }
    Ok(picture)
}
