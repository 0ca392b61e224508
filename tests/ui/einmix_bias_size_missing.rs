// einmix_bias_size_missing: a bias axis without a length.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b -> a c", weight_shape = "b c", bias_shape = "a", b = 2, c = 3)
}

fn main() {}
