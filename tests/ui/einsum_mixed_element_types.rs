// all operands of einsum have the same element type (no numpy-style promotion).
use einops::einsum;
use ndarray::Array2;

fn product(a: Array2<f32>, b: Array2<f64>) -> Result<Array2<f64>, einops::Error> {
    einsum!(a, b, "i j, j k -> i k")
}

fn main() {}
