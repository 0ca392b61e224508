// unknown_character: only the space separates axes; a tab (or newline) is rejected.
use einops::rearrange;
use ndarray::Array2;

fn transpose(x: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    rearrange!(x, "rows\tcols -> cols rows")
}

fn main() {}
