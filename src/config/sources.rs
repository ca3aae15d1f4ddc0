//! `[crawl]` and `[[sources]]`: how to fetch, and what. Validated at load:
//! names unique and `[a-z0-9-]`, schedules that parse (6-field cron with
//! seconds; a 5-field Unix expression is accepted and runs at second 0),
//! the keys each kind needs (the numbers' ranges are in `ranges`).

use super::KeyPath;
use super::schedules::parse_schedule;
use serde::{Deserialize, Serialize};

/// `[crawl]`: the HTTP client shared by every source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlConfig {
    /// User-Agent sent with every request (name a contact URL).
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
    /// Least time between two requests to one host, in milliseconds.
    #[serde(default = "default_per_host_delay_ms")]
    pub per_host_delay_ms: u64,
    /// Largest response body, counted after decompression.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Deadline for one request including redirects and the body, seconds.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Sources crawled at the same time at most (each host still gets one
    /// request at a time).
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

fn default_user_agent() -> String {
    concat!(
        "yuqing/",
        env!("CARGO_PKG_VERSION"),
        " (+https://example.gov.cn/yuqing)"
    )
    .to_string()
}
fn default_per_host_delay_ms() -> u64 {
    1000
}
fn default_max_body_bytes() -> usize {
    10 * 1024 * 1024
}
fn default_timeout_secs() -> u64 {
    30
}
fn default_concurrency() -> usize {
    4
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            user_agent: default_user_agent(),
            per_host_delay_ms: default_per_host_delay_ms(),
            max_body_bytes: default_max_body_bytes(),
            timeout_secs: default_timeout_secs(),
            concurrency: default_concurrency(),
        }
    }
}

/// Source kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// RSS 0.9x/2.0, Atom or JSON Feed, fetched from `url`.
    Feed,
    /// JSONL / CSV files dropped in a folder (`path`), each taken once.
    File,
    /// A JSON HTTP API: items at `items_pointer`, fields mapped by `[sources.fields]`
    /// pointers, pages followed through `next_pointer`.
    Json,
    /// HTML list pages (`link_selector`, `next_selector`) → article pages.
    Html,
    /// A petition / message board (留言板), as HTML (`link_selector` and the
    /// `status_selector`… selectors) or JSON (`items_pointer` and fields);
    /// re-visited so status changes become history.
    Petition,
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Unique name, `[a-z0-9-]`.
    pub name: String,
    /// What the source is.
    pub kind: SourceKind,
    /// Where to fetch it (http/https; every kind but `file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `file` kind: a folder, or a pattern with one `*` in the file name
    /// (`imports/*.jsonl`), relative to the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<std::path::PathBuf>,
    /// When to crawl: cron with seconds (`0 */15 * * * *`) in `[schedule]
    /// timezone`; a 5-field Unix expression runs at second 0.
    #[serde(default = "default_source_schedule")]
    pub schedule: String,
    /// Kind of the items it yields: post, news or petition [default:
    /// petition for petition boards, news otherwise].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_kind: Option<crate::model::ItemKind>,
    /// Allow loopback / private-network addresses (intranet or demo sources only).
    #[serde(default)]
    pub allow_private: bool,
    /// json: JSON pointer to the array of items (`/data/list`; "" for a top-level array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_pointer: Option<String>,
    /// json: JSON pointer to the next page (a URL, a path, or a cursor value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pointer: Option<String>,
    /// json: JSON pointers of the item fields (`body` required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<crate::source::json::FieldPointers>,
    /// html / petition: CSS selector of the item links on a list page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_selector: Option<String>,
    /// html / petition: CSS selector of the next list page's link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_selector: Option<String>,
    /// html / petition: the article's title (default: h1, then `<title>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_selector: Option<String>,
    /// html / petition: the article's body (default: main-content extraction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_selector: Option<String>,
    /// html / petition: the publication time (`datetime` attribute or text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_selector: Option<String>,
    /// html / petition: the author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_selector: Option<String>,
    /// petition: the board's status (已回复 / 未回复 / 办理中).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_selector: Option<String>,
    /// petition: the official reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_selector: Option<String>,
    /// petition: the unit that replied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_unit_selector: Option<String>,
    /// petition: when the reply was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at_selector: Option<String>,
    /// feed: follow each new item's link and take the article text from the
    /// page (`body_selector`, or main-content extraction) instead of the
    /// feed's summary.
    #[serde(default)]
    pub fetch_article: bool,
    /// Pages followed at most per crawl (html list pages, json pages).
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
}

fn default_max_pages() -> u32 {
    5
}

fn default_source_schedule() -> String {
    "0 */15 * * * *".to_string()
}

impl SourceConfig {
    /// The kind of item this source yields.
    pub fn item_kind(&self) -> crate::model::ItemKind {
        self.item_kind.unwrap_or(match self.kind {
            SourceKind::Petition => crate::model::ItemKind::Petition,
            _ => crate::model::ItemKind::News,
        })
    }

    /// True for a board read as HTML (html kind, or petition with `link_selector`).
    pub fn is_html(&self) -> bool {
        self.kind == SourceKind::Html
            || (self.kind == SourceKind::Petition && self.link_selector.is_some())
    }

    /// True for a JSON API (json kind, or petition with `items_pointer`).
    pub fn is_json(&self) -> bool {
        self.kind == SourceKind::Json
            || (self.kind == SourceKind::Petition && self.items_pointer.is_some())
    }

    /// Every CSS selector key with its value, set or not (each set one is
    /// checked at load, whatever the kind).
    pub fn selector_settings(&self) -> [(&'static str, Option<&str>); 10] {
        [
            ("link_selector", self.link_selector.as_deref()),
            ("next_selector", self.next_selector.as_deref()),
            ("title_selector", self.title_selector.as_deref()),
            ("body_selector", self.body_selector.as_deref()),
            ("time_selector", self.time_selector.as_deref()),
            ("author_selector", self.author_selector.as_deref()),
            ("status_selector", self.status_selector.as_deref()),
            ("reply_selector", self.reply_selector.as_deref()),
            ("reply_unit_selector", self.reply_unit_selector.as_deref()),
            ("replied_at_selector", self.replied_at_selector.as_deref()),
        ]
    }

    /// The compiled selectors of an HTML source (validated at load).
    pub fn selectors(
        &self,
    ) -> Result<crate::source::html::PageSelectors, crate::source::html::HtmlError> {
        crate::source::html::PageSelectors::compile(&crate::source::html::SelectorSpec {
            link: self.link_selector.as_deref().unwrap_or_default(),
            next: self.next_selector.as_deref(),
            title: self.title_selector.as_deref(),
            body: self.body_selector.as_deref(),
            time: self.time_selector.as_deref(),
            author: self.author_selector.as_deref(),
            status: self.status_selector.as_deref(),
            reply: self.reply_selector.as_deref(),
            reply_unit: self.reply_unit_selector.as_deref(),
            replied_at: self.replied_at_selector.as_deref(),
        })
    }

    /// The selectors a feed with `fetch_article` reads article pages with
    /// (only the article's own: body, title, time, author).
    pub fn article_selectors(
        &self,
    ) -> Result<crate::source::html::PageSelectors, crate::source::html::HtmlError> {
        crate::source::html::PageSelectors::compile(&crate::source::html::SelectorSpec {
            link: "a",
            next: None,
            title: self.title_selector.as_deref(),
            body: self.body_selector.as_deref(),
            time: self.time_selector.as_deref(),
            author: self.author_selector.as_deref(),
            status: None,
            reply: None,
            reply_unit: None,
            replied_at: None,
        })
    }

    /// The parsed schedule (validated at load).
    pub fn cron(&self) -> cron::Schedule {
        parse_schedule(&self.schedule).expect("schedules are validated at load")
    }
}

impl SourceConfig {
    /// A feed with every default, for listing the keys a source has.
    pub(super) fn template() -> SourceConfig {
        SourceConfig {
            name: "template".to_string(),
            kind: SourceKind::Feed,
            url: Some("https://example.org/feed.xml".to_string()),
            path: None,
            schedule: default_source_schedule(),
            item_kind: None,
            allow_private: false,
            items_pointer: None,
            next_pointer: None,
            fields: None,
            link_selector: None,
            next_selector: None,
            title_selector: None,
            body_selector: None,
            time_selector: None,
            author_selector: None,
            status_selector: None,
            reply_selector: None,
            reply_unit_selector: None,
            replied_at_selector: None,
            fetch_article: false,
            max_pages: default_max_pages(),
        }
    }
}

/// Checks `[crawl]` and every source; returns the key at fault and why.
pub fn validate(crawl: &CrawlConfig, sources: &[SourceConfig]) -> Result<(), (KeyPath, String)> {
    if crawl.user_agent.trim().is_empty() {
        return Err((
            KeyPath::new("crawl", "user_agent"),
            "must not be empty".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, source) in sources.iter().enumerate() {
        let key = |name: &str| KeyPath::indexed("sources", index, name);
        let valid_name = !source.name.is_empty()
            && source
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            return Err((
                key("name"),
                format!("`{}` must be lowercase letters, digits and -", source.name),
            ));
        }
        if !seen.insert(source.name.as_str()) {
            return Err((
                key("name"),
                format!("`{}` is used by two sources", source.name),
            ));
        }
        match (source.kind, &source.url, &source.path) {
            (SourceKind::File, _, None) => {
                return Err((
                    key("path"),
                    "a file source needs `path`, e.g. \"imports/*.jsonl\"".into(),
                ));
            }
            (SourceKind::File, Some(_), _) => {
                return Err((key("url"), "a file source reads `path`, not `url`".into()));
            }
            (SourceKind::File, None, Some(_)) => {}
            (_, None, _) => return Err((key("url"), "this kind of source needs `url`".into())),
            (_, Some(raw), _) => match url::Url::parse(raw) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => {}
                _ => return Err((key("url"), format!("`{raw}` is not an http(s) URL"))),
            },
        }
        parse_schedule(&source.schedule).map_err(|message| (key("schedule"), message))?;
        if source.kind == SourceKind::Petition
            && source.link_selector.is_none()
            && source.items_pointer.is_none()
        {
            return Err((
                key("link_selector"),
                "a petition board needs `link_selector` (HTML) or `items_pointer` (JSON)".into(),
            ));
        }
        if source.kind == SourceKind::Html && source.link_selector.is_none() {
            return Err((
                key("link_selector"),
                "an html source needs `link_selector`".into(),
            ));
        }
        for (field, css) in source.selector_settings() {
            let Some(css) = css else { continue };
            if css.trim().is_empty() {
                return Err((
                    key(field),
                    format!(
                        "source `{}`: the selector is empty: write one such as \"div.content\", or leave the key out",
                        source.name
                    ),
                ));
            }
            if let Some(reason) = crate::source::html::selector_problem(css) {
                return Err((
                    key(field),
                    format!(
                        "source `{}`: `{css}` is not a valid CSS selector: {reason}",
                        source.name
                    ),
                ));
            }
        }
        if source.is_json() {
            match source.items_pointer.as_deref() {
                None => {
                    return Err((
                        key("items_pointer"),
                        "a json source needs `items_pointer`, e.g. \"/data/list\"".into(),
                    ));
                }
                Some(p) if !p.is_empty() && !p.starts_with('/') => {
                    return Err((
                        key("items_pointer"),
                        format!("`{p}` is not a JSON pointer: start it with /"),
                    ));
                }
                Some(_) => {}
            }
            let Some(fields) = &source.fields else {
                return Err((
                    key("fields"),
                    "a json source needs [sources.fields] with at least `body`".into(),
                ));
            };
            fields
                .validate()
                .map_err(|(field, message)| (key(&format!("fields.{field}")), message))?;
        }
        if source.fetch_article && source.kind != SourceKind::Feed {
            return Err((
                key("fetch_article"),
                "only feeds fetch articles (html sources always read the article pages)".into(),
            ));
        }
    }
    Ok(())
}
