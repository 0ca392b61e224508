//! What the macro expansions call: one function per operation, generic over the rank
//! rule the macro chose, taking the call site's `static` recipe (whose address names the
//! site for the memo of walks) and the length values.
//!
//! Not a stable API: reached through `einops::__private`.

use ndarray::{Array, ArrayBase, DataMut, Dimension};

use crate::element::Reducible;
use crate::error::Error;
use crate::input::{ArrayLike, Operand};
use crate::ops::{self, Plan};
use crate::pack::{self, ArrayList, PackedShapes};
use crate::pattern::{PackPlan, Recipe, ShapePlan};
use crate::rank::{ElementRule, OutputFits, RankRule};
use crate::shape::{self, HasShape};

pub use crate::einsum::rank as einsum_rank;
pub use crate::einsum::support::{
    einsum, einsum_broadcast, einsum_into, einsum_operand, einsum_view,
};
pub use crate::einsum::Strided;

/// Output array type of a macro call.
pub type Output<'a, R, I> =
    Array<<I as Operand<'a>>::Elem, <R as RankRule<<I as Operand<'a>>::Dim>>::Output>;

/// `rearrange!` and `repeat!`.
pub fn rearrange<'a, R, I>(
    input: I,
    recipe: &'static Recipe,
    lengths: &[i128],
) -> Result<Output<'a, R, I>, Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    R: RankRule<I::Dim>,
{
    ops::rearrange(input.into_input(), Plan::Site(recipe), lengths)
}

/// `reduce!`; `M` restricts the element type (`mean` needs floats).
pub fn reduce<'a, R, M, I>(
    input: I,
    recipe: &'static Recipe,
    lengths: &[i128],
) -> Result<Output<'a, R, I>, Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
    R: RankRule<I::Dim>,
    M: ElementRule<I::Elem>,
{
    ops::reduce(input.into_input(), Plan::Site(recipe), lengths)
}

/// `rearrange_into!` and `repeat_into!`.
pub fn rearrange_into<'a, R, I, S, O>(
    out: &mut ArrayBase<S, O>,
    input: I,
    recipe: &'static Recipe,
    lengths: &[i128],
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Clone,
    R: RankRule<I::Dim>,
    S: DataMut<Elem = I::Elem>,
    O: Dimension + OutputFits<R::Output>,
{
    ops::rearrange_into(out, input.into_input(), Plan::Site(recipe), lengths)
}

/// `reduce_into!`.
pub fn reduce_into<'a, R, M, I, S, O>(
    out: &mut ArrayBase<S, O>,
    input: I,
    recipe: &'static Recipe,
    lengths: &[i128],
) -> Result<(), Error>
where
    I: Operand<'a>,
    I::Elem: Reducible,
    R: RankRule<I::Dim>,
    M: ElementRule<I::Elem>,
    S: DataMut<Elem = I::Elem>,
    O: Dimension + OutputFits<R::Output>,
{
    ops::reduce_into(out, input.into_input(), Plan::Site(recipe), lengths)
}

/// An integer usable as an axis length (`name = expr`); converted without loss, so a
/// negative or too large value is reported at run time instead of wrapping.
pub trait AxisLength {
    /// The value, saturated to `i128` (which no valid length reaches).
    fn to_i128(self) -> i128;
}

macro_rules! axis_lengths {
    ($($t:ty),*) => {$(
        impl AxisLength for $t {
            fn to_i128(self) -> i128 {
                i128::try_from(self).unwrap_or(i128::MAX)
            }
        }
    )*};
}
axis_lengths!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl<T: AxisLength + Copy> AxisLength for &T {
    fn to_i128(self) -> i128 {
        (*self).to_i128()
    }
}

/// Converts one axis-length argument.
pub fn length(value: impl AxisLength) -> i128 {
    value.to_i128()
}

/// What `pack!` returns: the packed array (dimension type from the rank rule `R`) and the
/// packed shapes (typed by the arrays' dimension type).
pub type Packed<'a, R, L> = (
    Array<<L as ArrayList<'a>>::Elem, <R as RankRule<<L as ArrayList<'a>>::Dim>>::Output>,
    PackedShapes<<L as ArrayList<'a>>::Dim>,
);

/// `pack!`: `R` checks each array's rank and names the packed array's dimension type.
pub fn pack<'a, R, L>(arrays: L, plan: &PackPlan) -> Result<Packed<'a, R, L>, Error>
where
    L: ArrayList<'a>,
    L::Elem: Clone,
    R: RankRule<L::Dim>,
{
    pack::pack(&arrays.into_arrays(), plan)
}

/// `unpack!`: `R` checks the packed array's rank, `S` that the arrays' dimension type `D`
/// has room for the pattern's names.
pub fn unpack<'a, R, S, I, D>(
    packed: I,
    shapes: &PackedShapes<D>,
    plan: &PackPlan,
) -> Result<Vec<Array<I::Elem, D>>, Error>
where
    I: ArrayLike<'a>,
    I::Elem: Clone,
    R: RankRule<I::Dim>,
    S: RankRule<D>,
    D: Dimension,
{
    pack::unpack(packed.into_cow().view().into_dyn(), shapes, plan)
}

/// `parse_shape!` and `check_shape!`: the lengths of the `K` named axes, in pattern order.
pub fn parse_shape<R, I, const K: usize>(
    input: &I,
    plan: &ShapePlan,
    lengths: &[i128],
) -> Result<[usize; K], Error>
where
    I: HasShape + ?Sized,
    R: RankRule<I::Dim>,
{
    let mut out = [0; K];
    shape::parse(plan, input.shape(), lengths, &mut out)?;
    Ok(out)
}
