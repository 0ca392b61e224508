// einsum_ellipsis_not_in_output: without `...` in the output an operand's `...`
// must match no dimension, so a fixed-rank operand needs exactly its named axes.
use einops::einsum;
use ndarray::{Array1, Array3};

fn last_axis(a: Array3<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, "... i -> i")
}

fn main() {}
