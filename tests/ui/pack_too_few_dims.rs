// pack_too_few_dims: every array needs the dimensions the pattern names (here two); a
// fixed-rank array with fewer is a compile error.
use einops::pack;
use ndarray::Array1;

fn main() {
    let a = Array1::<f32>::zeros(3);
    let _ = pack!([&a, &a], "h w *");
}
