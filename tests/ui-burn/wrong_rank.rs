use burn::tensor::Tensor;

fn flip(x: Tensor<4>) -> Result<Tensor<3>, einops::Error> {
    einops::rearrange!(&x, "a b c -> c b a")
}

fn main() {}
