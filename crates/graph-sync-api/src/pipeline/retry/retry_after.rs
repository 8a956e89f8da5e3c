//! `Retry-After`: seconds (fractional too, and the duplicated `N, N` some proxies produce)
//! or an HTTP date. Read when a response becomes a [`ServiceError`](crate::ServiceError).

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::{DATE, RETRY_AFTER};

/// The longest wait taken from a header, to keep a hostile value from overflowing.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Reads `Retry-After` from `headers`. A date is measured from the response's `Date` header
/// when present (so client clock skew does not matter), else from `now`.
pub(crate) fn parse(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let first = text.split(',').next().unwrap_or(text).trim();
    if let Some(seconds) = parse_seconds(first) {
        return Some(seconds);
    }
    let at = httpdate::parse_http_date(text).ok()?;
    let base = headers
        .get(DATE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| httpdate::parse_http_date(value).ok())
        .unwrap_or(now);
    Some(
        at.duration_since(base)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

fn parse_seconds(text: &str) -> Option<Duration> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let seconds: f64 = text.parse().ok()?;
    if !seconds.is_finite() {
        return None;
    }
    Some(Duration::from_secs_f64(
        seconds.clamp(0.0, MAX_RETRY_AFTER.as_secs_f64()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn seconds_fractions_and_duplicates() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            parse(&headers(&[("retry-after", "7")]), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse(&headers(&[("retry-after", "2.128")]), now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            parse(&headers(&[("retry-after", "3, 3")]), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse(&headers(&[("retry-after", "99999999999")]), now),
            Some(MAX_RETRY_AFTER)
        );
        for bad in ["-1", "soon", "", "1e3", "NaN"] {
            assert_eq!(parse(&headers(&[("retry-after", bad)]), now), None, "{bad}");
        }
        assert_eq!(parse(&HeaderMap::new(), now), None);
    }

    #[test]
    fn http_dates_are_measured_from_the_date_header() {
        let h = headers(&[
            ("retry-after", "Sun, 22 Nov 2026 10:00:30 GMT"),
            ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
        ]);
        assert_eq!(
            parse(&h, SystemTime::UNIX_EPOCH),
            Some(Duration::from_secs(30))
        );
        let past = headers(&[
            ("retry-after", "Sun, 22 Nov 2026 09:00:00 GMT"),
            ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
        ]);
        assert_eq!(parse(&past, SystemTime::UNIX_EPOCH), Some(Duration::ZERO));
        let no_date = headers(&[("retry-after", "Thu, 01 Jan 1970 00:01:00 GMT")]);
        assert_eq!(
            parse(&no_date, SystemTime::UNIX_EPOCH),
            Some(Duration::from_secs(60))
        );
    }

    /// Any header text: no panic, never more than the cap.
    #[test]
    fn any_header_text_never_panics_and_never_waits_past_the_cap() {
        use proptest::prelude::*;
        let text = prop_oneof![
            "[ -~]{0,40}",
            "-?[0-9]{0,30}(\\.[0-9]{0,30})?(, ?[0-9]{0,5})?",
            "(Mon|Sun|Fri), [0-9]{1,2} (Jan|Nov|Feb) [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        ];
        crate::property_runner()
            .run(
                &(text.clone(), prop::option::of(text), any::<u64>()),
                |(value, date, now)| {
                    let mut map = HeaderMap::new();
                    let Ok(value) = HeaderValue::from_str(&value) else {
                        return Ok(());
                    };
                    map.insert(RETRY_AFTER, value);
                    if let Some(Ok(date)) = date.as_deref().map(HeaderValue::from_str) {
                        map.insert(DATE, date);
                    }
                    let now = SystemTime::UNIX_EPOCH
                        .checked_add(Duration::from_secs(now % (1 << 40)))
                        .unwrap_or(SystemTime::UNIX_EPOCH);
                    if let Some(wait) = parse(&map, now) {
                        prop_assert!(wait <= MAX_RETRY_AFTER, "{wait:?}");
                    }
                    Ok(())
                },
            )
            .unwrap();
    }

    /// Seconds of any size are read and clamped; a negative number is no wait at all.
    #[test]
    fn seconds_of_any_size_clamp_to_the_cap() {
        use proptest::prelude::*;
        crate::property_runner()
            .run(
                &("[0-9]{1,30}", prop::option::of("[0-9]{1,9}"), any::<bool>()),
                |(whole, fraction, negative)| {
                    let text = match &fraction {
                        Some(fraction) => format!("{whole}.{fraction}"),
                        None => whole.clone(),
                    };
                    let text = if negative { format!("-{text}") } else { text };
                    let parsed = parse(&headers(&[("retry-after", &text)]), SystemTime::UNIX_EPOCH);
                    if negative {
                        prop_assert_eq!(parsed, None);
                        return Ok(());
                    }
                    let seconds: f64 = text.parse().unwrap();
                    let expected =
                        Duration::from_secs_f64(seconds.min(MAX_RETRY_AFTER.as_secs_f64()));
                    prop_assert_eq!(parsed, Some(expected), "{}", text);
                    Ok(())
                },
            )
            .unwrap();
    }

    /// A date is the time from the `Date` header to it: zero when past, the cap at most.
    #[test]
    fn dates_are_measured_exactly_and_clamped() {
        use proptest::prelude::*;
        let second = 0..253_402_300_799_u64; // 9999-12-31T23:59:59Z
        crate::property_runner()
            .run(&(second.clone(), second), |(at, date)| {
                let time = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
                let map = headers(&[
                    ("retry-after", &httpdate::fmt_http_date(time(at))),
                    ("date", &httpdate::fmt_http_date(time(date))),
                ]);
                let expected = Duration::from_secs(at.saturating_sub(date)).min(MAX_RETRY_AFTER);
                prop_assert_eq!(parse(&map, SystemTime::UNIX_EPOCH), Some(expected));
                Ok(())
            })
            .unwrap();
    }
}
