//! `graph-sync templates list|show`: arguments and examples.

use clap::Subcommand;

use super::{CreateJobArgs, SpRef};

pub(super) const TEMPLATES_EXAMPLES: &str = "\
Examples:
  graph-sync templates list --sp \"$SP\"
  graph-sync templates show --sp \"$SP\" --template scim";

const TEMPLATES_LIST_EXAMPLES: &str = "\
Examples:
  graph-sync templates list --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

const TEMPLATES_SHOW_EXAMPLES: &str = "\
Examples:
  graph-sync templates show --sp 3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6 \\
      --template scim
  graph-sync --output json templates show --sp \"$SP\" --template scim";

/// `graph-sync templates …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TemplatesCommand {
    /// List the synchronization templates of a service principal.
    #[command(after_help = TEMPLATES_LIST_EXAMPLES)]
    List(SpRef),
    /// Show one template: factory, description, metadata, schema summary.
    #[command(after_help = TEMPLATES_SHOW_EXAMPLES)]
    Show(CreateJobArgs),
}
