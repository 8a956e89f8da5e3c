//! `graph-sync emulator`: the emulator crate's server in the foreground, until Ctrl-C.
//!
//! The connection details are printed by the emulator library's [`connection_details`] and
//! [`development_details`], the same text its own binary prints; this command adds how to
//! point the CLI at it. The emulator registers its well-known development credentials (an app
//! with a client secret, managed identities, the App Service identity header); each service
//! principal gets the `scim` synchronization template and the development SCIM target system,
//! so jobs, `credentials validate` and `provision` can be tried against it, and so can
//! Microsoft's SDKs. With `--tls` it serves HTTPS and writes the certificate to trust.

use std::net::{Ipv4Addr, SocketAddr};

use graph_sync_emulator::{
    Emulator, RunningEmulator, ServicePrincipal, Settings, TlsCertificate, connection_details,
    development_details,
};

use crate::cli::EmulatorArgs;
use crate::commands::Context;
use crate::exit::Failure;

/// Starts the emulator, prints how to use it, and serves until Ctrl-C.
///
/// # Errors
///
/// [`Failure::Usage`] for control-surface flags that do not go together (e.g. `--seed`
/// without `--faults` or `--latency`) and when `--cert`/`--key` cannot be read or do not fit;
/// [`Failure::Internal`] when the port cannot be bound or the CA files cannot be written.
pub(crate) async fn run(_context: &Context, args: &EmulatorArgs) -> Result<(), Failure> {
    let settings = Settings::from_flags(&args.control_flags()).map_err(Failure::Usage)?;
    let emulator = Emulator::new();
    emulator.set_loose(args.loose);
    emulator.configure(&settings);
    let credentials = emulator.register_development_credentials();
    let principals: Vec<ServicePrincipal> = args
        .service_principals
        .iter()
        .map(|name| {
            let sp = emulator.register_service_principal(name);
            emulator.add_template(&sp.id, Emulator::scim_template());
            sp
        })
        .collect();
    let token = emulator.issue_token();
    let running = start(&emulator, args).await?;
    let ca_dir = args.ca_dir.clone().unwrap_or_else(std::env::temp_dir);
    let ca_files = running.write_ca_files(&ca_dir).map_err(|e| {
        Failure::Internal(format!(
            "cannot write the CA certificate to {}: {e}",
            ca_dir.display()
        ))
    })?;

    let scheme = if running.is_tls() { "HTTPS" } else { "HTTP" };
    println!(
        "The graph-sync emulator is serving the Graph synchronization API and Entra ({scheme})."
    );
    println!();
    print!("{}", connection_details(&running, &token, &principals));
    println!();
    print!(
        "{}",
        development_details(&running, &credentials, ca_files.as_ref())
    );
    if let Some(files) = &ca_files {
        println!(
            "(the CA certificate is {}; the bundle adds it to the system's roots)",
            files.ca.display()
        );
    }
    println!();
    println!("Use it with graph-sync (in another shell):");
    println!(
        "  export GRAPH_SYNC_GRAPH_URL={} GRAPH_SYNC_TOKEN={token}",
        running.graph_root()
    );
    if let Some(first) = principals.first() {
        println!(
            "  graph-sync secrets set --sp {} --from secrets.toml",
            first.id
        );
        println!("  graph-sync secrets show --sp {}", first.id);
        println!("  graph-sync jobs create --sp {} --template scim", first.id);
    }
    println!(
        "or pass --graph-url {} on each command.",
        running.graph_root()
    );
    println!();
    println!("Press Ctrl-C to stop.");

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C ({error}); stopping");
    }
    println!("Stopping…");
    running.shutdown().await;
    println!("Stopped.");
    Ok(())
}

/// Serves HTTP, or HTTPS with the given or a generated certificate.
async fn start(emulator: &Emulator, args: &EmulatorArgs) -> Result<RunningEmulator, Failure> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let certificate = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            let read = |path: &std::path::Path| {
                std::fs::read(path)
                    .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
            };
            Some(
                TlsCertificate::from_pem(&read(cert)?, &read(key)?)
                    .map_err(|e| Failure::Usage(e.to_string()))?,
            )
        }
        _ if args.tls => {
            Some(TlsCertificate::generate().map_err(|e| Failure::Internal(e.to_string()))?)
        }
        _ => None,
    };
    let started = match certificate {
        Some(certificate) => emulator.start_tls_on(addr, certificate).await,
        None => emulator.start_on(addr).await,
    };
    started.map_err(|e| Failure::Internal(format!("cannot listen on {addr}: {e}")))
}
