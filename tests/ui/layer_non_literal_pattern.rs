// A layer's pattern must be a literal (for a pattern known at run time: `Rearrange::new`).
use einops::layers::Rearrange;

fn layer(pattern: &str) -> Rearrange {
    Rearrange!(pattern)
}

fn main() {}
