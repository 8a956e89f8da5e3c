//! Figure (e): what a user builds to send one request. A hello-world that depends on
//! graph-sync-api (default features) against the floor any Rust Graph client stands on (reqwest
//! with `json` + tokio + serde + serde_json) and against graph-rs-sdk, the whole-of-Graph peer
//! from crates.io.
//!
//! The projects are written to a temporary directory, their dependencies resolved and
//! downloaded first (`cargo fetch`, not timed); then each is built cold in debug (a fresh
//! target directory, `cargo build --offline`), all of them in one order and again in the
//! reverse order, so that a machine getting busier or quieter during the run weighs on every
//! side alike. Per project: the two wall times, the crates it compiles (`Compiling` lines), and
//! the unique packages of its normal dependency tree (`cargo tree -e normal`, the project
//! included, as the issue's table counts them). The 1-minute load average is read before and
//! after every build and reported with the figure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::throttled::load_average;

/// The goal from the issue for both ratios (time and crates) against the floor.
pub(crate) const GOAL: f64 = 1.15;
/// The peer, pinned.
pub(crate) const GRAPH_RS_SDK: &str = "3.0.1";

/// One hello-world project.
struct Project {
    /// Directory and package name.
    name: &'static str,
    /// What the report calls it.
    label: String,
    /// The `[dependencies]` lines.
    dependencies: String,
    /// `src/main.rs`.
    main: &'static str,
}

fn projects() -> Vec<Project> {
    let tokio = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;
    let api = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("graph-sync-api");
    vec![
        Project {
            name: "floor",
            label: "floor: reqwest 0.13 (json) + tokio + serde + serde_json".to_owned(),
            dependencies: format!(
                "reqwest = {{ version = \"0.13\", features = [\"json\"] }}\n{tokio}\n\
                 serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n"
            ),
            main: r#"#[derive(serde::Serialize)]
struct Hello {
    greeting: &'static str,
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let client = reqwest::Client::new();
    let request = client
        .put("https://graph.microsoft.com/v1.0/servicePrincipals/x/synchronization/secrets")
        .bearer_auth("token")
        .json(&Hello { greeting: "hello" })
        .build()?;
    println!("{} {}", request.method(), request.url());
    println!("{}", serde_json::to_string(&Hello { greeting: "world" }).unwrap_or_default());
    Ok(())
}
"#,
        },
        Project {
            name: "graph-sync",
            label: "graph-sync-api (default features) + tokio".to_owned(),
            dependencies: format!(
                "graph-sync-api = {{ path = {:?} }}\n{tokio}\n",
                api.display().to_string()
            ),
            main: r#"#[tokio::main]
async fn main() -> Result<(), graph_sync_api::Error> {
    let client = graph_sync_api::GraphSyncClient::builder()
        .bearer_token("token")
        .build()?;
    println!("{client:?}");
    Ok(())
}
"#,
        },
        Project {
            name: "graph-rs-sdk",
            label: format!("graph-rs-sdk {GRAPH_RS_SDK} + tokio"),
            dependencies: format!("graph-rs-sdk = \"={GRAPH_RS_SDK}\"\n{tokio}\n"),
            main: r#"#[tokio::main]
async fn main() {
    let client = graph_rs_sdk::GraphClient::new("token");
    println!("{}", std::mem::size_of_val(&client));
}
"#,
        },
    ]
}

/// One project's figures.
#[derive(Debug, Clone)]
pub(crate) struct Build {
    pub(crate) label: String,
    /// Wall time of the cold build in the first order, then in the reverse order.
    pub(crate) times: [Duration; 2],
    /// Crates compiled by the cold build.
    pub(crate) compiled: usize,
    /// Unique packages of `cargo tree -e normal`, the project included.
    pub(crate) tree: usize,
    /// Load average before and after each of the two builds.
    pub(crate) load: [(String, String); 2],
}

impl Build {
    pub(crate) fn total(&self) -> Duration {
        self.times[0] + self.times[1]
    }
}

/// The figure: the floor first, then graph-sync, then the peer.
#[derive(Debug, Clone)]
pub(crate) struct BuildCost {
    pub(crate) builds: Vec<Build>,
}

impl BuildCost {
    /// Wall time and tree size of project `index` over the floor's.
    pub(crate) fn ratios(&self, index: usize) -> Option<(f64, f64)> {
        let floor = self.builds.first()?;
        let build = self.builds.get(index)?;
        Some((
            build.total().as_secs_f64() / floor.total().as_secs_f64(),
            build.tree as f64 / floor.tree as f64,
        ))
    }

    /// Whether graph-sync meets the goal on both ratios.
    pub(crate) fn met(&self) -> bool {
        self.ratios(1)
            .is_some_and(|(time, crates)| time <= GOAL && crates <= GOAL)
    }
}

/// The figure, or why it was not measured.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Measured(BuildCost),
    Skipped(String),
}

/// The cargo that runs this benchmark (`CARGO` under `cargo run`), else the one on the path.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // The projects are not in this workspace: none of its cargo settings apply.
    for variable in ["CARGO_TARGET_DIR", "CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"] {
        command.env_remove(variable);
    }
    command.stdin(Stdio::null());
    command
}

/// Runs `command` in `dir`; its stdout and stderr, or what went wrong.
fn output(mut command: Command, dir: &Path, what: &str) -> Result<(String, String), String> {
    let output = command
        .current_dir(dir)
        .output()
        .map_err(|e| format!("{what}: cannot start cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok((stdout, stderr))
    } else {
        let last: Vec<&str> = stderr.lines().rev().take(6).collect();
        Err(format!(
            "{what} failed ({}): {}",
            output.status,
            last.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ))
    }
}

/// Writes the project under `root` and downloads its dependencies.
fn prepare(root: &Path, project: &Project) -> Result<PathBuf, String> {
    let dir = root.join(project.name);
    std::fs::create_dir_all(dir.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"hello-{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{}\n[workspace]\n",
        project.name, project.dependencies
    );
    for (file, text) in [
        ("Cargo.toml", manifest.as_str()),
        ("src/main.rs", project.main),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut fetch = cargo();
    fetch.arg("fetch");
    output(fetch, &dir, &format!("cargo fetch ({})", project.name))
        .map_err(|e| format!("skipped: {e}"))?;
    Ok(dir)
}

/// Unique packages of the normal dependency tree, the project included.
fn tree_size(dir: &Path, name: &str) -> Result<usize, String> {
    let mut tree = cargo();
    tree.args(["tree", "--offline", "-e", "normal", "--prefix", "none"]);
    let (stdout, _) = output(tree, dir, &format!("cargo tree ({name})"))?;
    Ok(count_packages(&stdout))
}

/// The unique `name version` pairs of `cargo tree --prefix none` output: the rest of a line
/// (`(*)`, `(proc-macro)`, a path) does not tell packages apart.
fn count_packages(tree: &str) -> usize {
    let mut packages: Vec<(&str, &str)> = tree
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(words.next()?).zip(words.next())
        })
        .collect();
    packages.sort_unstable();
    packages.dedup();
    packages.len()
}

/// One cold debug build in a fresh target directory: wall time and crates compiled.
fn cold_build(dir: &Path, target: &Path, name: &str) -> Result<(Duration, usize), String> {
    // A leftover from an interrupted run would make the build warm.
    if target.exists() {
        std::fs::remove_dir_all(target)
            .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    }
    let mut build = cargo();
    build
        .args(["build", "--offline", "--target-dir"])
        .arg(target)
        // graph-sync's crates are path dependencies here, and cargo compiles path dependencies
        // incrementally (more codegen units, a dependency graph written to disk); from
        // crates.io, as users get them, they compile like every other registry crate.
        .env("CARGO_INCREMENTAL", "0");
    let start = Instant::now();
    let (_, stderr) = output(build, dir, &format!("cargo build ({name})"))?;
    let wall = start.elapsed();
    let compiled = stderr
        .lines()
        .filter(|line| line.trim_start().starts_with("Compiling "))
        .count();
    // The target directories are large; the figure needs none of them.
    std::fs::remove_dir_all(target).ok();
    Ok((wall, compiled))
}

/// Prepares the three projects and builds each cold twice (in order, then in reverse).
pub(crate) fn run() -> Result<Outcome, String> {
    let root = std::env::temp_dir().join(format!(
        "graph-sync-bench-build-cost-{}",
        std::process::id()
    ));
    let outcome = measure(&root);
    std::fs::remove_dir_all(&root).ok();
    outcome
}

fn measure(root: &Path) -> Result<Outcome, String> {
    let projects = projects();
    let mut dirs = Vec::new();
    for project in &projects {
        println!("graph-sync-bench: build cost: fetching {} …", project.name);
        match prepare(root, project) {
            Ok(dir) => dirs.push(dir),
            // Without the network (or crates.io), the figure cannot be measured; say so.
            Err(why) if why.starts_with("skipped: ") => return Ok(Outcome::Skipped(why)),
            Err(why) => return Err(why),
        }
    }
    let mut builds: Vec<Build> = projects
        .iter()
        .zip(&dirs)
        .map(|(project, dir)| {
            Ok(Build {
                label: project.label.clone(),
                times: [Duration::ZERO; 2],
                compiled: 0,
                tree: tree_size(dir, project.name)?,
                load: Default::default(),
            })
        })
        .collect::<Result<_, String>>()?;
    let forward: Vec<usize> = (0..projects.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    for (round, order) in [forward, backward].iter().enumerate() {
        for &index in order {
            let name = projects[index].name;
            println!(
                "graph-sync-bench: build cost: cold debug build of {name} (order {}) …",
                round + 1
            );
            let before = load_average();
            let target = root.join(format!("target-{name}-{round}"));
            let (wall, compiled) = cold_build(&dirs[index], &target, name)?;
            let after = load_average();
            println!(
                "graph-sync-bench: … {:.1} s, {compiled} crates compiled, load {before} → {after}",
                wall.as_secs_f64()
            );
            let build = &mut builds[index];
            build.times[round] = wall;
            build.compiled = build.compiled.max(compiled);
            build.load[round] = (before, after);
        }
    }
    Ok(Outcome::Measured(BuildCost { builds }))
}

/// The terminal's line.
pub(crate) fn line(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Skipped(why) => format!("(e) build cost: {why}"),
        Outcome::Measured(cost) => {
            let (time, crates) = cost.ratios(1).unwrap_or((f64::NAN, f64::NAN));
            format!(
                "(e) build cost of graph-sync-api over the floor: time {time:.2}×, crates \
                 {crates:.2}× (goal ≤ {GOAL} on both: {})",
                if cost.met() { "met" } else { "MISSED" }
            )
        }
    }
}

/// The Markdown section of `docs/benchmarks.md`.
pub(crate) fn markdown(outcome: &Outcome, command: &str) -> String {
    let mut md = String::from("## (e) Build cost\n\n");
    match outcome {
        Outcome::Skipped(why) => md.push_str(&format!("Not measured: {why}.\n")),
        Outcome::Measured(cost) => {
            md.push_str(
                "| hello-world depending on | cold debug build, s (order 1, order 2) | time × floor \
                 | packages (`cargo tree -e normal`) | packages × floor | crates compiled | load \
                 average before → after (order 1; order 2) |\n|---|---|---|---|---|---|---|\n",
            );
            for (index, build) in cost.builds.iter().enumerate() {
                let (time, crates) = cost.ratios(index).unwrap_or((f64::NAN, f64::NAN));
                md.push_str(&format!(
                    "| {} | {:.1} ({:.1}, {:.1}) | {time:.2}× | {} | {crates:.2}× | {} | {} → {}; {} → {} |\n",
                    build.label,
                    build.total().as_secs_f64() / 2.0,
                    build.times[0].as_secs_f64(),
                    build.times[1].as_secs_f64(),
                    build.tree,
                    build.compiled,
                    build.load[0].0,
                    build.load[0].1,
                    build.load[1].0,
                    build.load[1].1,
                ));
            }
            md.push_str(&format!(
                "\nGoal: graph-sync-api ≤ {GOAL}× the floor in build time and in packages: **{}**.\n\n\
                 Each project is a hello-world (`cargo new`, one `main.rs` that builds a client) with \
                 its own `[workspace]`, written to a temporary directory; its dependencies are \
                 resolved and downloaded first (`cargo fetch`, not timed). Each is then built cold \
                 in debug with `CARGO_INCREMENTAL=0 cargo build --offline` and a fresh target \
                 directory (graph-sync's crates are path dependencies here, which cargo would \
                 otherwise compile incrementally, unlike the registry crates users get; the \
                 setting is the same for all three), all three in \
                 one order and again in the reverse order, so that a change in the machine's load \
                 during the run weighs on every side alike; the time shown is the mean of the two, \
                 the ratio that of the sums. Packages: unique `name version` lines of `cargo tree \
                 -e normal --prefix none`, the project included (how the issue counted them); \
                 crates compiled: the `Compiling` lines of the cold build (build dependencies and \
                 proc-macros included).\n\n```sh\n{command}\n```\n",
                if cost.met() { "met" } else { "MISSED" }
            ));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_counted_once_whatever_follows_them() {
        let tree = "hello-floor v0.1.0 (/tmp/x/floor)\nreqwest v0.13.1\nbytes v1.10.0\n\
                    serde_derive v1.0.219 (proc-macro)\nbytes v1.10.0 (*)\nbytes v1.9.0\n\n";
        assert_eq!(count_packages(tree), 5);
        assert_eq!(count_packages(""), 0);
    }
}
