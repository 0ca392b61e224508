// unknown_reduction: the reduction must be one of sum, mean, min, max, prod, any, all.
use einops::reduce;
use ndarray::{Array2, Array4};

fn global_avg_pool(x: Array4<f32>) -> Result<Array2<f32>, einops::Error> {
    reduce!(x, "b c h w -> b c", avg)
}

fn main() {}
