//! Binding a plan to its operands: every elementary axis gets its length and, in every
//! operand, its stride.
//!
//! Elementary axes are numbered like the plan's named axes, followed by one per dimension
//! the ellipsis stands for. Ellipsis dimensions of different operands are right-aligned and
//! broadcast as in numpy (a length-1 dimension gets stride 0); named axes must agree
//! exactly. A name repeated within an operand gets the sum of its strides: the diagonal.
//!
//! This runs on every call, so it builds a few flat inline lists by pushing, and finds
//! where a conflicting length came from only when it reports the conflict.

use smallvec::SmallVec;

use crate::error::{Call, CallOperation, Error, LengthOrigin, Quantity};
use crate::pattern::{EinsumPlan, Length, Role, Slot, Term};

/// Operands of a call kept on the stack; more spill to the heap.
pub(crate) const OPERANDS: usize = 4;
/// Axes kept on the stack per list; more spill to the heap.
pub(crate) const AXES: usize = 8;

/// Distinct elementary axes of a tensor with their strides (in elements).
pub(crate) type Axes = SmallVec<[(usize, isize); AXES]>;

/// A plan resolved against the operands' shapes and strides.
pub(crate) struct Binding {
    /// Length of every elementary axis.
    pub lengths: SmallVec<[usize; AXES]>,
    /// For two operands, the role of every elementary axis in their product; empty
    /// otherwise.
    pub roles: SmallVec<[Role; AXES]>,
    /// Every operand's distinct axes with their strides, operand after operand.
    axes: SmallVec<[(usize, isize); 2 * AXES]>,
    /// Where each operand's axes are in `axes`.
    ranges: SmallVec<[(usize, usize); OPERANDS]>,
    /// The output's elementary axes in order, each with its output dimension and the
    /// product of the lengths after it in its group (its stride within the dimension).
    output: SmallVec<[(usize, usize, usize); AXES]>,
    /// The output's shape.
    pub shape: SmallVec<[usize; AXES]>,
}

impl Binding {
    /// Operand `k`'s distinct axes with their strides.
    pub fn operand(&self, k: usize) -> &[(usize, isize)] {
        let (start, end) = self.ranges[k];
        &self.axes[start..end]
    }

    /// The output's elementary axes with their strides in an output whose dimensions have
    /// these strides.
    pub fn output_axes(&self, strides: &[isize]) -> Axes {
        let mut axes = Axes::new();
        for &(axis, dim, multiplier) in &self.output {
            axes.push((axis, strides[dim].wrapping_mul(multiplier as isize)));
        }
        axes
    }
}

/// One call: the plan, the operands' shapes and the given lengths, for error messages.
pub(crate) struct Context<'c> {
    pub plan: &'c EinsumPlan,
    pub shapes: &'c [&'c [usize]],
    pub lengths: &'c [i128],
}

impl Context<'_> {
    /// This call, for messages.
    pub fn call(&self) -> Box<Call> {
        Call::boxed(
            CallOperation::Einsum,
            &self.plan.pattern,
            self.shapes.iter().map(|s| s.to_vec()).collect(),
            Call::lengths(&self.plan.length_names, self.lengths),
        )
    }

    /// Operand `k`'s part of the pattern, e.g. `b (h d)`.
    fn operand_text(&self, k: usize) -> String {
        let terms: Vec<String> = self.plan.operands[k]
            .iter()
            .map(|t| t.text(&self.plan.axes))
            .collect();
        terms.join(" ")
    }

    /// The terms of operand `k` with the index of their first dimension; the ellipsis
    /// covers `ndim - (terms - 1)` dimensions. Only valid once the rank is checked.
    fn dims(&self, k: usize) -> impl Iterator<Item = (usize, &Term)> + '_ {
        let terms = &self.plan.operands[k];
        let ndim = self.shapes[k].len();
        let mut dim = 0;
        terms.iter().map(move |term| {
            let first = dim;
            dim += match term {
                Term::Ellipsis => ndim + 1 - terms.len(),
                Term::Group(_) => 1,
            };
            (first, term)
        })
    }

    /// The first dimension operand `k`'s ellipsis matches and how many it matches, if it
    /// has an ellipsis.
    fn ellipsis_dims(&self, k: usize) -> Option<(usize, usize)> {
        let (first, _) = self.dims(k).find(|(_, t)| matches!(t, Term::Ellipsis))?;
        Some((
            first,
            self.shapes[k].len() + 1 - self.plan.operands[k].len(),
        ))
    }
}

/// Resolves `ctx.plan` against operands with these strides.
pub(crate) fn bind(ctx: &Context<'_>, strides: &[&[isize]]) -> Result<Binding, Error> {
    let plan = ctx.plan;
    let ellipsis_dims = check_ranks(ctx)?;
    let mut known: SmallVec<[Option<usize>; AXES]> = SmallVec::new();
    for axis in plan.axes.iter() {
        known.push(match axis.length {
            Length::Given(i) => {
                let value = ctx.lengths[i];
                let length = usize::try_from(value).map_err(|_| Error::InvalidLength {
                    call: ctx.call(),
                    axis: axis.name.to_string(),
                    value,
                })?;
                Some(length)
            }
            _ => None,
        });
    }
    for k in 0..plan.operands.len() {
        for (dim, term) in ctx.dims(k) {
            let Term::Group(slots) = term else { continue };
            let [Slot::Axis(id)] = slots[..] else {
                continue;
            };
            let actual = ctx.shapes[k][dim];
            match known[id] {
                None => known[id] = Some(actual),
                Some(expected) if expected != actual => {
                    return Err(Error::AxisLength {
                        call: ctx.call(),
                        axis: plan.axes[id].name.to_string(),
                        operand: k,
                        dim,
                        actual,
                        expected,
                        origin: first_length(ctx, id),
                    })
                }
                Some(_) => {}
            }
        }
    }
    infer_groups(ctx, &mut known)?;
    let mut lengths: SmallVec<[usize; AXES]> = SmallVec::new();
    for length in known {
        lengths.push(length.expect("the pattern check guarantees every length is known"));
    }
    broadcast(ctx, ellipsis_dims, &mut lengths)?;
    check_groups(ctx, &lengths)?;
    let mut binding = Binding {
        roles: roles(ctx, ellipsis_dims),
        lengths,
        axes: SmallVec::new(),
        ranges: SmallVec::new(),
        output: SmallVec::new(),
        shape: SmallVec::new(),
    };
    for (k, strides) in strides.iter().enumerate() {
        operand_axes(ctx, k, strides, &mut binding);
    }
    output(ctx, &mut binding)?;
    Ok(binding)
}

/// Where the first length of axis `id` came from: a given length, or the first operand
/// dimension that is the axis alone. (Only for messages, so it is found again here rather
/// than tracked on every call.)
fn first_length(ctx: &Context<'_>, id: usize) -> LengthOrigin {
    if let Length::Given(_) = ctx.plan.axes[id].length {
        return LengthOrigin::Given;
    }
    (0..ctx.plan.operands.len())
        .flat_map(|k| ctx.dims(k).map(move |(dim, term)| (k, dim, term)))
        .find(|(_, _, term)| matches!(term, Term::Group(slots) if slots[..] == [Slot::Axis(id)]))
        .map(|(operand, dim, _)| LengthOrigin::Operand { operand, dim })
        .expect("a conflicting length was set by an earlier dimension")
}

/// Checks every operand's rank; returns the number of ellipsis dimensions (the most
/// any operand's ellipsis covers).
fn check_ranks(ctx: &Context<'_>) -> Result<usize, Error> {
    let mut ellipsis_dims = 0;
    for (k, shape) in ctx.shapes.iter().enumerate() {
        let dims = ctx.plan.operand_dims(k);
        let ndim = shape.len();
        if !dims.admits(ndim) {
            return Err(Error::OperandRank {
                call: ctx.call(),
                operand: k,
                term: ctx.operand_text(k),
                expected: dims,
                actual: ndim,
            });
        }
        if dims.has_ellipsis() {
            ellipsis_dims = ellipsis_dims.max(ndim - dims.explicit());
        }
    }
    if ellipsis_dims > 0 && !ctx.plan.output_has_ellipsis() {
        let (k, dims) = (0..ctx.shapes.len())
            .map(|k| (k, ctx.shapes[k].len() - ctx.plan.operand_dims(k).explicit()))
            .find(|&(_, dims)| dims > 0)
            .expect("some operand's ellipsis covers a dimension");
        return Err(Error::EllipsisNotInOutput {
            call: ctx.call(),
            operand: k,
            dims,
        });
    }
    Ok(ellipsis_dims)
}

/// Every group of two or more axes: operand, dimension and slots.
fn groups<'c>(ctx: &'c Context<'_>) -> impl Iterator<Item = (usize, usize, &'c [Slot])> + 'c {
    (0..ctx.plan.operands.len()).flat_map(move |k| {
        ctx.dims(k).filter_map(move |(dim, term)| match term {
            Term::Group(slots) if slots.len() > 1 => Some((k, dim, &slots[..])),
            _ => None,
        })
    })
}

/// Axis ids of a group's slots (operand groups hold no ellipsis).
fn ids(slots: &[Slot]) -> impl Iterator<Item = usize> + '_ {
    slots.iter().filter_map(|slot| match *slot {
        Slot::Axis(id) => Some(id),
        Slot::Ellipsis => None,
    })
}

/// Infers the one unknown axis of a group from its dimension, until nothing changes.
fn infer_groups(ctx: &Context<'_>, known: &mut [Option<usize>]) -> Result<(), Error> {
    loop {
        let mut progress = false;
        for (k, dim, slots) in groups(ctx) {
            let mut unknown = ids(slots).filter(|&id| known[id].is_none());
            let (Some(axis), None) = (unknown.next(), unknown.next()) else {
                continue;
            };
            let group = || crate::pattern::group_text(slots, &ctx.plan.axes);
            let others = || ids(slots).filter(move |&id| id != axis);
            let product = others().try_fold(1usize, |acc, id| {
                acc.checked_mul(known[id].expect("only one unknown"))
            });
            let known_product = product.ok_or_else(|| Error::Overflow {
                call: ctx.call(),
                quantity: Quantity::Group(group()),
            })?;
            let actual = ctx.shapes[k][dim];
            if known_product == 0 {
                return Err(Error::ZeroDivisor {
                    call: ctx.call(),
                    operand: k,
                    dim,
                    group: group(),
                    axis: ctx.plan.axes[axis].name.to_string(),
                });
            }
            if !actual.is_multiple_of(known_product) {
                return Err(Error::Indivisible {
                    call: ctx.call(),
                    operand: k,
                    dim,
                    group: group(),
                    actual,
                    known: known_product,
                    known_axes: others()
                        .map(|id| ctx.plan.axes[id].name.to_string())
                        .collect(),
                });
            }
            known[axis] = Some(actual / known_product);
            progress = true;
        }
        if !progress {
            return Ok(());
        }
    }
}

/// Checks that each group's lengths multiply to its dimension's length.
fn check_groups(ctx: &Context<'_>, lengths: &[usize]) -> Result<(), Error> {
    for (k, dim, slots) in groups(ctx) {
        let group = || crate::pattern::group_text(slots, &ctx.plan.axes);
        let expected = ids(slots)
            .try_fold(1usize, |acc, id| acc.checked_mul(lengths[id]))
            .ok_or_else(|| Error::Overflow {
                call: ctx.call(),
                quantity: Quantity::Group(group()),
            })?;
        let actual = ctx.shapes[k][dim];
        if actual != expected {
            return Err(Error::LengthMismatch {
                call: ctx.call(),
                operand: k,
                dim,
                group: group(),
                actual,
                expected,
            });
        }
    }
    Ok(())
}

/// Appends the lengths of the ellipsis dimensions: the operands' dimensions matched by
/// `...`, right-aligned, broadcast (equal, or 1).
fn broadcast(
    ctx: &Context<'_>,
    ellipsis_dims: usize,
    lengths: &mut SmallVec<[usize; AXES]>,
) -> Result<(), Error> {
    let named = lengths.len();
    lengths.extend(std::iter::repeat_n(1, ellipsis_dims));
    for k in 0..ctx.shapes.len() {
        let Some((first, covered)) = ctx.ellipsis_dims(k) else {
            continue;
        };
        for i in 0..covered {
            let (dim, position) = (first + i, ellipsis_dims - covered + i);
            let actual = ctx.shapes[k][dim];
            let expected = lengths[named + position];
            if actual == 1 || actual == expected {
                continue;
            }
            if expected == 1 {
                lengths[named + position] = actual;
                continue;
            }
            // The first operand with a length other than 1 at this position set it.
            let origin = (0..k)
                .find_map(|j| {
                    let (first, covered) = ctx.ellipsis_dims(j)?;
                    let at = first + (position + covered).checked_sub(ellipsis_dims)?;
                    (ctx.shapes[j][at] != 1).then_some(LengthOrigin::Operand {
                        operand: j,
                        dim: at,
                    })
                })
                .expect("an earlier operand set the length");
            return Err(Error::EllipsisLength {
                call: ctx.call(),
                operand: k,
                dim,
                actual,
                expected,
                origin,
            });
        }
    }
    Ok(())
}

/// The role of every elementary axis when the plan has two operands: the plan's for the
/// named axes; the ellipsis dimensions, whose operands depend on the ranks, by the same rule.
fn roles(ctx: &Context<'_>, ellipsis_dims: usize) -> SmallVec<[Role; AXES]> {
    let Some(named) = &ctx.plan.roles else {
        return SmallVec::new();
    };
    let mut roles: SmallVec<[Role; AXES]> = named.iter().copied().collect();
    // Operand `k`'s ellipsis covers the last of the (right-aligned) positions.
    let covers = |k: usize, position: usize| {
        ctx.ellipsis_dims(k)
            .is_some_and(|(_, covered)| position + covered >= ellipsis_dims)
    };
    for position in 0..ellipsis_dims {
        // Every ellipsis dimension is in the output (`check_ranks`).
        let role = Role::of(covers(0, position), covers(1, position), true);
        roles.push(role.expect("the widest ellipsis covers every position"));
    }
    roles
}

/// Appends operand `k`'s distinct axes with their strides to the binding.
fn operand_axes(ctx: &Context<'_>, k: usize, strides: &[isize], binding: &mut Binding) {
    let named = ctx.plan.axes.len();
    let ellipsis_dims = binding.lengths.len() - named;
    let start = binding.axes.len();
    let (lengths, axes) = (&binding.lengths, &mut binding.axes);
    let mut add = |axis: usize, stride: isize| {
        match axes[start..].iter_mut().find(|(a, _)| *a == axis) {
            // A repeated name walks the diagonal: both dimensions advance together.
            Some((_, s)) => *s = s.wrapping_add(stride),
            None => axes.push((axis, stride)),
        }
    };
    for (dim, term) in ctx.dims(k) {
        match term {
            Term::Group(slots) => {
                // Row-major within the group: the last axis moves by the dimension's stride.
                let mut stride = strides[dim];
                for id in ids(slots).collect::<SmallVec<[usize; AXES]>>().iter().rev() {
                    add(*id, stride);
                    stride = stride.wrapping_mul(lengths[*id] as isize);
                }
            }
            Term::Ellipsis => {
                let covered = ctx.shapes[k].len() + 1 - ctx.plan.operands[k].len();
                for i in 0..covered {
                    let axis = named + ellipsis_dims - covered + i;
                    let broadcast = ctx.shapes[k][dim + i] != lengths[axis];
                    add(axis, if broadcast { 0 } else { strides[dim + i] });
                }
            }
        }
    }
    binding.ranges.push((start, binding.axes.len()));
}

/// Operand `k`'s elementary axes in order, each with its length in the operand (1 where
/// the operand broadcasts an ellipsis dimension), repeated names included: the shape a
/// tensor library reshapes the operand to.
#[cfg(any(feature = "candle", feature = "burn"))]
pub(crate) fn operand_elementary(
    ctx: &Context<'_>,
    k: usize,
    lengths: &[usize],
) -> SmallVec<[(usize, usize); AXES]> {
    let named = ctx.plan.axes.len();
    let ellipsis_dims = lengths.len() - named;
    let mut axes = SmallVec::new();
    for (dim, term) in ctx.dims(k) {
        match term {
            Term::Group(slots) => axes.extend(ids(slots).map(|id| (id, lengths[id]))),
            Term::Ellipsis => {
                let covered = ctx.shapes[k].len() + 1 - ctx.plan.operands[k].len();
                for i in 0..covered {
                    let axis = named + ellipsis_dims - covered + i;
                    axes.push((axis, ctx.shapes[k][dim + i]));
                }
            }
        }
    }
    axes
}

/// Fills in the output's elementary axes (with dimension and multiplier) and its shape.
fn output(ctx: &Context<'_>, binding: &mut Binding) -> Result<(), Error> {
    let named = ctx.plan.axes.len();
    let ellipsis = named..binding.lengths.len();
    let overflow = |quantity| Error::Overflow {
        call: ctx.call(),
        quantity,
    };
    let (lengths, axes, shape) = (&binding.lengths, &mut binding.output, &mut binding.shape);
    for term in ctx.plan.output.iter() {
        let slots = match term {
            Term::Ellipsis => {
                for axis in ellipsis.clone() {
                    axes.push((axis, shape.len(), 1));
                    shape.push(lengths[axis]);
                }
                continue;
            }
            Term::Group(slots) => slots,
        };
        // Row-major within the group: an axis's multiplier is the product of those after it.
        let first = axes.len();
        let mut multiplier = 1usize;
        for slot in slots.iter().rev() {
            let members = match *slot {
                Slot::Axis(id) => id..id + 1,
                Slot::Ellipsis => ellipsis.clone(),
            };
            for axis in members.rev() {
                axes.push((axis, shape.len(), multiplier));
                multiplier = multiplier
                    .checked_mul(lengths[axis])
                    .ok_or_else(|| overflow(Quantity::OutputDimension(shape.len())))?;
            }
        }
        axes[first..].reverse();
        shape.push(multiplier);
    }
    shape
        .iter()
        .try_fold(1usize, |acc, &l| acc.checked_mul(l))
        .ok_or_else(|| overflow(Quantity::Output))?;
    Ok(())
}
