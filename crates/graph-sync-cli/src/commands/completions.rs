//! `graph-sync completions SHELL`: a completion script for bash, zsh, fish, PowerShell or
//! elvish, generated from the clap definition so it never falls behind.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script on stdout.
pub(crate) fn run(args: &CompletionsArgs) {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "graph-sync",
        &mut std::io::stdout(),
    );
}
