// ellipsis_right_only: `...` in the output needs `...` in some operand.
use einops::einsum;
use ndarray::{Array2, ArrayD};

fn lift(a: Array2<f32>) -> Result<ArrayD<f32>, einops::Error> {
    einsum!(a, "i j -> ... i j")
}

fn main() {}
