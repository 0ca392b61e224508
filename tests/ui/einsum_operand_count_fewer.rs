// einsum_operand_count: the pattern describes two operands, the call passes one.
use einops::einsum;
use ndarray::Array2;

fn product(a: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, "i j, j k -> i k")
}

fn main() {}
