// A length expression may name the caller's own `RECIPE`: the expansion declares its
// recipe static inside the arm that runs after the arguments are evaluated.
use einops::rearrange;
use ndarray::{Array2, Array3};

static RECIPE: usize = 2;

fn split(x: Array2<f32>) -> Result<Array3<f32>, einops::Error> {
    rearrange!(x, "b (h w) -> b h w", h = RECIPE)
}

fn main() {
    let y = split(Array2::zeros((2, 6))).unwrap();
    assert_eq!(y.shape(), &[2, 2, 3]);
}
