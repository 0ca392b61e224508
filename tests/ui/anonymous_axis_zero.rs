// anonymous_axis_zero: an anonymous axis (a number) must have a positive length.
use einops::reduce;
use ndarray::Array4;

fn max_pool(x: Array4<f32>) -> Result<Array4<f32>, einops::Error> {
    reduce!(x, "b c (h 0) (w 2) -> b c h w", max)
}

fn main() {}
