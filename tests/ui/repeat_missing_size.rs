// repeat_missing_size: a new axis of repeat needs its length (`c = 3`).
use einops::repeat;
use ndarray::{Array2, Array3};

fn to_rgb(gray: Array2<f32>) -> Result<Array3<f32>, einops::Error> {
    repeat!(gray, "h w -> h w c")
}

fn main() {}
