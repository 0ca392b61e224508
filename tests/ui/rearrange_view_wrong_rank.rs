// The rank of a fixed-rank input is checked against the pattern, as for `rearrange!`.
use einops::rearrange_view;

fn main() {
    let x = ndarray::Array2::<f32>::zeros((2, 3));
    let _ = rearrange_view!(&x, "b h w -> b (h w)");
}
