//! Parsers for argument values: durations and provision-on-demand subjects.

use std::time::Duration;

use graph_sync_api::model::ServicePrincipalRef;

/// Parses `OBJECT_ID[:TYPE]`.
pub(super) fn parse_subject(text: &str) -> Result<(String, String), String> {
    let (id, kind) = text.split_once(':').unwrap_or((text, "User"));
    if id.trim().is_empty() {
        return Err("an empty object id".to_owned());
    }
    if kind.trim().is_empty() {
        return Err(format!(
            "an empty type after `{id}:`; use e.g. {id}:User or {id}:Group"
        ));
    }
    Ok((id.trim().to_owned(), kind.trim().to_owned()))
}

/// A service principal as the command line names it: an object id or appId (addressable as
/// such), or a display name, looked up before the command acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpArg {
    /// `OBJECT_ID` or `appId=GUID`.
    Ref(ServicePrincipalRef),
    /// `name:DISPLAY NAME`.
    Name(String),
}

impl std::fmt::Display for SpArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ref(reference) => reference.fmt(f),
            Self::Name(name) => write!(f, "name:{name}"),
        }
    }
}

/// Parses `--sp`: an object id, `appId=GUID` (`appId` in any case), or `name:DISPLAY NAME`
/// (`name` in any case; the rest taken as written, surrounding spaces trimmed).
///
/// # Errors
///
/// The model's reason, e.g. "service principal id must be a GUID", or an empty name.
pub(crate) fn parse_sp_arg(text: &str) -> Result<SpArg, String> {
    let trimmed = text.trim();
    match trimmed.get(..5) {
        Some(prefix) if prefix.eq_ignore_ascii_case("name:") => {
            let name = trimmed.get(5..).unwrap_or_default().trim();
            if name.is_empty() {
                return Err("an empty display name after `name:`".to_owned());
            }
            Ok(SpArg::Name(name.to_owned()))
        }
        _ => parse_sp(trimmed).map(SpArg::Ref),
    }
}

/// Parses a service principal reference: an object id, or `appId=GUID` with `appId` in any
/// case (`appid=`, `APPID=`), as people and older journals write it.
///
/// # Errors
///
/// The model's reason, e.g. "service principal id must be a GUID".
pub(crate) fn parse_sp(text: &str) -> Result<ServicePrincipalRef, String> {
    let text = text.trim();
    let normalized = match text.get(..6) {
        Some(prefix) if prefix.eq_ignore_ascii_case("appid=") => {
            format!("appId={}", text.get(6..).unwrap_or_default())
        }
        _ => text.to_owned(),
    };
    normalized.parse().map_err(|e| format!("{e}"))
}

/// The longest duration accepted (a year): every deadline computed from one stays far from
/// the clock's limits.
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// Parses a duration: `500ms`, `5s`, `2m`, `1h`, or a bare number of seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; use e.g. 500ms, 5s, 2m, 1h"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(number),
        "" | "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        "h" => Duration::from_secs(number.saturating_mul(3600)),
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; use ms, s, m or h"
            ));
        }
    };
    if duration.is_zero() {
        return Err("a duration must be more than zero".to_owned());
    }
    if duration > MAX_DURATION {
        return Err(format!(
            "`{text}` is more than a year, the longest wait graph-sync accepts"
        ));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "7d3e4a2b-1c5f-4e6d-8a9b-0c1d2e3f4a5b";

    #[test]
    fn durations_and_subjects_parse_or_say_why() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("0s").unwrap_err().contains("more than zero"));
        for huge in ["18446744073709551615s", "18446744073709551615h", "9000h"] {
            assert!(
                parse_duration(huge)
                    .unwrap_err()
                    .contains("more than a year"),
                "{huge}"
            );
        }
        assert!(parse_duration("18446744073709551616s").is_err());
        assert!(
            parse_duration("5d")
                .unwrap_err()
                .contains("unknown unit `d`")
        );
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        for prefix in ["appId=", "appid=", "APPID=", "AppId="] {
            let sp = parse_sp(&format!("{prefix}{GUID}")).unwrap();
            assert_eq!(sp.to_string(), format!("appId={GUID}"));
        }
        assert!(parse_sp("appid=nope").is_err());
        assert_eq!(
            parse_subject("abc"),
            Ok(("abc".to_owned(), "User".to_owned()))
        );
        assert_eq!(
            parse_subject("abc:Group"),
            Ok(("abc".to_owned(), "Group".to_owned()))
        );
        assert!(parse_subject("abc:").unwrap_err().contains("empty type"));
        assert!(
            parse_subject(":User")
                .unwrap_err()
                .contains("empty object id")
        );
    }

    #[test]
    fn sp_arguments_take_a_display_name_after_name() {
        assert_eq!(
            parse_sp_arg(" NAME: Contoso SCIM ").unwrap(),
            SpArg::Name("Contoso SCIM".to_owned())
        );
        assert_eq!(parse_sp_arg("name:a:b").unwrap().to_string(), "name:a:b");
        assert!(
            parse_sp_arg("name:  ")
                .unwrap_err()
                .contains("empty display name")
        );
        assert!(matches!(parse_sp_arg(GUID).unwrap(), SpArg::Ref(_)));
        assert!(parse_sp_arg("Contoso").is_err());
    }
}
