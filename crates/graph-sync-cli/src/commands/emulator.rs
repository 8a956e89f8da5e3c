//! `graph-sync emulator`: the emulator crate's server in the foreground, until Ctrl-C.
//!
//! The connection details are printed by the emulator library's
//! [`connection_details`], the same text its own
//! binary prints; this command adds how to point the CLI at it. Each service principal gets
//! the `scim` synchronization template and an emulated SCIM target system, so jobs,
//! `credentials validate` and `provision` can be tried against it.

/// The emulated target system's SCIM endpoint.
const TARGET_URL: &str = "https://scim.example.com/scim/v2";
/// The token the emulated target system accepts: a made-up value of the emulator, printed on
/// purpose, like the bearer token.
const TARGET_TOKEN: &str = "emulator-scim-token";

use std::net::{Ipv4Addr, SocketAddr};

use graph_sync_emulator::{Emulator, ServicePrincipal, TargetSystem, connection_details};

use crate::cli::EmulatorArgs;
use crate::commands::Context;
use crate::exit::Failure;

/// Starts the emulator, prints how to use it, and serves until Ctrl-C.
///
/// # Errors
///
/// [`Failure::Internal`] when the port cannot be bound.
pub(crate) async fn run(_context: &Context, args: &EmulatorArgs) -> Result<(), Failure> {
    let emulator = Emulator::new();
    emulator.set_loose(args.loose);
    let principals: Vec<ServicePrincipal> = args
        .service_principals
        .iter()
        .map(|name| {
            let sp = emulator.register_service_principal(name);
            emulator.add_template(&sp.id, Emulator::scim_template());
            emulator.set_target_system(&sp.id, TargetSystem::new(TARGET_URL, TARGET_TOKEN));
            sp
        })
        .collect();
    let token = emulator.issue_token();
    let running = emulator
        .start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .await
        .map_err(|e| Failure::Internal(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;

    println!("The graph-sync emulator is serving the Graph synchronization API.");
    println!();
    print!("{}", connection_details(&running, &token, &principals));
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
    println!(
        "Each service principal has the `scim` template; its target system accepts \
         BaseAddress = \"{TARGET_URL}\" with SecretToken = \"{TARGET_TOKEN}\"."
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
