// einsum_operand_count: the pattern describes two operands, the call passes three.
use einops::einsum;
use ndarray::Array2;

fn product(a: Array2<f32>, b: Array2<f32>, c: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, b, c, "i j, j k -> i k")
}

fn main() {}
