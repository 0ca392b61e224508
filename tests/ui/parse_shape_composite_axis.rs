// parse_shape_composite_axis: one length cannot be split into a group of several axes.
use einops::parse_shape;
use ndarray::Array3;

fn main() {
    let x = Array3::<f32>::zeros((2, 12, 4));
    let _ = parse_shape!(x, "b (h w) c");
}
