use burn::tensor::{Int, Tensor};

fn average(x: Tensor<2, Int>) -> Result<Tensor<1, Int>, einops::Error> {
    einops::reduce!(x, "a b -> a", mean)
}

fn main() {}
