//! The runtime's module structure, read from its `use crate::…` lines: every operation
//! takes the same path down the layers (pattern core → solve → execute → backends → front
//! ends), so an import may only point to the module's own layer or one below, and no
//! imports may close a circle. A new module must be given a layer here.
//!
//! The pattern core is the crate `einops-pattern`, which depends on nothing but
//! `unicode-ident`, and the proc macros use it without the runtime.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The runtime's top-level modules, bottom layer first.
const LAYERS: [(&str, &[&str]); 5] = [
    (
        "foundations: the seal, element types, inputs, rank rules, errors",
        &["sealed", "element", "input", "rank", "error"],
    ),
    (
        "solve: shapes against a plan, walks, the per-site memo",
        &["solve", "memo"],
    ),
    ("execute: the copy, fold and contract kernels", &["kernel"]),
    (
        "backends: ndarray, and candle and burn through the shared tensor lowering",
        &[
            "ops", "pack", "shape", "einsum", "view", "tensor", "candle", "burn",
        ],
    ),
    (
        "front ends: macro call sites, the run-time API, layers",
        &["site", "dynamic", "layers", "macro_support"],
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("einops-runtime/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`None` for `lib.rs`).
fn module_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_owned())
}

/// The top-level modules a file's `use crate::…` items name, with the line of each.
fn imports(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (number, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let code = code
            .strip_prefix("pub(crate) ")
            .or_else(|| code.strip_prefix("pub "))
            .unwrap_or(code);
        let Some(path) = code.strip_prefix("use crate::") else {
            continue;
        };
        if let Some(group) = path.strip_prefix('{') {
            // A group, possibly over several lines: its first segment of each member.
            let mut text = group.to_owned();
            let mut next = number + 1;
            while !text.contains(';') && next < lines.len() {
                text.push_str(lines[next]);
                next += 1;
            }
            let mut depth = 0;
            let mut start = true;
            for (i, c) in text.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && depth == 0 && (c.is_alphabetic() || c == '_') => {
                        let name: String = text[i..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        found.push((name, number + 1));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = path
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((name, number + 1));
        }
    }
    found
}

/// Module → the modules it imports from, with where.
fn graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let entry = graph.entry(module.clone()).or_default();
        for (target, line) in imports(&text) {
            // `pattern` is the re-exported pattern core, below every layer.
            if target != module && target != "pattern" {
                let place = format!("{}:{line}", file.strip_prefix(root()).unwrap().display());
                entry.entry(target).or_insert(place);
            }
        }
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

#[test]
fn every_module_has_a_layer() {
    let unplaced: Vec<String> = graph()
        .into_keys()
        .filter(|module| layer_of(module).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "give these modules a layer in tests/it/architecture.rs: {unplaced:?}"
    );
}

#[test]
fn imports_point_down_the_layers() {
    let mut upward = Vec::new();
    for (module, targets) in graph() {
        let Some(from) = layer_of(&module) else {
            continue;
        };
        for (target, place) in targets {
            match layer_of(&target) {
                Some(to) if to <= from => {}
                Some(to) => upward.push(format!(
                    "{place}: `{module}` ({}) imports `{target}` ({})",
                    LAYERS[from].0, LAYERS[to].0
                )),
                None => upward.push(format!("{place}: `{target}` has no layer")),
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_imports_close_a_circle() {
    let graph = graph();
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut circle = path[at..].to_vec();
            circle.push(module.to_owned());
            return Some(circle);
        }
        if !done.insert(module.to_owned()) {
            return None;
        }
        path.push(module.to_owned());
        for target in graph.get(module).into_iter().flat_map(BTreeMap::keys) {
            if let Some(circle) = visit(target, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        let circle = visit(module, &graph, &mut Vec::new(), &mut done);
        assert!(
            circle.is_none(),
            "modules import in a circle: {:?}",
            circle.unwrap()
        );
    }
}

#[test]
fn the_parser_reads_every_form_of_import() {
    let text = "use crate::error::Error;\npub use crate::site::Site;\n\
                pub(crate) use crate::{kernel::{self, Step},\n    solve};\n";
    let names: Vec<String> = imports(text).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["error", "site", "kernel", "solve"]);
}

#[test]
fn the_pattern_core_and_the_macros_stay_light() {
    let manifest = |krate: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(krate)
                .join("Cargo.toml"),
        )
        .unwrap()
    };
    let dependencies = |text: &str| -> Vec<String> {
        let section = text.split("[dependencies]").nth(1).unwrap_or("");
        let section = section.split("\n[").next().unwrap();
        section
            .lines()
            .filter_map(|line| line.split(['=', '.']).next())
            .map(str::trim)
            .filter(|name| !name.is_empty() && !name.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(dependencies(&manifest("einops-pattern")), ["unicode-ident"]);
    let macros = dependencies(&manifest("einops-macros"));
    assert!(
        !macros.iter().any(|name| name == "einops-runtime"),
        "{macros:?}"
    );
}
