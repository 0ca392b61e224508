// parse_shape_too_few_dims: with `...` the array needs at least the other items.
use einops::parse_shape;
use ndarray::Array2;

fn main() {
    let x = Array2::<f32>::zeros((2, 3));
    let _ = parse_shape!(x, "b ... h w");
}
