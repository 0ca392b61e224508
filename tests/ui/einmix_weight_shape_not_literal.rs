// `weight_shape` must be a literal, checked at compile time.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    let axes = "b c";
    EinMixSpec!("a b -> a c", weight_shape = axes, b = 2, c = 3)
}

fn main() {}
