//! The patterns of the "einops for deep learning" walk-through, applied to small
//! deterministic arrays.
//!
//! ```text
//! cargo run --example walkthrough
//! ```
//!
//! Every step prints its pattern, the result's shape and its first values, and is checked
//! with `assert_eq!` against the same computation written with plain ndarray methods
//! (`to_shape`, `permuted_axes`, `mean_axis`, `concatenate`, ...).
//!
//! Most steps use `images`, a batch of 2 images with 3 channels of 4×4 pixels whose
//! values spell out their index: `1203` is batch 1, channel 2, row 0, column 3.

use std::error::Error;
use std::fmt::Display;

use einops::{dynamic, einsum, rearrange, rearrange_view, reduce, repeat};
use ndarray::{s, Array, ArrayBase, Axis, Data, Dimension, IntoDimension};

/// Prints one step: a heading with the pattern, then the shape and the first values.
fn show<S, D>(title: &str, pattern: &str, array: &ArrayBase<S, D>)
where
    S: Data,
    S::Elem: Display,
    D: Dimension,
{
    const SHOWN: usize = 8;
    let mut values: Vec<String> = array.iter().take(SHOWN).map(|v| v.to_string()).collect();
    if array.len() > SHOWN {
        values.push("…".to_string());
    }
    println!("{title:<36} {pattern}");
    println!(
        "    shape {:?}, values [{}]",
        array.shape(),
        values.join(", ")
    );
}

/// The numbers 0, 1, 2, ... in an array of the given shape.
fn arange<D: Dimension>(shape: impl IntoDimension<Dim = D>) -> Array<f32, D> {
    let shape = shape.into_dimension();
    let values = (0..shape.size()).map(|v| v as f32).collect();
    Array::from_shape_vec(shape, values).expect("the length is the shape's size")
}

fn main() -> Result<(), Box<dyn Error>> {
    let images = Array::from_shape_fn((2, 3, 4, 4), |(b, c, h, w)| {
        (1000 * b + 100 * c + 10 * h + w) as f32
    });
    show("input images", "b c h w", &images);

    println!("\n# Convolutional networks");

    let flat = rearrange!(&images, "b c h w -> b (c h w)")?;
    show("flatten", "b c h w -> b (c h w)", &flat);
    assert_eq!(flat, images.to_shape((2, 48))?);
    // Passed by value, an owned array whose elements stay in order keeps its buffer.
    let owned = images.clone();
    let buffer = owned.as_ptr();
    let flat_owned = rearrange!(owned, "b c h w -> b (c h w)")?;
    assert_eq!(flat_owned.as_ptr(), buffer);
    assert_eq!(flat_owned, flat);
    println!("    passed by value: the same buffer, nothing copied");

    let pooled = reduce!(&images, "b c h w -> b c", mean)?;
    show("global average pooling (mean)", "b c h w -> b c", &pooled);
    let plain = images.to_shape((2, 3, 16))?.mean_axis(Axis(2)).unwrap();
    assert_eq!(pooled, plain);

    let max_pooled = reduce!(&images, "b c (h 2) (w 2) -> b c h w", max)?;
    show(
        "max pooling 2×2 (max)",
        "b c (h 2) (w 2) -> b c h w",
        &max_pooled,
    );
    let plain = Array::from_shape_fn((2, 3, 2, 2), |(b, c, h, w)| {
        let block = images.slice(s![b, c, 2 * h..2 * h + 2, 2 * w..2 * w + 2]);
        block.fold(f32::MIN, |max, &v| max.max(v))
    });
    assert_eq!(max_pooled, plain);

    // Super-resolution: 12 channels of 2×2 become 3 channels of 4×4.
    let features = arange((1, 12, 2, 2));
    let shuffled = rearrange!(
        &features,
        "b (c h2 w2) h w -> b c (h h2) (w w2)",
        h2 = 2,
        w2 = 2
    )?;
    show(
        "pixel shuffle (depth to space)",
        "b (c h2 w2) h w -> b c (h h2) (w w2)",
        &shuffled,
    );
    let plain = features
        .to_shape((1, 3, 2, 2, 2, 2))? // b c h2 w2 h w
        .permuted_axes([0, 1, 4, 2, 5, 3]) // b c h h2 w w2
        .to_shape((1, 3, 4, 4))?
        .into_owned();
    assert_eq!(shuffled, plain);

    // ShuffleNet: mix the channels of g1 = 2 groups.
    let channels = arange((1, 6, 1, 1));
    let mixed = rearrange!(&channels, "b (g1 g2) h w -> b (g2 g1) h w", g1 = 2)?;
    show("channel shuffle", "b (g1 g2) h w -> b (g2 g1) h w", &mixed);
    let plain = channels
        .to_shape((1, 2, 3, 1, 1))?
        .permuted_axes([0, 2, 1, 3, 4])
        .to_shape((1, 6, 1, 1))?
        .into_owned();
    assert_eq!(mixed, plain);

    // Style transfer: the Gram matrix multiplies the flattened feature maps.
    let maps = rearrange!(&images, "b c h w -> b c (h w)")?;
    show("gram matrix prep", "b c h w -> b c (h w)", &maps);
    assert_eq!(maps, images.to_shape((2, 3, 16))?);
    let first = maps.index_axis(Axis(0), 0);
    let gram = first.dot(&first.t());
    println!("    gram matrix of image 0: shape {:?}", gram.shape());

    println!("\n# Attention");

    let tokens = arange((2, 3, 8)); // batch, time, heads × head size
    let heads = rearrange!(&tokens, "b t (h d) -> b h t d", h = 2)?;
    show("split into heads", "b t (h d) -> b h t d", &heads);
    let plain = tokens
        .view()
        .into_shape_with_order((2, 3, 2, 4))?
        .permuted_axes([0, 2, 1, 3]);
    assert_eq!(heads, plain);

    let merged = rearrange!(heads, "b h t d -> b t (h d)")?;
    show("merge heads", "b h t d -> b t (h d)", &merged);
    assert_eq!(merged, tokens);

    // The same split as a view: nothing is copied, and einsum! reads the strided heads in
    // place. q, k and v come from one projection, split into three views of it.
    let qkv = arange((2, 3, 3 * 8)); // batch, time, (q k v) × heads × head size
    let q = rearrange_view!(&qkv, "b t (three h d) -> three b h t d", three = 3, h = 2)?;
    let (q, k, v) = (
        q.index_axis(Axis(0), 0),
        q.index_axis(Axis(0), 1),
        q.index_axis(Axis(0), 2),
    );
    assert_eq!(q.as_ptr(), qkv.as_ptr(), "a view of qkv, not a copy");
    let scores = einsum!(&q, &k, "b h i d, b h j d -> b h i j")?;
    let mixed = einsum!(&scores, &v, "b h i j, b h j d -> b h i d")?;
    let copied = rearrange!(&qkv, "b t (three h d) -> three b h t d", three = 3, h = 2)?;
    let (cq, ck) = (copied.index_axis(Axis(0), 0), copied.index_axis(Axis(0), 1));
    assert_eq!(scores, einsum!(&cq, &ck, "b h i d, b h j d -> b h i j")?);
    show(
        "attention on head views",
        "b h i j, b h j d -> b h i d",
        &mixed,
    );

    println!("\n# Recurrent networks");

    let outputs = arange((5, 2, 4)); // time, batch, channels
    let batch_first = rearrange!(&outputs, "t b c -> b t c")?;
    show("RNN output, batch first", "t b c -> b t c", &batch_first);
    assert_eq!(batch_first, outputs.view().permuted_axes([1, 0, 2]));

    // Final hidden state of a 2-layer bidirectional RNN: (layers × directions, batch, hidden).
    let hidden = arange((4, 2, 3));
    let joined = rearrange!(&hidden, "(layer dir) b c -> layer b (dir c)", dir = 2)?;
    show(
        "bidirectional hidden state",
        "(layer dir) b c -> layer b (dir c)",
        &joined,
    );
    let plain = hidden
        .to_shape((2, 2, 2, 3))?
        .permuted_axes([0, 2, 1, 3])
        .to_shape((2, 2, 6))?
        .into_owned();
    assert_eq!(joined, plain);

    println!("\n# Lists and repeats");

    let (a, b, c) = (arange((2, 3)), arange((2, 3)) + 10.0, arange((2, 3)) + 20.0);
    let stacked = rearrange!([&a, &b, &c], "f b c -> b (f c)")?;
    show("stack a list [a, b, c]", "f b c -> b (f c)", &stacked);
    assert_eq!(
        stacked,
        ndarray::concatenate(Axis(1), &[a.view(), b.view(), c.view()])?
    );

    let gray = arange((2, 3));
    let rgb = repeat!(&gray, "h w -> h w c", c = 3)?;
    show("gray to RGB", "h w -> h w c", &rgb);
    let plain = gray.view().insert_axis(Axis(2));
    assert_eq!(rgb, plain.broadcast((2, 3, 3)).unwrap());

    let upsampled = repeat!(&gray, "h w -> (h 2) (w 2)")?;
    show("upsample 2×", "h w -> (h 2) (w 2)", &upsampled);
    assert_eq!(
        upsampled,
        Array::from_shape_fn((4, 6), |(i, j)| gray[[i / 2, j / 2]])
    );

    println!("\n# A pattern known only at run time");

    let config = "layout = b c h w -> b h w c";
    let (_, pattern) = config.split_once(" = ").unwrap();
    let channels_last = dynamic::rearrange(&images, pattern, &[])?;
    show("einops::dynamic, channels last", pattern, &channels_last);
    assert_eq!(
        channels_last,
        images.view().permuted_axes([0, 2, 3, 1]).into_dyn()
    );

    println!("\n# A length that does not divide");

    let err = rearrange!(&tokens, "b t (h d) -> b h t d", h = 3).unwrap_err();
    assert_eq!(err.kind(), "indivisible_axis");
    println!("{err}");
    Ok(())
}
