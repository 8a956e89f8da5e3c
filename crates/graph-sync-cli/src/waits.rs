//! Waiting is visible: every wait before a retry prints one line on stderr at default
//! verbosity ("waiting 2.1s before attempt 3 of 10: connection refused by 127.0.0.1:9"), and
//! on an interactive terminal a wait over a second shows a spinner until it ends.
//!
//! [`StderrObserver`] is the client's [`RetryObserver`]. While `bulk secrets` draws its
//! progress bar, the lines go above the bar ([`set_bar`]) instead of through it.

use std::error::Error as _;
use std::io::IsTerminal as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use graph_sync_api::transport::TransportErrorKind;
use graph_sync_api::{Error, RetryObserver, RetryWait};
use indicatif::{ProgressBar, ProgressStyle};

/// The bar lines go above while one is drawn.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Routes wait lines above `bar` while it is drawn (`None` when it is gone).
pub(crate) fn set_bar(bar: Option<ProgressBar>) {
    *BAR.lock().unwrap_or_else(PoisonError::into_inner) = bar;
}

/// Prints each wait on stderr.
#[derive(Debug)]
pub(crate) struct StderrObserver {
    /// The host requests go to (`graph.microsoft.com`, `127.0.0.1:9`), for the cause.
    pub(crate) host: String,
}

impl RetryObserver for StderrObserver {
    fn on_wait(&self, wait: &RetryWait<'_>) {
        let (delay, next) = (wait.delay.as_secs_f64(), wait.attempt.saturating_add(1));
        let cause = cause(wait.error, &self.host);
        // Throttled answers do not spend the attempt limit, so "n of m" would be false for them.
        let line = if wait.throttled {
            format!(
                "waiting {delay:.1}s before attempt {next}: {cause} (throttling does not count against the attempt limit)"
            )
        } else {
            format!(
                "waiting {delay:.1}s before attempt {next} of {}: {cause}",
                wait.max_attempts
            )
        };
        let bar = BAR.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match bar {
            Some(bar) if !bar.is_hidden() => bar.println(line),
            _ if std::io::stderr().is_terminal() && wait.delay > Duration::from_secs(1) => {
                spin(line, wait.delay);
            }
            _ => eprintln!("{line}"),
        }
    }
}

/// A spinner on stderr with `line` for `delay`, then cleared (leaving the line).
fn spin(line: String, delay: Duration) {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        // `wide_msg`: the line cut to the terminal's width, so that it never wraps.
        ProgressStyle::with_template("{spinner} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(line.clone());
    spinner.enable_steady_tick(Duration::from_millis(100));
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async move {
                tokio::time::sleep(delay).await;
                spinner.finish_and_clear();
                eprintln!("{line}");
            });
        }
        Err(_) => {
            spinner.finish_and_clear();
            eprintln!("{line}");
        }
    }
}

/// Why the attempt failed, in a few words: "throttled by Graph (429)", "503 from Graph",
/// "connection refused by HOST".
pub(crate) fn cause(error: &Error, host: &str) -> String {
    if let Some(service) = error.as_service() {
        let status = service.status().as_u16();
        return match status {
            429 => "throttled by Graph (429)".to_owned(),
            _ => format!("{status} from Graph"),
        };
    }
    let Error::Transport(transport) = error else {
        return "the request failed".to_owned();
    };
    let mut refused = false;
    let mut source = transport.source();
    while let Some(error) = source {
        refused |= error.to_string().to_ascii_lowercase().contains("refused");
        source = error.source();
    }
    match transport.kind() {
        TransportErrorKind::Connect if refused => format!("connection refused by {host}"),
        TransportErrorKind::Connect => format!("cannot connect to {host}"),
        TransportErrorKind::Timeout => format!("no answer from {host} in time"),
        _ => format!("the connection to {host} failed"),
    }
}

/// The host and port of a URL, without user info, path or query.
pub(crate) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_everything_but_host_and_port() {
        assert_eq!(host_of("http://127.0.0.1:9/v1.0"), "127.0.0.1:9");
        assert_eq!(
            host_of("https://u:p@graph.example/v1.0?x=1"),
            "graph.example"
        );
        assert_eq!(
            host_of("https://graph.microsoft.com"),
            "graph.microsoft.com"
        );
    }
}
