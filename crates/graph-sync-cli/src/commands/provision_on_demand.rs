//! `graph-sync provision-on-demand`: provision given users or groups now, outside the schedule.

use graph_sync_api::GraphSyncClient;
use graph_sync_api::model::{ProvisionOnDemandRequest, SynchronizationJobSubject};
use serde_json::json;

use crate::cli::ProvisionOnDemandArgs;
use crate::commands::Context;
use crate::commands::target::{job_api, job_on, resolve_sp_in};
use crate::exit::Failure;
use crate::interrupt;
use crate::output::{Report, to_json};

/// Runs `provision-on-demand`.
///
/// # Errors
///
/// The command's [`Failure`].
pub(crate) async fn run(context: &Context, args: &ProvisionOnDemandArgs) -> Result<(), Failure> {
    let subjects = args
        .subjects
        .iter()
        .map(|(id, kind)| SynchronizationJobSubject::new(id.clone(), kind.clone()))
        .collect();
    let request = ProvisionOnDemandRequest::new(args.rule.clone(), subjects);
    let target = &args.target;
    if args.dry_run {
        let sp = resolve_sp_in(context, &target.sp).await?;
        return context
            .preview(|client: GraphSyncClient| async move {
                job_on(&client, &sp, target)
                    .provision_on_demand(&request)
                    .await
            })
            .await;
    }
    let client = context.client()?;
    let result = job_api(&client, target)
        .await?
        .provision_on_demand(&request)
        .await
        .map_err(|e| Failure::api(format!("provisioning on demand with job {}", target.job), e))?;
    let outcome = result.decode_key().ok();
    let log = result.decode_value().ok();
    let status = outcome
        .as_ref()
        .and_then(|key| key.result.get().cloned())
        .unwrap_or_else(|| "(no result)".to_owned());
    let action = log.as_ref().and_then(|log| log.action.get().cloned());
    interrupt::record(format!(
        "provisioned {} subject(s) on demand with job {}",
        args.subjects.len(),
        target.job
    ));
    context.print(&Report {
        text: format!(
            "Provisioned {} subject(s) on demand with rule {}: {status}{}.",
            args.subjects.len(),
            args.rule,
            action.map(|a| format!(" ({a})")).unwrap_or_default()
        ),
        json: json!({
            "job": target.job.as_str(),
            "result": outcome.as_ref().map(to_json),
            "log": log.as_ref().map(to_json),
        }),
        tsv: None,
    });
    Ok(())
}
