// duplicate_axis: a name may repeat within an operand (a diagonal), not in the output.
use einops::einsum;
use ndarray::Array2;

fn spread(a: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, "i j -> i i")
}

fn main() {}
