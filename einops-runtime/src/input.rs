//! What the operations accept as input: one array in any of ndarray's forms, or a list
//! of arrays that is stacked along a new first axis.

use ndarray::{
    ArcArray, Array, ArrayBase, ArrayView, ArrayViewMut, CowArray, Data, Dimension, IxDyn, RawData,
};

use crate::sealed::{Array as Arrays, Sealed};

/// Names and values of axis lengths given at run time, e.g. `&[("h", 2), ("w", 2)]`.
///
/// ```
/// let lengths: einops::dynamic::Lengths<'_> = &[("h", 2)];
/// let x = ndarray::Array2::<u8>::zeros((3, 8));
/// let y = einops::dynamic::rearrange(&x, "b (h w) -> b h w", lengths).unwrap();
/// assert_eq!(y.shape(), [3, 2, 4]);
/// ```
pub type Lengths<'l> = &'l [(&'l str, usize)];

/// An input as the operations see it.
pub enum Input<'a, A, D: Dimension> {
    /// One array; owned when it was passed by value, so its buffer can be reused.
    Single(CowArray<'a, A, D>),
    /// Arrays to stack along a new first axis (`D` is then the stacked dimension type).
    List(Vec<CowArray<'a, A, IxDyn>>),
}

/// A value an einops operation accepts as its input.
///
/// Implemented for every array form (`Array` and `ArcArray` by value, views, `CowArray`,
/// `&ArrayBase` of any storage) and for lists of them (`[T; N]`, `Vec<T>`, `&[T]`,
/// `&Vec<T>`), which are stacked along a new first axis.
///
/// ```
/// use einops::{dynamic, Operand};
/// let parts = vec![ndarray::arr1(&[1, 2]), ndarray::arr1(&[3, 4])];
/// let stacked = dynamic::rearrange(&parts[..], "f c -> c f", &[]).unwrap();
/// assert_eq!(stacked, ndarray::arr2(&[[1, 3], [2, 4]]).into_dyn());
/// ```
pub trait Operand<'a>: Sealed<Arrays> {
    /// The element type.
    type Elem: 'a;
    /// The dimension type of the array the pattern describes (one more for a list).
    type Dim: Dimension;
    /// Converts into the form the operations work on.
    fn into_input(self) -> Input<'a, Self::Elem, Self::Dim>;
}

/// One array of any form: the single inputs and the elements of list inputs.
pub trait ArrayLike<'a>: Sealed<Arrays> {
    /// The element type.
    type Elem: 'a;
    /// The dimension type.
    type Dim: Dimension;
    /// A borrowed or owned array with the same elements.
    fn into_cow(self) -> CowArray<'a, Self::Elem, Self::Dim>;
}

impl<S: RawData, D> Sealed<Arrays> for ArrayBase<S, D> {}
impl<S: RawData, D> Sealed<Arrays> for &ArrayBase<S, D> {}
impl<T, const N: usize> Sealed<Arrays> for [T; N] {}
impl<T> Sealed<Arrays> for Vec<T> {}
impl<T> Sealed<Arrays> for &[T] {}
impl<T> Sealed<Arrays> for &Vec<T> {}
impl<T, const N: usize> Sealed<Arrays> for &[T; N] {}

impl<'a, A: 'a, D: Dimension> ArrayLike<'a> for Array<A, D> {
    type Elem = A;
    type Dim = D;
    fn into_cow(self) -> CowArray<'a, A, D> {
        self.into()
    }
}

impl<'a, A: Clone + 'a, D: Dimension> ArrayLike<'a> for ArcArray<A, D> {
    type Elem = A;
    type Dim = D;
    fn into_cow(self) -> CowArray<'a, A, D> {
        // Unwraps without copying when this is the only reference.
        self.into_owned().into()
    }
}

impl<'a, A, D: Dimension> ArrayLike<'a> for ArrayView<'a, A, D> {
    type Elem = A;
    type Dim = D;
    fn into_cow(self) -> CowArray<'a, A, D> {
        self.into()
    }
}

impl<'a, A, D: Dimension> ArrayLike<'a> for ArrayViewMut<'a, A, D> {
    type Elem = A;
    type Dim = D;
    fn into_cow(self) -> CowArray<'a, A, D> {
        let raw = self.raw_view();
        // SAFETY: `self` is the unique borrow of these elements for `'a` and is consumed
        // here, so a shared view for `'a` aliases no live mutable access.
        unsafe { raw.deref_into_view() }.into()
    }
}

impl<'a, A, D: Dimension> ArrayLike<'a> for CowArray<'a, A, D> {
    type Elem = A;
    type Dim = D;
    fn into_cow(self) -> CowArray<'a, A, D> {
        self
    }
}

impl<'a, A: 'a, S: Data<Elem = A>, D: Dimension> ArrayLike<'a> for &'a ArrayBase<S, D> {
    type Elem = A;
    type Dim = D;
    fn into_cow(self) -> CowArray<'a, A, D> {
        self.view().into()
    }
}

impl<'a, T: ArrayLike<'a>> Operand<'a> for T {
    type Elem = T::Elem;
    type Dim = T::Dim;
    fn into_input(self) -> Input<'a, T::Elem, T::Dim> {
        Input::Single(self.into_cow())
    }
}

fn list<'a, T: ArrayLike<'a>>(
    items: impl IntoIterator<Item = T>,
) -> Vec<CowArray<'a, T::Elem, IxDyn>> {
    items
        .into_iter()
        .map(|item| item.into_cow().into_dyn())
        .collect()
}

impl<'a, T: ArrayLike<'a>, const N: usize> Operand<'a> for [T; N] {
    type Elem = T::Elem;
    type Dim = <T::Dim as Dimension>::Larger;
    fn into_input(self) -> Input<'a, T::Elem, Self::Dim> {
        Input::List(list(self))
    }
}

impl<'a, T: ArrayLike<'a>> Operand<'a> for Vec<T> {
    type Elem = T::Elem;
    type Dim = <T::Dim as Dimension>::Larger;
    fn into_input(self) -> Input<'a, T::Elem, Self::Dim> {
        Input::List(list(self))
    }
}

impl<'a, T> Operand<'a> for &'a [T]
where
    &'a T: ArrayLike<'a>,
{
    type Elem = <&'a T as ArrayLike<'a>>::Elem;
    type Dim = <<&'a T as ArrayLike<'a>>::Dim as Dimension>::Larger;
    fn into_input(self) -> Input<'a, Self::Elem, Self::Dim> {
        Input::List(list(self))
    }
}

impl<'a, T> Operand<'a> for &'a Vec<T>
where
    &'a T: ArrayLike<'a>,
{
    type Elem = <&'a T as ArrayLike<'a>>::Elem;
    type Dim = <<&'a T as ArrayLike<'a>>::Dim as Dimension>::Larger;
    fn into_input(self) -> Input<'a, Self::Elem, Self::Dim> {
        self.as_slice().into_input()
    }
}

impl<'a, T, const N: usize> Operand<'a> for &'a [T; N]
where
    &'a T: ArrayLike<'a>,
{
    type Elem = <&'a T as ArrayLike<'a>>::Elem;
    type Dim = <<&'a T as ArrayLike<'a>>::Dim as Dimension>::Larger;
    fn into_input(self) -> Input<'a, Self::Elem, Self::Dim> {
        self.as_slice().into_input()
    }
}
