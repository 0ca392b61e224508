// einsum_anonymous_axis: einsum axes are names, not numbers.
use einops::einsum;
use ndarray::{Array1, Array2};

fn first(x: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(x, "b 3 -> b")
}

fn main() {}
