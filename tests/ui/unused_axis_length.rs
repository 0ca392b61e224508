// unused_axis_length: a length given for an axis that the pattern does not mention.
use einops::rearrange;
use ndarray::{Array3, Array4};

fn split_heads(x: Array3<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b t (h d) -> b h t d", h = 8, heads = 8)
}

fn main() {}
