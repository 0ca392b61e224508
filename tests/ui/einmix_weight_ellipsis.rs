// einmix_weight_ellipsis (vector einmix.err.weight_ellipsis): the weight's shape must be fully specified.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b c ...", b = 2, c = 3)
}

fn main() {}
