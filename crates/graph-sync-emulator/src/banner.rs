//! The connection details a standalone emulator prints: shared by the emulator's own binary
//! and by `graph-sync emulator`, so the two say the same thing the same way.

use std::fmt::Write as _;

use crate::directory::ServicePrincipal;
use crate::server::RunningEmulator;

/// The lines that tell a person how to reach a running emulator: its Graph root, a bearer
/// token it accepts, and the service principals it knows (display name, object id, appId).
///
/// Each line ends with `\n`. The token is printed on purpose: it is an emulator token, valid
/// only for this emulator while it runs.
#[must_use]
pub fn connection_details(
    running: &RunningEmulator,
    token: &str,
    principals: &[ServicePrincipal],
) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(text, "Graph root:    {}", running.graph_root());
    let _ = writeln!(text, "Bearer token:  {token}");
    let _ = writeln!(text);
    let _ = writeln!(text, "Service principals:");
    for principal in principals {
        let _ = writeln!(
            text,
            "  {:?}  id={}  appId={}",
            principal.display_name, principal.id, principal.app_id
        );
    }
    text
}
