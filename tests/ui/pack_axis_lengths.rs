// pack! takes no `name = length` arguments: the names only count dimensions.
use einops::pack;
use ndarray::Array2;

fn main() {
    let a = Array2::<f32>::zeros((2, 3));
    let _ = pack!([&a, &a], "b *", b = 2);
}
