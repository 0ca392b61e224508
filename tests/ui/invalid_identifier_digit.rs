// invalid_identifier: an axis name that is not an identifier (it starts with a digit).
use einops::rearrange;
use ndarray::Array4;

fn to_channels_last(x: Array4<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b 3d h w -> b h w 3d")
}

fn main() {}
