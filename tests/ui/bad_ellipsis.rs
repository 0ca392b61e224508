// bad_ellipsis: one side may contain at most one ellipsis `...`.
use einops::reduce;
use ndarray::{Array1, Array4};

fn per_channel_mean(x: Array4<f32>) -> Result<Array1<f32>, einops::Error> {
    reduce!(x, "... c ... -> c", mean)
}

fn main() {}
