//! Where the command line's credential comes from: the one place it is decided.
//!
//! `--auth` picks the kind; `auto` (the default) takes the first that is configured:
//!
//! 1. a static bearer token in `GRAPH_SYNC_TOKEN`, or in the variable `--token-env NAME` names;
//! 2. the `AZURE_*` variables azure-identity users already set (`AZURE_TENANT_ID`,
//!    `AZURE_CLIENT_ID`, then `AZURE_CLIENT_SECRET`, or `AZURE_CLIENT_CERTIFICATE_PATH` with
//!    `AZURE_CLIENT_CERTIFICATE_PASSWORD`, or `AZURE_FEDERATED_TOKEN_FILE`), with the same
//!    names and precedence as azure-identity;
//! 3. App Service managed identity, when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set;
//! 4. the Azure CLI's login, when `az` is on `PATH` (`az account get-access-token` for the
//!    cloud's Graph resource, `--tenant` applied), as azure-identity's `DefaultAzureCredential`
//!    orders it after the environment and managed identity.
//!
//! The Azure instance metadata service (IMDS) is never probed by `auto`: it lives at a
//! link-local address that exists only on Azure hosts, and a command-line tool that opens
//! connections nobody asked for is a surprise. `--auth managed-identity` uses it (user-assigned
//! when `AZURE_CLIENT_ID` is set, system-assigned otherwise).
//!
//! `--tenant` overrides `AZURE_TENANT_ID`, and `--cloud` supplies the login authority unless
//! `AZURE_AUTHORITY_HOST` is set. A secret is never accepted as an argument, where any
//! process listing would show it.

use std::ffi::OsString;
use std::sync::Arc;

use graph_sync_api::model::SecretString;
use graph_sync_api::{
    AzureCliCredential, EnvironmentCredential, ManagedIdentity, ManagedIdentityCredential,
    StaticTokenCredential, TokenCredential,
};

use crate::cli::{AuthMode, GlobalOptions};
use crate::exit::Failure;

/// The variable a bearer token is read from by default.
pub(crate) const TOKEN_VARIABLE: &str = "GRAPH_SYNC_TOKEN";

/// Where the credential comes from (never the credential itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CredentialSource {
    /// A bearer token in this environment variable.
    StaticToken {
        /// The variable's name.
        variable: String,
    },
    /// The `AZURE_*` variables: client secret, certificate or workload identity.
    Environment,
    /// Managed identity: App Service when its variables are set, IMDS otherwise.
    ManagedIdentity,
    /// The Azure CLI's login.
    AzureCli,
}

/// A variable lookup: the process environment, or a test's map.
type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

fn is_set(env: Env<'_>, name: &str) -> bool {
    env(name).is_some_and(|value| !value.is_empty())
}

/// The Azure CLI's executable name.
const AZ: &str = if cfg!(windows) { "az.cmd" } else { "az" };

/// Whether `az` is a file in one of the `PATH` directories.
fn az_on_path(env: Env<'_>) -> bool {
    env("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(AZ).is_file()))
}

/// Finds the credential source the options and environment select.
///
/// # Errors
///
/// [`Failure::Auth`] when `--token-env` names an unset or empty variable, or when `auto`
/// finds nothing configured (the message lists what to set).
pub(crate) fn find_source(
    options: &GlobalOptions,
    env: Env<'_>,
) -> Result<CredentialSource, Failure> {
    let token_variable = options.token_env.as_deref().unwrap_or(TOKEN_VARIABLE);
    if let Some(variable) = &options.token_env
        && !is_set(env, variable)
    {
        return Err(Failure::Auth(format!(
            "--token-env names {variable}, which is not set or empty"
        )));
    }
    let token = || CredentialSource::StaticToken {
        variable: token_variable.to_owned(),
    };
    match options.auth {
        AuthMode::Token if is_set(env, token_variable) => Ok(token()),
        AuthMode::Token => Err(Failure::Auth(format!(
            "--auth token: set {TOKEN_VARIABLE} to a bearer token for Microsoft Graph, or name \
             another variable with --token-env NAME"
        ))),
        AuthMode::Environment => Ok(CredentialSource::Environment),
        AuthMode::ManagedIdentity => Ok(CredentialSource::ManagedIdentity),
        AuthMode::AzureCli => Ok(CredentialSource::AzureCli),
        AuthMode::Auto if is_set(env, token_variable) => Ok(token()),
        AuthMode::Auto if is_set(env, "AZURE_CLIENT_ID") || is_set(env, "AZURE_TENANT_ID") => {
            Ok(CredentialSource::Environment)
        }
        AuthMode::Auto if is_set(env, "IDENTITY_ENDPOINT") => Ok(CredentialSource::ManagedIdentity),
        AuthMode::Auto if az_on_path(env) => Ok(CredentialSource::AzureCli),
        AuthMode::Auto => Err(Failure::Auth(format!(
            "no credential: set {TOKEN_VARIABLE} to a bearer token (or name another variable \
             with --token-env), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and one of \
             AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, \
             or install the Azure CLI and run az login, or use --auth managed-identity on an \
             Azure host"
        ))),
    }
}

/// The `AZURE_*` lookup the credentials read, with `--tenant` and `--cloud` applied.
fn azure_lookup<'a>(
    options: &'a GlobalOptions,
    env: Env<'a>,
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name: &str| {
        let from_env = || env(name).and_then(|value| value.into_string().ok());
        match name {
            "AZURE_TENANT_ID" => options.tenant.clone().or_else(from_env),
            "AZURE_AUTHORITY_HOST" => from_env().or_else(|| {
                Some(
                    options
                        .cloud
                        .cloud()
                        .authority()
                        .as_str()
                        .trim_end_matches('/')
                        .to_owned(),
                )
            }),
            _ => from_env(),
        }
    }
}

/// The credential for a source.
///
/// # Errors
///
/// [`Failure::Auth`] when the variable vanished or is not valid Unicode, or the chosen
/// credential cannot be built (its message names the missing variables or unreadable files,
/// never a secret).
pub(crate) fn credential(
    source: &CredentialSource,
    options: &GlobalOptions,
    env: Env<'_>,
) -> Result<Arc<dyn TokenCredential>, Failure> {
    let lookup = azure_lookup(options, env);
    match source {
        CredentialSource::StaticToken { variable } => {
            if let Some(tenant) = &options.tenant {
                tracing::info!(
                    tenant,
                    "a static token carries its own tenant; --tenant is used by the AZURE_* credentials"
                );
            }
            let token = env(variable)
                .ok_or_else(|| Failure::Auth(format!("{variable} is not set")))?
                .into_string()
                .map_err(|_| Failure::Auth(format!("{variable} is not valid Unicode")))?;
            let token = token.trim();
            if token.is_empty() {
                return Err(Failure::Auth(format!("{variable} is empty")));
            }
            tracing::debug!(variable = %variable, "using a static bearer token");
            Ok(Arc::new(StaticTokenCredential::new(SecretString::from(
                token,
            ))))
        }
        CredentialSource::Environment => {
            let credential = EnvironmentCredential::from_lookup(lookup)
                .map_err(|error| Failure::Auth(error.to_string()))?;
            tracing::debug!(chosen = credential.chosen(), "using the AZURE_* credential");
            Ok(Arc::new(credential))
        }
        CredentialSource::ManagedIdentity => {
            let identity = match lookup("AZURE_CLIENT_ID").filter(|id| !id.is_empty()) {
                Some(client_id) => ManagedIdentity::ClientId(client_id),
                None => ManagedIdentity::SystemAssigned,
            };
            let credential = ManagedIdentityCredential::from_lookup(identity, lookup)
                .map_err(|error| Failure::Auth(error.to_string()))?;
            tracing::debug!("using managed identity");
            Ok(Arc::new(credential))
        }
        CredentialSource::AzureCli => {
            let mut credential = AzureCliCredential::new();
            if let Some(tenant) = &options.tenant {
                credential = credential
                    .tenant(tenant)
                    .map_err(|error| Failure::Auth(error.to_string()))?;
            }
            tracing::debug!("using the Azure CLI's login");
            Ok(Arc::new(credential))
        }
    }
}

/// The credential the options and the process environment select.
///
/// # Errors
///
/// As [`find_source`] and [`credential`].
pub(crate) fn resolve(options: &GlobalOptions) -> Result<Arc<dyn TokenCredential>, Failure> {
    let env = |name: &str| std::env::var_os(name);
    let source = find_source(options, &env)?;
    credential(&source, options, &env)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::Cli;

    fn options(args: &[&str]) -> GlobalOptions {
        let mut argv = vec!["graph-sync"];
        argv.extend_from_slice(args);
        argv.push("demo");
        Cli::try_parse_from(argv).unwrap().global
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn the_default_variable_gives_a_static_token() {
        let env = env_of(&[("GRAPH_SYNC_TOKEN", "tok")]);
        assert_eq!(
            find_source(&options(&[]), &env).unwrap(),
            CredentialSource::StaticToken {
                variable: TOKEN_VARIABLE.to_owned()
            }
        );
    }

    #[test]
    fn token_env_names_another_variable_and_must_be_set() {
        let env = env_of(&[("GRAPH_SYNC_TOKEN", "tok"), ("MY_TOKEN", "mine")]);
        assert_eq!(
            find_source(&options(&["--token-env", "MY_TOKEN"]), &env).unwrap(),
            CredentialSource::StaticToken {
                variable: "MY_TOKEN".to_owned()
            }
        );
        let error = find_source(&options(&["--token-env", "UNSET"]), &env).unwrap_err();
        assert!(matches!(error, Failure::Auth(_)));
        assert!(error.to_string().contains("UNSET"));
    }

    #[test]
    fn no_source_is_an_authentication_error_that_never_quotes_a_token() {
        let env = env_of(&[("GRAPH_SYNC_TOKEN", "")]);
        let error = find_source(&options(&[]), &env).unwrap_err();
        assert!(matches!(error, Failure::Auth(_)));
        let env = env_of(&[("T", "CANARY-token-value")]);
        let source = CredentialSource::StaticToken {
            variable: "T".to_owned(),
        };
        let credential = credential(&source, &options(&[]), &env).unwrap();
        assert!(!format!("{credential:?}").contains("CANARY"));
    }

    #[test]
    fn auto_prefers_a_token_then_the_azure_variables_then_app_service() {
        let env = env_of(&[("GRAPH_SYNC_TOKEN", "tok"), ("AZURE_CLIENT_ID", "c")]);
        assert!(matches!(
            find_source(&options(&[]), &env).unwrap(),
            CredentialSource::StaticToken { .. }
        ));
        let env = env_of(&[
            ("AZURE_CLIENT_ID", "c"),
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi"),
        ]);
        assert_eq!(
            find_source(&options(&[]), &env).unwrap(),
            CredentialSource::Environment
        );
        let env = env_of(&[("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi")]);
        assert_eq!(
            find_source(&options(&[]), &env).unwrap(),
            CredentialSource::ManagedIdentity
        );
        let error = find_source(&options(&[]), &env_of(&[]))
            .unwrap_err()
            .to_string();
        for hint in [
            "GRAPH_SYNC_TOKEN",
            "AZURE_CLIENT_SECRET",
            "az login",
            "--auth managed-identity",
        ] {
            assert!(error.contains(hint), "{error}");
        }
    }

    #[test]
    fn auto_takes_az_last_and_only_when_it_is_on_path() {
        let dir = std::env::temp_dir().join(format!("graph-sync-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(AZ), "").unwrap();
        let path = std::env::join_paths(["/nonexistent-graph-sync".into(), dir.clone()]).unwrap();
        let env = move |name: &str| (name == "PATH").then(|| path.clone());
        assert_eq!(
            find_source(&options(&[]), &env).unwrap(),
            CredentialSource::AzureCli
        );
        let with_token = |name: &str| match name {
            "GRAPH_SYNC_TOKEN" => Some(OsString::from("tok")),
            _ => env(name),
        };
        assert!(matches!(
            find_source(&options(&[]), &with_token).unwrap(),
            CredentialSource::StaticToken { .. }
        ));
        let with_app_service = |name: &str| match name {
            "IDENTITY_ENDPOINT" => Some(OsString::from("http://127.0.0.1:1/msi")),
            _ => env(name),
        };
        assert_eq!(
            find_source(&options(&[]), &with_app_service).unwrap(),
            CredentialSource::ManagedIdentity
        );
        let no_az =
            |name: &str| (name == "PATH").then(|| OsString::from("/nonexistent-graph-sync"));
        assert!(find_source(&options(&[]), &no_az).is_err());
        assert_eq!(
            find_source(&options(&["--auth", "azure-cli"]), &no_az).unwrap(),
            CredentialSource::AzureCli
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn imds_is_used_only_when_asked_for() {
        assert!(find_source(&options(&[]), &env_of(&[])).is_err());
        assert_eq!(
            find_source(&options(&["--auth", "managed-identity"]), &env_of(&[])).unwrap(),
            CredentialSource::ManagedIdentity
        );
    }

    #[test]
    fn the_environment_credential_names_exactly_what_is_missing() {
        let env = env_of(&[("AZURE_CLIENT_ID", "c")]);
        let source = find_source(&options(&[]), &env).unwrap();
        let error = credential(&source, &options(&[]), &env)
            .unwrap_err()
            .to_string();
        assert!(error.contains("AZURE_TENANT_ID"), "{error}");
        assert!(!error.contains("AZURE_CLIENT_ID,"), "{error}");
        // --tenant stands in for AZURE_TENANT_ID.
        let error = credential(&source, &options(&["--tenant", "contoso.example"]), &env)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("AZURE_TENANT_ID"), "{error}");
        assert!(error.contains("AZURE_CLIENT_SECRET"), "{error}");
    }

    #[test]
    fn the_cloud_supplies_the_authority_unless_the_environment_does() {
        let env = env_of(&[]);
        let global = options(&["--cloud", "usgov"]);
        let lookup = azure_lookup(&global, &env);
        assert_eq!(
            lookup("AZURE_AUTHORITY_HOST").as_deref(),
            Some("https://login.microsoftonline.us")
        );
        let env = env_of(&[("AZURE_AUTHORITY_HOST", "https://login.example")]);
        let lookup = azure_lookup(&global, &env);
        assert_eq!(
            lookup("AZURE_AUTHORITY_HOST").as_deref(),
            Some("https://login.example")
        );
    }
}
