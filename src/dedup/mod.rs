//! Duplicate detection. Canonical URLs, so an article linked with
//! tracking parameters, a fragment or an upper-case host is one item and
//! its id (a hash of the canonical URL) is stable; and story vectors
//! ([`story`]), so that reposts and rewordings of one event are grouped into
//! one story (the grouping itself is stored beside the items, see
//! `store::stories`).

pub mod story;

use url::Url;

/// Query parameters that only track the visitor, dropped from canonical URLs
/// (besides every `utm_*`).
const TRACKING_PARAMETERS: [&str; 14] = [
    "spm",
    "from",
    "share",
    "share_source",
    "share_from",
    "share_token",
    "scene",
    "isappinstalled",
    "fbclid",
    "gclid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
];

/// The canonical form of a URL: lowercase scheme and host, no default port,
/// no fragment, no `utm_*` or other tracking parameters, the remaining
/// parameters sorted, no trailing slash on a non-root path. `None` for
/// anything that is not an absolute http(s) URL.
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    // `Url` already lowercases scheme and host and drops default ports.
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| {
            let key = key.to_ascii_lowercase();
            !key.starts_with("utm_") && !TRACKING_PARAMETERS.contains(&key.as_str())
        })
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let path = url.path().to_string();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_canonical_urls() {
        let cases = [
            (
                "HTTP://News.Example.COM:80/a/b/?utm_source=x&id=3&spm=1#top",
                Some("http://news.example.com/a/b?id=3"),
            ),
            ("https://example.com:443/", Some("https://example.com/")),
            (
                "https://example.com/p?b=2&a=1",
                Some("https://example.com/p?a=1&b=2"),
            ),
            (
                "https://example.com/p?from=timeline&isappinstalled=0",
                Some("https://example.com/p"),
            ),
            (
                "https://例子.中国/新闻",
                Some("https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB"),
            ),
            (
                " http://example.com/x?q=城关 ",
                Some("http://example.com/x?q=%E5%9F%8E%E5%85%B3"),
            ),
            ("ftp://example.com/x", None),
            ("not a url", None),
            ("/relative/path", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(canonical_url(raw).as_deref(), expected, "{raw}");
        }
    }
}
