// einmix_unused_axis_length: a length for an axis of neither the input nor the weight.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b c", b = 2, c = 3, z = 4)
}

fn main() {}
