// duplicate_axis: an axis name may appear only once per side.
use einops::rearrange;
use ndarray::Array4;

fn to_channels_last(x: Array4<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b c h h -> b h h c")
}

fn main() {}
