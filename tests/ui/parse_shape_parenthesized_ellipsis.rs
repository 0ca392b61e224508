// parse_shape_parenthesized_ellipsis: `...` cannot be inside a group (einops crashes here).
use einops::parse_shape;
use ndarray::Array3;

fn main() {
    let x = Array3::<f32>::zeros((2, 12, 4));
    let _ = parse_shape!(x, "(...) c");
}
