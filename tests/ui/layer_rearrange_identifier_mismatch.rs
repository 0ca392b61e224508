// rearrange_identifier_mismatch: a Rearrange layer's pattern is checked at compile time.
use einops::layers::Rearrange;

fn layer() -> Rearrange {
    Rearrange!("b c h w -> b (c h)")
}

fn main() {}
