// pack_duplicate_axes: a pack pattern has names and exactly one `*`; a second `*` (or a
// repeated name) is a compile error.
use einops::pack;
use ndarray::Array3;

fn main() {
    let a = Array3::<f32>::zeros((2, 3, 4));
    let _ = pack!([&a, &a], "b * * c");
}
