// invalid_identifier: `2j` is not an axis name.
use einops::einsum;
use ndarray::{Array1, Array2};

fn row_sums(a: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, "i 2j -> i")
}

fn main() {}
