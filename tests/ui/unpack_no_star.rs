// unpack_no_star: unpack patterns follow the pack rules.
use einops::{pack, unpack};
use ndarray::Array2;

fn main() {
    let a = Array2::<f32>::zeros((2, 3));
    let (packed, shapes) = pack!([&a, &a], "b *").unwrap();
    let _ = unpack!(packed, &shapes, "b c");
}
