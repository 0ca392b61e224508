// mean_of_integer: `mean` needs floating-point elements (use `sum`, or convert first).
use einops::reduce;
use ndarray::{Array1, Array2};

fn average_token(ids: Array2<i64>) -> Result<Array1<i64>, einops::Error> {
    reduce!(ids, "b t -> b", mean)
}

fn main() {}
