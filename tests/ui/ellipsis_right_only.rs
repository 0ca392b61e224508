// ellipsis_right_only: `...` on the output side needs one on the input side to take its axes from.
use einops::rearrange;
use ndarray::{Array3, ArrayD};

fn heads_first(x: Array3<f32>) -> Result<ArrayD<f32>, einops::Error> {
    rearrange!(x, "b t d -> b ... t d")
}

fn main() {}
