// einmix_ellipsis_parenthesized_left: `...` in a group on the left.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("(a ...) b -> a ... c", weight_shape = "b c", b = 2, c = 3)
}

fn main() {}
