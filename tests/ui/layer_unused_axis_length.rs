// unused_axis_length: a Rearrange layer's length names are checked at compile time.
use einops::layers::Rearrange;

fn layer() -> Rearrange {
    Rearrange!("b (h w) -> b h w", h = 2, k = 3)
}

fn main() {}
