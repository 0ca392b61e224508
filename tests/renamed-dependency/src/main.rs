//! Uses the macros through `my_einops`, the facade under another name; `einops` does not
//! resolve here, so an expansion naming `einops` or `::einops` would not compile.

use my_einops::{einsum, rearrange, reduce, repeat};
use ndarray::{Array1, Array2, Array3};

fn main() -> Result<(), my_einops::Error> {
    let x = Array2::from_shape_vec((2, 6), (0..12).collect::<Vec<u32>>()).unwrap();
    let y: Array3<u32> = rearrange!(&x, "b (h w) -> b h w", h = 2)?;
    assert_eq!(y[[1, 1, 2]], 11);
    let s: Array1<u32> = reduce!(&x, "b f -> b", sum)?;
    assert_eq!(s.to_vec(), [15, 51]);
    let g: Array2<u32> = einsum!(&x, &x, "b f, c f -> b c")?;
    assert_eq!(g[[0, 1]], 145);
    let r: Array3<u32> = repeat!(x, "b f -> b f c", c = 2)?;
    assert_eq!(r.shape(), &[2, 6, 2]);
    let e: my_einops::Error = rearrange!(&y, "b h w -> b (h w)", h = 3).unwrap_err();
    assert_eq!(e.stage(), my_einops::Stage::Shape);
    let d = my_einops::dynamic::rearrange(&y, "b h w -> b (h w)", &[])?;
    assert_eq!(d.shape(), &[2, 6]);
    let flatten = my_einops::layers::Rearrange!("b h w -> b (h w)");
    assert_eq!(flatten.forward(&y)?.shape(), &[2, 6]);
    let mix = my_einops::EinMixSpec!("b (h w) -> b o", weight_shape = "w o", h = 2, w = 3, o = 4)
        .seeded::<f32>(0)?;
    assert_eq!(mix.forward(&Array2::<f32>::ones((2, 6)))?.shape(), &[2, 4]);
    println!("renamed dependency ok");
    Ok(())
}
