// invalid_identifier: an ellipsis glued to a name (`b...`) forms one token, shown as `b…`.
use einops::rearrange;
use ndarray::{ArrayD, IxDyn};

fn batch_last(x: ArrayD<f32>) -> Result<ArrayD<f32>, einops::Error> {
    rearrange!(x, "b... -> ... b")
}

fn main() {
    let _ = batch_last(ArrayD::zeros(IxDyn(&[2, 3])));
}
