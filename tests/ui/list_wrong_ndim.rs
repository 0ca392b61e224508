// wrong_ndim: a list input is stacked on a new first axis, so two 2-d arrays make a 3-d input
// (this pattern needs 4).
use einops::rearrange;
use ndarray::{Array2, Array3};

fn stack(a: Array2<f32>, b: Array2<f32>) -> Result<Array3<f32>, einops::Error> {
    rearrange!([a, b], "f b c h -> b h (f c)")
}

fn main() {}
