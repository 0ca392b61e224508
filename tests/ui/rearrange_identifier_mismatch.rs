// rearrange_identifier_mismatch: every axis of a rearrange must appear on both sides
// (dropping `w` would be a reduction: use `reduce!`).
use einops::rearrange;
use ndarray::{Array2, Array4};

fn flatten(x: Array4<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(x, "b c h w -> b (c h)")
}

fn main() {}
