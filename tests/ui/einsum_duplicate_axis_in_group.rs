// duplicate_axis: a name twice inside one group has no well-defined length.
use einops::einsum;
use ndarray::Array1;

fn square(a: Array1<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, "(i i) -> i")
}

fn main() {}
