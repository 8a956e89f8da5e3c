//! The options every command takes: cloud, tenant, Graph root, authentication, output, verbosity.

use std::time::Duration;

use clap::{Args, ValueEnum};
use graph_sync_api::Cloud;

use super::values::parse_duration;
use crate::output::OutputFormat;

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalOptions {
    /// The national cloud to talk to.
    #[arg(long, global = true, value_enum, default_value_t = CloudName::Global, env = "GRAPH_SYNC_CLOUD")]
    pub(crate) cloud: CloudName,
    /// The Entra tenant (id or domain) to authenticate in; used by the credential chain.
    #[arg(long, global = true, value_name = "TENANT", env = "AZURE_TENANT_ID")]
    pub(crate) tenant: Option<String>,
    /// Send requests to another Graph root: a proxy, or the emulator
    /// (`http://127.0.0.1:PORT/v1.0`). Plain HTTP only on loopback.
    #[arg(long, global = true, value_name = "URL", env = "GRAPH_SYNC_GRAPH_URL")]
    pub(crate) graph_url: Option<String>,
    /// Also trust the root certificates of this PEM file: a TLS-inspecting proxy's authority,
    /// or the development authority `graph-sync emulator --tls` writes.
    #[arg(long, global = true, value_name = "FILE", env = "GRAPH_SYNC_CA_FILE")]
    pub(crate) ca_file: Option<std::path::PathBuf>,
    /// Take tenant, cloud, auth, Graph URL and CA file not given by a flag or variable from
    /// this profile of ~/.config/graph-sync/config.toml ([profiles.NAME]).
    #[arg(long, global = true, value_name = "NAME", env = "GRAPH_SYNC_PROFILE")]
    pub(crate) profile: Option<String>,
    /// Read the bearer token from this environment variable instead of GRAPH_SYNC_TOKEN.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) token_env: Option<String>,
    /// How to authenticate: `auto` takes a token variable, then the AZURE_* variables, then
    /// App Service managed identity, then `az` (the Azure CLI's login) when it is on PATH;
    /// IMDS managed identity only with `managed-identity`.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "GRAPH_SYNC_AUTH"
    )]
    pub(crate) auth: AuthMode,
    /// Give up retrying a call after this long, waits included (default 5m).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) retry_max_time: Option<Duration>,
    /// Try every call once: no retry after throttling, a 5xx or a connection failure.
    #[arg(long, global = true, conflicts_with = "retry_max_time")]
    pub(crate) no_retry: bool,
    /// How results are printed on stdout.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    pub(crate) output: OutputFormat,
    /// Trace to stderr: -v info, -vv debug, -vvv trace. Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum AuthMode {
    /// The first configured of: token variable, AZURE_* variables, App Service identity, az.
    #[default]
    Auto,
    /// A bearer token from GRAPH_SYNC_TOKEN or --token-env.
    Token,
    /// AZURE_TENANT_ID, AZURE_CLIENT_ID and a client secret, certificate or federated token.
    Environment,
    /// Managed identity (App Service, else IMDS); user-assigned when AZURE_CLIENT_ID is set.
    ManagedIdentity,
    /// The Azure CLI's login: `az account get-access-token` (--tenant and --cloud applied).
    AzureCli,
}

/// `--cloud`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CloudName {
    /// Microsoft Graph global service (graph.microsoft.com).
    Global,
    /// US Government L4 (graph.microsoft.us).
    Usgov,
    /// US Government L5, DoD (dod-graph.microsoft.us).
    UsgovDod,
    /// Microsoft Graph China, operated by 21Vianet (microsoftgraph.chinacloudapi.cn).
    China,
}

impl CloudName {
    /// The cloud's endpoints.
    pub(crate) fn cloud(self) -> Cloud {
        match self {
            Self::Global => Cloud::global(),
            Self::Usgov => Cloud::us_gov_l4(),
            Self::UsgovDod => Cloud::us_gov_l5(),
            Self::China => Cloud::china(),
        }
    }
}
