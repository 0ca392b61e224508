// einmix_weight_parentheses: the weight's axes are not grouped.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "(b c)", b = 2, c = 3)
}

fn main() {}
