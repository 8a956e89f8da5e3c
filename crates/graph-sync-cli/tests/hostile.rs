//! Issue 10 item 7 for the command line: every command that sends a secret or a token, run
//! against a misbehaving loopback server that echoes what it was sent (the secret values, the
//! bearer token) in every field and header it answers, with terminal control sequences and a
//! huge message. Asserts: no panic, no canary and no escape character in stdout, stderr or
//! the files the command writes, bounded output, and the documented exit code.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::support::{Output, Run, Scratch};

/// The secret value the commands send.
const SECRET: &str = "CANARY-hostile-secret-9d1e";
/// The bearer token the commands send.
const TOKEN: &str = "CANARY-hostile-token-77b2";
const SP: &str = "3f2c1a9e-8b7d-4c6e-9f10-a1b2c3d4e5f6";

/// A server that answers every request with `status` and an error body echoing the request's
/// body and `Authorization` header everywhere, plus control sequences and 200 KB of text.
struct Hostile {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl Hostile {
    async fn start(status: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1.0", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    while let Some(request) = read_request(&mut socket).await {
                        counter.fetch_add(1, Ordering::Relaxed);
                        let response = answer(status, &request);
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self { url, requests }
    }

    fn run(&self) -> Run {
        Run::new()
            .args(&["--graph-url", &self.url, "--no-retry"])
            .env("GRAPH_SYNC_TOKEN", TOKEN)
            .env("SCIM_TOKEN", SECRET)
    }
}

/// One request's head and body as text (loopback, small requests).
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return Some(text);
            }
        }
        let read = socket.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
}

/// The hostile answer: what was sent, echoed in the code, inner codes, message, request ids,
/// date, and raw; JSON-escaped in the body, stripped to header-safe text in headers.
fn answer(status: u16, request: &str) -> Vec<u8> {
    let echo: String = request
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect();
    let evil = format!("\u{1b}[2J\u{1b}]0;owned\u{7}\r{echo}");
    let huge = "x".repeat(200_000);
    let body = serde_json::json!({
        "error": {
            "code": evil,
            "message": format!("{evil} {huge}"),
            "innerError": {
                "code": evil,
                "request-id": echo,
                "date": evil,
                "details": [{"code": evil, "message": evil}],
            },
        },
        "echo": request,
    })
    .to_string();
    let header = echo.chars().take(4000).collect::<String>();
    format!(
        "HTTP/1.1 {status} Hostile\r\ncontent-type: application/json\r\nrequest-id: {header}\r\n\
         client-request-id: {header}\r\nretry-after: 18446744073709551615\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[track_caller]
fn check(output: &Output, code: i32, what: &str) {
    assert_eq!(output.code, code, "{what}: {output:#?}");
    for canary in [SECRET, TOKEN] {
        assert!(
            !output.stdout.contains(canary),
            "{what}: stdout leaks: {output:#?}"
        );
        assert!(
            !output.stderr.contains(canary),
            "{what}: stderr leaks: {output:#?}"
        );
    }
    for (name, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        assert!(!text.contains('\u{1b}'), "{what}: {name} has ESC: {text:?}");
        assert!(!text.contains("panicked"), "{what}: {name}: {text}");
        assert!(
            text.len() < 64 * 1024,
            "{what}: {name} is {} bytes",
            text.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_command_leaks_a_canary_or_a_control_sequence_or_panics() {
    let dir = Scratch::new();
    let secrets = dir.private(
        "secrets.toml",
        "BaseAddress = \"https://scim.example.com/scim/v2\"\nSecretToken = { env = \"SCIM_TOKEN\" }\n",
    );
    let manifest = dir.private(
        "app.toml",
        &format!(
            "service_principal = \"{SP}\"\ntemplate = \"scim\"\n[secrets]\nSecretToken = \
             {{ env = \"SCIM_TOKEN\" }}\n"
        ),
    );
    let csv = dir.private(
        "apps.csv",
        &format!("sp,SecretToken\n{SP},env:SCIM_TOKEN\n"),
    );
    let schema = dir.private(
        "schema.json",
        "{\"directories\": [{\"name\": \"d\"}], \"synchronizationRules\": [{\"id\": \"r\"}]}",
    );
    let secrets = secrets.to_str().unwrap();
    let commands: Vec<(Vec<&str>, i32, i32)> = vec![
        // (arguments, exit for a 400, exit for a 401)
        (vec!["secrets", "set", "--sp", SP, "--from", secrets], 1, 3),
        (vec!["secrets", "show", "--sp", SP], 1, 3),
        (
            vec!["secrets", "clear", "--yes", "--sp", SP, "Password"],
            1,
            3,
        ),
        (
            vec![
                "credentials",
                "validate",
                "--sp",
                SP,
                "--job",
                "j",
                "--from",
                secrets,
            ],
            1,
            3,
        ),
        (
            vec!["provision", "--manifest", manifest.to_str().unwrap()],
            1,
            3,
        ),
        (
            vec!["bulk", "secrets", "--csv", csv.to_str().unwrap()],
            4,
            3,
        ),
        (vec!["jobs", "list", "--sp", SP], 1, 3),
        (vec!["jobs", "status", "--sp", SP, "--job", "j"], 1, 3),
        (vec!["jobs", "start", "--sp", SP, "--job", "j"], 1, 3),
        (vec!["templates", "list", "--sp", SP], 1, 3),
        (
            vec![
                "schema",
                "put",
                "--yes",
                "--sp",
                SP,
                "--job",
                "j",
                "--from",
                schema.to_str().unwrap(),
            ],
            1,
            3,
        ),
        (
            vec![
                "provision-on-demand",
                "--sp",
                SP,
                "--job",
                "j",
                "--rule",
                "r",
                "--subject",
                SP,
            ],
            1,
            3,
        ),
    ];
    let mut cases = 0;
    for status in [400_u16, 401, 500] {
        let server = Hostile::start(status).await;
        for (args, code_400, code_401) in &commands {
            let expected = if status == 401 { *code_401 } else { *code_400 };
            for format in ["table", "json"] {
                let _ = std::fs::remove_file(dir.path().join("apps.csv.journal"));
                let output = server.run().args(&["-o", format]).args(args).run().await;
                check(&output, expected, &format!("{status} {format} {args:?}"));
                cases += 1;
            }
        }
        assert!(server.requests.load(Ordering::Relaxed) > 0);
    }
    let journal = std::fs::read_to_string(dir.path().join("apps.csv.journal")).unwrap_or_default();
    assert!(!journal.contains(SECRET) && !journal.contains(TOKEN));
    println!("hostile CLI cases: {cases}, panics 0, canary hits 0");
}
