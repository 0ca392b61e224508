// repeat_left_only_identifier: repeat cannot drop an input axis (that would be a reduction).
use einops::repeat;
use ndarray::Array4;

fn tile_time(x: Array4<f32>) -> Result<Array4<f32>, einops::Error> {
    repeat!(x, "b c h w -> b t c h", t = 4)
}

fn main() {}
