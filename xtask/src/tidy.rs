//! `cargo xtask tidy`: repository policy that the compiler does not check.
//!
//! - Every `.rs` file under `crates/` and `xtask/` starts with a `//!` line.
//! - No trailing whitespace and no tab indentation in `.rs`, `.toml` and `.md` files under
//!   `crates/`, `xtask/`, `docs/`, and in the root `README.md` and `Cargo.toml`.
//! - An internal dependency (`graph-sync-*`) under `[dependencies]` (or `[build-dependencies]`)
//!   carries a version, directly or through `.workspace = true`, so the crate can be published;
//!   the root `[workspace.dependencies]` entries carry one too. Under `[dev-dependencies]` an
//!   internal dependency is path only, so a dev-dependency cycle never needs publishing.
//! - Every crate manifest with a `[package]` has `[lints]` with `workspace = true`.
//! - `expose_secret` (reading a secret value in the clear) is called only in the files of
//!   [`EXPOSE_SECRET_ALLOWED`], each with the reason it must read the value; tests (files
//!   under `tests/`, `tests.rs` modules and `#[cfg(test)]` modules) may call it anywhere.
//! - No import cycle between the files of a crate (see [`cycles`]; the crates
//!   checked are listed in [`cycles::CHECKED`]).
//!
//! Manifests are read line by line, not by a TOML parser (xtask is std only). That covers the
//! forms this workspace uses: `name.workspace = true`, `name.key = value`,
//! `name = "version"`, `name = { key = value, ... }` on one line, and `[dependencies.name]`
//! tables. The same checks run as the `tidy` test, so plain `cargo test` enforces them.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{cycles, workspace_root};

/// The files that may call `expose_secret`, and why. A file not listed here that reads a
/// secret in the clear is a violation: every such place is a place a secret could leak from,
/// so each one is reviewed when it is added here. An entry ending in `/` allows a directory.
pub(crate) const EXPOSE_SECRET_ALLOWED: &[(&str, &str)] = &[
    (
        "crates/graph-sync-model/src/secrets.rs",
        "validates values, detects masked and cleared ones, and serializes the request body",
    ),
    (
        "crates/graph-sync-api/src/redact.rs",
        "the redaction point learns the values it must replace",
    ),
    (
        "crates/graph-sync-emulator/src/control/redact.rs",
        "the emulator's request log hides the secret values it stored wherever they appear",
    ),
    (
        "crates/graph-sync-api/src/operations/mod.rs",
        "collects the values a request carries for the redactor",
    ),
    (
        "crates/graph-sync-api/src/pipeline/",
        "the request pipeline: the Authorization header and token comparisons",
    ),
    (
        "crates/graph-sync-api/src/credential/",
        "credentials put their secret, assertion or header on the token request",
    ),
    (
        "crates/graph-sync-api/examples/put_secrets.rs",
        "shows how a caller reads back a value it set",
    ),
    (
        "crates/graph-sync-emulator/src/synchronization/secrets.rs",
        "the emulator checks the secrets it is sent (SyncNotificationSettings must be JSON)",
    ),
    (
        "crates/graph-sync-emulator/src/provisioning/checks.rs",
        "the emulator compares credentials with its target system",
    ),
    (
        "crates/graph-sync-cli/src/secrets_file/",
        "resolves values from files, variables and stdin, and checks them",
    ),
    (
        "crates/graph-sync-cli/src/commands/bulk/journal.rs",
        "keys the bulk journal's digest of a row",
    ),
];

/// One broken rule, at a file and line (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// Path relative to the workspace root, with `/` separators.
    pub(crate) path: String,
    /// 1-based line number; 0 when the rule is about the whole file.
    pub(crate) line: usize,
    /// What is wrong.
    pub(crate) message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        }
    }
}

/// Runs `cargo xtask tidy`: prints every violation; exit code 1 if there is any.
pub(crate) fn run() -> ExitCode {
    let violations = check(&workspace_root());
    report(&violations);
    if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the violations, or a one-line all-clear.
pub(crate) fn report(violations: &[Violation]) {
    if violations.is_empty() {
        println!("tidy: no violations");
    } else {
        for violation in violations {
            println!("{violation}");
        }
        println!("tidy: {} violation(s)", violations.len());
    }
}

/// Checks the workspace at `root`; returns every violation, sorted by file and line.
pub(crate) fn check(root: &Path) -> Vec<Violation> {
    let mut violations = Vec::new();

    // `//!` headers.
    let mut rust_files = Vec::new();
    for dir in ["crates", "xtask"] {
        walk(&root.join(dir), &["rs"], &mut rust_files);
    }
    for file in &rust_files {
        if let Some(text) = read(root, file, &mut violations) {
            violations.extend(check_doc_header(&relative(root, file), &text));
        }
    }

    // Reading secrets in the clear.
    for file in &rust_files {
        let path = relative(root, file);
        if let Some(text) = read(root, file, &mut violations) {
            violations.extend(check_expose_secret(&path, &text));
        }
    }

    // Whitespace.
    let mut text_files = Vec::new();
    for dir in ["crates", "xtask", "docs"] {
        walk(&root.join(dir), &["rs", "toml", "md"], &mut text_files);
    }
    for name in ["README.md", "Cargo.toml"] {
        let file = root.join(name);
        if file.is_file() {
            text_files.push(file);
        }
    }
    for file in &text_files {
        if let Some(text) = read(root, file, &mut violations) {
            violations.extend(check_whitespace(&relative(root, file), &text));
        }
    }

    // Merge conflict markers, in every text file a merge can touch (CI scripts included).
    let mut merged_files = Vec::new();
    for dir in ["crates", "xtask", "docs", "fuzz", ".ci"] {
        walk_all(&root.join(dir), &mut merged_files);
    }
    // What the fuzzer writes is arbitrary bytes, never merged (git ignores it).
    merged_files.retain(|file| {
        !FUZZ_OUTPUT
            .iter()
            .any(|generated| file.starts_with(root.join(generated)))
    });
    for name in ["README.md", "Cargo.toml", "Cargo.lock"] {
        let file = root.join(name);
        if file.is_file() {
            merged_files.push(file);
        }
    }
    for file in &merged_files {
        if let Ok(text) = fs::read_to_string(file) {
            violations.extend(check_conflict_markers(&relative(root, file), &text));
        }
    }

    // Manifests: the root's workspace dependencies, then every crate.
    let root_manifest = root.join("Cargo.toml");
    if let Some(text) = read(root, &root_manifest, &mut violations) {
        violations.extend(check_manifest("Cargo.toml", &text));
    }
    let mut manifests: Vec<PathBuf> = fs::read_dir(root.join("crates"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("Cargo.toml"))
        .filter(|path| path.is_file())
        .collect();
    manifests.push(root.join("xtask").join("Cargo.toml"));
    manifests.sort();
    for file in &manifests {
        if let Some(text) = read(root, file, &mut violations) {
            violations.extend(check_manifest(&relative(root, file), &text));
        }
    }

    // Import cycles.
    violations.extend(
        cycles::check(root, cycles::CHECKED)
            .into_iter()
            .map(|cycle| Violation {
                path: cycle.path,
                line: cycle.line,
                message: cycle.message,
            }),
    );

    violations.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    violations.dedup();
    violations
}

/// Adds every file under `dir` whose extension is in `extensions`, skipping `target` and hidden
/// directories. A missing `dir` adds nothing.
fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                walk(&path, extensions, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            out.push(path);
        }
    }
}

/// The fuzz crate's output directories (its `.gitignore`): a grown corpus may hold any line.
const FUZZ_OUTPUT: [&str; 3] = ["fuzz/corpus", "fuzz/artifacts", "fuzz/coverage"];

/// Adds every file under `dir`, whatever its extension, skipping `target` and the
/// directories whose names start with `.` below `dir` itself.
fn walk_all(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                walk_all(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

/// No merge conflict markers (`<<<<<<< `, `=======`, `>>>>>>> ` at the start of a line): a
/// merge committed half-resolved breaks what it touches, a CI script first of all.
pub(crate) fn check_conflict_markers(path: &str, text: &str) -> Vec<Violation> {
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim_end_matches('\r');
            line.starts_with("<<<<<<< ")
                || line.starts_with(">>>>>>> ")
                || line == "<<<<<<<"
                || line == ">>>>>>>"
                || line == "======="
        })
        .map(|(index, _)| Violation {
            path: path.to_owned(),
            line: index + 1,
            message: "merge conflict marker".to_owned(),
        })
        .collect()
}

/// Reads a file as UTF-8, recording a violation if that fails.
fn read(root: &Path, file: &Path, violations: &mut Vec<Violation>) -> Option<String> {
    match fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(e) => {
            violations.push(Violation {
                path: relative(root, file),
                line: 0,
                message: format!("cannot read as UTF-8 text: {e}"),
            });
            None
        }
    }
}

/// `file` relative to `root`, with `/` separators.
fn relative(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The very first line of a `.rs` file must start with `//!`.
pub(crate) fn check_doc_header(path: &str, text: &str) -> Option<Violation> {
    let first = text.split('\n').next().unwrap_or("");
    (!first.starts_with("//!")).then(|| Violation {
        path: path.to_owned(),
        line: 1,
        message: "the first line must be a `//!` doc comment saying what this file is for"
            .to_owned(),
    })
}

/// `expose_secret` outside the allow-list, tests and `#[cfg(test)]` modules.
pub(crate) fn check_expose_secret(path: &str, text: &str) -> Vec<Violation> {
    let allowed = EXPOSE_SECRET_ALLOWED.iter().any(|(entry, _)| {
        if entry.ends_with('/') {
            path.starts_with(entry)
        } else {
            path == *entry
        }
    });
    let is_test = path
        .split('/')
        .any(|part| part == "tests" || part == "benches");
    if allowed || is_test || !path.starts_with("crates/") {
        return Vec::new();
    }
    let mut violations = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        if code.contains("expose_secret") {
            violations.push(Violation {
                path: path.to_owned(),
                line: index + 1,
                message: "reads a secret in the clear: only the files of \
                          EXPOSE_SECRET_ALLOWED (xtask/src/tidy.rs) may, each with its reason"
                    .to_owned(),
            });
        }
    }
    violations
}

/// No trailing whitespace (including a `\r`) and no tabs in indentation.
pub(crate) fn check_whitespace(path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let violation = |message: &str| Violation {
            path: path.to_owned(),
            line: index + 1,
            message: message.to_owned(),
        };
        if line.ends_with([' ', '\t', '\r']) {
            violations.push(violation("trailing whitespace"));
        }
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if indent.contains('\t') {
            violations.push(violation("tab indentation"));
        }
    }
    violations
}

/// What kind of dependency table a section header opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DepKind {
    /// `[dependencies]` or `[build-dependencies]` (possibly under `target.*`): published.
    Normal,
    /// `[dev-dependencies]` (possibly under `target.*`): never published.
    Dev,
    /// `[workspace.dependencies]` in the root manifest.
    Workspace,
}

/// The section a manifest line belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Section {
    /// Before any header.
    Top,
    /// A dependency list, like `[dependencies]`.
    Deps(DepKind),
    /// A single dependency table, like `[dependencies.name]`.
    DepTable(DepKind, String),
    /// `[package]`.
    Package,
    /// `[lints]`.
    Lints,
    /// Anything else.
    Other,
}

/// What one dependency entry says, gathered over the lines that mention it.
#[derive(Debug, Default)]
struct DepEntry {
    /// Line of its first mention.
    line: usize,
    /// The entry sets `version`.
    version: bool,
    /// The entry has `workspace = true`.
    workspace: bool,
    /// The `package = "..."` it renames, if any.
    package: Option<String>,
}

/// Internal crates are the ones named `graph-sync-*`.
const INTERNAL_PREFIX: &str = "graph-sync-";

/// Checks one manifest: internal dependency versions and `[lints] workspace = true`.
pub(crate) fn check_manifest(path: &str, text: &str) -> Vec<Violation> {
    let mut section = Section::Top;
    // The current header's table (`dependencies`, `target.cfg(unix).dev-dependencies`, ...),
    // which tells same-named entries in different tables apart.
    let mut table = String::new();
    let mut deps: BTreeMap<(String, String), (DepKind, DepEntry)> = BTreeMap::new();
    let mut package_line = None;
    let mut lints_workspace = false;

    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            section = parse_header(line);
            table = header_table(line);
            match &section {
                Section::Package => package_line = Some(line_no),
                Section::DepTable(kind, name) => {
                    deps.entry((table.clone(), name.clone()))
                        .or_insert_with(|| {
                            (
                                *kind,
                                DepEntry {
                                    line: line_no,
                                    ..DepEntry::default()
                                },
                            )
                        });
                }
                _ => {}
            }
            continue;
        }
        let Some((key, value)) = split_key_value(line) else {
            continue;
        };
        let key = split_dotted(key);
        match &section {
            Section::Top => {
                if key == ["lints", "workspace"] && value == "true" {
                    lints_workspace = true;
                }
            }
            Section::Lints => {
                if key == ["workspace"] && value == "true" {
                    lints_workspace = true;
                }
            }
            Section::Deps(kind) => {
                let Some((name, rest)) = key.split_first() else {
                    continue;
                };
                let (_, entry) = deps
                    .entry((table.clone(), name.clone()))
                    .or_insert_with(|| {
                        (
                            *kind,
                            DepEntry {
                                line: line_no,
                                ..DepEntry::default()
                            },
                        )
                    });
                match rest {
                    [] if value.starts_with('{') => {
                        for (k, v) in inline_table(value) {
                            record(entry, &[k], &v);
                        }
                    }
                    // `name = "1.2"`: a bare version requirement.
                    [] => entry.version = true,
                    rest => record(entry, rest, value),
                }
            }
            Section::DepTable(_, name) => {
                if let Some((_, entry)) = deps.get_mut(&(table.clone(), name.clone())) {
                    record(entry, &key, value);
                }
            }
            Section::Package | Section::Other => {}
        }
    }

    let mut violations = Vec::new();
    let violation = |line, message: String| Violation {
        path: path.to_owned(),
        line,
        message,
    };
    for ((_, name), (kind, entry)) in &deps {
        let internal = name.starts_with(INTERNAL_PREFIX)
            || entry
                .package
                .as_deref()
                .is_some_and(|p| p.starts_with(INTERNAL_PREFIX));
        if !internal {
            continue;
        }
        match kind {
            DepKind::Normal if !entry.version && !entry.workspace => violations.push(violation(
                entry.line,
                format!(
                    "internal dependency `{name}` has no version: add `version = \"...\"` \
                     or use `{name}.workspace = true`, so the crate can be published"
                ),
            )),
            DepKind::Workspace if !entry.version => violations.push(violation(
                entry.line,
                format!("workspace dependency `{name}` has no version: add `version = \"...\"`"),
            )),
            DepKind::Dev if entry.version => violations.push(violation(
                entry.line,
                format!(
                    "internal dev-dependency `{name}` carries a version: use \
                     `{{ path = \"...\" }}` only, so a dev-dependency cycle never publishes"
                ),
            )),
            DepKind::Dev if entry.workspace => violations.push(violation(
                entry.line,
                format!(
                    "internal dev-dependency `{name}` inherits the workspace entry's version: \
                     use `{{ path = \"...\" }}` only, so a dev-dependency cycle never publishes"
                ),
            )),
            _ => {}
        }
    }
    if let Some(line) = package_line
        && !lints_workspace
    {
        violations.push(violation(
            line,
            "[package] without `[lints]` `workspace = true`".to_owned(),
        ));
    }
    violations.sort_by_key(|v| v.line);
    violations
}

/// Applies one `key = value` (key relative to the dependency) to a dependency entry.
fn record(entry: &mut DepEntry, key: &[String], value: &str) {
    match key {
        [k] if k == "version" => entry.version = true,
        [k] if k == "workspace" => entry.workspace = value.trim() == "true",
        [k] if k == "package" => entry.package = Some(unquote(value).to_owned()),
        _ => {}
    }
}

/// Classifies a `[header]` line.
fn parse_header(line: &str) -> Section {
    if line.starts_with("[[") {
        return Section::Other;
    }
    let inner = line.trim_start_matches('[');
    let inner = inner.rfind(']').map_or(inner, |end| &inner[..end]);
    let keys = split_dotted(inner);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    // `target.<cfg>.` prefixes do not change the kind.
    let keys = match keys.as_slice() {
        ["target", _, rest @ ..] if !rest.is_empty() => rest,
        keys => keys,
    };
    let kind = |table: &str| match table {
        "dependencies" | "build-dependencies" => Some(DepKind::Normal),
        "dev-dependencies" => Some(DepKind::Dev),
        _ => None,
    };
    match keys {
        ["package"] => Section::Package,
        ["lints"] => Section::Lints,
        ["workspace", "dependencies"] => Section::Deps(DepKind::Workspace),
        ["workspace", "dependencies", name] => {
            Section::DepTable(DepKind::Workspace, (*name).to_owned())
        }
        [table] => kind(table).map_or(Section::Other, Section::Deps),
        [table, name] => {
            kind(table).map_or(Section::Other, |k| Section::DepTable(k, (*name).to_owned()))
        }
        _ => Section::Other,
    }
}

/// The table a header names, minus a trailing dependency name: `[dependencies.x]` and
/// `[dependencies]` both give `dependencies`. Used to tell same-named entries in different
/// tables apart.
fn header_table(line: &str) -> String {
    let keys = split_dotted(line.trim_start_matches('[').trim_end_matches(']'));
    let is_table = |k: &str| {
        matches!(
            k,
            "dependencies" | "dev-dependencies" | "build-dependencies"
        )
    };
    let end = keys
        .iter()
        .rposition(|k| is_table(k))
        .map_or(keys.len(), |i| i + 1);
    keys[..end].join(".")
}

/// Removes a `#` comment that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Splits `key = value` at the first `=` outside quotes.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '=') => return Some((line[..i].trim(), line[i + 1..].trim())),
            _ => {}
        }
    }
    None
}

/// Splits a dotted key (`a.b`, `target.'cfg(unix)'.dependencies`) into unquoted parts.
fn split_dotted(key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in key.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '.') => parts.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    parts.push(current.trim().to_owned());
    parts
}

/// The top-level `key = value` pairs of a one-line inline table `{ ... }`.
fn inline_table(value: &str) -> Vec<(String, String)> {
    let inner = value.trim().trim_start_matches('{');
    let inner = inner.rfind('}').map_or(inner, |end| &inner[..end]);
    let mut pairs = Vec::new();
    let mut depth = 0_usize;
    let mut quote = None;
    let mut start = 0;
    let mut push = |item: &str| {
        if let Some((k, v)) = split_key_value(item) {
            pairs.push((unquote(k).to_owned(), v.to_owned()));
        }
    };
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&inner[start..]);
    pairs
}

/// `"text"` or `'text'` without its quotes.
fn unquote(value: &str) -> &str {
    let value = value.trim();
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy itself: plain `cargo test` fails while the workspace breaks it.
    #[test]
    fn tidy() {
        let violations = check(&workspace_root());
        for violation in &violations {
            println!("{violation}");
        }
        assert!(
            violations.is_empty(),
            "{} tidy violation(s), listed above; run `cargo xtask tidy`",
            violations.len()
        );
    }

    #[test]
    fn expose_secret_only_where_allowed() {
        let code = "//! A.\nfn f(s: &SecretString) -> &str {\n    s.expose_secret()\n}\n";
        assert_eq!(lines(&check_expose_secret("crates/x/src/a.rs", code)), [3]);
        assert!(check_expose_secret("crates/graph-sync-api/src/redact.rs", code).is_empty());
        assert!(check_expose_secret("crates/graph-sync-api/src/pipeline/x.rs", code).is_empty());
        assert!(check_expose_secret("crates/x/tests/a.rs", code).is_empty());
        let in_tests = "//! A.\n// expose_secret in a comment\n#[cfg(test)]\nmod tests { x.expose_secret(); }\n";
        assert!(check_expose_secret("crates/x/src/a.rs", in_tests).is_empty());
    }

    fn lines(violations: &[Violation]) -> Vec<usize> {
        violations.iter().map(|v| v.line).collect()
    }

    const LINTS: &str = "\n[lints]\nworkspace = true\n";

    #[test]
    fn internal_dependencies_need_a_version() {
        let good = format!(
            "[package]\nname = \"x\"\n\n[dependencies]\n\
             graph-sync-model.workspace = true\n\
             graph-sync-api = {{ workspace = true, features = [\"a\"] }}\n\
             graph-sync-transport = {{ path = \"../t\", version = \"0.1.0\" }}\n\
             serde = {{ path = \"../serde\" }}\n{LINTS}"
        );
        assert_eq!(check_manifest("Cargo.toml", &good), []);

        let bad = format!(
            "[package]\nname = \"x\"\n\n[dependencies]\n\
             graph-sync-model = {{ path = \"../m\" , features = [\"x\", \"version\"] }}\n\
             graph-sync-api.path = \"../a\"\n{LINTS}"
        );
        assert_eq!(lines(&check_manifest("Cargo.toml", &bad)), [5, 6]);
    }

    #[test]
    fn internal_dev_dependencies_are_path_only() {
        let good = format!(
            "[package]\nname = \"x\"\n\n[dev-dependencies]\n\
             graph-sync-transport = {{ path = \"../t\" , features = [\"mock\"] }}\n\
             tokio = {{ workspace = true }}\n{LINTS}"
        );
        assert_eq!(check_manifest("Cargo.toml", &good), []);

        let bad = format!(
            "[package]\nname = \"x\"\n\n[dev-dependencies]\n\
             graph-sync-emulator = {{ path = \"../e\", version = \"0.1.0\" }}\n\
             graph-sync-model.workspace = true # inherits a version\n{LINTS}"
        );
        assert_eq!(lines(&check_manifest("Cargo.toml", &bad)), [5, 6]);
    }

    #[test]
    fn dependency_tables_and_target_sections() {
        let good = format!(
            "[package]\nname = \"x\"\n\n[target.'cfg(unix)'.dependencies.graph-sync-model]\n\
             path = \"../m\"\nversion = \"0.1.0\"\n\n[dev-dependencies.graph-sync-api]\n\
             path = \"../a\"\n{LINTS}"
        );
        assert_eq!(check_manifest("Cargo.toml", &good), []);

        let bad = format!(
            "[package]\nname = \"x\"\n\n[dependencies.graph-sync-model]\npath = \"../m\"\n\
             \n[dev-dependencies.graph-sync-api]\npath = \"../a\"\nversion = \"0.1.0\"\n{LINTS}"
        );
        assert_eq!(lines(&check_manifest("Cargo.toml", &bad)), [4, 7]);
    }

    #[test]
    fn workspace_dependencies_need_a_version() {
        let good = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n\
                    graph-sync-model = { path = \"crates/graph-sync-model\", version = \"0.1.0\" }\n";
        assert_eq!(check_manifest("Cargo.toml", good), []);
        let bad = "[workspace.dependencies]\ngraph-sync-model = { path = \"crates/m\" }\n";
        assert_eq!(lines(&check_manifest("Cargo.toml", bad)), [2]);
    }

    #[test]
    fn packages_need_workspace_lints() {
        assert_eq!(
            check_manifest("Cargo.toml", &format!("[package]\nname = \"x\"\n{LINTS}")),
            []
        );
        assert_eq!(
            check_manifest(
                "Cargo.toml",
                "[package]\nname = \"x\"\nlints = 1\n[lints.rust]\nworkspace = true\n"
            )
            .len(),
            1
        );
        let bad = "[package]\nname = \"x\"\n\n[lints]\nworkspace = false\n";
        assert_eq!(lines(&check_manifest("Cargo.toml", bad)), [1]);
    }

    #[test]
    fn rust_files_start_with_a_doc_comment() {
        assert_eq!(check_doc_header("a.rs", "//! A.\nfn main() {}\n"), None);
        assert!(check_doc_header("a.rs", "\n//! A.\n").is_some());
        assert!(check_doc_header("a.rs", "/// A.\n").is_some());
        assert!(check_doc_header("a.rs", "").is_some());
    }

    #[test]
    fn whitespace_rules() {
        assert_eq!(lines(&check_whitespace("a.md", "a\n    b\n\tc\n")), [3]);
        assert_eq!(check_whitespace("a.md", "a\n    b\nc\td\n"), []);
        assert_eq!(
            lines(&check_whitespace("a.rs", "a \nb\r\n  \tc\n")),
            [1, 2, 3]
        );
    }

    #[test]
    fn a_fuzz_corpus_is_not_judged_but_a_seed_is() {
        let root = std::env::temp_dir().join(format!("tidy-fuzz-output-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in ["fuzz/corpus/t", "fuzz/seeds/t"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        fs::write(root.join("fuzz/corpus/t/grown"), "a\n=======\nb\n").unwrap();
        fs::write(root.join("fuzz/seeds/t/kept"), "a\n=======\nb\n").unwrap();
        let found: Vec<String> = check(&root)
            .into_iter()
            .filter(|v| v.message == "merge conflict marker")
            .map(|v| v.path)
            .collect();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(found, ["fuzz/seeds/t/kept"]);
    }

    #[test]
    fn conflict_markers_are_found_at_the_start_of_a_line_only() {
        let merged = "a\n<<<<<<< HEAD\nb\n=======\r\nc\n>>>>>>> main\nd\n";
        assert_eq!(lines(&check_conflict_markers(".ci/run", merged)), [2, 4, 6]);
        let clean = "a = \"<<<<<<< x\"\n// =======\n========\n";
        assert_eq!(check_conflict_markers("a.rs", clean), []);
    }
}
