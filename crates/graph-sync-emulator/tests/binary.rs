//! The `graph-sync-emulator` binary itself: a closed stdout (`graph-sync-emulator --help | head
//! -1`) ends it quietly with exit code 0, never with a panic.

use std::process::{Command, Stdio};

/// Runs the binary with `args`, its stdout a pipe whose reading end is already closed (what a
/// reader that stopped early leaves), and returns (exit code, stderr).
fn run_into_a_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_graph-sync-emulator"))
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_it_quietly_with_exit_0() {
    // --help prints and ends; a run prints its banner first (and would then serve): both stop
    // at the first write into the closed pipe.
    for args in [&["--help"][..], &["--port", "0"][..]] {
        let (code, stderr) = run_into_a_closed_pipe(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}
