// EinMixSpec! without `weight_shape`.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", b = 2, c = 3)
}

fn main() {}
