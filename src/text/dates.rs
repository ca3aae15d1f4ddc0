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

/// A date written inside running text (`发布时间：2019-09-07 13:43`,
/// `2019年9月7日 08:05`, `2019/09/07`), found by [`find_date`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateInText {
    /// Byte offset of the first character of the date in the text.
    pub start: usize,
    /// Byte offset just past the date (and its time of day, when given).
    pub end: usize,
    /// The date in the form [`parse_datetime`] reads, without a zone:
    /// `2019-09-07` or `2019-09-07 13:43` / `2019-09-07 13:43:05`.
    pub normalized: String,
    /// Whether a time of day follows the date.
    pub has_time: bool,
}

/// The first absolute date in `text` that has a four-digit year (1990–2099),
/// a month and a day: `2019-09-07`, `2019/9/7`, `2019.09.07`, `2019年9月7日`,
/// optionally followed (after spaces, or directly: `2019-09-0713:43` as some
/// pages glue them) by a time `13:43`, `13:43:05`, `13时43分`. A four-digit
/// number inside a longer run of digits is not a year. Dates that do not
/// exist (`2019-02-30`) are skipped.
pub fn find_date(text: &str) -> Option<DateInText> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    (0..chars.len()).find_map(|i| date_at(text, &chars, i))
}

fn date_at(text: &str, chars: &[(usize, char)], i: usize) -> Option<DateInText> {
    let digit = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    if !digit(i) || (i > 0 && digit(i - 1)) {
        return None;
    }
    // Reads 1..=max ASCII digits from k; returns (value, next index).
    let number = |k: usize, max: usize| -> Option<(u32, usize)> {
        let mut end = k;
        while end < chars.len() && end - k < max && digit(end) {
            end += 1;
        }
        if end == k {
            return None;
        }
        let value = chars[k..end]
            .iter()
            .fold(0u32, |v, (_, c)| v * 10 + c.to_digit(10).unwrap_or(0));
        Some((value, end))
    };
    let (year, k) = number(i, 4)?;
    if k - i != 4 || !(1990..=2099).contains(&year) {
        return None;
    }
    let sep = chars.get(k)?.1;
    let (month_end, day_end) = match sep {
        '-' | '/' | '.' => (sep, None),
        '年' => ('月', Some('日')),
        _ => return None,
    };
    let (month, k) = number(k + 1, 2)?;
    if chars.get(k)?.1 != month_end {
        return None;
    }
    let (day, mut k) = number(k + 1, 2)?;
    if let Some(close) = day_end
        && chars.get(k).is_some_and(|(_, c)| *c == close || *c == '号')
    {
        k += 1;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let date_end = k;
    let mut normalized = format!("{year:04}-{month:02}-{day:02}");
    let mut end = date_end;
    let mut has_time = false;
    let mut t = k;
    while chars.get(t).is_some_and(|(_, c)| c.is_whitespace()) {
        t += 1;
    }
    if let Some((hour, h_end)) = number(t, 2) {
        let colon = |k: usize| {
            chars
                .get(k)
                .is_some_and(|(_, c)| matches!(c, ':' | '：' | '时' | '点'))
        };
        if colon(h_end)
            && let Some((minute, m_end)) = number(h_end + 1, 2)
            && m_end - (h_end + 1) == 2
            && hour < 24
            && minute < 60
        {
            let mut time_end = m_end;
            if chars.get(time_end).is_some_and(|(_, c)| *c == '分') {
                time_end += 1;
            }
            let mut seconds = None;
            if chars
                .get(time_end)
                .is_some_and(|(_, c)| matches!(c, ':' | '：'))
                && let Some((second, s_end)) = number(time_end + 1, 2)
                && s_end - (time_end + 1) == 2
                && second < 60
            {
                seconds = Some(second);
                time_end = s_end;
            }
            has_time = true;
            normalized.push_str(&format!(" {hour:02}:{minute:02}"));
            if let Some(second) = seconds {
                normalized.push_str(&format!(":{second:02}"));
            }
            end = time_end;
        }
    }
    if !has_time && digit(date_end) {
        // `2019-09-071` is a longer number, not a date; digits glued to the
        // day are an hour only when a clock follows (`2019-09-0713:43`).
        return None;
    }
    let byte = |k: usize| chars.get(k).map_or(text.len(), |(b, _)| *b);
    Some(DateInText {
        start: chars[i].0,
        end: byte(end),
        normalized,
        has_time,
    })
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

    #[test]
    fn dates_in_running_text() {
        let found = |text: &str| find_date(text).map(|d| (d.normalized, d.has_time));
        let some = |s: &str, t: bool| Some((s.to_string(), t));
        assert_eq!(
            found("发布时间：2026-11-27 17:30 来源：本网"),
            some("2026-11-27 17:30", true)
        );
        assert_eq!(
            found("2026年3月2日 08:05:09"),
            some("2026-03-02 08:05:09", true)
        );
        assert_eq!(
            found("2026年03月02日08:05 来源：示例报"),
            some("2026-03-02 08:05", true)
        );
        assert_eq!(found("2026-03-0208:05"), some("2026-03-02 08:05", true));
        assert_eq!(found("日期：2026/3/2"), some("2026-03-02", false));
        assert_eq!(found("2026.03.02 10时20分"), some("2026-03-02 10:20", true));
        assert_eq!(found("编号120260302"), None);
        assert_eq!(found("2026-02-30"), None);
        assert_eq!(found("1850-01-01"), None);
        assert_eq!(found("2026年度报告"), None);
        assert_eq!(found("共2026-03人"), None);
        let text = "阅读 12 · 2026-03-02";
        let date = find_date(text).unwrap();
        assert_eq!(&text[date.start..date.end], "2026-03-02");
    }
}
