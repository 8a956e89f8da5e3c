//! Every documented example body (the fixtures, written from the reference; the documents'
//! invalid-JSON examples fixed as the reference's §10 describes) read into its type and
//! written back without loss, and the typed views of them checked.

use graph_sync_model::Property;
use graph_sync_model::{
    AcquireAccessTokenRequest, ApplicationServicePrincipal, AttributeMappingFunctionSchema,
    AttributeMappingSourceType, AttributeType, BulkRequest, DirectoryDefinition, Discoverability,
    ExposeSecret, FilterOperatorSchema, InstantiateRequest, IsoDuration, ODataCollection,
    ObjectFlowType, ParseExpressionRequest, ParseExpressionResponse, ProvisionOnDemandRequest,
    ProvisionOnDemandResult, QuarantineReason, RestartRequest, RestartScopeFlag, ScopeOperatorType,
    SecretKey, SynchronizationJob, SynchronizationScheduleState, SynchronizationSchema,
    SynchronizationStatusCode, SynchronizationTemplate, ValidateCredentialsRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Where `written` differs from `original` (JSON value equality: key order aside, nothing
/// added, nothing lost, `null` kept), with the path of the first difference.
pub(crate) fn difference(written: &Value, original: &Value, path: &str) -> Result<(), String> {
    match (written, original) {
        (Value::Object(w), Value::Object(o)) => {
            for (key, value) in o {
                let at = format!("{path}/{key}");
                difference(w.get(key).ok_or_else(|| format!("{at} lost"))?, value, &at)?;
            }
            match w.iter().find(|(key, _)| !o.contains_key(*key)) {
                Some((key, value)) => Err(format!("{path}/{key} added: {value}")),
                None => Ok(()),
            }
        }
        (Value::Array(w), Value::Array(o)) if w.len() == o.len() => w
            .iter()
            .zip(o)
            .enumerate()
            .try_for_each(|(i, (w, o))| difference(w, o, &format!("{path}/{i}"))),
        (w, o) if w == o => Ok(()),
        (w, o) => Err(format!("{path}: {o} became {w}")),
    }
}

/// Reads `fixture` as `T`, writes it back, and checks nothing was lost or changed.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, fixture: &str) -> T {
    let original: Value = serde_json::from_str(fixture).unwrap();
    let typed: T = serde_json::from_str(fixture).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = serde_json::to_value(&typed).unwrap();
    if let Err(problem) = difference(&written, &original, "") {
        panic!("{name}: {problem}");
    }
    typed
}

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_str!(concat!("fixtures/", $name)))
    };
}

#[test]
fn job_bodies_round_trip() {
    let (n, f) = fixture!("jobs-list-response.json");
    let list: ODataCollection<SynchronizationJob> = round_trip(n, f);
    assert_eq!(list.value.len(), 1);
    assert_eq!(
        list.value[0].status_code(),
        SynchronizationStatusCode::Paused
    );
    assert!(
        list.value[0]
            .schedule
            .get()
            .unwrap()
            .interval
            .get()
            .unwrap()
            .is_timespan_max()
    );

    // The overview's list: an empty `status` object reads as the defaults.
    let (n, f) = fixture!("overview-jobs-list-response.json");
    let listed: ODataCollection<SynchronizationJob> = round_trip(n, f);
    let job = &listed.value[0];
    assert_eq!(
        job.schedule.get().unwrap().state,
        Property::Value(SynchronizationScheduleState::Active)
    );
    assert_eq!(
        job.schedule.get().unwrap().interval,
        Property::Value(IsoDuration::parse("PT20M").unwrap())
    );
    assert_eq!(job.status_code(), SynchronizationStatusCode::NotConfigured);

    let (n, f) = fixture!("job-get-response.json");
    let job: SynchronizationJob = round_trip(n, f);
    let status = job.status.get().unwrap();
    assert_eq!(
        status.code,
        Property::Value(SynchronizationStatusCode::Paused)
    );
    let quarantine = status.quarantine.get().unwrap();
    // The documented example's "" timestamps and reason are read, kept and written back.
    assert!(quarantine.current_began.get().unwrap().is_unset());
    assert_eq!(
        quarantine.reason,
        Property::Value(QuarantineReason::Other(String::new()))
    );
    assert_eq!(quarantine.series_count, Property::Value(2));
    assert_eq!(
        quarantine.error.get().unwrap().code.as_deref(),
        Some("SalesforceInvalidCredentials")
    );
    assert!(
        status
            .steady_state_first_achieved_time
            .get()
            .unwrap()
            .is_unset()
    );
    assert_eq!(
        job.setting("QuarantineTooManyDeletesThreshold"),
        Some("500")
    );
    assert!(
        job.schedule
            .get()
            .unwrap()
            .interval
            .get()
            .unwrap()
            .is_timespan_max()
    );

    let (n, f) = fixture!("job-create-request.json");
    let create: SynchronizationJob = round_trip(n, f);
    assert_eq!(
        serde_json::to_value(SynchronizationJob::from_template(
            create.template_id.clone().into_option().unwrap()
        ))
        .unwrap(),
        serde_json::from_str::<Value>(f).unwrap()
    );

    let (n, f) = fixture!("job-create-response.json");
    let created: SynchronizationJob = round_trip(n, f);
    let schedule = created.schedule.get().unwrap();
    assert_eq!(
        schedule.state,
        Property::Value(SynchronizationScheduleState::Disabled)
    );
    assert!(schedule.interval.get().unwrap().is_timespan_max());
    assert!(schedule.is_disabled());
    assert_eq!(
        created.status_code(),
        SynchronizationStatusCode::NotConfigured
    );

    let (n, f) = fixture!("job-quarantined.json");
    let quarantined: SynchronizationJob = round_trip(n, f);
    let status = quarantined.status.into_option().unwrap();
    assert_eq!(
        status
            .quarantine
            .get()
            .unwrap()
            .current_began
            .get()
            .unwrap()
            .value()
            .unwrap()
            .nanosecond(),
        123_456_700
    );
    assert_eq!(
        status.quarantine_reason(),
        Some(&QuarantineReason::EncounteredQuarantineException)
    );
    assert!(
        status
            .quarantine
            .into_option()
            .unwrap()
            .error
            .into_option()
            .unwrap()
            .tenant_actionable
            == Property::Value(true)
    );
}

#[test]
fn action_bodies_round_trip() {
    let (n, f) = fixture!("job-restart-request.json");
    let restart: RestartRequest = round_trip(n, f);
    let scope = restart
        .criteria
        .into_option()
        .unwrap()
        .reset_scope
        .into_option()
        .unwrap();
    assert!(scope.contains(&RestartScopeFlag::QuarantineState));
    assert_eq!(scope.bits(), 14);

    let (n, f) = fixture!("validate-credentials-request.json");
    let validate: ValidateCredentialsRequest = round_trip(n, f);
    assert!(validate.use_saved_credentials.is_absent());
    assert_eq!(
        validate
            .credentials
            .get()
            .unwrap()
            .get(&SecretKey::UserName)
            .unwrap()
            .expose_secret(),
        "user@domain.com"
    );
    assert!(!format!("{validate:?}").contains("password-value"));

    let (n, f) = fixture!("validate-credentials-collection-request.json");
    let validate: ValidateCredentialsRequest = round_trip(n, f);
    assert_eq!(validate.template_id.into_option().unwrap().as_str(), "scim");

    // The documented body is a placeholder pair with neither key nor value (reference §10
    // item 25): it is refused, and the error names what is missing.
    let placeholder = r#"{"credentials":[{"@odata.type":"microsoft.graph.synchronizationSecretKeyStringValuePair"}]}"#;
    let refused = serde_json::from_str::<AcquireAccessTokenRequest>(placeholder).unwrap_err();
    assert!(
        refused.to_string().contains("missing field `key`"),
        "{refused}"
    );

    // The pair's `@odata.type` annotation is accepted and not written back (secret pairs keep
    // only key and value), so compare without it.
    let (_, f) = fixture!("acquire-access-token-request.json");
    let token: AcquireAccessTokenRequest = serde_json::from_str(f).unwrap();
    assert_eq!(
        serde_json::to_value(&token).unwrap(),
        serde_json::json!({"credentials":[{"key":"Oauth2AuthorizationCode","value":"authorization-code"}]})
    );

    for (n, f) in [
        fixture!("provision-on-demand-user-request.json"),
        fixture!("provision-on-demand-group-request.json"),
        fixture!("provision-on-demand-ad-request.json"),
    ] {
        let request: ProvisionOnDemandRequest = round_trip(n, f);
        assert_eq!(request.parameters.get().unwrap().len(), 1);
    }

    let (n, f) = fixture!("provision-on-demand-response.json");
    let result: ProvisionOnDemandResult = round_trip(n, f);
    let outcome = result.decode_key().unwrap();
    assert_eq!(outcome.result.as_deref(), Some("Skipped"));
    assert_eq!(
        outcome.details.into_option().unwrap()["errorCode"],
        "RedundantExport"
    );
    let log = result.decode_value().unwrap();
    let steps = log.provisioning_steps.get().unwrap();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[0].name.as_deref(), Some("EntryImport"));
    assert_eq!(steps[2].step_type.as_deref(), Some("Scoping"));
    assert_eq!(
        steps[3].details.get().unwrap()["SkipReason"],
        "RedundantExport"
    );
    assert_eq!(
        log.modified_properties.get().unwrap()[2]
            .new_value
            .as_deref(),
        Some("Bill Bob")
    );
    assert_eq!(
        log.status_info.get().unwrap().status.as_deref(),
        Some("Skipped")
    );
    assert_eq!(
        log.target_system.get().unwrap().name.as_deref(),
        Some("customappsso")
    );
    assert_eq!(log.action.as_deref(), Some("Other"));
    // The log itself round-trips too, its `null`s included.
    let inner: Value = serde_json::from_str(result.value.as_deref().unwrap()).unwrap();
    assert_eq!(serde_json::to_value(&log).unwrap(), inner);
    // Example 3 answers with an empty log and a context naming the internal service.
    let (n, f) = fixture!("provision-on-demand-group-response.json");
    let group: ProvisionOnDemandResult = round_trip(n, f);
    assert_eq!(
        group.decode_key().unwrap().result.as_deref(),
        Some("Success")
    );
    assert_eq!(
        group.decode_value().unwrap(),
        graph_sync_model::ProvisioningLog::default()
    );
    assert!(
        group.extra["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with("https://syncfabric")
    );
    // Example 2 (Active Directory to Microsoft Entra ID): a log without `oldValue`s, whose
    // step details hold 132 attributes and a JSON document inside a string.
    let (n, f) = fixture!("provision-on-demand-ad-response.json");
    let ad: ProvisionOnDemandResult = round_trip(n, f);
    assert_eq!(ad.decode_key().unwrap().result.as_deref(), Some("Success"));
    let log = ad.decode_value().unwrap();
    let steps = log.provisioning_steps.get().unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|s| s.name.as_deref().unwrap())
            .collect::<Vec<_>>(),
        [
            "EntryImportAdd",
            "EntryImport",
            "EntrySynchronizationScoping",
            "EntryExportUpdate"
        ]
    );
    let details = steps[0].details.get().unwrap();
    assert_eq!(details.len(), 132);
    let token: Value =
        serde_json::from_str(details["originatingReplicaToken"].as_str().unwrap()).unwrap();
    assert_eq!(token["Name"], "DC01.esf.edu");
    assert_eq!(log.modified_properties.get().unwrap().len(), 37);
    assert_eq!(log.action.as_deref(), Some("Update"));
    let inner: Value = serde_json::from_str(ad.value.as_deref().unwrap()).unwrap();
    assert_eq!(serde_json::to_value(&log).unwrap(), inner);

    let missing = ProvisionOnDemandResult::default().decode_key().unwrap_err();
    assert!(missing.to_string().contains("no `key`"));

    let (n, f) = fixture!("bulk-upload-request.json");
    let bulk: BulkRequest = round_trip(n, f);
    assert_eq!(bulk.operations.len(), 2);
    assert_eq!(bulk.operations[0].path, "/Users");
    assert_eq!(
        bulk.operations[1].data.get().unwrap()["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
            ["manager"]["value"],
        "701984"
    );
    for (n, f) in [
        fixture!("bulk-upload-custom-schema-request.json"),
        fixture!("bulk-upload-update-request.json"),
    ] {
        let bulk: BulkRequest = round_trip(n, f);
        assert!(bulk.operations.iter().all(|op| op.method == "POST"));
    }
}

#[test]
fn schema_bodies_round_trip() {
    let (n, f) = fixture!("schema-get-response.json");
    let schema: SynchronizationSchema = round_trip(n, f);
    let directories = schema.directories.get().unwrap();
    assert!(
        directories[0]
            .discoverabilities
            .get()
            .unwrap()
            .contains(&Discoverability::AttributeDataTypes)
    );
    // The documentation's lower-case "string" is kept as an unknown member.
    let sf_attr = &directories[1].objects.get().unwrap()[0]
        .attributes
        .get()
        .unwrap()[0];
    assert_eq!(
        sf_attr.r#type,
        Property::Value(AttributeType::Other("string".into()))
    );
    let mapping = &schema.synchronization_rules.get().unwrap()[0]
        .object_mappings
        .get()
        .unwrap()[0];
    assert!(
        mapping
            .flow_types
            .get()
            .unwrap()
            .contains(&ObjectFlowType::Delete)
    );
    let function = mapping.attribute_mappings.get().unwrap()[1]
        .source
        .get()
        .unwrap();
    assert_eq!(
        function.r#type,
        Property::Value(AttributeMappingSourceType::Function)
    );
    assert_eq!(function.parameters.get().unwrap().len(), 2);

    // The documentation's own example is a skeleton with empty objects: every one reads.
    let (n, f) = fixture!("schema-get-documented-response.json");
    let skeleton: SynchronizationSchema = round_trip(n, f);
    assert_eq!(
        skeleton.synchronization_rules.into_option().unwrap().len(),
        2
    );

    // The documented update example, its trailing commas removed (reference §10 item 10).
    let (n, f) = fixture!("schema-update-documented-request.json");
    let documented: SynchronizationSchema = round_trip(n, f);
    assert_eq!(
        documented.directories.into_option().unwrap()[1]
            .name
            .as_deref(),
        Some("Salesforce")
    );

    let (n, f) = fixture!("schema-update-request.json");
    let update: SynchronizationSchema = round_trip(n, f);
    assert_eq!(update.directories.into_option().unwrap().len(), 2);

    let (n, f) = fixture!("filter-operators-response.json");
    let operators: ODataCollection<FilterOperatorSchema> = round_trip(n, f);
    assert_eq!(
        operators.value[0].arity,
        Property::Value(ScopeOperatorType::Binary)
    );
    assert_eq!(operators.value[0].extra["name"], "EQUALS");
    assert_eq!(
        operators.value[0].supported_attribute_types,
        Property::Value(vec![AttributeType::String, AttributeType::Integer])
    );

    let (n, f) = fixture!("functions-response.json");
    let functions: ODataCollection<AttributeMappingFunctionSchema> = round_trip(n, f);
    assert_eq!(functions.value.len(), 4);
    assert_eq!(functions.value[1].parameters.get().unwrap().len(), 0);
    assert!(
        functions
            .context
            .into_option()
            .unwrap()
            .ends_with("#functions")
    );

    let (n, f) = fixture!("parse-expression-request.json");
    let request: ParseExpressionRequest = round_trip(n, f);
    let properties = request
        .test_input_object
        .into_option()
        .unwrap()
        .properties
        .into_option()
        .unwrap();
    assert_eq!(properties[0].key.as_deref(), Some("objectId"));
    let roles = properties.last().unwrap();
    assert_eq!(roles.extra["value@odata.type"], "#Collection(String)");
    assert_eq!(
        roles.extra["value"],
        serde_json::json!(["Default Assignment"])
    );

    let (n, f) = fixture!("parse-expression-response.json");
    let parsed: ParseExpressionResponse = round_trip(n, f);
    assert_eq!(parsed.parsing_succeeded, Property::Value(true));
    assert_eq!(parsed.evaluation_succeeded, Property::Value(true));
    assert_eq!(parsed.evaluation_result.into_option().unwrap(), ["EN_US"]);

    let (n, f) = fixture!("parse-expression-error-response.json");
    let failed: ParseExpressionResponse = round_trip(n, f);
    let error = failed.error.into_option().unwrap();
    assert_eq!(error.code.as_deref(), Some("ExpressionParsingFailed"));
    assert_eq!(
        error.inner_error.into_option().unwrap().extra["position"],
        8
    );

    let (n, f) = fixture!("directory-discover-response.json");
    let directory: DirectoryDefinition = round_trip(n, f);
    assert_eq!(directory.discoverabilities.get().unwrap().bits(), 3);
    assert_eq!(
        directory
            .discovery_date_time
            .into_option()
            .unwrap()
            .value()
            .unwrap()
            .nanosecond(),
        470_755_200
    );
    let attributes = directory.objects.into_option().unwrap()[0]
        .attributes
        .clone()
        .into_option()
        .unwrap();
    assert_eq!(
        attributes[2].name.as_deref(),
        Some("CustomExendedAttribute")
    );
}

#[test]
fn template_bodies_round_trip() {
    let (n, f) = fixture!("templates-list-response.json");
    let templates: ODataCollection<SynchronizationTemplate> = round_trip(n, f);
    let template = &templates.value[0];
    assert_eq!(template.factory_tag.as_deref(), Some("CustomSCIM"));
    assert!(template.schema.is_value());

    for (n, f) in [
        fixture!("template-get-response.json"),
        fixture!("template-update-request.json"),
    ] {
        let _: SynchronizationTemplate = round_trip(n, f);
    }

    let (n, f) = fixture!("instantiate-request.json");
    let request: InstantiateRequest = round_trip(n, f);
    assert_eq!(
        serde_json::to_value(InstantiateRequest::new("My custom name")).unwrap(),
        serde_json::to_value(&request).unwrap()
    );
    let (n, f) = fixture!("instantiate-response.json");
    let created: ApplicationServicePrincipal = round_trip(n, f);
    assert_eq!(
        created
            .service_principal
            .into_option()
            .unwrap()
            .id
            .as_deref(),
        Some("id-value")
    );
}

#[test]
fn durations_in_bodies_keep_their_text() {
    let schedule: graph_sync_model::SynchronizationSchedule =
        serde_json::from_str(r#"{"interval":"P10675199DT2H48M5.4775807S","state":"Disabled"}"#)
            .unwrap();
    assert_eq!(
        schedule.interval,
        Property::Value(IsoDuration::parse("P10675199DT2H48M5.4775807S").unwrap())
    );
    assert!(
        serde_json::from_str::<graph_sync_model::SynchronizationSchedule>(
            r#"{"interval":"P1M","state":"Active"}"#
        )
        .is_err()
    );
}

#[test]
fn docs_secret_keys_table_matches_the_model() {
    let doc = include_str!("../../../docs/secret-keys.md");
    let rows: Vec<(&str, &str)> = doc
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let key = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let kind = cells.get(3)?.strip_prefix('`')?.strip_suffix('`')?;
            cells.get(2)?.parse::<u32>().ok()?;
            Some((key, kind))
        })
        .collect();
    assert_eq!(rows.len(), 45);
    for (key, (name, kind)) in SecretKey::ALL.iter().zip(&rows) {
        assert_eq!(key.as_str(), *name);
        assert_eq!(format!("{:?}", key.kind()), *kind, "{name}");
    }
}

#[test]
fn the_round_trip_check_notices_loss_addition_change_and_dropped_nulls() {
    let original = serde_json::json!({"a": {"b": [1, 2], "n": null}, "c": "x"});
    assert!(difference(&original, &original, "").is_ok());
    let lost = serde_json::json!({"a": {"b": [1, 2], "n": null}});
    assert!(
        difference(&lost, &original, "")
            .unwrap_err()
            .contains("/c lost")
    );
    let changed = serde_json::json!({"a": {"b": [1, 3], "n": null}, "c": "x"});
    assert!(
        difference(&changed, &original, "")
            .unwrap_err()
            .contains("/a/b/1")
    );
    let no_null = serde_json::json!({"a": {"b": [1, 2]}, "c": "x"});
    assert!(
        difference(&no_null, &original, "")
            .unwrap_err()
            .contains("/a/n lost")
    );
    // A default is an addition like any other.
    let defaulted = serde_json::json!({"a": {"b": [1, 2], "n": null}, "c": "x", "default": false});
    assert!(
        difference(&defaulted, &original, "")
            .unwrap_err()
            .contains("/default added")
    );
}

#[test]
fn template_metadata_is_looked_up_by_key() {
    let template: SynchronizationTemplate = serde_json::from_value(serde_json::json!({
        "id": "scim",
        "metadata": [{"key": "ConfigurationFields", "value": "[\"BaseAddress\",\"SecretToken\"]"}]
    }))
    .unwrap();
    assert_eq!(
        template.metadata_value(&graph_sync_model::SynchronizationMetadata::ConfigurationFields),
        Some("[\"BaseAddress\",\"SecretToken\"]")
    );
    assert_eq!(
        template.metadata_value(&graph_sync_model::SynchronizationMetadata::IsOAuthEnabled),
        None
    );
}

#[test]
fn provisioning_log_bodies_read_as_typed_events() {
    use graph_sync_model::audit::ProvisioningObjectSummary;
    use graph_sync_model::{
        InitiatorType, ProvisioningAction, ProvisioningResult, ProvisioningStatusErrorCategory,
        ProvisioningStepType,
    };

    let (name, text) = fixture!("provisioning-list-error-response.json");
    let page: ODataCollection<ProvisioningObjectSummary> = round_trip(name, text);
    let event = &page.value[0];
    assert_eq!(
        event.provisioning_action.get(),
        Some(&ProvisioningAction::Create)
    );
    assert_eq!(event.status(), Some(&ProvisioningResult::Failure));
    let error = event.error().unwrap();
    assert_eq!(error.error_code.as_deref(), Some("ContosoEntryConflict"));
    assert_eq!(
        error.error_category.get(),
        Some(&ProvisioningStatusErrorCategory::NonServiceFailure)
    );
    assert!(error.additional_details.is_null());
    let failed = event.failed_step().unwrap();
    assert_eq!(
        failed.provisioning_step_type.get(),
        Some(&ProvisioningStepType::Export)
    );
    assert_eq!(
        event.initiated_by.get().unwrap().initiator_type.get(),
        Some(&InitiatorType::System)
    );
    assert_eq!(
        event
            .activity_date_time
            .get()
            .unwrap()
            .value()
            .unwrap()
            .unix_timestamp(),
        1_561_409_588
    );

    let (name, text) = fixture!("provisioning-list-response.json");
    let page: ODataCollection<ProvisioningObjectSummary> = round_trip(name, text);
    let event = &page.value[0];
    // The page writes "Import" and `initiatingType`: both kept as written.
    assert_eq!(
        event.steps()[0].provisioning_step_type.get(),
        Some(&ProvisioningStepType::Other("Import".into()))
    );
    assert!(event.initiated_by.get().unwrap().initiator_type.is_absent());
    assert!(
        event
            .initiated_by
            .get()
            .unwrap()
            .extra
            .contains_key("initiatingType")
    );
    assert_eq!(event.duration_in_milliseconds.get(), Some(&3236));
}
