//! `graph-sync-emulator`: runs the emulated Graph synchronization service on `127.0.0.1` until
//! Ctrl-C, printing the Graph root, a bearer token, the registered service principals and an
//! example `curl` command.

#![allow(
    clippy::print_stdout,
    reason = "a command-line tool: printing the connection details is its job"
)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use graph_sync_emulator::{
    Emulator, Flags, RunningEmulator, ServicePrincipal, Settings, connection_details,
};

const USAGE: &str = "\
graph-sync-emulator: a local, in-memory Microsoft Graph synchronization service

Usage: graph-sync-emulator [--port N] [--sp NAME]... [--throttle RATE[/BURST]]
                           [--faults RATE [--fault-kinds KINDS] [--seed N]]
                           [--latency MS[..MS]] [--only SELECTION] [--loose]

Options:
  --port N                 Listen on 127.0.0.1:N (default 0: an ephemeral port)
  --sp NAME                Register a service principal named NAME (repeatable;
                           default: one named \"Demo SCIM app\")
  --loose                  Accept what Graph would refuse: no checks of request
                           bodies or query options (default: strict, as Graph)
  --throttle RATE[/BURST]  Answer 429 beyond RATE requests per second per client
                           (bursts of BURST; default the rate rounded up)
  --faults RATE            Inject a fault into a share of requests (0.05 or 5%)
  --fault-kinds KINDS      Which faults: 503, 503:SECONDS (with Retry-After), 504,
                           reset, reset-after-read, slow, slow:MS, truncate
                           (default 503,504,reset)
  --seed N                 Seed of --faults and --latency (default: random, printed)
  --latency MS[..MS]       Delay each request by MS, or by MS to MS at random
  --only SELECTION         Throttle, faults and latency only for these methods and
                           path patterns: POST, */synchronization/secrets, …
  -h, --help               Print this help

It prints a bearer token valid until it stops and the admin token of the control
API (/_emulator/…, see docs/emulator.md), and serves until Ctrl-C.";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Command {
    Help,
    Run {
        port: u16,
        names: Vec<String>,
        loose: bool,
        settings: Settings,
    },
}

/// Reads the arguments after the program name.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut port = 0;
    let mut names = Vec::new();
    let mut loose = false;
    let mut flags = Flags::default();
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
            "--throttle" | "--faults" | "--seed" | "--fault-kinds" | "--latency" | "--only" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))?;
                let slot = match flag.as_str() {
                    "--throttle" => &mut flags.throttle,
                    "--faults" => &mut flags.faults,
                    "--seed" => &mut flags.seed,
                    "--fault-kinds" => &mut flags.fault_kinds,
                    "--latency" => &mut flags.latency,
                    _ => &mut flags.only,
                };
                if slot.replace(value).is_some() {
                    return Err(format!("{flag} is given twice"));
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if names.is_empty() {
        names.push("Demo SCIM app".to_owned());
    }
    let settings = Settings::from_flags(&flags)?;
    Ok(Command::Run {
        port,
        names,
        loose,
        settings,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, names, loose, settings) = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run {
            port,
            names,
            loose,
            settings,
        }) => (port, names, loose, settings),
        Err(message) => {
            eprintln!("graph-sync-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let emulator = Emulator::new();
    emulator.set_loose(loose);
    emulator.configure(&settings);
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
                settings: Settings::default(),
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
                settings: Settings::default(),
            })
        );
        assert_eq!(
            parse(&["--port=9"]),
            Ok(Command::Run {
                port: 9,
                names: vec!["Demo SCIM app".to_owned()],
                loose: false,
                settings: Settings::default(),
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
        assert!(parse(&["--throttle", "0"]).is_err());
        assert!(parse(&["--throttle"]).is_err());
        assert!(parse(&["--throttle", "5", "--throttle=6"]).is_err());
        assert!(parse(&["--fault-kinds", "503"]).is_err());
    }

    #[test]
    fn reads_the_control_surface_flags() {
        let Ok(Command::Run { settings, .. }) = parse(&[
            "--throttle=20/5",
            "--faults",
            "0.05",
            "--seed",
            "9",
            "--fault-kinds",
            "503,reset",
            "--latency",
            "1..3",
            "--only",
            "*/secrets",
        ]) else {
            panic!("not parsed");
        };
        assert!(settings.throttle.is_some() && settings.latency.is_some());
        assert_eq!(settings.faults.map(|f| f.seed()), Some(9));
        assert!(
            settings
                .only
                .matches("PUT", "/v1.0/servicePrincipals/a/synchronization/secrets")
        );
    }
}
