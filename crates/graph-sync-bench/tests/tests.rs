//! A smoke test of the benchmark binary with tiny sizes, so that it cannot rot.

use std::process::Command;

#[test]
fn the_quick_benchmark_runs_and_writes_its_report() {
    let out = std::env::temp_dir().join(format!("graph-sync-bench-{}.md", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_graph-sync-bench"))
        .args(["--quick", "--out"])
        .arg(&out)
        .output()
        .expect("the benchmark binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_to_string(&out).expect("the report was written");
    std::fs::remove_file(&out).ok();
    for figure in [
        "(a) overhead, concurrency 1",
        "(a) overhead, concurrency 64",
        "(b) throttled bulk grid, graph-sync",
        "| R/s | C | N |",
        "(b) throttled bulk, msgraph-sdk",
        "skipped with --quick",
        "One application, one bucket",
        "graph-sync B",
        "(c) faults",
        "(d) memory",
        "## Machine",
        "rustc",
        "<!-- bench:runtime -->",
        "## (b) and (d) at scale",
        "| 1000 |",
        "## (f) Instructions per request",
        "## (e) Build cost",
        "## (g) Memory of a hostile page",
        "skipped with --quick (it downloads crates",
    ] {
        assert!(report.contains(figure), "{figure} missing from:\n{report}");
    }
}
