// A repeat view aliases its elements, so it is read-only.
use einops::repeat_view;

fn main() {
    let x = ndarray::Array1::<f32>::zeros(3);
    let view = repeat_view!(&x, "w -> r w", r = 2).unwrap();
    view[[1, 0]] = 1.0;
}
