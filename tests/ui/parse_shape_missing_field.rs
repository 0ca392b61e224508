// The result has a field per named axis and no other: `_` and `...` are not reported.
use einops::parse_shape;
use ndarray::Array3;

fn main() {
    let x = Array3::<f32>::zeros((2, 3, 4));
    let s = parse_shape!(x, "b _ w").unwrap();
    let _ = s.c;
}
