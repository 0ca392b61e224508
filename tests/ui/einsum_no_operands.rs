// einsum needs at least one operand before the pattern.
use einops::einsum;
use ndarray::Array1;

fn nothing() -> Result<Array1<f32>, einops::Error> {
    einsum!("i -> i")
}

fn main() {}
