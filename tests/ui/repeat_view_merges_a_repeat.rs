// not_a_view: a view cannot repeat an axis inside a group (no strides express it).
use einops::repeat_view;

fn main() {
    let x = ndarray::Array2::<f32>::zeros((2, 3));
    let _ = repeat_view!(&x, "h w -> (h r) w", r = 2);
}
