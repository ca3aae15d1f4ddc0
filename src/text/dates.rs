//! Reading the dates people and systems write: RFC 3339, RFC 2822, and the
//! common Chinese forms (`2023-04-14 10:20`, `2023/04/14`, `2023年04月14日
//! 10:20`). A date without an offset is read in the given time zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses `text` as an absolute date/time; `None` when it is not one.
pub fn parse_datetime(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    let unified = unify(text);
    let local = parse_naive(&unified)?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `2023年04月14日 10时20分` → `2023-04-14 10:20`; `/` and `.` → `-`; `T` → space.
fn unify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '年' | '月' | '/' | '.' => out.push('-'),
            '日' | '号' | 'T' => out.push(' '),
            '时' | '点' => out.push(':'),
            '分' => out.push(':'),
            '秒' => {}
            _ => out.push(c),
        }
    }
    let trimmed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    trimmed.trim_end_matches(':').to_string()
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let mut parts = date.split('-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = match time {
        None | Some("") => NaiveTime::MIN,
        Some(time) => {
            let mut fields = time.split(':').map(|p| p.parse::<u32>().ok());
            let hour = fields.next()??;
            let minute = fields.next().flatten().unwrap_or(0);
            let second = fields.next().flatten().unwrap_or(0);
            NaiveTime::from_hms_opt(hour, minute, second)?
        }
    };
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_dates() {
        let tz = chrono_tz::Asia::Shanghai;
        let cases = [
            (
                "2023-04-14T10:20:00+08:00",
                Some("2023-04-14T02:20:00+00:00"),
            ),
            ("2023-04-14T02:20:00Z", Some("2023-04-14T02:20:00+00:00")),
            (
                "Fri, 14 Apr 2023 10:20:00 +0800",
                Some("2023-04-14T02:20:00+00:00"),
            ),
            ("2023-04-14 10:20", Some("2023-04-14T02:20:00+00:00")),
            ("2023-04-14 10:20:30", Some("2023-04-14T02:20:30+00:00")),
            ("2023/04/14 10:20", Some("2023-04-14T02:20:00+00:00")),
            ("2023年04月14日 10:20", Some("2023-04-14T02:20:00+00:00")),
            ("2023年4月14日", Some("2023-04-13T16:00:00+00:00")),
            ("2023-04-14", Some("2023-04-13T16:00:00+00:00")),
            ("2023.04.14", Some("2023-04-13T16:00:00+00:00")),
            ("2023-02-30", None),
            ("昨天", None),
            ("", None),
            ("12345", None),
        ];
        for (input, expected) in cases {
            let got = parse_datetime(input, tz).map(|t| t.to_rfc3339());
            assert_eq!(got.as_deref(), expected, "input: {input}");
        }
    }
}
