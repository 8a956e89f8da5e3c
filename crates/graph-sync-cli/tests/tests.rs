//! Integration tests of the `graph-sync` binary: each test runs the real executable against an
//! emulator started in the test process on loopback, and checks its exit code, stdout, stderr
//! and what reached (or did not reach) the emulator.

#![allow(
    clippy::unwrap_used,
    reason = "a test that meets an unexpected error should fail loudly"
)]

mod bulk;
mod commands;
mod errors;
mod hostile;
mod jobs;
mod login;
mod logs;
mod operate_doc;
mod operator;
mod output_doc;
mod provision;
mod readme;
mod schema;
mod secrets;
mod support;
