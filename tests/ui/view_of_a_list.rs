// A list of arrays has no view: the view forms take a reference to one array.
use einops::rearrange_view;

fn main() {
    let parts = vec![ndarray::Array2::<f32>::zeros((2, 3))];
    let _ = rearrange_view!(&parts, "b h w -> h (b w)");
}
