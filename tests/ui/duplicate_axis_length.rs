// The same axis is given a length twice: a compile error at the second name.
use einops::rearrange;
use ndarray::{Array3, Array4};

fn split_heads(x: Array3<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b t (h d) -> b h t d", h = 8, h = 4)
}

fn main() {}
