//! The walk-through's two trained networks, each written twice over the same parameters:
//! the plain candle way and the einops way (`Rearrange` layers inside `candle_nn::seq()`).
//! Data is drawn in code from a seeded generator, and so are the initial parameters
//! (candle's CPU generator cannot be seeded), so a run is the same every time when dropout
//! is off. Shared by `examples/train/main.rs` and the training tests.

use candle_core::{DType, Device, Module, Result, Tensor, D};
use candle_nn::{Conv2dConfig, Optimizer, ParamsAdamW, Sequential, VarBuilder, VarMap};
use einops::layers::Rearrange;
use einops::{reduce, repeat};

/// splitmix64: a small seeded generator for data and initial parameters.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[low, high)`.
    pub fn uniform(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Which way a network is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// `reshape`/`permute` with the shapes in the author's head.
    Plain,
    /// `Rearrange` layers.
    Einops,
}

/// Side of the classifier's images, as MNIST's: 28 → conv 24 → pool 12 → conv 8 → pool 4.
pub const SIDE: usize = 28;
/// Classes of drawn shapes.
pub const CLASSES: usize = 10;

/// `n` images of one of ten shapes (bars, diagonals, crosses, squares and rings, outlined
/// or filled) at a random place and size with noise, as `[n, 1, 28, 28]` in [0, 1], and
/// their labels.
pub fn shapes(n: usize, rng: &mut Rng) -> Result<(Tensor, Tensor)> {
    let mut pixels = vec![0f32; n * SIDE * SIDE];
    let mut labels = Vec::with_capacity(n);
    for image in pixels.chunks_exact_mut(SIDE * SIDE) {
        let class = rng.below(CLASSES);
        labels.push(class as u32);
        let (cx, cy) = (rng.uniform(10.0, 18.0), rng.uniform(10.0, 18.0));
        let size = rng.uniform(5.0, 9.0);
        let width = rng.uniform(1.0, 2.2);
        for (k, pixel) in image.iter_mut().enumerate() {
            let (x, y) = ((k % SIDE) as f32 - cx, (k / SIDE) as f32 - cy);
            let (ax, ay) = (x.abs(), y.abs());
            let inside = ax <= size && ay <= size;
            let radius = (x * x + y * y).sqrt();
            let on = match class {
                0 => ay <= width && ax <= size,
                1 => ax <= width && ay <= size,
                2 => (x - y).abs() <= width * 1.4 && inside,
                3 => (x + y).abs() <= width * 1.4 && inside,
                4 => (ax <= width || ay <= width) && inside,
                5 => ((x - y).abs() <= width * 1.4 || (x + y).abs() <= width * 1.4) && inside,
                6 => inside && (size - ax <= width || size - ay <= width),
                7 => inside,
                8 => (radius - size).abs() <= width,
                _ => radius <= size,
            };
            *pixel = if on { 1.0 } else { 0.0 } + rng.uniform(-0.15, 0.15);
        }
    }
    Ok((
        Tensor::from_vec(pixels, (n, 1, SIDE, SIDE), &Device::Cpu)?,
        Tensor::from_vec(labels, n, &Device::Cpu)?,
    ))
}

/// Side of the super-resolution targets; the inputs are half as wide.
pub const HIGH: usize = 16;

/// `n` smooth high-resolution images `[n, 16, 16]` in [0, 1]: sums of a few Gaussian blobs.
pub fn blobs(n: usize, rng: &mut Rng) -> Result<Tensor> {
    let mut pixels = vec![0f32; n * HIGH * HIGH];
    for image in pixels.chunks_exact_mut(HIGH * HIGH) {
        for _ in 0..3 {
            let (cx, cy) = (rng.uniform(0.0, HIGH as f32), rng.uniform(0.0, HIGH as f32));
            let spread = rng.uniform(1.5, 4.0);
            let height = rng.uniform(0.2, 0.5);
            for (k, pixel) in image.iter_mut().enumerate() {
                let (x, y) = ((k % HIGH) as f32 - cx, (k / HIGH) as f32 - cy);
                *pixel += height * (-(x * x + y * y) / (2.0 * spread * spread)).exp();
            }
        }
    }
    Tensor::from_vec(pixels, (n, HIGH, HIGH), &Device::Cpu)?.clamp(0f32, 1f32)
}

/// The low-resolution inputs of high-resolution images: 2×2 means, `[n, 1, 8, 8]`.
pub fn downsampled(high: &Tensor) -> Result<Tensor> {
    let low = reduce!(high, "b (h 2) (w 2) -> b h w", mean).map_err(candle_core::Error::wrap)?;
    low.unsqueeze(1)
}

/// Nearest-neighbour upsampling of `[n, 1, 8, 8]` inputs to `[n, 16, 16]`: the baseline.
pub fn nearest(low: &Tensor) -> Result<Tensor> {
    repeat!(low, "b 1 h w -> b (h 2) (w 2)").map_err(candle_core::Error::wrap)
}

/// Peak signal-to-noise ratio in dB of `estimate` against `truth`, both in [0, 1].
pub fn psnr(estimate: &Tensor, truth: &Tensor) -> Result<f32> {
    let mse = (estimate - truth)?.sqr()?.mean_all()?.to_scalar::<f32>()?;
    Ok(-10.0 * mse.log10())
}

fn padded(padding: usize) -> Conv2dConfig {
    Conv2dConfig {
        padding,
        ..Default::default()
    }
}

/// The walk-through's MNIST network; `dropout` after the second convolution and the first
/// linear layer when positive (as the walk-through's training mode). The plain version
/// flattens with `reshape(((), 320))`, the einops one with `Rearrange`.
pub fn conv_net(vb: &VarBuilder, style: Style, dropout: f32) -> Result<Sequential> {
    let conv1 = candle_nn::conv2d(1, 10, 5, Default::default(), vb.pp("conv1"))?;
    let conv2 = candle_nn::conv2d(10, 20, 5, Default::default(), vb.pp("conv2"))?;
    let fc1 = candle_nn::linear(320, 50, vb.pp("fc1"))?;
    let fc2 = candle_nn::linear(50, CLASSES, vb.pp("fc2"))?;
    let drop = move |x: &Tensor| match dropout > 0.0 {
        true => candle_nn::ops::dropout(x, dropout),
        false => Ok(x.clone()),
    };
    let net = candle_nn::seq()
        .add(conv1)
        .add_fn(|x| x.max_pool2d(2)?.relu())
        .add(conv2)
        .add_fn(drop)
        .add_fn(|x| x.max_pool2d(2)?.relu());
    let net = match style {
        Style::Plain => net.add_fn(|x| x.reshape(((), 320))),
        Style::Einops => net.add(Rearrange!("b c h w -> b (c h w)")),
    };
    Ok(net.add(fc1).add_fn(|x| x.relu()).add_fn(drop).add(fc2))
}

/// The walk-through's super-resolution network for an upscale factor of 2: convolutions to
/// `2 × 2` channels, then a pixel shuffle (`reshape`/`permute` in the plain version, a
/// `Rearrange` in the einops one).
pub fn super_resolution_net(vb: &VarBuilder, style: Style) -> Result<Sequential> {
    let net = candle_nn::seq()
        .add(candle_nn::conv2d(1, 64, 5, padded(2), vb.pp("conv1"))?)
        .add_fn(|x| x.relu())
        .add(candle_nn::conv2d(64, 64, 3, padded(1), vb.pp("conv2"))?)
        .add_fn(|x| x.relu())
        .add(candle_nn::conv2d(64, 32, 3, padded(1), vb.pp("conv3"))?)
        .add_fn(|x| x.relu())
        .add(candle_nn::conv2d(32, 4, 3, padded(1), vb.pp("conv4"))?);
    Ok(match style {
        Style::Plain => net.add_fn(|x| {
            let (b, _, h, w) = x.dims4()?;
            x.reshape((b, 2, 2, h, w))?
                .permute((0, 3, 1, 4, 2))?
                .reshape((b, h * 2, w * 2))
        }),
        Style::Einops => net.add(Rearrange!(
            "b (h2 w2) h w -> b (h h2) (w w2)",
            h2 = 2,
            w2 = 2
        )),
    })
}

/// Overwrites every parameter of `vars` with seeded values: weights uniform in
/// `±1/√fan_in` (candle's and PyTorch's bound), biases zero. In name order, so two maps of
/// the same network get the same values.
pub fn initialise(vars: &VarMap, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed);
    let data = vars.data().lock().expect("the var map is not poisoned");
    let mut names: Vec<&String> = data.keys().collect();
    names.sort();
    for name in names {
        let var = &data[name];
        let dims = var.dims();
        let values: Vec<f32> = match dims.len() {
            1 => vec![0.0; dims[0]],
            _ => {
                let bound = 1.0 / (dims[1..].iter().product::<usize>() as f32).sqrt();
                (0..var.elem_count())
                    .map(|_| rng.uniform(-bound, bound))
                    .collect()
            }
        };
        var.set(&Tensor::from_vec(values, dims, &Device::Cpu)?)?;
    }
    Ok(())
}

/// A network's parameters, seeded, and the network built over them.
pub fn build(
    seed: u64,
    make: impl Fn(&VarBuilder) -> Result<Sequential>,
) -> Result<(VarMap, Sequential)> {
    let vars = VarMap::new();
    let vb = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
    let net = make(&vb)?;
    initialise(&vars, seed)?;
    Ok((vars, net))
}

/// What a training run measured.
pub struct Run {
    /// The training loss after each step.
    pub losses: Vec<f32>,
    /// Held-out accuracy (classifier) or PSNR in dB (super-resolution) after the run.
    pub score: f32,
}

/// Runs of training data, a batch at a time, the same for every network.
pub struct Data {
    pub inputs: Tensor,
    pub targets: Tensor,
}

impl Data {
    fn batch(&self, step: usize, size: usize) -> Result<(Tensor, Tensor)> {
        let n = self.inputs.dim(0)?;
        let start = (step * size) % (n - size + 1);
        Ok((
            self.inputs.narrow(0, start, size)?,
            self.targets.narrow(0, start, size)?,
        ))
    }
}

/// The classifier's training and held-out sets.
pub fn classification_data(train: usize, held_out: usize) -> Result<(Data, Data)> {
    let (inputs, targets) = shapes(train, &mut Rng::new(1))?;
    let (test_inputs, test_targets) = shapes(held_out, &mut Rng::new(2))?;
    Ok((
        Data { inputs, targets },
        Data {
            inputs: test_inputs,
            targets: test_targets,
        },
    ))
}

/// The super-resolution net's training and held-out sets (inputs `[n, 1, 8, 8]`, targets
/// `[n, 16, 16]`).
pub fn super_resolution_data(train: usize, held_out: usize) -> Result<(Data, Data)> {
    let set = |n, seed| -> Result<Data> {
        let targets = blobs(n, &mut Rng::new(seed))?;
        Ok(Data {
            inputs: downsampled(&targets)?,
            targets,
        })
    };
    Ok((set(train, 3)?, set(held_out, 4)?))
}

/// Trains `net` (parameters in `vars`) with AdamW on cross-entropy for `steps` batches;
/// `eval` is the same network without dropout, scored on held-out accuracy.
pub fn train_classifier(
    vars: &VarMap,
    net: &Sequential,
    eval: &Sequential,
    data: &(Data, Data),
    steps: usize,
) -> Result<Run> {
    let params = ParamsAdamW {
        lr: 2e-3,
        ..Default::default()
    };
    let losses = train(vars, params, &data.0, 32, steps, |x, y| {
        candle_nn::loss::cross_entropy(&net.forward(x)?, y)
    })?;
    let predicted = eval.forward(&data.1.inputs)?.argmax(D::Minus1)?;
    let correct = predicted
        .eq(&data.1.targets)?
        .to_dtype(DType::F32)?
        .mean_all()?;
    Ok(Run {
        losses,
        score: correct.to_scalar::<f32>()?,
    })
}

/// Trains the super-resolution `net` with AdamW on the mean squared error; scored by the
/// held-out PSNR.
pub fn train_super_resolution(
    vars: &VarMap,
    net: &Sequential,
    data: &(Data, Data),
    steps: usize,
) -> Result<Run> {
    let params = ParamsAdamW {
        lr: 1e-3,
        weight_decay: 0.0,
        ..Default::default()
    };
    let losses = train(vars, params, &data.0, 16, steps, |x, y| {
        candle_nn::loss::mse(&net.forward(x)?, y)
    })?;
    Ok(Run {
        losses,
        score: psnr(&net.forward(&data.1.inputs)?, &data.1.targets)?,
    })
}

/// `steps` AdamW steps over batches of `data`, minimising `loss(inputs, targets)`; the
/// loss after each step.
fn train(
    vars: &VarMap,
    params: ParamsAdamW,
    data: &Data,
    batch: usize,
    steps: usize,
    loss: impl Fn(&Tensor, &Tensor) -> Result<Tensor>,
) -> Result<Vec<f32>> {
    let mut optimiser = candle_nn::AdamW::new(vars.all_vars(), params)?;
    (0..steps)
        .map(|step| {
            let (x, y) = data.batch(step, batch)?;
            let value = loss(&x, &y)?;
            optimiser.backward_step(&value)?;
            value.to_scalar::<f32>()
        })
        .collect()
}
