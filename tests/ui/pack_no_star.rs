// pack_no_star: `*` marks the dimensions that differ between the arrays; without it there
// is nothing to pack along.
use einops::pack;
use ndarray::Array2;

fn main() {
    let a = Array2::<f32>::zeros((2, 3));
    let _ = pack!([&a, &a], "b c");
}
