// the output of einsum_into! must have the result's rank (a fixed rank is checked
// at compile time).
use einops::einsum_into;
use ndarray::{Array2, Array3};

fn product(out: &mut Array3<f32>, a: Array2<f32>, b: Array2<f32>) -> Result<(), einops::Error> {
    einsum_into!(out, a, b, "i j, j k -> i k")
}

fn main() {}
