//! Three of the walk-through's architectures on burn (feature `burn`, plus a backend:
//! `cargo run --example burn_architectures --features burn,burn/flex`), each written with
//! plain burn ops (`reshape`, `swap_dims`, `permute`, `max_pool2d`) and with einops, on the
//! same parameters; the two forward passes must agree.
//!
//! - the MNIST ConvNet (pooling with `Reduce`, flattening with `Rearrange`, both burn
//!   `Module`s inside a module of burn's own kind);
//! - a ShuffleNet unit (the channel shuffle as one `rearrange!`);
//! - multi-head self-attention (heads split and merged by `rearrange!`, scores and
//!   weighted values by `einsum!`), and the same with `EinMix` projections.

use burn::module::Module;
use burn::tensor::activation::{log_softmax, relu, softmax};
use burn::tensor::module::{conv2d, linear, max_pool2d};
use burn::tensor::ops::{ConvOptions, MaxPoolOptions};
use burn::tensor::{Device, Distribution, Tensor};
use einops::layers::{Rearrange, Reduce};
use einops::{einsum, rearrange};

type Result<T> = std::result::Result<T, einops::Error>;

fn random<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Uniform(-0.5, 0.5), device)
}

/// The largest difference between the two results.
fn difference<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    assert_eq!(a.dims(), b.dims());
    let gap = (a - b).abs().max().into_data();
    gap.try_into_vec_as::<f32>().expect("one value")[0]
}

fn report<const D: usize>(name: &str, plain: Tensor<D>, einops: Tensor<D>) {
    let dims = einops.dims();
    let gap = difference(plain, einops);
    println!("{name:<30} output {dims:?}: largest difference {gap:.1e}");
    assert!(gap < 1e-5, "{name}: the two versions differ by {gap}");
}

/// A convolution's parameters.
#[derive(Module, Debug)]
struct Conv {
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    groups: usize,
    padding: usize,
}

impl Conv {
    fn new(cin: usize, cout: usize, kernel: usize, groups: usize, device: &Device) -> Conv {
        Conv {
            weight: random([cout, cin / groups, kernel, kernel], device),
            bias: Some(random([cout], device)),
            groups,
            padding: kernel / 2 * usize::from(groups > 1),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let options = ConvOptions::new([1, 1], [self.padding; 2], [1, 1], self.groups);
        conv2d(x, self.weight.clone(), self.bias.clone(), options)
    }
}

/// The classic MNIST network: the plain version pools with `max_pool2d` and flattens with
/// `reshape([b, 320])`, the einops one with `Reduce` and `Rearrange` layers.
#[derive(Module, Debug)]
struct ConvNet {
    conv1: Conv,
    conv2: Conv,
    fc1: (Tensor<2>, Tensor<1>),
    fc2: (Tensor<2>, Tensor<1>),
    pool: Reduce,
    flatten: Rearrange,
}

impl ConvNet {
    fn new(device: &Device) -> Result<ConvNet> {
        Ok(ConvNet {
            conv1: Conv::new(1, 10, 5, 1, device),
            conv2: Conv::new(10, 20, 5, 1, device),
            fc1: (random([320, 50], device), random([50], device)),
            fc2: (random([50, 10], device), random([10], device)),
            pool: Reduce::new("b c (h 2) (w 2) -> b c h w", "max", &[])?,
            flatten: Rearrange::new("b c h w -> b (c h w)", &[])?,
        })
    }

    fn classify(&self, features: Tensor<2>) -> Tensor<2> {
        let hidden = relu(linear(
            features,
            self.fc1.0.clone(),
            Some(self.fc1.1.clone()),
        ));
        log_softmax(
            linear(hidden, self.fc2.0.clone(), Some(self.fc2.1.clone())),
            1,
        )
    }

    fn plain(&self, x: Tensor<4>) -> Tensor<2> {
        let pool = |x| relu(max_pool2d(x, MaxPoolOptions::new([2, 2])));
        let x = pool(self.conv2.forward(pool(self.conv1.forward(x))));
        let batch = x.dims()[0];
        self.classify(x.reshape([batch, 320]))
    }

    fn einops(&self, x: Tensor<4>) -> Result<Tensor<2>> {
        let x: Tensor<4> = relu(self.pool.forward_burn(self.conv1.forward(x))?);
        let x: Tensor<4> = relu(self.pool.forward_burn(self.conv2.forward(x))?);
        Ok(self.classify(self.flatten.forward_burn(x)?))
    }
}

/// A ShuffleNet unit (stride 1): grouped 1×1, channel shuffle, depthwise 3×3, grouped
/// 1×1, residual.
struct ShuffleUnit {
    compress: Conv,
    depthwise: Conv,
    expand: Conv,
}

impl ShuffleUnit {
    const GROUPS: usize = 3;

    fn new(device: &Device) -> ShuffleUnit {
        ShuffleUnit {
            compress: Conv::new(24, 6, 1, Self::GROUPS, device),
            depthwise: Conv::new(6, 6, 3, 6, device),
            expand: Conv::new(6, 24, 1, Self::GROUPS, device),
        }
    }

    fn forward(
        &self,
        x: Tensor<4>,
        shuffle: impl Fn(Tensor<4>) -> Result<Tensor<4>>,
    ) -> Result<Tensor<4>> {
        let mixed = shuffle(relu(self.compress.forward(x.clone())))?;
        Ok(relu(self.expand.forward(self.depthwise.forward(mixed)) + x))
    }

    fn shuffle_plain(x: Tensor<4>) -> Result<Tensor<4>> {
        let [b, c, h, w] = x.dims();
        let grouped = x.reshape([b, Self::GROUPS, c / Self::GROUPS, h, w]);
        Ok(grouped.swap_dims(1, 2).reshape([b, c, h, w]))
    }

    fn shuffle_einops(x: Tensor<4>) -> Result<Tensor<4>> {
        rearrange!(x, "b (g1 g2) h w -> b (g2 g1) h w", g1 = Self::GROUPS)
    }
}

/// Multi-head self-attention with learned projections.
struct MultiHead {
    w_q: Tensor<2>,
    w_k: Tensor<2>,
    w_v: Tensor<2>,
    fc: Tensor<2>,
}

impl MultiHead {
    const HEADS: usize = 4;
    const MODEL: usize = 32;
    const HEAD: usize = 8;

    fn new(device: &Device) -> MultiHead {
        let projection = || random([Self::MODEL, Self::HEADS * Self::HEAD], device);
        MultiHead {
            w_q: projection(),
            w_k: projection(),
            w_v: projection(),
            fc: random([Self::HEADS * Self::HEAD, Self::MODEL], device),
        }
    }

    fn plain(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, l, _] = x.dims();
        let split = |w: &Tensor<2>| {
            let projected = linear(x.clone(), w.clone(), None);
            projected
                .reshape([b, l, Self::HEADS, Self::HEAD])
                .permute([2, 0, 1, 3])
                .reshape([Self::HEADS * b, l, Self::HEAD])
        };
        let (q, k, v) = (split(&self.w_q), split(&self.w_k), split(&self.w_v));
        let scores = q.matmul(k.swap_dims(1, 2)) / (Self::HEAD as f64).sqrt();
        let output = softmax(scores, 2).matmul(v);
        let merged = output
            .reshape([Self::HEADS, b, l, Self::HEAD])
            .permute([1, 2, 0, 3])
            .reshape([b, l, Self::HEADS * Self::HEAD]);
        linear(merged, self.fc.clone(), None)
    }

    fn einops(&self, x: Tensor<3>) -> Result<Tensor<3>> {
        let split = |w: &Tensor<2>| -> Result<Tensor<4>> {
            let projected = linear(x.clone(), w.clone(), None);
            rearrange!(projected, "b l (head k) -> head b l k", head = Self::HEADS)
        };
        self.attend(split(&self.w_q)?, split(&self.w_k)?, split(&self.w_v)?)
    }

    /// Attention per head over `head b l k` queries, keys and values, the heads merged,
    /// then the output projection.
    fn attend(&self, q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> Result<Tensor<3>> {
        let scores: Tensor<4> = einsum!(&q, &k, "head b l1 k, head b l2 k -> head b l1 l2")?;
        let attention = softmax(scores / (Self::HEAD as f64).sqrt(), 3);
        let output: Tensor<4> =
            einsum!(&attention, &v, "head b l1 l2, head b l2 v -> head b l1 v")?;
        let merged: Tensor<3> = rearrange!(output, "head b l v -> b l (head v)")?;
        Ok(linear(merged, self.fc.clone(), None))
    }

    /// The same attention with EinMix projections, which split the heads themselves: an
    /// EinMix weight `d head k` is the plain projection's `d (head k)`.
    fn einmix(&self, x: Tensor<3>) -> Result<Tensor<3>> {
        let lengths = [("d", Self::MODEL), ("head", Self::HEADS), ("k", Self::HEAD)];
        let spec =
            einops::layers::EinMixSpec::new("b l d -> head b l k", "d head k", None, &lengths)?;
        let project = |w: &Tensor<2>| -> Result<Tensor<4>> {
            let weight = w.clone().reshape([Self::MODEL, Self::HEADS, Self::HEAD]);
            let mix = spec.clone().burn_with_params(weight.into(), None)?;
            mix.forward(x.clone())
        };
        self.attend(
            project(&self.w_q)?,
            project(&self.w_k)?,
            project(&self.w_v)?,
        )
    }
}

fn main() -> Result<()> {
    let device = Device::default();
    device.seed(7);

    let net = ConvNet::new(&device)?;
    let digits = random([4, 1, 28, 28], &device);
    report("ConvNet", net.plain(digits.clone()), net.einops(digits)?);

    let unit = ShuffleUnit::new(&device);
    let features = random([2, 24, 8, 8], &device);
    report(
        "ShuffleNet unit",
        unit.forward(features.clone(), ShuffleUnit::shuffle_plain)?,
        unit.forward(features, ShuffleUnit::shuffle_einops)?,
    );

    let attention = MultiHead::new(&device);
    let tokens = random([2, 10, MultiHead::MODEL], &device);
    report(
        "multi-head attention",
        attention.plain(tokens.clone()),
        attention.einops(tokens.clone())?,
    );
    report(
        "attention, EinMix projections",
        attention.plain(tokens.clone()),
        attention.einmix(tokens)?,
    );
    Ok(())
}
