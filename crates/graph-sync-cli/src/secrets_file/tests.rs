//! Tests of parsing and resolving secrets files together.

use std::ffi::OsString;
use std::path::Path;

use graph_sync_api::model::{ExposeSecret, Secrets, SecretsError, SyncNotificationSettings};

use super::resolve::Resolved;
use super::*;

fn parse(text: &str, format: FileFormat) -> Result<SecretsFile, FileError> {
    SecretsFile::parse(text, format, ParseOptions::default())
}

fn resolve_with(
    file: SecretsFile,
    env: &[(&str, &str)],
    stdin: &[u8],
    base_dir: &Path,
) -> Result<Resolved, FileError> {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let lookup = move |name: &str| {
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| OsString::from(v))
    };
    let stdin = stdin.to_vec();
    let mut read_stdin = move || Ok(stdin.clone());
    file.resolve(&mut Sources {
        env: &lookup,
        stdin: &mut read_stdin,
        base_dir: base_dir.to_path_buf(),
    })
}

fn values(secrets: &Secrets) -> Vec<(String, String)> {
    secrets
        .iter()
        .map(|pair| {
            (
                pair.key().as_str().to_owned(),
                pair.value().expose_secret().to_owned(),
            )
        })
        .collect()
}

const TOML: &str = r#"
BaseAddress = "https://scim.example.com/scim/v2"
SecretToken = { env = "SCIM_TOKEN" }
SyncAll = false
Password = { stdin = true }

[SyncNotificationSettings]
Enabled = true
Recipients = ["ops@example.com", "oncall@example.com"]
DeleteThresholdEnabled = true
DeleteThresholdValue = 500
"#;

#[test]
fn toml_keeps_document_order_and_resolves_every_source() {
    let file = parse(TOML, FileFormat::Toml).unwrap();
    let keys: Vec<&str> = file.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "BaseAddress",
            "SecretToken",
            "SyncAll",
            "Password",
            "SyncNotificationSettings"
        ]
    );
    let resolved = resolve_with(
        file,
        &[("SCIM_TOKEN", "tok-1")],
        b"pass-word\n",
        Path::new("."),
    )
    .unwrap();
    let values = values(&resolved.secrets);
    assert_eq!(values[0].1, "https://scim.example.com/scim/v2");
    assert_eq!(values[1].1, "tok-1");
    assert_eq!(values[2].1, "false");
    assert_eq!(values[3].1, "pass-word", "one trailing newline is removed");
    let settings = SyncNotificationSettings::from_json(&values[4].1).unwrap();
    assert!(settings.enabled);
    assert_eq!(
        settings.recipients.as_deref(),
        Some("ops@example.com;oncall@example.com")
    );
    assert_eq!(settings.delete_threshold_value, Some(500));
}

#[test]
fn json_reads_the_same_shapes() {
    let text = r#"{
        "SyncAll": true,
        "BaseAddress": "https://scim.example.com/scim",
        "SecretToken": {"file": "token.txt"},
        "SyncNotificationSettings": {"Enabled": false}
    }"#;
    let file = parse(text, FileFormat::Json).unwrap();
    let keys: Vec<&str> = file.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "SyncAll",
            "BaseAddress",
            "SecretToken",
            "SyncNotificationSettings"
        ]
    );
    assert!(
        matches!(&file.entries()[2].source, ValueSource::File(p) if p == Path::new("token.txt"))
    );
}

#[test]
fn value_files_lose_one_trailing_line_ending_and_resolve_relative_to_the_file() {
    let dir = std::env::temp_dir().join(format!("gs-cli-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("crlf.txt"), "tok-crlf\r\n").unwrap();
    std::fs::write(dir.join("two.txt"), "line\n\n").unwrap();
    let file = parse(
        "SecretToken = { file = \"crlf.txt\" }\nSandbox = { file = \"two.txt\" }",
        FileFormat::Toml,
    )
    .unwrap();
    let resolved = resolve_with(file, &[], b"", &dir).unwrap();
    let values = values(&resolved.secrets);
    assert_eq!(values[0].1, "tok-crlf");
    assert_eq!(values[1].1, "line\n", "only one line ending is removed");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_keys_are_refused_with_a_suggestion() {
    let error = parse("baseaddress = \"https://x.example\"", FileFormat::Toml).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("documented spelling is `BaseAddress`"),
        "{error}"
    );
    let error = parse("SecretTokn = \"x\"", FileFormat::Toml).unwrap_err();
    assert!(
        error.to_string().contains("did you mean `SecretToken`"),
        "{error}"
    );
    let error = parse("Zzzzzzzzzzzz = \"x\"", FileFormat::Toml).unwrap_err();
    assert!(
        error.to_string().contains("--allow-unknown-keys"),
        "{error}"
    );

    let allowed = SecretsFile::parse(
        "NewKeyFromGraph = \"x\"",
        FileFormat::Toml,
        ParseOptions {
            allow_unknown_keys: true,
        },
    )
    .unwrap();
    assert_eq!(allowed.entries()[0].key.as_str(), "NewKeyFromGraph");
    // A miscapitalised documented key stays refused even then.
    assert!(
        SecretsFile::parse(
            "secrettoken = \"x\"",
            FileFormat::Toml,
            ParseOptions {
                allow_unknown_keys: true
            }
        )
        .is_err()
    );
}

#[test]
fn malformed_files_report_a_position_without_quoting_the_input() {
    let canary = "CANARY-s3cr3t-VALUE";
    let toml = format!("SecretToken = \"{canary}\nSyncAll = false\n");
    let error = parse(&toml, FileFormat::Toml).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, FileError::Syntax { line: 1, .. }), "{text}");
    assert!(!text.contains(canary), "{text}");

    let json = format!("{{\"SecretToken\": \"{canary}\" \"SyncAll\": true}}");
    let error = parse(&json, FileFormat::Json).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, FileError::Syntax { line: 1, .. }), "{text}");
    assert!(!text.contains(canary), "{text}");

    let error = parse(&format!("[\"{canary}\"]"), FileFormat::Json).unwrap_err();
    assert!(!error.to_string().contains(canary));
    for json in [
        format!("\"{canary}\""),
        "42".to_owned(),
        "true".to_owned(),
        "null".to_owned(),
    ] {
        let error = parse(&json, FileFormat::Json).unwrap_err().to_string();
        assert!(!error.contains(canary), "{error}");
        assert!(error.contains("must map secret keys to values"), "{error}");
    }
    assert!(matches!(parse("", FileFormat::Toml), Err(FileError::Empty)));
    assert!(matches!(
        parse("{}", FileFormat::Json),
        Err(FileError::Empty)
    ));
}

#[test]
fn values_of_the_wrong_shape_are_refused() {
    for (text, expected) in [
        ("SecretToken = 42", "a number"),
        ("SecretToken = [\"a\"]", "an array"),
        ("SecretToken = 1979-05-27T07:32:00Z", "a date-time"),
        (
            "SecretToken = { env = \"A\", file = \"b\" }",
            "more than one source",
        ),
        ("SecretToken = { stdin = false }", "must be `true`"),
        (
            "SecretToken = { env = 3 }",
            "name of an environment variable",
        ),
        (
            "SecretToken = { nope = 1 }",
            "only SyncNotificationSettings",
        ),
        (
            "[SyncNotificationSettings]\nenabled = true",
            "did you mean `Enabled`",
        ),
        (
            "[SyncNotificationSettings]\nEnabled = \"yes\"",
            "true or false",
        ),
        (
            "[SyncNotificationSettings]\nEnabled = true",
            "no Recipients",
        ),
        (
            "[SyncNotificationSettings]\nDeleteThresholdValue = -1",
            "whole number",
        ),
    ] {
        let error = parse(text, FileFormat::Toml).unwrap_err().to_string();
        assert!(error.contains(expected), "{text:?}: {error}");
    }
    let error = parse(r#"{"SyncAll": null}"#, FileFormat::Json).unwrap_err();
    assert!(error.to_string().contains("null"), "{error}");
    let error = parse(r#"{"SyncAll": true, "SyncAll": false}"#, FileFormat::Json).unwrap_err();
    assert!(matches!(error, FileError::DuplicateKey(_)), "{error}");
}

#[test]
fn at_most_one_key_reads_stdin() {
    let error = parse(
        "SecretToken = { stdin = true }\nPassword = { stdin = true }",
        FileFormat::Toml,
    )
    .unwrap_err();
    assert!(matches!(error, FileError::TwoStdin { .. }), "{error}");
}

#[test]
fn resolving_names_the_missing_source_and_never_the_value() {
    let file = parse(
        "SecretToken = { env = \"NOT_SET_ANYWHERE\" }",
        FileFormat::Toml,
    )
    .unwrap();
    let error = resolve_with(file, &[], b"", Path::new(".")).unwrap_err();
    assert!(error.to_string().contains("NOT_SET_ANYWHERE"), "{error}");
    assert!(error.to_string().contains("is not set"), "{error}");

    let file = parse("SecretToken = { stdin = true }", FileFormat::Toml).unwrap();
    let error = resolve_with(file, &[], &[0xff, 0xfe], Path::new(".")).unwrap_err();
    assert!(matches!(error, FileError::Stdin { .. }), "{error}");

    let file = parse("SecretToken = { file = \"missing.txt\" }", FileFormat::Toml).unwrap();
    let error = resolve_with(file, &[], b"", Path::new("/nonexistent-dir")).unwrap_err();
    assert!(error.to_string().contains("missing.txt"), "{error}");

    // The model's check runs on resolved values: a token with a line break inside.
    let canary = "CANARY-line1\nline2";
    let file = parse("SecretToken = { env = \"T\" }", FileFormat::Toml).unwrap();
    let error = resolve_with(file, &[("T", canary)], b"", Path::new(".")).unwrap_err();
    assert!(error.to_string().contains("single line"), "{error}");
    assert!(!error.to_string().contains("CANARY"), "{error}");
    let file = parse("BaseAddress = \"*\"", FileFormat::Toml).unwrap();
    assert!(matches!(
        resolve_with(file, &[], b"", Path::new(".")),
        Err(FileError::Value(SecretsError::Masked { .. }))
    ));
}

#[test]
fn formats_follow_the_extension() {
    assert_eq!(
        FileFormat::from_path(Path::new("a.toml")),
        Some(FileFormat::Toml)
    );
    assert_eq!(
        FileFormat::from_path(Path::new("a.JSON")),
        Some(FileFormat::Json)
    );
    assert_eq!(FileFormat::from_path(Path::new("a.txt")), None);
    assert_eq!(FileFormat::from_path(Path::new("secrets")), None);
}
