//! Named profiles: the tenant, cloud, authentication, Graph URL and CA file of each tenant an
//! administrator works with, in `$XDG_CONFIG_HOME/graph-sync/config.toml` (default
//! `~/.config/graph-sync/config.toml`), chosen by `--profile NAME` or `GRAPH_SYNC_PROFILE`.
//!
//! ```toml
//! [profiles.dev]
//! tenant = "contoso-dev.onmicrosoft.com"
//! auth = "azure-cli"
//!
//! [profiles.gov]
//! cloud = "usgov"
//! tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
//! ```
//!
//! Precedence: a flag, then its environment variable, then the profile, then the default. A
//! profile holds no secrets: a key that looks like one is refused, as is any unknown key.

use std::path::{Path, PathBuf};

use clap::ValueEnum as _;
use serde::Deserialize;

use crate::cli::{AuthMode, CloudName, GlobalOptions};
use crate::exit::Failure;

/// The largest configuration file read.
const MAX_CONFIG: u64 = 1024 * 1024;

/// What one profile may set.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Profile {
    tenant: Option<String>,
    cloud: Option<String>,
    auth: Option<String>,
    graph_url: Option<String>,
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    profiles: std::collections::BTreeMap<String, Profile>,
}

/// Which global options were given by a flag or an environment variable (and so win over the
/// profile).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Given {
    pub(crate) tenant: bool,
    pub(crate) cloud: bool,
    pub(crate) auth: bool,
    pub(crate) graph_url: bool,
    pub(crate) ca_file: bool,
}

/// The configuration file: `$XDG_CONFIG_HOME/graph-sync/config.toml`, else
/// `$HOME/.config/graph-sync/config.toml` (an empty or relative `XDG_CONFIG_HOME` is ignored,
/// as the XDG specification says).
pub(crate) fn config_path(env: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |name: &str| {
        env(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    absolute("XDG_CONFIG_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".config")))
        .map(|base| base.join("graph-sync").join("config.toml"))
}

/// Applies the profile `options.profile` names to the options not given by a flag or variable.
///
/// # Errors
///
/// [`Failure::Usage`] when the file is missing or unreadable, is not valid TOML, holds an
/// unknown or secret-looking key or a bad value (the message names the file and line), or has
/// no such profile (the message lists the ones it has).
pub(crate) fn apply(options: &mut GlobalOptions, given: Given) -> Result<(), Failure> {
    let Some(name) = options.profile.clone() else {
        return Ok(());
    };
    let env = |name: &str| std::env::var_os(name);
    let path = config_path(&env).ok_or_else(|| {
        Failure::Usage(format!(
            "--profile {name}: no configuration directory (set HOME or XDG_CONFIG_HOME)"
        ))
    })?;
    let text = read(&path)?;
    let profile = select(&path, &text, &name)?;
    overlay(options, given, profile, &path)
}

fn read(path: &Path) -> Result<String, Failure> {
    use std::io::Read as _;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|error| {
        Failure::Usage(format!(
            "the profile file {shown} cannot be read ({error}); create it with [profiles.NAME] \
             tables"
        ))
    })?;
    let mut text = String::new();
    file.take(MAX_CONFIG + 1)
        .read_to_string(&mut text)
        .map_err(|error| Failure::Usage(format!("the profile file {shown}: {error}")))?;
    if text.len() as u64 > MAX_CONFIG {
        return Err(Failure::Usage(format!(
            "the profile file {shown} is more than 1 MiB (the limit)"
        )));
    }
    Ok(text)
}

/// Keys a profile may never hold: anything that looks like a secret.
fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "private",
        "key",
        "pfx",
        "cert_pass",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// The line where `key` is set (`key =` at the start of a line), for messages.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|index| index + 1)
}

fn select(path: &Path, text: &str, name: &str) -> Result<Profile, Failure> {
    let shown = path.display();
    let invalid = |error: toml::de::Error| {
        let line = error.span().map_or(1, |span| line_of(text, span.start));
        Failure::Usage(format!(
            "the profile file {shown}, line {line}: {}",
            error.message()
        ))
    };
    let table: toml::Table = toml::from_str(text).map_err(invalid)?;
    if let Some(toml::Value::Table(profiles)) = table.get("profiles") {
        for (profile, value) in profiles {
            let Some(keys) = value.as_table() else {
                continue;
            };
            if let Some(key) = keys.keys().find(|key| looks_secret(key)) {
                let line =
                    line_of_key(text, key).map_or_else(String::new, |l| format!(", line {l}"));
                return Err(Failure::Usage(format!(
                    "the profile file {shown}{line}: profile {profile} sets {key}, which looks \
                     like a secret; profiles hold no secrets (they stay in environment \
                     variables, files or the credential's own store)"
                )));
            }
        }
    }
    let config: Config = toml::from_str(text).map_err(invalid)?;
    let names: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
    let listed = if names.is_empty() {
        "it has none".to_owned()
    } else {
        format!("it has: {}", names.join(", "))
    };
    let mut profiles = config.profiles;
    profiles
        .remove(name)
        .ok_or_else(|| Failure::Usage(format!("no profile {name:?} in {shown} ({listed})")))
}

fn overlay(
    options: &mut GlobalOptions,
    given: Given,
    profile: Profile,
    path: &Path,
) -> Result<(), Failure> {
    let bad = |key: &str, value: &str, expected: &str| {
        Failure::Usage(format!(
            "the profile file {}: {key} = {value:?} is not one of {expected}",
            path.display()
        ))
    };
    let names = |values: &[&str]| values.join(", ");
    if let (false, Some(tenant)) = (given.tenant, profile.tenant) {
        options.tenant = Some(tenant);
    }
    if let (false, Some(cloud)) = (given.cloud, profile.cloud) {
        options.cloud = CloudName::from_str(&cloud, true).map_err(|_| {
            bad(
                "cloud",
                &cloud,
                &names(&["global", "usgov", "usgov-dod", "china"]),
            )
        })?;
    }
    if let (false, Some(auth)) = (given.auth, profile.auth) {
        options.auth = AuthMode::from_str(&auth, true).map_err(|_| {
            let all: Vec<String> = AuthMode::value_variants()
                .iter()
                .filter_map(|mode| mode.to_possible_value().map(|v| v.get_name().to_owned()))
                .collect();
            bad("auth", &auth, &all.join(", "))
        })?;
    }
    if let (false, Some(graph_url)) = (given.graph_url, profile.graph_url) {
        options.graph_url = Some(graph_url);
    }
    if let (false, Some(ca_file)) = (given.ca_file, profile.ca_file) {
        // A relative CA file is relative to the configuration file, not the working directory.
        options.ca_file = Some(match path.parent() {
            Some(dir) if ca_file.is_relative() => dir.join(ca_file),
            _ => ca_file,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    #[test]
    fn the_file_is_under_xdg_config_home_else_home() {
        let env = |name: &str| match name {
            "XDG_CONFIG_HOME" => Some(OsString::from("/x/config")),
            "HOME" => Some(OsString::from("/home/u")),
            _ => None,
        };
        assert_eq!(
            config_path(&env),
            Some(PathBuf::from("/x/config/graph-sync/config.toml"))
        );
        let env = |name: &str| match name {
            "XDG_CONFIG_HOME" => Some(OsString::from("relative")),
            "HOME" => Some(OsString::from("/home/u")),
            _ => None,
        };
        assert_eq!(
            config_path(&env),
            Some(PathBuf::from("/home/u/.config/graph-sync/config.toml"))
        );
        assert_eq!(config_path(&|_: &str| None), None);
    }

    #[test]
    fn bad_files_name_the_file_and_line_and_secrets_are_refused() {
        let path = Path::new("/c/config.toml");
        let error = |text: &str| select(path, text, "dev").unwrap_err().to_string();
        let message = error("[profiles.dev]\ntenant = \"t\"\ncloud = \n");
        assert!(message.contains("/c/config.toml, line 3"), "{message}");
        let message = error("[profiles.dev]\ntenant = \"t\"\nclient_secret = \"CANARY-p\"\n");
        assert!(
            message.contains("line 3") && message.contains("client_secret"),
            "{message}"
        );
        assert!(!message.contains("CANARY"), "{message}");
        let message = error("[profiles.dev]\n\ntenantt = \"t\"\n");
        assert!(
            message.contains("line 3") && message.contains("tenantt"),
            "{message}"
        );
        let message = error("[profiles.prod]\ntenant = \"t\"\n");
        assert!(message.contains("it has: prod"), "{message}");
        let profile = select(path, "[profiles.dev]\ntenant = \"t\"\n", "dev").unwrap();
        assert_eq!(profile.tenant.as_deref(), Some("t"));
        for key in [
            "client_secret",
            "SecretToken",
            "token",
            "password",
            "private_key",
        ] {
            assert!(looks_secret(key), "{key}");
        }
        for key in ["tenant", "cloud", "auth", "graph_url", "ca_file"] {
            assert!(!looks_secret(key), "{key}");
        }
    }
}
