// rearrange_anonymous_axis: rearrange only moves data, so numbers other than 1 are not allowed
// (use a named axis with a length instead: `(h p1) ..., p1 = 2`).
use einops::rearrange;
use ndarray::Array4;

fn space_to_depth(x: Array4<f32>) -> Result<Array4<f32>, einops::Error> {
    rearrange!(x, "b c (h 2) (w 2) -> b (c 4) h w")
}

fn main() {}
