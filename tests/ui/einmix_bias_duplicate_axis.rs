// duplicate_axis (vector einmix.err.bias_duplicate): the bias names an axis twice.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b c", bias_shape = "c c", b = 2, c = 3)
}

fn main() {}
