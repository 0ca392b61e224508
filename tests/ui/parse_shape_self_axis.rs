// An axis named `self` is a valid einops name, but no Rust field can be called that.
use einops::parse_shape;
use ndarray::Array2;

fn main() {
    let x = Array2::<f32>::zeros((2, 3));
    let _ = parse_shape!(x, "self c");
}
