// einmix_bias_axis_not_in_output (vector einmix.err.bias_not_in_output): the bias has an axis the output lacks.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b -> a c", weight_shape = "b c", bias_shape = "x", b = 2, c = 3)
}

fn main() {}
