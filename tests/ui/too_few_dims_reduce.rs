// too_few_dims: `a b ... -> ...` needs at least 2 dimensions; a 1-d array has only one.
use einops::reduce;
use ndarray::{Array0, Array1};

fn total(x: Array1<f32>) -> Result<Array0<f32>, einops::Error> {
    reduce!(x, "a b ... -> ...", sum)
}

fn main() {}
