// duplicate_axis: a name appears once; only `_` may repeat.
use einops::parse_shape;
use ndarray::Array4;

fn main() {
    let x = Array4::<f32>::zeros((2, 3, 4, 5));
    let _ = parse_shape!(x, "a a _ _");
}
