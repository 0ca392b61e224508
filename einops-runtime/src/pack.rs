//! pack and unpack: concatenate arrays along the dimensions `*` stands for, and split
//! them apart again.
//!
//! With `b` names before `*` and `a` after, every array has the same first `b` and last
//! `a` dimensions; the dimensions in between (any number, possibly none) are flattened
//! row-major into one and concatenated. [`PackedShapes`] records them so `unpack`
//! can restore each array.
//!
//! Both directions copy each element once, as runs of `(dimensions of *) × (trailing
//! dimensions)` elements: for standard-layout arrays these are contiguous slices. An input
//! that is not in standard layout is first copied into standard layout.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use ndarray::{Array, ArrayView, CowArray, Dimension, IxDyn};

use crate::error::{Call, CallOperation, Error, PartialShape, Quantity, SplitFailure};
use crate::input::ArrayLike;
use crate::kernel;
use crate::pattern::{Dims, PackOperation, PackPlan};
use crate::sealed::{Array as Arrays, Sealed};

/// The shape of one packed array: the dimensions `*` stood for.
///
/// A dimension may be unknown (`None`, einops' `-1`), to be inferred by `unpack` from
/// the packed length; at most one shape of a [`PackedShapes`] may contain unknowns.
///
/// ```
/// use einops::PackedShape;
/// let known = PackedShape::from([2, 3]);
/// assert_eq!(known.dims(), [Some(2), Some(3)]);
/// assert_eq!(known.size(), Some(6));
/// let rest = PackedShape::unknown();              // einops `[-1]`
/// assert_eq!(rest.size(), None);
/// let rows = PackedShape::from(vec![Some(2), None]); // einops `[2, -1]`
/// assert_eq!(rows.to_string(), "[2, ?]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PackedShape(Vec<Option<usize>>);

impl PackedShape {
    /// One dimension of unknown length: the segment takes whatever the other shapes
    /// leave (einops' `[-1]`).
    pub fn unknown() -> PackedShape {
        PackedShape(vec![None])
    }

    /// The dimensions; `None` is unknown.
    pub fn dims(&self) -> &[Option<usize>] {
        &self.0
    }

    /// The number of elements, `None` when a dimension is unknown (or the product
    /// overflows `usize`).
    pub fn size(&self) -> Option<usize> {
        let dims: Option<Vec<usize>> = self.0.iter().copied().collect();
        checked_product(&dims?)
    }
}

impl From<Vec<Option<usize>>> for PackedShape {
    fn from(dims: Vec<Option<usize>>) -> Self {
        PackedShape(dims)
    }
}

impl From<&[usize]> for PackedShape {
    fn from(dims: &[usize]) -> Self {
        PackedShape(dims.iter().copied().map(Some).collect())
    }
}

impl From<Vec<usize>> for PackedShape {
    fn from(dims: Vec<usize>) -> Self {
        PackedShape::from(&dims[..])
    }
}

impl<const N: usize> From<[usize; N]> for PackedShape {
    fn from(dims: [usize; N]) -> Self {
        PackedShape::from(&dims[..])
    }
}

impl fmt::Display for PackedShape {
    /// `[2, 3]`, with `?` for an unknown dimension.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        PartialShape(&self.0).fmt(f)
    }
}

/// What `pack` returns besides the packed array and `unpack` takes: one [`PackedShape`]
/// per array, in order.
///
/// `D` is the dimension type of the packed arrays. `pack!` of fixed-rank arrays (all
/// `Array3`, say) gives `PackedShapes<Ix3>`, and `unpack!` with it returns `Array3`s
/// again; hand-built shapes and `einops::dynamic` use `IxDyn`. It dereferences to a
/// slice of shapes.
///
/// ```
/// use einops::{PackedShape, PackedShapes};
/// // einops: [[2, 3], [-1]]
/// let shapes = PackedShapes::new([PackedShape::from([2, 3]), PackedShape::unknown()]);
/// assert_eq!(shapes.len(), 2);
/// assert_eq!(shapes.to_string(), "[[2, 3], [?]]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedShapes<D = IxDyn> {
    shapes: Vec<PackedShape>,
    dim: PhantomData<D>,
}

impl PackedShapes<IxDyn> {
    /// Packed shapes built by hand, for `unpack` into `IxDyn` arrays.
    pub fn new(shapes: impl IntoIterator<Item = PackedShape>) -> Self {
        PackedShapes::with_dim(shapes.into_iter().collect())
    }
}

impl<D> PackedShapes<D> {
    fn with_dim(shapes: Vec<PackedShape>) -> Self {
        PackedShapes {
            shapes,
            dim: PhantomData,
        }
    }

    /// The same shapes, typed for arrays or tensors of dimension type `E`.
    #[cfg(feature = "burn")]
    pub(crate) fn retyped<E>(self) -> PackedShapes<E> {
        PackedShapes::with_dim(self.shapes)
    }

    /// The same shapes, for `unpack` into `IxDyn` arrays.
    ///
    /// ```
    /// let x = ndarray::Array2::<f32>::zeros((2, 3));
    /// let (_, shapes) = einops::dynamic::pack(&[x.view()], "a *").unwrap();
    /// let shapes: einops::PackedShapes = shapes.into_dyn();
    /// assert_eq!(shapes[0].dims(), [Some(3)]);
    /// ```
    pub fn into_dyn(self) -> PackedShapes<IxDyn> {
        PackedShapes::with_dim(self.shapes)
    }
}

impl<D> Deref for PackedShapes<D> {
    type Target = [PackedShape];
    fn deref(&self) -> &[PackedShape] {
        &self.shapes
    }
}

impl FromIterator<PackedShape> for PackedShapes<IxDyn> {
    fn from_iter<T: IntoIterator<Item = PackedShape>>(shapes: T) -> Self {
        PackedShapes::new(shapes)
    }
}

impl<D> fmt::Display for PackedShapes<D> {
    /// `[[2, 3], [?]]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, shape) in self.shapes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{shape}")?;
        }
        f.write_str("]")
    }
}

/// A list of arrays, as `pack` takes it: an array literal `[a, b]`, a `Vec`, a slice, or
/// a reference to an array or `Vec`, of any array form (`Array`, views, `&Array`, ...).
///
/// Unlike a list input of `rearrange!`, the arrays keep their own dimension type `Dim`.
///
/// ```
/// use einops::{dynamic, ArrayList};
/// let parts = vec![ndarray::arr1(&[1, 2]), ndarray::arr1(&[3])];
/// let (packed, _) = dynamic::pack(&parts, "*").unwrap();
/// assert_eq!(packed, ndarray::arr1(&[1, 2, 3]).into_dyn());
/// ```
pub trait ArrayList<'a>: Sealed<Arrays> {
    /// The element type.
    type Elem: 'a;
    /// The dimension type of each array.
    type Dim: Dimension;
    /// The arrays, borrowed or owned.
    fn into_arrays(self) -> Vec<CowArray<'a, Self::Elem, Self::Dim>>;
}

impl<'a, T: ArrayLike<'a>, const N: usize> ArrayList<'a> for [T; N] {
    type Elem = T::Elem;
    type Dim = T::Dim;
    fn into_arrays(self) -> Vec<CowArray<'a, T::Elem, T::Dim>> {
        self.into_iter().map(ArrayLike::into_cow).collect()
    }
}

impl<'a, T: ArrayLike<'a>> ArrayList<'a> for Vec<T> {
    type Elem = T::Elem;
    type Dim = T::Dim;
    fn into_arrays(self) -> Vec<CowArray<'a, T::Elem, T::Dim>> {
        self.into_iter().map(ArrayLike::into_cow).collect()
    }
}

impl<'a, T> ArrayList<'a> for &'a [T]
where
    &'a T: ArrayLike<'a>,
{
    type Elem = <&'a T as ArrayLike<'a>>::Elem;
    type Dim = <&'a T as ArrayLike<'a>>::Dim;
    fn into_arrays(self) -> Vec<CowArray<'a, Self::Elem, Self::Dim>> {
        self.iter().map(ArrayLike::into_cow).collect()
    }
}

impl<'a, T> ArrayList<'a> for &'a Vec<T>
where
    &'a T: ArrayLike<'a>,
{
    type Elem = <&'a T as ArrayLike<'a>>::Elem;
    type Dim = <&'a T as ArrayLike<'a>>::Dim;
    fn into_arrays(self) -> Vec<CowArray<'a, Self::Elem, Self::Dim>> {
        self.as_slice().into_arrays()
    }
}

impl<'a, T, const N: usize> ArrayList<'a> for &'a [T; N]
where
    &'a T: ArrayLike<'a>,
{
    type Elem = <&'a T as ArrayLike<'a>>::Elem;
    type Dim = <&'a T as ArrayLike<'a>>::Dim;
    fn into_arrays(self) -> Vec<CowArray<'a, Self::Elem, Self::Dim>> {
        self.as_slice().into_arrays()
    }
}

/// Where the arrays of a `pack` go: the dimensions before and after `*` (shared by every
/// array), each array's `*` dimensions, and the length of the packed dimension.
pub(crate) struct PackLayout<'s> {
    /// The dimensions before `*`.
    pub lead: &'s [usize],
    /// The dimensions after `*`.
    pub trail: &'s [usize],
    /// Each array's dimensions in place of `*`.
    pub mids: Vec<&'s [usize]>,
    /// The packed dimension's length: the sum of the products of `mids`.
    pub packed_len: usize,
}

impl PackLayout<'_> {
    /// The packed array's shape.
    pub fn shape(&self) -> Vec<usize> {
        let packed = [self.packed_len];
        self.lead
            .iter()
            .chain(&packed)
            .chain(self.trail)
            .copied()
            .collect()
    }

    /// The shapes [`unpack`] needs to split the packed array again.
    pub fn shapes<D>(&self) -> PackedShapes<D> {
        PackedShapes::with_dim(
            self.mids
                .iter()
                .map(|mid| PackedShape::from(*mid))
                .collect(),
        )
    }
}

/// Checks the shapes of the arrays to pack against `plan` and lays them out.
pub(crate) fn pack_layout<'s>(
    shapes: &[&'s [usize]],
    plan: &PackPlan,
) -> Result<PackLayout<'s>, Error> {
    let call = || {
        let shapes = shapes.iter().map(|s| s.to_vec()).collect();
        let operation = CallOperation::Pack(PackOperation::Pack);
        Call::boxed(operation, &plan.pattern, shapes, Vec::new())
    };
    let Some(&first) = shapes.first() else {
        return Err(Error::EmptyList { call: call() });
    };
    let (before, after) = (plan.before.len(), plan.after.len());
    for (index, shape) in shapes.iter().enumerate() {
        if shape.len() < plan.named() {
            return Err(Error::PackRank {
                call: call(),
                index,
                shape: shape.to_vec(),
                expected: plan.named(),
            });
        }
    }
    let lead = &first[..before];
    let trail = &first[first.len() - after..];
    for (index, shape) in shapes.iter().enumerate().skip(1) {
        let outer = shape[..before].iter().chain(&shape[shape.len() - after..]);
        let first_outer = lead.iter().chain(trail);
        let names = plan.before.iter().chain(plan.after.iter());
        if let Some(((&actual, &expected), axis)) =
            outer.zip(first_outer).zip(names).find(|((a, e), _)| a != e)
        {
            return Err(Error::PackShapesDiffer {
                call: call(),
                axis: axis.to_string(),
                index,
                actual,
                expected,
            });
        }
    }
    let mids: Vec<&[usize]> = shapes
        .iter()
        .map(|shape| &shape[before..shape.len() - after])
        .collect();
    let packed_len = mids
        .iter()
        .try_fold(0usize, |sum, mid| sum.checked_add(product(mid)));
    let total =
        packed_len.and_then(|len| len.checked_mul(product(lead))?.checked_mul(product(trail)));
    let (Some(packed_len), Some(_)) = (packed_len, total) else {
        return Err(Error::Overflow {
            call: call(),
            quantity: Quantity::PackedArray,
        });
    };
    Ok(PackLayout {
        lead,
        trail,
        mids,
        packed_len,
    })
}

/// Packs `arrays` along the dimensions `*` stands for; `O` is the packed array's
/// dimension type (its rank is the pattern's names plus one).
pub(crate) fn pack<A: Clone, D: Dimension, O: Dimension>(
    arrays: &[CowArray<'_, A, D>],
    plan: &PackPlan,
) -> Result<(Array<A, O>, PackedShapes<D>), Error> {
    let shapes: Vec<&[usize]> = arrays.iter().map(|array| array.shape()).collect();
    let layout = pack_layout(&shapes, plan)?;
    let inner = product(layout.trail);
    // In standard layout, each array is one run of (its `*` dimensions × trailing
    // dimensions) elements per position of the leading dimensions; the packed array is
    // those runs interleaved.
    let runs: Vec<usize> = layout.mids.iter().map(|mid| product(mid) * inner).collect();
    let contiguous: Vec<CowArray<'_, A, D>> =
        arrays.iter().map(|a| a.as_standard_layout()).collect();
    let slices: Vec<&[A]> = contiguous
        .iter()
        .map(|a| a.as_slice().expect("standard layout"))
        .collect();
    let shape = layout.shape();
    let mut values = Vec::with_capacity(product(&shape));
    for row in 0..product(layout.lead) {
        for (slice, &run) in slices.iter().zip(&runs) {
            kernel::extend_from_slice(&mut values, &slice[row * run..(row + 1) * run]);
        }
    }
    let packed = Array::from_shape_vec(dim::<O>(&shape), values)
        .expect("the runs fill the packed shape exactly");
    Ok((packed, layout.shapes()))
}

/// Checks a packed array's shape and the packed shapes against `plan`, and returns each
/// output's dimensions in place of `*` (an unknown one inferred). `rank` is the outputs'
/// rank when their dimension type fixes it.
pub(crate) fn unpack_layout(
    packed: &[usize],
    shapes: &[PackedShape],
    plan: &PackPlan,
    rank: Option<usize>,
) -> Result<Vec<Vec<usize>>, Error> {
    let call = || {
        let operation = CallOperation::Pack(PackOperation::Unpack);
        Call::boxed(operation, &plan.pattern, vec![packed.to_vec()], Vec::new())
    };
    let partial = || shapes.iter().map(|s| s.0.to_vec()).collect();
    let named = plan.named();
    if packed.len() != named + 1 {
        return Err(Error::Rank {
            call: call(),
            expected: Dims::Exactly(named + 1),
            actual: packed.len(),
        });
    }
    if let Some(expected) = rank {
        let wrong = |(_, s): &(usize, &PackedShape)| named + s.dims().len() != expected;
        if let Some((index, shape)) = shapes.iter().enumerate().find(wrong) {
            return Err(Error::UnpackOutputRank {
                call: call(),
                index,
                shape: shape.0.to_vec(),
                actual: named + shape.dims().len(),
                expected,
            });
        }
    }
    if shapes.iter().filter(|s| s.dims().contains(&None)).count() > 1 {
        return Err(Error::UnpackUnknowns {
            call: call(),
            shapes: partial(),
        });
    }
    let axis = plan.before.len();
    let length = packed[axis];
    resolve(shapes, length).map_err(|reason| Error::UnpackSplit {
        call: call(),
        dim: axis,
        length,
        shapes: partial(),
        reason,
    })
}

/// Unpacks `packed` into one array per shape; `D` is the arrays' dimension type.
pub(crate) fn unpack<A: Clone, D: Dimension>(
    packed: ArrayView<'_, A, IxDyn>,
    shapes: &[PackedShape],
    plan: &PackPlan,
) -> Result<Vec<Array<A, D>>, Error> {
    let mids = unpack_layout(packed.shape(), shapes, plan, D::NDIM)?;
    // The runs of each output, as in `pack`, taken from each row of the packed array.
    let axis = plan.before.len();
    let length = packed.shape()[axis];
    let (lead, rest) = packed.shape().split_at(axis);
    let trail = &rest[1..];
    let contiguous = packed.as_standard_layout();
    let values = contiguous.as_slice().expect("standard layout");
    let inner = product(trail);
    let row = length * inner;
    let mut start = 0;
    let mut outputs = Vec::with_capacity(shapes.len());
    for mid in &mids {
        let run = product(mid) * inner;
        let mut out = Vec::with_capacity(run * product(lead));
        for r in 0..product(lead) {
            let from = r * row + start;
            kernel::extend_from_slice(&mut out, &values[from..from + run]);
        }
        start += run;
        let shape: Vec<usize> = lead.iter().chain(mid).chain(trail).copied().collect();
        let array = Array::from_shape_vec(dim::<D>(&shape), out)
            .expect("each run fills its output exactly");
        outputs.push(array);
    }
    Ok(outputs)
}

/// The packed shapes with their unknown dimension inferred, checked to add up to
/// `length`; `Err` says what does not fit.
fn resolve(shapes: &[PackedShape], length: usize) -> Result<Vec<Vec<usize>>, SplitFailure> {
    let mut known = 0usize;
    for shape in shapes.iter().filter(|s| !s.dims().contains(&None)) {
        known = shape
            .size()
            .and_then(|size| known.checked_add(size))
            .ok_or(SplitFailure::Overflow)?;
    }
    let Some(unknown) = shapes.iter().position(|s| s.dims().contains(&None)) else {
        return if known == length {
            Ok(shapes.iter().map(known_dims).collect())
        } else {
            Err(SplitFailure::Total { elements: known })
        };
    };
    let Some(remaining) = length.checked_sub(known) else {
        return Err(SplitFailure::KnownTotal { elements: known });
    };
    let shape = &shapes[unknown];
    let holes = shape.dims().iter().filter(|d| d.is_none()).count();
    let known_part: Vec<usize> = shape.dims().iter().flatten().copied().collect();
    let others = checked_product(&known_part).unwrap_or(0);
    if holes > 1 || others == 0 || remaining % others != 0 {
        return Err(SplitFailure::Remainder {
            elements: remaining,
            shape: shape.0.to_vec(),
        });
    }
    let filled = PackedShape(
        shape
            .dims()
            .iter()
            .map(|d| Some(d.unwrap_or(remaining / others)))
            .collect(),
    );
    let mut dims: Vec<Vec<usize>> = shapes.iter().map(known_dims).collect();
    dims[unknown] = known_dims(&filled);
    Ok(dims)
}

/// The dimensions of a shape known to have no unknown one (unknowns read as 0).
fn known_dims(shape: &PackedShape) -> Vec<usize> {
    shape.dims().iter().map(|d| d.unwrap_or(0)).collect()
}

/// Product of lengths, zero if one is zero (even when the others would overflow).
fn checked_product(lengths: &[usize]) -> Option<usize> {
    if lengths.contains(&0) {
        return Some(0);
    }
    lengths
        .iter()
        .try_fold(1usize, |p, &len| p.checked_mul(len))
}

/// Product of lengths of an existing array (or of shapes checked against one), which
/// ndarray keeps within `isize::MAX` unless one is zero.
pub(crate) fn product(lengths: &[usize]) -> usize {
    checked_product(lengths).expect("lengths of an array have a product that fits usize")
}

/// A dimension value of type `O` with `shape`, whose length must be `O`'s rank.
fn dim<O: Dimension>(shape: &[usize]) -> O {
    let mut dim = O::zeros(shape.len());
    dim.slice_mut().copy_from_slice(shape);
    dim
}
