// unpack_shapes_rank: shapes from packing `Array1`s describe 1-dimensional arrays, but
// unpacking with two names around `*` makes arrays of at least two dimensions.
use einops::{pack, unpack};
use ndarray::{Array1, Array3};

fn main() {
    let a = Array1::<f32>::zeros(4);
    let (_, shapes) = pack!([&a, &a], "*").unwrap();
    let packed = Array3::<f32>::zeros((2, 8, 3));
    let _ = unpack!(packed, &shapes, "b * c");
}
