// The pattern comes after the array.
use einops::check_shape;
use ndarray::Array3;

fn main() {
    let x = Array3::<f32>::zeros((2, 3, 4));
    let _ = check_shape!(x);
}
