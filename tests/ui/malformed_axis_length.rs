// malformed call: axis lengths are written `name = length`.
use einops::rearrange;
use ndarray::{Array3, Array4};

fn split_heads(x: Array3<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b t (h d) -> b h t d", 8)
}

fn main() {}
