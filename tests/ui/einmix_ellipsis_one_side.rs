// einmix_ellipsis_one_side: `...` on the left only.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a ... b -> a c", weight_shape = "b c", b = 2, c = 3)
}

fn main() {}
