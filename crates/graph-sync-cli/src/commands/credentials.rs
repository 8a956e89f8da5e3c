//! `graph-sync credentials validate`: check credentials from a file, or the saved ones,
//! against the target system without saving them.

use graph_sync_api::model::ValidateCredentialsRequest;
use serde_json::json;

use crate::cli::{CredentialsCommand, ValidateArgs};
use crate::commands::Context;
use crate::commands::target::{job_on, resolve_sp};
use crate::exit::Failure;
use crate::output::Report;
use crate::secrets_file::{advise, load_secrets};

/// Runs a `credentials` subcommand.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, command: CredentialsCommand) -> Result<(), Failure> {
    match command {
        CredentialsCommand::Validate(args) => validate(context, &args).await,
    }
}

async fn validate(context: &Context, args: &ValidateArgs) -> Result<(), Failure> {
    let (request, source) = match &args.from {
        Some(path) => {
            let secrets = load_secrets(path, args.format, args.allow_unknown_keys)?;
            advise(&secrets, args.strict, &path.display().to_string())?;
            (
                ValidateCredentialsRequest::with_credentials(secrets),
                format!("the credentials in {}", path.display()),
            )
        }
        None => (
            ValidateCredentialsRequest::saved(),
            "the saved credentials".to_owned(),
        ),
    };
    let client = context.client()?;
    let target = &args.target;
    let sp = resolve_sp(&client, &target.sp).await?;
    job_on(&client, &sp, target)
        .validate_credentials(&request)
        .await
        .map_err(|e| Failure::api(format!("validating {source} for job {}", target.job), e))?;
    context.print(&Report {
        text: format!(
            "The target system accepted {source} (job {}). Nothing was saved.",
            target.job
        ),
        json: json!({
            "servicePrincipal": sp.to_string(),
            "job": target.job.as_str(),
            "valid": true,
            "saved": args.saved,
        }),
        tsv: None,
    });
    Ok(())
}
