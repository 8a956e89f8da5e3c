//! Ctrl-C: the command stops where it is, and the run says what it had already changed on the
//! service, so the operator knows what state things are in.
//!
//! Mutating commands [`record`] each change as soon as the service has confirmed it; a
//! command with its own progress (`bulk secrets`) installs a [`set_report`] closure instead.
//! On Ctrl-C `main` drops the running command (a request in flight is abandoned: it may or
//! may not have reached the service, which the report says) and prints [`report`] with exit
//! code 130.

use std::sync::{Mutex, PoisonError};

/// A report built when the interrupt comes.
type ReportFn = Box<dyn Fn() -> String + Send + Sync>;

/// The changes confirmed by the service so far, in order.
static CHANGES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A command's own report, replacing the list of changes.
static REPORT: Mutex<Option<ReportFn>> = Mutex::new(None);

/// Notes one change the service has confirmed ("saved 3 secret(s) for …").
pub(crate) fn record(change: impl Into<String>) {
    CHANGES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(change.into());
}

/// Installs the report an interrupt prints instead of the list of changes.
pub(crate) fn set_report(report: impl Fn() -> String + Send + Sync + 'static) {
    *REPORT.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(report));
}

/// What was done before the interrupt.
pub(crate) fn report() -> String {
    if let Some(report) = REPORT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return report();
    }
    let changes = CHANGES.lock().unwrap_or_else(PoisonError::into_inner);
    let in_flight = "a request in flight when Ctrl-C came may or may not have reached the service";
    if changes.is_empty() {
        format!("interrupted (Ctrl-C): nothing had been changed on the service yet; {in_flight}")
    } else {
        let mut text = String::from("interrupted (Ctrl-C). Done before the interrupt:");
        for change in changes.iter() {
            text.push_str("\n  - ");
            text.push_str(change);
        }
        text.push_str(&format!("\n{in_flight}"));
        text
    }
}

/// A future that completes on Ctrl-C (SIGINT), with the handler already installed.
#[cfg(unix)]
pub(crate) fn ctrl_c_listener() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        interrupt.recv().await;
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
pub(crate) fn ctrl_c_listener() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_lists_the_changes_then_a_command_may_replace_it() {
        assert!(report().contains("nothing had been changed"));
        record("started job scim.1");
        assert!(report().contains("  - started job scim.1"), "{}", report());
        set_report(|| "bulk: 3 saved".to_owned());
        assert_eq!(report(), "bulk: 3 saved");
    }
}
