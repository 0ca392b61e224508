// einsum_unknown_output_axis: names are separated by spaces, so `ij` is one axis
// and `i` is not in the operand (numpy's `"ij->i"` does not carry over).
use einops::einsum;
use ndarray::{Array1, Array2};

fn row_sums(a: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, "ij -> i")
}

fn main() {}
