// invalid_identifier: a trailing `_` is rejected too (`h_` is not a valid axis name).
use einops::repeat;
use ndarray::{Array2, Array3};

fn to_rgb(gray: Array2<f32>) -> Result<Array3<f32>, einops::Error> {
    repeat!(gray, "h_ w -> h_ w c", c = 3)
}

fn main() {}
