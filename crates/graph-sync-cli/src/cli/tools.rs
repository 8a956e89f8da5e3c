//! `graph-sync emulator`, `demo` and `completions`: arguments and examples.

use clap::Args;
use clap_complete::Shell;

pub(super) const EMULATOR_EXAMPLES: &str = "\
Examples:
  graph-sync emulator --port 8080
  graph-sync emulator --sp \"HR app\" --sp \"Payroll app\"

Then, in another shell, with the values it prints:
  export GRAPH_SYNC_GRAPH_URL=http://127.0.0.1:8080/v1.0
  export GRAPH_SYNC_TOKEN=<token>
  graph-sync secrets show --sp <id>";

pub(super) const DEMO_EXAMPLES: &str = "\
Examples:
  graph-sync demo
  cargo run -p graph-sync-cli -- demo";

pub(super) const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  mkdir -p ~/.local/share/bash-completion/completions
  graph-sync completions bash \\
      > ~/.local/share/bash-completion/completions/graph-sync
  graph-sync completions zsh > \"${fpath[1]}/_graph-sync\"
  graph-sync completions fish > ~/.config/fish/completions/graph-sync.fish
  graph-sync completions powershell >> $PROFILE";

/// `emulator`.
#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// Listen on 127.0.0.1:PORT (0: an ephemeral port).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Register a service principal with this display name (repeatable).
    #[arg(long = "sp", value_name = "NAME", default_value = "Demo SCIM app")]
    pub(crate) service_principals: Vec<String>,
    /// Serve HTTPS, with a certificate for 127.0.0.1, localhost and ::1 signed by a
    /// development authority generated at start (or the one --cert and --key give).
    #[arg(long)]
    pub(crate) tls: bool,
    /// Serve HTTPS with this PEM certificate chain (server certificate first); needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub(crate) cert: Option<std::path::PathBuf>,
    /// The PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub(crate) key: Option<std::path::PathBuf>,
    /// Where to write the development authority's certificate and a trust bundle
    /// (default: the system's temporary directory).
    #[arg(long, value_name = "DIR")]
    pub(crate) ca_dir: Option<std::path::PathBuf>,
}

/// `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}
