// einmix_weight_size_missing (vector einmix.err.unknown_weight_axis): a weight axis without a length.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b c d e -> e d c b a", weight_shape = "w a b", d = 2, a = 3, b = 1)
}

fn main() {}
