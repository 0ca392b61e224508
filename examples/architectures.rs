//! The architectures of the "einops for deep learning" walk-through, runnable with candle.
//!
//! ```text
//! cargo run --release --example architectures --features candle
//! ```
//!
//! Every architecture is written twice over the same parameters: the plain candle way
//! (`reshape`, `permute`, `transpose`, `chunk`, `cat`, `matmul` with the shapes in the
//! author's head) and the einops way (patterns, the `Rearrange`/`Reduce` layers inside
//! `candle_nn::seq()`, and in the last row `EinMix` projections from the same
//! `VarBuilder`). Both run on the same random input; the table shows that they compute the
//! same function and how long a forward pass takes (the fastest of ten, in µs).
//!
//! The walk-through's point about `view(-1, 320)` is shown at the end: on a larger image the
//! plain network quietly mixes the batch, the einops one says which axis is wrong.

use std::error::Error;
use std::time::Instant;

use candle_core::{DType, Device, IndexOp, Module, Tensor, D};
use candle_nn::rnn::{LSTMConfig, LSTM, RNN};
use candle_nn::{
    Conv1d, Conv1dConfig, Conv2d, Conv2dConfig, Embedding, Linear, Sequential, VarBuilder, VarMap,
};
use einops::layers::{CandleEinMix, EinMixSpec, Rearrange, Reduce};
use einops::{einsum, rearrange, reduce};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// A forward pass.
type Forward = Box<dyn Fn(&Tensor) -> Result<Tensor>>;

/// One architecture: its parameters live in `vars`, `plain` and `einops` are the two ways of
/// writing its forward pass.
struct Architecture {
    name: &'static str,
    vars: VarMap,
    input: Tensor,
    plain: Forward,
    einops: Forward,
}

/// Parameters of a fresh architecture, initialised at random as candle_nn does.
fn parameters() -> (VarMap, VarBuilder<'static>) {
    let vars = VarMap::new();
    let builder = VarBuilder::from_varmap(&vars, DType::F32, &Device::Cpu);
    (vars, builder)
}

fn random(shape: &[usize]) -> Result<Tensor> {
    Ok(Tensor::randn(0f32, 1.0, shape, &Device::Cpu)?)
}

/// Token ids below `vocabulary`, spread deterministically.
fn tokens(shape: &[usize], vocabulary: u32) -> Result<Tensor> {
    let count = shape.iter().product::<usize>() as u32;
    let ids: Vec<u32> = (0..count).map(|i| (i * 7919 + 13) % vocabulary).collect();
    Ok(Tensor::from_vec(ids, shape, &Device::Cpu)?)
}

fn padded(padding: usize) -> Conv2dConfig {
    Conv2dConfig {
        padding,
        ..Default::default()
    }
}

/// The classic MNIST network. The plain version flattens with `view(-1, 320)`.
fn conv_net(vb: &VarBuilder) -> Result<(Sequential, Sequential)> {
    let conv1 = candle_nn::conv2d(1, 10, 5, Default::default(), vb.pp("conv1"))?;
    let conv2 = candle_nn::conv2d(10, 20, 5, Default::default(), vb.pp("conv2"))?;
    let fc1 = candle_nn::linear(320, 50, vb.pp("fc1"))?;
    let fc2 = candle_nn::linear(50, 10, vb.pp("fc2"))?;
    let plain = candle_nn::seq()
        .add(conv1.clone())
        .add_fn(|x| x.max_pool2d(2)?.relu())
        .add(conv2.clone())
        .add_fn(|x| x.max_pool2d(2)?.relu())
        .add_fn(|x| x.reshape(((), 320)))
        .add(fc1.clone())
        .add_fn(|x| x.relu())
        .add(fc2.clone())
        .add_fn(|x| candle_nn::ops::log_softmax(x, 1));
    let einops = candle_nn::seq()
        .add(conv1)
        .add(Reduce!("b c (h 2) (w 2) -> b c h w", max))
        .add_fn(|x| x.relu())
        .add(conv2)
        .add(Reduce!("b c (h 2) (w 2) -> b c h w", max))
        .add_fn(|x| x.relu())
        .add(Rearrange!("b c h w -> b (c h w)", c = 20, h = 4, w = 4))
        .add(fc1)
        .add_fn(|x| x.relu())
        .add(fc2)
        .add_fn(|x| candle_nn::ops::log_softmax(x, 1));
    Ok((plain, einops))
}

/// Super-resolution: convolutions, then the channels become a 3×3 block of pixels each.
fn super_resolution(vb: &VarBuilder) -> Result<(Sequential, Sequential)> {
    const UPSCALE: usize = 3;
    let conv1 = candle_nn::conv2d(1, 64, 5, padded(2), vb.pp("conv1"))?;
    let conv2 = candle_nn::conv2d(64, 32, 3, padded(1), vb.pp("conv2"))?;
    let conv3 = candle_nn::conv2d(32, UPSCALE * UPSCALE, 3, padded(1), vb.pp("conv3"))?;
    let body = || {
        candle_nn::seq()
            .add(conv1.clone())
            .add_fn(|x| x.relu())
            .add(conv2.clone())
            .add_fn(|x| x.relu())
            .add(conv3.clone())
    };
    let plain = body().add_fn(|x| {
        // pixel_shuffle by hand: the channel axis holds (c, h2, w2).
        let (b, _, h, w) = x.dims4()?;
        x.reshape((b, 1, UPSCALE, UPSCALE, h, w))?
            .permute((0, 1, 4, 2, 5, 3))?
            .reshape((b, 1, h * UPSCALE, w * UPSCALE))
    });
    let einops = body().add(Rearrange!(
        "b (c h2 w2) h w -> b c (h h2) (w w2)",
        h2 = UPSCALE,
        w2 = UPSCALE
    ));
    Ok((plain, einops))
}

/// The Gram matrix of style transfer (no parameters).
fn gram_plain(x: &Tensor) -> Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    let features = x.reshape((b, c, h * w))?;
    let gram = features.matmul(&features.transpose(1, 2)?)?;
    Ok((gram / (h * w) as f64)?)
}

fn gram_einops(x: &Tensor) -> Result<Tensor> {
    let (_, _, h, w) = x.dims4()?;
    Ok((einsum!(x, x, "b c h w, b d h w -> b c d")? / (h * w) as f64)?)
}

/// An RNN language model: embedding, LSTM, and a decoder applied to every step.
struct LanguageModel {
    encoder: Embedding,
    rnn: LSTM,
    decoder: Linear,
}

impl LanguageModel {
    const VOCABULARY: usize = 100;

    fn new(vb: &VarBuilder) -> Result<Self> {
        Ok(LanguageModel {
            encoder: candle_nn::embedding(Self::VOCABULARY, 16, vb.pp("encoder"))?,
            rnn: candle_nn::lstm(16, 32, LSTMConfig::default(), vb.pp("rnn"))?,
            decoder: candle_nn::linear(32, Self::VOCABULARY, vb.pp("decoder"))?,
        })
    }

    /// `b t` token ids to `b t h` hidden states.
    fn hidden(&self, tokens: &Tensor) -> Result<Tensor> {
        let embedded = self.encoder.forward(tokens)?;
        let states = self.rnn.seq(&embedded)?;
        Ok(self.rnn.states_to_tensor(&states)?)
    }

    fn plain(&self, tokens: &Tensor) -> Result<Tensor> {
        let output = self.hidden(tokens)?;
        let (b, t, h) = output.dims3()?;
        let decoded = self.decoder.forward(&output.reshape((b * t, h))?)?;
        Ok(decoded.reshape((b, t, decoded.dim(1)?))?)
    }

    fn einops(&self, tokens: &Tensor) -> Result<Tensor> {
        let output = self.hidden(tokens)?;
        let decoded = self
            .decoder
            .forward(&rearrange!(&output, "b t h -> (b t) h")?)?;
        let b = tokens.dim(0)?;
        Ok(rearrange!(decoded, "(b t) v -> b t v", b = b)?)
    }
}

/// The last layer's hidden state of a bidirectional RNN, both directions side by side.
/// The input is `(layer dir) b c`, as PyTorch returns it.
fn bidirectional_plain(hidden: &Tensor) -> Result<Tensor> {
    let layers_times_dirs = hidden.dim(0)?;
    let forward = hidden.i(layers_times_dirs - 2)?;
    let backward = hidden.i(layers_times_dirs - 1)?;
    Ok(Tensor::cat(&[&forward, &backward], 1)?)
}

fn bidirectional_einops(hidden: &Tensor) -> Result<Tensor> {
    let per_layer = rearrange!(hidden, "(layer dir) b c -> layer b (dir c)", dir = 2)?;
    Ok(per_layer.i(per_layer.dim(0)? - 1)?)
}

/// ShuffleNet's channel shuffle of `groups` groups.
fn channel_shuffle_plain(x: &Tensor, groups: usize) -> candle_core::Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    x.reshape((b, groups, c / groups, h, w))?
        .transpose(1, 2)?
        .contiguous()?
        .reshape((b, c, h, w))
}

fn channel_shuffle_einops(x: &Tensor, groups: usize) -> Result<Tensor> {
    Ok(rearrange!(
        x,
        "b (g1 g2) h w -> b (g2 g1) h w",
        g1 = groups
    )?)
}

/// A ShuffleNet unit (stride 1): grouped 1×1, shuffle, depthwise 3×3, grouped 1×1, residual.
struct ShuffleUnit {
    compress: Conv2d,
    depthwise: Conv2d,
    expand: Conv2d,
}

impl ShuffleUnit {
    const GROUPS: usize = 3;

    fn new(vb: &VarBuilder) -> Result<Self> {
        let grouped = Conv2dConfig {
            groups: Self::GROUPS,
            ..Default::default()
        };
        let depthwise = Conv2dConfig {
            padding: 1,
            groups: 6,
            ..Default::default()
        };
        Ok(ShuffleUnit {
            compress: candle_nn::conv2d_no_bias(24, 6, 1, grouped, vb.pp("compress"))?,
            depthwise: candle_nn::conv2d_no_bias(6, 6, 3, depthwise, vb.pp("depthwise"))?,
            expand: candle_nn::conv2d_no_bias(6, 24, 1, grouped, vb.pp("expand"))?,
        })
    }

    fn forward(
        &self,
        x: &Tensor,
        shuffle: impl Fn(&Tensor, usize) -> Result<Tensor>,
    ) -> Result<Tensor> {
        let compressed = self.compress.forward(x)?.relu()?;
        let mixed = shuffle(&compressed, Self::GROUPS)?;
        let expanded = self.expand.forward(&self.depthwise.forward(&mixed)?)?;
        Ok((expanded + x)?.relu()?)
    }
}

/// A small ResNet: stem, one basic block, global average pooling, classifier.
fn res_net(vb: &VarBuilder) -> Result<(Sequential, Sequential)> {
    let stem = candle_nn::conv2d(3, 16, 3, padded(1), vb.pp("stem"))?;
    let conv1 = candle_nn::conv2d(16, 16, 3, padded(1), vb.pp("block.conv1"))?;
    let conv2 = candle_nn::conv2d(16, 16, 3, padded(1), vb.pp("block.conv2"))?;
    let fc = candle_nn::linear(16, 10, vb.pp("fc"))?;
    let body = || {
        let (conv1, conv2) = (conv1.clone(), conv2.clone());
        candle_nn::seq()
            .add(stem.clone())
            .add_fn(|x| x.relu())
            .add_fn(move |x| (conv2.forward(&conv1.forward(x)?.relu()?)? + x)?.relu())
    };
    let plain = body()
        .add_fn(|x| {
            let (b, _, h, _) = x.dims4()?;
            x.avg_pool2d(h)?.reshape((b, ()))
        })
        .add(fc.clone());
    let einops = body().add(Reduce!("b c h w -> b c", mean)).add(fc);
    Ok((plain, einops))
}

/// FastText: the mean of the word embeddings (sequence first), then a classifier.
fn fast_text(vb: &VarBuilder) -> Result<(Sequential, Sequential)> {
    let embedding = candle_nn::embedding(50, 8, vb.pp("embedding"))?;
    let fc = candle_nn::linear(8, 4, vb.pp("fc"))?;
    let plain = candle_nn::seq()
        .add(embedding.clone())
        .add_fn(|x| x.mean(0))
        .add(fc.clone());
    let einops = candle_nn::seq()
        .add(embedding)
        .add(Reduce!("t b c -> b c", mean))
        .add(fc);
    Ok((plain, einops))
}

/// A CNN for text classification: convolutions of widths 3, 4, 5 over time, max over
/// time, concatenated, then a classifier.
struct TextCnn {
    convs: Vec<Conv1d>,
    fc: Linear,
}

impl TextCnn {
    fn new(vb: &VarBuilder) -> Result<Self> {
        let convs = (3..=5)
            .map(|width| candle_nn::conv1d(8, 6, width, Conv1dConfig::default(), vb.pp(width)))
            .collect::<candle_core::Result<_>>()?;
        let fc = candle_nn::linear(18, 2, vb.pp("fc"))?;
        Ok(TextCnn { convs, fc })
    }

    fn plain(&self, embedded: &Tensor) -> Result<Tensor> {
        let channels_first = embedded.permute((0, 2, 1))?;
        let pooled = self
            .convs
            .iter()
            .map(|conv| conv.forward(&channels_first)?.relu()?.max(2))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(self.fc.forward(&Tensor::cat(&pooled, 1)?)?)
    }

    fn einops(&self, embedded: &Tensor) -> Result<Tensor> {
        let channels_first = rearrange!(embedded, "b t c -> b c t")?;
        let pooled = self
            .convs
            .iter()
            .map(|conv| {
                Ok(reduce!(
                    conv.forward(&channels_first)?.relu()?,
                    "b c t -> b c",
                    max
                )?)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self.fc.forward(&Tensor::cat(&pooled, 1)?)?)
    }
}

/// Highway convolution: one convolution gives both the gate and the candidate.
struct Highway {
    conv: Conv1d,
}

impl Highway {
    fn new(vb: &VarBuilder) -> Result<Self> {
        let same = Conv1dConfig {
            padding: 1,
            ..Default::default()
        };
        Ok(Highway {
            conv: candle_nn::conv1d(8, 16, 3, same, vb.pp("conv"))?,
        })
    }

    fn mix(gate: &Tensor, candidate: &Tensor, input: &Tensor) -> Result<Tensor> {
        let gate = candle_nn::ops::sigmoid(gate)?;
        Ok(((&gate * candidate)? + ((1.0 - &gate)? * input)?)?)
    }

    fn plain(&self, x: &Tensor) -> Result<Tensor> {
        let both = self.conv.forward(x)?;
        let halves = both.chunk(2, 1)?;
        Self::mix(&halves[0], &halves[1], x)
    }

    fn einops(&self, x: &Tensor) -> Result<Tensor> {
        let both = self.conv.forward(x)?;
        let halves = rearrange!(&both, "b (split c) t -> split b c t", split = 2)?;
        Self::mix(&halves.i(0)?, &halves.i(1)?, x)
    }
}

/// Scaled dot-product attention over `q k v` stacked on the first axis (no parameters).
fn attention_plain(qkv: &Tensor) -> Result<Tensor> {
    let (q, k, v) = (qkv.i(0)?, qkv.i(1)?, qkv.i(2)?);
    let scale = (q.dim(D::Minus1)? as f64).sqrt();
    let scores = (q.matmul(&k.transpose(1, 2)?)? / scale)?;
    let attention = candle_nn::ops::softmax(&scores, 2)?;
    Ok(attention.matmul(&v)?)
}

fn attention_einops(qkv: &Tensor) -> Result<Tensor> {
    let (q, k, v) = (qkv.i(0)?, qkv.i(1)?, qkv.i(2)?);
    let scale = (q.dim(D::Minus1)? as f64).sqrt();
    let scores = (einsum!(&q, &k, "b t1 c, b t2 c -> b t1 t2")? / scale)?;
    let attention = candle_nn::ops::softmax(&scores, 2)?;
    Ok(einsum!(&attention, &v, "b t1 t2, b t2 c -> b t1 c")?)
}

/// Multi-head self-attention with learned projections.
struct MultiHead {
    w_q: Linear,
    w_k: Linear,
    w_v: Linear,
    fc: Linear,
}

impl MultiHead {
    const HEADS: usize = 4;
    const MODEL: usize = 32;
    const HEAD: usize = 8;

    fn new(vb: &VarBuilder) -> Result<Self> {
        let projection =
            |name| candle_nn::linear(Self::MODEL, Self::HEADS * Self::HEAD, vb.pp(name));
        Ok(MultiHead {
            w_q: projection("w_q")?,
            w_k: projection("w_k")?,
            w_v: projection("w_v")?,
            fc: candle_nn::linear(Self::HEADS * Self::HEAD, Self::MODEL, vb.pp("fc"))?,
        })
    }

    fn plain(&self, x: &Tensor) -> Result<Tensor> {
        let (b, l, _) = x.dims3()?;
        let split = |projection: &Linear| -> candle_core::Result<Tensor> {
            projection
                .forward(x)?
                .reshape((b, l, Self::HEADS, Self::HEAD))?
                .permute((2, 0, 1, 3))?
                .contiguous()?
                .reshape(((), l, Self::HEAD))
        };
        let (q, k, v) = (split(&self.w_q)?, split(&self.w_k)?, split(&self.w_v)?);
        let scores = (q.matmul(&k.transpose(1, 2)?)? / (Self::HEAD as f64).sqrt())?;
        let output = candle_nn::ops::softmax(&scores, 2)?.matmul(&v)?;
        let merged = output
            .reshape((Self::HEADS, b, l, Self::HEAD))?
            .permute((1, 2, 0, 3))?
            .contiguous()?
            .reshape((b, l, ()))?;
        Ok(self.fc.forward(&merged)?)
    }

    fn einops(&self, x: &Tensor) -> Result<Tensor> {
        let split = |projection: &Linear| -> Result<Tensor> {
            let projected = projection.forward(x)?;
            Ok(rearrange!(
                projected,
                "b l (head k) -> head b l k",
                head = Self::HEADS
            )?)
        };
        let (q, k, v) = (split(&self.w_q)?, split(&self.w_k)?, split(&self.w_v)?);
        let merged = rearrange!(Self::attend(&q, &k, &v)?, "head b l v -> b l (head v)")?;
        Ok(self.fc.forward(&merged)?)
    }

    /// Attention per head over `head b l k` queries, keys and values.
    fn attend(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        let scores = einsum!(q, k, "head b l1 k, head b l2 k -> head b l1 l2")?;
        let attention = candle_nn::ops::softmax(&(scores / (Self::HEAD as f64).sqrt())?, 3)?;
        Ok(einsum!(
            &attention,
            v,
            "head b l1 l2, head b l2 v -> head b l1 v"
        )?)
    }
}

/// The same attention with EinMix projections, which split and merge the heads
/// themselves. The plain version is `MultiHead::plain` on `Linear`s over the same
/// tensors: an EinMix weight `head k d` is a `Linear` weight `(head k) d`.
struct MixedHeads {
    w_q: CandleEinMix,
    w_k: CandleEinMix,
    w_v: CandleEinMix,
    fc: CandleEinMix,
}

impl MixedHeads {
    fn new(vb: &VarBuilder) -> Result<Self> {
        let (heads, model, head) = (MultiHead::HEADS, MultiHead::MODEL, MultiHead::HEAD);
        let projection = |name| {
            let spec = EinMixSpec!(
                "b l d -> head b l k",
                weight_shape = "head k d",
                bias_shape = "head k",
                d = model,
                head = heads,
                k = head
            );
            spec.candle(vb.pp(name))
        };
        let fc = EinMixSpec!(
            "head b l k -> b l d",
            weight_shape = "d head k",
            bias_shape = "d",
            d = model,
            head = heads,
            k = head
        );
        Ok(MixedHeads {
            w_q: projection("w_q")?,
            w_k: projection("w_k")?,
            w_v: projection("w_v")?,
            fc: fc.candle(vb.pp("fc"))?,
        })
    }

    /// The plain network over these parameters.
    fn linears(&self) -> Result<MultiHead> {
        let linear = |mix: &CandleEinMix, outputs: usize| -> Result<Linear> {
            let weight = mix.weight().reshape((outputs, ()))?;
            let bias = mix.bias().map(|b| b.flatten_all()).transpose()?;
            Ok(Linear::new(weight, bias))
        };
        let width = MultiHead::HEADS * MultiHead::HEAD;
        Ok(MultiHead {
            w_q: linear(&self.w_q, width)?,
            w_k: linear(&self.w_k, width)?,
            w_v: linear(&self.w_v, width)?,
            fc: linear(&self.fc, MultiHead::MODEL)?,
        })
    }

    fn einops(&self, x: &Tensor) -> Result<Tensor> {
        let (q, k, v) = (
            self.w_q.forward(x)?,
            self.w_k.forward(x)?,
            self.w_v.forward(x)?,
        );
        Ok(self.fc.forward(&MultiHead::attend(&q, &k, &v)?)?)
    }
}

/// Wraps a pair of `Sequential`s.
fn sequential(pair: (Sequential, Sequential)) -> Funcs {
    let (plain, einops) = pair;
    (
        Box::new(move |x| Ok(plain.forward(x)?)),
        Box::new(move |x| Ok(einops.forward(x)?)),
    )
}

type Funcs = (Forward, Forward);

fn architectures() -> Result<Vec<Architecture>> {
    let mut all = Vec::new();
    let mut add = |name, vars, input, (plain, einops): Funcs| {
        all.push(Architecture {
            name,
            vars,
            input,
            plain,
            einops,
        })
    };

    let (vars, vb) = parameters();
    add(
        "ConvNet",
        vars,
        random(&[8, 1, 28, 28])?,
        sequential(conv_net(&vb)?),
    );

    let (vars, vb) = parameters();
    let pair = super_resolution(&vb)?;
    add(
        "super-resolution",
        vars,
        random(&[2, 1, 16, 16])?,
        sequential(pair),
    );

    add(
        "Gram matrix",
        VarMap::new(),
        random(&[2, 8, 16, 16])?,
        (Box::new(gram_plain), Box::new(gram_einops)),
    );

    let (vars, vb) = parameters();
    let model = std::rc::Rc::new(LanguageModel::new(&vb)?);
    let other = model.clone();
    add(
        "RNN language model",
        vars,
        tokens(&[4, 6], LanguageModel::VOCABULARY as u32)?,
        (
            Box::new(move |x| model.plain(x)),
            Box::new(move |x| other.einops(x)),
        ),
    );

    add(
        "bidirectional RNN state",
        VarMap::new(),
        random(&[3 * 2, 4, 8])?,
        (
            Box::new(bidirectional_plain),
            Box::new(bidirectional_einops),
        ),
    );

    add(
        "channel shuffle",
        VarMap::new(),
        random(&[2, 12, 8, 8])?,
        (
            Box::new(|x| Ok(channel_shuffle_plain(x, 3)?)),
            Box::new(|x| channel_shuffle_einops(x, 3)),
        ),
    );

    let (vars, vb) = parameters();
    let unit = std::rc::Rc::new(ShuffleUnit::new(&vb)?);
    let other = unit.clone();
    add(
        "ShuffleNet unit",
        vars,
        random(&[2, 24, 8, 8])?,
        (
            Box::new(move |x| unit.forward(x, |x, g| Ok(channel_shuffle_plain(x, g)?))),
            Box::new(move |x| other.forward(x, channel_shuffle_einops)),
        ),
    );

    let (vars, vb) = parameters();
    add(
        "ResNet",
        vars,
        random(&[2, 3, 8, 8])?,
        sequential(res_net(&vb)?),
    );

    let (vars, vb) = parameters();
    add(
        "FastText",
        vars,
        tokens(&[7, 4], 50)?,
        sequential(fast_text(&vb)?),
    );

    let (vars, vb) = parameters();
    let cnn = std::rc::Rc::new(TextCnn::new(&vb)?);
    let other = cnn.clone();
    add(
        "CNN for text",
        vars,
        random(&[4, 12, 8])?,
        (
            Box::new(move |x| cnn.plain(x)),
            Box::new(move |x| other.einops(x)),
        ),
    );

    let (vars, vb) = parameters();
    let highway = std::rc::Rc::new(Highway::new(&vb)?);
    let other = highway.clone();
    add(
        "highway convolution",
        vars,
        random(&[2, 8, 10])?,
        (
            Box::new(move |x| highway.plain(x)),
            Box::new(move |x| other.einops(x)),
        ),
    );

    add(
        "attention",
        VarMap::new(),
        random(&[3, 2, 5, 8])?,
        (Box::new(attention_plain), Box::new(attention_einops)),
    );

    let (vars, vb) = parameters();
    let heads = std::rc::Rc::new(MultiHead::new(&vb)?);
    let other = heads.clone();
    add(
        "multi-head attention",
        vars,
        random(&[2, 6, MultiHead::MODEL])?,
        (
            Box::new(move |x| heads.plain(x)),
            Box::new(move |x| other.einops(x)),
        ),
    );

    let (vars, vb) = parameters();
    let mixed = MixedHeads::new(&vb)?;
    let linears = mixed.linears()?;
    add(
        "multi-head, EinMix",
        vars,
        random(&[2, 6, MultiHead::MODEL])?,
        (
            Box::new(move |x| linears.plain(x)),
            Box::new(move |x| mixed.einops(x)),
        ),
    );

    Ok(all)
}

/// The fastest of a few forward passes, in microseconds.
fn time(forward: &Forward, input: &Tensor) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        forward(input)?;
        best = best.min(start.elapsed().as_secs_f64() * 1e6);
    }
    Ok(best)
}

fn max_difference(a: &Tensor, b: &Tensor) -> Result<f32> {
    Ok((a - b)?.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()?)
}

fn main() -> Result<()> {
    println!(
        "{:<24} {:<16} {:>10} {:>18} {:>10} {:>10}",
        "architecture", "output shape", "parameters", "max |plain-einops|", "plain µs", "einops µs"
    );
    for architecture in architectures()? {
        let plain = (architecture.plain)(&architecture.input)?;
        let einops = (architecture.einops)(&architecture.input)?;
        assert_eq!(
            plain.dims(),
            einops.dims(),
            "{}: shapes differ",
            architecture.name
        );
        let difference = max_difference(&plain, &einops)?;
        assert!(
            difference <= 1e-5,
            "{}: results differ by {difference}",
            architecture.name
        );
        let parameters: usize = architecture
            .vars
            .all_vars()
            .iter()
            .map(|var| var.elem_count())
            .sum();
        println!(
            "{:<24} {:<16} {:>10} {:>18.1e} {:>10.1} {:>10.1}",
            architecture.name,
            format!("{:?}", einops.dims()),
            parameters,
            difference,
            time(&architecture.plain, &architecture.input)?,
            time(&architecture.einops, &architecture.input)?,
        );
    }

    // The walk-through's warning: `view(-1, 320)` assumes 28×28 inputs. On 32×32 images the
    // plain network still runs, regrouping the features of 16 images into 25 rows.
    println!("\nConvNet on 16 images of 32×32 instead of 28×28:");
    let (_vars, vb) = parameters();
    let (plain, einops) = conv_net(&vb)?;
    let larger = random(&[16, 1, 32, 32])?;
    let garbage = plain.forward(&larger)?;
    println!(
        "  plain: output shape {:?} for 16 images (the batch is mixed)",
        garbage.dims()
    );
    let error = einops
        .forward(&larger)
        .expect_err("the einops network checks the feature map size");
    println!("  einops: {error}");
    Ok(())
}
