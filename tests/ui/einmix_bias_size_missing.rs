// einmix_bias_size_missing: a bias axis without a length.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b c", bias_shape = "a", b = 2, c = 3)
}

fn main() {}
