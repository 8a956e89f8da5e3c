//! Faults by name, as the command line (`--fault-kinds 503,504,reset`) and the control API
//! write them: `503` (without `Retry-After`), `503:1.5` (with `Retry-After: 1.5`), `504`,
//! `reset` (the connection closed before the request is read), `reset-after-read` (closed
//! after the request was applied), `slow` or `slow:MS` (answered late; 2000 ms by default) and
//! `truncate` (the body cut in half).

use std::time::Duration;

use crate::faults::Fault;

/// The kinds `--faults` draws from when `--fault-kinds` is not given: the ones every client
/// must survive, none that may apply a request without answering.
pub(crate) const DEFAULT_KINDS: &str = "503,504,reset";

/// The longest `Retry-After` or delay a fault may carry.
const MAX_WAIT: Duration = Duration::from_secs(600);

/// The delay of `slow` without a number.
const SLOW: Duration = Duration::from_secs(2);

/// Reads one fault kind.
///
/// # Errors
///
/// A message naming the kind and listing those that exist.
pub fn parse_fault(text: &str) -> Result<Fault, String> {
    let text = text.trim();
    let (kind, argument) = match text.split_once(':') {
        Some((kind, argument)) => (kind, Some(argument)),
        None => (text, None),
    };
    let fault = match (kind.to_ascii_lowercase().as_str(), argument) {
        ("503", None) => Fault::ServiceUnavailable(None),
        ("503", Some(seconds)) => Fault::ServiceUnavailable(Some(seconds_arg(seconds, text)?)),
        ("504", None) => Fault::GatewayTimeout,
        ("reset" | "reset-before-read", None) => Fault::ResetBeforeRead,
        ("reset-after-read", None) => Fault::ResetAfterRead,
        ("slow", None) => Fault::Slow(SLOW),
        ("slow", Some(millis)) => Fault::Slow(millis_arg(millis, text)?),
        ("truncate", None) => Fault::TruncatedBody,
        _ => {
            return Err(format!(
                "unknown fault kind {text:?}: use 503, 503:SECONDS (with Retry-After), 504, \
                 reset, reset-after-read, slow, slow:MS or truncate"
            ));
        }
    };
    Ok(fault)
}

/// Reads a comma-separated list of fault kinds.
///
/// # Errors
///
/// As [`parse_fault`], or when the list is empty.
pub fn parse_fault_kinds(text: &str) -> Result<Vec<Fault>, String> {
    let faults = text
        .split(',')
        .filter(|item| !item.trim().is_empty())
        .map(parse_fault)
        .collect::<Result<Vec<_>, _>>()?;
    if faults.is_empty() {
        return Err("--fault-kinds needs at least one kind (e.g. 503,504,reset)".to_owned());
    }
    Ok(faults)
}

/// The name of `fault` as [`parse_fault`] reads it: `503:1.5`, `slow:2000`.
#[must_use]
pub fn fault_text(fault: &Fault) -> String {
    match fault {
        Fault::ServiceUnavailable(Some(wait)) => {
            format!("503:{}", crate::throttle::format_retry_after(*wait))
        }
        Fault::Slow(delay) => format!("slow:{}", delay.as_millis()),
        other => fault_kind(other).to_owned(),
    }
}

/// The kind of `fault` without its number, as the counters group faults.
#[must_use]
pub fn fault_kind(fault: &Fault) -> &'static str {
    match fault {
        Fault::ServiceUnavailable(_) => "503",
        Fault::GatewayTimeout => "504",
        Fault::ResetBeforeRead => "reset",
        Fault::ResetAfterRead => "reset-after-read",
        Fault::Slow(_) => "slow",
        Fault::TruncatedBody => "truncate",
    }
}

/// A number of seconds (fractional allowed) up to [`MAX_WAIT`].
fn seconds_arg(text: &str, whole: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|wait| *wait <= MAX_WAIT)
        .ok_or_else(|| format!("{whole:?}: the Retry-After must be 0 to 600 seconds, e.g. 503:1.5"))
}

/// A number of milliseconds up to [`MAX_WAIT`].
pub(crate) fn millis_arg(text: &str, whole: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_millis)
        .filter(|wait| *wait <= MAX_WAIT)
        .ok_or_else(|| format!("{whole:?}: milliseconds must be a whole number from 0 to 600000"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_and_writes_back() {
        for text in [
            "503",
            "503:1.5",
            "504",
            "reset",
            "reset-after-read",
            "slow:2000",
            "truncate",
        ] {
            let fault = parse_fault(text).unwrap();
            assert_eq!(fault_text(&fault), text);
        }
        assert_eq!(parse_fault("slow"), Ok(Fault::Slow(SLOW)));
        assert_eq!(parse_fault(" RESET "), Ok(Fault::ResetBeforeRead));
        assert_eq!(
            parse_fault_kinds(DEFAULT_KINDS).unwrap(),
            [
                Fault::ServiceUnavailable(None),
                Fault::GatewayTimeout,
                Fault::ResetBeforeRead
            ]
        );
    }

    #[test]
    fn bad_kinds_are_refused() {
        for bad in [
            "500",
            "503:",
            "503:-1",
            "503:NaN",
            "503:inf",
            "503:601",
            "slow:1.5",
            "slow:-3",
            "slow:700000",
            "504:1",
            "truncate:2",
            "",
            ",",
        ] {
            assert!(parse_fault_kinds(bad).is_err(), "{bad:?}");
        }
    }
}
