//! einsum: the product of the operands, summed over the axes the output lacks.
//!
//! The pattern becomes an [`EinsumPlan`] (at compile time for `einsum!`). Per call,
//! [`bind`] resolves every elementary axis's length and its stride in each
//! operand (diagonals and broadcast ellipsis dimensions are only strides, nothing is
//! copied), then [`contract`] computes the result into a new
//! standard-layout array or into a given one. An `einsum!` call site remembers its planned
//! matrix product for the shapes it was called with ([`memo`]).

use std::cell::RefCell;
use std::marker::PhantomData;

use ndarray::{Array, ArrayBase, Data, DataMut, Dimension};
use smallvec::SmallVec;

use crate::element::Reducible;
use crate::error::Error;
use crate::kernel::contract::{contract, Product, Tensor};
use crate::kernel::{standard_strides, OutputBuffer};
use crate::memo::{self, Key, Memo};
use crate::pattern::EinsumPlan;
use crate::solve::einsum::{bind, Binding, Context, AXES, OPERANDS};

/// An operand as einsum reads it: where its elements are, its shape and its strides (in
/// elements), borrowed from an array of any storage and dimension type.
#[derive(Debug, Clone, Copy)]
pub struct Strided<'v, A> {
    ptr: *const A,
    shape: &'v [usize],
    strides: &'v [isize],
    elements: PhantomData<&'v A>,
}

impl<'v, A> Strided<'v, A> {
    /// The view of `array`'s elements.
    ///
    /// ```
    /// let x = ndarray::Array2::<f32>::zeros((2, 3));
    /// let view = einops_runtime::macro_support::Strided::of(&x);
    /// assert_eq!((view.shape(), view.strides()), (&[2, 3][..], &[3, 1][..]));
    /// ```
    pub fn of<S: Data<Elem = A>, D: Dimension>(array: &'v ArrayBase<S, D>) -> Self {
        Strided {
            ptr: array.as_ptr(),
            shape: array.shape(),
            strides: array.strides(),
            elements: PhantomData,
        }
    }

    /// The shape.
    pub fn shape(&self) -> &'v [usize] {
        self.shape
    }

    /// The strides, in elements.
    pub fn strides(&self) -> &'v [isize] {
        self.strides
    }
}

/// An einsum plan, and whether its products are remembered ([`memo`]).
pub(crate) type Plan<'p> = memo::Plan<'p, EinsumPlan>;

/// A call site's direct products, with the output shape each was planned for.
type Planned = (SmallVec<[usize; AXES]>, Product);

thread_local! {
    static PRODUCTS: RefCell<Memo<Planned>> = const { RefCell::new(Memo::new()) };
}

/// Completes the memo key of a call: the operands' shapes and strides, the given lengths
/// and (for `einsum_into!`) the output's shape and strides.
fn describe<A>(
    key: &mut Key,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
    output: Option<(&[usize], &[isize])>,
) {
    for o in operands {
        key.array(o.shape, o.strides);
    }
    key.lengths(lengths);
    if let Some((shape, strides)) = output {
        key.array(shape, strides);
    }
}

/// Binds the plan of `ctx` to `operands`.
fn bind_operands<A>(ctx: &Context<'_>, operands: &[Strided<'_, A>]) -> Result<Binding, Error> {
    let strides: SmallVec<[&[isize]; OPERANDS]> = operands.iter().map(|o| o.strides).collect();
    bind(ctx, &strides)
}

/// The operands as tensors, with the axes `bind` gave them.
fn tensors<'b, A: Reducible>(
    operands: &[Strided<'_, A>],
    binding: &'b Binding,
) -> SmallVec<[Tensor<'b, A>; OPERANDS]> {
    let mut tensors = SmallVec::new();
    for (k, o) in operands.iter().enumerate() {
        tensors.push(Tensor::borrowed(o.ptr, binding.operand(k)));
    }
    tensors
}

/// The dimension value of `shape` (`O` must have as many axes; the macros' rank rules
/// guarantee it).
fn dim<O: Dimension>(shape: &[usize]) -> O {
    let mut dim = O::zeros(shape.len());
    dim.slice_mut().copy_from_slice(shape);
    dim
}

/// Computes `plan` on `operands` into a new standard-layout array.
pub(crate) fn einsum<A: Reducible, O: Dimension>(
    plan: Plan<'_>,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    // Filled in place: moving a key costs a small call measurable time.
    let mut key = Key::new(plan);
    describe(&mut key, operands, lengths, None);
    if let Some(planned) = memo::recall(&PRODUCTS, &key) {
        let (shape, product) = &*planned;
        let mut buffer = OutputBuffer::new(shape.iter().product());
        // SAFETY: the product is direct and was planned for operands of exactly these
        // shapes and strides and a standard-layout output of this shape (the key), and
        // it writes every element of the output.
        return Ok(unsafe {
            product.run_direct(operands[0].ptr, operands[1].ptr, buffer.as_mut_ptr());
            buffer.finish(dim(shape))
        });
    }
    planned(plan, &key, operands, lengths)
}

/// [`einsum`] without the memo: binds, plans and computes (and remembers a call site's
/// direct product). Kept apart so that the memo's path stays small.
#[inline(never)]
fn planned<A: Reducible, O: Dimension>(
    plan: Plan<'_>,
    key: &Key,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
) -> Result<Array<A, O>, Error> {
    let shapes: SmallVec<[&[usize]; OPERANDS]> = operands.iter().map(|o| o.shape).collect();
    let ctx = Context {
        plan: plan.plan(),
        shapes: &shapes,
        lengths,
    };
    let binding = bind_operands(&ctx, operands)?;
    let mut tensors = tensors(operands, &binding);
    let out = binding.output_axes(&standard_strides(&binding.shape));
    let mut buffer = OutputBuffer::new(binding.shape.iter().product());
    // SAFETY: the tensors address the operands' elements (borrowed for the call) with
    // strides `bind` derived from their own shapes and strides; the buffer has a slot for
    // every index of the standard-layout output, and `contract` writes all of them.
    let product = unsafe {
        contract(
            &binding.lengths,
            &binding.roles,
            &mut tensors,
            &out,
            buffer.as_mut_ptr(),
        )
    };
    remember(key, &binding.shape, product);
    // SAFETY: as above.
    Ok(unsafe { buffer.finish(dim(&binding.shape)) })
}

/// Computes `plan` on `operands` into `out`, whose shape must be the result's.
pub(crate) fn einsum_into<A: Reducible, S: DataMut<Elem = A>, O: Dimension>(
    out: &mut ArrayBase<S, O>,
    plan: Plan<'_>,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
) -> Result<(), Error> {
    // `as_mut_ptr` may first unshare the data into a new layout: strides only after it.
    let dst = out.as_mut_ptr();
    let output = (out.shape(), out.strides());
    let mut key = Key::new(plan);
    describe(&mut key, operands, lengths, Some(output));
    if let Some(planned) = memo::recall(&PRODUCTS, &key) {
        // SAFETY: as in `einsum`, for an output of `out`'s shape and strides.
        unsafe { planned.1.run_direct(operands[0].ptr, operands[1].ptr, dst) };
        return Ok(());
    }
    planned_into(dst, output, plan, &key, operands, lengths)
}

/// [`einsum_into`] without the memo, into the output at `dst` of this shape and strides.
#[inline(never)]
fn planned_into<A: Reducible>(
    dst: *mut A,
    (shape, strides): (&[usize], &[isize]),
    plan: Plan<'_>,
    key: &Key,
    operands: &[Strided<'_, A>],
    lengths: &[i128],
) -> Result<(), Error> {
    let shapes: SmallVec<[&[usize]; OPERANDS]> = operands.iter().map(|o| o.shape).collect();
    let ctx = Context {
        plan: plan.plan(),
        shapes: &shapes,
        lengths,
    };
    let binding = bind_operands(&ctx, operands)?;
    if shape != &binding.shape[..] {
        return Err(Error::OutputShape {
            call: ctx.call(),
            expected: binding.shape.to_vec(),
            actual: shape.to_vec(),
        });
    }
    let axes = binding.output_axes(strides);
    let mut tensors = tensors(operands, &binding);
    // SAFETY: the output's own strides address its elements, a `&mut` output cannot
    // overlap the borrowed operands; otherwise as in `planned`.
    let product = unsafe { contract(&binding.lengths, &binding.roles, &mut tensors, &axes, dst) };
    remember(key, &binding.shape, product);
    Ok(())
}

/// Remembers a call site's direct product: only products that read the operands and write
/// the output in place can run again on other arrays of the same layout.
fn remember(key: &Key, shape: &[usize], product: Option<Product>) {
    if let Some(product) = product.filter(Product::is_direct) {
        memo::remember(&PRODUCTS, key, (shape.iter().copied().collect(), product));
    }
}
