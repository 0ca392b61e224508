//! The integration tests, as one test crate so that `cargo test` links the library into
//! one test binary instead of one per file. Each module was a test target of its own and
//! keeps its name, so `cargo test --test it kernels::` runs what `--test it kernels::` ran.

mod common;

mod adversarial;
mod architecture;
mod burn;
mod candle;
mod concurrency;
mod drops;
mod einsum;
mod einsum_oracle;
mod error_catalogue;
mod forms;
mod fuzz_smoke;
mod gradients;
mod hygiene;
mod kernels;
mod layers;
mod memo;
mod oracle;
mod pack;
mod parse_shape;
mod training;
mod ui;
mod vectors;
mod vectors_macro;
mod views;
