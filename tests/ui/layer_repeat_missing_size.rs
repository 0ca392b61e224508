// repeat_missing_size: a Repeat layer needs the length of each new axis.
use einops::layers::Repeat;

fn layer() -> Repeat {
    Repeat!("h w -> h w c")
}

fn main() {}
