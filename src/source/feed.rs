//! The `feed` source kind: RSS 0.9x/2.0, Atom and JSON Feed (feed-rs). The
//! fetch layer has already decoded the bytes (GBK feeds included), so the
//! XML declaration's encoding is rewritten to UTF-8 before parsing. feed-rs
//! does not resolve external entities or expand DTD entities.

use crate::pipeline::RawItem;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use thiserror::Error;
use url::Url;

/// A feed that cannot be read.
#[derive(Debug, Error)]
#[error("malformed feed {url}: {reason}")]
pub struct FeedError {
    /// The feed URL.
    pub url: String,
    /// What the parser said.
    pub reason: String,
}

/// The items of a feed document. Links are resolved against `base` (and
/// `xml:base`); an entry's link is its `alternate` one, not an `edit`,
/// `self` or `enclosure` link listed first. An entry without a link is known
/// by the source name and its feed id (`guid`, Atom `id`), and one with
/// neither by its content (the pipeline's hash): never by an id made up
/// anew at each parse, which would store it again at every crawl. Dates
/// without a zone, and Chinese forms, are read in `tz`.
pub fn parse_feed(text: &str, base: &Url, source: &str, tz: Tz) -> Result<Vec<RawItem>, FeedError> {
    let text = declare_utf8(text);
    let parser = feed_rs::parser::Builder::new()
        // feed-rs makes up an id (a random UUID when there is no link) for
        // entries without one; an empty id marks them here.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(move |text| feed_date(text, tz))
        .build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| FeedError {
        url: base.to_string(),
        reason: e.to_string(),
    })?;
    let items = feed
        .entries
        .into_iter()
        .map(|entry| {
            let is_alternate = |link: &&feed_rs::model::Link| {
                link.rel
                    .as_deref()
                    .is_none_or(|rel| rel.trim().eq_ignore_ascii_case("alternate"))
            };
            let link = entry
                .links
                .iter()
                .find(is_alternate)
                .or(entry.links.first());
            let url = link
                .and_then(|link| base.join(link.href.trim()).ok())
                .map(|url| url.to_string());
            let feed_id = entry.id.trim();
            let id = match &url {
                Some(_) => None,
                None if feed_id.is_empty() => None,
                None => Some(format!("{source}:{feed_id}")),
            };
            let text = entry.content.and_then(|content| content.body).or_else(|| {
                entry
                    .summary
                    .as_ref()
                    .map(|summary| summary.content.clone())
            });
            RawItem {
                id,
                source: Some(source.to_string()),
                url,
                title: entry.title.map(|title| title.content),
                text,
                author: entry.authors.first().and_then(|person| person.name.clone()),
                published_at: entry.published.or(entry.updated).map(|t| t.to_rfc3339()),
                ..RawItem::default()
            }
        })
        .collect();
    Ok(items)
}

/// A feed's date: RFC 3339, RFC 2822 and the Chinese forms
/// ([`crate::text::dates`]), a zoneless date in `tz`. A zone abbreviation
/// that is `tz`'s own is read as `tz`: `CST` on a Chinese site is China
/// Standard Time (+08:00), not US Central (−06:00) as RFC 2822 has it. What
/// none of these read goes to feed-rs's own lenient parser.
fn feed_date(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    use chrono::{Offset, TimeZone};
    use chrono_tz::OffsetName;
    let text = text.trim();
    let local = text.rsplit_once(' ').and_then(|(head, zone)| {
        let offset = tz.offset_from_utc_datetime(&Utc::now().naive_utc());
        let own = offset.abbreviation().is_some_and(|own| own == zone);
        (own && zone.chars().all(|c| c.is_ascii_alphabetic())).then(|| {
            let seconds = offset.fix().local_minus_utc();
            let sign = if seconds < 0 { '-' } else { '+' };
            let minutes = seconds.unsigned_abs() / 60;
            format!("{head} {sign}{:02}{:02}", minutes / 60, minutes % 60)
        })
    });
    let text = local.as_deref().unwrap_or(text);
    crate::text::dates::parse_datetime(text, tz).or_else(|| lenient_date(text))
}

/// feed-rs's lenient date parser (it copes with the broken RFC 2822 and 1123
/// dates feeds carry), reached through the one door it has: a feed document.
fn lenient_date(text: &str) -> Option<DateTime<Utc>> {
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
    let document =
        format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><updated>{escaped}</updated></feed>");
    feed_rs::parser::parse(document.as_bytes()).ok()?.updated
}

/// Rewrites `encoding="…"` in the XML declaration to UTF-8 (the text is
/// already decoded).
fn declare_utf8(text: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = text.trim_start_matches('\u{feff}');
    if !trimmed.starts_with("<?xml") {
        return std::borrow::Cow::Borrowed(trimmed);
    }
    let Some(end) = trimmed.find("?>") else {
        return std::borrow::Cow::Borrowed(trimmed);
    };
    let declaration = &trimmed[..end];
    let Some(at) = declaration.find("encoding") else {
        return std::borrow::Cow::Borrowed(trimmed);
    };
    let rest = &declaration[at..];
    let quote_start = rest.find(['"', '\'']).map(|i| at + i);
    let Some(open) = quote_start else {
        return std::borrow::Cow::Borrowed(trimmed);
    };
    let quote = trimmed.as_bytes()[open] as char;
    let Some(close) = trimmed[open + 1..end].find(quote).map(|i| open + 1 + i) else {
        return std::borrow::Cow::Borrowed(trimmed);
    };
    std::borrow::Cow::Owned(format!(
        "{}UTF-8{}",
        &trimmed[..open + 1],
        &trimmed[close..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="GBK"?>
<rss version="2.0"><channel><title>江城新闻</title>
<item><title>城关派出所开展反诈宣传</title><link>/news/1.html?utm_source=rss</link>
<description><![CDATA[<p>民警走进社区，讲解<b>防范诈骗</b>知识。</p>]]></description>
<pubDate>Sat, 28 Nov 2026 08:00:00 +0800</pubDate><author>reporter@example.org (记者甲)</author></item>
<item><title>无链接的条目</title><guid isPermaLink="false">abc-1</guid><description>正文</description></item>
</channel></rss>"#;

    const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>留言</title><id>urn:x</id><updated>2026-11-28T00:00:00Z</updated>
<entry><title>反映出警慢</title><id>urn:e1</id><link href="https://board.example.org/m/1"/>
<updated>2026-11-27T10:00:00Z</updated><author><name>网友</name></author><summary>打了110等了一小时</summary></entry>
</feed>"#;

    #[test]
    fn rss_items_with_resolved_links_and_dates() {
        let base = Url::parse("https://news.example.org/rss.xml").unwrap();
        let items = parse_feed(RSS, &base, "city-news", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title.as_deref(), Some("城关派出所开展反诈宣传"));
        assert_eq!(
            items[0].url.as_deref(),
            Some("https://news.example.org/news/1.html?utm_source=rss")
        );
        assert!(items[0].text.as_deref().unwrap().contains("防范诈骗"));
        assert_eq!(
            items[0].published_at.as_deref(),
            Some("2026-11-28T00:00:00+00:00")
        );
        assert_eq!(items[1].url, None);
        assert_eq!(items[1].id.as_deref(), Some("city-news:abc-1"));
    }

    #[test]
    fn atom_entries() {
        let base = Url::parse("https://board.example.org/atom").unwrap();
        let items = parse_feed(ATOM, &base, "board", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].author.as_deref(), Some("网友"));
        assert_eq!(items[0].text.as_deref(), Some("打了110等了一小时"));
        assert_eq!(
            items[0].published_at.as_deref(),
            Some("2026-11-27T10:00:00+00:00")
        );
    }

    #[test]
    fn malformed_and_hostile_feeds_fail_cleanly() {
        let base = Url::parse("https://x.example/feed").unwrap();
        let error = parse_feed(
            "<rss><channel><item><title>断了",
            &base,
            "x",
            chrono_tz::UTC,
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("malformed feed https://x.example/feed"),
            "{error}"
        );
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>t</title><item><title>&lol3;</title></item></channel></rss>"#;
        // Either refused or parsed without expanding: never a huge title.
        if let Ok(items) = parse_feed(laughs, &base, "x", chrono_tz::UTC) {
            assert!(
                items
                    .iter()
                    .all(|i| i.title.as_deref().unwrap_or("").len() < 1000)
            );
        }
        let external = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>t</title><item><title>&x;</title></item></channel></rss>"#;
        if let Ok(items) = parse_feed(external, &base, "x", chrono_tz::UTC) {
            assert!(
                items
                    .iter()
                    .all(|i| !i.title.as_deref().unwrap_or("").contains("root:"))
            );
        }
    }

    #[test]
    fn atom_alternate_link_wins_and_entries_without_ids_get_none() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
<entry><title>a</title><id>urn:a</id><link rel="edit" href="/edit/1"/><link rel="alternate" href="/posts/1.html"/><summary>s</summary></entry>
</feed>"#;
        let base = Url::parse("https://board.example.org/atom").unwrap();
        let items = parse_feed(atom, &base, "board", chrono_tz::UTC).unwrap();
        assert_eq!(
            items[0].url.as_deref(),
            Some("https://board.example.org/posts/1.html")
        );
        let rss = r#"<rss version="2.0"><channel><title>t</title><item><title>无链接</title><description>正文</description></item></channel></rss>"#;
        let parse = || parse_feed(rss, &base, "board", chrono_tz::UTC).unwrap();
        assert_eq!(
            (parse()[0].id.clone(), parse()[0].url.clone()),
            (None, None)
        );
    }

    #[test]
    fn feed_dates_in_chinese_forms_and_zones() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let date = |text: &str, tz| feed_date(text, tz).map(|t| t.to_rfc3339());
        let eight_utc = Some("2026-11-28T00:00:00+00:00".to_string());
        assert_eq!(date("2026-11-28 08:00:00", shanghai), eight_utc);
        assert_eq!(date("2026年11月28日 08:00", shanghai), eight_utc);
        assert_eq!(date("Sat, 28 Nov 2026 08:00:00 CST", shanghai), eight_utc);
        assert_eq!(date("Sat, 28 Nov 2026 08:00:00 +0800", shanghai), eight_utc);
        // Elsewhere CST keeps its RFC 2822 meaning, US Central.
        let chicago = chrono_tz::America::Chicago;
        assert_eq!(
            date("Sat, 28 Nov 2026 08:00:00 CST", chicago).as_deref(),
            Some("2026-11-28T14:00:00+00:00")
        );
        // feed-rs's lenient parser still takes what ours does not.
        assert_eq!(
            date("Thurs, 13 Jul 2011 07:38:00 GMT", shanghai).as_deref(),
            Some("2011-07-13T07:38:00+00:00")
        );
        assert_eq!(date("garbage", shanghai), None);
    }

    #[test]
    fn declaration_is_rewritten_to_utf8() {
        assert_eq!(
            declare_utf8("<?xml version='1.0' encoding='gb2312'?><a/>"),
            "<?xml version='1.0' encoding='UTF-8'?><a/>"
        );
        assert_eq!(declare_utf8("<a/>"), "<a/>");
    }
}
