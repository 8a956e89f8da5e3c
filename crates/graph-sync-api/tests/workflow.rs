//! The provisioning workflow end to end: every operation through the real stack (typed call,
//! pipeline, `ReqwestTransport`, loopback HTTP) against graph-sync-emulator's behaviour.

use futures_util::StreamExt;
use graph_sync_api::{ApplicationTemplateApi, GraphSyncClient};
use graph_sync_emulator::{Emulator, RunningEmulator, TargetSystem};
use graph_sync_model::Property;
use graph_sync_model::{
    ApplicationObjectId, ApplicationTemplateId, BulkRequest, DirectoryId, ExpressionInputObject,
    InstantiateRequest, JobId, ParseExpressionRequest, ProvisionOnDemandRequest, QuarantineReason,
    SecretKey, SecretString, Secrets, ServicePrincipalId, StringKeyObjectValuePair,
    SyncNotificationSettings, SynchronizationJobRestartScope, SynchronizationJobSubject,
    SynchronizationScheduleState, SynchronizationStatusCode, TemplateId,
    ValidateCredentialsRequest,
};
use serde_json::json;

const SCIM_URL: &str = "https://scim.contoso.example/scim/v2";
const SCIM_TOKEN: &str = "scim-token-7f3a";
const USER_RULE: &str = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";

struct World {
    running: RunningEmulator,
    client: GraphSyncClient,
}

async fn world() -> World {
    let emulator = Emulator::new();
    let token = emulator.issue_token();
    let running = emulator.start().await.unwrap();
    let client = crate::support::emulator_client(&running, token);
    World { running, client }
}

fn emulator(world: &World) -> &Emulator {
    world.running.emulator()
}

fn secrets(token: &str) -> Secrets {
    Secrets::new()
        .with(SecretKey::BaseAddress, SCIM_URL)
        .unwrap()
        .with(SecretKey::SecretToken, SecretString::from(token.to_owned()))
        .unwrap()
        .with(
            SecretKey::SyncNotificationSettings,
            SyncNotificationSettings::disabled(),
        )
        .unwrap()
        .with(SecretKey::SyncAll, false)
        .unwrap()
}

/// Instantiates the non-gallery app and waits (a bounded number of reads) for its service
/// principal; returns its id and its application's object id.
async fn instantiate(world: &World, name: &str) -> (ServicePrincipalId, ApplicationObjectId) {
    let created = world
        .client
        .application_template(
            ApplicationTemplateId::new(ApplicationTemplateApi::NON_GALLERY).unwrap(),
        )
        .instantiate(&InstantiateRequest::new(name))
        .await
        .unwrap();
    let sp = ServicePrincipalId::new(
        created
            .service_principal
            .into_option()
            .unwrap()
            .id
            .into_option()
            .unwrap(),
    )
    .unwrap();
    let app = ApplicationObjectId::new(
        created
            .application
            .into_option()
            .unwrap()
            .id
            .into_option()
            .unwrap(),
    )
    .unwrap();
    let mut attempts = 0;
    loop {
        match world.client.service_principal(sp.clone()).get().await {
            Ok(found) => {
                assert_eq!(found.display_name.as_deref(), Some(name));
                break;
            }
            Err(error) if error.as_service().is_some_and(|e| e.is_not_found()) => {
                attempts += 1;
                assert!(attempts < 10, "the service principal never appeared");
            }
            Err(error) => panic!("{error:?}"),
        }
    }
    (sp, app)
}

#[tokio::test]
async fn the_whole_provisioning_workflow_ends_active_then_quarantined_when_secrets_break() {
    let world = world().await;
    emulator(&world).set_replication_lag(3);
    let (sp, _) = instantiate(&world, "Contoso SCIM").await;
    emulator(&world).set_target_system(&sp, TargetSystem::new(SCIM_URL, SCIM_TOKEN));
    let sync = world.client.service_principal(sp.clone()).synchronization();

    let templates = sync.templates().list().await.unwrap();
    let template = templates[0].id.clone().into_option().unwrap();
    assert_eq!(template.as_str(), "scim");
    let job = sync.jobs().create(template).await.unwrap();
    assert_eq!(job.status_code(), SynchronizationStatusCode::NotConfigured);
    assert!(job.schedule.get().unwrap().is_disabled());
    let job = sync.job(job.id.into_option().unwrap());

    // Wrong credentials are refused by validation, right ones accepted, then saved.
    let rejected = job
        .validate_credentials(&ValidateCredentialsRequest::with_credentials(secrets(
            "wrong",
        )))
        .await
        .unwrap_err();
    assert_eq!(rejected.status().map(|s| s.as_u16()), Some(400));
    assert!(!format!("{rejected:?}").contains("wrong\""));
    job.validate_credentials(&ValidateCredentialsRequest::with_credentials(secrets(
        SCIM_TOKEN,
    )))
    .await
    .unwrap();
    sync.secrets().put(&secrets(SCIM_TOKEN)).await.unwrap();
    job.validate_credentials(&ValidateCredentialsRequest::saved())
        .await
        .unwrap();

    job.start().await.unwrap();
    let running = job.get().await.unwrap();
    assert_eq!(running.status_code(), SynchronizationStatusCode::Active);
    assert_eq!(
        running.schedule.get().unwrap().state,
        Property::Value(SynchronizationScheduleState::Active)
    );
    assert!(
        running
            .status
            .get()
            .unwrap()
            .last_execution
            .get()
            .unwrap()
            .succeeded()
    );

    // The target rotates its token: the next cycle quarantines the job, with its reason.
    sync.secrets()
        .put(
            &Secrets::new()
                .with(SecretKey::SecretToken, "stale-token")
                .unwrap(),
        )
        .await
        .unwrap();
    let broken = job.get().await.unwrap();
    assert_eq!(broken.status_code(), SynchronizationStatusCode::Quarantine);
    let status = broken.status.into_option().unwrap();
    let quarantine = status.quarantine.into_option().unwrap();
    assert_eq!(
        quarantine.reason,
        Property::Value(QuarantineReason::EncounteredQuarantineException)
    );
    let error = quarantine.error.into_option().unwrap();
    assert_eq!(error.tenant_actionable, Property::Value(true));
    assert!(
        error
            .message
            .into_option()
            .unwrap()
            .contains("rejected the SecretToken")
    );
    assert!(!quarantine.current_began.get().unwrap().is_unset());
    assert_eq!(
        status.count_successive_complete_failures,
        Property::Value(1)
    );

    // Fixing the secrets and restarting with QuarantineState clears it.
    sync.secrets().put(&secrets(SCIM_TOKEN)).await.unwrap();
    job.restart(&SynchronizationJobRestartScope::portal_restart())
        .await
        .unwrap();
    assert_eq!(
        job.get().await.unwrap().status_code(),
        SynchronizationStatusCode::Active
    );
    job.pause().await.unwrap();
    assert_eq!(
        job.get().await.unwrap().status_code(),
        SynchronizationStatusCode::Paused
    );
    job.delete().await.unwrap();
    let gone = job.get().await.unwrap_err();
    assert!(gone.as_service().unwrap().is_not_found());
}

#[tokio::test]
async fn jobs_are_listed_across_pages_and_validated_by_collection() {
    let world = world().await;
    let (sp, _) = instantiate(&world, "Paged").await;
    emulator(&world).set_page_size(2);
    let sync = world.client.service_principal(sp.clone()).synchronization();
    for _ in 0..5 {
        sync.jobs()
            .create(TemplateId::new("scim").unwrap())
            .await
            .unwrap();
    }
    assert_eq!(sync.jobs().list().await.unwrap().len(), 5);
    let streamed: Vec<_> = sync.jobs().list_stream().collect().await;
    assert_eq!(streamed.len(), 5);
    assert!(streamed.iter().all(Result::is_ok));
    let pages = emulator(&world)
        .requests()
        .iter()
        .filter(|r| r.path.contains("/jobs?$skiptoken="))
        .count();
    assert_eq!(
        pages, 4,
        "two lists of three pages each follow two next links"
    );

    // Every service principal has a target system that checks credentials.
    let refused = sync
        .jobs()
        .validate_credentials(
            &ValidateCredentialsRequest::with_credentials(secrets(SCIM_TOKEN))
                .template_id(TemplateId::new("scim").unwrap()),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.as_service().unwrap().status(), 400);
    emulator(&world).set_target_system(&sp, TargetSystem::new(SCIM_URL, SCIM_TOKEN));
    sync.jobs()
        .validate_credentials(
            &ValidateCredentialsRequest::with_credentials(secrets(SCIM_TOKEN))
                .template_id(TemplateId::new("scim").unwrap()),
        )
        .await
        .unwrap();
    let unknown = sync
        .jobs()
        .create(TemplateId::new("NotATemplate").unwrap())
        .await
        .unwrap_err();
    assert_eq!(unknown.status().map(|s| s.as_u16()), Some(400));
}

#[tokio::test]
async fn schema_operations_and_their_checks() {
    let world = world().await;
    let (sp, _) = instantiate(&world, "Schema").await;
    let sync = world.client.service_principal(sp).synchronization();
    let job = sync
        .jobs()
        .create(TemplateId::new("scim").unwrap())
        .await
        .unwrap();
    let schema_api = sync.job(job.id.into_option().unwrap()).schema();

    let mut schema = schema_api.get().await.unwrap();
    assert_eq!(schema.directories.get().unwrap().len(), 2);
    let rule = &mut schema.synchronization_rules.get_mut().unwrap()[0];
    let mappings = rule.object_mappings.get_mut().unwrap()[0]
        .attribute_mappings
        .get_mut()
        .unwrap();
    let original = mappings.len();

    // Mapping a target attribute twice is refused, and nothing changes.
    mappings.push(mappings[2].clone());
    let twice = schema_api.put(&schema).await.unwrap_err();
    let service = twice.as_service().unwrap();
    assert_eq!(service.status().as_u16(), 400);
    assert_eq!(service.code(), Some("InvalidSchema"));
    assert!(service.message().unwrap().contains("mapped more than once"));

    // So is mapping an attribute the directory does not define.
    let mappings = schema.synchronization_rules.get_mut().unwrap()[0]
        .object_mappings
        .get_mut()
        .unwrap()[0]
        .attribute_mappings
        .get_mut()
        .unwrap();
    let mut extra = mappings.pop().unwrap();
    extra.target_attribute_name = Property::Value("nickName".into());
    mappings.push(extra.clone());
    let missing = schema_api.put(&schema).await.unwrap_err();
    assert!(
        missing
            .as_service()
            .unwrap()
            .message()
            .unwrap()
            .contains("must exist in the directory definition")
    );

    // Define the attribute in the target directory first: then the mapping is accepted.
    let target = &mut schema.directories.get_mut().unwrap()[1]
        .objects
        .get_mut()
        .unwrap()[0];
    let mut nick = target.attributes.get().unwrap()[2].clone();
    nick.name = Property::Value("nickName".into());
    target.attributes.get_mut().unwrap().push(nick);
    schema_api.put(&schema).await.unwrap();
    let stored = schema_api.get().await.unwrap();
    let count = stored.synchronization_rules.into_option().unwrap()[0]
        .object_mappings
        .get()
        .unwrap()[0]
        .attribute_mappings
        .get()
        .unwrap()
        .len();
    assert_eq!(count, original + 1);

    // DELETE resets to the template's schema.
    schema_api.delete().await.unwrap();
    let reset = schema_api.get().await.unwrap();
    assert_eq!(
        reset.synchronization_rules.into_option().unwrap()[0]
            .object_mappings
            .get()
            .unwrap()[0]
            .attribute_mappings
            .get()
            .unwrap()
            .len(),
        original
    );

    assert!(
        schema_api
            .filter_operators()
            .await
            .unwrap()
            .iter()
            .any(|o| o.id.as_deref() == Some("EQUALS"))
    );
    assert!(
        schema_api
            .functions()
            .await
            .unwrap()
            .iter()
            .any(|f| f.id.as_deref() == Some("Join"))
    );
    let mut object = ExpressionInputObject::default();
    object.properties = Property::Value(vec![
        StringKeyObjectValuePair::new("givenName", "Bill"),
        StringKeyObjectValuePair::new("surname", "Bob"),
    ]);
    let parsed = schema_api
        .parse_expression(
            &ParseExpressionRequest::new("Join(\" \", [givenName], [surname])")
                .test_input_object(object),
        )
        .await
        .unwrap();
    assert_eq!(parsed.parsing_succeeded, Property::Value(true));
    assert_eq!(parsed.evaluation_succeeded, Property::Value(true));
    assert_eq!(
        parsed.evaluation_result.into_option().unwrap(),
        ["Bill Bob"]
    );
    let failed = schema_api
        .parse_expression(&ParseExpressionRequest::new("Join("))
        .await
        .unwrap();
    assert_eq!(failed.parsing_succeeded, Property::Value(false));
    assert!(failed.error.is_value());

    let directory = schema_api
        .directory(DirectoryId::new("8ffa6169-f354-4751-9b77-9c00765be92d").unwrap())
        .discover()
        .await
        .unwrap();
    assert_eq!(directory.version.as_deref(), Some("2"));
    assert!(directory.discovery_date_time.is_value());
}

#[tokio::test]
async fn templates_on_both_paths_and_their_schema() {
    let world = world().await;
    let (sp, app) = instantiate(&world, "Templates").await;
    let scim = TemplateId::new("scim").unwrap();
    let by_sp = world.client.service_principal(sp).synchronization();
    let by_app = world.client.application(app.clone()).synchronization();
    let template = by_sp.template(scim.clone()).get().await.unwrap();
    assert_eq!(template.application_id.as_deref(), Some(app.as_str()));
    assert_eq!(by_app.templates().list().await.unwrap().len(), 1);

    let mut changed = template.clone();
    changed.description = Property::Value("Customized".into());
    changed.schema = Property::Absent;
    by_app
        .template(scim.clone())
        .update(&changed)
        .await
        .unwrap();
    assert_eq!(
        by_sp
            .template(scim.clone())
            .get()
            .await
            .unwrap()
            .description
            .as_deref(),
        Some("Customized")
    );

    let schema_api = by_app.template(scim.clone()).schema();
    let mut schema = schema_api.get().await.unwrap();
    schema.version = Property::Value("custom".into());
    schema_api.put(&schema).await.unwrap();
    assert_eq!(
        by_sp
            .template(scim.clone())
            .schema()
            .get()
            .await
            .unwrap()
            .version
            .as_deref(),
        Some("custom")
    );
    schema_api.delete().await.unwrap();
    assert_ne!(
        schema_api.get().await.unwrap().version.as_deref(),
        Some("custom")
    );
    assert!(
        !by_sp
            .template(scim.clone())
            .schema()
            .functions()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !by_app
            .template(scim.clone())
            .schema()
            .filter_operators()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        by_sp
            .template(scim)
            .schema()
            .parse_expression(&ParseExpressionRequest::new("[mail]"))
            .await
            .unwrap()
            .parsing_succeeded,
        Property::Value(true)
    );

    let credentials = Secrets::new()
        .with(SecretKey::Oauth2AuthorizationCode, "code-1")
        .unwrap();
    by_app.acquire_access_token(&credentials).await.unwrap();
    by_sp.acquire_access_token(&credentials).await.unwrap();
    let empty = by_sp
        .acquire_access_token(&Secrets::new())
        .await
        .unwrap_err();
    assert!(
        matches!(empty, graph_sync_api::Error::InvalidInput(_)),
        "{empty:?}"
    );
}

#[tokio::test]
async fn provision_on_demand_and_bulk_upload() {
    let world = world().await;
    let (sp, _) = instantiate(&world, "Inbound").await;
    emulator(&world).set_target_system(&sp, TargetSystem::new(SCIM_URL, SCIM_TOKEN));
    let sync = world.client.service_principal(sp.clone()).synchronization();
    sync.secrets().put(&secrets(SCIM_TOKEN)).await.unwrap();
    let created = sync
        .jobs()
        .create(TemplateId::new("scim").unwrap())
        .await
        .unwrap();
    let job_id: JobId = created.id.into_option().unwrap();
    let job = sync.job(job_id.clone());

    let request = ProvisionOnDemandRequest::new(
        USER_RULE,
        vec![SynchronizationJobSubject::new(
            "9bb0f679-a7a3-4b26-9b2a-2a53ea15f1ce",
            "User",
        )],
    );
    let result = job.provision_on_demand(&request).await.unwrap();
    assert_eq!(
        result.decode_key().unwrap().result.as_deref(),
        Some("Success")
    );
    let log = result.decode_value().unwrap();
    let steps = log.provisioning_steps.into_option().unwrap();
    // Import, scoping, matching, processing, export: the steps the provisioning logs show.
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[4].step_type.as_deref(), Some("Export"));
    assert_eq!(
        log.status_info.into_option().unwrap().status.as_deref(),
        Some("Success")
    );
    let wrong_rule = job
        .provision_on_demand(&ProvisionOnDemandRequest::new(
            "no-such-rule",
            vec![SynchronizationJobSubject::new("x", "User")],
        ))
        .await
        .unwrap_err();
    assert_eq!(wrong_rule.status().map(|s| s.as_u16()), Some(400));

    let bulk = BulkRequest::new()
        .with_user("1", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"701984","userName":"bjensen"}))
        .with_user("2", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"701985","userName":"kjensen"}));
    let accepted = job.bulk_upload(&bulk).await.unwrap();
    let location = accepted.location.unwrap();
    assert!(location.contains("/auditLogs/provisioning/"), "{location}");
    assert!(location.contains(job_id.as_str()), "{location}");
    let uploaded = emulator(&world).bulk_uploaded(&sp, &job_id);
    assert_eq!(uploaded.len(), 2);
    assert_eq!(uploaded[1]["userName"], "kjensen");
}
