//! Timestamps (`Edm.DateTimeOffset`) and durations (`Edm.Duration`) as Graph writes them.
//!
//! Both keep the exact text they were read from, so a body read and written again is
//! unchanged, and expose the value as a proper type: a [`time::OffsetDateTime`] and a
//! [`std::time::Duration`]. The latter matters: Graph writes a disabled schedule's interval
//! as `P10675199DT2H48M5.4775807S` (.NET's `TimeSpan.MaxValue`, ~29,227 years), which no
//! nanosecond `i64` can hold.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Why a timestamp or duration text is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Not an ISO 8601 day-time duration.
    #[error("{text:?} is not an ISO 8601 duration like PT20M or P1DT2H3M4.5S: {reason}")]
    InvalidDuration {
        /// The rejected text (durations are not secret), cut to its first
        /// [`MAX_QUOTED`] characters and `…`, so that a huge input makes a short message.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Not an ISO 8601 timestamp with an offset.
    #[error("{text:?} is not an ISO 8601 timestamp like 2019-03-20T15:47:50.4707552Z")]
    InvalidTimestamp {
        /// The rejected text, cut as in [`TimeError::InvalidDuration`].
        text: String,
    },
}

/// The most characters of a rejected text, escaped, that a [`TimeError`] keeps.
pub const MAX_QUOTED: usize = 64;

/// `text` as a [`TimeError`] keeps it: as many characters as fit in [`MAX_QUOTED`] once
/// escaped for the message (an escape such as `\u{12}` counts in full), then `…`.
fn quoted(text: &str) -> String {
    let mut kept = String::new();
    let mut width = 0_usize;
    for c in text.chars() {
        width = width.saturating_add(c.escape_debug().count());
        if width > MAX_QUOTED {
            kept.push('…');
            return kept;
        }
        kept.push(c);
    }
    kept
}

/// An `Edm.Duration`: an ISO 8601 day-time duration such as `PT20M` or
/// `P10675199DT2H48M5.4775807S`, over a [`std::time::Duration`].
///
/// Reading keeps the text, which is what is written back; a duration made from a
/// [`Duration`] is written in the shortest form (`PT40M`, `P1DT0.5S`). Two durations are equal
/// when their values are. Years, months and negative durations are refused: they have no exact
/// length, and Graph's durations are non-negative day-time spans.
#[derive(Clone)]
pub struct IsoDuration {
    value: Duration,
    text: String,
}

impl IsoDuration {
    /// The text of .NET's `TimeSpan.MaxValue`, which Graph uses for "never" (disabled
    /// schedules).
    pub const TIMESPAN_MAX_TEXT: &'static str = "P10675199DT2H48M5.4775807S";

    /// Parses an ISO 8601 day-time duration: `P[nD][T[nH][nM][n[.f]S]]`, with up to 9
    /// fractional digits on the seconds, or `nW`.
    ///
    /// # Errors
    ///
    /// [`TimeError::InvalidDuration`] naming the problem.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let invalid = |reason| TimeError::InvalidDuration {
            text: quoted(text),
            reason,
        };
        if text.starts_with('-') {
            return Err(invalid("negative durations are not supported"));
        }
        let rest = text
            .strip_prefix('P')
            .ok_or_else(|| invalid("it must start with P"))?;
        let (date, time) = match rest.split_once('T') {
            Some((date, time)) => {
                if time.is_empty() {
                    return Err(invalid("T must be followed by hours, minutes or seconds"));
                }
                (date, Some(time))
            }
            None => (rest, None),
        };
        if date.is_empty() && time.is_none() {
            return Err(invalid("it has no components"));
        }
        let mut seconds: u64 = 0;
        let mut nanos: u32 = 0;
        let mut add = |amount: u64, unit: u64| -> Result<(), TimeError> {
            amount
                .checked_mul(unit)
                .and_then(|s| seconds.checked_add(s))
                .map(|s| seconds = s)
                .ok_or_else(|| invalid("it is too long"))
        };
        let mut last = 0;
        for (number, designator) in components(date).map_err(invalid)? {
            let (order, unit) = match designator {
                'W' => (1, 7 * 86_400),
                'D' => (2, 86_400),
                'Y' | 'M' => return Err(invalid("years and months have no exact length")),
                _ => return Err(invalid("unknown date designator")),
            };
            if order <= last {
                return Err(invalid("components are out of order or repeated"));
            }
            last = order;
            add(whole(number).map_err(invalid)?, unit)?;
        }
        last = 0;
        for (number, designator) in components(time.unwrap_or("")).map_err(invalid)? {
            let (order, unit) = match designator {
                'H' => (1, 3_600),
                'M' => (2, 60),
                'S' => (3, 1),
                _ => return Err(invalid("unknown time designator")),
            };
            if order <= last {
                return Err(invalid("components are out of order or repeated"));
            }
            last = order;
            if designator == 'S' {
                let (int, frac) = number.split_once('.').unwrap_or((number, ""));
                add(whole(int).map_err(invalid)?, 1)?;
                if !frac.is_empty() {
                    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(invalid("at most 9 fractional digits are allowed"));
                    }
                    let padded = format!("{frac:0<9}");
                    nanos = padded.parse().map_err(|_| invalid("bad fraction"))?;
                }
            } else {
                add(whole(number).map_err(invalid)?, unit)?;
            }
        }
        Ok(Self {
            value: Duration::new(seconds, nanos),
            text: text.to_owned(),
        })
    }

    /// .NET's `TimeSpan.MaxValue`, `P10675199DT2H48M5.4775807S`.
    #[must_use]
    pub fn timespan_max() -> Self {
        Self {
            value: Duration::new(10_675_199 * 86_400 + 2 * 3_600 + 48 * 60 + 5, 477_580_700),
            text: Self::TIMESPAN_MAX_TEXT.to_owned(),
        }
    }

    /// Whether this is .NET's `TimeSpan.MaxValue` (Graph's "never").
    #[must_use]
    pub fn is_timespan_max(&self) -> bool {
        self.value == Self::timespan_max().value
    }

    /// The value.
    #[must_use]
    pub fn as_std(&self) -> Duration {
        self.value
    }

    /// The text as read, or the shortest form for a duration made from a value.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Splits `"1D2H"` into `[("1", 'D'), ("2", 'H')]`.
fn components(text: &str) -> Result<Vec<(&str, char)>, &'static str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphabetic() {
            if i == start {
                return Err("a designator has no number");
            }
            out.push((&text[start..i], c));
            start = i.saturating_add(c.len_utf8());
        }
    }
    if start != text.len() {
        return Err("a number has no designator");
    }
    Ok(out)
}

fn whole(number: &str) -> Result<u64, &'static str> {
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err("only the seconds may have a fraction");
    }
    number.parse().map_err(|_| "a number is too large")
}

impl From<Duration> for IsoDuration {
    fn from(value: Duration) -> Self {
        let total = value.as_secs();
        let (days, hours, minutes, seconds) = (
            total / 86_400,
            total % 86_400 / 3_600,
            total % 3_600 / 60,
            total % 60,
        );
        let nanos = value.subsec_nanos();
        let mut text = String::from("P");
        if days > 0 {
            text.push_str(&format!("{days}D"));
        }
        if hours > 0 || minutes > 0 || seconds > 0 || nanos > 0 || days == 0 {
            text.push('T');
            if hours > 0 {
                text.push_str(&format!("{hours}H"));
            }
            if minutes > 0 {
                text.push_str(&format!("{minutes}M"));
            }
            if seconds > 0 || nanos > 0 || (hours == 0 && minutes == 0) {
                text.push_str(&seconds.to_string());
                if nanos > 0 {
                    let frac = format!("{nanos:09}");
                    text.push('.');
                    text.push_str(frac.trim_end_matches('0'));
                }
                text.push('S');
            }
        }
        Self { value, text }
    }
}

impl From<IsoDuration> for Duration {
    fn from(duration: IsoDuration) -> Self {
        duration.value
    }
}

impl Default for IsoDuration {
    fn default() -> Self {
        Self::from(Duration::ZERO)
    }
}

impl PartialEq for IsoDuration {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for IsoDuration {}

impl fmt::Debug for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IsoDuration({})", self.text)
    }
}

impl fmt::Display for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for IsoDuration {
    type Err = TimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for IsoDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for IsoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An `Edm.DateTimeOffset`, such as `2019-03-20T15:47:50.4707552Z`.
///
/// Graph fills unset non-nullable timestamps with .NET's minimum, `0001-01-01T00:00:00Z`
/// ([`Timestamp::is_unset`]); the documentation even shows `""`, which is accepted as unset
/// too and written back as `""`. Reading keeps the text, which is what is written back; a
/// timestamp made from a value is written in UTC with 7 fractional digits when it has a
/// fraction, as Graph does. Two timestamps are equal when their instants are (all unset ones
/// are equal).
#[derive(Clone)]
pub struct Timestamp {
    value: Option<OffsetDateTime>,
    text: String,
}

impl Timestamp {
    /// The "not set" sentinel Graph writes: `0001-01-01T00:00:00Z`.
    pub const UNSET_TEXT: &'static str = "0001-01-01T00:00:00Z";

    /// Parses an RFC 3339 timestamp (up to 9 fractional digits), or `""` as unset.
    ///
    /// # Errors
    ///
    /// [`TimeError::InvalidTimestamp`].
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        if text.is_empty() {
            return Ok(Self {
                value: None,
                text: String::new(),
            });
        }
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|value| Self {
                value: Some(value),
                text: text.to_owned(),
            })
            .map_err(|_| TimeError::InvalidTimestamp { text: quoted(text) })
    }

    /// The sentinel `0001-01-01T00:00:00Z`.
    #[must_use]
    pub fn unset() -> Self {
        Self {
            value: None,
            text: Self::UNSET_TEXT.to_owned(),
        }
    }

    /// Whether this is unset: the .NET minimum or `""`.
    #[must_use]
    pub fn is_unset(&self) -> bool {
        self.value.is_none_or(|value| {
            value
                .checked_to_offset(time::UtcOffset::UTC)
                .is_some_and(|utc| {
                    utc.year() == 1 && utc.ordinal() == 1 && utc.time() == time::Time::MIDNIGHT
                })
        })
    }

    /// The instant, or `None` when unset.
    #[must_use]
    pub fn value(&self) -> Option<OffsetDateTime> {
        if self.is_unset() { None } else { self.value }
    }

    /// The text as read or written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(value: OffsetDateTime) -> Self {
        let Some(utc) = value.checked_to_offset(time::UtcOffset::UTC) else {
            // Only at the edges of the representable range: keep the offset.
            return Self {
                value: Some(value),
                text: value.format(&Rfc3339).unwrap_or_default(),
            };
        };
        let ticks = utc.nanosecond() / 100;
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        if ticks > 0 {
            text.push_str(&format!(".{ticks:07}"));
        }
        text.push('Z');
        Self {
            value: Some(utc),
            text,
        }
    }
}

impl Default for Timestamp {
    fn default() -> Self {
        Self::unset()
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
    }
}

impl Eq for Timestamp {}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespan_max_parses_without_overflow_and_round_trips() {
        let max = IsoDuration::parse(IsoDuration::TIMESPAN_MAX_TEXT).unwrap();
        assert!(max.is_timespan_max());
        assert_eq!(max.as_std().as_secs(), 922_337_203_685);
        assert_eq!(max.as_std().subsec_nanos(), 477_580_700);
        assert_eq!(
            IsoDuration::from(max.as_std()).as_str(),
            IsoDuration::TIMESPAN_MAX_TEXT
        );
        assert_eq!(
            serde_json::to_string(&max).unwrap(),
            "\"P10675199DT2H48M5.4775807S\""
        );
    }

    #[test]
    fn durations_parse_and_format() {
        for (text, secs, nanos) in [
            ("PT20M", 1_200, 0),
            ("PT40M", 2_400, 0),
            ("PT1M", 60, 0),
            ("P1D", 86_400, 0),
            ("PT0S", 0, 0),
            ("P1W", 604_800, 0),
            ("P1DT2H3M4.5S", 93_784, 500_000_000),
        ] {
            let d = IsoDuration::parse(text).unwrap();
            assert_eq!(d.as_std(), Duration::new(secs, nanos), "{text}");
            assert_eq!(d.as_str(), text);
        }
        assert_eq!(
            IsoDuration::from(Duration::from_secs(2_400)).as_str(),
            "PT40M"
        );
        assert_eq!(IsoDuration::from(Duration::ZERO).as_str(), "PT0S");
        assert_eq!(
            IsoDuration::from(Duration::from_millis(86_400_500)).as_str(),
            "P1DT0.5S"
        );
        assert_eq!(
            IsoDuration::from(Duration::from_secs(86_400)).as_str(),
            "P1D"
        );
    }

    #[test]
    fn bad_durations_are_refused_with_a_reason() {
        for bad in [
            "",
            "P",
            "PT",
            "20M",
            "P1M",
            "P1Y",
            "-PT1S",
            "PT1.5M",
            "PT1H2H",
            "PTM",
            "PT1",
            "P99999999999999999999D",
            "PT1.0123456789S",
        ] {
            let err = IsoDuration::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("ISO 8601 duration"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn timestamps_keep_seven_digits_and_know_the_sentinel() {
        let t = Timestamp::parse("2019-03-20T15:47:50.4707552Z").unwrap();
        assert_eq!(t.value().unwrap().nanosecond(), 470_755_200);
        assert_eq!(t.as_str(), "2019-03-20T15:47:50.4707552Z");
        assert_eq!(
            Timestamp::from(t.value().unwrap()).as_str(),
            "2019-03-20T15:47:50.4707552Z"
        );
        let unset = Timestamp::parse("0001-01-01T00:00:00Z").unwrap();
        assert!(unset.is_unset());
        assert_eq!(unset.value(), None);
        assert_eq!(unset, Timestamp::default());
        let empty: Timestamp = serde_json::from_str("\"\"").unwrap();
        assert!(empty.is_unset());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "\"\"");
        assert!(!t.is_unset());
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("2019-03-20T15:47:50").is_err());
    }
}
