// malformed call: reduce! needs a reduction after the pattern.
use einops::reduce;
use ndarray::{Array1, Array2};

fn row_sums(x: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    reduce!(x, "a b -> a")
}

fn main() {}
