//! Every file in `tests/fixtures/` is read into the type its table row names and written back
//! without loss. The directory is listed at run time, so a fixture without a row, or a row
//! without a fixture, fails the test: no fixture can be skipped silently. The inventory in
//! `tests/fixtures/README.md` must name every fixture, too.

use std::any::type_name;
use std::collections::BTreeSet;
use std::path::Path;

use graph_sync_model::{
    AcquireAccessTokenRequest, ApplicationServicePrincipal, AttributeMappingFunctionSchema,
    AttributeMappingSource, BulkRequest, DirectoryDefinition, FilterOperatorSchema,
    InstantiateRequest, ODataCollection, ObjectDefinition, ObjectMapping, ParseExpressionRequest,
    ParseExpressionResponse, ProvisionOnDemandRequest, ProvisionOnDemandResult,
    ProvisioningObjectSummary, RestartRequest, Secrets, ServicePrincipal, Synchronization,
    SynchronizationJob, SynchronizationSchema, SynchronizationTemplate, ValidateCredentialsRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::wire::difference;

/// How a fixture is checked: it reads as a type and comes back without loss.
type Check = fn(&str) -> Result<(), String>;

/// Reads `text` as `T`, writes it back, and checks that the result is the same JSON value:
/// nothing lost, nothing added (no default, no `false`, no `""`), every `null` kept.
fn round_trips<T: DeserializeOwned + Serialize>(text: &str) -> Result<(), String> {
    let original: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let typed: T = serde_json::from_str(text)
        .map_err(|e| format!("does not read as {}: {e}", type_name::<T>()))?;
    let written = serde_json::to_value(&typed).map_err(|e| format!("does not write: {e}"))?;
    difference(&written, &original, "")
        .map_err(|problem| format!("as {}: {problem}", type_name::<T>()))
}

/// A secret pair keeps only `key` and `value` (no annotation map next to a secret), so its
/// OData annotations (`@odata.type`) are accepted and not written back. This check removes
/// them from the pairs of `credentials` first, then requires a lossless round trip of the rest.
fn round_trips_without_secret_pair_annotations(text: &str) -> Result<(), String> {
    let mut body: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let pairs = body.get_mut("credentials").and_then(Value::as_array_mut);
    for pair in pairs.into_iter().flatten() {
        if let Value::Object(members) = pair {
            members.retain(|name, _| !name.starts_with('@'));
        }
    }
    round_trips::<AcquireAccessTokenRequest>(&body.to_string())
}

/// Every fixture file and the type it is a body of. Keep in step with the directory and
/// with `README.md` (the tests below fail otherwise).
const FIXTURES: &[(&str, Check)] = &[
    (
        "acquire-access-token-request.json",
        round_trips_without_secret_pair_annotations,
    ),
    (
        "attribute-mapping-source-attribute-sample.json",
        round_trips::<AttributeMappingSource>,
    ),
    (
        "attribute-mapping-source-function-sample.json",
        round_trips::<AttributeMappingSource>,
    ),
    (
        "bulk-upload-custom-schema-request.json",
        round_trips::<BulkRequest>,
    ),
    ("bulk-upload-request.json", round_trips::<BulkRequest>),
    (
        "bulk-upload-update-request.json",
        round_trips::<BulkRequest>,
    ),
    (
        "directory-discover-response.json",
        round_trips::<DirectoryDefinition>,
    ),
    (
        "filter-operators-response.json",
        round_trips::<ODataCollection<FilterOperatorSchema>>,
    ),
    (
        "functions-response.json",
        round_trips::<ODataCollection<AttributeMappingFunctionSchema>>,
    ),
    (
        "instantiate-request.json",
        round_trips::<InstantiateRequest>,
    ),
    (
        "instantiate-response.json",
        round_trips::<ApplicationServicePrincipal>,
    ),
    ("job-create-request.json", round_trips::<SynchronizationJob>),
    (
        "job-create-response.json",
        round_trips::<SynchronizationJob>,
    ),
    ("job-get-response.json", round_trips::<SynchronizationJob>),
    ("job-quarantined.json", round_trips::<SynchronizationJob>),
    ("job-restart-request.json", round_trips::<RestartRequest>),
    (
        "jobs-list-response.json",
        round_trips::<ODataCollection<SynchronizationJob>>,
    ),
    (
        "object-definition-sample.json",
        round_trips::<ObjectDefinition>,
    ),
    ("object-mapping-example.json", round_trips::<ObjectMapping>),
    (
        "overview-job-get-response.json",
        round_trips::<SynchronizationJob>,
    ),
    (
        "overview-jobs-list-response.json",
        round_trips::<ODataCollection<SynchronizationJob>>,
    ),
    (
        "overview-schema-get-response.json",
        round_trips::<SynchronizationSchema>,
    ),
    (
        "overview-service-principal-by-app-id-response.json",
        round_trips::<ODataCollection<ServicePrincipal>>,
    ),
    (
        "overview-service-principals-by-name-response.json",
        round_trips::<ODataCollection<ServicePrincipal>>,
    ),
    (
        "parse-expression-error-response.json",
        round_trips::<ParseExpressionResponse>,
    ),
    (
        "parse-expression-request.json",
        round_trips::<ParseExpressionRequest>,
    ),
    (
        "parse-expression-response.json",
        round_trips::<ParseExpressionResponse>,
    ),
    (
        "provisioning-event-every-property.json",
        round_trips::<ProvisioningObjectSummary>,
    ),
    (
        "provisioning-list-error-response.json",
        round_trips::<ODataCollection<ProvisioningObjectSummary>>,
    ),
    (
        "provisioning-list-response.json",
        round_trips::<ODataCollection<ProvisioningObjectSummary>>,
    ),
    (
        "provision-on-demand-ad-request.json",
        round_trips::<ProvisionOnDemandRequest>,
    ),
    (
        "provision-on-demand-ad-response.json",
        round_trips::<ProvisionOnDemandResult>,
    ),
    (
        "provision-on-demand-group-request.json",
        round_trips::<ProvisionOnDemandRequest>,
    ),
    (
        "provision-on-demand-group-response.json",
        round_trips::<ProvisionOnDemandResult>,
    ),
    (
        "provision-on-demand-response.json",
        round_trips::<ProvisionOnDemandResult>,
    ),
    (
        "provision-on-demand-user-request.json",
        round_trips::<ProvisionOnDemandRequest>,
    ),
    (
        "schema-get-documented-response.json",
        round_trips::<SynchronizationSchema>,
    ),
    (
        "schema-get-response.json",
        round_trips::<SynchronizationSchema>,
    ),
    (
        "schema-update-documented-request.json",
        round_trips::<SynchronizationSchema>,
    ),
    (
        "schema-update-request.json",
        round_trips::<SynchronizationSchema>,
    ),
    (
        "secrets-put-documented-request.json",
        round_trips::<Secrets>,
    ),
    ("secrets-put-request.json", round_trips::<Secrets>),
    ("synchronization-get.json", round_trips::<Synchronization>),
    (
        "template-get-response.json",
        round_trips::<SynchronizationTemplate>,
    ),
    (
        "template-update-request.json",
        round_trips::<SynchronizationTemplate>,
    ),
    (
        "templates-list-response.json",
        round_trips::<ODataCollection<SynchronizationTemplate>>,
    ),
    (
        "validate-credentials-collection-request.json",
        round_trips::<ValidateCredentialsRequest>,
    ),
    (
        "validate-credentials-request.json",
        round_trips::<ValidateCredentialsRequest>,
    ),
];

/// The inventory, which is not a fixture.
const INVENTORY: &str = "README.md";

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// The names of the files in `tests/fixtures/`.
fn files_on_disk() -> BTreeSet<String> {
    std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect()
}

/// Compares the table with the directory: fixtures without a row, rows without a fixture.
fn table_against(on_disk: &BTreeSet<String>) -> Result<(), String> {
    let in_table: BTreeSet<String> = FIXTURES.iter().map(|(n, _)| (*n).to_owned()).collect();
    if in_table.len() != FIXTURES.len() {
        return Err("a fixture has two rows in the table".to_owned());
    }
    let unmapped: Vec<&String> = on_disk
        .iter()
        .filter(|name| *name != INVENTORY && !in_table.contains(*name))
        .collect();
    let missing: Vec<&String> = in_table.difference(on_disk).collect();
    if unmapped.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fixtures without a row in FIXTURES: {unmapped:?}; rows without a fixture file: {missing:?}"
        ))
    }
}

#[test]
fn every_fixture_has_a_row_and_every_row_a_fixture() {
    let on_disk = files_on_disk();
    assert!(
        on_disk.contains(INVENTORY),
        "tests/fixtures/README.md is missing"
    );
    table_against(&on_disk).unwrap();
}

#[test]
fn every_fixture_round_trips_as_its_type() {
    let failures: Vec<String> = FIXTURES
        .iter()
        .filter_map(|(name, check)| {
            let text = std::fs::read_to_string(fixtures_dir().join(name))
                .map_err(|e| format!("{name}: cannot be read: {e}"));
            text.and_then(|text| check(&text).map_err(|problem| format!("{name}: {problem}")))
                .err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_inventory_names_every_fixture() {
    let inventory = std::fs::read_to_string(fixtures_dir().join(INVENTORY)).unwrap();
    let unlisted: Vec<&str> = FIXTURES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !inventory.contains(&format!("`{name}`")))
        .collect();
    assert!(unlisted.is_empty(), "not in README.md: {unlisted:?}");
}

#[test]
fn the_table_check_notices_strays_and_gaps() {
    let mut on_disk: BTreeSet<String> = FIXTURES.iter().map(|(n, _)| (*n).to_owned()).collect();
    on_disk.insert(INVENTORY.to_owned());
    assert!(table_against(&on_disk).is_ok());

    on_disk.insert("new-example.json".to_owned());
    let stray = table_against(&on_disk).unwrap_err();
    assert!(stray.contains("new-example.json"), "{stray}");

    on_disk.remove("new-example.json");
    on_disk.remove("job-get-response.json");
    let gap = table_against(&on_disk).unwrap_err();
    assert!(gap.contains("job-get-response.json"), "{gap}");
}

#[test]
fn a_check_fails_on_a_wrong_type_and_on_loss() {
    // A job body does not read as a restart request's criteria…
    let wrong = round_trips::<RestartRequest>(r#"{"criteria":"Full"}"#).unwrap_err();
    assert!(wrong.contains("does not read as"), "{wrong}");
    // …and a member the type drops is reported (a secret pair writes no annotations).
    let annotated = r#"{"credentials":[{"@odata.type":"x","key":"SyncAll","value":"true"}]}"#;
    let lost = round_trips::<AcquireAccessTokenRequest>(annotated).unwrap_err();
    assert!(lost.contains("/credentials/0/@odata.type lost"), "{lost}");
    assert!(round_trips_without_secret_pair_annotations(annotated).is_ok());
    // The secret-pair check removes annotations only: a missing value is still an error,
    // and so are missing or null credentials.
    for refused in [
        r#"{"credentials":[{"@odata.type":"microsoft.graph.synchronizationSecretKeyStringValuePair"}]}"#,
        "{}",
        r#"{"credentials":null}"#,
    ] {
        let problem = round_trips_without_secret_pair_annotations(refused).unwrap_err();
        assert!(problem.contains("does not read as"), "{refused}: {problem}");
    }
}

/// A small deterministic generator (xorshift64*), so that the mutation test is repeatable
/// without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
}

/// Every object member of `value`, as paths of keys and indices.
fn member_paths(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                path.push(Value::from(key.as_str()));
                out.push(path.clone());
                member_paths(member, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Value::from(i));
                member_paths(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Removes the member at `path`, or sets it to `null`.
fn mutate(value: &mut Value, path: &[Value], remove: bool) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = value;
    for step in parents {
        let next = match step {
            Value::String(key) => node.get_mut(key.as_str()),
            _ => node.get_mut(usize::try_from(step.as_u64().unwrap()).unwrap()),
        };
        // An earlier mutation removed or nulled a parent: nothing left to mutate.
        let Some(next) = next else { return };
        node = next;
    }
    if let (Value::Object(members), Some(key)) = (node, last.as_str()) {
        if remove {
            members.remove(key);
        } else {
            members.insert(key.to_owned(), Value::Null);
        }
    }
}

/// Property-style check of "absent stays absent, null stays null": each fixture, with up to
/// three of its members removed or set to `null` at random (seeded), either is refused by its
/// type (a required member, say) or comes back as the same JSON value.
#[test]
fn fixtures_with_members_removed_or_nulled_still_round_trip() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut checked, mut refused) = (0, 0);
    let mut failures = Vec::new();
    for (name, check) in FIXTURES {
        let text = std::fs::read_to_string(fixtures_dir().join(name)).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        let mut paths = Vec::new();
        member_paths(&original, &mut Vec::new(), &mut paths);
        for _ in 0..40 {
            let mut mutated = original.clone();
            for _ in 0..=rng.below(3) {
                let path = &paths[rng.below(paths.len())];
                mutate(&mut mutated, path, rng.below(2) == 0);
            }
            match check(&mutated.to_string()) {
                Ok(()) => checked += 1,
                Err(problem) if problem.contains("does not read as") => refused += 1,
                Err(problem) => failures.push(format!("{name}: {problem}\n  body: {mutated}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The check must not be vacuous: most mutations are read.
    assert!(
        checked > refused * 4,
        "checked {checked}, refused {refused}"
    );
}
