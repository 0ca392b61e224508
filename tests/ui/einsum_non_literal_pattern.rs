// the pattern must be a string literal; `einops::dynamic::einsum` takes a `&str`.
use einops::einsum;
use ndarray::Array2;

fn product(a: Array2<f32>, b: Array2<f32>, pattern: &str) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, b, pattern)
}

fn main() {}
