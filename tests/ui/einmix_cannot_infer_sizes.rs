// cannot_infer_sizes: the input group cannot be split without one of its lengths.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("(a x) b -> a c", weight_shape = "b c", b = 2, c = 3)
}

fn main() {}
