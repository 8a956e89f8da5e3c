//! Zero-configuration development credentials, as Azurite has its well-known development
//! account: an app registration with a client secret, the host's managed identities with a
//! fixed App Service identity header, and the development target system. The values are
//! fixed and public (printed by the banner): they only ever open this emulator.

use crate::emulator::Emulator;
use crate::identity::DEVELOPMENT_TENANT_ID;
use crate::provisioning::checks::{DEVELOPMENT_SCIM_TOKEN, DEVELOPMENT_SCIM_URL};

/// The development app registration's client id.
const CLIENT_ID: &str = "e1a7e1a7-0000-4000-8000-000000000002";
/// The development app registration's client secret (public on purpose).
const CLIENT_SECRET: &str = "graph-sync-emulator-development-secret";
/// The user-assigned managed identity's client id.
const MANAGED_IDENTITY_CLIENT_ID: &str = "e1a7e1a7-0000-4000-8000-000000000003";
/// The App Service `IDENTITY_HEADER` (public on purpose).
const IDENTITY_HEADER: &str = "graph-sync-emulator-identity-header";

/// The well-known development credentials an emulator accepts after
/// [`Emulator::register_development_credentials`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DevelopmentCredentials {
    /// The tenant id (`tid` of the tokens; any tenant name is accepted in paths).
    pub tenant_id: &'static str,
    /// The app registration's client id.
    pub client_id: &'static str,
    /// Its client secret.
    pub client_secret: &'static str,
    /// The user-assigned managed identity's client id (a system-assigned one is enabled too).
    pub managed_identity_client_id: &'static str,
    /// The `IDENTITY_HEADER` the App Service endpoint (`/msi/token`) expects.
    pub identity_header: &'static str,
    /// The development target system's `BaseAddress`.
    pub scim_base_address: &'static str,
    /// The `SecretToken` the development target system accepts.
    pub scim_token: &'static str,
}

impl Emulator {
    /// Registers the well-known development credentials: the app `e1a7e1a7-…-000000000002`
    /// with its client secret, a system-assigned and a user-assigned managed identity, and the
    /// fixed App Service identity header. Every service principal already has the development
    /// target system ([`TargetSystem::development`](crate::TargetSystem::development)).
    #[must_use = "the credentials are what a client needs"]
    pub fn register_development_credentials(&self) -> DevelopmentCredentials {
        self.register_app_with_secret(CLIENT_ID, CLIENT_SECRET);
        self.enable_system_assigned_identity();
        self.add_user_assigned_identity(MANAGED_IDENTITY_CLIENT_ID);
        self.set_app_service_identity_header(IDENTITY_HEADER);
        DevelopmentCredentials {
            tenant_id: DEVELOPMENT_TENANT_ID,
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            managed_identity_client_id: MANAGED_IDENTITY_CLIENT_ID,
            identity_header: IDENTITY_HEADER,
            scim_base_address: DEVELOPMENT_SCIM_URL,
            scim_token: DEVELOPMENT_SCIM_TOKEN,
        }
    }
}
