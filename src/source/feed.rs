//! The `feed` source kind: RSS 0.9x/2.0, Atom and JSON Feed (feed-rs). The
//! fetch layer has already decoded the bytes (GBK feeds included), so the
//! XML declaration's encoding is rewritten to UTF-8 before parsing. feed-rs
//! does not resolve external entities or expand DTD entities.

use crate::pipeline::RawItem;
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

/// The items of a feed document. Links are resolved against `base`; an
/// entry without a link gets an id from the source name and its feed id.
pub fn parse_feed(text: &str, base: &Url, source: &str) -> Result<Vec<RawItem>, FeedError> {
    let text = declare_utf8(text);
    let feed = feed_rs::parser::parse(text.as_bytes()).map_err(|e| FeedError {
        url: base.to_string(),
        reason: e.to_string(),
    })?;
    let items = feed
        .entries
        .into_iter()
        .map(|entry| {
            let url = entry
                .links
                .first()
                .and_then(|link| base.join(link.href.trim()).ok())
                .map(|url| url.to_string());
            let id = match &url {
                Some(_) => None,
                None => Some(format!("{source}:{}", entry.id)),
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
        let items = parse_feed(RSS, &base, "city-news").unwrap();
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
        let items = parse_feed(ATOM, &base, "board").unwrap();
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
        let error = parse_feed("<rss><channel><item><title>断了", &base, "x").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("malformed feed https://x.example/feed"),
            "{error}"
        );
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>t</title><item><title>&lol3;</title></item></channel></rss>"#;
        // Either refused or parsed without expanding: never a huge title.
        if let Ok(items) = parse_feed(laughs, &base, "x") {
            assert!(
                items
                    .iter()
                    .all(|i| i.title.as_deref().unwrap_or("").len() < 1000)
            );
        }
        let external = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>t</title><item><title>&x;</title></item></channel></rss>"#;
        if let Ok(items) = parse_feed(external, &base, "x") {
            assert!(
                items
                    .iter()
                    .all(|i| !i.title.as_deref().unwrap_or("").contains("root:"))
            );
        }
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
