// unused_axis_length: a length given for an axis the pattern does not name.
use einops::check_shape;
use ndarray::Array4;

fn main() {
    let x = Array4::<f32>::zeros((2, 3, 4, 5));
    let _ = check_shape!(x, "b c h w", t = 3);
}
