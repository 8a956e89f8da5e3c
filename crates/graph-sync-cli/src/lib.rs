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
//! [`dry_run`] the captured-request preview. [`run`] only parses, sets up tracing and a
//! runtime, and turns the result into an exit code.
//!
//! The crate is a library only so that the binary (`main.rs` calls [`run`]) and the fuzz
//! targets ([`fuzzing`], the entry points of the file parsers) share it. Nothing else is
//! public, and neither is a stable interface.

#![allow(
    rustdoc::private_intra_doc_links,
    reason = "the crate page is a map of the private modules, read with --document-private-items"
)]
#![allow(
    clippy::print_stdout,
    reason = "a command-line tool: printing results on stdout is its job"
)]

/// `println!` for this crate, through [`output::stdout_line`]: a closed stdout ends the process
/// quietly with exit code 0 instead of panicking (std's `println!` panics on `EPIPE`). Defined
/// before the modules so that it shadows std's in all of them.
macro_rules! println {
    () => {
        $crate::output::write_stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::stdout_line(format_args!($($arg)*))
    };
}

mod auth;
mod cli;
mod commands;
mod dry_run;
mod exit;
pub mod fuzzing;
mod interrupt;
mod limits;
mod output;
mod profile;
mod secrets_file;
mod waits;

use std::process::ExitCode;

use tracing_subscriber::filter::LevelFilter;

use crate::cli::{Cli, Command};
use crate::exit::{Exit, Failure};

/// The `graph-sync` command line: reads the arguments and the environment, runs the command and
/// returns its documented exit code.
#[must_use]
pub fn run() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(failure) = cli::refuse_secret_arguments(&args) {
        eprintln!("{}", failure.report(output::OutputFormat::Table));
        return ExitCode::from(failure.exit().code());
    }
    let parsed = cli::parse(args);
    let cli = match parsed {
        Ok((cli, matches)) => {
            let given = |id: &str| {
                matches!(
                    matches.value_source(id),
                    Some(
                        clap::parser::ValueSource::CommandLine
                            | clap::parser::ValueSource::EnvVariable
                    )
                )
            };
            let given = profile::Given {
                tenant: given("tenant"),
                cloud: given("cloud"),
                auth: given("auth"),
                graph_url: given("graph_url"),
                ca_file: given("ca_file"),
            };
            (cli, given)
        }
        Err(error) if !error.use_stderr() => {
            // --help and --version: on stdout, through the closed-pipe-safe writer.
            output::write_stdout(&error.render().to_string());
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("{}", cli::clap_message(&error));
            return ExitCode::from(Exit::Usage.code());
        }
    };
    let (mut cli, given) = cli;
    if let Err(failure) = profile::apply(&mut cli.global, given) {
        eprintln!("{}", failure.report(cli.global.output));
        return ExitCode::from(failure.exit().code());
    }
    init_tracing(cli.global.verbose);
    let format = cli.global.output;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run_interruptibly(cli)),
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

/// Runs the command until it ends or Ctrl-C comes: then the command is dropped where it is and
/// the failure says what had been done. `emulator` handles Ctrl-C itself (it is how it stops).
async fn run_interruptibly(cli: Cli) -> Result<(), Failure> {
    if matches!(cli.command, Command::Emulator(_)) {
        return commands::run(cli).await;
    }
    // The handler is installed before the command starts, so a Ctrl-C at any point of it is
    // caught (a lazily polled `ctrl_c()` could miss one that comes early).
    let interrupted = interrupt::ctrl_c_listener()
        .map_err(|error| Failure::Internal(format!("cannot listen for Ctrl-C: {error}")))?;
    tokio::select! {
        result = commands::run(cli) => result,
        () = interrupted => Err(Failure::Interrupted(interrupt::report())),
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
