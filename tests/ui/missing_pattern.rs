// malformed call: the pattern argument is missing.
use einops::rearrange;
use ndarray::Array2;

fn transpose(x: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(x)
}

fn main() {}
