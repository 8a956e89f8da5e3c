//! `graph-sync-emulator`: runs the emulated Graph synchronization service on `127.0.0.1` until
//! Ctrl-C, printing the Graph root, a bearer token, the registered service principals and an
//! example `curl` command.

#![allow(
    clippy::print_stdout,
    reason = "a command-line tool: printing the connection details is its job"
)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use graph_sync_emulator::{Emulator, RunningEmulator, ServicePrincipal, connection_details};

const USAGE: &str = "\
graph-sync-emulator: a local, in-memory Microsoft Graph synchronization service

Usage: graph-sync-emulator [--port N] [--sp NAME]... [--loose]

Options:
  --port N     Listen on 127.0.0.1:N (default 0: an ephemeral port)
  --sp NAME    Register a service principal named NAME (repeatable;
               default: one named \"Demo SCIM app\")
  --loose      Accept what Graph would refuse: no checks of request bodies
               or query options (default: strict, as Graph)
  -h, --help   Print this help

It prints a bearer token valid until it stops, and serves until Ctrl-C.";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Run {
        port: u16,
        names: Vec<String>,
        loose: bool,
    },
}

/// Reads the arguments after the program name.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut port = 0;
    let mut names = Vec::new();
    let mut loose = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--loose" if inline.is_none() => loose = true,
            "--port" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or("--port needs a value")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port needs a number from 0 to 65535, got {value:?}"))?;
            }
            "--sp" => {
                let name = inline.or_else(|| args.next()).ok_or("--sp needs a name")?;
                if name.trim().is_empty() {
                    return Err("--sp needs a non-empty name".to_owned());
                }
                names.push(name);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if names.is_empty() {
        names.push("Demo SCIM app".to_owned());
    }
    Ok(Command::Run { port, names, loose })
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, names, loose) = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run { port, names, loose }) => (port, names, loose),
        Err(message) => {
            eprintln!("graph-sync-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let emulator = Emulator::new();
    emulator.set_loose(loose);
    let principals: Vec<ServicePrincipal> = names
        .iter()
        .map(|name| emulator.register_service_principal(name))
        .collect();
    let token = emulator.issue_token();
    let running = match emulator
        .start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
    {
        Ok(running) => running,
        Err(error) => {
            eprintln!("graph-sync-emulator: cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&running, &token, &principals);

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("graph-sync-emulator: cannot wait for Ctrl-C ({error}); stopping");
    }
    println!("Stopping…");
    running.shutdown().await;
    println!("Stopped.");
    ExitCode::SUCCESS
}

fn print_banner(running: &RunningEmulator, token: &str, principals: &[ServicePrincipal]) {
    let root = running.graph_root();
    println!("graph-sync-emulator is serving the Graph synchronization API");
    println!();
    print!("{}", connection_details(running, token, principals));
    if let Some(first) = principals.first() {
        let sp = format!("{root}/servicePrincipals/{}/synchronization", first.id);
        println!();
        println!("Try:");
        println!(
            "  curl -i -X PUT '{sp}/secrets' \\\n    -H 'Authorization: Bearer {token}' \\\n    \
             -H 'Content-Type: application/json' \\\n    \
             -d '{{\"value\":[{{\"key\":\"BaseAddress\",\"value\":\"https://scim.example.com/scim\"}},\
             {{\"key\":\"SecretToken\",\"value\":\"example-token\"}}]}}'"
        );
        println!("  curl -s '{sp}' -H 'Authorization: Bearer {token}'");
    }
    println!();
    println!("Press Ctrl-C to stop.");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn defaults_to_an_ephemeral_port_and_one_demo_app() {
        assert_eq!(
            parse(&[]),
            Ok(Command::Run {
                port: 0,
                names: vec!["Demo SCIM app".to_owned()],
                loose: false,
            })
        );
    }

    #[test]
    fn reads_port_and_repeated_service_principals() {
        assert_eq!(
            parse(&["--port", "8080", "--sp", "A", "--sp=B c"]),
            Ok(Command::Run {
                port: 8080,
                names: vec!["A".to_owned(), "B c".to_owned()],
                loose: false,
            })
        );
        assert_eq!(
            parse(&["--port=9"]),
            Ok(Command::Run {
                port: 9,
                names: vec!["Demo SCIM app".to_owned()],
                loose: false,
            })
        );
        assert_eq!(parse(&["--sp", "x", "--help"]), Ok(Command::Help));
        assert!(matches!(
            parse(&["--loose"]),
            Ok(Command::Run { loose: true, .. })
        ));
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["--sp"]).is_err());
        assert!(parse(&["--sp", " "]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        assert!(parse(&["--loose=yes"]).is_err());
    }
}
