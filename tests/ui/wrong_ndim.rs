// wrong_ndim: a fixed-rank input whose rank differs from the pattern's (a 3-d array, 4 axes).
use einops::rearrange;
use ndarray::{Array2, Array3};

fn flatten(x: Array3<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(x, "b c h w -> b (c h w)")
}

fn main() {}
