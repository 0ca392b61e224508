// einsum_wrong_ndim: operand `b` is 2-dimensional, its part of the pattern has 3 axes;
// the error points at that operand.
use einops::einsum;
use ndarray::{Array2, Array3};

fn batched(a: Array3<f32>, b: Array2<f32>) -> Result<Array3<f32>, einops::Error> {
    einsum!(a, b, "b c t, b c l -> b t l")
}

fn main() {}
