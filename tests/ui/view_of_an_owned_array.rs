// A view borrows: the view forms take `&x`, not `x` by value.
use einops::rearrange_view;

fn main() {
    let x = ndarray::Array2::<f32>::zeros((2, 3));
    let _ = rearrange_view!(x, "h w -> w h");
}
