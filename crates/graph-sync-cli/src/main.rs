//! # graph-sync
//!
//! The command line for the Microsoft Graph synchronization API (Microsoft Entra app
//! provisioning). Everything is in the library target ([`graph_sync_cli`]), which the fuzz
//! targets share; this file only runs it.

fn main() -> std::process::ExitCode {
    graph_sync_cli::run()
}
