// arrow_missing: a pattern with no `->` between the input side and the output side.
use einops::rearrange;
use ndarray::{Array2, Array4};

fn flatten(images: Array4<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(images, "b c h w")
}

fn main() {}
