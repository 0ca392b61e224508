// einmix_weight_unit_axis: every weight axis needs a name (einops crashes on `1`).
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b 1 c", b = 2, c = 3)
}

fn main() {}
