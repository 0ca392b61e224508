// einmix_unknown_output_axis: an output axis that is neither an input nor a weight axis.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b -> a d", weight_shape = "b c", b = 2, c = 3)
}

fn main() {}
