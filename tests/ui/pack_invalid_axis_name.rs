// pack_invalid_axis_name: pack patterns are plain names and `*`; no groups, ellipsis or
// numbers.
use einops::pack;
use ndarray::Array2;

fn main() {
    let a = Array2::<f32>::zeros((2, 3));
    let _ = pack!([&a, &a], "b (c) *");
}
