//! Arbitrary bytes as a pattern of any kind: a plan or an error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| einops_oracle::fuzz::parse_any(bytes));
