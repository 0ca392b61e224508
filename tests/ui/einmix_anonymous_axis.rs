// einmix_anonymous_axis: numbers are not axes of an EinMix.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b 3 c", b = 2, c = 3)
}

fn main() {}
