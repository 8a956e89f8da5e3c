//! The service principal (and job) a command addresses, shared by every command's arguments.

use super::values::parse_sp;
use clap::Args;
use graph_sync_api::model::{JobId, ServicePrincipalRef};

/// The service principal and job most commands address.
#[derive(Debug, Clone, Args)]
pub(crate) struct JobRef {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID", value_parser = parse_sp)]
    pub(crate) sp: ServicePrincipalRef,
    /// The job id (from `jobs list`).
    #[arg(long, value_name = "JOB")]
    pub(crate) job: JobId,
}

/// Just the service principal.
#[derive(Debug, Clone, Args)]
pub(crate) struct SpRef {
    /// The service principal: its object id, or appId=GUID.
    #[arg(long, value_name = "OBJECT_ID|appId=GUID", value_parser = parse_sp)]
    pub(crate) sp: ServicePrincipalRef,
}
