//! What `examples/bench_report.rs` and `benches/kernels.rs` share: the benchmark cases of
//! `cases.json`, their inputs and checksum (as `shared/bench/README.md` defines them), and
//! the code of every implementation of every pattern group, so that nothing is written twice.
//!
//! Included by both with `mod common;` / `#[path = "../benches/common/mod.rs"] mod common;`.
//! Each of them uses only part of it, hence:
#![allow(dead_code)]

use std::path::Path;

use ndarray::linalg::general_mat_mul;
use ndarray::{
    s, Array, Array3, Array4, ArrayBase, ArrayD, ArrayView, Axis, Dimension, Ix2, Ix3, Ix4, IxDyn,
};

/// One entry of `cases.json`.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub group: String,
    /// `large` or `small`.
    pub size: String,
    /// `rearrange`, `reduce`, `repeat` or `einsum`.
    pub op: String,
    pub pattern: String,
    pub reduction: Option<String>,
    /// The einops keyword lengths (`h2 = 2`), in file order.
    pub axes_lengths: Vec<(String, usize)>,
    pub input_shapes: Vec<Vec<usize>>,
    pub output_shape: Vec<usize>,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub bytes_total: u64,
    /// einsum cases: 2·M·N·K.
    pub flops: Option<f64>,
}

impl Case {
    /// The keyword length `name` of this case.
    pub fn length(&self, name: &str) -> Result<usize, Skip> {
        self.axes_lengths
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, v)| v)
            .ok_or_else(|| Skip::Invalid(format!("{}: no axis length `{name}`", self.id)))
    }

    /// Checks that the case is the job the code of its group does.
    fn expect(&self, pattern: &str, reduction: Option<&str>) -> Result<(), Skip> {
        if self.pattern != pattern || self.reduction.as_deref() != reduction {
            return Err(Skip::Invalid(format!(
                "{}: the case says {:?} ({:?}), the code of group `{}` does {:?} ({:?})",
                self.id, self.pattern, self.reduction, self.group, pattern, reduction
            )));
        }
        Ok(())
    }

    /// Builds input number `k` of the case.
    pub fn input(&self, k: usize) -> ArrayD<f32> {
        input(&self.input_shapes[k], k)
    }

    /// Builds all inputs of the case.
    pub fn inputs(&self) -> Vec<ArrayD<f32>> {
        (0..self.input_shapes.len())
            .map(|k| self.input(k))
            .collect()
    }
}

/// Reads `cases.json`.
pub fn load_cases(path: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let root: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let cases = root["cases"]
        .as_array()
        .ok_or_else(|| format!("{}: no `cases` array", path.display()))?;
    cases.iter().map(parse_case).collect()
}

fn parse_case(v: &serde_json::Value) -> Result<Case, String> {
    let id = v["id"].as_str().unwrap_or("?").to_string();
    let field = |key: &str| format!("case {id}: bad or missing `{key}`");
    let string = |key: &str| {
        v[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| field(key))
    };
    let number = |key: &str| v[key].as_u64().ok_or_else(|| field(key));
    let shape = |s: &serde_json::Value| -> Option<Vec<usize>> {
        s.as_array()?
            .iter()
            .map(|n| n.as_u64().map(|n| n as usize))
            .collect()
    };
    let input_shapes = v["input_shapes"]
        .as_array()
        .and_then(|shapes| shapes.iter().map(shape).collect::<Option<Vec<_>>>())
        .ok_or_else(|| field("input_shapes"))?;
    let axes_lengths = match v["axes_lengths"].as_object() {
        Some(map) => map
            .iter()
            .map(|(k, n)| Some((k.clone(), n.as_u64()? as usize)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| field("axes_lengths"))?,
        None => Vec::new(),
    };
    Ok(Case {
        group: string("group")?,
        size: string("size")?,
        op: string("op")?,
        pattern: string("pattern")?,
        reduction: v["reduction"].as_str().map(str::to_string),
        axes_lengths,
        input_shapes,
        output_shape: shape(&v["output_shape"]).ok_or_else(|| field("output_shape"))?,
        bytes_read: number("bytes_read")?,
        bytes_written: number("bytes_written")?,
        bytes_total: number("bytes_total")?,
        flops: v["flops"].as_f64(),
        id,
    })
}

/// Input number `k` of a case: at row-major position i,
/// `f32(((7 i + 13 k) mod 1001) / 1001 - 0.5)` (computed in f64, then rounded to f32).
pub fn input(shape: &[usize], k: usize) -> ArrayD<f32> {
    let n: usize = shape.iter().product();
    let values = (0..n)
        .map(|i| (((7 * i + 13 * k) % 1001) as f64 / 1001.0 - 0.5) as f32)
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape and length agree")
}

/// Σ yᵢ·((i mod 7) + 1) over the row-major output, accumulated in f64, and the same sum of
/// |yᵢ| (the scale a float tolerance is relative to).
pub fn checksum<S, D>(y: &ndarray::ArrayBase<S, D>) -> (f64, f64)
where
    S: ndarray::Data<Elem = f32>,
    D: Dimension,
{
    let (mut sum, mut scale) = (0.0f64, 0.0f64);
    for (i, &v) in y.iter().enumerate() {
        let w = (i % 7 + 1) as f64;
        sum += v as f64 * w;
        scale += (v as f64).abs() * w;
    }
    (sum, scale)
}

/// The implementations a report line can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// The einops macro on `&input`; the output's allocation included.
    Einops,
    /// The einops macro on the owned input passed by value (only where it can keep the buffer).
    EinopsOwned,
    /// The einops `*_into!` macros writing into an existing, already-touched output.
    EinopsInto,
    /// Plain ndarray code for the same job, on `&input`.
    Naive,
    /// Plain ndarray code for the same job, on the owned input (only where it can keep the buffer).
    NaiveOwned,
    /// `copy_from_slice` of the same byte count (see the report).
    Memcpy,
    /// The same copy into a newly allocated buffer each call, whose whole 2 MiB pages are
    /// madvised for huge pages (as einops allocates its outputs): the ceiling of allocating
    /// jobs.
    FreshMemcpy,
    /// `FreshMemcpy` into a 2 MiB-aligned allocation, all of it advised (how einops
    /// allocated before): beside `FreshMemcpy`, what the alignment buys or costs.
    FreshAligned,
    /// A sum over the case's bytes of an already-touched buffer: the ceiling of
    /// reductions, which mostly read.
    Read,
    /// einsum groups: matrixmultiply's `sgemm` called directly on the same M, N, K per batch
    /// index, output allocation included.
    Matrixmultiply,
    /// The `_view` macros on `&input`, where the result can be a view: nothing is copied.
    EinopsView,
    /// The same view written by hand with ndarray's own view calls.
    NaiveView,
}

impl Impl {
    pub const ALL: [Impl; 12] = [
        Impl::Einops,
        Impl::EinopsOwned,
        Impl::EinopsInto,
        Impl::Naive,
        Impl::NaiveOwned,
        Impl::Memcpy,
        Impl::FreshMemcpy,
        Impl::FreshAligned,
        Impl::Read,
        Impl::Matrixmultiply,
        Impl::EinopsView,
        Impl::NaiveView,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Impl::Einops => "einops",
            Impl::EinopsOwned => "einops-owned",
            Impl::EinopsInto => "einops-into",
            Impl::Naive => "ndarray-naive",
            Impl::NaiveOwned => "ndarray-naive-owned",
            Impl::Memcpy => "memcpy",
            Impl::FreshMemcpy => "fresh-memcpy",
            Impl::FreshAligned => "fresh-aligned",
            Impl::Read => "read",
            Impl::Matrixmultiply => "matrixmultiply",
            Impl::EinopsView => "einops-view",
            Impl::NaiveView => "ndarray-view",
        }
    }

    pub fn from_name(name: &str) -> Option<Impl> {
        Impl::ALL.into_iter().find(|i| i.name() == name)
    }
}

/// Why [`run`] did not run a job.
#[derive(Debug)]
pub enum Skip {
    /// No code for this group.
    UnknownGroup,
    /// This implementation does not apply to this group (e.g. `einops-owned` of a transpose),
    /// or does not exist yet.
    NotApplicable,
    /// The case contradicts the code of its group (pattern, reduction, rank or a length).
    Invalid(String),
}

/// What runs a job: the report times it, the criterion bench benchmarks it.
///
/// Every job produces a new standard-layout `Array<f32, D>` (or writes one, for `call_into`).
pub trait Visit {
    type Out;
    /// A job on borrowed inputs `input`, returning a new array.
    fn call<I, D: Dimension>(self, input: &I, f: impl FnMut(&I) -> Array<f32, D>) -> Self::Out;
    /// A job consuming an owned input: each call gets a fresh clone of `input`.
    fn call_owned<DI: Dimension, D: Dimension>(
        self,
        input: &Array<f32, DI>,
        f: impl FnMut(Array<f32, DI>) -> Array<f32, D>,
    ) -> Self::Out;
    /// A job returning a view of `input` (nothing copied).
    fn call_view<'i, I, D: Dimension>(
        self,
        input: &'i I,
        f: impl FnMut(&'i I) -> ArrayView<'i, f32, D>,
    ) -> Self::Out;
    /// A job writing into `out`, an existing array of the output's shape.
    fn call_into<I, D: Dimension>(
        self,
        input: &I,
        out: Array<f32, D>,
        f: impl FnMut(&mut Array<f32, D>, &I),
    ) -> Self::Out;
}

/// Input `k` as a view of rank `D`.
fn view<D: Dimension>(inputs: &[ArrayD<f32>], k: usize) -> Result<ArrayView<'_, f32, D>, Skip> {
    let input = inputs
        .get(k)
        .ok_or_else(|| Skip::Invalid(format!("no input {k}")))?;
    input
        .view()
        .into_dimensionality::<D>()
        .map_err(|_| Skip::Invalid(format!("input {k} has shape {:?}", input.shape())))
}

/// Input `k` as an owned array of rank `D` (a copy of it).
fn owned<D: Dimension>(inputs: &[ArrayD<f32>], k: usize) -> Result<Array<f32, D>, Skip> {
    Ok(view::<D>(inputs, k)?.to_owned())
}

/// An already-touched array of the case's output shape (for the `*_into!` jobs).
fn output<D: Dimension>(case: &Case) -> Result<Array<f32, D>, Skip> {
    // Filled with a non-zero value: written page by page, not lazily mapped zero pages.
    ArrayD::from_elem(IxDyn(&case.output_shape), 1.0f32)
        .into_dimensionality::<D>()
        .map_err(|_| Skip::Invalid(format!("{}: output shape of wrong rank", case.id)))
}

/// Runs `imp` of `case`'s group through `v`: einops with the group's literal pattern, or
/// plain ndarray code for the same job.
///
/// One arm per pattern group. Adding a group (e.g. an einsum) is one more arm here (and
/// one in `into_job` for its `*_into!` form).
pub fn run<V: Visit>(case: &Case, inputs: &[ArrayD<f32>], imp: Impl, v: V) -> Result<V::Out, Skip> {
    use einops::{einsum, rearrange, reduce, repeat};
    if imp == Impl::EinopsInto {
        return into_job(case, inputs, v);
    }
    if matches!(imp, Impl::EinopsView | Impl::NaiveView) {
        return view_job(case, inputs, imp, v);
    }
    let max = |a: &f32, b: &f32| a.max(*b);
    match case.group.as_str() {
        "nchw_to_nhwc" => {
            case.expect("b c h w -> b h w c", None)?;
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| rearrange!(x, "b c h w -> b h w c").unwrap(),
                |x| {
                    x.view()
                        .permuted_axes([0, 2, 3, 1])
                        .as_standard_layout()
                        .into_owned()
                },
            )
        }
        "nhwc_to_nchw" => {
            case.expect("b h w c -> b c h w", None)?;
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| rearrange!(x, "b h w c -> b c h w").unwrap(),
                |x| {
                    x.view()
                        .permuted_axes([0, 3, 1, 2])
                        .as_standard_layout()
                        .into_owned()
                },
            )
        }
        "flatten" => {
            case.expect("b c h w -> b (c h w)", None)?;
            match imp {
                Impl::EinopsOwned => Ok(v.call_owned(&owned::<Ix4>(inputs, 0)?, |x| {
                    rearrange!(x, "b c h w -> b (c h w)").unwrap()
                })),
                Impl::NaiveOwned => Ok(v.call_owned(&owned::<Ix4>(inputs, 0)?, |x| {
                    let (b, c, h, w) = x.dim();
                    x.into_shape_with_order((b, c * h * w)).unwrap()
                })),
                _ => pick(
                    v,
                    imp,
                    &view::<Ix4>(inputs, 0)?,
                    |x| rearrange!(x, "b c h w -> b (c h w)").unwrap(),
                    |x| {
                        let (b, c, h, w) = x.dim();
                        x.to_shape((b, c * h * w)).unwrap().into_owned()
                    },
                ),
            }
        }
        "pixel_shuffle" => {
            case.expect("b (c h2 w2) h w -> b c (h h2) (w w2)", None)?;
            let (h2, w2) = (case.length("h2")?, case.length("w2")?);
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| {
                    rearrange!(x, "b (c h2 w2) h w -> b c (h h2) (w w2)", h2 = h2, w2 = w2).unwrap()
                },
                |x| {
                    let (b, chw, h, w) = x.dim();
                    let c = chw / (h2 * w2);
                    let split = x
                        .view()
                        .into_shape_with_order((b, c, h2, w2, h, w))
                        .unwrap();
                    let moved = split
                        .permuted_axes([0, 1, 4, 2, 5, 3])
                        .as_standard_layout()
                        .into_owned();
                    moved.into_shape_with_order((b, c, h * h2, w * w2)).unwrap()
                },
            )
        }
        "channel_shuffle" => {
            case.expect("b (c1 c2) h w -> b (c2 c1) h w", None)?;
            let c1 = case.length("c1")?;
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| rearrange!(x, "b (c1 c2) h w -> b (c2 c1) h w", c1 = c1).unwrap(),
                |x| {
                    let (b, c, h, w) = x.dim();
                    let split = x
                        .view()
                        .into_shape_with_order((b, c1, c / c1, h, w))
                        .unwrap();
                    let moved = split
                        .permuted_axes([0, 2, 1, 3, 4])
                        .as_standard_layout()
                        .into_owned();
                    moved.into_shape_with_order((b, c, h, w)).unwrap()
                },
            )
        }
        "head_split" => {
            case.expect("b t (h d) -> b h t d", None)?;
            let heads = case.length("h")?;
            pick(
                v,
                imp,
                &view::<Ix3>(inputs, 0)?,
                |x| rearrange!(x, "b t (h d) -> b h t d", h = heads).unwrap(),
                |x| {
                    let (b, t, hd) = x.dim();
                    let split = x
                        .view()
                        .into_shape_with_order((b, t, heads, hd / heads))
                        .unwrap();
                    split
                        .permuted_axes([0, 2, 1, 3])
                        .as_standard_layout()
                        .into_owned()
                },
            )
        }
        "head_merge" => {
            case.expect("b h t d -> b t (h d)", None)?;
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| rearrange!(x, "b h t d -> b t (h d)").unwrap(),
                |x| {
                    let (b, h, t, d) = x.dim();
                    let moved = x
                        .view()
                        .permuted_axes([0, 2, 1, 3])
                        .as_standard_layout()
                        .into_owned();
                    moved.into_shape_with_order((b, t, h * d)).unwrap()
                },
            )
        }
        "transpose2d" => {
            case.expect("h w -> w h", None)?;
            pick(
                v,
                imp,
                &view::<Ix2>(inputs, 0)?,
                |x| rearrange!(x, "h w -> w h").unwrap(),
                |x| x.t().as_standard_layout().into_owned(),
            )
        }
        "reduce_gap_mean" => {
            case.expect("b c h w -> b c", Some("mean"))?;
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| reduce!(x, "b c h w -> b c", mean).unwrap(),
                |x| {
                    // h and w are adjacent and contiguous: one mean over the merged axis.
                    let (b, c, h, w) = x.dim();
                    let merged = x.view().into_shape_with_order((b, c, h * w)).unwrap();
                    merged.mean_axis(Axis(2)).unwrap()
                },
            )
        }
        "reduce_channel_max" => {
            case.expect("b c h w -> b h w", Some("max"))?;
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| reduce!(x, "b c h w -> b h w", max).unwrap(),
                |x| x.fold_axis(Axis(1), f32::NEG_INFINITY, max),
            )
        }
        "reduce_maxpool" => {
            case.expect("b (h h2) (w w2) c -> b h w c", Some("max"))?;
            let (h2, w2) = (case.length("h2")?, case.length("w2")?);
            pick(
                v,
                imp,
                &view::<Ix4>(inputs, 0)?,
                |x| reduce!(x, "b (h h2) (w w2) c -> b h w c", max, h2 = h2, w2 = w2).unwrap(),
                |x| {
                    let (b, hh, ww, c) = x.dim();
                    let split = x
                        .view()
                        .into_shape_with_order((b, hh / h2, h2, ww / w2, w2, c))
                        .unwrap();
                    split.fold_axis(Axis(4), f32::NEG_INFINITY, max).fold_axis(
                        Axis(2),
                        f32::NEG_INFINITY,
                        max,
                    )
                },
            )
        }
        "repeat_channels" => {
            case.expect("h w -> h w c", None)?;
            let c = case.length("c")?;
            pick(
                v,
                imp,
                &view::<Ix2>(inputs, 0)?,
                |x| repeat!(x, "h w -> h w c", c = c).unwrap(),
                |x| {
                    let (h, w) = x.dim();
                    x.view()
                        .insert_axis(Axis(2))
                        .broadcast((h, w, c))
                        .unwrap()
                        .to_owned()
                },
            )
        }
        "repeat_heads" => {
            case.expect("b t d -> b t r d", None)?;
            let r = case.length("r")?;
            pick(
                v,
                imp,
                &view::<Ix3>(inputs, 0)?,
                |x| repeat!(x, "b t d -> b t r d", r = r).unwrap(),
                |x| {
                    let (b, t, d) = x.dim();
                    x.view()
                        .insert_axis(Axis(2))
                        .broadcast((b, t, r, d))
                        .unwrap()
                        .to_owned()
                },
            )
        }
        "attention_views" => attention_job(case, inputs, imp, v),
        "einsum_gram" => {
            case.expect("b c h w, b d h w -> b c d", None)?;
            let operands = (view::<Ix4>(inputs, 0)?, view::<Ix4>(inputs, 1)?);
            match imp {
                Impl::Matrixmultiply => Ok(v.call(&operands, |(x, y)| {
                    let (b, c, h, w) = x.dim();
                    let d = y.dim().1;
                    let k = (h * w) as isize;
                    let mut out = Array3::<f32>::zeros((b, c, d));
                    let (c_, d_) = (c as isize, d as isize);
                    // SAFETY: standard-layout inputs [b, c, h*w] and [b, d, h*w]; the output is
                    // a new standard-layout [b, c, d].
                    unsafe {
                        sgemm_batched(
                            [b, c, d, h * w],
                            (x.as_ptr(), [c_ * k, k, 1]),
                            (y.as_ptr(), [d_ * k, 1, k]),
                            (out.as_mut_ptr(), [c_ * d_, d_, 1]),
                        )
                    };
                    out
                })),
                _ => pick(
                    v,
                    imp,
                    &operands,
                    |(x, y)| einsum!(x, y, "b c h w, b d h w -> b c d").unwrap(),
                    |(x, y)| {
                        let (b, c, h, w) = x.dim();
                        let d = y.dim().1;
                        let mut out = Array3::<f32>::zeros((b, c, d));
                        for i in 0..b {
                            let xi = x.index_axis(Axis(0), i).into_shape_with_order((c, h * w));
                            let yi = y.index_axis(Axis(0), i).into_shape_with_order((d, h * w));
                            let mut oi = out.index_axis_mut(Axis(0), i);
                            general_mat_mul(1.0, &xi.unwrap(), &yi.unwrap().t(), 0.0, &mut oi);
                        }
                        out
                    },
                ),
            }
        }
        "einsum_attn" => {
            case.expect("b h i d, b h j d -> b h i j", None)?;
            let operands = (view::<Ix4>(inputs, 0)?, view::<Ix4>(inputs, 1)?);
            match imp {
                Impl::Matrixmultiply => Ok(v.call(&operands, |(q, k)| {
                    let (b, h, i, d) = q.dim();
                    let j = k.dim().2;
                    let mut out = Array4::<f32>::zeros((b, h, i, j));
                    let (i_, j_, d_) = (i as isize, j as isize, d as isize);
                    // SAFETY: standard-layout inputs [b*h, i, d] and [b*h, j, d]; the output
                    // is a new standard-layout [b*h, i, j].
                    unsafe {
                        sgemm_batched(
                            [b * h, i, j, d],
                            (q.as_ptr(), [i_ * d_, d_, 1]),
                            (k.as_ptr(), [j_ * d_, 1, d_]),
                            (out.as_mut_ptr(), [i_ * j_, j_, 1]),
                        )
                    };
                    out
                })),
                _ => pick(
                    v,
                    imp,
                    &operands,
                    |(q, k)| einsum!(q, k, "b h i d, b h j d -> b h i j").unwrap(),
                    |(q, k)| {
                        let (b, h, i, _) = q.dim();
                        let j = k.dim().2;
                        let mut out = Array4::<f32>::zeros((b, h, i, j));
                        for x in 0..b {
                            for y in 0..h {
                                let qs = q.slice(s![x, y, .., ..]);
                                let ks = k.slice(s![x, y, .., ..]);
                                let mut os = out.slice_mut(s![x, y, .., ..]);
                                general_mat_mul(1.0, &qs, &ks.t(), 0.0, &mut os);
                            }
                        }
                        out
                    },
                ),
            }
        }
        _ => Err(Skip::UnknownGroup),
    }
}

/// `C = A · B` for each of `batch` products of `m × k` by `k × n` with matrixmultiply's `sgemm`;
/// `a`, `b`, `c` are pointers with [batch, row, column] strides in elements.
///
/// # Safety
/// The pointers with their strides must address every element of every product; `c` must
/// not overlap `a` or `b`.
unsafe fn sgemm_batched(
    [batch, m, n, k]: [usize; 4],
    a: (*const f32, [isize; 3]),
    b: (*const f32, [isize; 3]),
    c: (*mut f32, [isize; 3]),
) {
    for i in 0..batch as isize {
        // SAFETY: forwarded from the caller.
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                a.0.offset(i * a.1[0]),
                a.1[1],
                a.1[2],
                b.0.offset(i * b.1[0]),
                b.1[1],
                b.1[2],
                0.0,
                c.0.offset(i * c.1[0]),
                c.1[1],
                c.1[2],
            )
        }
    }
}

/// The `einops` or the `ndarray-naive` job of a group.
fn pick<V: Visit, I, D: Dimension>(
    v: V,
    imp: Impl,
    input: &I,
    einops: impl FnMut(&I) -> Array<f32, D>,
    naive: impl FnMut(&I) -> Array<f32, D>,
) -> Result<V::Out, Skip> {
    match imp {
        Impl::Einops => Ok(v.call(input, einops)),
        Impl::Naive => Ok(v.call(input, naive)),
        _ => Err(Skip::NotApplicable),
    }
}

/// The `einops-view` and `ndarray-view` jobs of the groups whose result can be a view of a
/// standard-layout input.
fn view_job<V: Visit>(
    case: &Case,
    inputs: &[ArrayD<f32>],
    imp: Impl,
    v: V,
) -> Result<V::Out, Skip> {
    use einops::{rearrange_view, repeat_view};
    let einops = imp == Impl::EinopsView;
    macro_rules! job {
        ($rank:ty, |$x:ident| $einops:expr, |$y:ident| $naive:expr) => {{
            let input = view::<$rank>(inputs, 0)?;
            Ok(if einops {
                v.call_view(&input, |$x| $einops)
            } else {
                v.call_view(&input, |$y| $naive)
            })
        }};
    }
    match case.group.as_str() {
        "nchw_to_nhwc" => {
            case.expect("b c h w -> b h w c", None)?;
            job!(
                Ix4,
                |x| rearrange_view!(x, "b c h w -> b h w c").unwrap(),
                |x| x.view().permuted_axes([0, 2, 3, 1])
            )
        }
        "nhwc_to_nchw" => {
            case.expect("b h w c -> b c h w", None)?;
            job!(
                Ix4,
                |x| rearrange_view!(x, "b h w c -> b c h w").unwrap(),
                |x| x.view().permuted_axes([0, 3, 1, 2])
            )
        }
        "transpose2d" => {
            case.expect("h w -> w h", None)?;
            job!(Ix2, |x| rearrange_view!(x, "h w -> w h").unwrap(), |x| x
                .t())
        }
        "flatten" => {
            case.expect("b c h w -> b (c h w)", None)?;
            job!(
                Ix4,
                |x| rearrange_view!(x, "b c h w -> b (c h w)").unwrap(),
                |x| {
                    let (b, c, h, w) = x.dim();
                    x.view().into_shape_with_order((b, c * h * w)).unwrap()
                }
            )
        }
        "head_split" => {
            case.expect("b t (h d) -> b h t d", None)?;
            let heads = case.length("h")?;
            job!(
                Ix3,
                |x| rearrange_view!(x, "b t (h d) -> b h t d", h = heads).unwrap(),
                |x| {
                    let (b, t, hd) = x.dim();
                    let split = x
                        .view()
                        .into_shape_with_order((b, t, heads, hd / heads))
                        .unwrap();
                    split.permuted_axes([0, 2, 1, 3])
                }
            )
        }
        "repeat_channels" => {
            case.expect("h w -> h w c", None)?;
            let c = case.length("c")?;
            job!(
                Ix2,
                |x| repeat_view!(x, "h w -> h w c", c = c).unwrap(),
                |x| {
                    let (h, w) = x.dim();
                    x.broadcast((c, h, w)).unwrap().permuted_axes([1, 2, 0])
                }
            )
        }
        "repeat_heads" => {
            case.expect("b t d -> b t r d", None)?;
            let r = case.length("r")?;
            job!(
                Ix3,
                |x| repeat_view!(x, "b t d -> b t r d", r = r).unwrap(),
                |x| {
                    let (b, t, d) = x.dim();
                    x.broadcast((r, b, t, d))
                        .unwrap()
                        .permuted_axes([1, 2, 0, 3])
                }
            )
        }
        "attention_views" => attention_job(case, inputs, imp, v),
        _ => Err(Skip::NotApplicable),
    }
}

/// Attention with q, k and v split into heads as copies (`einops`) or as views
/// (`einops-view`), then the two einsums.
fn attention_job<V: Visit>(
    case: &Case,
    inputs: &[ArrayD<f32>],
    imp: Impl,
    v: V,
) -> Result<V::Out, Skip> {
    use einops::{rearrange, rearrange_view};
    case.expect("b t (h d) -> b h t d", None)?;
    let heads = case.length("h")?;
    let qkv = [
        view::<Ix3>(inputs, 0)?,
        view::<Ix3>(inputs, 1)?,
        view::<Ix3>(inputs, 2)?,
    ];
    match imp {
        Impl::Einops => Ok(v.call(&qkv, |[q, k, v]| {
            let split = |x| rearrange!(x, "b t (h d) -> b h t d", h = heads).unwrap();
            attention(&split(q), &split(k), &split(v))
        })),
        Impl::EinopsView => Ok(v.call(&qkv, |[q, k, v]| {
            let split = |x| rearrange_view!(x, "b t (h d) -> b h t d", h = heads).unwrap();
            attention(&split(q), &split(k), &split(v))
        })),
        _ => Err(Skip::NotApplicable),
    }
}

/// Attention of heads `q`, `k`, `v` (`b h t d`): `softmax` left out, the two products only.
fn attention<S: ndarray::Data<Elem = f32>>(
    q: &ArrayBase<S, Ix4>,
    k: &ArrayBase<S, Ix4>,
    v: &ArrayBase<S, Ix4>,
) -> Array<f32, Ix4> {
    use einops::einsum;
    let scores = einsum!(q, k, "b h i d, b h j d -> b h i j").unwrap();
    einsum!(&scores, v, "b h i j, b h j d -> b h i d").unwrap()
}

/// The `einops-into` job of a group.
fn into_job<V: Visit>(case: &Case, inputs: &[ArrayD<f32>], v: V) -> Result<V::Out, Skip> {
    use einops::{einsum_into, rearrange_into, reduce_into, repeat_into};
    match case.group.as_str() {
        "nchw_to_nhwc" => {
            case.expect("b c h w -> b h w c", None)?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "b c h w -> b h w c").unwrap()
                }),
            )
        }
        "nhwc_to_nchw" => {
            case.expect("b h w c -> b c h w", None)?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "b h w c -> b c h w").unwrap()
                }),
            )
        }
        "flatten" => {
            case.expect("b c h w -> b (c h w)", None)?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix2>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "b c h w -> b (c h w)").unwrap()
                }),
            )
        }
        "pixel_shuffle" => {
            case.expect("b (c h2 w2) h w -> b c (h h2) (w w2)", None)?;
            let (h2, w2) = (case.length("h2")?, case.length("w2")?);
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    rearrange_into!(
                        &mut *out,
                        x,
                        "b (c h2 w2) h w -> b c (h h2) (w w2)",
                        h2 = h2,
                        w2 = w2
                    )
                    .unwrap()
                }),
            )
        }
        "channel_shuffle" => {
            case.expect("b (c1 c2) h w -> b (c2 c1) h w", None)?;
            let c1 = case.length("c1")?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "b (c1 c2) h w -> b (c2 c1) h w", c1 = c1)
                        .unwrap()
                }),
            )
        }
        "head_split" => {
            case.expect("b t (h d) -> b h t d", None)?;
            let heads = case.length("h")?;
            Ok(
                v.call_into(&view::<Ix3>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "b t (h d) -> b h t d", h = heads).unwrap()
                }),
            )
        }
        "head_merge" => {
            case.expect("b h t d -> b t (h d)", None)?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix3>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "b h t d -> b t (h d)").unwrap()
                }),
            )
        }
        "transpose2d" => {
            case.expect("h w -> w h", None)?;
            Ok(
                v.call_into(&view::<Ix2>(inputs, 0)?, output::<Ix2>(case)?, |out, x| {
                    rearrange_into!(&mut *out, x, "h w -> w h").unwrap()
                }),
            )
        }
        "reduce_gap_mean" => {
            case.expect("b c h w -> b c", Some("mean"))?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix2>(case)?, |out, x| {
                    reduce_into!(&mut *out, x, "b c h w -> b c", mean).unwrap()
                }),
            )
        }
        "reduce_channel_max" => {
            case.expect("b c h w -> b h w", Some("max"))?;
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix3>(case)?, |out, x| {
                    reduce_into!(&mut *out, x, "b c h w -> b h w", max).unwrap()
                }),
            )
        }
        "reduce_maxpool" => {
            case.expect("b (h h2) (w w2) c -> b h w c", Some("max"))?;
            let (h2, w2) = (case.length("h2")?, case.length("w2")?);
            Ok(
                v.call_into(&view::<Ix4>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    reduce_into!(
                        &mut *out,
                        x,
                        "b (h h2) (w w2) c -> b h w c",
                        max,
                        h2 = h2,
                        w2 = w2
                    )
                    .unwrap()
                }),
            )
        }
        "repeat_channels" => {
            case.expect("h w -> h w c", None)?;
            let c = case.length("c")?;
            Ok(
                v.call_into(&view::<Ix2>(inputs, 0)?, output::<Ix3>(case)?, |out, x| {
                    repeat_into!(&mut *out, x, "h w -> h w c", c = c).unwrap()
                }),
            )
        }
        "repeat_heads" => {
            case.expect("b t d -> b t r d", None)?;
            let r = case.length("r")?;
            Ok(
                v.call_into(&view::<Ix3>(inputs, 0)?, output::<Ix4>(case)?, |out, x| {
                    repeat_into!(&mut *out, x, "b t d -> b t r d", r = r).unwrap()
                }),
            )
        }
        "einsum_gram" => {
            case.expect("b c h w, b d h w -> b c d", None)?;
            let operands = (view::<Ix4>(inputs, 0)?, view::<Ix4>(inputs, 1)?);
            Ok(v.call_into(&operands, output::<Ix3>(case)?, |out, (x, y)| {
                einsum_into!(&mut *out, x, y, "b c h w, b d h w -> b c d").unwrap()
            }))
        }
        "einsum_attn" => {
            case.expect("b h i d, b h j d -> b h i j", None)?;
            let operands = (view::<Ix4>(inputs, 0)?, view::<Ix4>(inputs, 1)?);
            Ok(v.call_into(&operands, output::<Ix4>(case)?, |out, (q, k)| {
                einsum_into!(&mut *out, q, k, "b h i d, b h j d -> b h i j").unwrap()
            }))
        }
        // Its output is the einsums' result; the `_into` forms are not what it compares.
        "attention_views" => Err(Skip::NotApplicable),
        _ => Err(Skip::UnknownGroup),
    }
}
