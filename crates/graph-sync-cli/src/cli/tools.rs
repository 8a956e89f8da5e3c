//! `graph-sync emulator`, `demo` and `completions`: arguments and examples.

use clap::Args;
use clap_complete::Shell;

pub(super) const EMULATOR_EXAMPLES: &str = "\
Examples:
  graph-sync emulator --port 8080
  graph-sync emulator --sp \"HR app\" --sp \"Payroll app\"
  graph-sync emulator --tenant-file tenant.toml --tls
  graph-sync emulator --state emulator-state.json

  # Rehearse a bad day: 50 requests/s per client (bursts of 10), 5% faults
  graph-sync emulator --throttle 50/10 --faults 0.05 --seed 7
  # Only secrets PUTs fail, with 503 + Retry-After or a dropped connection
  graph-sync emulator --faults 0.2 --fault-kinds 503:1,reset \\
      --only 'PUT,*/secrets'

The banner prints the admin token of the control API (/_emulator/…):
change settings, script answers, move the clock and read the request log
at run time (docs/emulator.md).

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
    /// Register a service principal with this display name (repeatable) [default: one named
    /// "Demo SCIM app" unless --tenant-file declares service principals].
    #[arg(long = "sp", value_name = "NAME")]
    pub(crate) service_principals: Vec<String>,
    /// Load a tenant from this TOML file: app registrations (secrets, certificates, federated
    /// tokens, granted roles), managed identities, application templates, service principals
    /// with target systems and jobs, and the flags below in its "emulator" table (a flag
    /// given here wins). See docs/emulator.md.
    #[arg(long, value_name = "FILE")]
    pub(crate) tenant_file: Option<std::path::PathBuf>,
    /// Keep service principals, secrets, jobs, app registrations and tokens in this file
    /// across restarts (written atomically after each change). An existing file is loaded,
    /// and --sp and the tenant file's declarations are then not applied again.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<std::path::PathBuf>,
    /// Accept what Graph would refuse: no checks of request bodies or query options
    /// (default: strict, as Graph).
    #[arg(long)]
    pub(crate) loose: bool,
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
    /// Answer 429 beyond RATE requests per second per client (bursts of BURST; default the
    /// rate rounded up).
    #[arg(long, value_name = "RATE[/BURST]", value_parser = checked(graph_sync_emulator::parse_throttle))]
    pub(crate) throttle: Option<String>,
    /// Inject a fault into a share of requests (0.05 or 5%).
    #[arg(long, value_name = "RATE", value_parser = checked(graph_sync_emulator::parse_probability))]
    pub(crate) faults: Option<String>,
    /// Which faults --faults injects: 503, 503:SECONDS (with Retry-After), 504, reset,
    /// reset-after-read, slow, slow:MS, truncate [default: 503,504,reset].
    #[arg(long, value_name = "KINDS", requires = "faults", value_parser = checked(graph_sync_emulator::parse_fault_kinds))]
    pub(crate) fault_kinds: Option<String>,
    /// Seed of --faults and --latency, to repeat a run (default: random, printed).
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,
    /// Delay each request by MS milliseconds, or by MS to MS at random.
    #[arg(long, value_name = "MS[..MS]", value_parser = checked(graph_sync_emulator::parse_latency))]
    pub(crate) latency: Option<String>,
    /// Throttle, faults and latency only for these methods and path patterns
    /// (comma-separated: POST, */synchronization/secrets, /v1.0/servicePrincipals/*).
    #[arg(long, value_name = "SELECTION", value_parser = checked(graph_sync_emulator::Selection::parse))]
    pub(crate) only: Option<String>,
}

impl EmulatorArgs {
    /// The control-surface flags, for [`graph_sync_emulator::Settings::from_flags`].
    pub(crate) fn control_flags(&self) -> graph_sync_emulator::Flags {
        let mut flags = graph_sync_emulator::Flags::default();
        flags.throttle.clone_from(&self.throttle);
        flags.faults.clone_from(&self.faults);
        flags.fault_kinds.clone_from(&self.fault_kinds);
        flags.seed = self.seed.map(|seed| seed.to_string());
        flags.latency.clone_from(&self.latency);
        flags.only.clone_from(&self.only);
        flags
    }
}

/// A clap value parser that checks a value with the emulator's own parser and keeps the text.
fn checked<T>(
    parse: fn(&str) -> Result<T, String>,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static
where
    T: 'static,
{
    move |text: &str| parse(text).map(|_| text.to_owned())
}

/// `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}
