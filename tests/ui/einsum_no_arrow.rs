// einsum_no_arrow: einsum has no implicit output; the pattern needs `->`.
use einops::einsum;
use ndarray::Array2;

fn product(a: Array2<f32>, b: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(a, b, "i j, j k")
}

fn main() {}
