//! `graph-sync emulator`: the emulator crate's server in the foreground, until Ctrl-C.
//!
//! The connection details are printed by the emulator library's [`connection_details`] and
//! [`development_details`], the same text its own binary prints; this command adds how to
//! point the CLI at it. The emulator registers its well-known development credentials (an app
//! with a client secret, managed identities, the App Service identity header); each service
//! principal gets the `scim` synchronization template and the development SCIM target system,
//! so jobs, `credentials validate` and `provision` can be tried against it, and so can
//! Microsoft's SDKs. With `--tls` it serves HTTPS and writes the certificate to trust. With
//! `--tenant-file` it also loads the tenant the file declares (and its `[emulator]` table);
//! the development credentials stay unless the file says `development_credentials = false`.
//! With `--state FILE` the directory and identity are kept across restarts.

use std::net::{Ipv4Addr, SocketAddr};

use graph_sync_emulator::{
    Emulator, RunningEmulator, Settings, TenantFile, TlsCertificate, connection_details,
    development_details,
};

use crate::cli::EmulatorArgs;
use crate::commands::Context;
use crate::exit::Failure;

/// The service principal registered when neither `--sp` nor the tenant file names one.
const DEFAULT_SERVICE_PRINCIPAL: &str = "Demo SCIM app";

/// Starts the emulator, prints how to use it, and serves until Ctrl-C.
///
/// # Errors
///
/// [`Failure::Usage`] for control-surface flags that do not go together (e.g. `--seed`
/// without `--faults` or `--latency`), for a tenant file that cannot be read or is not valid
/// (the message names the line), and when `--cert`/`--key` cannot be read or do not fit;
/// [`Failure::Internal`] when the port cannot be bound or the CA files cannot be written.
pub(crate) async fn run(_context: &Context, args: &EmulatorArgs) -> Result<(), Failure> {
    let tenant = args
        .tenant_file
        .as_deref()
        .map(TenantFile::read)
        .transpose()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let settings = match &tenant {
        Some(tenant) => tenant.settings_with(&args.control_flags()),
        None => Settings::from_flags(&args.control_flags()),
    }
    .map_err(Failure::Usage)?;
    let emulator = Emulator::new();
    emulator.set_loose(args.loose);
    emulator.configure(&settings);
    let restored = match &args.state {
        Some(path) => emulator
            .open_state_file(path)
            .map_err(|e| Failure::Usage(e.to_string()))?,
        None => false,
    };
    let development = tenant
        .as_ref()
        .and_then(TenantFile::development_credentials)
        != Some(false);
    let credentials = development.then(|| emulator.register_development_credentials());
    let principals = if restored {
        emulator.service_principals()
    } else {
        declare(&emulator, tenant.as_ref(), &args.service_principals)
    };
    let token = emulator.issue_token();
    emulator
        .save_state()
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let running = start(&emulator, args).await?;
    let ca_dir = args.ca_dir.clone().unwrap_or_else(std::env::temp_dir);
    let ca_files = running.write_ca_files(&ca_dir).map_err(|e| {
        Failure::Internal(format!(
            "cannot write the CA certificate to {}: {e}",
            ca_dir.display()
        ))
    })?;

    // Listening for Ctrl-C before the banner: a Ctrl-C that comes as soon as the banner is
    // out (a script that read it) stops the emulator cleanly instead of killing it.
    let ctrl_c = crate::interrupt::ctrl_c_listener()
        .map_err(|e| Failure::Internal(format!("cannot listen for Ctrl-C: {e}")))?;
    let scheme = if running.is_tls() { "HTTPS" } else { "HTTP" };
    println!(
        "The graph-sync emulator is serving the Graph synchronization API and Entra ({scheme})."
    );
    println!();
    print!("{}", connection_details(&running, &token, &principals));
    println!();
    if let Some(tenant) = &tenant {
        print!("{}", tenant.describe());
        println!();
    }
    match &credentials {
        Some(credentials) => print!(
            "{}",
            development_details(&running, credentials, ca_files.as_ref())
        ),
        None => println!("Development credentials: off (development_credentials = false)."),
    }
    if let Some(files) = &ca_files {
        println!(
            "(the CA certificate is {}; the bundle adds it to the system's roots)",
            files.ca.display()
        );
    }
    if let Some(path) = &args.state {
        let how = if restored {
            "restored; --sp and the tenant file's declarations not applied again"
        } else {
            "new"
        };
        println!("State file: {} ({how})", path.display());
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

    ctrl_c.await;
    println!("Stopping…");
    running.shutdown().await;
    println!("Stopped.");
    Ok(())
}

/// Loads the tenant file's declarations and registers the `--sp` names (the default one when
/// neither names any), each with the `scim` template.
fn declare(
    emulator: &Emulator,
    tenant: Option<&TenantFile>,
    names: &[String],
) -> Vec<graph_sync_emulator::ServicePrincipal> {
    let mut principals = tenant
        .map(|tenant| emulator.load_tenant(tenant))
        .unwrap_or_default();
    let declared = tenant.is_some_and(TenantFile::declares_service_principals);
    let names = match names {
        [] if declared => Vec::new(),
        [] => vec![DEFAULT_SERVICE_PRINCIPAL.to_owned()],
        names => names.to_vec(),
    };
    principals.extend(names.iter().map(|name| {
        let sp = emulator.register_service_principal(name);
        emulator.add_template(&sp.id, Emulator::scim_template());
        sp
    }));
    principals
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
