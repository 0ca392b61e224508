// einmix_unknown_output_axis: an output axis that is neither an input nor a weight axis.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a d", weight_shape = "b c", b = 2, c = 3)
}

fn main() {}
