//! The import-cycle check of `cargo xtask tidy`: no two files of a crate import each other,
//! directly or through others.
//!
//! A module that both uses and is used by another belongs with it, or the part both need
//! belongs below both. The check reads each crate's module tree from `src/lib.rs` and
//! `src/main.rs` (following `mod name;` to `name.rs` or `name/mod.rs`), and draws an edge from
//! a file to the file that defines what a `crate::…`, `super::…` or `self::…` path names,
//! looking through `pub use` re-exports. The nodes are files; a file and its own submodules
//! (`mod.rs` re-exporting a child, a child using `super::`) are one unit, so edges between a
//! module and its ancestors do not count. Comments, strings and `#[cfg(test)] mod …` blocks
//! are skipped: a test may use anything. Every strongly connected set of files is reported
//! with one cycle through it.
//!
//! The check is a reader of Rust text, not a compiler: it understands the `use` trees, paths
//! in expressions and types, and `pub use` chains this workspace writes, and ignores macros'
//! generated paths (except `$crate::`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The crates whose `src/` must be free of import cycles.
pub(crate) const CHECKED: &[&str] = &[
    "crates/graph-sync-model",
    "crates/graph-sync-transport",
    "crates/graph-sync-api",
    "crates/graph-sync-cli",
    "crates/graph-sync-bench",
    "crates/graph-sync-emulator",
    "xtask",
];

/// One import cycle, reported at the first file's import of the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cycle {
    /// The first file, relative to the workspace root.
    pub(crate) path: String,
    /// The line of its import of the next file.
    pub(crate) line: usize,
    /// `import cycle: a.rs → b.rs → a.rs`.
    pub(crate) message: String,
}

/// Checks every crate of `crates` (directories relative to `root`).
pub(crate) fn check(root: &Path, crates: &[&str]) -> Vec<Cycle> {
    let mut violations = Vec::new();
    for dir in crates {
        for root_file in ["src/lib.rs", "src/main.rs"] {
            let file = root.join(dir).join(root_file);
            if file.is_file() {
                let tree = Tree::read(&file);
                violations.extend(tree.cycles().into_iter().map(|(cycle, component)| {
                    let name = |m: usize| relative(root, &tree.modules[m].file);
                    let first = cycle[0].0;
                    let mut message = format!(
                        "import cycle: {}",
                        cycle
                            .iter()
                            .map(|(m, _)| name(*m))
                            .chain(std::iter::once(name(first)))
                            .collect::<Vec<_>>()
                            .join(" → ")
                    );
                    if component.len() > cycle.len() {
                        let others: Vec<String> = component
                            .iter()
                            .filter(|m| !cycle.iter().any(|(c, _)| c == *m))
                            .map(|m| name(*m))
                            .collect();
                        message.push_str(&format!(" (and through it also {})", others.join(", ")));
                    }
                    Cycle {
                        path: name(first),
                        line: cycle[0].1,
                        message,
                    }
                }));
            }
        }
    }
    violations
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// One file of the module tree.
#[derive(Debug)]
struct Module {
    file: PathBuf,
    /// The module path from the crate root (`[]` for the root itself).
    path: Vec<String>,
    /// Child modules declared with `mod name;`, by name.
    children: BTreeMap<String, usize>,
    /// Names this module re-exports (`pub use a::b::Name;`, `pub use a::{B, C as D}`): the
    /// visible name and the path it stands for.
    reexports: BTreeMap<String, Vec<String>>,
    /// Every `crate`/`super`/`self` path the file names, with its line.
    paths: Vec<(Vec<String>, usize)>,
}

#[derive(Debug)]
struct Tree {
    modules: Vec<Module>,
}

impl Tree {
    fn read(root_file: &Path) -> Self {
        let mut tree = Self {
            modules: Vec::new(),
        };
        tree.load(root_file, Vec::new(), true);
        tree
    }

    /// Loads `file` as module `path`; `owns_dir` is true for `lib.rs`, `main.rs` and
    /// `mod.rs`, whose children live in the same directory.
    fn load(&mut self, file: &Path, path: Vec<String>, owns_dir: bool) -> usize {
        let text = fs::read_to_string(file).unwrap_or_default();
        let code = strip(&text);
        let code = strip_test_modules(&code);
        let index = self.modules.len();
        self.modules.push(Module {
            file: file.to_path_buf(),
            path: path.clone(),
            children: BTreeMap::new(),
            reexports: BTreeMap::new(),
            paths: Vec::new(),
        });
        let dir = match (owns_dir, file.parent()) {
            (true, Some(parent)) => parent.to_path_buf(),
            (false, Some(parent)) => {
                let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                parent.join(stem)
            }
            (_, None) => PathBuf::new(),
        };
        for name in declared_modules(&code) {
            let (child_file, child_owns) = if dir.join(format!("{name}.rs")).is_file() {
                (dir.join(format!("{name}.rs")), false)
            } else if dir.join(&name).join("mod.rs").is_file() {
                (dir.join(&name).join("mod.rs"), true)
            } else {
                continue;
            };
            let mut child_path = path.clone();
            child_path.push(name.clone());
            let child = self.load(&child_file, child_path, child_owns);
            self.modules[index].children.insert(name, child);
        }
        let module = &mut self.modules[index];
        module.reexports = reexports(&code, &path);
        module.paths = absolute_paths(&code, &path);
        index
    }

    /// The module (file) that defines what `path` names, looking through re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<usize> {
        let mut current = 0;
        for (i, segment) in path.iter().enumerate() {
            if let Some(&child) = self.modules[current].children.get(segment) {
                current = child;
                continue;
            }
            if depth < 8
                && let Some(target) = self.modules[current].reexports.get(segment)
            {
                let mut full = target.clone();
                full.extend(path[i + 1..].iter().cloned());
                return self.resolve(&full, depth + 1).or(Some(current));
            }
            return Some(current);
        }
        Some(current)
    }

    /// Edges between files that are not each other's ancestors, with the line of the path.
    fn edges(&self) -> Vec<BTreeMap<usize, usize>> {
        let mut edges = vec![BTreeMap::new(); self.modules.len()];
        for (from, module) in self.modules.iter().enumerate() {
            for (path, line) in &module.paths {
                let Some(to) = self.resolve(path, 0) else {
                    continue;
                };
                let a = &module.path;
                let b = &self.modules[to].path;
                if to == from || a.starts_with(b) || b.starts_with(a) {
                    continue;
                }
                edges[from].entry(to).or_insert(*line);
            }
        }
        edges
    }

    /// One cycle per strongly connected set of two or more files: the files in order, each
    /// with the line of its import of the next; and the whole set.
    fn cycles(&self) -> Vec<(CyclePath, BTreeSet<usize>)> {
        let edges = self.edges();
        let mut cycles = Vec::new();
        for component in strongly_connected(&edges) {
            if component.len() < 2 {
                continue;
            }
            let start = *component.iter().next().unwrap_or(&0);
            if let Some(cycle) = cycle_through(&edges, &component, start) {
                cycles.push((cycle, component));
            }
        }
        cycles
    }
}

/// A cycle: files (module indexes), each with the line of its import of the next.
type CyclePath = Vec<(usize, usize)>;

/// Tarjan's algorithm, iteratively.
fn strongly_connected(edges: &[BTreeMap<usize, usize>]) -> Vec<BTreeSet<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut components = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, Vec<usize>)> =
            vec![(root, edges[root].keys().copied().collect())];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((node, pending)) = work.last_mut() {
            let node = *node;
            if let Some(to) = pending.pop() {
                if index[to] == usize::MAX {
                    index[to] = next;
                    low[to] = next;
                    next += 1;
                    stack.push(to);
                    on_stack[to] = true;
                    work.push((to, edges[to].keys().copied().collect()));
                } else if on_stack[to] {
                    low[node] = low[node].min(index[to]);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _)) = work.last() {
                low[*parent] = low[*parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = BTreeSet::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.insert(member);
                    if member == node {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

/// A shortest cycle from `start` back to it inside `component` (breadth first).
fn cycle_through(
    edges: &[BTreeMap<usize, usize>],
    component: &BTreeSet<usize>,
    start: usize,
) -> Option<CyclePath> {
    let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &to in edges[node].keys() {
            if !component.contains(&to) {
                continue;
            }
            if to == start {
                let mut files = vec![node];
                let mut at = node;
                while at != start {
                    at = previous[&at];
                    files.push(at);
                }
                files.reverse();
                let with_lines = files
                    .iter()
                    .enumerate()
                    .map(|(i, &file)| {
                        let next = files.get(i + 1).copied().unwrap_or(start);
                        (file, edges[file].get(&next).copied().unwrap_or(0))
                    })
                    .collect();
                return Some(with_lines);
            }
            if to != start && !previous.contains_key(&to) {
                previous.insert(to, node);
                queue.push_back(to);
            }
        }
    }
    None
}

/// The text with comments, string and character literals blanked out (newlines kept, so
/// line numbers stay right).
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"…", r#"…"#.
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match chars.get(j) {
                    None => break,
                    Some('"') if (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some(_) => j += 1,
                }
            }
            out.extend(chars[i..j.min(chars.len())].iter().map(|c| blank(*c)));
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            out.extend(chars[i..end].iter().map(|c| blank(*c)));
            i = end;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'), or else a lifetime.
            let end = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|c| *c == '\'')
                    .map(|p| i + 2 + p + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(chars[i..end].iter().map(|c| blank(*c)));
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The code without `#[cfg(test)]` modules (inline ones blanked, brace to brace).
fn strip_test_modules(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let text: String = out.iter().collect();
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]") {
        let start = from + at;
        from = start + 1;
        let rest = text[start + "#[cfg(test)]".len()..].trim_start();
        if !(rest.starts_with("mod ") || rest.starts_with("pub mod ")) {
            continue;
        }
        let Some(open) = text[start..].find(['{', ';']).map(|p| start + p) else {
            continue;
        };
        let mut end = open;
        if text[open..].starts_with('{') {
            let mut depth = 0;
            for (offset, c) in text[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + offset;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        // Byte offsets equal char offsets only for ASCII; blank by char over the byte range.
        let (a, b) = (text[..start].chars().count(), text[..=end].chars().count());
        for c in &mut out[a..b] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    }
    out.into_iter().collect()
}

/// The names of `mod name;` declarations (not inline `mod name { … }`).
fn declared_modules(code: &str) -> Vec<String> {
    let words = words(code);
    let mut names = Vec::new();
    for (i, (word, _)) in words.iter().enumerate() {
        if word == "mod"
            && let (Some((name, _)), Some((semi, _))) = (words.get(i + 1), words.get(i + 2))
            && semi == ";"
        {
            names.push(name.clone());
        }
    }
    names
}

/// Tokens: identifiers (with `$crate` as one), `::`, and single punctuation characters, each
/// with its line.
fn words(code: &str) -> Vec<(String, usize)> {
    let mut tokens = Vec::new();
    let mut line = 1;
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || (c == '$' && chars.get(i + 1) == Some(&'c')) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push((chars[start..i].iter().collect(), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(("::".to_owned(), line));
            i += 2;
        } else {
            tokens.push((c.to_string(), line));
            i += 1;
        }
    }
    tokens
}

/// Parses a path (tree) starting at `tokens[at]`; returns the paths it names (a `use` tree
/// names several) and the index after it. `self` inside braces names the prefix.
fn parse_tree(
    tokens: &[(String, usize)],
    at: usize,
    prefix: &[String],
) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix.to_vec();
    let mut i = at;
    loop {
        match tokens.get(i).map(|(t, _)| t.as_str()) {
            Some("{") => {
                let mut paths = Vec::new();
                i += 1;
                loop {
                    match tokens.get(i).map(|(t, _)| t.as_str()) {
                        None => return (paths, i),
                        Some("}") => return (paths, i + 1),
                        Some(",") => i += 1,
                        Some("self") => {
                            paths.push(path.clone());
                            i += 1;
                        }
                        Some(_) => {
                            let (inner, after) = parse_tree(tokens, i, &path);
                            paths.extend(inner);
                            i = after.max(i + 1);
                            // Skip `as name` and anything else up to the next separator.
                            while let Some((t, _)) = tokens.get(i) {
                                if t == "," || t == "}" {
                                    break;
                                }
                                i += 1;
                            }
                        }
                    }
                }
            }
            Some("*") => return (vec![path], i + 1),
            Some(word) if is_ident(word) => {
                path.push(word.to_owned());
                i += 1;
                if tokens.get(i).map(|(t, _)| t.as_str()) == Some("::") {
                    i += 1;
                } else {
                    return (vec![path], i);
                }
            }
            _ => return (vec![path], i),
        }
    }
}

fn is_ident(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Makes `path` (as written in module `here`) absolute: from the crate root.
fn absolute(path: &[String], here: &[String]) -> Option<Vec<String>> {
    let first = path.first()?.as_str();
    match first {
        "crate" | "$crate" => Some(path[1..].to_vec()),
        "self" => Some(here.iter().chain(&path[1..]).cloned().collect()),
        "super" => {
            let mut base = here.to_vec();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            Some(base)
        }
        _ => None,
    }
}

/// Every `crate::`, `$crate::`, `super::` and `self::` path of the code, absolute.
fn absolute_paths(code: &str, here: &[String]) -> Vec<(Vec<String>, usize)> {
    let tokens = words(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (word, line) = &tokens[i];
        let starts = matches!(word.as_str(), "crate" | "$crate" | "super" | "self")
            && tokens.get(i + 1).map(|(t, _)| t.as_str()) == Some("::")
            && (i == 0 || tokens[i - 1].0 != "::");
        if !starts {
            i += 1;
            continue;
        }
        let (paths, after) = parse_tree(&tokens, i, &[]);
        for path in paths {
            if let Some(path) = absolute(&path, here) {
                out.push((path, *line));
            }
        }
        i = after.max(i + 1);
    }
    out
}

/// `pub use` / `pub(crate) use` re-exports: visible name → absolute path (relative paths
/// starting with a name are taken as the module's own children).
fn reexports(code: &str, here: &[String]) -> BTreeMap<String, Vec<String>> {
    let tokens = words(code);
    let mut out = BTreeMap::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].0 != "pub" {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if tokens.get(j).map(|(t, _)| t.as_str()) == Some("(") {
            while tokens.get(j).is_some_and(|(t, _)| t != ")") {
                j += 1;
            }
            j += 1;
        }
        if tokens.get(j).map(|(t, _)| t.as_str()) != Some("use") {
            i = j.max(i + 1);
            continue;
        }
        let start = j + 1;
        let mut end = start;
        while tokens.get(end).is_some_and(|(t, _)| t != ";") {
            end += 1;
        }
        collect_reexports(&tokens[start..end], here, &mut out);
        i = end + 1;
    }
    out
}

/// Walks one `use` tree, recording each leaf under its visible name (`as` renames).
fn collect_reexports(
    tokens: &[(String, usize)],
    here: &[String],
    out: &mut BTreeMap<String, Vec<String>>,
) {
    fn walk(
        tokens: &[(String, usize)],
        mut i: usize,
        prefix: &mut Vec<String>,
        here: &[String],
        out: &mut BTreeMap<String, Vec<String>>,
    ) -> usize {
        let depth = prefix.len();
        while let Some((t, _)) = tokens.get(i) {
            match t.as_str() {
                "::" => i += 1,
                "{" => {
                    i += 1;
                    while let Some((t, _)) = tokens.get(i) {
                        match t.as_str() {
                            "}" => {
                                i += 1;
                                break;
                            }
                            "," => i += 1,
                            _ => i = walk(tokens, i, prefix, here, out),
                        }
                    }
                    prefix.truncate(depth);
                    return i;
                }
                "," | "}" => break,
                "as" => {
                    if let Some((alias, _)) = tokens.get(i + 1) {
                        record(prefix, Some(alias), here, out);
                    }
                    prefix.truncate(depth);
                    return i + 2;
                }
                word if is_ident(word) => {
                    prefix.push(word.to_owned());
                    i += 1;
                    if tokens.get(i).map(|(t, _)| t.as_str()) != Some("::") {
                        let next = tokens.get(i).map(|(t, _)| t.as_str());
                        if next != Some("as") {
                            record(prefix, None, here, out);
                            prefix.truncate(depth);
                            return i;
                        }
                    }
                }
                _ => i += 1,
            }
        }
        prefix.truncate(depth);
        i
    }
    fn record(
        path: &[String],
        alias: Option<&String>,
        here: &[String],
        out: &mut BTreeMap<String, Vec<String>>,
    ) {
        let Some(name) = alias.or(path.last()) else {
            return;
        };
        let full =
            absolute(path, here).unwrap_or_else(|| here.iter().chain(path).cloned().collect());
        out.insert(name.clone(), full);
    }
    walk(tokens, 0, &mut Vec::new(), here, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_at(files: &[(&str, &str)]) -> (tempdir::Dir, Vec<Cycle>) {
        let dir = tempdir::Dir::new();
        for (path, text) in files {
            let file = dir.path().join("c").join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, text).unwrap();
        }
        let violations = check(dir.path(), &["c"]);
        (dir, violations)
    }

    /// A scratch directory removed on drop (xtask is std only).
    mod tempdir {
        use std::path::{Path, PathBuf};
        use std::sync::atomic::{AtomicUsize, Ordering};

        static NEXT: AtomicUsize = AtomicUsize::new(0);

        pub(super) struct Dir(PathBuf);

        impl Dir {
            pub(super) fn new() -> Self {
                let path = std::env::temp_dir().join(format!(
                    "xtask-cycles-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::SeqCst)
                ));
                let _ = std::fs::remove_dir_all(&path);
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }

            pub(super) fn path(&self) -> &Path {
                &self.0
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn a_two_file_cycle_is_found() {
        let (_dir, violations) = crate_at(&[
            ("src/lib.rs", "mod a;\nmod b;\n"),
            ("src/a.rs", "//! A.\nuse crate::b::B;\npub struct A;\n"),
            ("src/b.rs", "//! B.\n\nuse crate::a::A;\npub struct B;\n"),
        ]);
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].path, "c/src/a.rs");
        assert_eq!(violations[0].line, 2);
        assert_eq!(
            violations[0].message,
            "import cycle: c/src/a.rs → c/src/b.rs → c/src/a.rs"
        );
    }

    #[test]
    fn cycles_through_reexports_groups_and_expressions_are_found() {
        let (_dir, violations) = crate_at(&[
            (
                "src/lib.rs",
                "mod client;\nmod ops;\npub use client::Client;\n",
            ),
            (
                "src/client.rs",
                "pub struct Client;\nfn f() { crate::ops::run(); }\n",
            ),
            ("src/ops/mod.rs", "mod run;\npub(crate) use run::run;\n"),
            (
                "src/ops/run.rs",
                "use crate::{Client as C, ops::run as _};\npub fn run() {}\n",
            ),
        ]);
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert!(
            violations[0].message.contains("c/src/client.rs")
                && violations[0].message.contains("c/src/ops/run.rs"),
            "{violations:?}"
        );
    }

    #[test]
    fn parents_children_tests_comments_and_strings_do_not_count() {
        let (_dir, violations) = crate_at(&[
            (
                "src/lib.rs",
                "mod a;\nmod b;\npub use a::A;\nuse crate::b::B;\n",
            ),
            (
                "src/a/mod.rs",
                "mod child;\npub use child::A;\n// use crate::b::B;\nconst S: &str = \"crate::b::B\";\n#[cfg(test)]\nmod tests {\n    use crate::b::B;\n}\n",
            ),
            ("src/a/child.rs", "use super::super::A;\npub struct A;\n"),
            ("src/b.rs", "use crate::a::A;\npub struct B;\n"),
        ]);
        assert_eq!(violations, []);
    }

    #[test]
    fn super_paths_between_siblings_count() {
        let (_dir, violations) = crate_at(&[
            ("src/main.rs", "mod m;\nfn main() {}\n"),
            ("src/m/mod.rs", "mod x;\nmod y;\n"),
            ("src/m/x.rs", "use super::y::Y;\npub struct X;\n"),
            ("src/m/y.rs", "pub struct Y(super::x::X);\n"),
        ]);
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(
            violations[0].message,
            "import cycle: c/src/m/x.rs → c/src/m/y.rs → c/src/m/x.rs"
        );
    }
}
