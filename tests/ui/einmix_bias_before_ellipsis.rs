// einmix_bias_before_ellipsis (vector einmix.err.bias_before_ellipsis): bias axes go after the output's ellipsis.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a ... b -> a b ...", weight_shape = "b", bias_shape = "b", b = 2)
}

fn main() {}
