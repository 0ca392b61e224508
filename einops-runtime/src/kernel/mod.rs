//! The loops that move and fold elements.
//!
//! Every operation hands the kernels a walk: one [`Step`] per elementary axis with its
//! length and source and destination strides. Callers simplify it first (drop unit axes,
//! fuse contiguous ones; see [`simplify`]), once per call site and layout when the memo
//! keeps it, and the kernels pick a loop shape from what remains.
//!
//! Element types fall into three classes. *Plain* primitives (numbers, `bool`, `char`)
//! are moved as bytes of their size by the fast kernels. Other types without drop glue
//! are cloned one by one in any order. Types with drop glue are cloned in output order,
//! pushed onto the output vector, so a panicking `Clone` drops exactly what was made.

mod alloc;
pub(crate) mod contract;
mod copy;
mod gemm;
mod parallel;
mod reduce;
mod stream;
mod transpose;
mod tuning;

pub(crate) use crate::solve::walk::{count, for_each, simplify, standard_strides, Step, Steps};
pub(crate) use alloc::{copied, extend_from_slice, OutputBuffer};
use copy::copy_long_run;
pub(crate) use reduce::{reduce, simplify_reduced};
use tuning::LONG_RUN;

/// Asks for the cache line holding `address` to be brought into the caches: a hint that
/// never faults, so any address will do. Nothing on other architectures, or under Miri,
/// which has no caches to fill.
#[inline(always)]
fn prefetch<T>(address: *const T) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch reads nothing and cannot fault; SSE is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast())
    };
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = address;
}

/// How elements of a type may be moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A primitive of this many bytes: copied bitwise.
    Plain(usize),
    /// No drop glue: cloned, in any order.
    Clone,
    /// Drop glue: cloned in order, so that a panic leaves no half-made output.
    Drop,
}

/// The class of `A`.
pub(crate) fn class<A>() -> Class {
    let id = typeid::of::<A>();
    let plain = [
        typeid::of::<f32>(),
        typeid::of::<f64>(),
        typeid::of::<i8>(),
        typeid::of::<i16>(),
        typeid::of::<i32>(),
        typeid::of::<i64>(),
        typeid::of::<i128>(),
        typeid::of::<isize>(),
        typeid::of::<u8>(),
        typeid::of::<u16>(),
        typeid::of::<u32>(),
        typeid::of::<u64>(),
        typeid::of::<u128>(),
        typeid::of::<usize>(),
        typeid::of::<bool>(),
        typeid::of::<char>(),
    ];
    if plain.contains(&id) {
        Class::Plain(std::mem::size_of::<A>())
    } else if std::mem::needs_drop::<A>() {
        Class::Drop
    } else {
        Class::Clone
    }
}

/// Copies (clones) every element of the walk from `src` to `dst`, overwriting `dst`
/// without dropping what was there.
///
/// # Safety
/// `steps` must be a walk [`simplify`] returned. Every offset of the walk must address an
/// initialised element of `src` and a writable slot of `dst`; destination offsets must be
/// distinct and not overlap `src`. `A` must not be of class [`Class::Drop`] unless `dst` is
/// uninitialised and the caller accepts leaking the written prefix if a clone panics.
pub(crate) unsafe fn copy<A: Clone>(steps: &[Step], src: *const A, dst: *mut A) {
    // SAFETY: forwarded; plain types are exactly their bytes, so reinterpreting them as
    // unsigned integers of the same size copies them.
    unsafe {
        match class::<A>() {
            Class::Plain(1) => copy_plain::<u8>(steps, src.cast(), dst.cast()),
            Class::Plain(2) => copy_plain::<u16>(steps, src.cast(), dst.cast()),
            Class::Plain(4) => copy_plain::<u32>(steps, src.cast(), dst.cast()),
            Class::Plain(8) => copy_plain::<u64>(steps, src.cast(), dst.cast()),
            Class::Plain(16) => copy_plain::<u128>(steps, src.cast(), dst.cast()),
            _ => for_each(steps, move |s, d| {
                dst.offset(d).write((*src.offset(s)).clone())
            }),
        }
    }
}

/// # Safety
/// As for [`copy()`], with a simplified walk.
unsafe fn copy_plain<T: Copy + Send + Sync>(steps: &[Step], src: *const T, dst: *mut T) {
    let (src, dst) = (parallel::Shared(src.cast_mut()), parallel::Shared(dst));
    let bytes = count(steps) * std::mem::size_of::<T>();
    let streaming = bytes >= tuning::STREAM_BYTES;
    parallel::chunks(steps, bytes, |chunk, s, d| {
        let (src, dst) = (src.ptr().offset(s), dst.ptr().offset(d));
        // SAFETY: chunks of the outermost loop write disjoint parts of the walk.
        unsafe {
            if streaming {
                copy::copy::<T, true>(chunk, src, dst)
            } else {
                copy::copy::<T, false>(chunk, src, dst)
            }
        }
    });
}

/// Clones the walk's elements into a new vector in walk order: the path for types with
/// drop glue, where a panicking `Clone` must leave only whole elements behind. (A
/// simplified walk into a standard-layout output still visits it in order: its loops are
/// sorted by destination stride.)
///
/// # Safety
/// `steps` must be a walk [`simplify`] returned; every source offset of the walk must
/// address an initialised element of `src`.
pub(crate) unsafe fn clone_in_order<A: Clone>(steps: &[Step], src: *const A) -> Vec<A> {
    let mut out = Vec::with_capacity(count(steps));
    // SAFETY: forwarded from the caller.
    for_each(steps, |s, _| out.push(unsafe { &*src.offset(s) }.clone()));
    out
}

/// Assigns (dropping the old values) every element of the walk from `src` to `dst`.
///
/// # Safety
/// `steps` must be a walk [`simplify`] returned. Every offset must address an initialised
/// element of `src` and of `dst`; destination offsets must be distinct and not overlap
/// `src`.
pub(crate) unsafe fn assign<A: Clone>(steps: &[Step], src: *const A, dst: *mut A) {
    // SAFETY: forwarded from the caller.
    for_each(steps, move |s, d| unsafe {
        *dst.offset(d) = (*src.offset(s)).clone()
    });
}
