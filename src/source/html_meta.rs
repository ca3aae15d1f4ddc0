//! Article metadata without selectors, for the `html` source kind: the
//! headline, the publish time and the author of an article page, each with
//! the rule that found it (shown by `yuqing extract`). General rules only:
//! nothing here knows a site.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use unicode_normalization::UnicodeNormalization;

use super::fixed;
use super::text::{Prune, block_text, line_text};
use crate::text::dates::{DateInText, find_date, parse_datetime};

/// One extracted value and the rule that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The value, as handed to the pipeline.
    pub value: String,
    /// Which rule found it, in words (`h1 matching <title>`, `meta article:published_time`…).
    pub rule: &'static str,
}

impl Found {
    fn new(value: impl Into<String>, rule: &'static str) -> Found {
        Found {
            value: value.into(),
            rule,
        }
    }
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| fixed("title"));
static META: LazyLock<Selector> = LazyLock::new(|| fixed("meta[content]"));
static HEADLINES: LazyLock<Selector> = LazyLock::new(|| {
    fixed("h1, h2, h3, h4, h5, h6, body [class*=title], body [id*=title], body [class*=Title]")
});
static H1: LazyLock<Selector> = LazyLock::new(|| fixed("h1"));
static TIME_DATETIME: LazyLock<Selector> = LazyLock::new(|| fixed("time[datetime]"));
static JSON_LD: LazyLock<Selector> =
    LazyLock::new(|| fixed(r#"script[type="application/ld+json"]"#));
static BODY: LazyLock<Selector> = LazyLock::new(|| fixed("body"));

/// The text as compared: NFKC, without any whitespace.
pub(super) fn compact(text: &str) -> String {
    text.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// `<meta>` content by `name`, `property` or `itemprop` (case-insensitive).
fn meta<'a>(doc: &'a Html, keys: &[&'static str]) -> Option<(&'static str, &'a str)> {
    for key in keys {
        for el in doc.select(&META) {
            let e = el.value();
            let named = ["name", "property", "itemprop"]
                .iter()
                .filter_map(|a| e.attr(a))
                .any(|v| v.trim().eq_ignore_ascii_case(key));
            let content = e.attr("content").unwrap_or_default().trim();
            if named && !content.is_empty() {
                return Some((key, content));
            }
        }
    }
    None
}

/// Splits a `<title>` into its parts at the separators sites put between
/// the headline and their name (`headline_频道_网站`, `headline - 网站`,
/// `栏目--headline`) and keeps the first part, unless it is short (a column
/// name: at most [`COLUMN_NAME_CHARS`]) and a later part is longer; a short
/// tail after a bare `-` (`headline-CSDN.NET`) is dropped too.
pub(super) fn strip_site_suffix(title: &str) -> String {
    const SEPARATORS: &[&str] = &[
        "_", "|", "｜", " - ", " – ", " — ", "--", "——", " :: ", "－",
    ];
    let mut parts = vec![title.to_string()];
    for sep in SEPARATORS {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    let parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let first = parts.first().cloned().unwrap_or_default();
    let chosen = if first.chars().count() > COLUMN_NAME_CHARS {
        first
    } else {
        parts
            .into_iter()
            .max_by_key(|p| p.chars().count())
            .unwrap_or_default()
    };
    if let Some((head, tail)) = chosen.rsplit_once('-') {
        let (head_len, tail_len) = (head.trim().chars().count(), tail.trim().chars().count());
        if tail_len > 0 && tail_len <= 12 && tail_len < head_len {
            return head.trim().to_string();
        }
    }
    chosen
}

/// The longest `<title>` part taken for a column name rather than a headline.
const COLUMN_NAME_CHARS: usize = 7;

/// The headline: the headline element (`h1`…`h6`, or an element whose class
/// or id says title) whose text appears in the page's `<title>` or
/// `og:title` and covers at least [`MIN_TITLE_COVER`] of the `<title>`
/// without its site suffix — the longest such, the earliest of equals — else
/// `og:title`, else the first `<h1>` that is not part of `<title>` (a part
/// that covers less is the site's or the column's name), else the
/// `<title>` without its site suffix.
pub(super) fn title(doc: &Html) -> Option<Found> {
    let page_title = doc
        .select(&TITLE)
        .next()
        .map(line_text)
        .filter(|t| !t.trim().is_empty());
    let og = meta(doc, &["og:title"]).map(|(_, v)| v.to_string());
    let stripped = page_title.as_deref().map(strip_site_suffix);
    let references: Vec<String> = [page_title.as_deref(), og.as_deref()]
        .into_iter()
        .flatten()
        .map(compact)
        .collect();
    let wanted = stripped
        .as_deref()
        .map_or(0, |s| compact(s).chars().count());
    let mut best: Option<(usize, String, bool)> = None;
    for el in doc.select(&HEADLINES) {
        if el.value().name() == "title" {
            continue;
        }
        let text = line_text(el);
        let key = compact(&text);
        let length = key.chars().count();
        let covers = og.as_deref().is_some_and(|og| compact(og) == key)
            || length as f64 >= wanted as f64 * MIN_TITLE_COVER;
        if !(4..=200).contains(&length) || !covers || !references.iter().any(|r| r.contains(&key)) {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _, _)| length > *b) {
            best = Some((length, text, el.value().name() == "h1"));
        }
    }
    if let Some((_, text, is_h1)) = best {
        let rule = if is_h1 {
            "<h1> matching <title>"
        } else {
            "headline element matching <title>"
        };
        return Some(Found::new(text, rule));
    }
    if let Some(og) = og {
        return Some(Found::new(og, "og:title"));
    }
    let in_title = |h1: &str| references.iter().any(|r| r.contains(&compact(h1)));
    if let Some(h1) = doc
        .select(&H1)
        .map(line_text)
        .find(|t| !t.trim().is_empty() && !in_title(t))
    {
        return Some(Found::new(h1, "first <h1>"));
    }
    stripped
        .filter(|t| !t.is_empty())
        .map(|t| Found::new(t, "<title> without site suffix"))
}

/// The least share of the `<title>` (without its site suffix) a headline
/// element must cover to match it: a column heading (国内新闻) or the site's
/// name inside the `<title>` does not.
const MIN_TITLE_COVER: f64 = 0.4;

/// `<meta>` keys of a publish time, most specific first.
const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:release_date",
    "og:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "publish_time",
    "published_time",
    "ptime",
    "firstpublishedtime",
    "weibo:article:create_at",
    "weibo:webpage:create_at",
    "bytedance:published_time",
    "baidu:published_time",
    "release_date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "sailthru.date",
    "parsely-pub-date",
    "createdate",
];

/// `<meta>` keys of a modification time: the last resort.
const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "dateModified",
    "dateUpdate",
    "lastmodifiedtime",
];

/// A machine-written time as the pipeline reads it: RFC 3339 as is, a Unix
/// timestamp as RFC 3339, anything else as the first date written in it.
fn machine_time(value: &str) -> Option<String> {
    let value = value.trim();
    if parse_datetime(value, chrono_tz::UTC).is_some() && value.contains(['T', '+', 'Z']) {
        return Some(value.to_string());
    }
    if (value.len() == 10 || value.len() == 13) && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: i64 = value[..10].parse().ok()?;
        return chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.to_rfc3339());
    }
    find_date(value).map(|d| d.normalized)
}

/// The calendar date a time value was written for (`2019-09-07`).
fn written_date(value: &str) -> Option<String> {
    find_date(value).map(|d| d.normalized[..10].to_string())
}

/// Words that mark a line as a footer or a copyright notice.
const FOOTER_WORDS: &[&str] = &["©", "copyright", "版权", "ICP", "备案"];

/// Words that label a publish time in text.
const TIME_LABELS: &[&str] = &[
    "发布时间",
    "发布日期",
    "发表时间",
    "发表于",
    "时间：",
    "日期：",
];

/// The longest line a byline can be: longer lines are article text, whose
/// dates are events, not the publish time.
const BYLINE_CHARS: usize = 80;

/// Words that may follow a byline's date directly (`2026-11-28 08:05来源：…`).
const BYLINE_FOLLOWERS: &[&str] = &[
    "来源", "作者", "编辑", "发布", "阅读", "浏览", "|", "｜", "/",
];

/// The date of a byline: a short line (not a footer or copyright line) with
/// a date that is labelled (`发布时间：…`) or stands apart — followed by
/// nothing, a space, or a byline word — not one inside a sentence
/// (`2026年11月20日完成验收…`, `2026年11月20日下午，…`).
fn dated_byline(line: &str) -> Option<DateInText> {
    let lower = line.to_lowercase();
    if line.chars().count() > BYLINE_CHARS
        || FOOTER_WORDS
            .iter()
            .any(|w| lower.contains(&w.to_lowercase()))
    {
        return None;
    }
    let labelled = TIME_LABELS.iter().any(|l| line.contains(l));
    let mut from = 0;
    while let Some(mut date) = find_date(&line[from..]) {
        date.start += from;
        date.end += from;
        let rest = &line[date.end..];
        let apart = rest.is_empty()
            || rest.starts_with(char::is_whitespace)
            || BYLINE_FOLLOWERS.iter().any(|w| rest.starts_with(w));
        if labelled || apart {
            return Some(date);
        }
        from = date.end;
    }
    None
}

/// The publish time when no `time_selector` is given, with its rule:
/// 1. a date in a byline near the headline (up to 3 lines after it, 2
///    before, then up to 12 after, stopping at the first line of prose;
///    never a date inside a sentence, a footer or a copyright line) when it
///    has a time of day — what readers see;
/// 2. else a machine-readable time: `<meta>` (article:published_time,
///    og:release_date, pubdate, publishdate, PubDate, ptime and the other
///    keys in [`PUBLISHED_META`]), the first `<time datetime>`, JSON-LD
///    `datePublished` — unless the byline shows a different day;
/// 3. else the byline's date alone;
/// 4. else a labelled line anywhere outside comment boxes (`发布时间：…`,
///    `发布日期：…`, `时间：…`), the first in page order;
/// 5. else a modification time from `<meta>`.
///
/// The value is RFC 3339 when the page wrote one, else `YYYY-MM-DD[ HH:MM[:SS]]`
/// without a zone (the pipeline reads it in `[schedule] timezone`).
pub(super) fn published(doc: &Html, headline: Option<&str>) -> Option<Found> {
    let lines = page_lines(doc);
    let byline = headline.and_then(|h| near_headline(&lines, h));
    let structured = structured_time(doc);
    if let Some(date) = &byline
        && date.has_time
    {
        return Some(Found::new(&date.normalized, "date line near the headline"));
    }
    if let Some(found) = structured {
        let same_day = byline
            .as_ref()
            .is_none_or(|b| written_date(&found.value).as_deref() == Some(&b.normalized[..10]));
        if same_day {
            return Some(found);
        }
    }
    if let Some(date) = byline {
        return Some(Found::new(date.normalized, "date line near the headline"));
    }
    // Comment boxes carry labelled dates of their own.
    let labelled = page_lines_pruned(doc, Prune::Comments)
        .into_iter()
        .find_map(|line| {
            TIME_LABELS
                .iter()
                .any(|l| line.contains(l))
                .then(|| dated_byline(&line))
                .flatten()
        });
    if let Some(date) = labelled {
        return Some(Found::new(
            date.normalized,
            "labelled date line (发布时间…)",
        ));
    }
    meta(doc, MODIFIED_META)
        .and_then(|(_, value)| machine_time(value))
        .map(|v| Found::new(v, "meta modification time (no publish time found)"))
}

fn structured_time(doc: &Html) -> Option<Found> {
    for key in PUBLISHED_META {
        if let Some((key, value)) = meta(doc, &[*key])
            && let Some(value) = machine_time(value)
        {
            return Some(Found::new(value, meta_rule(key)));
        }
    }
    if let Some(value) = doc
        .select(&TIME_DATETIME)
        .filter(|el| !in_chrome(*el))
        .find_map(|el| el.attr("datetime").and_then(machine_time))
    {
        return Some(Found::new(value, "<time datetime>"));
    }
    doc.select(&JSON_LD)
        .filter_map(|el| {
            serde_json::from_str::<serde_json::Value>(&el.text().collect::<String>()).ok()
        })
        .find_map(|v| json_key(&v, "datePublished"))
        .and_then(|v| machine_time(&v))
        .map(|v| Found::new(v, "JSON-LD datePublished"))
}

fn meta_rule(key: &str) -> &'static str {
    match key {
        "article:published_time" => "meta article:published_time",
        "og:release_date" => "meta og:release_date",
        "datePublished" => "meta datePublished",
        _ => "meta publish time (pubdate/publishdate/ptime…)",
    }
}

fn json_key(value: &serde_json::Value, key: &str) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => map
            .get(key)
            .and_then(|v| v.as_str().map(str::to_string))
            .or_else(|| map.values().find_map(|v| json_key(v, key))),
        serde_json::Value::Array(items) => items.iter().find_map(|v| json_key(v, key)),
        _ => None,
    }
}

/// Whether `el` sits in a footer, aside, nav, comment or related list.
fn in_chrome(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(|a| {
            let e = a.value();
            matches!(e.name(), "footer" | "aside" | "nav")
                || [e.attr("class"), e.attr("id")]
                    .into_iter()
                    .flatten()
                    .any(|v| {
                        let v = v.to_ascii_lowercase();
                        ["footer", "comment", "related", "recommend", "sidebar"]
                            .iter()
                            .any(|w| v.contains(w))
                    })
        })
}

/// The page's text, one block per line, nothing pruned but scripts.
fn page_lines(doc: &Html) -> Vec<String> {
    page_lines_pruned(doc, Prune::Off)
}

/// The page's text, one block per line, pruned as `prune` says.
fn page_lines_pruned(doc: &Html, prune: Prune) -> Vec<String> {
    let root = doc
        .select(&BODY)
        .next()
        .unwrap_or_else(|| doc.root_element());
    block_text(root, prune)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Whether a line is article prose: a sentence of some length. The byline
/// sits between the headline and the first one.
fn is_prose(line: &str) -> bool {
    line.chars().count() >= 30
        && line.contains(['，', '。'])
        && line
            .trim_end()
            .ends_with(['。', '！', '？', '”', '」', '…', '.', '）'])
}

/// The date in a byline near the headline's line (see [`published`]): up
/// to 3 lines after it, 2 before, then up to 12 after, stopping at the
/// first line of prose (dates below it are the text's events, related
/// articles' or the footer's).
fn near_headline(lines: &[String], headline: &str) -> Option<DateInText> {
    let key = compact(headline);
    if key.is_empty() {
        return None;
    }
    let at = lines
        .iter()
        .position(|l| compact(l) == key)
        .or_else(|| lines.iter().position(|l| compact(l).contains(&key)))?;
    let after: Vec<&String> = lines[at + 1..]
        .iter()
        .take(12)
        .take_while(|l| !is_prose(l))
        .collect();
    let before = |d: usize| at.checked_sub(d).and_then(|i| lines.get(i));
    after
        .iter()
        .take(3)
        .copied()
        .chain((1..=2).filter_map(before))
        .chain(after.iter().skip(3).copied())
        .find_map(|line| dated_byline(line))
}

/// The author: `<meta name="author">` / `article:author`, else a `作者：`
/// byline near the headline.
pub(super) fn author(doc: &Html, headline: Option<&str>) -> Option<Found> {
    if let Some((_, value)) = meta(doc, &["author", "article:author"]) {
        return Some(Found::new(value, "meta author"));
    }
    let lines = page_lines(doc);
    let key = compact(headline?);
    let at = lines.iter().position(|l| compact(l) == key)?;
    lines.iter().skip(at + 1).take(6).find_map(|line| {
        let (_, rest) = line.split_once("作者")?;
        let rest = rest.trim_start_matches([':', '：', ' ']);
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '|' | '｜' | '，' | ','))
            .collect();
        (!name.is_empty() && name.chars().count() <= 20)
            .then(|| Found::new(name, "作者 line near the headline"))
    })
}

#[cfg(test)]
#[path = "html_meta_tests.rs"]
mod tests;
