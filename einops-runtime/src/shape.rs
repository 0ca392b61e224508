//! parse_shape and check_shape: read named lengths off an array's shape, checking the
//! rank, the lengths the pattern writes (`1`, `()`, numbers) and the given ones.

use std::ops::Deref;

use ndarray::{ArrayBase, Dimension, RawData};

use crate::error::{Call, CallOperation, Error};
use crate::pattern::{ShapeDim, ShapePlan};
use crate::sealed::{Sealed, Shape};

/// Anything with an ndarray shape: every array form, and references to them.
///
/// `parse_shape` and `check_shape` only read the shape, so they take their input by
/// reference and never consume it.
///
/// ```
/// use einops::HasShape;
/// let x = ndarray::Array3::<u8>::zeros((2, 3, 4));
/// assert_eq!((&x.view()).shape(), [2, 3, 4]);
/// ```
pub trait HasShape: Sealed<Shape> {
    /// The dimension type, for compile-time rank checks.
    type Dim: Dimension;
    /// The lengths, borrowed from types that store them (arrays), owned from those that
    /// compute them (burn tensors).
    type Lengths<'s>: Deref<Target = [usize]>
    where
        Self: 's;
    /// The length of each dimension.
    fn shape(&self) -> Self::Lengths<'_>;
}

impl<S: RawData, D: Dimension> Sealed<Shape> for ArrayBase<S, D> {}
impl<T: HasShape + ?Sized> Sealed<Shape> for &T {}
impl<T: HasShape + ?Sized> Sealed<Shape> for &mut T {}

impl<S: RawData, D: Dimension> HasShape for ArrayBase<S, D> {
    type Dim = D;
    type Lengths<'s>
        = &'s [usize]
    where
        Self: 's;
    fn shape(&self) -> &[usize] {
        ArrayBase::shape(self)
    }
}

impl<T: HasShape + ?Sized> HasShape for &T {
    type Dim = T::Dim;
    type Lengths<'s>
        = T::Lengths<'s>
    where
        Self: 's;
    fn shape(&self) -> T::Lengths<'_> {
        (**self).shape()
    }
}

impl<T: HasShape + ?Sized> HasShape for &mut T {
    type Dim = T::Dim;
    type Lengths<'s>
        = T::Lengths<'s>
    where
        Self: 's;
    fn shape(&self) -> T::Lengths<'_> {
        (**self).shape()
    }
}

/// Checks `shape` against `plan` and the given `lengths` (in the plan's order) and
/// writes the length of each named axis, in pattern order, to `out`.
pub(crate) fn parse(
    plan: &ShapePlan,
    shape: &[usize],
    lengths: &[i128],
    out: &mut [usize],
) -> Result<(), Error> {
    let call = || {
        Call::boxed(
            CallOperation::Shape(plan.operation),
            &plan.pattern,
            vec![shape.to_vec()],
            Call::lengths(&plan.length_names, lengths),
        )
    };
    let dims = plan.input_dims();
    if !dims.admits(shape.len()) {
        return Err(Error::Rank {
            call: call(),
            expected: dims,
            actual: shape.len(),
        });
    }
    let given = lengths
        .iter()
        .zip(plan.length_names.iter())
        .map(|(&value, name)| {
            usize::try_from(value).map_err(|_| Error::InvalidLength {
                call: call(),
                axis: name.to_string(),
                value,
            })
        })
        .collect::<Result<Vec<usize>, Error>>()?;
    // The ellipsis covers the dimensions that no other item describes.
    let covered = shape.len() - dims.explicit();
    let mut named = out.iter_mut();
    let mut dim = 0;
    for item in plan.dims.iter() {
        if *item == ShapeDim::Ellipsis {
            dim += covered;
            continue;
        }
        let actual = shape[dim];
        match item {
            ShapeDim::Fixed(expected) if actual != *expected => {
                return Err(Error::FixedLength {
                    call: call(),
                    dim,
                    actual,
                    expected: *expected,
                });
            }
            ShapeDim::Named { name, given: index } => {
                if let Some(expected) = index.map(|i| given[i]).filter(|&e| e != actual) {
                    return Err(Error::LengthMismatch {
                        call: call(),
                        operand: 0,
                        dim,
                        group: name.to_string(),
                        actual,
                        expected,
                    });
                }
                *named.next().expect("`out` has a slot per named axis") = actual;
            }
            _ => {}
        }
        dim += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::ShapeOperation;

    fn run(pattern: &str, shape: &[usize], lengths: &[(&str, i128)]) -> Result<Vec<usize>, Error> {
        let names: Vec<&str> = lengths.iter().map(|(n, _)| *n).collect();
        let values: Vec<i128> = lengths.iter().map(|(_, v)| *v).collect();
        let plan = ShapePlan::new(ShapeOperation::CheckShape, pattern, &names).unwrap();
        let mut out = vec![0; plan.names().count()];
        parse(&plan, shape, &values, &mut out).map(|()| out)
    }

    #[test]
    fn named_lengths_in_pattern_order() {
        assert_eq!(run("a _ b", &[2, 3, 4], &[]).unwrap(), [2, 4]);
        assert_eq!(run("a ... b", &[2, 3, 4, 5], &[]).unwrap(), [2, 5]);
        assert_eq!(run("... a 1 3", &[7, 1, 3], &[]).unwrap(), [7]);
        assert_eq!(run("...", &[], &[]).unwrap(), [0usize; 0]);
        assert_eq!(run("a ...", &[2], &[("a", 2)]).unwrap(), [2]);
    }

    #[test]
    fn errors_name_the_dimension() {
        let kind = |p, s: &[usize], l: &[(&str, i128)]| run(p, s, l).unwrap_err().kind();
        assert_eq!(kind("a b", &[2], &[]), "parse_shape_wrong_ndim");
        assert_eq!(kind("a ... b c", &[2, 3], &[]), "parse_shape_too_few_dims");
        assert_eq!(kind("a 1", &[2, 3], &[]), "parse_shape_unit_axis_length");
        assert_eq!(
            kind("a 3", &[2, 2], &[]),
            "parse_shape_anonymous_axis_length"
        );
        assert_eq!(kind("a b", &[2, 3], &[("b", -1)]), "invalid_length");
        let err = run("b c h w", &[2, 4, 5, 5], &[("c", 3)]).unwrap_err();
        assert_eq!(err.kind(), "axis_length_mismatch");
        assert_eq!(
            err.to_string(),
            "check_shape `b c h w` on input of shape [2, 4, 5, 5] with c = 3: \
             dimension 1 has length 4, but group `c` has length 3"
        );
    }
}
