//! Query-string parameters, checked: a value an endpoint cannot use is a
//! [`ParamError`] naming the parameter, the value and what is accepted,
//! never silently dropped. The JSON API and the CSV export refuse the
//! request with it (400); the search page shows it and goes on without the
//! value.
//!
//! An empty value (a form's "all") is the same as no value.

use thiserror::Error;

/// Longest value quoted back in a message (the rest is cut off with …).
const QUOTED_CHARS: usize = 60;

/// A parameter whose value the endpoint cannot use.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParamError {
    /// Not a date.
    #[error("parameter `{param}`: `{value}` is not a date: write YYYY-MM-DD")]
    Date {
        /// The parameter.
        param: &'static str,
        /// What was sent.
        value: String,
    },
    /// Not an age such as 24h.
    #[error(
        "parameter `{param}`: `{value}` is not a time span: write a number and m, h, d or w, e.g. 24h or 7d"
    )]
    Age {
        /// The parameter.
        param: &'static str,
        /// What was sent.
        value: String,
    },
    /// Not a whole number in range.
    #[error("parameter `{param}`: `{value}` is not a whole number from {min}{}", max.map_or_else(|| " up".to_string(), |m| format!(" to {m}")))]
    Number {
        /// The parameter.
        param: &'static str,
        /// What was sent.
        value: String,
        /// The least accepted.
        min: usize,
        /// The most accepted, if there is a most.
        max: Option<usize>,
    },
    /// Not one of a fixed set.
    #[error("parameter `{param}`: `{value}` is not one of {}", accepted.join(", "))]
    Choice {
        /// The parameter.
        param: &'static str,
        /// What was sent.
        value: String,
        /// The values accepted.
        accepted: Vec<&'static str>,
    },
    /// Sent more than once (which one was meant?).
    #[error("parameter `{param}` is given more than once: send it once")]
    Repeated {
        /// The parameter.
        param: String,
    },
    /// Not a parameter of this endpoint.
    #[error("unknown parameter `{param}`: use {}", accepted.join(", "))]
    Unknown {
        /// The name sent.
        param: String,
        /// The parameters there are.
        accepted: Vec<&'static str>,
    },
}

impl ParamError {
    /// The parameter's name.
    pub fn param(&self) -> &str {
        match self {
            ParamError::Date { param, .. }
            | ParamError::Age { param, .. }
            | ParamError::Number { param, .. }
            | ParamError::Choice { param, .. } => param,
            ParamError::Repeated { param } | ParamError::Unknown { param, .. } => param,
        }
    }

    /// The value sent, when one value is at fault.
    pub fn value(&self) -> Option<&str> {
        match self {
            ParamError::Date { value, .. }
            | ParamError::Age { value, .. }
            | ParamError::Number { value, .. }
            | ParamError::Choice { value, .. } => Some(value),
            ParamError::Repeated { .. } | ParamError::Unknown { .. } => None,
        }
    }

    /// What is accepted, for a program (`YYYY-MM-DD`, `post, news, petition` …).
    pub fn accepted(&self) -> String {
        match self {
            ParamError::Date { .. } => "YYYY-MM-DD".to_string(),
            ParamError::Age { .. } => "a number and m, h, d or w, e.g. 24h, 7d".to_string(),
            ParamError::Number { min, max, .. } => match max {
                Some(max) => format!("{min}..{max}"),
                None => format!("{min}.."),
            },
            ParamError::Choice { accepted, .. } | ParamError::Unknown { accepted, .. } => {
                accepted.join(", ")
            }
            ParamError::Repeated { .. } => "one value".to_string(),
        }
    }

    /// The stable machine code of the API's answer.
    pub fn code(&self) -> &'static str {
        match self {
            ParamError::Unknown { .. } => "unknown_parameter",
            _ => "invalid_parameter",
        }
    }

    /// The message in Chinese, e.g. 参数 from 的值“2026-13-45”不是有效日期（格式 YYYY-MM-DD）.
    pub fn message_zh(&self) -> String {
        let param = self.param();
        let value = quoted(self.value().unwrap_or_default());
        match self {
            ParamError::Date { .. } => {
                format!("参数 {param} 的值“{value}”不是有效日期（格式 YYYY-MM-DD）")
            }
            ParamError::Age { .. } => format!(
                "参数 {param} 的值“{value}”不是有效时长（数字加单位 m、h、d 或 w，如 24h、7d）"
            ),
            ParamError::Number { min, max, .. } => match max {
                Some(max) => {
                    format!("参数 {param} 的值“{value}”无效（应为 {min} 到 {max} 的整数）")
                }
                None => format!("参数 {param} 的值“{value}”无效（应为不小于 {min} 的整数）"),
            },
            ParamError::Choice { accepted, .. } => {
                format!(
                    "参数 {param} 的值“{value}”无效（可选值：{}）",
                    accepted.join("、")
                )
            }
            ParamError::Repeated { .. } => {
                format!("参数 {} 出现了多次（只能给一个值）", quoted(param))
            }
            ParamError::Unknown { accepted, .. } => format!(
                "不支持参数 {}（可用参数：{}）",
                quoted(param),
                accepted.join("、")
            ),
        }
    }
}

/// A sent value as quoted back: at most [`QUOTED_CHARS`] characters.
fn quoted(value: &str) -> String {
    if value.chars().count() > QUOTED_CHARS {
        let cut: String = value.chars().take(QUOTED_CHARS).collect();
        format!("{cut}…")
    } else {
        value.to_string()
    }
}

/// A query string being read: each getter checks its parameter and keeps
/// the errors; [`Params::finish`] adds the parameters nobody asked for.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    known: Vec<&'static str>,
    errors: Vec<ParamError>,
}

impl Params {
    /// The parameters of a raw query string (`None`: no query string).
    pub fn parse(raw: Option<&str>) -> Params {
        Params {
            pairs: url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
            ..Params::default()
        }
    }

    /// The value of `name`, as sent (empty when not sent or empty).
    pub fn text(&mut self, name: &'static str) -> String {
        self.known.push(name);
        let mut values = self.pairs.iter().filter(|(k, _)| k == name);
        let first = values.next().map(|(_, v)| v.clone());
        if values.next().is_some() {
            self.errors.push(ParamError::Repeated {
                param: name.to_string(),
            });
        }
        first.unwrap_or_default()
    }

    /// The value of `name` when sent and not empty.
    fn given(&mut self, name: &'static str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// A value of `name` that must be one of `accepted`.
    pub fn choice(
        &mut self,
        name: &'static str,
        accepted: &[&'static str],
    ) -> Option<&'static str> {
        let value = self.given(name)?;
        let found = accepted.iter().find(|a| **a == value).copied();
        if found.is_none() {
            self.errors.push(ParamError::Choice {
                param: name,
                value,
                accepted: accepted.to_vec(),
            });
        }
        found
    }

    /// A yes/no: `true`/`1` or `false`/`0`.
    pub fn flag(&mut self, name: &'static str) -> Option<bool> {
        match self.choice(name, &["true", "false", "1", "0"])? {
            "true" | "1" => Some(true),
            _ => Some(false),
        }
    }

    /// A whole number from `min` (to `max`, when given).
    pub fn number(&mut self, name: &'static str, min: usize, max: Option<usize>) -> Option<usize> {
        let value = self.given(name)?;
        let number = value
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= min && max.is_none_or(|max| *n <= max));
        if number.is_none() {
            self.errors.push(ParamError::Number {
                param: name,
                value,
                min,
                max,
            });
        }
        number
    }

    /// A date (YYYY-MM-DD, or anything the command line takes as a time),
    /// the start of that day in `tz`; kept as sent.
    pub fn date(&mut self, name: &'static str, tz: chrono_tz::Tz) -> Option<String> {
        let value = self.given(name)?;
        if crate::text::dates::parse_datetime(&value, tz).is_some() {
            Some(value)
        } else {
            self.errors.push(ParamError::Date { param: name, value });
            None
        }
    }

    /// A time span back from now (`24h`, `7d` …); kept as sent.
    pub fn age(&mut self, name: &'static str) -> Option<(String, chrono::Duration)> {
        let value = self.given(name)?;
        match crate::cli::search::parse_age(&value) {
            Ok(age) => Some((value, age)),
            Err(_) => {
                self.errors.push(ParamError::Age { param: name, value });
                None
            }
        }
    }

    /// The errors found, with one for each parameter no getter asked for.
    pub fn finish(mut self) -> Vec<ParamError> {
        let mut unknown: Vec<&String> = Vec::new();
        for (name, _) in &self.pairs {
            if !self.known.contains(&name.as_str()) && !unknown.contains(&name) {
                unknown.push(name);
            }
        }
        let unknown: Vec<ParamError> = unknown
            .into_iter()
            .map(|param| ParamError::Unknown {
                param: param.clone(),
                accepted: self.known.clone(),
            })
            .collect();
        self.errors.extend(unknown);
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str, tz: chrono_tz::Tz) -> (Option<String>, Option<usize>, Vec<ParamError>) {
        let mut params = Params::parse(Some(raw));
        let from = params.date("from", tz);
        let offset = params.number("offset", 0, None);
        params.choice("sort", &["relevance", "time"]);
        params.flag("flagged");
        params.age("since");
        (from, offset, params.finish())
    }

    #[test]
    fn good_values_pass_and_empty_ones_are_not_sent() {
        let (from, offset, errors) = read(
            "from=2026-11-20&offset=40&sort=time&flagged=1&since=7d",
            chrono_tz::Asia::Shanghai,
        );
        assert_eq!((from.as_deref(), offset), (Some("2026-11-20"), Some(40)));
        assert!(errors.is_empty(), "{errors:?}");
        let (from, offset, errors) = read("from=&offset=&sort=&since=", chrono_tz::UTC);
        assert_eq!((from, offset), (None, None));
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn each_bad_value_is_named_with_what_is_accepted() {
        let (from, offset, errors) = read(
            "from=2026-13-45&offset=abc&sort=score&flagged=yes&since=bogus&colour=red",
            chrono_tz::UTC,
        );
        assert_eq!((from, offset), (None, None));
        let named: Vec<(&str, Option<&str>, &str)> = errors
            .iter()
            .map(|e| (e.param(), e.value(), e.code()))
            .collect();
        assert_eq!(
            named,
            [
                ("from", Some("2026-13-45"), "invalid_parameter"),
                ("offset", Some("abc"), "invalid_parameter"),
                ("sort", Some("score"), "invalid_parameter"),
                ("flagged", Some("yes"), "invalid_parameter"),
                ("since", Some("bogus"), "invalid_parameter"),
                ("colour", None, "unknown_parameter"),
            ]
        );
        assert_eq!(
            errors[0].message_zh(),
            "参数 from 的值“2026-13-45”不是有效日期（格式 YYYY-MM-DD）"
        );
        assert!(
            errors[2].message_zh().contains("relevance、time"),
            "{}",
            errors[2].message_zh()
        );
        assert!(errors[2].accepted().contains("relevance, time"));
        assert!(
            errors[5].message_zh().contains("from、offset"),
            "{}",
            errors[5].message_zh()
        );
        // English too, for the log.
        assert!(
            errors[1]
                .to_string()
                .contains("`abc` is not a whole number")
        );
    }

    #[test]
    fn ranges_repeats_and_long_values() {
        let mut params = Params::parse(Some("limit=0&kind=post&kind=news"));
        assert_eq!(params.number("limit", 1, Some(100)), None);
        params.text("kind");
        let errors = params.finish();
        assert!(errors[0].message_zh().contains("1 到 100"), "{errors:?}");
        assert_eq!(errors[1].param(), "kind");
        assert!(errors[1].message_zh().contains("多次"));
        let long = "x".repeat(500);
        let mut params = Params::parse(Some(&format!("sort={long}")));
        params.choice("sort", &["time"]);
        let message = params.finish()[0].message_zh();
        assert!(
            message.chars().count() < 120 && message.contains('…'),
            "{message}"
        );
    }
}
