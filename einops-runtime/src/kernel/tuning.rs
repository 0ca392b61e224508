//! Every machine-specific threshold of the kernels, in one place, each with the benchmark
//! that chose it. They were measured on 2-core cloud machines (AMD Zen 3, later Zen 4 with
//! AVX-512) with `cargo run --release --example bench_report -- --cases
//! tests/data/cases.json` (called `bench_report` below) unless said otherwise; on another
//! machine, rerun the named cases before changing one. Limits that follow from the data
//! layout (a page, the blocking that keeps float sums accurate) stay with their kernels.

/// Walks moving fewer bytes than this run on the calling thread: a parallel call costs
/// microseconds, which smaller walks cannot repay: `bench_report --threads 2` on the small
/// and large copies.
#[cfg(feature = "rayon")]
pub(super) const PARALLEL_BYTES: usize = 1 << 20;

/// Destination walks at least this large (in bytes) stream their runs and fills (see
/// `stream`): well beyond the last-level cache share of one core. `bench_report --size
/// large` on `flatten`, `head_merge` and `repeat_channels`, and on `reduce_maxpool`
/// (whose 16 MiB output is the smallest that streams); the streaming outputs of the kernel
/// tests (`streaming_outputs_match_the_reference`) cover the copies' path, and the
/// reduction tests stream small outputs directly.
pub(crate) const STREAM_BYTES: usize = 16 << 20;

/// Interleaved streams the hardware prefetchers follow well: `bench_report --size large`
/// on `head_split` (read in destination order it interleaves 8 heads × 2 runs).
pub(super) const FEW_STREAMS: usize = 16;

/// Walks moving less than this stay in the caches, where the order of the runs does not
/// matter: `head_split` small against large.
pub(super) const LARGE_WALK: usize = 1 << 20;

/// Runs shorter than this many bytes are copied inline, since a `memcpy` call costs more
/// than the copy: instructions per call of the small copies, counted with
/// `examples/call_cost.rs` under callgrind.
pub(super) const INLINE_RUN: usize = 128;

/// Runs of this many bytes or more are copied by the kernels' own loop: above 2112 bytes
/// glibc 2.36's `memcpy` switches to `rep movsb`, which runs about 25 times slower when
/// the destination starts 16 bytes past the source modulo 4 KiB. `flatten/large` and the
/// kernel benchmarks (`cargo bench --bench kernels`).
pub(super) const LONG_RUN: usize = 2048;

/// Destination alignment of a long run's moves after the first: unaligned 32-byte stores
/// that straddle cache lines halved the loop's speed (`flatten/large`).
pub(super) const MOVE_ALIGN: usize = 32;

/// Side of a transposition's cache block, in elements: a block reads from at most this
/// many source columns and writes at most this many destination rows, which keeps the
/// pages it touches within the TLB. `transpose2d`, `nchw_to_nhwc` and `nhwc_to_nchw`
/// (large, `einops-into` against `memcpy`, builds alternated, two runs each) on Zen 4:
/// 64: 0.59–0.68, 0.50–0.51, 0.35–0.45; 128: 0.56–0.64, 0.57–0.61, 0.61–0.65; 256:
/// 0.67–0.81, 0.48–0.60, 0.66–0.70; 512: 0.65–0.72, 0.50–0.51, 0.61–0.63; 1024: 0.31–0.33
/// on `transpose2d`.
pub(super) const TRANSPOSE_BLOCK: usize = 256;

/// Rows of a narrow transposition block: one 16×16 square of whole lines wide, for
/// destination rows no longer than [`TRANSPOSE_BLOCK`] in outputs that stream. Its 16
/// source rows are read a few pages at a time and its lines are written whole, where a
/// square block of 256 rows read 64 source rows a kilobyte at a time. `bench_report
/// --size large --filter nchw_to_nhwc`, builds alternated, 6–8 rounds, medians on a Zen 5,
/// fresh-memcpy / memcpy: 256×256 blocks with 8×8 squares 0.69–0.70 / 0.53–0.59×; 16×16
/// squares in those blocks 0.67–0.71 / 0.50–0.61× (four rounds); narrow blocks of 256
/// rows 0.74–0.76 / 0.60–0.73× (two rounds), 1024 rows 0.81 / 0.70×, 4096 rows 0.77–0.81 /
/// 0.69–0.72×, all 16384 rows 0.72 / 0.59×; 8×8 squares in 1024×16 blocks 0.74 / 0.61×.
pub(super) const TRANSPOSE_NARROW_ROWS: usize = 4096;

/// Lanes whose states a vertical reduction pass holds in registers: 16 of 4 bytes fill two
/// AVX2 registers per state array; 32 was slower on `reduce_channel_max/large` in the
/// standalone kernel below (0.64× against 0.72× of read bandwidth).
pub(super) const FOLD_CHUNK: usize = 16;

/// Rows a vertical reduction pass folds before its states leave the registers: few enough
/// source streams for the prefetcher to follow every one. `reduce_channel_max/large` (64
/// rows 64 KiB apart) in a standalone copy of the kernel (not kept; one process, configs
/// alternated, best of 15), fraction of read bandwidth: 1 row 0.2–0.3×, 4 rows 0.5–0.6×,
/// 8 rows 0.72–0.89×, 12 rows 0.75–0.85×, 16 rows 0.50×, 64 rows 0.31×. A Zen 5 prefers
/// fewer rows over wider blocks: `bench_report --size large --filter reduce`, builds
/// alternated, three rounds, with [`FOLD_LANES`] = 4096: 2 rows 0.51–0.54×, 4 rows
/// 0.58–0.64×, 8 rows 0.49–0.58×, 16 rows 0.45–0.49×; with 16384 lanes: 4 rows
/// 0.78–0.81×, 6 rows 0.72–0.75×, 8 rows 0.50–0.57×. Kept at the Zen 4's choice until one
/// setting is measured on both.
pub(super) const FOLD_PASS: usize = 8;

/// Lanes of a vertical block whose states wait on the stack between passes (16 KiB of
/// `f32` states, half of L1): `reduce_channel_max/large` in the same standalone kernel,
/// 256 lanes 0.47×, 1024 0.72–0.84×, 4096 0.79–0.86×, 16384 0.77–0.89× of read bandwidth.
pub(super) const FOLD_LANES: usize = 4096;

/// How far ahead along each source row, in bytes, a vertical fold of an input larger than
/// [`LARGE_WALK`] prefetches: the hardware prefetchers alone left the eight rows of a pass
/// waiting on memory. `bench_report --size large --filter reduce` on a Zen 5 (one build per
/// distance, alternated; two rounds each, four for 4096, seven for 1024, five for none),
/// `reduce_channel_max/large` as a fraction of read bandwidth: none 0.50–0.57×, 512 bytes
/// 0.89×, 1024 0.88–1.01×, 1536 0.87–0.95×, 2048 0.85–0.87×, 4096 0.62–0.80×, 8192
/// 0.59–0.85×, 16384 0.53–0.63×.
pub(super) const FOLD_PREFETCH: usize = 1024;

/// The same for a pooling window folded in one pass, whose rows advance by a window's
/// width per output instead of a chunk: `reduce_maxpool/large` in the same runs: none
/// 0.52–0.56×, 512 0.50–0.58×, 1024 0.56–0.59×, 1536 0.59–0.62×, 2048 0.66–0.68×, 4096
/// 0.75–0.78×, 8192 0.65–0.67×, 16384 0.53–0.56×.
pub(super) const WINDOW_PREFETCH: usize = 4096;

/// Independent accumulators of a horizontal fold: enough vector registers' worth to hide
/// the latency of floating-point adds (`reduce_gap_mean/large`).
pub(super) const FOLD_ACCUMULATORS: usize = 32;
/// Horizontal runs shorter than this fold with [`FEW_ACCUMULATORS`], since seeding and
/// combining 32 would dominate them (`reduce_gap_mean/small`, 64-element runs).
pub(super) const SHORT_FOLD: usize = 256;
pub(super) const FEW_ACCUMULATORS: usize = 8;

/// Float products of at most this many multiply-adds (`m·n·k`), at least [`DOT_DEPTH`]
/// deep, whose rows of A and columns of B are contiguous are computed as dot products:
/// packing for the GEMM kernel costs more than the whole product at these sizes, and the
/// operands stay in L1. Shallower products have too little work per dot to pay for adding
/// up its lanes. `einsum_attn/small` and `einsum_gram/small`.
pub(super) const DOTS: usize = 1 << 15;
pub(super) const DOT_DEPTH: usize = 64;
