//! `graph-sync expression test|functions`: arguments and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::JobRef;

pub(super) const EXPRESSION_EXAMPLES: &str = "\
Examples:
  graph-sync expression test 'Join(\" \", [givenName], [surname])' \\
      --sp \"$SP\" --job \"$JOB\" --object user.json
  graph-sync expression functions --sp \"$SP\" --job \"$JOB\"";

const EXPRESSION_TEST_EXAMPLES: &str = "\
Graph's parseExpression parses EXPRESSION and, with --object, evaluates it on
that test object. FILE is a JSON object of attribute values, e.g.
{\"givenName\": \"Bill\", \"proxyAddresses\": [\"smtp:a@x\"]}, or a whole
expressionInputObject ({\"properties\": [{\"key\": …, \"value\": …}]}). Prints the
result, or the error with its position underlined (exit code 1).

With --from-logs ID the test object is the source object of provisioning event
ID (graph-sync logs): the attribute values its import step read, as the
provisioning logs carry them (AuditLog.Read.All and Directory.Read.All).

Examples:
  graph-sync expression test 'Coalesce([mailNickname], [userPrincipalName])' \\
      --sp \"$SP\" --job \"$JOB\" --object user.json
  graph-sync expression test 'ToLower([mailNickname])' \\
      --sp \"$SP\" --job \"$JOB\" --from-logs \"$EVENT\"
  graph-sync -o json expression test 'ToLower([mail])' \\
      --sp \"$SP\" --job \"$JOB\" --object user.json";

const EXPRESSION_FUNCTIONS_EXAMPLES: &str = "\
Parameters in [brackets] are optional; … marks one that may repeat.

Examples:
  graph-sync expression functions --sp \"$SP\" --job \"$JOB\"";

/// `graph-sync expression …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExpressionCommand {
    /// Parse an attribute-mapping expression and evaluate it on a test object.
    #[command(after_help = EXPRESSION_TEST_EXAMPLES)]
    Test(ExpressionTestArgs),
    /// List the functions attribute mappings can use, with their parameters.
    #[command(after_help = EXPRESSION_FUNCTIONS_EXAMPLES)]
    Functions(JobArgs),
}

/// `expression test`.
#[derive(Debug, Args)]
pub(crate) struct ExpressionTestArgs {
    /// The expression, e.g. `Join(" ", [givenName], [surname])`.
    #[arg(value_name = "EXPRESSION")]
    pub(crate) expression: String,
    /// The job whose schema parses it.
    #[command(flatten)]
    pub(crate) target: JobRef,
    /// The test object (JSON) to evaluate the expression on.
    #[arg(long, value_name = "FILE")]
    pub(crate) object: Option<PathBuf>,
    /// Test on the source object of this provisioning event (`graph-sync logs`): the
    /// attribute values its import step read.
    #[arg(long, value_name = "ID", conflicts_with = "object")]
    pub(crate) from_logs: Option<String>,
}

/// A job, for a command that only reads.
#[derive(Debug, Args)]
pub(crate) struct JobArgs {
    /// The service principal and job.
    #[command(flatten)]
    pub(crate) target: JobRef,
}
