//! Writes the seed corpus of the fuzz targets from the reference vectors:
//! `cargo run -p einops-oracle --bin write-fuzz-corpus` fills `fuzz/corpus/{parse,dynamic}/`
//! (git-ignored) with one file per vector.

use std::fs;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let vectors = fs::read_to_string(root.join("tests/data/public.jsonl"))?;
    let seeds = einops_oracle::fuzz::seeds(&vectors);
    for (target, id, bytes) in &seeds {
        let folder = root.join("fuzz/corpus").join(target);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join(id), bytes)?;
    }
    println!("wrote {} seeds to fuzz/corpus/", seeds.len());
    Ok(())
}
