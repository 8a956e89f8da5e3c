//! Property tests (proptest, fixed seed): every body the model accepts is written back as the
//! same JSON value — absent stays absent, `null` stays `null`, unknown properties are kept —
//! and the parsers of external text (durations, timestamps, ids) never panic, keep what they
//! accept, and answer what they refuse with a short message free of control characters.
//!
//! The bodies are the documented examples, mutated: properties removed or set to `null`,
//! unknown properties added, strings and numbers replaced by arbitrary ones, arrays grown or
//! emptied. A mutation the model refuses is fine (a wrong type is a decode error); one it
//! accepts must come back unchanged. Each property also checks that enough cases were
//! accepted, so a property cannot pass by refusing everything.

use std::cell::Cell;
use std::time::Duration;

use graph_sync_model::{
    AppId, ApplicationObjectId, ApplicationTemplateId, DirectoryId, IsoDuration, JobId,
    ODataCollection, ProvisionOnDemandResult, ProvisioningObjectSummary, Secrets,
    ServicePrincipalId, ServicePrincipalRef, Synchronization, SynchronizationJob,
    SynchronizationSchema, SynchronizationTemplate, TemplateId, Timestamp,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::wire::difference;

/// Cases per property: enough to find a lossy path, few enough for a 2-core CI machine.
const CASES: u32 = 256;

/// The fixed seed: every run makes the same cases (set `PROPTEST_RNG_SEED` to explore).
const SEED: u64 = 0x6772_6170_6873_796e;

/// A deterministic runner: fixed seed, no regression files, [`CASES`] cases.
fn runner() -> TestRunner {
    let mut config = Config::with_cases(CASES);
    config.rng_seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .map_or(RngSeed::Fixed(SEED), RngSeed::Fixed);
    config.failure_persistence = None;
    TestRunner::new(config)
}

/// One change to a JSON document, applied to the node its `at` picks (modulo the number of
/// nodes, in document order).
#[derive(Debug, Clone)]
enum Mutation {
    /// Removes the node from its parent object (or array).
    Remove,
    /// Replaces the node by `null`.
    Null,
    /// Adds a property unknown to the model, when the node is an object.
    Unknown(String, Value),
    /// Replaces a string node.
    Text(String),
    /// Replaces a number node.
    Number(Number),
    /// Repeats an array's first item.
    Grow,
    /// Empties an array or object.
    Empty,
}

fn any_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        Just(Number::from(0)),
        Just(Number::from(i64::MIN)),
        Just(Number::from(u64::MAX)),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
    ]
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z]{0,12}",
        Just(String::new()),
        Just("\u{1b}]8;;x\u{7}\r\n\u{9b}".to_owned()),
        "P[0-9]{1,25}DT[0-9]{1,25}H",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?Z",
    ]
}

fn any_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any_number().prop_map(Value::Number),
        any_text().prop_map(Value::String),
    ]
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    any_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z@.]{1,10}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::Remove),
        3 => Just(Mutation::Null),
        // Unknown names: a prefix no Graph property has, or an annotation.
        2 => ("(x_|@unknown\\.)[a-zA-Z]{1,8}", any_json())
            .prop_map(|(key, value)| Mutation::Unknown(key, value)),
        3 => any_text().prop_map(Mutation::Text),
        2 => any_number().prop_map(Mutation::Number),
        1 => Just(Mutation::Grow),
        1 => Just(Mutation::Empty),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<(usize, Mutation)>> {
    prop::collection::vec((any::<usize>(), mutation()), 1..6)
}

/// A step of a path into a JSON document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The paths of every node of `value`, in document order (the root first).
fn paths(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                at.push(Step::Key(key.clone()));
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                at.push(Step::Index(index));
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get_mut(key.as_str()),
        Step::Index(index) => value.get_mut(*index),
    })
}

/// Applies `mutation` to the node `at` picks.
fn apply(document: &mut Value, at: usize, mutation: &Mutation) {
    let mut all = Vec::new();
    paths(document, &mut Vec::new(), &mut all);
    let path = &all[at % all.len()];
    if let Mutation::Remove = mutation {
        if let Some((last, parent)) = path.split_last() {
            match (node(document, parent), last) {
                (Some(Value::Object(map)), Step::Key(key)) => {
                    map.remove(key);
                }
                (Some(Value::Array(items)), Step::Index(index)) => {
                    items.remove(*index);
                }
                _ => {}
            }
        }
        return;
    }
    let Some(target) = node(document, path) else {
        return;
    };
    match (mutation, target) {
        (Mutation::Null, target) => *target = Value::Null,
        (Mutation::Unknown(key, value), Value::Object(map)) => {
            map.insert(key.clone(), value.clone());
        }
        (Mutation::Text(text), target @ Value::String(_)) => *target = Value::String(text.clone()),
        (Mutation::Number(number), target @ Value::Number(_)) => {
            *target = Value::Number(number.clone());
        }
        (Mutation::Grow, Value::Array(items)) => {
            if let Some(first) = items.first().cloned() {
                items.push(first);
            }
        }
        (Mutation::Empty, Value::Array(items)) => items.clear(),
        (Mutation::Empty, Value::Object(map)) => map.clear(),
        _ => {}
    }
}

/// Mutates `fixture` [`CASES`] times; each body `T` reads is written back as the same JSON
/// value (and writing it again gives the same bytes). Returns how many cases `T` accepted.
fn lossless<T: DeserializeOwned + Serialize>(name: &str, fixture: &str) -> u32 {
    lossless_but::<T>(name, fixture, |_| {})
}

/// As [`lossless`], for a body whose type documents that it drops something: `expected`
/// turns what was read into what must be written.
fn lossless_but<T: DeserializeOwned + Serialize>(
    name: &str,
    fixture: &str,
    expected: fn(&mut Value),
) -> u32 {
    let original: Value = serde_json::from_str(fixture).expect("the fixture is JSON");
    let accepted = Cell::new(0_u32);
    runner()
        .run(&mutations(), |mutations| {
            let mut document = original.clone();
            for (at, mutation) in &mutations {
                apply(&mut document, *at, mutation);
            }
            let text = serde_json::to_string(&document).expect("a JSON value encodes");
            let Ok(typed) = serde_json::from_str::<T>(&text) else {
                return Ok(());
            };
            accepted.set(accepted.get() + 1);
            let written = serde_json::to_string(&typed).expect("a read body writes");
            let value: Value = serde_json::from_str(&written).expect("written JSON reads");
            expected(&mut document);
            difference(&value, &document, "").map_err(|problem| {
                TestCaseError::fail(format!(
                    "{name}: {problem}\n  read: {text}\n  wrote: {written}"
                ))
            })?;
            let again: T = serde_json::from_str(&written)
                .map_err(|e| TestCaseError::fail(format!("{name}: its own output fails: {e}")))?;
            prop_assert_eq!(
                serde_json::to_string(&again).expect("writes"),
                written,
                "{}: read, write, read, write is stable",
                name
            );
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    let accepted = accepted.get();
    assert!(
        accepted >= CASES / 4,
        "{name}: only {accepted} of {CASES} mutated bodies were accepted; the property checks too little"
    );
    accepted
}

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_str!(concat!("fixtures/", $name)))
    };
}

#[test]
fn mutated_jobs_are_written_back_as_read() {
    for (name, body) in [
        fixture!("job-get-response.json"),
        fixture!("job-quarantined.json"),
        fixture!("job-create-response.json"),
    ] {
        lossless::<SynchronizationJob>(name, body);
    }
    let (name, body) = fixture!("jobs-list-response.json");
    lossless::<ODataCollection<SynchronizationJob>>(name, body);
}

#[test]
fn mutated_schemas_and_templates_are_written_back_as_read() {
    for (name, body) in [
        fixture!("schema-get-response.json"),
        fixture!("schema-get-documented-response.json"),
    ] {
        lossless::<SynchronizationSchema>(name, body);
    }
    let (name, body) = fixture!("template-get-response.json");
    lossless::<SynchronizationTemplate>(name, body);
    let (name, body) = fixture!("templates-list-response.json");
    lossless::<ODataCollection<SynchronizationTemplate>>(name, body);
}

#[test]
fn mutated_provisioning_results_and_events_are_written_back_as_read() {
    for (name, body) in [
        fixture!("provision-on-demand-response.json"),
        fixture!("provision-on-demand-ad-response.json"),
    ] {
        lossless::<ProvisionOnDemandResult>(name, body);
    }
    let (name, body) = fixture!("provisioning-event-every-property.json");
    lossless::<ProvisioningObjectSummary>(name, body);
    let (name, body) = fixture!("provisioning-list-response.json");
    lossless::<ODataCollection<ProvisioningObjectSummary>>(name, body);
}

/// Removes the OData annotations (`@…`) of an object.
fn drop_annotations(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|key, _| !key.starts_with('@'));
    }
}

/// Removes the annotations of each secret key/value pair in the array at `key`.
fn drop_pair_annotations(body: &mut Value, key: &str) {
    if let Some(Value::Array(pairs)) = body.get_mut(key) {
        pairs.iter_mut().for_each(drop_annotations);
    }
}

#[test]
fn mutated_secrets_and_synchronization_are_written_back_as_read() {
    // A secrets body is written by the user and sent, never read back from Graph: it ignores
    // OData annotations (`@odata.context`), in the body and in each pair, and refuses any
    // other unknown property.
    let (name, body) = fixture!("secrets-put-request.json");
    lossless_but::<Secrets>(name, body, |body| {
        drop_annotations(body);
        drop_pair_annotations(body, "value");
    });
    // The synchronization resource is read, never written to Graph; its `secrets` are the
    // same pairs, which ignore annotations. Everything else is kept.
    let (name, body) = fixture!("synchronization-get.json");
    lossless_but::<Synchronization>(name, body, |body| drop_pair_annotations(body, "secrets"));
}

#[test]
fn any_json_as_a_page_never_panics_and_what_reads_writes_back() {
    let strategy = (
        any_json(),
        prop::option::of(any_json()),
        prop::option::of(any_json()),
    );
    runner()
        .run(&strategy, |(items, next, count)| {
            let mut page = Map::new();
            page.insert(
                "value".to_owned(),
                match items {
                    Value::Array(items) => Value::Array(items),
                    other => Value::Array(vec![other]),
                },
            );
            if let Some(next) = next {
                page.insert("@odata.nextLink".to_owned(), next);
            }
            if let Some(count) = count {
                page.insert("@odata.count".to_owned(), count);
            }
            let page = Value::Object(page);
            let text = page.to_string();
            let _ = serde_json::from_str::<ODataCollection<SynchronizationJob>>(&text);
            if let Ok(read) = serde_json::from_str::<ODataCollection<Value>>(&text) {
                let written = serde_json::to_value(&read).expect("writes");
                difference(&written, &page, "").map_err(TestCaseError::fail)?;
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

/// What an error message must be: short and free of control characters.
fn short_and_printable(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        message.chars().count() <= 400,
        "{} characters",
        message.len()
    );
    prop_assert!(!message.chars().any(char::is_control), "{message:?}");
    Ok(())
}

fn duration_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "P[0-9]{1,25}W",
        "-?P[0-9]{0,3}[YMWDTHS.,]{0,6}[0-9]{0,3}",
        "P[0-9]{0,3}[\\x00-\\x1f]{50,120}",
        any::<String>().prop_map(|tail| format!("P1DT{}", tail.repeat(200))),
    ]
}

#[test]
fn durations_never_panic_keep_their_text_and_answer_short_errors() {
    let accepted = Cell::new(0_u32);
    runner()
        .run(&duration_text(), |text| {
            match IsoDuration::parse(&text) {
                Ok(duration) => {
                    accepted.set(accepted.get() + 1);
                    prop_assert_eq!(duration.as_str(), text.as_str());
                    let again = IsoDuration::parse(duration.as_str()).expect("its text parses");
                    prop_assert_eq!(again.as_std(), duration.as_std());
                    let written = serde_json::to_string(&duration).expect("writes");
                    prop_assert_eq!(written, serde_json::to_string(&text).expect("writes"));
                }
                Err(error) => short_and_printable(&error.to_string())?,
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(accepted.get() >= CASES / 16, "{} accepted", accepted.get());
}

/// A well-formed duration with numbers of any size (the network chooses them): days, hours,
/// minutes, seconds and a fraction, each maybe absent.
fn duration_parts() -> impl Strategy<Value = [Option<String>; 5]> {
    let number = || prop::option::of("0{0,3}[0-9]{1,22}");
    (
        number(),
        number(),
        number(),
        number(),
        prop::option::of("[0-9]{1,9}"),
    )
        .prop_map(|(d, h, m, s, f)| [d, h, m, s, f])
}

#[test]
fn well_formed_durations_read_as_their_exact_length_or_as_too_long() {
    runner()
        .run(
            &duration_parts(),
            |[days, hours, minutes, seconds, fraction]| {
                let mut text = String::from("P");
                let mut total: u128 = 0;
                let mut add =
                    |number: &Option<String>, unit: u128, designator: &str, text: &mut String| {
                        if let Some(number) = number {
                            total += number.parse::<u128>().expect("digits") * unit;
                            text.push_str(number);
                            text.push_str(designator);
                        }
                    };
                add(&days, 86_400, "D", &mut text);
                let seconds = seconds.or_else(|| fraction.as_ref().map(|_| "0".to_owned()));
                if hours.is_some() || minutes.is_some() || seconds.is_some() {
                    text.push('T');
                }
                add(&hours, 3_600, "H", &mut text);
                add(&minutes, 60, "M", &mut text);
                if let Some(seconds) = &seconds {
                    total += seconds.parse::<u128>().expect("digits");
                    text.push_str(seconds);
                    if let Some(fraction) = &fraction {
                        text.push('.');
                        text.push_str(fraction);
                    }
                    text.push('S');
                }
                let nanos = fraction.as_ref().map_or(0, |f| {
                    format!("{f:0<9}").parse::<u32>().expect("nine digits")
                });
                let parsed = IsoDuration::parse(&text);
                if text == "P" {
                    prop_assert!(parsed.is_err());
                } else if let Ok(secs) = u64::try_from(total) {
                    let duration =
                        parsed.map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                    prop_assert_eq!(duration.as_std(), Duration::new(secs, nanos), "{}", text);
                    prop_assert_eq!(duration.as_str(), text.as_str());
                } else {
                    let error = parsed
                        .err()
                        .ok_or_else(|| TestCaseError::fail(format!("{text} read")))?;
                    let message = error.to_string();
                    prop_assert!(
                        message.contains("too long") || message.contains("too large"),
                        "{}",
                        message
                    );
                    short_and_printable(&error.to_string())?;
                }
                Ok(())
            },
        )
        .unwrap_or_else(|failure| panic!("{failure}"));
}

#[test]
fn durations_made_from_any_std_duration_parse_back() {
    runner()
        .run(&(any::<u64>(), 0..1_000_000_000_u32), |(secs, nanos)| {
            let value = Duration::new(secs, nanos);
            let duration = IsoDuration::from(value);
            let again = IsoDuration::parse(duration.as_str()).expect("its text parses");
            prop_assert_eq!(again.as_std(), value, "{}", duration.as_str());
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

fn timestamp_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{4,6}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
        Just("0001-01-01T00:00:00Z".to_owned()),
        Just("9999-12-31T23:59:59.9999999Z".to_owned()),
    ]
}

#[test]
fn timestamps_never_panic_and_keep_their_text() {
    let accepted = Cell::new(0_u32);
    runner()
        .run(&timestamp_text(), |text| {
            match Timestamp::parse(&text) {
                Ok(timestamp) => {
                    accepted.set(accepted.get() + 1);
                    prop_assert_eq!(timestamp.as_str(), text.as_str());
                    let again = Timestamp::parse(timestamp.as_str()).expect("its text parses");
                    prop_assert_eq!(again.value(), timestamp.value());
                    let written = serde_json::to_string(&timestamp).expect("writes");
                    prop_assert_eq!(written, serde_json::to_string(&text).expect("writes"));
                }
                Err(error) => short_and_printable(&error.to_string())?,
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(accepted.get() >= CASES / 8, "{} accepted", accepted.get());
}

/// An accepted id is one URL path segment and its own text; a refused one has a short,
/// printable message.
fn check_id<T: std::fmt::Display, E: std::fmt::Display>(
    parsed: Result<T, E>,
) -> Result<bool, TestCaseError> {
    match parsed {
        Ok(id) => {
            let text = id.to_string();
            prop_assert!(!text.is_empty() && text != "." && text != "..", "{text:?}");
            prop_assert!(!text.contains(['/', '?', '#', '%', '\\']), "{text:?}");
            prop_assert!(!text.chars().any(char::is_control), "{text:?}");
            Ok(true)
        }
        Err(error) => {
            short_and_printable(&error.to_string())?;
            Ok(false)
        }
    }
}

fn id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[a-zA-Z0-9]{1,20}\\.[0-9a-f]{32}\\.[0-9a-f]{32}",
        "(appId|id)=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        "%2[eEfF]{1,3}",
        // Escaped, each control character takes six (`\u{12}`): the message must stay short.
        "[0-9a-f]{0,8}[\\x00-\\x1f]{50,120}",
        any::<String>().prop_map(|text| text.repeat(100)),
    ]
}

#[test]
fn ids_never_panic_are_one_path_segment_and_round_trip() {
    let accepted = Cell::new(0_u32);
    runner()
        .run(&id_text(), |text| {
            let mut any = false;
            any |= check_id(ServicePrincipalId::new(&text))?;
            any |= check_id(AppId::new(&text))?;
            any |= check_id(ApplicationObjectId::new(&text))?;
            any |= check_id(ApplicationTemplateId::new(&text))?;
            any |= check_id(TemplateId::new(&text))?;
            any |= check_id(DirectoryId::new(&text))?;
            if let Ok(job) = JobId::new(&text) {
                prop_assert_eq!(JobId::new(job.as_str()).ok(), Some(job.clone()));
            }
            any |= check_id(JobId::new(&text))?;
            match ServicePrincipalRef::parse(&text) {
                Ok(reference) => prop_assert_eq!(
                    ServicePrincipalRef::parse(&reference.to_string()).ok(),
                    Some(reference)
                ),
                Err(error) => short_and_printable(&error.to_string())?,
            }
            if any {
                accepted.set(accepted.get() + 1);
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(accepted.get() >= CASES / 8, "{} accepted", accepted.get());
}
