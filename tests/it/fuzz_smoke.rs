//! The fuzz targets' logic (tools/oracle/src/fuzz.rs) on stable, as part of every test run:
//! the seed corpus made from the reference vectors, then random and mutated inputs. The long
//! runs are libFuzzer's (fuzz/README.md); this keeps the targets honest between them.

use einops_oracle::fuzz::{parse_any, run_any, seeds};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const VECTORS: &str = include_str!("../data/public.jsonl");

#[test]
fn seed_corpus_parses_and_matches_the_oracle() {
    let seeds = seeds(VECTORS);
    let dynamic = seeds.iter().filter(|(target, ..)| *target == "dynamic");
    assert!(dynamic.count() > 200, "most vectors make dynamic seeds");
    for (target, id, bytes) in &seeds {
        match *target {
            "parse" => parse_any(bytes),
            _ => assert_eq!(run_any(bytes), Ok(()), "seed {id}"),
        }
    }
}

/// A seed with some bytes overwritten, as a fuzzer's first mutations would.
fn mutated_seed(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let corpus: Vec<Vec<u8>> = seeds(VECTORS)
        .into_iter()
        .filter(|(t, ..)| *t == target)
        .map(|(.., bytes)| bytes)
        .collect();
    (select(corpus), vec((any::<usize>(), any::<u8>()), 0..4)).prop_map(|(mut bytes, edits)| {
        for (at, byte) in edits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes
    })
}

/// Cases per property: 256, or `EINOPS_FUZZ_CASES` (`.ci/run` runs a longer lane).
fn cases() -> u32 {
    std::env::var("EINOPS_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn parser_never_panics_on_random_bytes(bytes in vec(any::<u8>(), 0..64)) {
        parse_any(&bytes);
    }

    #[test]
    fn parser_never_panics_on_mutated_seeds(bytes in mutated_seed("parse")) {
        parse_any(&bytes);
    }

    #[test]
    fn dynamic_agrees_with_the_oracle_on_random_bytes(bytes in vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(run_any(&bytes), Ok(()));
    }

    #[test]
    fn dynamic_agrees_with_the_oracle_on_mutated_seeds(bytes in mutated_seed("dynamic")) {
        prop_assert_eq!(run_any(&bytes), Ok(()));
    }
}
