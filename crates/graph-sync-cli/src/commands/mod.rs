//! The commands, one module each, and the [`Context`] they share: the global options and how a
//! client is built from them. Commands do not import each other: [`target`] resolves what a
//! command addresses, [`reports`] holds the reports several commands print.

pub(crate) mod bulk;
pub(crate) mod completions;
pub(crate) mod credentials;
pub(crate) mod demo;
pub(crate) mod emulator;
pub(crate) mod expression;
pub(crate) mod jobs;
pub(crate) mod logs;
pub(crate) mod provision;
pub(crate) mod provision_on_demand;
pub(crate) mod reports;
pub(crate) mod schema;
pub(crate) mod secrets;
pub(crate) mod target;
pub(crate) mod templates;

use std::sync::Arc;

use graph_sync_api::transport::Transport;
use graph_sync_api::{GraphSyncClient, RetryConfig, StaticTokenCredential, TokenCredential};

use crate::auth;
use crate::cli::{Cli, Command, GlobalOptions};
use crate::dry_run::{self, CapturingTransport};
use crate::exit::Failure;
use crate::output::{self, OutputFormat, Report};
use crate::waits;

/// What every command gets: the global options.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// The global options.
    pub(crate) global: GlobalOptions,
}

impl Context {
    /// The `--output` format.
    pub(crate) fn format(&self) -> OutputFormat {
        self.global.output
    }

    /// Prints a result on stdout in the `--output` format.
    pub(crate) fn print(&self, report: &Report) {
        output::print(self.format(), report);
    }

    /// A client for the configured cloud and Graph root, with the configured credential.
    ///
    /// # Errors
    ///
    /// [`Failure::Auth`] without a credential, [`Failure::Api`] (an input error) for a bad
    /// `--graph-url`.
    pub(crate) fn client(&self) -> Result<GraphSyncClient, Failure> {
        let credential = auth::resolve(&self.global)?;
        self.client_with(credential, None)
    }

    /// A client whose requests are captured, not sent (`--dry-run`). The configured
    /// credential is used when there is one (it is redacted in the output anyway), so a dry
    /// run also needs none.
    ///
    /// # Errors
    ///
    /// As [`client`](Self::client), except for a missing credential.
    pub(crate) fn dry_run_client(
        &self,
        transport: Arc<dyn Transport>,
    ) -> Result<GraphSyncClient, Failure> {
        let credential = auth::resolve(&self.global).unwrap_or_else(|failure| {
            tracing::info!(reason = %failure, "dry run without a credential: using a placeholder");
            Arc::new(StaticTokenCredential::new("dry-run-placeholder")) as Arc<dyn TokenCredential>
        });
        self.client_with(credential, Some(transport))
    }

    /// A client with this credential and, if given, this transport (default: HTTP).
    ///
    /// # Errors
    ///
    /// [`Failure::Api`] (an input error) for a bad `--graph-url`.
    pub(crate) fn client_with(
        &self,
        credential: Arc<dyn TokenCredential>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Result<GraphSyncClient, Failure> {
        let host = self.global.graph_url.as_deref().map_or_else(
            || waits::host_of(self.global.cloud.cloud().graph_root().as_str()),
            waits::host_of,
        );
        let mut retry = if self.global.no_retry {
            RetryConfig::none()
        } else {
            RetryConfig::default()
        };
        if let Some(max) = self.global.retry_max_time {
            retry = retry.with_max_elapsed(max);
        }
        let retry = retry.with_observer(Arc::new(waits::StderrObserver { host }));
        let mut builder = GraphSyncClient::builder()
            .retry(retry)
            .cloud(self.global.cloud.cloud())
            .shared_credential(credential)
            .user_agent(concat!("graph-sync-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &self.global.graph_url {
            check_graph_url(url)?;
            builder = builder.graph_root(url);
        }
        if let Some(transport) = transport {
            builder = builder.shared_transport(transport);
        } else if let Some(path) = &self.global.ca_file {
            builder = builder.transport(transport_trusting(path)?);
        }
        builder
            .build()
            .map_err(|error| Failure::api("cannot set up the client", error))
    }
}

/// The HTTP transport, also trusting the root certificates of the PEM file `path`
/// (`--ca-file`, `GRAPH_SYNC_CA_FILE`).
///
/// # Errors
///
/// [`Failure::Usage`] when the file cannot be read or holds no PEM certificate.
fn transport_trusting(
    path: &std::path::Path,
) -> Result<graph_sync_api::transport::ReqwestTransport, Failure> {
    let pem = std::fs::read(path)
        .map_err(|e| Failure::Usage(format!("cannot read --ca-file {}: {e}", path.display())))?;
    graph_sync_api::transport::ReqwestTransport::builder()
        .add_root_certificates_pem(pem)
        .build()
        .map_err(|e| {
            Failure::Usage(format!(
                "--ca-file {} holds no usable PEM certificate ({e})",
                path.display()
            ))
        })
}

impl Context {
    /// `--dry-run`: runs `call` with a client whose requests are captured, not sent, and
    /// prints each captured request (secret values redacted, non-secret values shown). The
    /// call's own result is ignored once a request was captured (the capturing transport
    /// answers `204` with no body, which a call expecting a body may refuse).
    ///
    /// # Errors
    ///
    /// The call's failure when it failed before building any request (bad input).
    pub(crate) async fn preview<F, Fut, T>(&self, call: F) -> Result<(), Failure>
    where
        F: FnOnce(GraphSyncClient) -> Fut,
        Fut: std::future::Future<Output = Result<T, graph_sync_api::Error>>,
    {
        let transport = CapturingTransport::default();
        let client = self.dry_run_client(Arc::new(transport.clone()))?;
        let result = call(client).await;
        let requests = transport.take();
        if requests.is_empty() {
            result.map_err(|e| Failure::api("preparing the request", e))?;
        }
        for request in requests {
            self.print(&dry_run::report(&request));
        }
        Ok(())
    }

    /// Asks before a destructive change: `--yes` goes ahead; on a terminal the question is
    /// asked on stderr and answered on stdin; otherwise the command is refused (exit 2).
    ///
    /// # Errors
    ///
    /// [`Failure::Usage`] when not confirmed; nothing has been changed.
    pub(crate) fn confirm(&self, yes: bool, what: &str) -> Result<(), Failure> {
        use std::io::{BufRead as _, IsTerminal as _, Write as _};
        if yes {
            return Ok(());
        }
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Failure::Usage(format!(
                "{what}: pass --yes to confirm (graph-sync asks only on a terminal). Nothing \
                 was changed; --dry-run shows the request"
            )));
        }
        eprint!("{what}? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| Failure::Usage(format!("cannot read the answer: {e}")))?;
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            Ok(())
        } else {
            Err(Failure::Usage(
                "not confirmed: nothing was changed".to_owned(),
            ))
        }
    }
}

/// Refuses a `--graph-url` that carries credentials (`user:password@`) or a query or fragment
/// (where signatures and keys travel), without quoting it: the message must not repeat them.
///
/// # Errors
///
/// [`Failure::Usage`] naming what is wrong, never the URL.
fn check_graph_url(url: &str) -> Result<(), Failure> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or(rest);
    if authority.contains('@') {
        return Err(Failure::Usage(
            "--graph-url must not carry credentials (user:password@…); the URL is not repeated \
             here. graph-sync authenticates with --auth, never with credentials in the URL"
                .to_owned(),
        ));
    }
    if url.contains(['?', '#']) {
        return Err(Failure::Usage(
            "--graph-url must not have a query or fragment (?… or #…); the URL is not repeated \
             here. Give the Graph root only, e.g. http://127.0.0.1:8080/v1.0"
                .to_owned(),
        ));
    }
    Ok(())
}

/// Runs the command the command line names.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(cli: Cli) -> Result<(), Failure> {
    let context = Context { global: cli.global };
    match cli.command {
        Command::Secrets(command) => secrets::run(&context, command).await,
        Command::Emulator(args) => emulator::run(&context, &args).await,
        Command::Demo => demo::run(&context).await,
        Command::Credentials(command) => credentials::run(&context, command).await,
        Command::Jobs(command) => jobs::run(&context, command).await,
        Command::Templates(command) => templates::run(&context, command).await,
        Command::Schema(command) => schema::run(&context, command).await,
        Command::Expression(command) => expression::run(&context, command).await,
        Command::Bulk(command) => bulk::run(&context, command).await,
        Command::Provision(args) => provision::run(&context, &args).await,
        Command::ProvisionOnDemand(args) => provision_on_demand::run(&context, &args).await,
        Command::Logs(args) => logs::run(&context, *args).await,
        Command::Completions(args) => {
            completions::run(&args);
            Ok(())
        }
    }
}
