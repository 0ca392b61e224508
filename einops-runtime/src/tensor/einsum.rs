//! einsum lowered to a tensor library's ops: the plan is bound to the operands' shapes
//! exactly as for ndarray ([`bind`]), then each operand is reshaped to its elementary
//! axes (diagonals taken, broadcast ellipsis dimensions dropped, axes no one else needs
//! summed), the operands are contracted left to right as batched matrix products, and
//! the result is permuted and reshaped to the output.

use smallvec::SmallVec;

use super::{backend, reshaped, Failure, Lowered};
use crate::error::Error;
use crate::kernel::standard_strides;
use crate::pack::product;
use crate::pattern::{elementary, EinsumPlan};
use crate::solve::einsum::{bind, operand_elementary, Context, OPERANDS};

/// A tensor and the elementary axis each of its dimensions is (all different).
struct Labelled<T> {
    tensor: T,
    axes: Vec<usize>,
}

/// Computes `plan` on `operands` (one tensor per operand of the pattern).
pub(crate) fn einsum<T: Lowered>(
    operands: &[&T],
    plan: &EinsumPlan,
    lengths: &[i128],
) -> Result<T, Error> {
    let dims: SmallVec<[Vec<usize>; OPERANDS]> = operands.iter().map(|t| t.dims()).collect();
    let shapes: SmallVec<[&[usize]; OPERANDS]> = dims.iter().map(|d| &d[..]).collect();
    let ctx = Context {
        plan,
        shapes: &shapes,
        lengths,
    };
    let strides: SmallVec<[_; OPERANDS]> = shapes.iter().map(|s| standard_strides(s)).collect();
    let strides: SmallVec<[&[isize]; OPERANDS]> = strides.iter().map(|s| &s[..]).collect();
    let binding = bind(&ctx, &strides)?;
    let lengths = &binding.lengths[..];
    let output = elementary(&plan.output, plan.axes.len()..lengths.len());
    let fail = || backend::<T>(|| ctx.call());

    let mut labelled = Vec::with_capacity(operands.len());
    for (k, &operand) in operands.iter().enumerate() {
        let layout = operand_elementary(&ctx, k, lengths);
        let tensor = operands[0]
            .compatible(operand)
            .and_then(|()| label(operand, &layout, lengths));
        labelled.push(tensor.map_err(fail())?);
    }
    // An axis is needed after operand `k` when the output or a later operand has it.
    let needed_after = |k: usize, axis: usize| {
        output.contains(&axis) || labelled[k + 1..].iter().any(|l| l.axes.contains(&axis))
    };
    let mut result: Option<Labelled<T>> = None;
    for (k, operand) in labelled.iter().enumerate() {
        let keep = |axis: usize| needed_after(k, axis);
        let next = match result.take() {
            None => sum_unneeded(operand, keep),
            Some(acc) => contract(&acc, operand, keep, lengths),
        };
        result = Some(next.map_err(fail())?);
    }
    let result = result.expect("a plan has at least one operand");
    let order: Vec<usize> = output
        .iter()
        .map(|axis| {
            result
                .axes
                .iter()
                .position(|a| a == axis)
                .expect("every output axis is an operand's")
        })
        .collect();
    result
        .tensor
        .permute(&order)
        .and_then(|t| reshaped(&t, &binding.shape))
        .map_err(fail())
}

/// `operand` reshaped to its elementary axes `layout`, its diagonals taken and the
/// ellipsis dimensions it broadcasts (length 1 where others are longer) dropped.
fn label<T: Lowered>(
    operand: &T,
    layout: &[(usize, usize)],
    lengths: &[usize],
) -> Result<Labelled<T>, Failure> {
    // Broadcast: a length-1 dimension against a longer one holds the same value for
    // every index, so it drops out of this operand.
    let (mut axes, kept): (Vec<usize>, Vec<usize>) = layout
        .iter()
        .filter(|&&(axis, len)| len == lengths[axis])
        .copied()
        .unzip();
    let mut tensor = reshaped(operand, &kept)?;
    // A repeated axis: the diagonal of its two dimensions, one pair at a time.
    while let Some((first, second)) = repeated(&axes) {
        let n = lengths[axes[first]];
        let dims = tensor.dims();
        let mut order: Vec<usize> = (0..axes.len())
            .filter(|&d| d != first && d != second)
            .collect();
        let rest: Vec<usize> = order.iter().map(|&d| dims[d]).collect();
        order.extend([first, second]);
        // Row-major, the diagonal of an n × n block is every (n + 1)-th element: pad
        // each block with n zeros to n × (n + 1) and keep the first column.
        let with = |tail: &[usize]| -> Vec<usize> { rest.iter().chain(tail).copied().collect() };
        let last = rest.len();
        let flat = tensor.permute(&order)?.reshape(&with(&[n * n]))?;
        let zeros = flat.filled(&with(&[n]), 0.0)?;
        tensor = T::cat(&[flat, zeros], last)?
            .reshape(&with(&[n, n + 1]))?
            .narrow(last + 1, 0, 1)?
            .reshape(&with(&[n]))?;
        let axis = axes[first];
        axes = axes
            .iter()
            .enumerate()
            .filter(|&(d, _)| d != first && d != second)
            .map(|(_, &a)| a)
            .chain([axis])
            .collect();
    }
    Ok(Labelled { tensor, axes })
}

/// The positions of the first axis that occurs twice.
fn repeated(axes: &[usize]) -> Option<(usize, usize)> {
    (0..axes.len()).find_map(|i| {
        let j = axes[i + 1..].iter().position(|&a| a == axes[i])?;
        Some((i, i + 1 + j))
    })
}

/// `operand` summed over the axes `keep` rejects.
fn sum_unneeded<T: Lowered>(
    operand: &Labelled<T>,
    keep: impl Fn(usize) -> bool,
) -> Result<Labelled<T>, Failure> {
    let summed: Vec<usize> = (0..operand.axes.len())
        .filter(|&d| !keep(operand.axes[d]))
        .collect();
    if summed.is_empty() {
        return Ok(Labelled {
            tensor: operand.tensor.clone(),
            axes: operand.axes.clone(),
        });
    }
    Ok(Labelled {
        tensor: operand.tensor.sum_dims(&summed)?,
        axes: operand.axes.iter().copied().filter(|&a| keep(a)).collect(),
    })
}

/// The product of `a` and `b` summed over the shared axes `keep` rejects: a batched
/// matrix product, the batch being the shared axes that are kept.
fn contract<T: Lowered>(
    a: &Labelled<T>,
    b: &Labelled<T>,
    keep: impl Fn(usize) -> bool,
    lengths: &[usize],
) -> Result<Labelled<T>, Failure> {
    let shared = |axis: &usize| a.axes.contains(axis) && b.axes.contains(axis);
    let a = sum_unneeded(a, |axis| keep(axis) || b.axes.contains(&axis))?;
    let b = sum_unneeded(b, |axis| keep(axis) || a.axes.contains(&axis))?;
    let batch: Vec<usize> = a
        .axes
        .iter()
        .copied()
        .filter(|x| shared(x) && keep(*x))
        .collect();
    let summed: Vec<usize> = a
        .axes
        .iter()
        .copied()
        .filter(|x| shared(x) && !keep(*x))
        .collect();
    let a_only: Vec<usize> = a.axes.iter().copied().filter(|x| !shared(x)).collect();
    let b_only: Vec<usize> = b.axes.iter().copied().filter(|x| !shared(x)).collect();
    let size = |axes: &[usize]| product(&axes.iter().map(|&x| lengths[x]).collect::<Vec<_>>());
    let (batches, m, k, n) = (size(&batch), size(&a_only), size(&summed), size(&b_only));
    let arranged = |l: &Labelled<T>, axes: [&Vec<usize>; 3], shape: [usize; 3]| {
        let order: Vec<usize> = axes
            .into_iter()
            .flatten()
            .map(|x| {
                l.axes
                    .iter()
                    .position(|a| a == x)
                    .expect("an axis of the operand")
            })
            .collect();
        l.tensor.permute(&order)?.reshape(&shape)
    };
    let lhs = arranged(&a, [&batch, &a_only, &summed], [batches, m, k])?;
    let rhs = arranged(&b, [&batch, &summed, &b_only], [batches, k, n])?;
    let axes: Vec<usize> = batch.into_iter().chain(a_only).chain(b_only).collect();
    let shape: Vec<usize> = axes.iter().map(|&x| lengths[x]).collect();
    Ok(Labelled {
        tensor: lhs.matmul(&rhs)?.reshape(&shape)?,
        axes,
    })
}
