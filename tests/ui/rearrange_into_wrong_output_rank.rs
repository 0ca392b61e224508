// wrong_ndim of the output: `rearrange_into!` checks the rank of the array it writes into.
use einops::rearrange_into;
use ndarray::{Array3, Array4};

fn flatten_into(out: &mut Array3<f32>, x: &Array4<f32>) -> Result<(), einops::Error> {
    rearrange_into!(out, x, "b c h w -> b (c h w)")
}

fn main() {}
