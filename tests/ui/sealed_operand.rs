// sealed_operand: what the operations accept is sealed too; convert a type of your own to
// an ndarray array (or a view of one) first.
struct Grid(Vec<f32>);

impl<'a> einops::ArrayLike<'a> for &'a Grid {
    type Elem = f32;
    type Dim = ndarray::Ix1;
    fn into_cow(self) -> ndarray::CowArray<'a, f32, ndarray::Ix1> {
        ndarray::ArrayView1::from(&self.0[..]).into()
    }
}

fn main() {}
