// invalid_axis_length_name: a length given for a name that cannot be an axis name (`_x`).
use einops::rearrange;
use ndarray::{Array3, Array4};

fn split_heads(x: Array3<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b t (h d) -> b h t d", h = 8, _x = 2)
}

fn main() {}
