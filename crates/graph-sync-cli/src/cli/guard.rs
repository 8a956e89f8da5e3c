//! The guard against secrets on the command line: arguments that would carry a secret are
//! refused before clap sees them (clap's errors quote the argument), naming the key, never the
//! value.

use std::ffi::OsString;

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
            return refuse_arguments(&[OsString::from(text)]);
        }
    }
    Ok(())
}

/// Refuses leftover arguments (the hidden `rejected` positional of a command): the only way
/// one ends up there is an attempt to pass a value on the command line. The message names the
/// key, never the value.
///
/// # Errors
///
/// [`Failure::Usage`] when `rejected` is not empty.
pub(crate) fn refuse_arguments(rejected: &[OsString]) -> Result<(), Failure> {
    let Some(first) = rejected.first() else {
        return Ok(());
    };
    let text = first.to_string_lossy();
    let what = match text.split_once('=') {
        Some((key, _)) => format!("an argument that looks like `{key}=…`"),
        None if text.starts_with('-') => format!("an unexpected option `{text}`"),
        None => "an unexpected argument".to_owned(),
    };
    Err(Failure::Usage(format!(
        "{what}: secret values are never accepted as command-line arguments, where process \
         listings and shell history keep them. Put the key in the --from file as a literal, \
         {{ env = \"NAME\" }}, {{ file = \"PATH\" }} or {{ stdin = true }}; pass the bearer \
         token in GRAPH_SYNC_TOKEN or the variable --token-env names"
    )))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

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
        let message = refuse_arguments(&[OsString::from("Foo=CANARY")]).unwrap_err();
        assert!(message.to_string().contains("`Foo=…`"));
        assert!(!message.to_string().contains("CANARY"));
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
