// ellipsis_parenthesized_left: an operand's `...` cannot be inside a group.
use einops::einsum;
use ndarray::{Array1, Array2};

fn rows(a: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, "(... i) j -> j")
}

fn main() {}
