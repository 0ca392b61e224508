// cannot_infer_sizes: a split group needs the lengths of all its axes but one.
use einops::rearrange;
use ndarray::{Array3, Array4};

fn split_heads(x: Array3<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b t (h d) -> b h t d")
}

fn main() {}
