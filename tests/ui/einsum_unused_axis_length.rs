// unused_axis_length: a length for an axis the pattern does not have.
use einops::einsum;
use ndarray::{Array1, Array2};

fn row_sums(a: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, "i j -> i", h = 2)
}

fn main() {}
