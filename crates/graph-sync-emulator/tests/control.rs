//! The control API over HTTP only: every setting, scripted answer and fault is arranged with
//! `/_emulator/…` requests and checked by what a client sees and by the request log read back
//! as JSON. The emulator is started in-process (or as its own binary), and the only Rust call
//! into it is to learn the admin token and the Graph token, as a banner would tell them.

use std::process::Stdio;
use std::time::Duration;

use graph_sync_emulator::{Emulator, RunningEmulator};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

const CANARY: &str = "control-canary-SECRET-6671";
const APP: &str = "c0c0c0c0-1111-2222-3333-444444444444";
const APP_SECRET: &str = "control-app-secret-9043";

/// A running emulator, a Graph token, one service principal, and the admin token.
struct Rig {
    running: RunningEmulator,
    client: reqwest::Client,
    admin: String,
    token: String,
    sp: String,
}

async fn rig() -> Rig {
    let emulator = Emulator::new();
    let sp = emulator
        .register_service_principal("control")
        .id
        .to_string();
    emulator.register_app_with_secret(APP, APP_SECRET);
    let token = emulator.issue_token();
    let admin = emulator.admin_token().to_owned();
    let running = emulator.start().await.unwrap();
    Rig {
        running,
        client: super::client(),
        admin,
        token,
        sp,
    }
}

/// A response, fully read; a body that is not JSON is `Value::Null`.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    json: Value,
}

impl Rig {
    fn base(&self) -> String {
        self.running.base_url()
    }

    fn secrets_url(&self) -> String {
        format!(
            "{}/servicePrincipals/{}/synchronization/secrets",
            self.running.graph_root(),
            self.sp
        )
    }

    fn sync_url(&self) -> String {
        format!(
            "{}/servicePrincipals/{}/synchronization",
            self.running.graph_root(),
            self.sp
        )
    }

    /// A control API call with the admin token.
    async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}/_emulator{path}", self.base()))
            .bearer_auth(&self.admin);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        read(request.send().await.unwrap()).await
    }

    /// A Graph call with the Graph token; `Err` when the connection broke.
    async fn graph(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .client
            .request(method, url)
            .bearer_auth(&self.token)
            .header("client-request-id", "control-test-1");
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        Ok(Answer {
            status,
            headers,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }

    async fn put_secret(&self) -> Result<Answer, reqwest::Error> {
        let body = json!({"value": [{"key": "SecretToken", "value": CANARY}]}).to_string();
        self.graph(Method::PUT, &self.secrets_url(), Some(&body))
            .await
    }

    async fn log(&self) -> Vec<Value> {
        let answer = self.control(Method::GET, "/log", None).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
        answer.json["requests"].as_array().unwrap().clone()
    }
}

/// A client-credentials token request for the registered app.
fn token_form() -> String {
    format!(
        "grant_type=client_credentials&client_id={APP}&client_secret={APP_SECRET}\
         &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
    )
}

async fn read(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    Answer {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

#[tokio::test]
async fn the_openapi_description_lists_exactly_the_routes_that_answer() {
    let rig = rig().await;
    let described = rig.control(Method::GET, "/openapi.json", None).await;
    assert_eq!(described.status, StatusCode::OK);
    let file: Value = serde_json::from_str(include_str!("../src/control/openapi.json")).unwrap();
    assert_eq!(described.json, file, "the served description is the file");
    let paths = file["paths"].as_object().unwrap();
    assert!(paths.len() >= 7, "{paths:?}");
    let methods = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
    ];
    for (path, operations) in paths {
        let path = path.strip_prefix("/_emulator").expect("under /_emulator");
        for method in &methods {
            let listed = operations
                .get(method.as_str().to_ascii_lowercase())
                .is_some();
            let answer = rig.control(method.clone(), path, None).await;
            if listed {
                assert!(
                    ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED]
                        .contains(&answer.status),
                    "{method} {path} is described but answers {}",
                    answer.status
                );
                let documented = operations[method.as_str().to_ascii_lowercase()]["responses"]
                    .as_object()
                    .unwrap();
                assert!(
                    documented.contains_key(answer.status.as_str()),
                    "{method} {path} answered {}, not among {:?}",
                    answer.status,
                    documented.keys().collect::<Vec<_>>()
                );
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not described but answers"
                );
            }
        }
    }
    let unknown = rig.control(Method::GET, "/nothing-here", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json["error"]["code"], "NotFound");
}

#[tokio::test]
async fn the_control_api_needs_the_admin_token_and_only_it() {
    let rig = rig().await;
    let url = format!("{}/_emulator/settings", rig.base());
    let none = read(rig.client.get(&url).send().await.unwrap()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.headers.contains_key("www-authenticate"));
    let graph_token = read(
        rig.client
            .get(&url)
            .bearer_auth(&rig.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(graph_token.status, StatusCode::UNAUTHORIZED);
    // The admin token is no Graph token.
    let graph_with_admin = read(
        rig.client
            .get(rig.sync_url())
            .bearer_auth(&rig.admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(graph_with_admin.status, StatusCode::UNAUTHORIZED);
    // Control requests are not logged; the refused Graph request is.
    let log = rig.log().await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0]["status"], 401);
}

#[tokio::test]
async fn every_scripted_answer_and_fault_reaches_the_client_and_the_log() {
    let rig = rig().await;
    let script = json!({
        "method": "PUT",
        "path": "*/synchronization/secrets",
        "answers": [
            {"status": 429, "headers": {"Retry-After": "0.25"}},
            {"fault": "503:1.5"},
            {"fault": "503"},
            {"fault": "504"},
            {"fault": "reset"},
            {"fault": "reset-after-read"},
            {"fault": "slow:1"},
            {"fault": "truncate"},
            {"status": 200, "body": {"scripted": true}, "headers": {"x-scripted": "yes"}},
            {"status": 202, "body_text": "plain"},
        ]
    });
    let queued = rig.control(Method::POST, "/script", Some(script)).await;
    assert_eq!(queued.status, StatusCode::CREATED, "{:?}", queued.json);
    assert_eq!(queued.json["queued"], 10);

    // A request to another route is not scripted.
    let other = rig.graph(Method::GET, &rig.sync_url(), None).await.unwrap();
    assert_eq!(other.status, StatusCode::OK);

    let throttled = rig.put_secret().await.unwrap();
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers["retry-after"], "0.25");
    assert_eq!(throttled.json["error"]["code"], "TooManyRequests");
    assert_eq!(throttled.headers["client-request-id"], "control-test-1");

    let unavailable = rig.put_secret().await.unwrap();
    assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(unavailable.headers["retry-after"], "1.5");
    let bare = rig.put_secret().await.unwrap();
    assert_eq!(bare.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!bare.headers.contains_key("retry-after"));
    assert_eq!(
        rig.put_secret().await.unwrap().status,
        StatusCode::GATEWAY_TIMEOUT
    );
    assert!(rig.put_secret().await.is_err(), "reset before read");
    assert!(rig.put_secret().await.is_err(), "reset after read");
    assert_eq!(
        rig.put_secret().await.unwrap().status,
        StatusCode::NO_CONTENT,
        "slow, then handled"
    );
    assert!(rig.put_secret().await.is_err(), "truncated body");
    let canned = rig.put_secret().await.unwrap();
    assert_eq!(canned.status, StatusCode::OK);
    assert_eq!(canned.json, json!({"scripted": true}));
    assert_eq!(canned.headers["x-scripted"], "yes");
    let text = rig.put_secret().await.unwrap();
    assert_eq!(text.status, StatusCode::ACCEPTED);
    assert!(
        text.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    // The script is used up: the next PUT is handled.
    assert_eq!(
        rig.put_secret().await.unwrap().status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        rig.control(Method::GET, "/script", None).await.json["pending"],
        0
    );

    let log = rig.log().await;
    let puts: Vec<&Value> = log.iter().filter(|e| e["method"] == "PUT").collect();
    let seen: Vec<(Value, Value, Value, Value)> = puts
        .iter()
        .map(|e| {
            (
                e["status"].clone(),
                e["fault"].clone(),
                e["scripted"].clone(),
                e["reached_handler"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (json!(429), Value::Null, json!(true), json!(false)),
            (json!(503), json!("503:1.5"), json!(true), json!(false)),
            (json!(503), json!("503"), json!(true), json!(false)),
            (json!(504), json!("504"), json!(true), json!(false)),
            (json!(500), json!("reset"), json!(true), json!(false)),
            (
                json!(204),
                json!("reset-after-read"),
                json!(true),
                json!(true)
            ),
            (json!(204), json!("slow:1"), json!(true), json!(true)),
            (json!(200), json!("truncate"), json!(true), json!(true)),
            (json!(200), Value::Null, json!(true), json!(false)),
            (json!(202), Value::Null, json!(true), json!(false)),
            (json!(204), Value::Null, json!(false), json!(true)),
        ]
    );
    let counters = rig.control(Method::GET, "/counters", None).await.json;
    assert_eq!(counters["requests"], 12);
    assert_eq!(counters["scripted"], 10);
    assert_eq!(counters["status_429"], 1);
    assert_eq!(
        counters["throttled"], 0,
        "a scripted 429 is not the throttle's"
    );
    assert_eq!(
        counters["faults"],
        json!({"503": 2, "504": 1, "reset": 1, "reset-after-read": 1, "slow": 1, "truncate": 1})
    );
}

#[tokio::test]
async fn the_log_shows_what_was_sent_with_every_secret_redacted() {
    let rig = rig().await;
    assert_eq!(
        rig.put_secret().await.unwrap().status,
        StatusCode::NO_CONTENT
    );
    // The stored value, sent again where it is no secret pair: in a query.
    let query_url = format!("{}?$select=id&probe={CANARY}", rig.sync_url());
    rig.graph(Method::GET, &query_url, None).await.unwrap();
    // A token request with a client secret.
    let token = rig
        .client
        .post(format!("{}/tenant/oauth2/v2.0/token", rig.base()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(token_form())
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);

    let log = rig.log().await;
    let text = serde_json::to_string(&log).unwrap();
    for secret in [CANARY, APP_SECRET, rig.token.as_str()] {
        assert!(!text.contains(secret), "the log shows a secret: {text}");
    }
    let put = &log[0];
    assert_eq!(put["method"], "PUT");
    assert_eq!(
        put["path"],
        format!("/v1.0/servicePrincipals/{}/synchronization/secrets", rig.sp)
    );
    assert_eq!(put["query"], Value::Null);
    assert_eq!(put["headers"]["authorization"], "[REDACTED]");
    assert_eq!(put["headers"]["content-type"], "application/json");
    assert_eq!(put["client_request_id"], "control-test-1");
    assert_eq!(
        put["body"],
        json!({"value": [{"key": "SecretToken", "value": "[REDACTED]"}]})
    );
    assert_eq!(put["status"], 204);
    assert_eq!(put["operation"], "secrets.put");
    assert!(put["duration_ms"].as_f64().unwrap() >= 0.0);
    let received = put["received_at"].as_str().unwrap();
    assert_eq!(
        received.len(),
        "2026-11-29T09:00:00.000Z".len(),
        "{received}"
    );
    assert!(put["request_id"].as_str().unwrap().len() == 36);

    assert_eq!(log[1]["query"], "$select=id&probe=[REDACTED]");
    assert_eq!(log[1]["seq"], 1);
    assert!(
        log[2]["body"]
            .as_str()
            .unwrap()
            .contains("client_secret=[REDACTED]"),
        "{:?}",
        log[2]["body"]
    );

    // Paging: only what came after.
    let after = rig.control(Method::GET, "/log?since=2", None).await.json;
    assert_eq!(after["requests"].as_array().unwrap().len(), 1);
    assert_eq!(after["next"], 3);
    assert_eq!(after["total"], 3);
    let bad = rig.control(Method::GET, "/log?since=x", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        rig.control(Method::DELETE, "/log", None).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(rig.log().await.is_empty());
}

#[tokio::test]
async fn settings_change_at_run_time_and_are_refused_when_malformed() {
    let rig = rig().await;
    let set = rig
        .control(
            Method::PATCH,
            "/settings",
            Some(json!({"throttle": {"rate": 0.001, "burst": 1}})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.json);
    assert_eq!(
        set.json["throttle"],
        json!({"rate": 0.001, "burst": 1.0, "per": "client"})
    );
    assert_eq!(
        rig.put_secret().await.unwrap().status,
        StatusCode::NO_CONTENT
    );
    let throttled = rig.put_secret().await.unwrap();
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers.contains_key("retry-after"));

    // Throttle off; every POST gets a 504, nothing else does.
    let set = rig
        .control(
            Method::PATCH,
            "/settings",
            Some(json!({
                "throttle": null,
                "faults": {"rate": 1, "seed": 5, "kinds": ["504"]},
                "latency": {"min_ms": 1, "max_ms": 1},
                "only": {"methods": ["POST"]}
            })),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.json);
    assert_eq!(set.json["faults"]["seed"], 5);
    assert_eq!(
        rig.put_secret().await.unwrap().status,
        StatusCode::NO_CONTENT
    );
    let post = rig
        .graph(
            Method::POST,
            &format!("{}/jobs/validateCredentials", rig.sync_url()),
            Some("{}"),
        )
        .await
        .unwrap();
    assert_eq!(post.status, StatusCode::GATEWAY_TIMEOUT);
    let log = rig.log().await;
    let last = log.last().unwrap();
    assert_eq!(last["fault"], "504");
    assert!(last["duration_ms"].as_f64().unwrap() >= 1.0, "{last}");
    let counters = rig.control(Method::GET, "/counters", None).await.json;
    assert_eq!(counters["throttled"], 1);
    assert_eq!(counters["faults"], json!({"504": 1}));

    for bad in [
        json!({"throttle": {"rate": -1}}),
        json!({"throttle": {"rate": 5, "burst": 0}}),
        json!({"faults": {"rate": 1.5}}),
        json!({"faults": {"rate": 0.5, "kinds": ["507"]}}),
        json!({"latency": {"min_ms": 5, "max_ms": 1}}),
        json!({"only": {"methods": ["P O S T"]}}),
        json!({"thrtotle": null}),
        json!([1, 2]),
    ] {
        let refused = rig
            .control(Method::PATCH, "/settings", Some(bad.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            !refused.json["error"]["message"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{bad}"
        );
    }
    // Refused changes changed nothing.
    let now = rig.control(Method::GET, "/settings", None).await.json;
    assert_eq!(now["faults"]["kinds"], json!(["504"]));
    assert_eq!(
        rig.control(Method::DELETE, "/settings", None).await.status,
        StatusCode::NO_CONTENT
    );
    let off = rig.control(Method::GET, "/settings", None).await.json;
    assert_eq!(
        off,
        json!({"throttle": null, "faults": null, "latency": null, "only": {}})
    );
    // A PUT replaces everything.
    let put = rig
        .control(
            Method::PUT,
            "/settings",
            Some(json!({"faults": {"rate": 0}})),
        )
        .await;
    assert_eq!(put.json["faults"]["kinds"], json!(["503", "504", "reset"]));
    assert_eq!(put.json["throttle"], Value::Null);

    for bad in [
        json!({"answers": []}),
        json!({"answers": [{"status": 99}]}),
        json!({"answers": [{"status": 200, "fault": "504"}]}),
        json!({"answers": [{"fault": "meteor"}]}),
        json!({"answers": [{"status": 200, "headers": {"bad name": "x"}}]}),
        json!({"answers": [{"status": 200}], "times": 100_000}),
        json!({"method": "", "answers": [{"status": 200}]}),
    ] {
        let refused = rig
            .control(Method::POST, "/script", Some(bad.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// Graph throttles per application per tenant. Told to, the emulator gives every token issued
/// to one application (here two from the token endpoint, as two processes sharing an app
/// registration get them) one bucket; a token issued to no application keeps its own. The
/// buckets refill in 1,000 s, so no timing is involved.
#[tokio::test]
async fn tokens_of_one_application_share_its_bucket_when_the_throttle_is_per_application() {
    let rig = rig().await;
    let issue = || async {
        let answer = read(
            rig.client
                .post(format!("{}/tenant/oauth2/v2.0/token", rig.base()))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(token_form())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
        answer.json["access_token"].as_str().unwrap().to_owned()
    };
    let (first, second) = (issue().await, issue().await);
    assert_ne!(first, second);
    let body = json!({"value": [{"key": "SecretToken", "value": CANARY}]}).to_string();
    let put = |token: &str| {
        let request = rig
            .client
            .put(rig.secrets_url())
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.clone());
        async move { request.send().await.unwrap().status() }
    };
    let throttle = |settings: Value| rig.control(Method::PATCH, "/settings", Some(settings));

    // Per client (the default): each token has a bucket of its own.
    let set = throttle(json!({"throttle": {"rate": 0.001, "burst": 1}})).await;
    assert_eq!(set.json["throttle"]["per"], "client", "{:?}", set.json);
    assert_eq!(put(&first).await, StatusCode::NO_CONTENT);
    assert_eq!(put(&second).await, StatusCode::NO_CONTENT);
    assert_eq!(put(&first).await, StatusCode::TOO_MANY_REQUESTS);

    // Per application: the two tokens share the application's bucket of 2.
    let set =
        throttle(json!({"throttle": {"rate": 0.001, "burst": 2, "per": "application"}})).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.json);
    assert_eq!(set.json["throttle"]["per"], "application");
    assert_eq!(put(&first).await, StatusCode::NO_CONTENT);
    assert_eq!(put(&second).await, StatusCode::NO_CONTENT);
    assert_eq!(put(&second).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(put(&first).await, StatusCode::TOO_MANY_REQUESTS);
    // A token issued to no application is a client of its own.
    assert_eq!(put(&rig.token).await, StatusCode::NO_CONTENT);
    let counters = rig.control(Method::GET, "/counters", None).await.json;
    assert_eq!(counters["throttled"], 3, "{counters}");

    let refused = throttle(json!({"throttle": {"rate": 1, "per": "tenant"}})).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        refused.json
    );
}

#[tokio::test]
async fn the_clock_moves_token_expiry_and_a_reset_puts_everything_back() {
    let rig = rig().await;
    let token = read(
        rig.client
            .post(format!("{}/tenant/oauth2/v2.0/token", rig.base()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(token_form())
            .send()
            .await
            .unwrap(),
    )
    .await
    .json;
    let issued = token["access_token"].as_str().unwrap().to_owned();
    let get = || async {
        rig.client
            .get(rig.sync_url())
            .bearer_auth(&issued)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(get().await, StatusCode::OK);
    let frozen = rig
        .control(Method::POST, "/clock", Some(json!({"frozen": true})))
        .await;
    assert_eq!(frozen.status, StatusCode::OK);
    assert_eq!(frozen.json["frozen"], true);
    let still = rig.control(Method::GET, "/clock", None).await.json;
    assert_eq!(
        still["now"], frozen.json["now"],
        "a frozen clock stands still"
    );
    let moved = rig
        .control(
            Method::POST,
            "/clock",
            Some(json!({"advance_seconds": 7200})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    assert!(moved.json["offset_seconds"].as_f64().unwrap() >= 7200.0);
    assert_eq!(moved.json["frozen"], true);
    let running = rig
        .control(Method::POST, "/clock", Some(json!({"frozen": false})))
        .await;
    assert_eq!(running.json["frozen"], false);
    assert!(
        running.json["now"].as_str().unwrap() >= moved.json["now"].as_str().unwrap(),
        "unfreezing never moves the clock back"
    );
    assert_eq!(get().await, StatusCode::UNAUTHORIZED, "expired");
    for bad in [
        json!({"advance_seconds": -1}),
        json!({}),
        json!({"frozen": "yes"}),
    ] {
        let refused = rig.control(Method::POST, "/clock", Some(bad.clone())).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    rig.control(
        Method::PATCH,
        "/settings",
        Some(json!({"throttle": {"rate": 1}})),
    )
    .await;
    rig.control(
        Method::POST,
        "/script",
        Some(json!({"answers": [{"status": 500}]})),
    )
    .await;
    assert_eq!(
        rig.control(Method::POST, "/reset", None).await.status,
        StatusCode::NO_CONTENT
    );
    let clock = rig.control(Method::GET, "/clock", None).await.json;
    assert_eq!(clock["offset_seconds"], 0.0);
    assert_eq!(clock["frozen"], false);
    assert_eq!(
        rig.control(Method::GET, "/settings", None).await.json["throttle"],
        Value::Null
    );
    assert_eq!(
        rig.control(Method::GET, "/script", None).await.json["pending"],
        0
    );
    assert!(rig.log().await.is_empty());
    assert_eq!(get().await, StatusCode::OK, "the token is valid again");
}

/// The emulator's own binary as a separate process: its flags, its banner, its control API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standalone_binary_takes_the_flags_and_prints_the_admin_token() {
    let bad = tokio::process::Command::new(env!("CARGO_BIN_EXE_graph-sync-emulator"))
        .args(["--throttle", "0/0"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("--throttle needs RATE[/BURST]"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_graph-sync-emulator"))
        .args([
            "--throttle",
            "20/5",
            "--faults",
            "0.05",
            "--seed",
            "3",
            "--only",
            "PUT",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    let reading = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            banner.push_str(&line);
            banner.push('\n');
            if line.contains("Press Ctrl-C") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), reading)
        .await
        .expect("the emulator prints its banner");
    let field = |name: &str| {
        banner
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|value| value.trim().to_owned())
            .unwrap_or_else(|| panic!("no {name} in {banner}"))
    };
    let (control, admin) = (field("Control API:"), field("Admin token:"));
    assert!(
        banner.contains("Throttle:      20 requests/s per client, bursts of 5"),
        "{banner}"
    );
    assert!(
        banner.contains("Faults:        5% of requests (seed 3): 503, 504, reset"),
        "{banner}"
    );
    assert!(banner.contains("Applied to:    PUT"), "{banner}");
    let settings = read(
        super::client()
            .get(format!("{control}settings"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await
    .json;
    assert_eq!(
        settings["throttle"],
        json!({"rate": 20.0, "burst": 5.0, "per": "client"})
    );
    assert_eq!(settings["faults"]["seed"], 3);
    child.kill().await.unwrap();
}

/// The Python helper (`clients/python/graph_sync_emulator.py`, standard library only) runs
/// its own test against this crate's binary: a 429 storm arranged over the control API and
/// the client's retries asserted from the request log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_helper_passes_its_storm_test() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../clients/python");
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("python3")
            .arg("test_graph_sync_emulator.py")
            .current_dir(&dir)
            .env(
                "GRAPH_SYNC_EMULATOR",
                env!("CARGO_BIN_EXE_graph-sync-emulator"),
            )
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the Python test finishes")
    .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("Ran 3 tests") && stderr.contains("OK"),
        "{stderr}"
    );
    assert!(stdout.contains("retries seen in the log: 3"), "{stdout}");
}
