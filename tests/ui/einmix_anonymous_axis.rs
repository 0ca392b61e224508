// einmix_anonymous_axis: numbers are not axes of an EinMix.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b -> a c", weight_shape = "b 3 c", b = 2, c = 3)
}

fn main() {}
