//! The connection details a standalone emulator prints: shared by the emulator's own binary
//! and by `graph-sync emulator`, so the two say the same thing the same way.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::development::DevelopmentCredentials;
use crate::directory::ServicePrincipal;
use crate::server::RunningEmulator;

/// The lines that tell a person how to reach a running emulator: its Graph root, a bearer
/// token it accepts, the control API and its admin token, the throttle, faults and latency in
/// force, and the service principals it knows (display name, object id, appId).
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
    let _ = writeln!(text, "Control API:   {}/_emulator/", running.base_url());
    let _ = writeln!(text, "Admin token:   {}", running.emulator().admin_token());
    let _ = writeln!(text);
    text.push_str(&running.emulator().settings().describe());
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

/// The files a client's trust store is pointed at when the emulator serves HTTPS.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaFiles {
    /// The development authority's certificate alone: for variables that *add* a root
    /// (`NODE_EXTRA_CA_CERTS`, `GRAPH_SYNC_CA_FILE`).
    pub ca: PathBuf,
    /// The system's roots followed by the development authority: for variables that
    /// *replace* the roots (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`), so the
    /// rest of the internet still verifies.
    pub bundle: PathBuf,
}

/// Where the system keeps its PEM bundle of trusted roots, by distribution.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

impl RunningEmulator {
    /// Writes the development authority's certificate to `dir` as
    /// `graph-sync-emulator-ca.pem`, and a bundle of the system's roots plus that certificate
    /// as `graph-sync-emulator-ca-bundle.pem`. `None` when it does not serve HTTPS with a
    /// generated certificate.
    ///
    /// # Errors
    ///
    /// The I/O error of writing a file.
    pub fn write_ca_files(&self, dir: &Path) -> std::io::Result<Option<CaFiles>> {
        let Some(ca) = self.ca_certificate_pem() else {
            return Ok(None);
        };
        let files = CaFiles {
            ca: dir.join("graph-sync-emulator-ca.pem"),
            bundle: dir.join("graph-sync-emulator-ca-bundle.pem"),
        };
        std::fs::write(&files.ca, ca)?;
        let mut bundle = SYSTEM_BUNDLES
            .iter()
            .find_map(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        if !bundle.is_empty() && !bundle.ends_with('\n') {
            bundle.push('\n');
        }
        bundle.push_str(ca);
        std::fs::write(&files.bundle, bundle)?;
        Ok(Some(files))
    }
}

/// The lines that tell a person (or a script) how to use the development credentials with
/// Microsoft's SDKs: each ends with `\n`, and the `export` lines can be pasted into a shell.
/// The values are the emulator's well-known development values, printed on purpose.
#[must_use]
pub fn development_details(
    running: &RunningEmulator,
    credentials: &DevelopmentCredentials,
    ca_files: Option<&CaFiles>,
) -> String {
    let mut text = String::new();
    let base = running.base_url();
    let _ = writeln!(
        text,
        "Development credentials (well known; they only open this emulator):"
    );
    let _ = writeln!(text, "  tenant id:          {}", credentials.tenant_id);
    let _ = writeln!(
        text,
        "  authority:          {base}/{}",
        credentials.tenant_id
    );
    let _ = writeln!(
        text,
        "  client id / secret: {} / {}",
        credentials.client_id, credentials.client_secret
    );
    let _ = writeln!(
        text,
        "  managed identity:   system-assigned, or client id {}",
        credentials.managed_identity_client_id
    );
    let _ = writeln!(
        text,
        "  SCIM target:        BaseAddress {} with SecretToken {}",
        credentials.scim_base_address, credentials.scim_token
    );
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "Environment for azure-identity, MSAL and the Graph SDKs:"
    );
    let pairs = [
        ("AZURE_AUTHORITY_HOST", base.clone()),
        ("AZURE_TENANT_ID", credentials.tenant_id.to_owned()),
        ("AZURE_CLIENT_ID", credentials.client_id.to_owned()),
        ("AZURE_CLIENT_SECRET", credentials.client_secret.to_owned()),
        ("IDENTITY_ENDPOINT", format!("{base}/msi/token")),
        ("IDENTITY_HEADER", credentials.identity_header.to_owned()),
        ("GRAPH_SYNC_GRAPH_URL", running.graph_root()),
        (
            "GRAPH_SYNC_SCIM_URL",
            credentials.scim_base_address.to_owned(),
        ),
        ("GRAPH_SYNC_SCIM_TOKEN", credentials.scim_token.to_owned()),
    ];
    for (name, value) in pairs {
        let _ = writeln!(text, "export {name}={value}");
    }
    if let Some(files) = ca_files {
        let bundle = files.bundle.display();
        let ca = files.ca.display();
        let _ = writeln!(text, "export SSL_CERT_FILE={bundle}");
        let _ = writeln!(text, "export REQUESTS_CA_BUNDLE={bundle}");
        let _ = writeln!(text, "export CURL_CA_BUNDLE={bundle}");
        let _ = writeln!(text, "export NODE_EXTRA_CA_CERTS={ca}");
        let _ = writeln!(text, "export GRAPH_SYNC_CA_FILE={ca}");
    }
    text
}
