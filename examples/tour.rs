//! A picture tour of the patterns, after einops' own tutorial.
//!
//! ```text
//! cargo run --release --example tour             # writes docs/tour/*.png
//! cargo run --release --example tour -- OUT_DIR  # writes elsewhere
//! ```
//!
//! The batch is drawn in code: the six letters of "einops", one image each, 48×48 pixels
//! of RGB in `b h w c` layout. Every step applies one pattern to the batch and writes the
//! result as a PNG; the README shows them.

use std::error::Error;
use std::path::{Path, PathBuf};

use einops::{rearrange, reduce, repeat};
use ndarray::{Array2, Array3, Array4, Axis};

/// Glyphs of 5×7 pixels, `#` for ink.
const GLYPHS: [[&str; 7]; 6] = [
    [
        "#####", "#....", "#....", "####.", "#....", "#....", "#####",
    ],
    [
        "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####",
    ],
    [
        "#...#", "##..#", "##..#", "#.#.#", "#..##", "#..##", "#...#",
    ],
    [
        ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.",
    ],
    [
        "####.", "#...#", "#...#", "####.", "#....", "#....", "#....",
    ],
    [
        ".####", "#....", "#....", ".###.", "....#", "....#", "####.",
    ],
];

/// Ink colours, one per letter.
const INKS: [[f32; 3]; 6] = [
    [0.80, 0.15, 0.15],
    [0.90, 0.55, 0.05],
    [0.15, 0.55, 0.20],
    [0.10, 0.35, 0.80],
    [0.45, 0.20, 0.70],
    [0.10, 0.10, 0.10],
];

const SIDE: usize = 48;
const SCALE: usize = 6;

/// The batch: each glyph scaled up and centred on a background that darkens towards
/// the bottom-right, so transpositions and flips stay visible.
fn letters() -> Array4<f32> {
    let (left, top) = ((SIDE - 5 * SCALE) / 2, (SIDE - 7 * SCALE) / 2);
    Array4::from_shape_fn((GLYPHS.len(), SIDE, SIDE, 3), |(b, h, w, c)| {
        let (row, column) = (
            (h.wrapping_sub(top)) / SCALE,
            (w.wrapping_sub(left)) / SCALE,
        );
        let ink = GLYPHS[b]
            .get(row)
            .and_then(|line| line.as_bytes().get(column))
            == Some(&b'#');
        if ink {
            INKS[b][c]
        } else {
            1.0 - 0.25 * (h + w) as f32 / (2 * SIDE) as f32
        }
    })
}

/// Where the pictures go, and how they are written.
struct Album {
    folder: PathBuf,
    written: usize,
}

impl Album {
    fn new(folder: PathBuf) -> Result<Self, Box<dyn Error>> {
        std::fs::create_dir_all(&folder)?;
        Ok(Album { folder, written: 0 })
    }

    fn file(&mut self, name: &str) -> PathBuf {
        self.written += 1;
        self.folder.join(format!("{:02}-{name}.png", self.written))
    }

    /// Writes an `h w c` picture of values in [0, 1].
    fn rgb(
        &mut self,
        name: &str,
        pattern: &str,
        picture: &Array3<f32>,
    ) -> Result<(), Box<dyn Error>> {
        let (height, width, _) = picture.dim();
        let bytes = picture.iter().map(|&v| to_byte(v)).collect();
        let image = image::RgbImage::from_raw(width as u32, height as u32, bytes)
            .ok_or("an h w c picture has h * w * 3 values")?;
        self.save(name, pattern, image.into())
    }

    /// Writes an `h w` picture of values in [0, 1] in grey.
    fn grey(
        &mut self,
        name: &str,
        pattern: &str,
        picture: &Array2<f32>,
    ) -> Result<(), Box<dyn Error>> {
        let (height, width) = picture.dim();
        let bytes = picture.iter().map(|&v| to_byte(v)).collect();
        let image = image::GrayImage::from_raw(width as u32, height as u32, bytes)
            .ok_or("an h w picture has h * w values")?;
        self.save(name, pattern, image.into())
    }

    fn save(
        &mut self,
        name: &str,
        pattern: &str,
        image: image::DynamicImage,
    ) -> Result<(), Box<dyn Error>> {
        let path = self.file(name);
        image.save(&path)?;
        println!(
            "{:<28} {:>4}×{:<4} {}",
            pattern,
            image.height(),
            image.width(),
            path.display()
        );
        Ok(())
    }
}

/// Applies one pattern and writes the result, labelled with the pattern.
macro_rules! picture {
    (
        $album:ident.$kind:ident($name:literal),
        $op:ident!($input:expr, $pattern:literal $($rest:tt)*)
    ) => {
        $album.$kind($name, $pattern, &$op!($input, $pattern $($rest)*)?)?
    };
}

fn to_byte(value: f32) -> u8 {
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn main() -> Result<(), Box<dyn Error>> {
    let folder = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tour"),
        PathBuf::from,
    );
    let mut album = Album::new(folder)?;
    let images = letters();

    // Putting the batch side by side, or on top of each other, is a matter of which
    // axis the batch joins.
    picture!(
        album.rgb("row"),
        rearrange!(&images, "b h w c -> h (b w) c")
    );
    picture!(
        album.rgb("column"),
        rearrange!(&images, "b h w c -> (b h) w c")
    );

    // The order inside a group decides the layout: batch outer or inner.
    picture!(
        album.rgb("interleaved"),
        rearrange!(&images, "b h w c -> h (w b) c")
    );

    // Swapping height and width transposes every letter.
    picture!(
        album.rgb("transposed"),
        rearrange!(&images, "b h w c -> w (b h) c")
    );

    // Splitting the batch makes a grid; swapping the parts changes its order.
    picture!(
        album.rgb("grid"),
        rearrange!(&images, "(b1 b2) h w c -> (b1 h) (b2 w) c", b1 = 2)
    );
    picture!(
        album.rgb("grid-columns"),
        rearrange!(&images, "(b1 b2) h w c -> (b2 h) (b1 w) c", b1 = 2)
    );

    // Channels as separate grey pictures, one row each.
    picture!(
        album.grey("channels"),
        rearrange!(&images, "b h w c -> (c h) (b w)")
    );

    // Reductions: the mean over the batch overlays the letters; the mean over channels
    // is a grey version.
    picture!(
        album.rgb("overlay"),
        reduce!(&images, "b h w c -> h w c", mean)
    );
    picture!(
        album.grey("grey"),
        reduce!(&images, "b h w c -> h (b w)", mean)
    );

    // Pooling is a reduction over the axes a split creates.
    picture!(
        album.rgb("max-pool"),
        reduce!(&images, "b (h 4) (w 4) c -> h (b w) c", max)
    );
    picture!(
        album.rgb("min-pool"),
        reduce!(&images, "b (h 4) (w 4) c -> h (b w) c", min)
    );

    // Space to depth, shown by putting the four sub-pictures of each letter next to each
    // other; the inverse pattern (pixel shuffle) gives the batch back exactly.
    picture!(
        album.rgb("sub-pictures"),
        rearrange!(
            &images,
            "b (h h2) (w w2) c -> (h2 h) (b w2 w) c",
            h2 = 2,
            w2 = 2
        )
    );
    let depth = rearrange!(
        &images,
        "b (h h2) (w w2) c -> b h w (c h2 w2)",
        h2 = 2,
        w2 = 2
    )?;
    let shuffled = rearrange!(
        &depth,
        "b h w (c h2 w2) -> b (h h2) (w w2) c",
        h2 = 2,
        w2 = 2
    )?;
    assert_eq!(shuffled, images, "pixel shuffle inverts space to depth");

    // Repeat: nearest-neighbour upsampling, and one letter tiled.
    picture!(
        album.rgb("upsampled"),
        repeat!(&images, "b h w c -> (h 2) (b w 2) c")
    );
    let letter = images.index_axis(Axis(0), 3);
    picture!(
        album.rgb("tiled"),
        repeat!(letter, "h w c -> (2 h) (3 w) c")
    );

    println!("{} pictures", album.written);
    Ok(())
}
