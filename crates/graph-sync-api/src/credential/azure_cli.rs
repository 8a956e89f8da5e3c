//! [`AzureCliCredential`]: the session of `az login`, through `az account get-access-token`.
//!
//! The token is read from `az`'s standard output, which is kept in a zeroized buffer and never
//! logged or quoted: errors are built from the exit status and `az`'s standard error only.

use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use secrecy::SecretString;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use zeroize::Zeroizing;

use super::http::{NumberOrString, check_tenant};
use super::{
    AccessToken, AuthError, AuthErrorKind, MAX_TOKEN_LIFETIME, TokenCredential, TokenRequest,
};

const NAME: &str = "AzureCliCredential";

/// The program run by default: `az` found on `PATH` (`az.cmd` on Windows, where the Azure CLI
/// is a batch file).
const PROGRAM: &str = if cfg!(windows) { "az.cmd" } else { "az" };

/// How long `az` may take by default (azure-identity's default too).
pub const AZURE_CLI_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of `az`'s standard output or error read; a token answer is a few kilobytes.
const MAX_OUTPUT: u64 = 64 * 1024;

/// How much of `az`'s standard error an error message quotes.
const MAX_QUOTED: usize = 300;

/// How long a token is believed when `az` (older than 2.54) gives its expiry only as a local
/// time without an offset: the offset of the local time zone cannot be known reliably from a
/// multi-threaded process, so the token is used briefly and `az` asked again (it caches).
const LOCAL_TIME_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The widest offsets of local time from UTC (UTC-12 to UTC+14), bounding when a token with a
/// local-time expiry can have expired.
const WIDEST_OFFSET_WEST: u64 = 12 * 3600;

/// The signed-in Azure CLI user (or service principal, or managed identity): whatever
/// `az login` left, as PowerShell's `Connect-MgGraph`, `mgc login` and Terraform's azuread
/// provider allow.
///
/// Each token request runs `az account get-access-token --resource <resource> --output json`
/// (plus `--tenant T` when a tenant is set) directly, without a shell, with a time limit
/// ([`AZURE_CLI_TIMEOUT`] by default). The resource is the requested scope without
/// `/.default`, so the client's cloud decides it. The expiry is read from `expires_on` (Unix
/// seconds, az 2.54 and later) and clamped to [`MAX_TOKEN_LIFETIME`]; older versions give only
/// `expiresOn` in local time, and such a token is used for at most 10 minutes. `az` takes no
/// claims: a claims challenge gets a fresh token without them.
///
/// Errors say what to do ("az not found", "run `az login`", "run `az login --tenant T`", the
/// time limit) and never quote `az`'s standard output, which holds the token.
#[derive(Clone)]
pub struct AzureCliCredential {
    tenant: Option<String>,
    program: PathBuf,
    timeout: Duration,
}

impl Default for AzureCliCredential {
    fn default() -> Self {
        Self::new()
    }
}

impl AzureCliCredential {
    /// The `az` on `PATH`, for the subscription's tenant, with the default time limit.
    #[must_use]
    pub fn new() -> Self {
        Self {
            tenant: None,
            program: PathBuf::from(PROGRAM),
            timeout: AZURE_CLI_TIMEOUT,
        }
    }

    /// Asks for a token of `tenant` (a GUID or domain) instead of the current subscription's.
    ///
    /// # Errors
    ///
    /// [`AuthError`] when the tenant is not a GUID or domain name.
    pub fn tenant(mut self, tenant: &str) -> Result<Self, AuthError> {
        check_tenant(NAME, tenant)?;
        if tenant.starts_with('-') {
            return Err(AuthError::configuration(format!(
                "{NAME}: the tenant id must not start with '-'"
            )));
        }
        self.tenant = Some(tenant.to_owned());
        Ok(self)
    }

    /// Runs this executable instead of the `az` found on `PATH`.
    #[must_use]
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// Gives up on `az` after `timeout` (it is killed). The limit is measured on tokio's clock,
    /// like every time limit of this crate.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn command(&self, resource: &str) -> Command {
        let mut command = Command::new(&self.program);
        command.args([
            "account",
            "get-access-token",
            "--resource",
            resource,
            "--output",
            "json",
        ]);
        if let Some(tenant) = &self.tenant {
            command.args(["--tenant", tenant]);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Runs `az` and returns its exit status, standard output (zeroized on drop) and error.
    async fn run(&self, resource: &str) -> Result<Outcome, AuthError> {
        let mut child = self.command(resource).spawn().map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                AuthError::configuration(format!(
                    "{NAME}: az not found ({} is not on PATH): install the Azure CLI, or choose \
                     another credential",
                    self.program.display()
                ))
            } else {
                AuthError::configuration(format!(
                    "{NAME}: {} cannot be run",
                    self.program.display()
                ))
                .with_source(error)
            }
        })?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(AuthError::new(format!(
                "{NAME}: az's output cannot be read"
            )));
        };
        let run = async {
            let (stdout, stderr) =
                futures_util::future::join(read_capped(stdout), read_capped(stderr)).await;
            let status = child.wait().await;
            (status, stdout, stderr)
        };
        let (status, stdout, stderr) =
            tokio::time::timeout(self.timeout, run).await.map_err(|_| {
                AuthError::of_kind(
                    AuthErrorKind::Unreachable,
                    format!(
                        "{NAME}: az account get-access-token did not finish within {}s (stopped); \
                         is it waiting for a login prompt? Run it yourself to see",
                        self.timeout.as_secs_f32()
                    ),
                )
            })?;
        let unreadable = |error: std::io::Error| {
            AuthError::new(format!("{NAME}: az's output cannot be read")).with_source(error)
        };
        let status = status.map_err(unreadable)?;
        let stdout = stdout.map_err(unreadable)?;
        let stderr = stderr.map_err(unreadable)?;
        if stdout.len() as u64 > MAX_OUTPUT || stderr.len() as u64 > MAX_OUTPUT {
            return Err(AuthError::of_kind(
                AuthErrorKind::InvalidResponse,
                format!("{NAME}: az printed more than 64 KiB, which is not a token answer"),
            ));
        }
        Ok(Outcome {
            success: status.success(),
            code: status.code(),
            stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        })
    }

    /// What a failed `az` run means, from its exit code and standard error.
    fn failure(&self, outcome: &Outcome) -> AuthError {
        let stderr = outcome.stderr.as_str();
        let lower = stderr.to_ascii_lowercase();
        if outcome.code == Some(127)
            || lower.contains("az: not found")
            || lower.contains("'az' is not recognized")
        {
            return AuthError::configuration(format!(
                "{NAME}: az not found: install the Azure CLI, or choose another credential"
            ));
        }
        let quoted = quote(stderr);
        if lower.contains("az login") || lower.contains("az account set") {
            let what = match &self.tenant {
                Some(tenant) => format!("run `az login --tenant {tenant}`"),
                None => "run `az login`".to_owned(),
            };
            return AuthError::configuration(format!(
                "{NAME}: the Azure CLI has no usable login: {what} ({quoted})"
            ));
        }
        let code = outcome
            .code
            .map_or_else(|| "a signal".to_owned(), |code| format!("code {code}"));
        AuthError::new(format!(
            "{NAME}: az account get-access-token failed with {code}: {quoted}"
        ))
    }
}

/// What one `az` run left.
struct Outcome {
    success: bool,
    code: Option<i32>,
    stdout: Zeroizing<Vec<u8>>,
    stderr: String,
}

/// Reads at most [`MAX_OUTPUT`] + 1 bytes, so that an oversized answer is noticed.
///
/// The buffer is allocated whole, with room for the extra byte and the 32 bytes `read_to_end`
/// keeps free before each read, so that it never moves: a growing `Vec` frees each outgrown
/// buffer, with the part of the token read so far, unwiped.
async fn read_capped(stream: impl AsyncRead + Unpin) -> Result<Zeroizing<Vec<u8>>, std::io::Error> {
    let capacity = usize::try_from(MAX_OUTPUT).map_or(0, |max| max.saturating_add(64));
    let mut buffer = Zeroizing::new(Vec::with_capacity(capacity));
    stream.take(MAX_OUTPUT + 1).read_to_end(&mut buffer).await?;
    Ok(buffer)
}

/// The meaningful line of `az`'s standard error, sanitized and shortened, or a note that it
/// said nothing.
fn quote(stderr: &str) -> String {
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("WARNING"))
        .unwrap_or_default();
    if line.is_empty() {
        return "az printed no error".to_owned();
    }
    format!("az said: {}", crate::redact::sanitize_to(line, MAX_QUOTED))
}

/// `az account get-access-token --output json`, the fields read.
#[derive(Deserialize)]
struct CliToken {
    #[serde(rename = "accessToken")]
    access_token: Option<String>,
    /// A number in az's JSON, a string in some versions.
    expires_on: Option<NumberOrString>,
    #[serde(rename = "expiresOn")]
    expires_on_local: Option<String>,
}

/// Reads `az`'s answer: the token and how long it lives from now (`now`: Unix seconds).
fn parse_answer(stdout: &[u8], now: u64) -> Result<(SecretString, Duration), AuthError> {
    let invalid = |what: &str| {
        AuthError::of_kind(
            AuthErrorKind::InvalidResponse,
            format!("{NAME}: az account get-access-token answered, but {what}"),
        )
    };
    let answer: CliToken =
        serde_json::from_slice(stdout).map_err(|_| invalid("not with a token in JSON"))?;
    let token = answer
        .access_token
        .filter(|token| !token.trim().is_empty())
        .ok_or_else(|| invalid("without accessToken"))?;
    let expired = || invalid("with a token that has already expired (run `az login` again)");
    let lifetime = if let Some(expires_on) =
        answer.expires_on.as_ref().and_then(NumberOrString::value)
    {
        match expires_on.checked_sub(now) {
            Some(seconds) if seconds > 0 => Duration::from_secs(seconds).min(MAX_TOKEN_LIFETIME),
            _ => return Err(expired()),
        }
    } else if let Some(local) = answer.expires_on_local.as_deref() {
        let naive = naive_unix_seconds(local)
            .ok_or_else(|| invalid("with an expiresOn that is not a date and time"))?;
        // The latest the expiry can be in UTC is the local time read at UTC-12.
        match naive
            .checked_add(WIDEST_OFFSET_WEST)
            .and_then(|latest| latest.checked_sub(now))
        {
            Some(seconds) if seconds > 0 => Duration::from_secs(seconds).min(LOCAL_TIME_LIFETIME),
            _ => return Err(expired()),
        }
    } else {
        return Err(invalid("without expires_on or expiresOn"));
    };
    Ok((SecretString::from(token), lifetime))
}

/// `2026-11-29 13:05:00.000000` read as if it were UTC: Unix seconds, or `None` when it is not
/// such a date (or lies before 1970).
#[allow(
    clippy::arithmetic_side_effects,
    reason = "every field is range-checked first (year 1970..=9999, month, day, time), so no \
              step can overflow or underflow; the one subtraction that could is checked"
)]
fn naive_unix_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let (date, time) = text.split_once([' ', 'T'])?;
    let mut date = date.splitn(3, '-').map(|part| part.parse::<u64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    let time = time.split('.').next()?;
    let mut time = time.splitn(3, ':').map(|part| part.parse::<u64>().ok());
    let (hour, minute, second) = (time.next()??, time.next()??, time.next()??);
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm), for years from 1970.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// The resource `az` is asked for: the scope without `/.default`, an absolute http(s) URL
/// (so that it can never read as an option of `az`).
fn resource_of(scope: &str) -> Result<&str, AuthError> {
    let resource = scope.strip_suffix("/.default").unwrap_or(scope);
    let valid = (resource.starts_with("https://") || resource.starts_with("http://"))
        && !resource
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(resource)
    } else {
        Err(AuthError::configuration(format!(
            "{NAME}: the scope is not an http(s) resource URL"
        )))
    }
}

impl fmt::Debug for AzureCliCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(NAME)
            .field("tenant", &self.tenant)
            .field("program", &self.program)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[async_trait]
impl TokenCredential for AzureCliCredential {
    async fn get_token(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        let resource = resource_of(&request.scope)?;
        tracing::debug!(credential = NAME, resource, tenant = ?self.tenant, "running az account get-access-token");
        let outcome = self.run(resource).await?;
        if !outcome.success {
            let error = self.failure(&outcome);
            tracing::debug!(credential = NAME, code = ?outcome.code, "az failed");
            return Err(error);
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let (token, lifetime) = parse_answer(&outcome.stdout, now)?;
        tracing::debug!(
            credential = NAME,
            lifetime_s = lifetime.as_secs(),
            "az gave a token"
        );
        Ok(AccessToken::expiring_in(token, lifetime))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_of_new_and_old_az_are_read_and_clamped() {
        let now = 1_800_000_000;
        let body = format!(
            r#"{{"accessToken":"tok","expiresOn":"2027-01-15 08:00:00.000000","expires_on":{},"tokenType":"Bearer"}}"#,
            now + 3599
        );
        let (token, lifetime) = parse_answer(body.as_bytes(), now).unwrap();
        assert_eq!(secrecy::ExposeSecret::expose_secret(&token), "tok");
        assert_eq!(lifetime, Duration::from_secs(3599));
        let body = format!(r#"{{"accessToken":"tok","expires_on":"{}"}}"#, now + 60);
        assert_eq!(
            parse_answer(body.as_bytes(), now).unwrap().1,
            Duration::from_secs(60)
        );
        let body = format!(r#"{{"accessToken":"tok","expires_on":{}}}"#, u64::MAX);
        assert_eq!(
            parse_answer(body.as_bytes(), now).unwrap().1,
            MAX_TOKEN_LIFETIME
        );

        // Old az: local time only; believed at most 10 minutes.
        let local = |seconds: u64| {
            let body = format!(
                r#"{{"accessToken":"tok","expiresOn":"{}"}}"#,
                format_naive(seconds)
            );
            parse_answer(body.as_bytes(), now)
        };
        assert_eq!(local(now + 3600).unwrap().1, LOCAL_TIME_LIFETIME);
        assert!(local(now - 13 * 3600).is_err());

        for (bad, what) in [
            (
                format!(r#"{{"accessToken":"tok","expires_on":{}}}"#, now - 1),
                "expired",
            ),
            (
                format!(r#"{{"accessToken":"tok","expires_on":{now}}}"#),
                "expired",
            ),
            (r#"{"accessToken":"tok"}"#.to_owned(), "without expires_on"),
            (
                r#"{"accessToken":" ","expires_on":1}"#.to_owned(),
                "without accessToken",
            ),
            (
                r#"{"accessToken":"tok","expiresOn":"soon"}"#.to_owned(),
                "not a date",
            ),
            ("[".to_owned(), "not with a token"),
        ] {
            let error = parse_answer(bad.as_bytes(), now).unwrap_err();
            assert_eq!(error.kind(), AuthErrorKind::InvalidResponse);
            assert!(error.to_string().contains(what), "{error}");
            assert!(!error.to_string().contains("tok\""), "{error}");
        }
    }

    fn format_naive(seconds: u64) -> String {
        let days = seconds / 86_400;
        let rest = seconds % 86_400;
        // Civil from days (Hinnant), inverse of naive_unix_seconds.
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.000000",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }

    #[test]
    fn local_times_are_read_as_dates() {
        assert_eq!(naive_unix_seconds("1970-01-01 00:00:00"), Some(0));
        assert_eq!(
            naive_unix_seconds("2026-11-29 13:05:07.123456"),
            Some(1_795_957_507)
        );
        assert_eq!(
            naive_unix_seconds("2024-02-29T00:00:00"),
            Some(1_709_164_800)
        );
        for seconds in [0, 951_782_400, 1_795_957_507, 4_102_444_800] {
            assert_eq!(naive_unix_seconds(&format_naive(seconds)), Some(seconds));
        }
        for bad in [
            "",
            "2026-13-01 00:00:00",
            "1969-12-31 23:59:59",
            "2026-11-29",
            "a-b-c d:e:f",
        ] {
            assert_eq!(naive_unix_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_resource_is_a_url_never_an_option() {
        assert_eq!(
            resource_of("https://graph.microsoft.us/.default").unwrap(),
            "https://graph.microsoft.us"
        );
        assert_eq!(
            resource_of("http://127.0.0.1:8080/.default").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "--debug",
            "graph.microsoft.com/.default",
            "https://a b/.default",
        ] {
            assert!(resource_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_names_resource_tenant_and_json() {
        let credential = AzureCliCredential::new().tenant("contoso.example").unwrap();
        let command = credential.command("https://graph.microsoft.com");
        let args: Vec<_> = command
            .as_std()
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "account",
                "get-access-token",
                "--resource",
                "https://graph.microsoft.com",
                "--output",
                "json",
                "--tenant",
                "contoso.example"
            ]
        );
        assert!(AzureCliCredential::new().tenant("a b").is_err());
        assert!(AzureCliCredential::new().tenant("--x").is_err());
    }

    /// A fake `az`: a shell script in a fresh directory. It is copied into place by `cp`, so
    /// that no thread of this process ever holds the executable open for writing (which would
    /// make a concurrent exec fail with "text file busy").
    #[cfg(unix)]
    fn fake_az(script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("graph-sync-az-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("az.txt");
        std::fs::write(&source, format!("#!/bin/sh\n{script}\n")).unwrap();
        let az = dir.join("az");
        let copied = std::process::Command::new("cp")
            .arg(&source)
            .arg(&az)
            .status()
            .unwrap();
        assert!(copied.success());
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
        az
    }

    #[cfg(unix)]
    const CANARY: &str = "CANARY-az-token-4f1c";

    #[cfg(unix)]
    async fn token_of(credential: &AzureCliCredential) -> Result<AccessToken, AuthError> {
        credential
            .get_token(&TokenRequest::new("https://graph.microsoft.us/.default"))
            .await
    }

    // The fake-az runs below take real (if short) time, so they run on the real clock: a paused
    // clock would jump to the time limit while az runs. The time limit itself is tested paused.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_fake_az_gives_a_token_for_the_clouds_resource_and_tenant() {
        let start = tokio::time::Instant::now();
        let in_an_hour = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600;
        let az = fake_az(&format!(
            r#"[ "$*" = "account get-access-token --resource https://graph.microsoft.us --output json --tenant contoso.example" ] || {{ echo "unexpected arguments: $*" >&2; exit 2; }}
echo '{{"accessToken":"{CANARY}","expiresOn":"2030-01-01 00:00:00.000000","expires_on":{in_an_hour},"tokenType":"Bearer"}}'"#
        ));
        let credential = AzureCliCredential::new()
            .program(&az)
            .tenant("contoso.example")
            .unwrap();
        let token = token_of(&credential).await.unwrap();
        assert_eq!(secrecy::ExposeSecret::expose_secret(&token.token), CANARY);
        let lifetime = token.expires_at.unwrap() - start;
        assert!(
            lifetime <= Duration::from_secs(3601) && lifetime >= Duration::from_secs(3500),
            "{lifetime:?}"
        );
        assert!(!format!("{credential:?} {token:?}").contains(CANARY));

        // Without a tenant, no --tenant argument: the script refuses it with exit 2.
        let error = token_of(&AzureCliCredential::new().program(&az))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("failed with code 2"), "{error}");
        assert!(
            error.to_string().contains("unexpected arguments"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn az_failures_say_what_to_do_and_never_quote_stdout() {
        let cases = [
            (
                format!(
                    "echo '{CANARY}'; echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1"
                ),
                None,
                "run `az login` (az said: ERROR: Please run 'az login' to setup account.)",
            ),
            (
                format!(
                    "echo '{CANARY}'; echo \"ERROR: AADSTS50076: to access 'contoso.example' run az login --tenant\" >&2; exit 1"
                ),
                Some("contoso.example"),
                "run `az login --tenant contoso.example`",
            ),
            (
                format!("echo '{CANARY}'; echo 'sh: 1: az: not found' >&2; exit 127"),
                None,
                "az not found",
            ),
            (
                format!("echo '{{\"accessToken\":\"{CANARY}\"'"),
                None,
                "not with a token in JSON",
            ),
            (
                format!("echo '{{\"accessToken\":\"{CANARY}\",\"expires_on\":1}}'"),
                None,
                "already expired",
            ),
            (
                format!(
                    "echo '{CANARY}'; printf 'WARNING: upgrade\\n\\033[31mboom\\n' >&2; exit 3"
                ),
                None,
                "failed with code 3: az said: boom",
            ),
            (
                "exec head -c 200000 /dev/zero".to_owned(),
                None,
                "more than 64 KiB",
            ),
        ];
        for (script, tenant, expected) in cases {
            let mut credential = AzureCliCredential::new().program(fake_az(&script));
            if let Some(tenant) = tenant {
                credential = credential.tenant(tenant).unwrap();
            }
            let error = token_of(&credential).await.unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(shown.contains(expected), "{script}: {shown}");
            assert!(!shown.contains(CANARY), "{script}: {shown}");
            assert!(!shown.contains('\u{1b}'), "{script}: {shown}");
        }

        let missing = AzureCliCredential::new().program("/nonexistent/graph-sync-test/az");
        let error = token_of(&missing).await.unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Configuration);
        assert!(error.to_string().contains("az not found"), "{error}");
    }

    #[cfg(unix)]
    #[tokio::test(start_paused = true)]
    async fn a_hanging_az_is_stopped_at_the_time_limit() {
        let credential = AzureCliCredential::new()
            .program(fake_az("exec sleep 600"))
            .timeout(Duration::from_secs(5));
        let error = token_of(&credential).await.unwrap_err();
        assert_eq!(error.kind(), AuthErrorKind::Unreachable);
        assert!(
            error.to_string().contains("did not finish within 5s"),
            "{error}"
        );
    }
}
