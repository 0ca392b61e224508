// invalid_axis_length_name: `_c` can never be an axis name.
use einops::check_shape;
use ndarray::Array4;

fn main() {
    let x = Array4::<f32>::zeros((2, 3, 4, 5));
    let _ = check_shape!(x, "b c h w", _c = 3);
}
