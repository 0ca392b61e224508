// The borrow checker is part of the contract: `x` cannot change while a view of it lives.
use einops::rearrange_view;

fn main() {
    let mut x = ndarray::Array2::<f32>::zeros((2, 3));
    let view = rearrange_view!(&x, "h w -> w h").unwrap();
    x[[0, 0]] = 1.0;
    println!("{}", view[[0, 0]]);
}
