//! What an emulator does to the requests it serves: throttle, random faults, latency, and the
//! requests these apply to. One [`Settings`] value is read from the command line
//! ([`Settings::from_flags`], shared by `graph-sync emulator` and `graph-sync-emulator`), from
//! the control API (JSON, [`SettingsPatch`]) and the Rust API, and written back in the banner
//! ([`Settings::describe`]) and as JSON.

use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use crate::control::kinds::{self, DEFAULT_KINDS};
use crate::control::selection::Selection;
use crate::faults::{FaultRate, Latency, Resilience};
use crate::throttle::{ThrottleConfig, ThrottleKey};

/// The highest throttle rate and burst accepted.
const MAX_RATE: f64 = 1_000_000.0;
const MAX_BURST: u32 = 1_000_000;

/// Throttle, faults, latency and selection of one emulator.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// The token bucket per client (or per application), if throttling.
    pub throttle: Option<ThrottleConfig>,
    /// Random faults, if any.
    pub faults: Option<FaultRate>,
    /// A delay before each request, if any.
    pub latency: Option<Latency>,
    /// The requests throttle, faults and latency apply to.
    pub only: Selection,
}

/// The command-line flags of the control surface, as text (clap or a hand parser reads them;
/// [`Settings::from_flags`] judges them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Flags {
    /// `--throttle RATE[/BURST][,per-application]`.
    pub throttle: Option<String>,
    /// `--faults RATE` (0 to 1, or a percentage).
    pub faults: Option<String>,
    /// `--seed N`.
    pub seed: Option<String>,
    /// `--fault-kinds 503,504,…`.
    pub fault_kinds: Option<String>,
    /// `--latency MS[..MS]`.
    pub latency: Option<String>,
    /// `--only POST,*/secrets`.
    pub only: Option<String>,
}

impl Settings {
    /// Settings from the command-line flags.
    ///
    /// # Errors
    ///
    /// A message naming the flag and what it accepts.
    pub fn from_flags(flags: &Flags) -> Result<Self, String> {
        let seed = flags
            .seed
            .as_deref()
            .map(|text| {
                text.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("--seed needs a whole number, got {text:?}"))
            })
            .transpose()?;
        if seed.is_some() && flags.faults.is_none() && flags.latency.is_none() {
            return Err("--seed applies to --faults and --latency; give one of them".to_owned());
        }
        if flags.fault_kinds.is_some() && flags.faults.is_none() {
            return Err("--fault-kinds needs --faults RATE (e.g. --faults 0.05)".to_owned());
        }
        let seed = seed.unwrap_or_else(random_seed);
        let faults = match &flags.faults {
            Some(rate) => {
                let probability = parse_probability(rate)?;
                let kinds = flags.fault_kinds.as_deref().unwrap_or(DEFAULT_KINDS);
                let faults = kinds::parse_fault_kinds(kinds)?;
                Some(FaultRate::new(probability, seed, faults))
            }
            None => None,
        };
        Ok(Self {
            throttle: flags.throttle.as_deref().map(parse_throttle).transpose()?,
            faults,
            latency: flags
                .latency
                .as_deref()
                .map(|text| parse_latency(text).map(|(min, max)| Latency::new(min, max, seed)))
                .transpose()?,
            only: flags
                .only
                .as_deref()
                .map(Selection::parse)
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// Whether nothing is set.
    #[must_use]
    pub fn is_quiet(&self) -> bool {
        self.throttle.is_none() && self.faults.is_none() && self.latency.is_none()
    }

    /// One line per active setting, for a banner (`Throttle:  20 requests/s per client, …`);
    /// `Throttle, faults, latency: none` when nothing is set.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        if self.is_quiet() {
            let _ = writeln!(text, "Throttle, faults, latency: none");
            return text;
        }
        if let Some(throttle) = &self.throttle {
            let _ = writeln!(
                text,
                "Throttle:      {} requests/s per {}, bursts of {}",
                throttle.rate(),
                key_text(throttle.key()),
                throttle.burst()
            );
        }
        if let Some(faults) = &self.faults {
            let kinds: Vec<String> = faults.faults().iter().map(kinds::fault_text).collect();
            let _ = writeln!(
                text,
                "Faults:        {}% of requests (seed {}): {}",
                faults.probability() * 100.0,
                faults.seed(),
                kinds.join(", ")
            );
        }
        if let Some(latency) = &self.latency {
            let _ = writeln!(
                text,
                "Latency:       {}..{} ms (seed {})",
                latency.min().as_millis(),
                latency.max().as_millis(),
                latency.seed()
            );
        }
        let _ = writeln!(text, "Applied to:    {}", self.only);
        text
    }

    /// The settings as the control API writes them.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "throttle": self.throttle.map(|t| json!({
                "rate": t.rate(),
                "burst": t.burst(),
                "per": key_text(t.key()),
            })),
            "faults": self.faults.as_ref().map(|f| json!({
                "rate": f.probability(),
                "seed": f.seed(),
                "kinds": f.faults().iter().map(kinds::fault_text).collect::<Vec<_>>(),
            })),
            "latency": self.latency.map(|l| json!({
                "min_ms": u64::try_from(l.min().as_millis()).unwrap_or(u64::MAX),
                "max_ms": u64::try_from(l.max().as_millis()).unwrap_or(u64::MAX),
                "seed": l.seed(),
            })),
            "only": self.only,
        })
    }
}

impl Settings {
    /// The settings `resilience` runs with.
    pub(crate) fn current(resilience: &Resilience) -> Self {
        Self {
            throttle: resilience.throttle.config(),
            faults: resilience.rate(),
            latency: resilience.latency(),
            only: resilience.only(),
        }
    }

    /// Makes `resilience` run with these settings (throttle buckets start full, generators
    /// from their seeds).
    pub(crate) fn apply(&self, resilience: &Resilience) {
        resilience.throttle.set(self.throttle);
        resilience.set_rate(self.faults.clone());
        resilience.set_latency(self.latency);
        resilience.set_only(self.only.clone());
    }
}

/// A change to [`Settings`] from the control API: a field left out is kept, `null` clears
/// it, a value replaces it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsPatch {
    #[serde(default, deserialize_with = "present")]
    throttle: Option<Option<ThrottleJson>>,
    #[serde(default, deserialize_with = "present")]
    faults: Option<Option<FaultsJson>>,
    #[serde(default, deserialize_with = "present")]
    latency: Option<Option<LatencyJson>>,
    #[serde(default, deserialize_with = "present")]
    only: Option<Option<Selection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThrottleJson {
    rate: f64,
    burst: Option<f64>,
    per: Option<PerJson>,
}

/// Who shares a bucket, as the control API names it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PerJson {
    Client,
    Application,
}

/// `client` or `application`, as the banner and the control API write a [`ThrottleKey`].
fn key_text(key: ThrottleKey) -> &'static str {
    match key {
        ThrottleKey::Application => "application",
        // `ThrottleKey` is non-exhaustive for other crates only.
        ThrottleKey::Client => "client",
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsJson {
    rate: f64,
    seed: Option<u64>,
    kinds: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LatencyJson {
    min_ms: u64,
    max_ms: Option<u64>,
    seed: Option<u64>,
}

/// A field that is present (even as `null`) becomes `Some`.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

impl SettingsPatch {
    /// `current` with this change applied.
    pub(crate) fn apply(self, current: &Settings) -> Result<Settings, String> {
        let mut next = current.clone();
        if let Some(throttle) = self.throttle {
            next.throttle = throttle.map(ThrottleJson::config).transpose()?;
        }
        if let Some(faults) = self.faults {
            next.faults = faults.map(FaultsJson::rate).transpose()?;
        }
        if let Some(latency) = self.latency {
            next.latency = latency.map(LatencyJson::latency).transpose()?;
        }
        if let Some(only) = self.only {
            next.only = only
                .map(Selection::validated)
                .transpose()?
                .unwrap_or_default();
        }
        Ok(next)
    }
}

impl ThrottleJson {
    fn config(self) -> Result<ThrottleConfig, String> {
        let burst = match self.burst {
            None => None,
            Some(burst)
                if burst.fract() == 0.0 && (1.0..=f64::from(MAX_BURST)).contains(&burst) =>
            {
                // In range and whole: the cast is exact.
                Some(burst as u32)
            }
            Some(_) => {
                return Err(format!(
                    "throttle.burst must be a whole number from 1 to {MAX_BURST}"
                ));
            }
        };
        let config = throttle_config(self.rate, burst)?;
        Ok(match self.per {
            Some(PerJson::Application) => config.per_application(),
            Some(PerJson::Client) | None => config,
        })
    }
}

impl FaultsJson {
    fn rate(self) -> Result<FaultRate, String> {
        if !(self.rate.is_finite() && (0.0..=1.0).contains(&self.rate)) {
            return Err("faults.rate must be a share from 0 to 1".to_owned());
        }
        let faults = match self.kinds {
            Some(kinds) if kinds.is_empty() => {
                return Err("faults.kinds needs at least one kind".to_owned());
            }
            Some(kinds) => kinds
                .iter()
                .map(|kind| kinds::parse_fault(kind))
                .collect::<Result<Vec<_>, _>>()?,
            None => kinds::parse_fault_kinds(DEFAULT_KINDS)?,
        };
        Ok(FaultRate::new(
            self.rate,
            self.seed.unwrap_or_else(random_seed),
            faults,
        ))
    }
}

impl LatencyJson {
    fn latency(self) -> Result<Latency, String> {
        let max = self.max_ms.unwrap_or(self.min_ms);
        let text = format!("{}..{max}", self.min_ms);
        let (min, max) = parse_latency(&text)?;
        Ok(Latency::new(
            min,
            max,
            self.seed.unwrap_or_else(random_seed),
        ))
    }
}

/// `RATE[/BURST][,per-application]`: requests per second per client (or, with
/// `,per-application`, per application: the clients whose tokens were issued to one
/// application share its bucket) and the largest burst (default: the rate rounded up, at
/// least 1). `,per-client` says the default.
///
/// # Errors
///
/// A message saying what `--throttle` accepts.
pub fn parse_throttle(text: &str) -> Result<ThrottleConfig, String> {
    let usage = || {
        format!(
            "--throttle needs RATE[/BURST][,per-application], a positive number of requests per \
             second and a whole burst of at least 1 (e.g. 20/5 or 200/20,per-application), got \
             {text:?}"
        )
    };
    let (bucket, per) = match text.trim().split_once(',') {
        Some((bucket, per)) => (bucket, Some(per.trim())),
        None => (text.trim(), None),
    };
    let per_application = match per {
        None | Some("per-client") => false,
        Some("per-application") => true,
        Some(_) => return Err(usage()),
    };
    let (rate, burst) = match bucket.trim().split_once('/') {
        Some((rate, burst)) => (rate, Some(burst)),
        None => (bucket.trim(), None),
    };
    let rate: f64 = rate.trim().parse().map_err(|_| usage())?;
    let burst = burst
        .map(|burst| burst.trim().parse::<u32>().map_err(|_| usage()))
        .transpose()?;
    let config = throttle_config(rate, burst).map_err(|_| usage())?;
    Ok(if per_application {
        config.per_application()
    } else {
        config
    })
}

/// A checked [`ThrottleConfig`] (which panics on values out of range).
fn throttle_config(rate: f64, burst: Option<u32>) -> Result<ThrottleConfig, String> {
    if !(rate.is_finite() && rate > 0.0 && rate <= MAX_RATE) {
        return Err(format!(
            "the throttle rate must be above 0 and at most {MAX_RATE}"
        ));
    }
    let burst = match burst {
        Some(burst) => burst,
        // In (0, MAX_RATE] after the check above: the cast is exact after ceil.
        None => (rate.ceil() as u32).max(1),
    };
    if !(1..=MAX_BURST).contains(&burst) {
        return Err(format!("the throttle burst must be 1 to {MAX_BURST}"));
    }
    Ok(ThrottleConfig::new(rate, burst))
}

/// `RATE`: a share from 0 to 1 (`0.05`) or a percentage (`5%`).
///
/// # Errors
///
/// A message saying what `--faults` accepts.
pub fn parse_probability(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(number) => (number, 100.0),
        None => (trimmed, 1.0),
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .map(|value| value / scale)
        .filter(|share| share.is_finite() && (0.0..=1.0).contains(share))
        .ok_or_else(|| {
            format!("--faults needs a share from 0 to 1 or a percentage (0.05, 5%), got {text:?}")
        })
}

/// `MS` or `MS..MS`: a fixed or a uniformly drawn delay, at most 600000 ms.
///
/// # Errors
///
/// A message saying what `--latency` accepts.
pub fn parse_latency(text: &str) -> Result<(Duration, Duration), String> {
    let (min, max) = match text.trim().split_once("..") {
        Some((min, max)) => (min, max),
        None => (text.trim(), text.trim()),
    };
    let min = kinds::millis_arg(min, text)?;
    let max = kinds::millis_arg(max, text)?;
    if max < min {
        return Err(format!(
            "--latency {text:?}: the range must not run backwards"
        ));
    }
    Ok((min, max))
}

/// A seed when none is given, printed so that a run can be repeated.
fn random_seed() -> u64 {
    let (high, low) = uuid::Uuid::new_v4().as_u64_pair();
    (high ^ low) % 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Fault;

    fn flags(pairs: &[(&str, &str)]) -> Flags {
        let mut flags = Flags::default();
        for (name, value) in pairs {
            let value = Some((*value).to_owned());
            match *name {
                "throttle" => flags.throttle = value,
                "faults" => flags.faults = value,
                "seed" => flags.seed = value,
                "kinds" => flags.fault_kinds = value,
                "latency" => flags.latency = value,
                "only" => flags.only = value,
                other => panic!("{other}"),
            }
        }
        flags
    }

    #[test]
    fn flags_make_settings_and_the_banner_names_them() {
        let settings = Settings::from_flags(&flags(&[
            ("throttle", "20/5"),
            ("faults", "5%"),
            ("seed", "7"),
            ("kinds", "503:1.5,reset"),
            ("latency", "10..50"),
            ("only", "PUT,*/secrets"),
        ]))
        .unwrap();
        assert_eq!(settings.throttle, Some(ThrottleConfig::new(20.0, 5)));
        assert_eq!(
            settings.faults,
            Some(FaultRate::new(
                0.05,
                7,
                vec![
                    Fault::ServiceUnavailable(Some(Duration::from_millis(1500))),
                    Fault::ResetBeforeRead
                ]
            ))
        );
        assert_eq!(
            settings.describe(),
            "Throttle:      20 requests/s per client, bursts of 5\n\
             Faults:        5% of requests (seed 7): 503:1.5, reset\n\
             Latency:       10..50 ms (seed 7)\n\
             Applied to:    PUT,*/secrets\n"
        );
        assert_eq!(
            Settings::from_flags(&Flags::default()).unwrap().describe(),
            "Throttle, faults, latency: none\n"
        );
        let throttle = Settings::from_flags(&flags(&[("throttle", "2.5")])).unwrap();
        assert_eq!(throttle.throttle, Some(ThrottleConfig::new(2.5, 3)));
    }

    #[test]
    fn a_throttle_per_application_is_read_and_written_as_such() {
        let shared =
            Settings::from_flags(&flags(&[("throttle", "200/20,per-application")])).unwrap();
        assert_eq!(
            shared.throttle,
            Some(ThrottleConfig::new(200.0, 20).per_application())
        );
        assert_eq!(
            shared.describe(),
            "Throttle:      200 requests/s per application, bursts of 20\nApplied to:    every request\n"
        );
        assert_eq!(
            shared.to_json()["throttle"],
            json!({"rate": 200.0, "burst": 20.0, "per": "application"})
        );
        let default = Settings::from_flags(&flags(&[("throttle", "20/5, per-client")])).unwrap();
        assert_eq!(default.throttle, Some(ThrottleConfig::new(20.0, 5)));
        assert_eq!(default.to_json()["throttle"]["per"], "client");
        for bad in [
            "20/5,per-tenant",
            "20/5,",
            ",per-application",
            "20,per-application,x",
        ] {
            let error = Settings::from_flags(&flags(&[("throttle", bad)])).unwrap_err();
            assert!(
                error.contains("RATE[/BURST][,per-application]"),
                "{bad}: {error}"
            );
        }
        let patch: SettingsPatch = serde_json::from_value(
            json!({"throttle": {"rate": 5, "burst": 1, "per": "application"}}),
        )
        .unwrap();
        assert_eq!(
            patch.apply(&Settings::default()).unwrap().throttle,
            Some(ThrottleConfig::new(5.0, 1).per_application())
        );
        assert!(
            serde_json::from_value::<SettingsPatch>(
                json!({"throttle": {"rate": 5, "per": "tenant"}})
            )
            .is_err()
        );
    }

    #[test]
    fn bad_flags_are_refused_with_a_reason() {
        for pairs in [
            &[("throttle", "0")][..],
            &[("throttle", "-1/2")],
            &[("throttle", "NaN")],
            &[("throttle", "inf")],
            &[("throttle", "20/0")],
            &[("throttle", "20/")],
            &[("throttle", "20/5/1")],
            &[("throttle", "1e300")],
            &[("faults", "1.5")],
            &[("faults", "-0.1")],
            &[("faults", "abc")],
            &[("faults", "150%")],
            &[("seed", "3")],
            &[("faults", "0.1"), ("seed", "-3")],
            &[("kinds", "503")],
            &[("faults", "0.1"), ("kinds", "500")],
            &[("latency", "50..10")],
            &[("latency", "..")],
            &[("latency", "99999999999")],
            &[("only", "")],
        ] {
            let error = Settings::from_flags(&flags(pairs)).unwrap_err();
            assert!(!error.is_empty(), "{pairs:?}");
        }
    }

    #[test]
    fn a_patch_keeps_clears_and_replaces() {
        let start =
            Settings::from_flags(&flags(&[("throttle", "20/5"), ("latency", "5")])).unwrap();
        let patch: SettingsPatch = serde_json::from_str(
            r#"{"throttle":null,"faults":{"rate":1,"seed":3,"kinds":["504"]},"only":{"methods":["POST"]}}"#,
        )
        .unwrap();
        let next = patch.apply(&start).unwrap();
        assert_eq!(next.throttle, None);
        assert_eq!(next.latency, start.latency);
        assert_eq!(
            next.faults,
            Some(FaultRate::new(1.0, 3, vec![Fault::GatewayTimeout]))
        );
        assert!(next.only.matches("POST", "/x") && !next.only.matches("GET", "/x"));
        assert_eq!(next.to_json()["faults"]["kinds"], json!(["504"]));
        for bad in [
            r#"{"throttle":{"rate":0}}"#,
            r#"{"throttle":{"rate":5,"burst":0.5}}"#,
            r#"{"faults":{"rate":2}}"#,
            r#"{"faults":{"rate":0.5,"kinds":[]}}"#,
            r#"{"latency":{"min_ms":10,"max_ms":1}}"#,
        ] {
            let patch: SettingsPatch = serde_json::from_str(bad).unwrap();
            assert!(patch.apply(&start).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"throtle":null}"#).is_err());
    }
}
