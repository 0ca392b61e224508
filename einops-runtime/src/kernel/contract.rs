//! Contracting bound operands into the output.
//!
//! - One operand: a copy (permutation, diagonal) or a sum, with the kernels of
//!   `rearrange` and `reduce`.
//! - Two operands: each axis has a [`Role`] — for a pattern of two operands the plan's,
//!   fixed at compile time for `einsum!` — *batch* (both operands and the output),
//!   *left* (M), *right* (N), *contracted* (K) or summed in one operand only. The latter
//!   are first summed out of their operand, then each batch index becomes one GEMM
//!   `C[M × N] = A[M × K] · B[K × N]`.
//!   A group of axes is one GEMM dimension when its strides collapse into one (each axis
//!   steps over the whole of the next); an operand whose strides do not collapse is copied
//!   into a layout where they do, and an output whose strides do not collapse is computed
//!   in a scratch buffer and copied.
//! - More operands: the pair whose intermediate result is smallest (for the actual
//!   lengths) is contracted first, repeatedly; the roles of a pair's axes are found then.
//!
//! A product that reads its operands and writes its output in place ([`Product::is_direct`])
//! can be run again on other operands with the same shapes and strides: the memo of
//! `einsum!` call sites does that.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::gemm::{matmul, Matmul};
use crate::element::Reducible;
use crate::kernel::{self, standard_strides, Step, Steps};
use crate::pattern::{Reduction, Role};
use crate::solve::einsum::{AXES, OPERANDS};

/// Axis ids.
type Ids = SmallVec<[usize; AXES]>;

/// An operand or intermediate result: elements from `ptr`, with distinct axes and strides.
pub(crate) struct Tensor<'b, A> {
    ptr: *const A,
    axes: Cow<'b, [(usize, isize)]>,
    /// The elements of an intermediate result (`ptr` points into it); empty for operands.
    buffer: Vec<A>,
}

impl<'b, A: Reducible> Tensor<'b, A> {
    /// An operand's elements, which must outlive the tensor, with its axes.
    pub fn borrowed(ptr: *const A, axes: &'b [(usize, isize)]) -> Self {
        Tensor {
            ptr,
            axes: Cow::Borrowed(axes),
            buffer: Vec::new(),
        }
    }

    fn has(&self, axis: usize) -> bool {
        stride(&self.axes, axis).is_some()
    }

    /// Ids of the axes for which `keep` holds, in this tensor's order.
    fn ids(&self, keep: impl Fn(usize) -> bool) -> Ids {
        let mut ids = Ids::new();
        for &(axis, _) in self.axes.iter() {
            if keep(axis) {
                ids.push(axis);
            }
        }
        ids
    }
}

/// The stride of `axis` in `axes`, if it is there.
fn stride(axes: &[(usize, isize)], axis: usize) -> Option<isize> {
    axes.iter().find(|(a, _)| *a == axis).map(|&(_, s)| s)
}

/// Whether `axis` is in `out` or in a tensor other than those at `skip`.
fn needed<A: Reducible>(
    axis: usize,
    out: &[(usize, isize)],
    tensors: &[Tensor<'_, A>],
    skip: &[usize],
) -> bool {
    stride(out, axis).is_some()
        || (0..tensors.len()).any(|t| !skip.contains(&t) && tensors[t].has(axis))
}

/// Writes the einsum of `tensors` to `dst`, whose elementary axes (in output order) have
/// the strides of `out`.
///
/// With two tensors, `roles` are the roles of the elementary axes in their product (the
/// plan's); otherwise it is not read.
///
/// Returns the product when the einsum was one product of the two operands as given
/// (nothing summed out first), so that a caller may run it again, if it is direct, on
/// operands and an output of the same shapes and strides.
///
/// # Safety
/// Each tensor's axes, with `lengths`, must address initialised elements from its `ptr`;
/// `out` must address distinct writable slots from `dst`, overlapping no tensor. Every axis
/// of `out` must be in some tensor.
pub(crate) unsafe fn contract<A: Reducible>(
    lengths: &[usize],
    roles: &[Role],
    tensors: &mut SmallVec<[Tensor<'_, A>; OPERANDS]>,
    out: &[(usize, isize)],
    dst: *mut A,
) -> Option<Product> {
    if out.iter().any(|&(axis, _)| lengths[axis] == 0) {
        return None;
    }
    let operands = tensors.len();
    // SAFETY (whole body): the tensors made here are contiguous buffers of their own
    // axes' lengths; everything else is forwarded from the caller.
    unsafe {
        if let [only] = &tensors[..] {
            unary(lengths, only, out, dst);
            return None;
        }
        while tensors.len() > 2 {
            let (i, j, keep) = cheapest_pair(lengths, tensors, out);
            let (a, b) = (&tensors[i], &tensors[j]);
            let role = |axis| found_role(a, b, keep.contains(&axis), axis);
            // A layout the GEMM writes without a copy: batch, then M, then N axes.
            let mut order = a.ids(|x| role(x) == Role::Batch);
            order.extend(a.ids(|x| role(x) == Role::Left));
            order.extend(b.ids(|x| role(x) == Role::Right));
            let mut result = scratch(lengths, &order);
            pair(
                lengths,
                role,
                a,
                b,
                &result.axes,
                result.buffer.as_mut_ptr(),
            );
            tensors.remove(j);
            tensors[i] = result;
        }
        let (a, b) = (&tensors[0], &tensors[1]);
        if operands == 2 {
            return pair(lengths, |axis| roles[axis], a, b, out, dst);
        }
        let role = |axis| found_role(a, b, stride(out, axis).is_some(), axis);
        pair(lengths, role, a, b, out, dst);
        None
    }
}

/// The role of `axis` in the product of `a` and `b` into a result that does or does not
/// keep it: found at run time for the pairs of three or more operands.
fn found_role<A: Reducible>(a: &Tensor<'_, A>, b: &Tensor<'_, A>, kept: bool, axis: usize) -> Role {
    Role::of(a.has(axis), b.has(axis), kept).expect("an axis of one of the pair")
}

/// Writes the product of `a` and `b` to `dst` (axes `out`), `role` giving each axis's
/// role: axes summed in one operand only are summed out of it first, then one GEMM runs
/// per batch index. Returns the product when nothing was summed first.
///
/// # Safety
/// As for [`contract`], for `a`, `b` and `out`.
unsafe fn pair<A: Reducible>(
    lengths: &[usize],
    role: impl Fn(usize) -> Role,
    a: &Tensor<'_, A>,
    b: &Tensor<'_, A>,
    out: &[(usize, isize)],
    dst: *mut A,
) -> Option<Product> {
    let summed_out = |t: &Tensor<'_, A>, alone: Role| {
        let keep = t.ids(|axis| role(axis) != alone);
        // SAFETY: forwarded; `keep` holds axes of `t`.
        (keep.len() < t.axes.len()).then(|| unsafe { packed(lengths, t, &keep) })
    };
    let (a_summed, b_summed) = (
        summed_out(a, Role::SummedLeft),
        summed_out(b, Role::SummedRight),
    );
    let a = a_summed.as_ref().unwrap_or(a);
    let b = b_summed.as_ref().unwrap_or(b);
    let product = Product::plan(lengths, &role, &a.axes, &b.axes, out);
    // SAFETY: forwarded; the sums are contiguous tensors of their axes' lengths.
    unsafe { product.run(lengths, a, b, out, dst) };
    (a_summed.is_none() && b_summed.is_none()).then_some(product)
}

/// The pair of tensors whose product keeps the fewest elements, and the axes it keeps.
fn cheapest_pair<A: Reducible>(
    lengths: &[usize],
    tensors: &[Tensor<'_, A>],
    out: &[(usize, isize)],
) -> (usize, usize, Ids) {
    let mut best: Option<(usize, usize, usize, Ids)> = None;
    for i in 0..tensors.len() {
        for j in i + 1..tensors.len() {
            let mut keep = tensors[i].ids(|x| needed(x, out, tensors, &[i, j]));
            keep.extend(tensors[j].ids(|x| !tensors[i].has(x) && needed(x, out, tensors, &[i, j])));
            let size = keep
                .iter()
                .fold(1usize, |acc, &x| acc.saturating_mul(lengths[x]));
            if best.as_ref().is_none_or(|b| size < b.0) {
                best = Some((size, i, j, keep));
            }
        }
    }
    let (_, i, j, keep) = best.expect("at least two tensors");
    (i, j, keep)
}

/// A zeroed contiguous tensor with these axes in this order.
fn scratch<A: Reducible>(lengths: &[usize], order: &[usize]) -> Tensor<'static, A> {
    let shape: SmallVec<[usize; AXES]> = order.iter().map(|&x| lengths[x]).collect();
    let strides = standard_strides(&shape);
    let buffer = vec![A::ZERO; shape.iter().product()];
    Tensor {
        ptr: buffer.as_ptr(),
        axes: order.iter().copied().zip(strides).collect(),
        buffer,
    }
}

/// `t` in a new contiguous tensor with the axes `order`, in that order: a copy when they
/// are all of `t`'s axes, else a sum over the others.
///
/// # Safety
/// As for [`contract`], for `t`; `order` holds axes of `t` only.
unsafe fn packed<A: Reducible>(
    lengths: &[usize],
    t: &Tensor<'_, A>,
    order: &[usize],
) -> Tensor<'static, A> {
    let mut result = scratch(lengths, order);
    // SAFETY: forwarded; the scratch buffer has a slot for every index of `order`.
    unsafe { unary(lengths, t, &result.axes, result.buffer.as_mut_ptr()) };
    result
}

/// One tensor into `out`: a copy when every axis of `t` is in `out`, else a sum over the
/// others.
///
/// # Safety
/// As for [`contract`]; every axis of `out` must be in `t`.
unsafe fn unary<A: Reducible>(
    lengths: &[usize],
    t: &Tensor<'_, A>,
    out: &[(usize, isize)],
    dst: *mut A,
) {
    let kept: Steps = out
        .iter()
        .map(|&(axis, dst)| Step {
            len: lengths[axis],
            src: stride(&t.axes, axis).expect("every output axis is in the tensor"),
            dst,
        })
        .collect();
    let reduced: Steps = t
        .axes
        .iter()
        .filter(|&&(axis, _)| stride(out, axis).is_none())
        .map(|&(axis, src)| Step {
            len: lengths[axis],
            src,
            dst: 0,
        })
        .collect();
    let Some(kept) = kernel::simplify(&kept) else {
        return;
    };
    // SAFETY: the walks cover exactly the tensor's and the output's indices.
    unsafe {
        if reduced.is_empty() {
            kernel::copy(&kept, t.ptr, dst);
        } else {
            let reduced = kernel::simplify_reduced(&reduced);
            kernel::reduce(&kept, reduced.as_deref(), Reduction::Sum, t.ptr, dst);
        }
    }
}

/// One axis of a pairwise product: its length and its strides in A, B and C (0 where it
/// is absent).
#[derive(Debug, Clone, Copy)]
struct Dim {
    axis: usize,
    len: usize,
    a: isize,
    b: isize,
    c: isize,
}

type Dims = SmallVec<[Dim; AXES]>;

/// The single (length, stride) that `dims` (outermost first) collapse to with the strides
/// `stride` picks, if each steps over the whole of the next; unit axes do not count.
fn fuse(dims: &[Dim], stride: fn(&Dim) -> isize) -> Option<(usize, isize)> {
    if dims.iter().any(|d| d.len == 0) {
        return Some((0, 1));
    }
    let mut fused: Option<(usize, isize)> = None; // (length so far, innermost stride)
    for d in dims.iter().rev().filter(|d| d.len != 1) {
        fused = match fused {
            None => Some((d.len, stride(d))),
            Some((len, inner)) if stride(d) == inner.wrapping_mul(len as isize) => {
                Some((len * d.len, inner))
            }
            Some(_) => return None,
        };
    }
    Some(fused.unwrap_or((1, 1)))
}

/// Gives the axes of `groups`, in order, the strides of a contiguous layout in that order,
/// in the field `stride` picks.
fn relayout(groups: [&mut Dims; 3], stride: fn(&mut Dim) -> &mut isize) {
    let mut next = 1isize;
    for group in groups.into_iter().rev() {
        for d in group.iter_mut().rev() {
            *stride(d) = next;
            next = next.wrapping_mul(d.len as isize);
        }
    }
}

/// The product of two tensors planned for their lengths and strides: the batch axes to
/// loop over, one GEMM per batch index, and which tensors are first copied into a layout
/// whose strides collapse (or, for the output, computed in a scratch layout and copied out).
#[derive(Debug, Clone)]
pub(crate) struct Product {
    /// The batch axes with their strides in A, B and C (those of the copies, if any).
    batch: Dims,
    /// The GEMM of one batch index.
    mm: Matmul,
    /// The layouts (axis ids, outermost first) A and B are copied into, if they are.
    pack_a: Option<Ids>,
    pack_b: Option<Ids>,
    /// The layout the output is computed in before it is copied to its place, if it is.
    scratch_c: Option<Ids>,
}

impl Product {
    /// Plans the product of tensors with axes `a` and `b` into `out` with the axes' roles;
    /// no axis may be summed in one operand only.
    fn plan(
        lengths: &[usize],
        role: impl Fn(usize) -> Role,
        a: &[(usize, isize)],
        b: &[(usize, isize)],
        out: &[(usize, isize)],
    ) -> Product {
        let (mut batch, mut m, mut n, mut k) = (Dims::new(), Dims::new(), Dims::new(), Dims::new());
        for &(axis, c) in out {
            let (sa, sb) = (stride(a, axis), stride(b, axis));
            let dim = Dim {
                axis,
                len: lengths[axis],
                a: sa.unwrap_or(0),
                b: sb.unwrap_or(0),
                c,
            };
            match role(axis) {
                Role::Batch => batch.push(dim),
                Role::Left => m.push(dim),
                Role::Right => n.push(dim),
                Role::Contracted | Role::SummedLeft | Role::SummedRight => {
                    unreachable!("an output axis is batch, left or right")
                }
            }
        }
        for &(axis, sa) in a {
            if role(axis) == Role::Contracted {
                let sb = stride(b, axis).expect("a contracted axis is in both");
                k.push(Dim {
                    axis,
                    len: lengths[axis],
                    a: sa,
                    b: sb,
                    c: 0,
                });
            }
        }
        // K in A's order, or in B's when only that collapses B's strides.
        if fuse(&k, |d| d.b).is_none() {
            k.sort_by_key(|d| b.iter().position(|&(x, _)| x == d.axis));
        }
        let ids =
            |groups: [&Dims; 3]| -> Ids { groups.into_iter().flatten().map(|d| d.axis).collect() };
        let pack_a = fuse(&m, |d| d.a).and(fuse(&k, |d| d.a)).is_none().then(|| {
            relayout([&mut batch, &mut m, &mut k], |d| &mut d.a);
            ids([&batch, &m, &k])
        });
        let pack_b = fuse(&k, |d| d.b).and(fuse(&n, |d| d.b)).is_none().then(|| {
            relayout([&mut batch, &mut k, &mut n], |d| &mut d.b);
            ids([&batch, &k, &n])
        });
        let scratch_c = fuse(&m, |d| d.c).and(fuse(&n, |d| d.c)).is_none().then(|| {
            relayout([&mut batch, &mut m, &mut n], |d| &mut d.c);
            ids([&batch, &m, &n])
        });
        let fused = |dims: &Dims, stride: fn(&Dim) -> isize| {
            fuse(dims, stride).expect("the layouts were made to fit")
        };
        let ((rows, ra), (depth, ka)) = (fused(&m, |d| d.a), fused(&k, |d| d.a));
        let ((_, kb), (cols, nb)) = (fused(&k, |d| d.b), fused(&n, |d| d.b));
        let ((_, rc), (_, nc)) = (fused(&m, |d| d.c), fused(&n, |d| d.c));
        let mm = Matmul {
            m: rows,
            n: cols,
            k: depth,
            a: [ra, ka],
            b: [kb, nb],
            c: [rc, nc],
        };
        // With the layouts fixed, a batch axis of length 1 is no loop at all.
        batch.retain(|d| d.len != 1);
        Product {
            batch,
            mm,
            pack_a,
            pack_b,
            scratch_c,
        }
    }

    /// Whether the product reads the operands and writes the output in place.
    pub fn is_direct(&self) -> bool {
        self.pack_a.is_none() && self.pack_b.is_none() && self.scratch_c.is_none()
    }

    /// Runs a direct product on elements at these addresses.
    ///
    /// # Safety
    /// The product must be direct and planned for tensors and an output with exactly the
    /// lengths and strides of those at `a`, `b` and `dst` (as for [`contract`]).
    pub unsafe fn run_direct<A: Reducible>(&self, a: *const A, b: *const A, dst: *mut A) {
        for_each_index(&self.batch, |[oa, ob, oc]| {
            // SAFETY: the offsets are within the batch axes' lengths (caller).
            unsafe { matmul(&self.mm, a.offset(oa), b.offset(ob), dst.offset(oc)) }
        });
    }

    /// Runs the product of `a` and `b` into `out`, copying as planned.
    ///
    /// # Safety
    /// As for [`contract`]; the product must have been planned for these tensors and `out`.
    unsafe fn run<A: Reducible>(
        &self,
        lengths: &[usize],
        a: &Tensor<'_, A>,
        b: &Tensor<'_, A>,
        out: &[(usize, isize)],
        dst: *mut A,
    ) {
        // SAFETY (whole body): the copies and the scratch output are contiguous buffers in
        // the layouts the plan gave the GEMM.
        unsafe {
            let a_packed = self.pack_a.as_ref().map(|ids| packed(lengths, a, ids));
            let b_packed = self.pack_b.as_ref().map(|ids| packed(lengths, b, ids));
            let mut c_scratch = self
                .scratch_c
                .as_ref()
                .map(|ids| scratch::<A>(lengths, ids));
            let a_ptr = a_packed.as_ref().map_or(a.ptr, |t| t.ptr);
            let b_ptr = b_packed.as_ref().map_or(b.ptr, |t| t.ptr);
            let c_ptr = c_scratch.as_mut().map_or(dst, |t| t.buffer.as_mut_ptr());
            self.run_direct(a_ptr, b_ptr, c_ptr);
            if let Some(c) = &c_scratch {
                unary(lengths, c, out, dst);
            }
        }
    }
}

/// Calls `visit` with the offsets in A, B and C of every index of the `batch` axes, in
/// row-major order.
fn for_each_index(batch: &[Dim], mut visit: impl FnMut([isize; 3])) {
    if batch.iter().any(|d| d.len == 0) {
        return;
    }
    let mut index: SmallVec<[usize; AXES]> = SmallVec::from_elem(0, batch.len());
    let mut offsets = [0isize; 3];
    loop {
        visit(offsets);
        let mut axis = batch.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            let d = batch[axis];
            index[axis] += 1;
            let strides = [d.a, d.b, d.c];
            for (o, s) in offsets.iter_mut().zip(strides) {
                *o = o.wrapping_add(s);
            }
            if index[axis] < d.len {
                break;
            }
            index[axis] = 0;
            for (o, s) in offsets.iter_mut().zip(strides) {
                *o = o.wrapping_sub(s.wrapping_mul(d.len as isize));
            }
        }
    }
}
