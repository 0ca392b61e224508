// stray_dots: dots are only allowed as a full ellipsis `...`.
use einops::rearrange;
use ndarray::{ArrayD, IxDyn};

fn channels_first(x: ArrayD<f32>) -> Result<ArrayD<f32>, einops::Error> {
    rearrange!(x, "b .. c -> b c ..")
}

fn main() {
    let _ = channels_first(ArrayD::zeros(IxDyn(&[2, 3, 4])));
}
