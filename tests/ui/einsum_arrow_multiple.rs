// arrow_multiple: an einsum pattern has one `->`.
use einops::einsum;
use ndarray::Array2;

fn transpose(a: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, "i j -> j i -> i j")
}

fn main() {}
