// unclosed_paren: a `(` that is never closed.
use einops::rearrange;
use ndarray::{Array2, Array4};

fn flatten(x: Array4<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(x, "b c h w -> b (c h w")
}

fn main() {}
