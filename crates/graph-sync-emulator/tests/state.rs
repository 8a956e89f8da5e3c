//! `--state FILE`: what one emulator changed over HTTP is there in the next one that opens the
//! file (service principals, secrets, jobs, app registrations with their roles, issued
//! tokens); the file is private and written whole; other files and versions are refused.

use graph_sync_emulator::Emulator;
use reqwest::StatusCode;
use serde_json::Value;

const APP: &str = "77777777-7777-4777-8777-777777777777";
const SECRET: &str = "state-secret-3318";

/// A private scratch folder, removed on drop.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("graph-sync-emulator-{name}-{}", uuid_like()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}

async fn json(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_restarted_emulator_has_what_the_last_one_was_told() {
    let scratch = Scratch::new("state");
    let path = scratch.0.join("state.json");
    let client = super::client();

    // First run: a new file.
    let first = Emulator::new();
    assert!(!first.open_state_file(&path).unwrap());
    let sp = first.register_service_principal("kept");
    first.add_template(&sp.id, Emulator::scim_template());
    first.register_app_with_secret(APP, SECRET);
    first.grant_roles(APP, ["Synchronization.ReadWrite.All"]);
    let running = first.start().await.unwrap();
    let token: Value = json(
        client
            .post(format!("{}/common/oauth2/v2.0/token", running.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&client_id={APP}&client_secret={SECRET}\
                 &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = token["access_token"].as_str().unwrap().to_owned();
    let sync = format!(
        "{}/servicePrincipals/{}/synchronization",
        running.graph_root(),
        sp.id
    );
    let put = client
        .put(format!("{sync}/secrets"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"value":[{"key":"SecretToken","value":"kept-token-41"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let created = client
        .post(format!("{sync}/jobs"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"templateId":"scim"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let job = json(created).await["id"].as_str().unwrap().to_owned();
    running.shutdown().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the state file holds secrets");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&scratch.0)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["state.json"], "no temporary file is left");

    // Second run: everything is back, the old token included.
    let second = Emulator::new();
    assert!(second.open_state_file(&path).unwrap());
    assert_eq!(second.service_principals(), vec![sp.clone()]);
    let stored = second.stored_secrets(&sp.id).unwrap();
    assert_eq!(stored.len(), 1);
    let running = second.start().await.unwrap();
    let sync = format!(
        "{}/servicePrincipals/{}/synchronization",
        running.graph_root(),
        sp.id
    );
    let got = client
        .get(format!("{sync}/jobs/{job}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.status(),
        StatusCode::OK,
        "the job and the token are kept"
    );
    let again = client
        .post(format!("{}/common/oauth2/v2.0/token", running.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={APP}&client_secret={SECRET}\
             &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "the app registration is kept"
    );
    let deleted = client
        .delete(format!("{sync}/jobs/{job}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    running.shutdown().await;

    // Third run: the deletion was kept too.
    let third = Emulator::new();
    assert!(third.open_state_file(&path).unwrap());
    assert!(
        third
            .job(&sp.id, &graph_sync_model::JobId::new(job.as_str()).unwrap())
            .is_none()
    );
    assert!(third.open_state_file(&path).is_err(), "only one state file");
}

#[test]
fn other_files_and_versions_are_refused_naming_the_file() {
    let scratch = Scratch::new("state-bad");
    let cases = [
        ("not json", "not a graph-sync-emulator state file"),
        (r#"{"format":"something-else","version":1}"#, "format"),
        (
            r#"{"format":"graph-sync-emulator-state","version":2}"#,
            "version Some(2); this emulator reads version 1",
        ),
        (
            r#"{"format":"graph-sync-emulator-state","version":1,"directory":5}"#,
            "cannot be read",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = scratch.0.join(format!("state-{i}.json"));
        std::fs::write(&path, text).unwrap();
        let error = Emulator::new()
            .open_state_file(&path)
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{text}: {error}");
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            *text,
            "left as it was"
        );
    }
}
