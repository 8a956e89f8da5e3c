//! Where the command line's credential comes from: the one place it is decided.
//!
//! Today: a static bearer token read from an environment variable, `GRAPH_SYNC_TOKEN` or the
//! one `--token-env NAME` names. A token is never accepted as an argument, where any process
//! listing would show it.
//!
//! The environment credential chain (the `AZURE_*` variables azure-identity users already set:
//! client secret, certificate, workload identity, managed identity) comes with the
//! authentication work. It slots in as one more [`CredentialSource`] variant, found by
//! [`find_source`] when no token variable is set, and one more arm in [`credential`]; nothing
//! else in the CLI changes.

use std::ffi::OsString;
use std::sync::Arc;

use graph_sync_api::model::SecretString;
use graph_sync_api::{StaticTokenCredential, TokenCredential};

use crate::cli::GlobalOptions;
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
}

/// Finds the credential source the options and environment select.
///
/// # Errors
///
/// [`Failure::Auth`] when `--token-env` names an unset or empty variable, or when no source is
/// configured at all.
pub(crate) fn find_source(
    options: &GlobalOptions,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<CredentialSource, Failure> {
    if let Some(variable) = &options.token_env {
        return match env(variable) {
            Some(value) if !value.is_empty() => Ok(CredentialSource::StaticToken {
                variable: variable.clone(),
            }),
            _ => Err(Failure::Auth(format!(
                "--token-env names {variable}, which is not set or empty"
            ))),
        };
    }
    if env(TOKEN_VARIABLE).is_some_and(|value| !value.is_empty()) {
        return Ok(CredentialSource::StaticToken {
            variable: TOKEN_VARIABLE.to_owned(),
        });
    }
    Err(Failure::Auth(format!(
        "no credential: set {TOKEN_VARIABLE} to a bearer token for Microsoft Graph, or name \
         another variable with --token-env NAME"
    )))
}

/// The credential for a source.
///
/// # Errors
///
/// [`Failure::Auth`] when the variable vanished or is not valid Unicode.
pub(crate) fn credential(
    source: &CredentialSource,
    options: &GlobalOptions,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Arc<dyn TokenCredential>, Failure> {
    match source {
        CredentialSource::StaticToken { variable } => {
            if let Some(tenant) = &options.tenant {
                tracing::info!(
                    tenant,
                    "a static token carries its own tenant; --tenant is used by the credential chain"
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
}
