//! Wire-format tests of graph-sync-model: the documented payloads round-trip byte for byte,
//! every key survives, unknown keys come back unchanged, and malformed bodies are refused
//! with errors that name the problem.

#![allow(
    clippy::unwrap_used,
    reason = "a test that meets an unexpected error should fail loudly"
)]

use graph_sync_model::{
    ExposeSecret, ODataError, Property, SecretKey, SecretKeyValue, SecretString, Secrets,
    SecretsError, Synchronization,
};

mod catalogue;
mod properties;
mod wire;

const DOCUMENTED_PUT: &str = include_str!("fixtures/secrets-put-request.json");
const SYNCHRONIZATION_GET: &str = include_str!("fixtures/synchronization-get.json");

fn compact(json: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(json).unwrap()).unwrap()
}

#[test]
fn the_documented_put_body_round_trips_byte_for_byte() {
    let secrets: Secrets = serde_json::from_str(DOCUMENTED_PUT).unwrap();
    secrets.validate_for_put().unwrap();
    assert_eq!(
        secrets.keys().map(SecretKey::as_str).collect::<Vec<_>>(),
        [
            "BaseAddress",
            "SecretToken",
            "SyncNotificationSettings",
            "SyncAll"
        ]
    );
    assert_eq!(
        serde_json::to_string(&secrets).unwrap(),
        DOCUMENTED_PUT.trim_end()
    );
}

#[test]
fn the_body_is_value_never_credentials() {
    let secrets = Secrets::new().with(SecretKey::SyncAll, true).unwrap();
    let json = serde_json::to_value(&secrets).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"value":[{"key":"SyncAll","value":"true"}]})
    );
    let err =
        serde_json::from_str::<Secrets>(r#"{"credentials":[{"key":"SyncAll","value":"true"}]}"#)
            .unwrap_err();
    assert!(
        err.to_string().contains("unknown property `credentials`"),
        "{err}"
    );
}

#[test]
fn every_documented_key_round_trips() {
    for key in SecretKey::ALL {
        let value = match key.kind() {
            graph_sync_model::SecretValueKind::Boolean => "false".to_owned(),
            graph_sync_model::SecretValueKind::Url => "https://example.com/x".to_owned(),
            graph_sync_model::SecretValueKind::Json => {
                r#"{"Enabled":false,"DeleteThresholdEnabled":false}"#.to_owned()
            }
            _ => format!("value of {key}"),
        };
        let secrets = Secrets::new().with(key.clone(), value.as_str()).unwrap();
        let json = serde_json::to_string(&secrets).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"value":[{"key":key.as_str(),"value":value}]}).to_string()
        );
        let back: Secrets = serde_json::from_str(&json).unwrap();
        assert_eq!(back.keys().next(), Some(key));
        assert_eq!(back.get(key).unwrap().expose_secret(), value);
    }
}

#[test]
fn an_unknown_key_round_trips_unchanged() {
    let body = r#"{"value":[{"key":"QuantumEntanglementKey","value":"v"},{"key":"SyncAll","value":"True"}]}"#;
    let secrets: Secrets = serde_json::from_str(body).unwrap();
    let key = secrets.keys().next().unwrap();
    assert!(matches!(key, SecretKey::Other(_)));
    assert_eq!(key.as_str(), "QuantumEntanglementKey");
    secrets.validate_for_put().unwrap();
    assert_eq!(serde_json::to_string(&secrets).unwrap(), body);
}

#[test]
fn order_is_kept_and_duplicates_are_refused() {
    let keys = [
        SecretKey::SyncAll,
        SecretKey::BaseAddress,
        SecretKey::SecretToken,
        SecretKey::UserName,
    ];
    let mut secrets = Secrets::new();
    for key in &keys {
        let value = if *key == SecretKey::BaseAddress {
            "https://a.example"
        } else {
            "true"
        };
        secrets.insert(key.clone(), value).unwrap();
    }
    assert!(secrets.keys().eq(keys.iter()));
    let duplicate =
        r#"{"value":[{"key":"SyncAll","value":"true"},{"key":"SyncAll","value":"false"}]}"#;
    let err = serde_json::from_str::<Secrets>(duplicate).unwrap_err();
    assert!(
        err.to_string()
            .contains("secret key `SyncAll` appears more than once"),
        "{err}"
    );
    let pairs = [
        SecretKeyValue::new(SecretKey::UserName, "a"),
        SecretKeyValue::new(SecretKey::UserName, "b"),
    ];
    assert_eq!(
        Secrets::try_from_pairs(pairs).unwrap_err(),
        SecretsError::DuplicateKey {
            key: SecretKey::UserName
        }
    );
}

#[test]
fn malformed_bodies_are_refused_with_a_reason() {
    let cases = [
        (r#"[{"key":"SyncAll","value":"true"}]"#, "bare array"),
        (r#"{}"#, "missing field `value`"),
        (
            r#"{"value":{}}"#,
            "must be an array of secrets, found an object",
        ),
        (r#"{"value":[{"key":"SyncAll"}]}"#, "missing field `value`"),
        (
            r#"{"value":[{"key":"SyncAll","value":1}]}"#,
            "must be a string, found a number",
        ),
        (
            r#"{"value":[{"key":"SyncAll","value":"true","extra":1}]}"#,
            "unknown field `extra`",
        ),
        (r#"{"value":[{"key":"","value":"x"}]}"#, "is empty"),
        (r#"{"value":[],"value":[]}"#, "duplicate field"),
    ];
    for (body, expected) in cases {
        let err = serde_json::from_str::<Secrets>(body).unwrap_err();
        assert!(err.to_string().contains(expected), "{body}: {err}");
    }
    // OData annotations are not shapes of their own.
    let annotated = r##"{"@odata.context":"x","value":[{"@odata.type":"#microsoft.graph.synchronizationSecretKeyStringValuePair","key":"SyncAll","value":"true"}]}"##;
    assert_eq!(serde_json::from_str::<Secrets>(annotated).unwrap().len(), 1);
}

#[test]
fn the_synchronization_resource_reads_masked_secrets_and_keeps_unknown_properties() {
    let sync: Synchronization = serde_json::from_str(SYNCHRONIZATION_GET).unwrap();
    assert_eq!(
        sync.id.as_deref(),
        Some("3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6")
    );
    assert_eq!(sync.secrets.get().unwrap().len(), 4);
    assert!(
        sync.secrets
            .get()
            .unwrap()
            .iter()
            .all(SecretKeyValue::is_masked)
    );
    assert!(matches!(
        sync.secrets.get().unwrap().validate_for_put(),
        Err(SecretsError::Masked { .. })
    ));
    assert_eq!(
        compact(&serde_json::to_string(&sync).unwrap()),
        compact(SYNCHRONIZATION_GET)
    );
}

#[test]
fn secret_values_never_show_in_debug() {
    let canary = "CANARY-model-91d2";
    let secrets = Secrets::new()
        .with(SecretKey::SecretToken, SecretString::from(canary))
        .unwrap();
    let mut sync = Synchronization::default();
    sync.secrets = Property::Value(secrets.clone());
    for text in [
        format!("{secrets:?}"),
        format!("{sync:?}"),
        format!("{:?}", secrets.iter().next().unwrap()),
    ] {
        assert!(!text.contains(canary), "{text}");
        assert!(text.contains("SecretToken"), "{text}");
    }
    // secrecy's redaction marker, pinned so an upgrade that changes it is noticed.
    assert_eq!(
        format!("{:?}", SecretString::from(canary)),
        "SecretBox<str>([REDACTED])"
    );
}

#[test]
fn odata_errors_round_trip() {
    let body = r#"{"error":{"code":"BadRequest","message":"m","target":"t","details":[{"code":"c","message":"d","target":"x"}],"innerError":{"code":"inner","request-id":"r","client-request-id":"c","date":"2026-11-22T10:00:00","status":"400","innerError":{"code":"deeper"}}}}"#;
    let error = ODataError::from_slice(body.as_bytes()).unwrap();
    assert_eq!(
        compact(&serde_json::to_string(&error).unwrap()),
        compact(body)
    );
    assert_eq!(
        error.error.inner_error.unwrap().innermost_code(),
        Some("deeper")
    );
}

#[test]
fn deserialization_errors_never_quote_a_value() {
    let canary = "CANARY-de-5e1b";
    for body in [
        format!(r#"{{"value":"{canary}"}}"#),
        format!(r#"{{"value":["{canary}"]}}"#),
        format!(r#"{{"value":[{{"key":"SecretToken","value":["{canary}"]}}]}}"#),
        format!(r#"{{"value":[{{"key":"SecretToken","value":{{"v":"{canary}"}}}}]}}"#),
        format!(r#""{canary}""#),
        r#"{"value":[{"key":"SecretToken","value":123456789}]}"#.to_owned(),
        r#"{"value":[{"key":"SecretToken","value":true}]}"#.to_owned(),
    ] {
        let err = serde_json::from_str::<Secrets>(&body)
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains(canary) && !err.contains("123456789"),
            "{body}: {err}"
        );
        assert!(err.contains("line 1"), "errors keep their position: {err}");
    }
}

#[test]
fn apply_merges_the_way_the_service_does() {
    let mut saved: Secrets = serde_json::from_str(
        r#"{"value":[{"key":"BaseAddress","value":"https://a"},{"key":"SecretToken","value":"t1"},{"key":"SyncAll","value":"true"}]}"#,
    )
    .unwrap();
    let update: Secrets = serde_json::from_str(
        r#"{"value":[{"key":"SecretToken","value":""},{"key":"Password","value":"p"},{"key":"BaseAddress","value":"https://b"},{"key":"UserName","value":""}]}"#,
    )
    .unwrap();
    saved.apply(&update);
    let listing: Vec<(&str, &str)> = saved
        .iter()
        .map(|p| (p.key().as_str(), p.value().expose_secret()))
        .collect();
    assert_eq!(
        listing,
        [
            ("BaseAddress", "https://b"),
            ("SyncAll", "true"),
            ("Password", "p")
        ]
    );
    assert_eq!(
        saved.remove(&SecretKey::SyncAll).map(|p| p.key().clone()),
        Some(SecretKey::SyncAll)
    );
    assert!(saved.remove(&SecretKey::SyncAll).is_none());
}
