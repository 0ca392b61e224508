// malformed call: the pattern must be a string literal (use `einops::dynamic` for run-time patterns).
use einops::rearrange;
use ndarray::Array2;

fn transpose(x: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    let pattern = "a b -> b a";
    rearrange!(x, pattern)
}

fn main() {}
