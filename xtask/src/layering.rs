//! `cargo xtask layering`: the crate layering invariants of `docs/design.md`, via `cargo tree`.
//!
//! `cargo tree -i` exits 0 even when it prints nothing, so instead each check prints one crate's
//! normal dependency tree with `--prefix none` (one `name vX.Y.Z ...` line per crate) and looks
//! for forbidden crate names at the start of a line: `http v1.3.1` matches `http`, `httpdate
//! v1.0.3` does not. The crate whose tree it is never counts against itself.
//!
//! It also prints how many distinct crates the model and the api pull in, for reports.

use std::collections::BTreeSet;
use std::process::ExitCode;

use crate::Cargo;

use Forbidden::{Crate, Prefix};

/// A crate that must not appear in a dependency tree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Forbidden {
    /// Exactly this crate name.
    Crate(&'static str),
    /// Any crate whose name starts with this.
    Prefix(&'static str),
}

impl Forbidden {
    /// Whether `name` is forbidden.
    fn matches(self, name: &str) -> bool {
        match self {
            Self::Crate(forbidden) => name == forbidden,
            Self::Prefix(prefix) => name.starts_with(prefix),
        }
    }
}

/// One invariant: the tree of `package` (with `flags`) has none of `forbidden`.
#[derive(Debug)]
struct Check {
    /// The invariant in words.
    rule: &'static str,
    /// The crate whose tree is checked.
    package: &'static str,
    /// Feature flags for `cargo tree`.
    flags: &'static [&'static str],
    /// Crates that must not appear.
    forbidden: &'static [Forbidden],
}

/// The invariants.
const CHECKS: &[Check] = &[
    Check {
        rule: "the model does no I/O: no HTTP client, no async runtime, no server",
        package: "graph-sync-model",
        flags: &["--all-features"],
        forbidden: &[
            Crate("reqwest"),
            Crate("hyper"),
            Crate("http"),
            Crate("tokio"),
            Crate("axum"),
            Crate("async-std"),
        ],
    },
    Check {
        rule: "the transport without default features has no HTTP client",
        package: "graph-sync-transport",
        flags: &["--no-default-features"],
        forbidden: &[Crate("reqwest"), Crate("hyper")],
    },
    Check {
        rule: "the transport knows nothing about Graph (no graph-sync-* crate)",
        package: "graph-sync-transport",
        flags: &["--all-features"],
        forbidden: &[Prefix("graph-sync-")],
    },
    Check {
        rule: "the api depends on neither axum nor the emulator",
        package: "graph-sync-api",
        flags: &[],
        forbidden: &[Crate("axum"), Crate("graph-sync-emulator")],
    },
    Check {
        rule: "the api's default features compile no certificate crypto: no RSA, X.509 or PKCS#12",
        package: "graph-sync-api",
        flags: &[],
        forbidden: &[
            Crate("rsa"),
            Crate("x509-cert"),
            Crate("pkcs12"),
            Crate("p12-keystore"),
            Crate("x509-parser"),
        ],
    },
    Check {
        rule: "PEM and PKCS#12 share one X.509 stack (x509-cert/der): no second parser",
        package: "graph-sync-api",
        flags: &["--features", "pkcs12"],
        forbidden: &[
            Crate("x509-parser"),
            Crate("asn1-rs"),
            Crate("nom"),
            Crate("der-parser"),
            Crate("p12-keystore"),
        ],
    },
    Check {
        rule: "the emulator depends on the model only, not on the api, transport or reqwest",
        package: "graph-sync-emulator",
        flags: &[],
        forbidden: &[
            Crate("graph-sync-api"),
            Crate("graph-sync-transport"),
            Crate("reqwest"),
        ],
    },
    Check {
        rule: "the cli reaches HTTP only through the api's transport: no direct reqwest",
        package: "graph-sync-cli",
        flags: &["--depth", "1"],
        forbidden: &[Crate("reqwest")],
    },
];

/// The crates whose dependency counts are reported (default features).
const COUNTED: &[&str] = &["graph-sync-model", "graph-sync-api"];

/// Runs `cargo xtask layering`; exit code 1 if a check fails or `cargo tree` cannot run.
pub(crate) fn run() -> ExitCode {
    match check() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs every check and prints PASS/FAIL with the offending lines, then the crate counts.
/// Returns how many checks failed.
///
/// # Errors
///
/// A message if `cargo tree` fails (for instance while a manifest is being edited).
pub(crate) fn check() -> Result<usize, String> {
    let mut failed = 0;
    for check in CHECKS {
        let mut args = vec!["tree", "-p", check.package, "-e", "normal"];
        args.extend_from_slice(check.flags);
        args.extend_from_slice(&["--prefix", "none"]);
        let cargo = Cargo::new(&args, true);
        let tree = cargo_tree(&cargo)?;
        let offending = offending_lines(&tree, check.package, check.forbidden);
        if offending.is_empty() {
            println!("PASS  {}\n      $ {cargo}", check.rule);
        } else {
            failed += 1;
            println!("FAIL  {}\n      $ {cargo}", check.rule);
            for line in offending {
                println!("      forbidden: {line}");
            }
        }
    }
    for package in COUNTED {
        let cargo = Cargo::new(
            &["tree", "-p", package, "-e", "normal", "--prefix", "none"],
            true,
        );
        let count = distinct_crates(&cargo_tree(&cargo)?);
        println!(
            "count {package}: {count} distinct crates in its normal dependency tree \
             (default features, itself included; {} dependencies)\n      $ {cargo}",
            count.saturating_sub(1)
        );
    }
    if failed == 0 {
        println!("layering: all {} checks passed", CHECKS.len());
    } else {
        println!("layering: {failed} of {} checks failed", CHECKS.len());
    }
    Ok(failed)
}

/// Runs a `cargo tree` command and returns its stdout.
fn cargo_tree(cargo: &Cargo) -> Result<String, String> {
    let output = cargo
        .command()
        .output()
        .map_err(|e| format!("could not start `{cargo}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{cargo}` exited with {}:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("`{cargo}` printed non-UTF-8: {e}"))
}

/// The crate name at the start of a `--prefix none` line (`http v1.3.1 (*)` gives `http`).
fn crate_name(line: &str) -> Option<&str> {
    line.split_whitespace().next()
}

/// The lines of `tree` naming a forbidden crate, deduplicated, ignoring the tree's own `root`.
pub(crate) fn offending_lines<'a>(
    tree: &'a str,
    root: &str,
    forbidden: &[Forbidden],
) -> Vec<&'a str> {
    let mut seen = BTreeSet::new();
    tree.lines()
        .map(strip_dedup_marker)
        .filter(|line| {
            crate_name(line)
                .is_some_and(|name| name != root && forbidden.iter().any(|f| f.matches(name)))
        })
        .filter(|line| seen.insert(*line))
        .collect()
}

/// How many distinct crates a `--prefix none` tree lists (two versions of one crate count twice).
pub(crate) fn distinct_crates(tree: &str) -> usize {
    tree.lines()
        .map(strip_dedup_marker)
        .filter(|line| !line.is_empty())
        .collect::<BTreeSet<_>>()
        .len()
}

/// A line without the ` (*)` that marks an already-listed crate.
fn strip_dedup_marker(line: &str) -> &str {
    let line = line.trim();
    line.strip_suffix("(*)").map_or(line, str::trim_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL_TREE: &str = "\
graph-sync-model v0.1.0 (/work/crates/graph-sync-model)
serde v1.0.219
serde_derive v1.0.219 (proc-macro)
httpdate v1.0.3
url v2.5.4
serde v1.0.219 (*)
";

    #[test]
    fn clean_tree_passes() {
        let forbidden = [Crate("http"), Crate("tokio"), Crate("hyper")];
        assert_eq!(
            offending_lines(MODEL_TREE, "graph-sync-model", &forbidden),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn forbidden_crate_is_found_by_exact_name() {
        let tree = format!("{MODEL_TREE}http v1.3.1\nhttp v1.3.1 (*)\nhttp-body v1.0.1\n");
        let forbidden = [Crate("http"), Crate("tokio")];
        assert_eq!(
            offending_lines(&tree, "graph-sync-model", &forbidden),
            ["http v1.3.1"]
        );
    }

    #[test]
    fn prefix_ignores_the_tree_root() {
        let tree = "graph-sync-transport v0.1.0 (/w/t)\nbytes v1.10.1\n";
        let forbidden = [Prefix("graph-sync-")];
        assert!(offending_lines(tree, "graph-sync-transport", &forbidden).is_empty());
        let tree = format!("{tree}graph-sync-model v0.1.0 (/w/m)\n");
        assert_eq!(
            offending_lines(&tree, "graph-sync-transport", &forbidden),
            ["graph-sync-model v0.1.0 (/w/m)"]
        );
    }

    #[test]
    fn counts_distinct_crates() {
        assert_eq!(distinct_crates(MODEL_TREE), 5);
        assert_eq!(distinct_crates(""), 0);
    }
}
