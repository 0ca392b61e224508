// reduce_right_only_identifier: reduce cannot create axes that are not on the input side.
use einops::reduce;
use ndarray::{Array3, Array4};

fn global_pool(x: Array4<f32>) -> Result<Array3<f32>, einops::Error> {
    reduce!(x, "b c h w -> b c k", mean)
}

fn main() {}
