// unpack_wrong_ndim: the packed array has one dimension per name plus one for `*`; a
// fixed-rank array of another rank is a compile error.
use einops::{unpack, PackedShapes};
use ndarray::Array2;

fn split(x: Array2<f32>, shapes: &PackedShapes) {
    let _ = unpack!(x, shapes, "b * c");
}

fn main() {}
