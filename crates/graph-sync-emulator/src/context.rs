//! What the emulator knows about one request before it is handled: its `request-id`, the
//! `client-request-id` to echo, and the time it was received, with the two date formats Graph
//! uses (the HTTP `Date` header and the ISO 8601 `date` of an error's `innerError`).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::header::DATE;
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// The `request-id` response header.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
/// The `client-request-id` request and response header.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// Per-request identifiers and time, shared by the response headers and the error body.
#[derive(Clone, Debug)]
pub(crate) struct RequestContext {
    /// A fresh UUID naming this request.
    request_id: String,
    /// The client's `client-request-id`, or the `request-id` when it sent none (as Graph does).
    client_request_id: HeaderValue,
    /// When the request was received.
    received: SystemTime,
}

impl RequestContext {
    /// The context of a request with these headers, received now.
    pub(crate) fn new(request_headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = match request_headers.get(CLIENT_REQUEST_ID) {
            Some(value) => value.clone(),
            // A UUID is always a valid header value; the fallback is never taken.
            None => HeaderValue::from_str(&request_id)
                .unwrap_or_else(|_| HeaderValue::from_static("unknown")),
        };
        Self {
            request_id,
            client_request_id,
            received: SystemTime::now(),
        }
    }

    /// The `request-id`.
    pub(crate) fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The `client-request-id` as text (lossy for a header that is not UTF-8).
    pub(crate) fn client_request_id(&self) -> String {
        String::from_utf8_lossy(self.client_request_id.as_bytes()).into_owned()
    }

    /// The receive time as Graph writes it in `innerError.date`: `2026-11-22T10:00:00` (UTC).
    pub(crate) fn iso_date(&self) -> String {
        iso_8601_utc(self.received)
    }

    /// Sets `request-id`, `client-request-id` and `Date` on a response.
    pub(crate) fn apply_headers(&self, headers: &mut HeaderMap) {
        if let Ok(value) = HeaderValue::from_str(&self.request_id) {
            headers.insert(REQUEST_ID, value);
        }
        headers.insert(CLIENT_REQUEST_ID, self.client_request_id.clone());
        if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(self.received)) {
            headers.insert(DATE, value);
        }
    }
}

/// Formats `time` as `YYYY-MM-DDTHH:MM:SS` in UTC, without fraction or offset, as Graph does in
/// `innerError.date`. Times before 1970 are written as 1970-01-01T00:00:00.
fn iso_8601_utc(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let second_of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The proleptic Gregorian date of day `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468; // days since 0000-03-01
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(seconds: u64) -> String {
        iso_8601_utc(UNIX_EPOCH + Duration::from_secs(seconds))
    }

    #[test]
    fn iso_dates_match_known_instants() {
        assert_eq!(at(0), "1970-01-01T00:00:00");
        // The date of the InvalidNotificationSettings error in msgraph-metadata#127.
        assert_eq!(at(1_673_456_275), "2023-01-11T16:57:55");
        // A leap day and the turn of a century.
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(at(1_795_341_600), "2026-11-22T10:00:00");
        assert_eq!(at(4_102_444_799), "2099-12-31T23:59:59");
        assert_eq!(
            iso_8601_utc(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00"
        );
    }

    #[test]
    fn iso_date_agrees_with_the_http_date() {
        let time = UNIX_EPOCH + Duration::from_secs(1_795_341_600);
        assert_eq!(
            httpdate::fmt_http_date(time),
            "Sun, 22 Nov 2026 10:00:00 GMT"
        );
    }

    #[test]
    fn client_request_id_is_echoed_or_defaults_to_the_request_id() {
        let mut headers = HeaderMap::new();
        let fresh = RequestContext::new(&headers);
        assert_eq!(fresh.client_request_id(), fresh.request_id());
        assert!(uuid::Uuid::parse_str(fresh.request_id()).is_ok());

        headers.insert(CLIENT_REQUEST_ID, HeaderValue::from_static("mine-42"));
        let echoed = RequestContext::new(&headers);
        assert_eq!(echoed.client_request_id(), "mine-42");
        let mut response_headers = HeaderMap::new();
        echoed.apply_headers(&mut response_headers);
        assert_eq!(response_headers[CLIENT_REQUEST_ID], "mine-42");
        assert_eq!(response_headers[REQUEST_ID], echoed.request_id());
        assert!(response_headers.contains_key(DATE));
    }
}
