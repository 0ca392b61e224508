//! `einops::dynamic` rearrange/reduce/repeat on arbitrary patterns, lengths and small inputs:
//! never a panic, and every result equals the oracle's.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Err(disagreement) = einops_oracle::fuzz::run_any(bytes) {
        panic!("{disagreement}");
    }
});
