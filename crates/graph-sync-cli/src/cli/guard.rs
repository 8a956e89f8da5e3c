//! The guard against secrets on the command line: arguments that would carry a secret are
//! refused before clap sees them (clap's errors quote the argument), naming the key, never the
//! value.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use graph_sync_api::model::SecretKey;

use crate::exit::Failure;

/// Option names that would carry a secret if graph-sync had them (it has none).
const SECRET_OPTIONS: [&str; 7] = [
    "token",
    "access-token",
    "secret",
    "client-secret",
    "secret-token",
    "password",
    "value",
];

/// Refuses, before clap sees them (clap's errors quote the argument), the command-line
/// arguments that try to pass a secret: `KEY=VALUE` or `--KEY[=VALUE]` for a documented secret
/// key, and `--token`, `--secret`, `--password` and the like. The message names the key,
/// never the value.
///
/// # Errors
///
/// [`Failure::Usage`] for the first such argument.
pub(crate) fn refuse_secret_arguments(args: &[OsString]) -> Result<(), Failure> {
    for arg in args.iter().skip(1) {
        let Some(text) = arg.to_str() else { continue };
        if text == "--" {
            break;
        }
        let (name, has_value) = match text.split_once('=') {
            Some((name, _)) => (name, true),
            None => (text, false),
        };
        let is_option = name.starts_with("--");
        let bare = name.trim_start_matches('-');
        let is_secret_key = SecretKey::parse(bare).is_ok_and(|key| {
            !matches!(key, SecretKey::Other(_)) || key.documented_spelling().is_some()
        });
        let is_secret_option = is_option
            && SECRET_OPTIONS
                .iter()
                .any(|option| bare.eq_ignore_ascii_case(option));
        if (is_secret_key && (has_value || is_option)) || is_secret_option {
            return refuse_argument(text);
        }
    }
    Ok(())
}

/// The refusal of an argument that would carry a secret value. The message names the key,
/// never the value.
fn refuse_argument(text: &str) -> Result<(), Failure> {
    let what = match text.split_once('=') {
        Some((key, _)) => format!("an argument that looks like `{key}=…`"),
        None => format!("an unexpected option `{text}`"),
    };
    Err(Failure::Usage(format!(
        "{what}: {NEVER_ON_THE_COMMAND_LINE}"
    )))
}

/// Why graph-sync takes no secret as an argument, and where to put one instead.
const NEVER_ON_THE_COMMAND_LINE: &str = "secret values are never accepted as command-line \
     arguments, where process listings and shell history keep them. Put the key in the --from \
     file as a literal, { env = \"NAME\" }, { file = \"PATH\" } or { stdin = true }; pass the \
     bearer token in GRAPH_SYNC_TOKEN or the variable --token-env names";

/// clap's own error message (with its suggestions and usage line), except that an unexpected
/// bare argument, the one place a value typed by mistake would be quoted, is not repeated:
/// it may be a secret. Options and their names are shown as clap shows them (clap never
/// quotes the `=VALUE` part of an unknown `--option=VALUE`).
pub(crate) fn clap_message(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let bare = match (error.kind(), error.get(ContextKind::InvalidArg)) {
        (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) if !arg.starts_with('-') => {
            arg.clone()
        }
        _ => return rendered.trim_end().to_owned(),
    };
    let mut lines = vec![
        "error: an unexpected argument (not repeated here: it may be a secret value)".to_owned(),
    ];
    lines.extend(
        rendered
            .lines()
            .skip(1)
            .filter(|line| !line.contains(bare.as_str()))
            .map(str::to_owned),
    );
    lines.push(format!("note: {NEVER_ON_THE_COMMAND_LINE}"));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser as _};

    use crate::cli::Cli;

    use super::*;

    fn refused(args: &[&str]) -> Option<String> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        refuse_secret_arguments(&args).err().map(|e| e.to_string())
    }

    #[test]
    fn secrets_on_the_command_line_are_refused_without_echo() {
        for args in [
            &["graph-sync", "secrets", "set", "SecretToken=CANARY"][..],
            &["graph-sync", "--SecretToken=CANARY", "secrets"],
            &["graph-sync", "secrets", "set", "--secrettoken", "CANARY"],
            &["graph-sync", "--token", "CANARY", "secrets", "show"],
            &["graph-sync", "secrets", "set", "--client-secret=CANARY"],
        ] {
            let message = refused(args).unwrap_or_else(|| panic!("{args:?} was accepted"));
            assert!(!message.contains("CANARY"), "{message}");
            assert!(message.contains("never accepted"), "{message}");
        }
        for args in [
            &["graph-sync", "secrets", "clear", "--sp", "x", "SecretToken"][..],
            &[
                "graph-sync",
                "--token-env",
                "MY_TOKEN",
                "secrets",
                "show",
                "--sp",
                "appId=x",
            ],
            &["graph-sync", "--graph-url=http://127.0.0.1:1/v1.0", "demo"],
            &[
                "graph-sync",
                "secrets",
                "set",
                "--from",
                "secrets.toml",
                "--",
                "SecretToken=x",
            ],
        ] {
            assert_eq!(refused(args), None, "{args:?}");
        }
        let message = refuse_argument("Foo=CANARY").unwrap_err();
        assert!(message.to_string().contains("`Foo=…`"));
        assert!(!message.to_string().contains("CANARY"));
    }

    fn clap_error(args: &[&str]) -> String {
        let error = Cli::try_parse_from(args).expect_err("clap refuses it");
        clap_message(&error)
    }

    const SP: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

    #[test]
    fn typos_get_clap_suggestions_and_bare_values_are_not_repeated() {
        for (args, expected) in [
            (
                &[
                    "graph-sync",
                    "secrets",
                    "set",
                    "--sp",
                    SP,
                    "--from",
                    "f.toml",
                    "--dryrun",
                ][..],
                "'--dry-run'",
            ),
            (
                &[
                    "graph-sync",
                    "bulk",
                    "secrets",
                    "--csv",
                    "a.csv",
                    "--concurency",
                    "2",
                ],
                "'--concurrency'",
            ),
            (
                &["graph-sync", "provision", "--manifest", "m.toml", "--josn"],
                "unexpected argument '--josn'",
            ),
            (
                &[
                    "graph-sync",
                    "secrets",
                    "set",
                    "--service-principal",
                    SP,
                    "--from",
                    "f",
                ],
                "unexpected argument '--service-principal'",
            ),
        ] {
            let message = clap_error(args);
            assert!(message.contains(expected), "{args:?}: {message}");
            assert!(!message.contains("never accepted"), "{args:?}: {message}");
        }
        for args in [
            &[
                "graph-sync",
                "secrets",
                "set",
                "--sp",
                SP,
                "--from",
                "f",
                "CANARY-value",
            ][..],
            &[
                "graph-sync",
                "jobs",
                "start",
                "--sp",
                SP,
                "--job",
                "j",
                "CANARY-value",
            ],
            &[
                "graph-sync",
                "provision",
                "--manifest",
                "m.toml",
                "CANARY-value",
            ],
        ] {
            let message = clap_error(args);
            assert!(!message.contains("CANARY"), "{args:?}: {message}");
            assert!(message.contains("not repeated"), "{message}");
            assert!(message.contains("Usage: graph-sync"), "{message}");
        }
    }

    #[test]
    fn no_option_takes_a_secret() {
        fn check(command: &clap::Command) {
            for arg in command.get_arguments() {
                let name = arg.get_id().as_str().to_ascii_lowercase();
                assert!(
                    !["token", "secret", "password", "value"].contains(&name.as_str()),
                    "option {name} looks like it takes a secret"
                );
            }
            for sub in command.get_subcommands() {
                check(sub);
            }
        }
        check(&Cli::command());
    }
}
