// parse_shape! reads lengths; checking them is check_shape!'s job.
use einops::parse_shape;
use ndarray::Array2;

fn main() {
    let x = Array2::<f32>::zeros((2, 3));
    let _ = parse_shape!(x, "b c", c = 3);
}
