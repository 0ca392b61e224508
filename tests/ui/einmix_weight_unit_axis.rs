// einmix_weight_unit_axis: every weight axis needs a name (einops crashes on `1`).
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b -> a c", weight_shape = "b 1 c", b = 2, c = 3)
}

fn main() {}
