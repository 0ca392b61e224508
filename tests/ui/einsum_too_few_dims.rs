// einsum_wrong_ndim: an operand with an ellipsis still needs its named axes.
use einops::einsum;
use ndarray::{Array1, Array2};

fn pairs(a: Array1<f32>, b: Array2<f32>) -> Result<Array1<f32>, einops::Error> {
    einsum!(a, b, "... i j, i j -> ...").map(|y| y.into_dimensionality().unwrap())
}

fn main() {}
