// einmix_redundant_weight_axis: a weight axis on neither side of the pattern.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b c w", b = 2, c = 3, w = 4)
}

fn main() {}
