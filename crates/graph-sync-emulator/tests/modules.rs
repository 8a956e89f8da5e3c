//! The emulator's modules import each other without a cycle.
//!
//! Each source file is a module (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`). A reference
//! to `crate::x::y::…`, `super::…` or `self::…` in a file's code (comments and the trailing
//! `#[cfg(test)]` module excluded: test code may reach anywhere) is an edge to the deepest
//! module that path names. `mod x;` declarations are not edges. The graph of files must be
//! acyclic, so a module that uses another is never used by it, even through others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module path of a source file relative to `src/`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its trailing test module.
fn code(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file's code references: `crate::…`, `super::…`, `self::…`, including
/// each name of a braced group (`use crate::a::{b, c::d}`).
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(offset) = code[from..].find(start) {
            let at = from + offset;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue; // `my_crate::`, not `crate::`
            }
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "self::" => module.to_vec(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = &code[from..];
            // Further `super::` segments.
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let path = path.trim_end_matches(':');
            let mut full = base.clone();
            full.extend(
                path.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            found.push(full.clone());
            // A braced group: each item is a path below the prefix.
            if rest[path.len()..].trim_start_matches(':').starts_with('{') {
                let group_start = from + path.len() + rest[path.len()..].find('{').unwrap() + 1;
                let group_end = code[group_start..]
                    .find('}')
                    .map_or(code.len(), |e| group_start + e);
                for item in code[group_start..group_end].split(',') {
                    let item = item.trim().trim_start_matches('{');
                    let mut item_path = full.clone();
                    item_path.extend(
                        item.split("::")
                            .map(str::trim)
                            .filter(|s| {
                                !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                            })
                            .map(str::to_owned),
                    );
                    found.push(item_path);
                }
            }
        }
    }
    found
}

/// The deepest known module that `path` names.
fn target(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (0..=path.len())
        .rev()
        .map(|len| path[..len].to_vec())
        .find(|prefix| modules.contains(prefix))
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(position) = stack.iter().position(|n| n == node) {
            return Some(stack[position..].iter().map(|n| n.join("::")).collect());
        }
        if !done.insert(node.clone()) {
            return None;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// The module graph of the crate's `src/`.
fn module_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.retain(|file| !file.ends_with("main.rs"));
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|file| {
            (
                module_of(file.strip_prefix(&src).unwrap()),
                code(&std::fs::read_to_string(file).unwrap()),
            )
        })
        .collect();
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, code)| {
            let edges = references(code, module)
                .iter()
                .filter_map(|path| target(path, &known))
                .filter(|to| to != module)
                .collect();
            (module.clone(), edges)
        })
        .collect()
}

#[test]
fn the_emulator_modules_import_each_other_without_a_cycle() {
    let graph = module_graph();
    assert!(graph.len() > 20, "{} modules found", graph.len());
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    assert!(edges > 40, "{edges} edges found");
    assert_eq!(find_cycle(&graph), None);
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let module = |name: &str| vec![name.to_owned()];
    let mut graph = BTreeMap::new();
    graph.insert(module("a"), BTreeSet::from([module("b")]));
    graph.insert(module("b"), BTreeSet::from([module("c")]));
    graph.insert(module("c"), BTreeSet::from([module("a")]));
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
    );
    graph.insert(module("c"), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
}

#[test]
fn references_read_use_groups_and_relative_paths() {
    let module = vec!["x".to_owned(), "y".to_owned()];
    let found = references(
        "use crate::a::{b, c::d};\nuse super::z::W;\nlet v = self::q::f();\nmy_crate::no();",
        &module,
    );
    let names: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    for expected in ["a", "a::b", "a::c::d", "x::z::W", "x::y::q::f"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.starts_with("no")), "{names:?}");
}
