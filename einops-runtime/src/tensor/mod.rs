//! The lowering shared by the tensor backends (candle, burn): a pattern, once parsed and
//! its shapes solved exactly as for ndarray, becomes a few of the library's own ops
//! (reshape, permute, fold the last dimension, broadcast, narrow, concatenate, batched
//! matrix product), so it runs on the tensor's device and the library's autodiff sees
//! every step. A backend only says how to do each of those ops on its tensor type
//! ([`Lowered`]); the order they run in is decided here, once for every backend.

mod einsum;

use crate::error::{Call, CallOperation, Error};
use crate::kernel::standard_strides;
use crate::ops::{reduction_to_run, Element};
use crate::pack::{pack_layout, product, unpack_layout, PackedShape, PackedShapes};
use crate::pattern::{elementary, EinMixPlan, PackOperation, PackPlan, Recipe, Reduction};
use crate::solve::{solve, Context};

pub(crate) use self::einsum::einsum;

/// Why an op of the tensor library failed: its own message.
pub(crate) type Failure = String;

/// A tensor type the patterns lower to. Every shape is the tensor's logical shape; every
/// op keeps the dtype and the device.
pub(crate) trait Lowered: Clone + Sized {
    /// The library's name in [`Error::Backend`].
    const BACKEND: &'static str;
    /// The dimensions' lengths.
    fn dims(&self) -> Vec<usize>;
    /// The element type, as `mean` sees it.
    fn element(&self) -> Element;
    /// Bytes per element.
    fn element_size(&self) -> usize;
    /// The same elements with the shape `shape` (as many elements).
    fn reshape(&self, shape: &[usize]) -> Result<Self, Failure>;
    /// The dimensions in `order`.
    fn permute(&self, order: &[usize]) -> Result<Self, Failure>;
    /// Broadcast to `shape` (as many dimensions; those of length 1 grow).
    fn broadcast(&self, shape: &[usize]) -> Result<Self, Failure>;
    /// The last dimension (at least one element long) folded away with `reduction`.
    fn fold_last(&self, reduction: Reduction) -> Result<Self, Failure>;
    /// `len` elements of dimension `dim` from `start`.
    fn narrow(&self, dim: usize, start: usize, len: usize) -> Result<Self, Failure>;
    /// `parts` (at least one) one after another along `dim`.
    fn cat(parts: &[Self], dim: usize) -> Result<Self, Failure>;
    /// Summed over `dims` (in increasing order), which are removed.
    fn sum_dims(&self, dims: &[usize]) -> Result<Self, Failure>;
    /// `[batch, m, k] × [batch, k, n] → [batch, m, n]`.
    fn matmul(&self, rhs: &Self) -> Result<Self, Failure>;
    /// `self + other`, `other` broadcast from the right.
    fn add(&self, other: &Self) -> Result<Self, Failure>;
    /// A tensor of `shape` filled with `value`, of this dtype on this device.
    fn filled(&self, shape: &[usize], value: f64) -> Result<Self, Failure>;
    /// Whether `self` and `other` can meet in one op (same dtype and device); a library
    /// that checks this itself says yes.
    fn compatible(&self, other: &Self) -> Result<(), Failure>;
}

/// Turns a backend failure into an [`Error::Backend`] about the call `call` describes
/// (built only on failure).
pub(crate) fn backend<T: Lowered>(
    call: impl FnOnce() -> Box<Call>,
) -> impl FnOnce(Failure) -> Error {
    move |message| Error::Backend {
        call: call(),
        backend: T::BACKEND,
        message,
    }
}

/// Applies a rearrange, reduce or repeat recipe to `input`.
pub(crate) fn apply<T: Lowered>(input: &T, recipe: &Recipe, lengths: &[i128]) -> Result<T, Error> {
    let dims = input.dims();
    let ctx = Context {
        recipe,
        shape: &dims,
        lengths,
    };
    let solution = solve(&ctx, &standard_strides(&dims), input.element_size())?;
    let reduction = reduction_to_run(&ctx, &solution, Some(input.element()))?;
    let fail = || backend::<T>(|| ctx.call());

    let ellipsis = recipe.axes.len()..solution.lengths.len();
    let lengths_of =
        |ids: &[usize]| -> Vec<usize> { ids.iter().map(|&id| solution.lengths[id]).collect() };

    let mut ids = elementary(&recipe.input, ellipsis.clone());
    let mut x = reshaped(input, &lengths_of(&ids)).map_err(fail())?;
    if let Some(reduction) = reduction {
        let reduced = &solution.reduced_ids;
        let kept: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|id| !reduced.contains(id))
            .collect();
        let order = positions(&ids, kept.iter().chain(reduced.iter()));
        let mut shape = lengths_of(&kept);
        shape.push(product(&lengths_of(reduced)));
        x = permuted(&x, &order)
            .and_then(|x| reshaped(&x, &shape))
            .and_then(|x| folded(&x, reduction))
            .map_err(fail())?;
        ids = kept;
    }

    // The kept axes in output order, then the axes repeat adds, broadcast from length 1.
    let output = elementary(&recipe.output, ellipsis);
    let present: Vec<usize> = output
        .iter()
        .copied()
        .filter(|id| ids.contains(id))
        .collect();
    let with_units: Vec<usize> = output
        .iter()
        .map(|&id| match ids.contains(&id) {
            true => solution.lengths[id],
            false => 1,
        })
        .collect();
    let full = lengths_of(&output);
    permuted(&x, &positions(&ids, present.iter()))
        .and_then(|x| reshaped(&x, &with_units))
        .and_then(|x| match with_units == full {
            true => Ok(x),
            false => x.broadcast(&full),
        })
        .and_then(|x| reshaped(&x, &solution.shape))
        .map_err(fail())
}

/// `x` reshaped to `shape`, left as it is when it has that shape already: a library may
/// copy a tensor that is not contiguous on every reshape, so a permuted view stays a view
/// only if nothing reshapes it.
fn reshaped<T: Lowered>(x: &T, shape: &[usize]) -> Result<T, Failure> {
    match x.dims() == shape {
        true => Ok(x.clone()),
        false => x.reshape(shape),
    }
}

/// Where each of `wanted` is in `ids`.
fn positions<'i>(ids: &[usize], wanted: impl Iterator<Item = &'i usize>) -> Vec<usize> {
    wanted
        .map(|id| {
            ids.iter()
                .position(|i| i == id)
                .expect("every wanted axis is one of the tensor's")
        })
        .collect()
}

/// `x` with its dimensions in `order`, skipping the identity permutation.
fn permuted<T: Lowered>(x: &T, order: &[usize]) -> Result<T, Failure> {
    match order.iter().enumerate().all(|(i, &p)| i == p) {
        true => Ok(x.clone()),
        false => x.permute(order),
    }
}

/// Folds the last dimension of `x` away with `reduction`. The libraries' reductions
/// expect at least one element: an empty dimension gives the neutral element (`min` and
/// `max` of nothing were rejected before), as ndarray's kernels do.
fn folded<T: Lowered>(x: &T, reduction: Reduction) -> Result<T, Failure> {
    let dims = x.dims();
    let (&last, kept) = dims
        .split_last()
        .expect("the folded tensor has a dimension");
    if last > 0 {
        return x.fold_last(reduction);
    }
    let neutral = match reduction {
        Reduction::Prod | Reduction::All => 1.0,
        Reduction::Mean => f64::NAN,
        _ => 0.0,
    };
    x.filled(kept, neutral)
}

/// Packs `tensors` along the dimensions `*` stands for; returns the packed tensor and the
/// shapes [`unpack`] needs.
pub(crate) fn pack<T: Lowered>(
    tensors: &[&T],
    plan: &PackPlan,
) -> Result<(T, PackedShapes), Error> {
    let dims: Vec<Vec<usize>> = tensors.iter().map(|t| t.dims()).collect();
    let shapes: Vec<&[usize]> = dims.iter().map(|d| &d[..]).collect();
    let layout = pack_layout(&shapes, plan)?;
    let fail = || {
        backend::<T>(|| {
            let operation = CallOperation::Pack(PackOperation::Pack);
            Call::boxed(operation, &plan.pattern, dims.clone(), Vec::new())
        })
    };
    let parts = tensors
        .iter()
        .zip(&layout.mids)
        .map(|(&tensor, mid)| {
            tensors[0].compatible(tensor)?;
            let flat = [product(mid)];
            let shape: Vec<usize> = layout
                .lead
                .iter()
                .chain(&flat)
                .chain(layout.trail)
                .copied()
                .collect();
            reshaped(tensor, &shape)
        })
        .collect::<Result<Vec<T>, Failure>>()
        .map_err(fail())?;
    let packed = T::cat(&parts, plan.before.len()).map_err(fail())?;
    Ok((packed, layout.shapes()))
}

/// Splits `packed` along the dimension of `*` into one tensor per packed shape: the
/// inverse of [`pack`]. One shape may have an unknown dimension, inferred from the length.
pub(crate) fn unpack<T: Lowered, D>(
    packed: &T,
    shapes: &PackedShapes<D>,
    plan: &PackPlan,
) -> Result<Vec<T>, Error> {
    let shapes: &[PackedShape] = shapes;
    let dims = packed.dims();
    let mids = unpack_layout(&dims, shapes, plan, None)?;
    let fail = || {
        backend::<T>(|| {
            let operation = CallOperation::Pack(PackOperation::Unpack);
            Call::boxed(operation, &plan.pattern, vec![dims.clone()], Vec::new())
        })
    };
    let axis = plan.before.len();
    let (lead, rest) = dims.split_at(axis);
    let trail = &rest[1..];
    let mut start = 0;
    let mut parts = Vec::with_capacity(mids.len());
    for mid in &mids {
        let len = product(mid);
        let shape: Vec<usize> = lead.iter().chain(mid).chain(trail).copied().collect();
        let part = packed
            .narrow(axis, start, len)
            .and_then(|part| reshaped(&part, &shape))
            .map_err(fail())?;
        parts.push(part);
        start += len;
    }
    Ok(parts)
}

/// An EinMix layer's forward pass: rearrange to flat axes, einsum with the weight, add
/// the bias (broadcast from the right), rearrange to the output.
pub(crate) fn einmix<T: Lowered>(
    plan: &EinMixPlan,
    lengths: &[i128],
    input: &T,
    weight: &T,
    bias: Option<&T>,
    call: impl Fn() -> Box<Call>,
) -> Result<T, Error> {
    let flat = match &plan.pre {
        Some(pre) => {
            let pre_lengths: Vec<i128> = plan.pre_lengths.iter().map(|&i| lengths[i]).collect();
            apply(input, pre, &pre_lengths)?
        }
        None => input.clone(),
    };
    let mut y = einsum(&[&flat, weight], &plan.einsum, lengths)?;
    if let Some(bias) = bias {
        y = y
            .compatible(bias)
            .and_then(|()| y.add(bias))
            .map_err(backend::<T>(call))?;
    }
    match &plan.post {
        Some(post) => apply(&y, post, &[]),
        None => Ok(y),
    }
}
