// invalid_identifier: an axis name may not start or end with `_` (`_` alone is not a name either).
use einops::rearrange;
use ndarray::Array4;

fn to_channels_last(x: Array4<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b _c h w -> b h w _c")
}

fn main() {}
