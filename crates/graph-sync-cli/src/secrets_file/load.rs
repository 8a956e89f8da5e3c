//! What commands call: read a secrets-bearing file from disk (warning when others can read it),
//! parse it, resolve its values from the process's environment, files and standard input, and
//! print the warnings on stderr. Every error names the file.

use std::io::IsTerminal as _;
use std::path::Path;

use graph_sync_api::model::{Secrets, Severity};
use zeroize::Zeroizing;

use super::{FileFormat, ParseOptions, SecretsFile, Sources, permission_warning};
use crate::exit::Failure;
use crate::limits::{SECRETS_FILE_CAP, VALUE_CAP, read_capped, read_file_capped};

/// Reads and resolves a secrets file (TOML or JSON; `format` defaults to the extension's),
/// printing warnings on stderr: the one loader every command that takes secrets uses.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable or malformed file, an unknown key (unless
/// `allow_unknown_keys`), or a value that cannot be resolved.
pub(crate) fn load_secrets(
    path: &Path,
    format: Option<FileFormat>,
    allow_unknown_keys: bool,
) -> Result<Secrets, Failure> {
    let format = match format.or_else(|| FileFormat::from_path(path)) {
        Some(format) => format,
        None => {
            return Err(Failure::Usage(format!(
                "cannot tell the format of {} from its extension; name it .toml or .json, or \
                 pass --format toml|json",
                path.display()
            )));
        }
    };
    let text = read_secrets_file(path)?;
    let options = ParseOptions { allow_unknown_keys };
    let file = SecretsFile::parse(&text, format, options)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    drop(text);
    resolve_secrets(file, path)
}

/// Reads the values of a parsed secrets file (from the environment, files relative to
/// `path`'s directory, standard input), printing warnings on stderr. Errors name `path`.
///
/// # Errors
///
/// [`Failure::Usage`] for a value that cannot be read or held by its key.
pub(crate) fn resolve_secrets(file: SecretsFile, path: &Path) -> Result<Secrets, Failure> {
    let env = |name: &str| std::env::var_os(name);
    let mut stdin = read_stdin;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolved = file
        .resolve(&mut Sources {
            env: &env,
            stdin: &mut stdin,
            base_dir,
        })
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    for warning in resolved.warnings {
        eprintln!("{warning}");
    }
    Ok(resolved.secrets)
}

/// A secrets-bearing file's text, with a warning on stderr if others can read it.
///
/// # Errors
///
/// [`Failure::Usage`] for an unreadable or non-UTF-8 file.
pub(crate) fn read_secrets_file(path: &Path) -> Result<Zeroizing<String>, Failure> {
    let text = read_file_capped(path, SECRETS_FILE_CAP)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let text = Zeroizing::new(text);
    if let Some(warning) = permission_warning(path) {
        eprintln!("{warning}");
    }
    match std::str::from_utf8(&text) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(Failure::Usage(format!(
            "{} is not UTF-8 text",
            path.display()
        ))),
    }
}

/// All of standard input, refusing a terminal (a secret typed there would be echoed, and the
/// command would seem to hang).
fn read_stdin() -> std::io::Result<Vec<u8>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(std::io::Error::other(
            "is a terminal; pipe the value in instead, e.g. `… --from FILE < token.txt`",
        ));
    }
    read_capped(stdin, VALUE_CAP)
}

/// The advice [`Secrets::validate`] gives on values whose format the documentation does not
/// fix (a `BaseAddress` that is not a URL, say), as one line per value; a refusal is the
/// error. Messages name the key and the rule, never the value.
///
/// # Errors
///
/// The refusal's message, when there is one.
pub(crate) fn advice(secrets: &Secrets) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    for finding in secrets.validate() {
        let message = graph_sync_api::redact::sanitize(finding.message()).into_owned();
        if finding.severity() == Severity::Refusal {
            return Err(message);
        }
        warnings.push(message);
    }
    Ok(warnings)
}

/// [`advice`] on the secrets from `source`, printed as warnings on stderr (sent anyway) or,
/// with `--strict`, refused.
///
/// # Errors
///
/// [`Failure::Usage`] for a refusal, and for any warning under `strict`; nothing is sent.
pub(crate) fn advise(secrets: &Secrets, strict: bool, source: &str) -> Result<(), Failure> {
    let warnings =
        advice(secrets).map_err(|refusal| Failure::Usage(format!("{source}: {refusal}")))?;
    warn_or_refuse(source, &warnings, strict)
}

/// Prints `warnings` about the secrets from `source` on stderr (the first few), or with
/// `strict` refuses them all.
///
/// # Errors
///
/// [`Failure::Usage`] under `strict` when there is any warning; nothing is sent.
pub(crate) fn warn_or_refuse(
    source: &str,
    warnings: &[String],
    strict: bool,
) -> Result<(), Failure> {
    const SHOWN: usize = 5;
    if warnings.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = warnings
        .iter()
        .take(SHOWN)
        .map(|w| format!("  {w}"))
        .collect();
    if warnings.len() > SHOWN {
        lines.push(format!("  … and {} more", warnings.len() - SHOWN));
    }
    let lines = lines.join("\n");
    if strict {
        return Err(Failure::Usage(format!(
            "{source}: --strict refuses values that break a rule graph-sync infers (the \
             documentation does not fix these formats); nothing was sent:\n{lines}"
        )));
    }
    eprintln!(
        "warning: {source}: {} value(s) break a rule graph-sync infers; sent anyway (the \
         documentation does not fix these formats; --strict refuses):\n{lines}",
        warnings.len()
    );
    Ok(())
}
