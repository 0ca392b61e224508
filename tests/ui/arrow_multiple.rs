// arrow_multiple: a pattern with a second `->` (one call describes one step only).
use einops::rearrange;
use ndarray::{Array2, Array4};

fn flatten(images: Array4<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(images, "b c h w -> b h w c -> b (h w c)")
}

fn main() {}
