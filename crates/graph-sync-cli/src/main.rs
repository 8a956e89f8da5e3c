//! # graph-sync
//!
//! The command line for the Microsoft Graph synchronization API (Microsoft Entra app
//! provisioning): save, show and clear a service principal's provisioning secrets, run the
//! local emulator, and walk through the workflow with `graph-sync demo`.
//!
//! The key decision: **no secret ever travels on the command line.** Secret values come from a
//! TOML or JSON file whose values may point to environment variables, files or standard input
//! ([`secrets_file`]); the bearer token comes from an environment variable ([`auth`]). Process
//! listings and shell history never see them, and neither do logs, errors or `--dry-run`
//! output.
//!
//! Layout: [`cli`] holds the clap types, [`commands`] one module per command, [`auth`] where
//! the credential comes from, [`output`] table or JSON, [`exit`] the documented exit codes,
//! [`dry_run`] the captured-request preview. This file only parses, sets up tracing and a
//! runtime, and turns the result into an exit code.

#![allow(
    clippy::print_stdout,
    reason = "a command-line tool: printing results on stdout is its job"
)]

mod auth;
mod cli;
mod commands;
mod dry_run;
mod exit;
mod output;
mod secrets_file;

use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::filter::LevelFilter;

use crate::cli::Cli;
use crate::exit::Failure;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(failure) = cli::refuse_secret_arguments(&args) {
        eprintln!("{}", failure.report(output::OutputFormat::Table));
        return ExitCode::from(failure.exit().code());
    }
    let cli = Cli::parse_from(args);
    init_tracing(cli.global.verbose);
    let format = cli.global.output;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(commands::run(cli)),
        Err(error) => Err(Failure::Internal(format!(
            "cannot start the async runtime: {error}"
        ))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.report(format));
            ExitCode::from(failure.exit().code())
        }
    }
}

/// Tracing to stderr: warnings by default, then info, debug and trace for -v, -vv, -vvv.
/// The client never records headers, bodies or secret values, at any level.
fn init_tracing(verbosity: u8) {
    let level = match verbosity {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .init();
}
