//! `graph-sync completions SHELL`: a completion script for bash, zsh, fish, PowerShell or
//! elvish, generated from the clap definition so it never falls behind.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::output;

/// Prints the completion script on stdout.
pub(crate) fn run(args: &CompletionsArgs) {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "graph-sync", &mut script);
    output::write_stdout(&String::from_utf8_lossy(&script));
}
