// arrow_missing (vector einmix.err.no_arrow): EinMix patterns need `->`.
use einops::layers::{EinMix, EinMixSpec};

fn layer() -> EinMixSpec {
    EinMix!("a b", weight_shape = "b", b = 2)
}

fn main() {}
