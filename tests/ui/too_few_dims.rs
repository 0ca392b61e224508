// too_few_dims: with an ellipsis the input needs at least the named axes (a 1-d array, `b t ...`).
use einops::rearrange;
use ndarray::Array1;

fn time_major(x: Array1<f32>) -> Result<Array1<f32>, einops::Error> {
    rearrange!(x, "b t ... -> t b ...")
}

fn main() {}
