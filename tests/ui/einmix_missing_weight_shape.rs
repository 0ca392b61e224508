// EinMix! without `weight_shape`.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b -> a c", b = 2, c = 3)
}

fn main() {}
