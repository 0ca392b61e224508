// parse_shape_wrong_ndim: without `...` the pattern names every dimension; a fixed-rank
// array of another rank is a compile error.
use einops::parse_shape;
use ndarray::Array3;

fn main() {
    let x = Array3::<f32>::zeros((2, 3, 4));
    let _ = parse_shape!(x, "b c h w");
}
