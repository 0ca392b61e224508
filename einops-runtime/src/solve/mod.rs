//! Shape solving: a recipe plus an input's shape and strides becomes the strided walk
//! that produces the output.
//!
//! Elementary axes are numbered like the recipe's axes, followed by one per dimension
//! matched by the ellipsis. Everything lives on the stack for patterns of up to 8
//! elementary axes.

pub(crate) mod einsum;
mod view;
pub(crate) mod walk;

use smallvec::{smallvec, SmallVec};

use self::walk::{fits_in_memory, standard_strides, Step, Steps};
use crate::error::{Call, CallOperation, Error, Quantity};
use crate::pattern::{mentions_ellipsis, Length, Recipe, Slot, Term};

/// Inline capacity for per-axis data; larger patterns spill to the heap.
pub(crate) const INLINE: usize = 8;

/// What one call does, resolved against the input.
pub(crate) struct Solution {
    /// The output's elementary axes in output order, with input strides (0 for axes
    /// repeat adds) and output strides.
    pub kept: Steps,
    /// For each kept axis: its output dimension and the product of the lengths after
    /// it in its group (its stride within the dimension).
    kept_place: SmallVec<[(usize, usize); INLINE]>,
    /// The axes that reduce removes, in input order (output strides unused).
    pub reduced: Steps,
    /// The recipe's axis numbers of `reduced` (ellipsis dimensions numbered after the
    /// named axes), for messages.
    pub reduced_ids: SmallVec<[usize; INLINE]>,
    /// The output's shape (groups merged).
    pub shape: SmallVec<[usize; INLINE]>,
    #[cfg(any(feature = "candle", feature = "burn"))]
    /// The length of every elementary axis, numbered like `reduced_ids` (what a tensor
    /// library lowering reshapes to).
    pub lengths: SmallVec<[usize; INLINE]>,
}

impl Solution {
    /// Whether, for a standard-layout input, the output holds the input's elements in
    /// the same order (nothing reduced or repeated, non-unit axes in input order): then
    /// the input only needs a new shape.
    pub fn keeps_standard_order(&self) -> bool {
        let mut expected = 1isize;
        for step in self.kept.iter().rev().filter(|s| s.len != 1) {
            if step.src != expected {
                return false;
            }
            expected = expected.wrapping_mul(step.len as isize);
        }
        self.reduced.is_empty()
    }

    /// Points the kept axes at an output with these dimension strides.
    pub fn set_output_strides(&mut self, strides: &[isize]) {
        for (step, &(dim, multiplier)) in self.kept.iter_mut().zip(&self.kept_place) {
            step.dst = strides[dim].wrapping_mul(multiplier as isize);
        }
    }
}

/// Lazily built description of the failing call, so the success path allocates nothing.
pub(crate) struct Context<'c> {
    pub recipe: &'c Recipe,
    pub shape: &'c [usize],
    pub lengths: &'c [i128],
}

impl Context<'_> {
    pub fn call(&self) -> Box<Call> {
        Call::boxed(
            CallOperation::Recipe(self.recipe.operation),
            &self.recipe.pattern,
            vec![self.shape.to_vec()],
            Call::lengths(&self.recipe.length_names, self.lengths),
        )
    }

    /// A group as written, e.g. `(h w)`, for messages.
    fn group_text(&self, slots: &[Slot]) -> String {
        crate::pattern::group_text(slots, &self.recipe.axes)
    }
}

/// Converts the given lengths to `usize`, rejecting negative and too large values.
pub(crate) fn given_lengths(ctx: &Context<'_>) -> Result<SmallVec<[usize; INLINE]>, Error> {
    ctx.lengths
        .iter()
        .zip(ctx.recipe.length_names.iter())
        .map(|(&value, name)| {
            usize::try_from(value).map_err(|_| Error::InvalidLength {
                call: ctx.call(),
                axis: name.to_string(),
                value,
            })
        })
        .collect()
}

/// Solves `ctx.recipe` for an input with `strides` (in elements) and elements of
/// `element_size` bytes.
pub(crate) fn solve(
    ctx: &Context<'_>,
    strides: &[isize],
    element_size: usize,
) -> Result<Solution, Error> {
    let recipe = ctx.recipe;
    let shape = ctx.shape;
    let given = given_lengths(ctx)?;
    let dims = recipe.input_dims();
    if !dims.admits(shape.len()) {
        return Err(Error::Rank {
            call: ctx.call(),
            expected: dims,
            actual: shape.len(),
        });
    }
    let named = recipe.axes.len();
    let ellipsis_dims = shape.len() - dims.explicit();
    let mut lengths: SmallVec<[Option<usize>; INLINE]> = recipe
        .axes
        .iter()
        .map(|axis| match axis.length {
            Length::Fixed(n) => Some(n),
            Length::Given(i) => Some(given[i]),
            Length::Inferred => None,
        })
        .collect();
    lengths.extend(
        shape[explicit_before_ellipsis(recipe)..][..ellipsis_dims]
            .iter()
            .map(|&l| Some(l)),
    );
    let mut axis_strides: SmallVec<[isize; INLINE]> = smallvec![0; named + ellipsis_dims];

    let mut dim = 0;
    for term in recipe.input.iter() {
        match term {
            Term::Ellipsis => {
                for e in 0..ellipsis_dims {
                    axis_strides[named + e] = strides[dim];
                    dim += 1;
                }
            }
            Term::Group(slots) => {
                split_dimension(ctx, dim, slots, &mut lengths)?;
                // Row-major within the group: the last axis moves by the dimension's stride.
                let mut stride = strides[dim];
                for slot in slots.iter().rev() {
                    if let Slot::Axis(id) = *slot {
                        axis_strides[id] = stride;
                        stride = stride.wrapping_mul(lengths[id].unwrap_or(0) as isize);
                    }
                }
                dim += 1;
            }
        }
    }
    let length = |id: usize| lengths[id].expect("every output axis has a length after solving");

    let step = |id: usize| Step {
        len: length(id),
        src: axis_strides[id],
        dst: 0,
    };
    let mut kept = Steps::new();
    let mut kept_place: SmallVec<[(usize, usize); INLINE]> = SmallVec::new();
    let mut out_shape: SmallVec<[usize; INLINE]> = SmallVec::new();
    let output_has_ellipsis = mentions_ellipsis(&recipe.output);
    for term in recipe.output.iter() {
        match term {
            Term::Ellipsis => {
                for id in named..named + ellipsis_dims {
                    kept.push(step(id));
                    kept_place.push((out_shape.len(), 1));
                    out_shape.push(length(id));
                }
            }
            Term::Group(slots) => {
                let first = kept.len();
                for slot in slots.iter() {
                    let ids = match *slot {
                        Slot::Axis(id) => id..id + 1,
                        Slot::Ellipsis => named..named + ellipsis_dims,
                    };
                    for id in ids {
                        kept.push(step(id));
                        kept_place.push((0, 0));
                    }
                }
                // Row-major within the group: an axis's multiplier is the product of the
                // lengths after it.
                let mut multiplier = 1usize;
                for k in (first..kept.len()).rev() {
                    kept_place[k] = (out_shape.len(), multiplier);
                    multiplier =
                        multiplier
                            .checked_mul(kept[k].len)
                            .ok_or_else(|| Error::Overflow {
                                call: ctx.call(),
                                quantity: Quantity::OutputDimension(out_shape.len()),
                            })?;
                }
                out_shape.push(multiplier);
            }
        }
    }
    out_shape
        .iter()
        .try_fold(1usize, |acc, &l| acc.checked_mul(l))
        .ok_or_else(|| Error::Overflow {
            call: ctx.call(),
            quantity: Quantity::Output,
        })?;
    if !fits_in_memory(&out_shape, element_size) {
        return Err(Error::OutputTooLarge {
            call: ctx.call(),
            shape: out_shape.to_vec(),
            element_size,
        });
    }

    // Reduced: input axes missing on the right (the ellipsis's when the right lacks it).
    let mut reduced = Steps::new();
    let mut reduced_ids: SmallVec<[usize; INLINE]> = SmallVec::new();
    for term in recipe.input.iter() {
        match term {
            Term::Ellipsis if !output_has_ellipsis => {
                reduced_ids.extend(named..named + ellipsis_dims);
            }
            Term::Ellipsis => {}
            Term::Group(slots) => reduced_ids.extend(slots.iter().filter_map(|slot| match *slot {
                Slot::Axis(id) if !recipe.axes[id].in_output => Some(id),
                _ => None,
            })),
        }
    }
    reduced.extend(reduced_ids.iter().map(|&id| step(id)));
    #[cfg(any(feature = "candle", feature = "burn"))]
    let lengths = (0..lengths.len()).map(length).collect();
    let mut solution = Solution {
        kept,
        kept_place,
        reduced,
        reduced_ids,
        shape: out_shape,
        #[cfg(any(feature = "candle", feature = "burn"))]
        lengths,
    };
    let standard = standard_strides(&solution.shape);
    solution.set_output_strides(&standard);
    Ok(solution)
}

/// Number of input dimensions before the ellipsis.
fn explicit_before_ellipsis(recipe: &Recipe) -> usize {
    recipe
        .input
        .iter()
        .take_while(|t| !matches!(t, Term::Ellipsis))
        .count()
}

/// Checks input dimension `dim` against its group and infers the group's unknown axis.
fn split_dimension(
    ctx: &Context<'_>,
    dim: usize,
    slots: &[Slot],
    lengths: &mut [Option<usize>],
) -> Result<(), Error> {
    let actual = ctx.shape[dim];
    let mut known = 1usize;
    let mut unknown = None;
    for slot in slots {
        if let Slot::Axis(id) = *slot {
            match lengths[id] {
                Some(l) => {
                    known = known.checked_mul(l).ok_or_else(|| Error::Overflow {
                        call: ctx.call(),
                        quantity: Quantity::Group(ctx.group_text(slots)),
                    })?
                }
                None => unknown = Some(id),
            }
        }
    }
    match unknown {
        None if actual != known => Err(Error::LengthMismatch {
            call: ctx.call(),
            operand: 0,
            dim,
            group: ctx.group_text(slots),
            actual,
            expected: known,
        }),
        None => Ok(()),
        Some(id) if known == 0 => Err(Error::ZeroDivisor {
            call: ctx.call(),
            operand: 0,
            dim,
            group: ctx.group_text(slots),
            axis: ctx.recipe.axes[id].name.to_string(),
        }),
        Some(_) if !actual.is_multiple_of(known) => Err(Error::Indivisible {
            call: ctx.call(),
            operand: 0,
            dim,
            group: ctx.group_text(slots),
            actual,
            known,
            known_axes: slots
                .iter()
                .filter_map(|slot| match *slot {
                    Slot::Axis(id) if Some(id) != unknown => {
                        Some(ctx.recipe.axes[id].name.to_string())
                    }
                    _ => None,
                })
                .collect(),
        }),
        Some(id) => {
            lengths[id] = Some(actual / known);
            Ok(())
        }
    }
}
