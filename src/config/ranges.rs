//! The allowed range of every numeric setting, in one list: checked at load
//! (after serde has read the types), and used to explain a number serde
//! refused (`-1` for a count), so either way the message gives the range.
//!
//! Upper bounds are there where a larger value means nothing sensible and
//! would overflow date or timer arithmetic (a deadline 400 000 years away).

use super::{Config, KeyPath};
use std::fmt;

/// Which numbers a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Allowed {
    /// Whole numbers from `min` to `max`, both included (`u64::MAX`: no
    /// upper bound), in `unit` ("" when the number has none).
    Whole {
        /// Least value.
        min: u64,
        /// Greatest value.
        max: u64,
        /// What is counted ("hours", "bytes" …).
        unit: &'static str,
    },
    /// Finite numbers of at least `min`, or above `min` when `above`.
    Real {
        /// The bound.
        min: f64,
        /// `min` itself is not allowed.
        above: bool,
    },
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Allowed::Whole { min, max, unit } => {
                if max == u64::MAX {
                    write!(f, "a whole number of at least {min}")?;
                } else {
                    write!(f, "a whole number from {min} to {max}")?;
                }
                if !unit.is_empty() {
                    write!(f, " ({unit})")?;
                }
                Ok(())
            }
            Allowed::Real { min, above: true } => write!(f, "a number above {min:?}"),
            Allowed::Real { min, above: false } => write!(f, "a number of at least {min:?}"),
        }
    }
}

/// A setting's value as read.
#[derive(Debug, Clone, Copy)]
enum Value {
    Whole(u64),
    Real(f64),
}

impl Value {
    fn fits(self, allowed: Allowed) -> bool {
        match (self, allowed) {
            (Value::Whole(value), Allowed::Whole { min, max, .. }) => (min..=max).contains(&value),
            (Value::Real(value), Allowed::Real { min, above }) => {
                value.is_finite() && (value > min || (!above && value == min))
            }
            // The list below pairs each value with its own kind of range.
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Whole(value) => write!(f, "{value}"),
            Value::Real(value) => write!(f, "{value:?}"),
        }
    }
}

/// One numeric setting: its key, its value and what it accepts, with a
/// hint when the range alone does not say what to do.
struct Setting {
    key: KeyPath,
    value: Value,
    allowed: Allowed,
    hint: Option<&'static str>,
}

const fn whole(min: u64, max: u64, unit: &'static str) -> Allowed {
    Allowed::Whole { min, max, unit }
}

/// Whole numbers of at least `min`, without an upper bound.
const fn at_least(min: u64, unit: &'static str) -> Allowed {
    whole(min, u64::MAX, unit)
}

/// Longest review deadline: a year.
const MAX_SLA_HOURS: u64 = 365 * 24;
/// Longest a network exchange may be allowed to take: an hour.
const MAX_TIMEOUT_SECS: u64 = 3600;

/// Every numeric setting of `config` (each source's too).
fn settings(config: &Config) -> Vec<Setting> {
    let setting = |key: KeyPath, value: Value, allowed: Allowed| Setting {
        key,
        value,
        allowed,
        hint: None,
    };
    let size = |value: usize| Value::Whole(u64::try_from(value).unwrap_or(u64::MAX));
    let (privacy, text, crawl) = (&config.privacy, &config.text, &config.crawl);
    let (digest, alerts, trends, review) = (
        &config.digest,
        &config.alerts,
        &config.trends,
        &config.review,
    );
    let mut list = vec![
        setting(
            KeyPath::new("privacy", "retention_days"),
            Value::Whole(privacy.retention_days.into()),
            whole(1, 36_500, "days"),
        ),
        setting(
            KeyPath::new("text", "max_text_bytes"),
            size(text.max_text_bytes),
            at_least(1024, "bytes"),
        ),
        setting(
            KeyPath::new("crawl", "per_host_delay_ms"),
            Value::Whole(crawl.per_host_delay_ms),
            whole(0, 3_600_000, "milliseconds"),
        ),
        setting(
            KeyPath::new("crawl", "max_body_bytes"),
            size(crawl.max_body_bytes),
            at_least(1024, "bytes"),
        ),
        setting(
            KeyPath::new("crawl", "timeout_secs"),
            Value::Whole(crawl.timeout_secs),
            whole(1, MAX_TIMEOUT_SECS, "seconds"),
        ),
        setting(
            KeyPath::new("crawl", "concurrency"),
            size(crawl.concurrency),
            whole(1, 64, "sources at a time"),
        ),
        setting(
            KeyPath::new("digest", "top"),
            size(digest.top),
            whole(1, 100, "items"),
        ),
        setting(
            KeyPath::new("digest", "timeout_secs"),
            Value::Whole(digest.timeout_secs),
            whole(1, MAX_TIMEOUT_SECS, "seconds"),
        ),
        Setting {
            hint: Some("to send no alerts, set `enabled = false`"),
            ..setting(
                KeyPath::new("alerts", "max_per_hour"),
                Value::Whole(alerts.max_per_hour.into()),
                at_least(1, "messages"),
            )
        },
        setting(
            KeyPath::new("alerts", "burst_score"),
            Value::Real(alerts.burst_score),
            Allowed::Real {
                min: 0.0,
                above: true,
            },
        ),
        setting(
            KeyPath::new("trends", "min_support"),
            Value::Whole(trends.min_support.into()),
            at_least(1, "items"),
        ),
        Setting {
            hint: Some("a rise is at least the count that was expected"),
            ..setting(
                KeyPath::new("trends", "min_ratio"),
                Value::Real(trends.min_ratio),
                Allowed::Real {
                    min: 1.0,
                    above: false,
                },
            )
        },
        Setting {
            hint: Some("it counts standard deviations above the expected count"),
            ..setting(
                KeyPath::new("trends", "min_z"),
                Value::Real(trends.min_z),
                Allowed::Real {
                    min: 0.0,
                    above: true,
                },
            )
        },
    ];
    for (key, hours) in [
        ("sla_critical_hours", review.sla_critical_hours),
        ("sla_high_hours", review.sla_high_hours),
        ("sla_medium_hours", review.sla_medium_hours),
        ("sla_low_hours", review.sla_low_hours),
    ] {
        list.push(setting(
            KeyPath::new("review", key),
            Value::Whole(hours.into()),
            whole(1, MAX_SLA_HOURS, "hours"),
        ));
    }
    list.push(setting(
        KeyPath::new("review", "petition_reply_days"),
        Value::Whole(review.petition_reply_days.into()),
        whole(1, 365, "days"),
    ));
    list.push(setting(
        KeyPath::new("review", "trend_case_score"),
        Value::Real(review.trend_case_score),
        Allowed::Real {
            min: 0.0,
            above: true,
        },
    ));
    for (index, source) in config.sources.iter().enumerate() {
        list.push(setting(
            KeyPath::indexed("sources", index, "max_pages"),
            Value::Whole(source.max_pages.into()),
            at_least(1, "pages"),
        ));
    }
    list
}

/// Checks every numeric setting; returns the first out of range, with the
/// value given and the range allowed.
pub(super) fn validate(config: &Config) -> Result<(), (KeyPath, String)> {
    for setting in settings(config) {
        if !setting.value.fits(setting.allowed) {
            let mut message = format!("{} is out of range: use {}", setting.value, setting.allowed);
            if let Some(hint) = setting.hint {
                message.push_str("; ");
                message.push_str(hint);
            }
            return Err((setting.key, message));
        }
    }
    Ok(())
}

/// The range of the numeric setting `key`, named as in parse errors
/// (`review.sla_low_hours`, `sources.max_pages`: no array index).
pub(super) fn allowed(key: &str) -> Option<Allowed> {
    let mut template = Config::default();
    template.sources.push(super::SourceConfig::template());
    settings(&template)
        .into_iter()
        .find(|setting| without_indices(&setting.key.to_string()) == key)
        .map(|setting| setting.allowed)
}

/// `sources[2].max_pages` → `sources.max_pages`.
fn without_indices(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut in_index = false;
    for c in key.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            c if !in_index => out.push(c),
            _ => {}
        }
    }
    out
}

/// Every numeric key the list covers, named as in [`allowed`].
#[cfg(test)]
pub(super) fn covered_keys() -> Vec<String> {
    let mut template = Config::default();
    template.sources.push(super::SourceConfig::template());
    settings(&template)
        .iter()
        .map(|setting| without_indices(&setting.key.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(
            whole(1, 8760, "hours").to_string(),
            "a whole number from 1 to 8760 (hours)"
        );
        assert_eq!(at_least(1, "").to_string(), "a whole number of at least 1");
        let ratio = Allowed::Real {
            min: 1.0,
            above: false,
        };
        assert_eq!(ratio.to_string(), "a number of at least 1.0");
        assert!(Value::Real(1.0).fits(ratio));
        assert!(!Value::Real(f64::NAN).fits(ratio));
        assert!(!Value::Real(f64::INFINITY).fits(ratio));
        let score = Allowed::Real {
            min: 0.0,
            above: true,
        };
        assert!(!Value::Real(0.0).fits(score));
        assert!(Value::Real(0.1).fits(score));
    }

    #[test]
    fn ranges_are_found_by_key_without_index() {
        assert_eq!(
            without_indices("sources[12].max_pages"),
            "sources.max_pages"
        );
        assert_eq!(allowed("sources.max_pages"), Some(at_least(1, "pages")));
        assert_eq!(
            allowed("review.sla_low_hours"),
            Some(whole(1, MAX_SLA_HOURS, "hours"))
        );
        assert_eq!(allowed("review.nothing"), None);
    }
}
