// wrong rank: check_shape! checks the rank of a fixed-rank array at compile time.
use einops::check_shape;
use ndarray::Array3;

fn main() {
    let x = Array3::<f32>::zeros((2, 3, 4));
    let _ = check_shape!(x, "b t h w c", t = 3);
}
