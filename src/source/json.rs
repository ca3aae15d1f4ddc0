//! The `json` source kind: a JSON HTTP API of public posts.
//!
//! A page of the API is a JSON document; `items_pointer` (an RFC 6901 JSON
//! pointer such as `/data/list`, or `""` for a top-level array) selects the
//! array of posts, and [`FieldPointers`] map each post's fields, again by JSON
//! pointers evaluated relative to the array element (`/user/name`,
//! `/images/0`, ...). Pagination follows `next_pointer`, whose value is either
//! the URL (absolute, or a path relative to the page URL) of the next page or
//! an opaque cursor; see [`NextPage`].
//!
//! Everything here is pure: fetching, storing, hashing URLs into ids and
//! deciding when to stop belong to the caller.
//!
//! # Stopping at items already seen
//!
//! The caller keeps requesting pages while [`JsonPage::next`] is not
//! [`NextPage::None`], but stops paginating as soon as a page's items are all
//! already stored (every item's id is known), so that a periodic crawl only
//! walks back to the last point it reached. This module exposes nothing
//! extra for that: the stable per-source ids produced by [`parse_page`] are
//! what the caller compares.

use crate::pipeline::RawItem;
use serde_json::Value;
use url::Url;

/// JSON pointers (RFC 6901, relative to one element of the items array) for
/// the fields of a post. `None` means the API has no such field.
///
/// In the TOML configuration this is the `[sources.fields]` table, e.g.
/// `id = "/id", title = "/title", body = "/content", url = "/url",
/// author = "/user/name", published = "/created_at"`; petition APIs add
/// `status`, `reply`, `reply_unit` and `replied_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldPointers {
    /// Stable id of the post within the source; becomes `{source}:{value}`.
    pub id: Option<String>,
    /// Title of the post.
    pub title: Option<String>,
    /// Body text of the post (required: elements without it are skipped).
    pub body: Option<String>,
    /// Link to the post, resolved against the page URL.
    pub url: Option<String>,
    /// Author name.
    pub author: Option<String>,
    /// Publication time, kept as the API gives it (string or number).
    pub published: Option<String>,
    /// Petition handling status (e.g. "已办结").
    pub status: Option<String>,
    /// Official reply text of a petition.
    pub reply: Option<String>,
    /// Unit (department) that replied to a petition.
    pub reply_unit: Option<String>,
    /// Time of the official reply.
    pub replied_at: Option<String>,
}

impl FieldPointers {
    /// All pointers with their configuration key, in declaration order.
    fn entries(&self) -> [(&'static str, Option<&str>); 10] {
        [
            ("id", self.id.as_deref()),
            ("title", self.title.as_deref()),
            ("body", self.body.as_deref()),
            ("url", self.url.as_deref()),
            ("author", self.author.as_deref()),
            ("published", self.published.as_deref()),
            ("status", self.status.as_deref()),
            ("reply", self.reply.as_deref()),
            ("reply_unit", self.reply_unit.as_deref()),
            ("replied_at", self.replied_at.as_deref()),
        ]
    }

    /// Checks the mapping: each pointer must be `""` or start with `'/'`
    /// (RFC 6901), and `body` is required. Returns `(key, message)` for the
    /// first bad one, keys checked in declaration order (`id`, `title`,
    /// `body`, ...).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (key, pointer) in self.entries() {
            match pointer {
                None if key == "body" => {
                    return Err((key, "is required (JSON pointer to the post text)".into()));
                }
                Some(p) if !p.is_empty() && !p.starts_with('/') => {
                    return Err((
                        key,
                        format!("`{p}` is not a JSON pointer: it must be empty or start with '/'"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Why a page of a `json` source could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum JsonSourceError {
    /// The response body is not valid JSON.
    #[error("{url}: not valid JSON: {reason}")]
    NotJson {
        /// URL of the page.
        url: String,
        /// The parser's message.
        reason: String,
    },
    /// `items_pointer` points at nothing, or at something that is not an array.
    #[error("{url}: nothing at items_pointer `{pointer}` (or not an array)")]
    NoItems {
        /// URL of the page.
        url: String,
        /// The configured `items_pointer`.
        pointer: String,
    },
}

/// What the next request should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// No further page: `next_pointer` is unset, or its value is missing,
    /// `null`, an empty string, a boolean, or leads back to the same page.
    None,
    /// The `next_pointer` value is an http(s) URL or a path (starting with
    /// `/`, `?`, `./` or `../`), resolved against the page URL.
    Url(Url),
    /// Anything else (a number or another string): an opaque cursor. The
    /// caller requests the page URL with query parameter `cursor` set to it,
    /// see [`cursor_url`].
    Cursor(String),
}

/// One parsed API page.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPage {
    /// The posts, in API order. `kind` is left for the caller; `source` is set.
    pub items: Vec<RawItem>,
    /// What the next request should be.
    pub next: NextPage,
    /// Array elements that were not objects or had no body.
    pub skipped: usize,
}

/// Parses one API page.
///
/// * `text`: the response body; `page_url`: the URL it came from (used in
///   errors and to resolve relative URLs).
/// * `items_pointer`: JSON pointer to the array of posts (`""` = the root).
/// * `next_pointer`: JSON pointer to the next-page URL or cursor, if any.
/// * `fields`: pointers mapping each element to a [`RawItem`].
/// * `source`: the source name, stored in `RawItem::source` and used to
///   prefix ids.
///
/// Field values: strings as is (empty or whitespace-only strings count as
/// missing), numbers and booleans via `to_string`, arrays joined with `"\n"`
/// (their string/number/boolean elements; others ignored), objects, `null`
/// and missing values → `None`. The item id is the `id` field's value
/// prefixed with `{source}:` when present (stable per source), else `None`
/// (the caller hashes the URL). The item URL is resolved against `page_url`;
/// values that do not resolve to an http(s) URL give `None`. Elements that
/// are not objects or have no body are skipped and counted in
/// [`JsonPage::skipped`].
pub fn parse_page(
    text: &str,
    page_url: &Url,
    items_pointer: &str,
    next_pointer: Option<&str>,
    fields: &FieldPointers,
    source: &str,
) -> Result<JsonPage, JsonSourceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Value = serde_json::from_str(text).map_err(|e| JsonSourceError::NotJson {
        url: page_url.to_string(),
        reason: e.to_string(),
    })?;
    let Some(Value::Array(elements)) = doc.pointer(items_pointer) else {
        return Err(JsonSourceError::NoItems {
            url: page_url.to_string(),
            pointer: items_pointer.to_string(),
        });
    };

    let mut items = Vec::with_capacity(elements.len());
    let mut skipped = 0;
    for element in elements {
        match parse_item(element, page_url, fields, source) {
            Some(item) => items.push(item),
            None => skipped += 1,
        }
    }

    let next = next_pointer
        .and_then(|p| doc.pointer(p))
        .map_or(NextPage::None, |v| next_page(v, page_url));

    Ok(JsonPage {
        items,
        next,
        skipped,
    })
}

/// Builds the URL of the next page for a cursor: `page_url` with query
/// parameter `cursor` set (replacing an existing one; other parameters are
/// kept in order).
pub fn cursor_url(page_url: &Url, cursor: &str) -> Url {
    let kept: Vec<(String, String)> = page_url
        .query_pairs()
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut url = page_url.clone();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("cursor", cursor);
    url
}

/// Maps one array element to an item; `None` when it is not an object or
/// has no body.
fn parse_item(
    element: &Value,
    page_url: &Url,
    fields: &FieldPointers,
    source: &str,
) -> Option<RawItem> {
    if !element.is_object() {
        return None;
    }
    let get = |pointer: &Option<String>| {
        pointer
            .as_deref()
            .and_then(|p| element.pointer(p))
            .and_then(value_text)
    };
    let text = get(&fields.body)?;
    Some(RawItem {
        id: get(&fields.id).map(|id| format!("{source}:{id}")),
        source: Some(source.to_string()),
        kind: None,
        url: get(&fields.url).and_then(|u| resolve_http(page_url, &u).map(String::from)),
        title: get(&fields.title),
        text: Some(text),
        author: get(&fields.author),
        published_at: get(&fields.published),
        status: get(&fields.status),
        reply: get(&fields.reply),
        reply_unit: get(&fields.reply_unit),
        replied_at: get(&fields.replied_at),
    })
}

/// Text of a field value; see [`parse_page`] for the rules.
fn value_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Array(values) => values
            .iter()
            .filter_map(scalar_text)
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        other => scalar_text(other)?,
    };
    (!text.trim().is_empty()).then_some(text)
}

/// Text of a string, number or boolean; `None` for anything else.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Resolves `reference` against `base`, keeping only http(s) results.
fn resolve_http(base: &Url, reference: &str) -> Option<Url> {
    base.join(reference.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// Interprets the value found at `next_pointer`.
fn next_page(value: &Value, page_url: &Url) -> NextPage {
    let next = match value {
        Value::Number(n) => NextPage::Cursor(n.to_string()),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return NextPage::None;
            }
            let absolute = Url::parse(s)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"));
            let relative = ["/", "?", "./", "../"]
                .iter()
                .any(|p| s.starts_with(p))
                .then(|| resolve_http(page_url, s))
                .flatten();
            match absolute.or(relative) {
                Some(url) => NextPage::Url(url),
                None => NextPage::Cursor(s.to_string()),
            }
        }
        _ => NextPage::None,
    };
    // Guard against an API that points back at the page just fetched.
    let same = match &next {
        NextPage::Url(url) => url == page_url,
        NextPage::Cursor(c) => cursor_url(page_url, c) == *page_url,
        NextPage::None => false,
    };
    if same { NextPage::None } else { next }
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
