// einsum_unit_axis: einsum has no unit axes `()` or `1` (as in Python einops).
use einops::einsum;
use ndarray::{Array2, Array3};

fn squeeze(x: Array3<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(x, "b () c -> b c")
}

fn main() {}
