use burn::tensor::Tensor;

fn transpose(x: &Tensor<2>) {
    let _ = einops::rearrange_view!(x, "a b -> b a");
}

fn main() {}
