// einmix_redundant_weight_axis: a weight axis on neither side of the pattern.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b -> a c", weight_shape = "b c w", b = 2, c = 3, w = 4)
}

fn main() {}
