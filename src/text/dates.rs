//! Reading the dates people and systems write: RFC 3339, RFC 2822, the
//! common Chinese forms (`2023-04-14 10:20`, `2023/04/14`, `2023年04月14日
//! 10:20`), and — relative to a reference time — the forms Chinese sites
//! print for recent posts (`刚刚`, `3分钟前`, `2小时前`, `昨天 08:15`,
//! `前天`, `04-14 10:20`, `4月14日`). A date without an offset is read in the
//! given time zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
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

/// Parses `text` as an absolute date, or as a relative one (`3分钟前`,
/// `昨天 08:15`, a date without a year) measured from `now`. A date without
/// a year that would lie in the future belongs to the previous year.
pub fn parse_published(text: &str, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    parse_datetime(text, tz).or_else(|| parse_relative(text.trim(), tz, now))
}

fn parse_relative(text: &str, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(compact.as_str(), "刚刚" | "刚才" | "just now") {
        return Some(now);
    }
    for (suffix, unit) in [
        ("秒前", 1i64),
        ("分钟前", 60),
        ("分前", 60),
        ("小时前", 3600),
        ("天前", 86_400),
    ] {
        if let Some(number) = compact.strip_suffix(suffix) {
            let n: i64 = number.parse().ok()?;
            return Some(now - chrono::Duration::seconds(n.checked_mul(unit)?));
        }
    }
    let local_now = now.with_timezone(&tz);
    let today = local_now.date_naive();
    for (word, days_back) in [("今天", 0i64), ("昨天", 1), ("前天", 2)] {
        if let Some(rest) = text.strip_prefix(word) {
            let date = today - chrono::Duration::days(days_back);
            let time = parse_clock(rest.trim()).unwrap_or(NaiveTime::MIN);
            return tz
                .from_local_datetime(&date.and_time(time))
                .earliest()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    // A month and day without a year: 04-14 10:20, 4月14日 10:20, 04/14.
    let unified = unify(text);
    let (date, time) = match unified.split_once(' ') {
        Some((date, time)) => (date, Some(time)),
        None => (unified.as_str(), None),
    };
    let mut parts = date.split('-').map(|p| p.parse::<u32>().ok());
    let (month, day) = (parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    let time = match time {
        Some(time) => parse_clock(time)?,
        None => NaiveTime::MIN,
    };
    for year in [local_now.year(), local_now.year() - 1] {
        let candidate = NaiveDate::from_ymd_opt(year, month, day)?.and_time(time);
        let at = tz
            .from_local_datetime(&candidate)
            .earliest()?
            .with_timezone(&Utc);
        if at <= now + chrono::Duration::days(1) {
            return Some(at);
        }
    }
    None
}

/// `08:15` or `08:15:30`.
fn parse_clock(text: &str) -> Option<NaiveTime> {
    let mut fields = text.split(':').map(|p| p.trim().parse::<u32>().ok());
    let hour = fields.next()??;
    let minute = fields.next()??;
    let second = fields.next().flatten().unwrap_or(0);
    NaiveTime::from_hms_opt(hour, minute, second)
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

    #[test]
    fn golden_relative_dates() {
        let tz = chrono_tz::Asia::Shanghai;
        // 2026-03-02 10:00 in Shanghai.
        let now = parse_datetime("2026-03-02T10:00:00+08:00", tz).unwrap();
        let cases = [
            ("刚刚", Some("2026-03-02T02:00:00+00:00")),
            ("3分钟前", Some("2026-03-02T01:57:00+00:00")),
            ("2 小时前", Some("2026-03-02T00:00:00+00:00")),
            ("1天前", Some("2026-03-01T02:00:00+00:00")),
            ("昨天 08:15", Some("2026-03-01T00:15:00+00:00")),
            ("前天", Some("2026-02-27T16:00:00+00:00")),
            ("今天 09:30", Some("2026-03-02T01:30:00+00:00")),
            ("03-01 10:20", Some("2026-03-01T02:20:00+00:00")),
            ("3月1日", Some("2026-02-28T16:00:00+00:00")),
            ("12-25 20:00", Some("2025-12-25T12:00:00+00:00")),
            ("2023-04-14 10:20", Some("2023-04-14T02:20:00+00:00")),
            ("很久以前", None),
            ("02-30", None),
            ("99分钟后", None),
        ];
        for (input, expected) in cases {
            let got = parse_published(input, tz, now).map(|t| t.to_rfc3339());
            assert_eq!(got.as_deref(), expected, "input: {input}");
        }
    }
}
