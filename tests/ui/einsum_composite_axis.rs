// einsum_composite_axis: a group needs the lengths of all but one of its axes
// (`h = 8`), unless another operand uses them alone.
use einops::einsum;
use ndarray::Array2;

fn project(x: Array2<f32>, w: Array2<f32>) -> Result<Array2<f32>, einops::Error> {
    einsum!(x, w, "b (h d), (h d) e -> b e")
}

fn main() {}
