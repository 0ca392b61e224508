// unknown_character: axes are separated by spaces, not by commas (or other punctuation).
use einops::rearrange;
use ndarray::{Array3, Array4};

fn to_sequence(images: Array4<f32>) -> Result<Array3<f32>, einops::Error> {
    rearrange!(images, "b c h w -> b (h, w) c")
}

fn main() {}
