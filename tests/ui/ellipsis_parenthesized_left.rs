// ellipsis_parenthesized_left: the input side cannot split a dimension into an ellipsis.
use einops::rearrange;
use ndarray::{Array2, ArrayD};

fn unflatten(x: Array2<f32>) -> Result<ArrayD<f32>, einops::Error> {
    rearrange!(x, "b (... c) -> b ... c")
}

fn main() {}
