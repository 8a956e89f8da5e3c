//! The `graph-sync-emulator` binary itself: a closed stdout (`graph-sync-emulator --help | head
//! -1`) ends it quietly with exit code 0, never with a panic; a Ctrl-C as soon as its banner is
//! out stops it cleanly.

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

/// A Ctrl-C as soon as the first line of the banner is out stops the emulator cleanly (exit 0,
/// "Stopped."): the handler is installed before the banner is printed.
#[cfg(unix)]
#[test]
fn a_ctrl_c_right_after_the_banner_stops_it_cleanly() {
    use std::io::{BufRead as _, BufReader, Read as _};
    let mut child = Command::new(env!("CARGO_BIN_EXE_graph-sync-emulator"))
        .args(["--port", "0"])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("graph-sync-emulator"), "{first:?}");
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // If it did not stop, it is killed after a minute (and the test fails) rather than hang.
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    });
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(rest.ends_with("Stopped.\n"), "{rest:?}");
}
