// einmix_bias_before_ellipsis (vector einmix.err.bias_before_ellipsis): bias axes go after the output's ellipsis.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a ... b -> a b ...", weight_shape = "b", bias_shape = "b", b = 2)
}

fn main() {}
