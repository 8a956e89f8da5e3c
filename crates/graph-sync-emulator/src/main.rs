//! `graph-sync-emulator`: runs the emulated Graph synchronization service on `127.0.0.1` until
//! Ctrl-C, printing the Graph root, a bearer token, the registered service principals (those of
//! `--tenant-file`, or `--sp`) and an example `curl` command.

#![allow(
    clippy::print_stdout,
    reason = "a command-line tool: printing the connection details is its job"
)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use graph_sync_emulator::{
    Emulator, Flags, RunningEmulator, ServicePrincipal, Settings, TenantFile, connection_details,
};

/// Writes `text` on stdout and flushes it. Everything this binary prints on stdout goes through
/// here (the `println!`/`print!` below shadow std's): a closed stdout, a reader that stopped
/// early as in `graph-sync-emulator --help | head -1`, ends the process quietly with exit code
/// 0, as the graph-sync CLI, git and ripgrep do; any other write error ends it with exit code 1
/// and a message on stderr. (std's `println!` panics on a closed pipe.)
fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = result {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("graph-sync-emulator: cannot write to standard output: {error}");
        std::process::exit(1);
    }
}

/// `std::println!` through [`write_stdout`].
macro_rules! println {
    () => {
        write_stdout("\n")
    };
    ($($arg:tt)*) => {
        write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `std::print!` through [`write_stdout`].
macro_rules! print {
    ($($arg:tt)*) => {
        write_stdout(&format!($($arg)*))
    };
}

const USAGE: &str = "\
graph-sync-emulator: a local, in-memory Microsoft Graph synchronization service

Usage: graph-sync-emulator [--port N] [--sp NAME]... [--tenant-file FILE]
                           [--state FILE]
                           [--throttle RATE[/BURST]]
                           [--faults RATE [--fault-kinds KINDS] [--seed N]]
                           [--latency MS[..MS]] [--only SELECTION] [--loose]

Options:
  --port N                 Listen on 127.0.0.1:N (default 0: an ephemeral port)
  --sp NAME                Register a service principal named NAME (repeatable;
                           default: one named \"Demo SCIM app\" unless the tenant
                           file declares service principals)
  --tenant-file FILE       Load app registrations, roles, managed identities,
                           templates, service principals, jobs and the [emulator]
                           table (flags win) from a TOML file (docs/emulator.md)
  --state FILE             Keep service principals, secrets, jobs, app
                           registrations and tokens in FILE across restarts
                           (written atomically after each change); an existing
                           FILE is loaded, and --sp and the tenant file's
                           declarations are then not applied again
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
#[expect(
    clippy::large_enum_variant,
    reason = "made once per process: boxing the arguments would buy nothing"
)]
enum Command {
    Help,
    Run {
        port: u16,
        /// The `--sp` names given.
        names: Vec<String>,
        loose: bool,
        /// The control-surface flags given (checked when there is no tenant file).
        flags: Flags,
        tenant_file: Option<PathBuf>,
        state: Option<PathBuf>,
    },
}

/// Reads the arguments after the program name.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut port = 0;
    let mut names = Vec::new();
    let mut loose = false;
    let mut flags = Flags::default();
    let mut tenant_file = None;
    let mut state = None;
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
            "--state" => {
                let path = inline
                    .or_else(|| args.next())
                    .filter(|path| !path.trim().is_empty())
                    .ok_or("--state needs a file")?;
                if state.replace(PathBuf::from(path)).is_some() {
                    return Err("--state is given twice".to_owned());
                }
            }
            "--tenant-file" => {
                let path = inline
                    .or_else(|| args.next())
                    .filter(|path| !path.trim().is_empty())
                    .ok_or("--tenant-file needs a file")?;
                if tenant_file.replace(PathBuf::from(path)).is_some() {
                    return Err("--tenant-file is given twice".to_owned());
                }
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
    if tenant_file.is_none() {
        Settings::from_flags(&flags)?;
    }
    Ok(Command::Run {
        port,
        names,
        loose,
        flags,
        tenant_file,
        state,
    })
}

/// The tenant file (if any), the settings of its `[emulator]` table and the flags, and the
/// service principal names to register (the default one when neither names any).
fn prepare(
    names: Vec<String>,
    flags: &Flags,
    tenant_file: Option<&PathBuf>,
) -> Result<(Option<TenantFile>, Settings, Vec<String>), String> {
    let tenant = tenant_file
        .map(|path| TenantFile::read(path))
        .transpose()
        .map_err(|e| e.to_string())?;
    let settings = match &tenant {
        Some(tenant) => tenant.settings_with(flags)?,
        None => Settings::from_flags(flags)?,
    };
    let declares = tenant
        .as_ref()
        .is_some_and(|tenant| tenant.declares_service_principals());
    let names = if names.is_empty() && !declares {
        vec!["Demo SCIM app".to_owned()]
    } else {
        names
    };
    Ok((tenant, settings, names))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, names, loose, flags, tenant_file, state) = match parse_args(std::env::args().skip(1))
    {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run {
            port,
            names,
            loose,
            flags,
            tenant_file,
            state,
        }) => (port, names, loose, flags, tenant_file, state),
        Err(message) => {
            eprintln!("graph-sync-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (tenant, settings, names) = match prepare(names, &flags, tenant_file.as_ref()) {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("graph-sync-emulator: {message}");
            return ExitCode::from(2);
        }
    };

    let emulator = Emulator::new();
    emulator.set_loose(loose);
    emulator.configure(&settings);
    let restored = match state.as_deref().map(|path| emulator.open_state_file(path)) {
        Some(Ok(existed)) => existed,
        Some(Err(error)) => {
            eprintln!("graph-sync-emulator: {error}");
            return ExitCode::from(2);
        }
        None => false,
    };
    let principals = if restored {
        emulator.service_principals()
    } else {
        let mut principals = Vec::new();
        if let Some(tenant) = &tenant {
            if tenant.development_credentials() == Some(true) {
                let _ = emulator.register_development_credentials();
            }
            principals = emulator.load_tenant(tenant);
        }
        principals.extend(
            names
                .iter()
                .map(|name| emulator.register_service_principal(name)),
        );
        principals
    };
    let token = emulator.issue_token();
    if let Err(error) = emulator.save_state() {
        eprintln!("graph-sync-emulator: {error}");
        return ExitCode::FAILURE;
    }
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
    let state_line = state.as_ref().map(|path| {
        let how = if restored {
            "restored; --sp and the tenant file's declarations not applied again"
        } else {
            "new"
        };
        format!("State file:    {} ({how})", path.display())
    });
    // Listening for Ctrl-C before the banner: a Ctrl-C that comes as soon as the banner is out
    // (a script that read it) stops the emulator cleanly instead of killing it.
    let ctrl_c = ctrl_c_listener();
    print_banner(
        &running,
        &token,
        &principals,
        tenant.as_ref(),
        state_line.as_deref(),
    );

    match ctrl_c {
        Ok(ctrl_c) => ctrl_c.await,
        Err(error) => eprintln!("graph-sync-emulator: cannot wait for Ctrl-C ({error}); stopping"),
    }
    println!("Stopping…");
    running.shutdown().await;
    println!("Stopped.");
    ExitCode::SUCCESS
}

/// A future that completes on Ctrl-C (SIGINT), with the handler already installed.
#[cfg(unix)]
fn ctrl_c_listener() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        interrupt.recv().await;
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
fn ctrl_c_listener() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn print_banner(
    running: &RunningEmulator,
    token: &str,
    principals: &[ServicePrincipal],
    tenant: Option<&TenantFile>,
    state_line: Option<&str>,
) {
    let root = running.graph_root();
    println!("graph-sync-emulator is serving the Graph synchronization API");
    println!();
    print!("{}", connection_details(running, token, principals));
    if let Some(tenant) = tenant {
        println!();
        print!("{}", tenant.describe());
    }
    if let Some(line) = state_line {
        println!();
        println!("{line}");
    }
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
                names: Vec::new(),
                loose: false,
                flags: Flags::default(),
                tenant_file: None,
                state: None,
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
                flags: Flags::default(),
                tenant_file: None,
                state: None,
            })
        );
        assert_eq!(
            parse(&["--port=9", "--tenant-file", "t.toml", "--state=s.json"]),
            Ok(Command::Run {
                port: 9,
                names: Vec::new(),
                loose: false,
                flags: Flags::default(),
                tenant_file: Some(PathBuf::from("t.toml")),
                state: Some(PathBuf::from("s.json")),
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
        assert!(parse(&["--tenant-file"]).is_err());
        assert!(parse(&["--tenant-file="]).is_err());
        assert!(parse(&["--tenant-file", "a", "--tenant-file", "b"]).is_err());
        assert!(parse(&["--state"]).is_err());
        assert!(parse(&["--state", "a", "--state", "b"]).is_err());
    }

    #[test]
    fn the_default_service_principal_only_without_names_or_a_tenant_file_declaring_some() {
        let (_, _, names) = prepare(Vec::new(), &Flags::default(), None).unwrap();
        assert_eq!(names, ["Demo SCIM app"]);
        let missing = prepare(
            Vec::new(),
            &Flags::default(),
            Some(&PathBuf::from("/nonexistent/tenant.toml")),
        )
        .unwrap_err();
        assert!(missing.contains("/nonexistent/tenant.toml"), "{missing}");
    }

    #[test]
    fn reads_the_control_surface_flags() {
        let Ok(Command::Run { flags, .. }) = parse(&[
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
        let settings = Settings::from_flags(&flags).unwrap();
        assert!(settings.throttle.is_some() && settings.latency.is_some());
        assert_eq!(settings.faults.map(|f| f.seed()), Some(9));
        assert!(
            settings
                .only
                .matches("PUT", "/v1.0/servicePrincipals/a/synchronization/secrets")
        );
    }
}
