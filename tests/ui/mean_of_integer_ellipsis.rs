// mean_of_integer: also when only the axes of an ellipsis are reduced.
use einops::reduce;
use ndarray::{Array1, Array3};

fn per_batch(x: Array3<u8>) -> Result<Array1<u8>, einops::Error> {
    reduce!(x, "b ... -> b", mean)
}

fn main() {}
