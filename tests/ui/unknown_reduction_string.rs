// unknown_reduction: reduction names are case-sensitive, also when written as a string.
use einops::reduce;
use ndarray::{Array2, Array4};

fn global_sum_pool(x: Array4<f32>) -> Result<Array2<f32>, einops::Error> {
    reduce!(x, "b c h w -> b c", "Sum")
}

fn main() {}
