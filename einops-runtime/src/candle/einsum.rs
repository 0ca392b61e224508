//! einsum on candle tensors, lowered to candle's ops: the plan is bound to the operands'
//! shapes exactly as for ndarray ([`bind`]), then each operand is reshaped to its
//! elementary axes (diagonals taken, broadcast ellipsis dimensions dropped, axes no one
//! else needs summed), the operands are contracted left to right as batched matrix
//! products, and the result is permuted and reshaped to the output.

use candle_core::{Tensor, D};
use smallvec::SmallVec;

use super::{backend, has_matmul};
use crate::error::Error;
use crate::kernel::standard_strides;
use crate::pack::product;
use crate::pattern::{elementary, EinsumPlan};
use crate::solve::einsum::{bind, operand_elementary, Context, OPERANDS};

/// A tensor and the elementary axis each of its dimensions is (all different).
struct Labelled {
    tensor: Tensor,
    axes: Vec<usize>,
}

/// Computes `plan` on `operands` (one tensor per operand of the pattern).
///
/// ```
/// # use einops_runtime as einops;
/// use candle_core::{Device, Tensor};
/// use einops::pattern::EinsumPlan;
///
/// let plan = EinsumPlan::new("i j, j k -> i k", 2, &[])?;
/// let a = Tensor::new(&[[1f32, 2.], [3., 4.]], &Device::Cpu)?;
/// let y = einops::candle::einsum(&[&a, &a], &plan, &[])?;
/// assert_eq!(y.to_vec2::<f32>()?, [[7., 10.], [15., 22.]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn einsum<T: AsRef<Tensor>>(
    operands: &[T],
    plan: &EinsumPlan,
    lengths: &[i128],
) -> Result<Tensor, Error> {
    let shapes: SmallVec<[&[usize]; OPERANDS]> =
        operands.iter().map(|t| t.as_ref().dims()).collect();
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
    let fail = || backend(|| ctx.call());

    let mut labelled = Vec::with_capacity(operands.len());
    for (k, operand) in operands.iter().enumerate() {
        let layout = operand_elementary(&ctx, k, lengths);
        labelled.push(label(operand.as_ref(), &layout, lengths).map_err(fail())?);
    }
    // An axis is needed after operand `k` when the output or a later operand has it.
    let needed_after = |k: usize, axis: usize| {
        output.contains(&axis) || labelled[k + 1..].iter().any(|l| l.axes.contains(&axis))
    };
    let mut result: Option<Labelled> = None;
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
        .permute(order)
        .and_then(|t| t.reshape(&binding.shape[..]))
        .map_err(fail())
}

/// `operand` reshaped to its elementary axes `layout`, its diagonals taken and the
/// ellipsis dimensions it broadcasts (length 1 where others are longer) dropped.
fn label(
    operand: &Tensor,
    layout: &[(usize, usize)],
    lengths: &[usize],
) -> candle_core::Result<Labelled> {
    let shape: Vec<usize> = layout.iter().map(|&(_, len)| len).collect();
    let mut tensor = operand.reshape(shape)?;
    let mut axes = Vec::new();
    for &(axis, len) in layout {
        if len != lengths[axis] {
            // Broadcast: a length-1 dimension against a longer one holds the same value
            // for every index, so it drops out of this operand.
            tensor = tensor.squeeze(axes.len())?;
        } else {
            axes.push(axis);
        }
    }
    // A repeated axis: the diagonal of its two dimensions, one pair at a time.
    while let Some((first, second)) = repeated(&axes) {
        let n = lengths[axes[first]];
        let mut order: Vec<usize> = (0..axes.len())
            .filter(|&d| d != first && d != second)
            .collect();
        let mut rest: Vec<usize> = order
            .iter()
            .map(|&d| tensor.dim(d))
            .collect::<candle_core::Result<_>>()?;
        order.extend([first, second]);
        // Row-major, the diagonal of an n × n block is every (n + 1)-th element: pad
        // each block to n × (n + 1) and keep the first column.
        rest.extend([n, n + 1]);
        let flat: Vec<usize> = rest[..rest.len() - 2]
            .iter()
            .copied()
            .chain([n * n])
            .collect();
        tensor = tensor
            .permute(order)?
            .reshape(flat)?
            .pad_with_zeros(D::Minus1, 0, n)?
            .reshape(rest)?
            .narrow(D::Minus1, 0, 1)?
            .squeeze(D::Minus1)?;
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
fn sum_unneeded(operand: &Labelled, keep: impl Fn(usize) -> bool) -> candle_core::Result<Labelled> {
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
        tensor: operand.tensor.sum(summed)?,
        axes: operand.axes.iter().copied().filter(|&a| keep(a)).collect(),
    })
}

/// The product of `a` and `b` summed over the shared axes `keep` rejects: a batched
/// matrix product, the batch being the shared axes that are kept.
fn contract(
    a: &Labelled,
    b: &Labelled,
    keep: impl Fn(usize) -> bool,
    lengths: &[usize],
) -> candle_core::Result<Labelled> {
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
    let arranged = |l: &Labelled, axes: Vec<&Vec<usize>>, shape: (usize, usize, usize)| {
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
        l.tensor.permute(order)?.reshape(shape)
    };
    let lhs = arranged(&a, vec![&batch, &a_only, &summed], (batches, m, k))?;
    let rhs = arranged(&b, vec![&batch, &summed, &b_only], (batches, k, n))?;
    let product = match has_matmul(lhs.dtype()) {
        true => lhs.contiguous()?.matmul(&rhs.contiguous()?)?,
        // Other dtypes: the same sum of products, broadcast and summed over k.
        false => lhs
            .unsqueeze(3)?
            .broadcast_mul(&rhs.unsqueeze(1)?)?
            .sum(2)?,
    };
    let axes: Vec<usize> = batch.into_iter().chain(a_only).chain(b_only).collect();
    let shape: Vec<usize> = axes.iter().map(|&x| lengths[x]).collect();
    Ok(Labelled {
        tensor: product.reshape(shape)?,
        axes,
    })
}
