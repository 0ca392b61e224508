// arrow_missing (vector einmix.err.no_arrow): EinMix patterns need `->`.
use einops::layers::EinMixSpec;

fn layer() -> EinMixSpec {
    EinMixSpec!("a b", weight_shape = "b", b = 2)
}

fn main() {}
