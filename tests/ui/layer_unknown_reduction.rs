// unknown_reduction: a Reduce layer's reduction is checked at compile time.
use einops::layers::Reduce;

fn layer() -> Reduce {
    Reduce!("b c h w -> b c", avg)
}

fn main() {}
