// einsum_unknown_output_axis: every output axis must come from an operand.
use einops::einsum;
use ndarray::Array2;

fn product(a: Array2<f32>, b: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, b, "i j, j k -> i l")
}

fn main() {}
