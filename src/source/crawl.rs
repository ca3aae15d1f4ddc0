//! Crawling one source: fetch with the stored validators, parse by kind,
//! hand back raw items and the new validators. Storing the items and then
//! the state (in that order: nothing lost, nothing doubled) is the caller's.

use super::feed::{FeedError, parse_feed};
use super::fetch::{Fetched, Validators};
use super::html::{HtmlError, article_page, list_page};
use super::json::{JsonSourceError, NextPage, cursor_url, parse_page};
use super::politeness::{Polite, PoliteError};
use crate::config::{SourceConfig, SourceKind};
use crate::pipeline::RawItem;
use crate::store::SourceState;
use thiserror::Error;

/// A source that could not be crawled this time.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The fetch failed, or robots.txt / politeness kept us away.
    #[error(transparent)]
    Fetch(#[from] PoliteError),
    /// The feed is not valid.
    #[error(transparent)]
    Feed(#[from] FeedError),
    /// The HTML source's selectors or pages are unusable.
    #[error(transparent)]
    Html(#[from] HtmlError),
    /// The JSON API answered something unusable.
    #[error(transparent)]
    Json(#[from] JsonSourceError),
    /// The site answered a captcha / verification page instead of content.
    #[error(
        "{url} answered a verification (captcha) page instead of content: the site is blocking the crawler"
    )]
    Challenge {
        /// The URL.
        url: String,
    },
    /// The response is not text.
    #[error("{url} did not return text (content type {content_type})")]
    NotText {
        /// The URL.
        url: String,
        /// What it returned.
        content_type: String,
    },
}

/// What one crawl of a source brought (its items went to the sink).
#[derive(Debug, Default)]
pub struct CrawlResult {
    /// The server said nothing changed (304).
    pub not_modified: bool,
    /// Items handed to the sink.
    pub found: usize,
    /// Validators to store for the next conditional GET.
    pub validators: Validators,
    /// The encoding the document was decoded from.
    pub encoding: Option<&'static str>,
}

/// Items handed over by a crawl in small batches as they are found, so
/// that they are stored while the crawl goes on: a crawl killed half-way
/// loses none of what it fetched.
#[derive(Debug)]
pub struct ItemSink {
    tx: tokio::sync::mpsc::UnboundedSender<(usize, Vec<RawItem>)>,
    slot: usize,
    pending: Vec<RawItem>,
    found: usize,
}

/// Items per batch handed over.
const SINK_BATCH: usize = 8;

impl ItemSink {
    /// A sink sending `(slot, items)` to `tx`.
    pub fn new(
        tx: tokio::sync::mpsc::UnboundedSender<(usize, Vec<RawItem>)>,
        slot: usize,
    ) -> ItemSink {
        ItemSink {
            tx,
            slot,
            pending: Vec::new(),
            found: 0,
        }
    }

    /// Adds one item; a full batch is sent.
    pub fn push(&mut self, item: RawItem) {
        self.found += 1;
        self.pending.push(item);
        if self.pending.len() >= SINK_BATCH {
            self.flush();
        }
    }

    /// Sends what is pending.
    pub fn flush(&mut self) {
        if !self.pending.is_empty() {
            // The receiver lives as long as the crawl; if it is gone the
            // process is shutting down and the items are re-fetched later.
            let _ = self.tx.send((self.slot, std::mem::take(&mut self.pending)));
        }
    }
}

/// Fetches (politely: robots.txt, per-host delay, backoff) and parses
/// `source`, sending the validators in `state` (the state the last crawl
/// left) with the first request and the items to `sink` as they are found.
/// `known(id)` says whether an item id is already stored: json pagination
/// stops at a page whose items are all known — unless the last crawl did not
/// finish, when the pages after its last stored one were never read — and
/// html sources skip known articles. Feed dates without a zone are read in
/// `tz` (`[schedule] timezone`).
pub async fn crawl_source(
    fetcher: &Polite,
    source: &SourceConfig,
    tz: chrono_tz::Tz,
    state: &SourceState,
    known: &dyn Fn(&str) -> bool,
    sink: &mut ItemSink,
) -> Result<CrawlResult, SourceError> {
    let validators = Validators {
        etag: state.etag.clone(),
        last_modified: state.last_modified.clone(),
    };
    let url = source
        .url
        .as_deref()
        .expect("validated: http sources have a url");
    let fetched = fetcher.get(url, &validators).await?;
    if fetched.not_modified {
        return Ok(CrawlResult {
            not_modified: true,
            validators: fetched.validators,
            ..CrawlResult::default()
        });
    }
    let text = text_of(&fetched)?;
    let before = sink.found;
    let parsed = match source.kind {
        SourceKind::File => unreachable!("file sources are read from disk, not fetched"),
        SourceKind::Feed => {
            let url = &fetched.final_url;
            let items = parse_feed(text, url, &source.name, tz);
            match items {
                Ok(items) => feed_items(fetcher, source, items, known, sink)
                    .await
                    .map(|()| true),
                Err(error) => Err(error.into()),
            }
        }
        _ if source.is_json() => {
            let stop_at_known = state.last_crawl_completed();
            json_pages(
                fetcher,
                source,
                text,
                &fetched.final_url,
                known,
                stop_at_known,
                sink,
            )
            .await
            .map(|()| true)
        }
        // Petition boards are re-visited whole: a known petition may have a
        // new status or reply.
        SourceKind::Html | SourceKind::Petition | SourceKind::Json => {
            let revisit = source.kind == SourceKind::Petition;
            html_pages(
                fetcher,
                source,
                text,
                &fetched.final_url,
                known,
                revisit,
                sink,
            )
            .await
        }
    };
    sink.flush();
    // A verification page served instead of the content (status 200, no
    // items or unparsable) means blocked, not "nothing new" or "broken".
    let found = sink.found - before;
    if (parsed.is_err() || found == 0) && looks_like_challenge(text) {
        return Err(SourceError::Challenge {
            url: fetched.final_url.to_string(),
        });
    }
    // Validators are kept only when every item the document lists was
    // read: an article skipped this time (a timeout, a 5xx) must be tried
    // again, and a `304` for the unchanged list page would hide it for ever.
    let complete = parsed?;
    let validators = if complete {
        fetched.validators
    } else {
        Validators::default()
    };
    Ok(CrawlResult {
        not_modified: false,
        found,
        validators,
        encoding: fetched.encoding,
    })
}

/// Phrases of the verification pages sites put in front of crawlers.
const CHALLENGE_MARKERS: [&str; 10] = [
    "captcha",
    "verify you are human",
    "are you a robot",
    "验证码",
    "安全验证",
    "人机验证",
    "滑动验证",
    "访问过于频繁",
    "请完成验证",
    "异常访问",
];

/// True when a page reads like a captcha / verification page.
pub fn looks_like_challenge(text: &str) -> bool {
    let head: String = text.chars().take(20_000).collect::<String>().to_lowercase();
    CHALLENGE_MARKERS.iter().any(|marker| head.contains(marker))
}

/// How a crawl ended, as `yuqing sources` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// New items were stored.
    NewItems,
    /// It worked, but there was nothing new (or a `304 Not Modified`).
    NothingNew,
    /// The site refuses us: 401/403/451, a captcha page, robots.txt, or a
    /// host that asked us to back off.
    Blocked,
    /// Timeouts, refused connections, `5xx`.
    Unreachable,
    /// The response arrived but could not be read as the source's kind.
    ParseError,
    /// Anything else (a local problem: the store, a bad file).
    Error,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NewItems => "new_items",
            Outcome::NothingNew => "nothing_new",
            Outcome::Blocked => "blocked",
            Outcome::Unreachable => "unreachable",
            Outcome::ParseError => "parse_error",
            Outcome::Error => "error",
        }
    }

    /// What a failed crawl's error means for the source's health.
    pub fn of_error(error: &SourceError) -> Outcome {
        use super::fetch::FetchError;
        match error {
            SourceError::Challenge { .. } => Outcome::Blocked,
            SourceError::Fetch(PoliteError::Disallowed { .. } | PoliteError::BackingOff { .. }) => {
                Outcome::Blocked
            }
            SourceError::Fetch(PoliteError::RobotsUnavailable { .. }) => Outcome::Unreachable,
            SourceError::Fetch(PoliteError::Fetch(fetch)) => match fetch {
                FetchError::Status {
                    status: 401 | 403 | 429 | 451,
                    ..
                } => Outcome::Blocked,
                FetchError::Status { .. }
                | FetchError::Timeout { .. }
                | FetchError::Connect { .. }
                | FetchError::Transport { .. } => Outcome::Unreachable,
                _ => Outcome::Error,
            },
            SourceError::Feed(_)
            | SourceError::Html(_)
            | SourceError::Json(_)
            | SourceError::NotText { .. } => Outcome::ParseError,
        }
    }
}

fn text_of(fetched: &Fetched) -> Result<&str, SourceError> {
    fetched.text.as_deref().ok_or_else(|| SourceError::NotText {
        url: fetched.final_url.to_string(),
        content_type: fetched
            .content_type
            .clone()
            .unwrap_or_else(|| "unknown".into()),
    })
}

/// Hands over the items of a feed. With `fetch_article`, each new item's link is
/// followed and the page's article text replaces the feed's summary (an
/// article that cannot be fetched or read keeps the summary, with a
/// warning); items already stored are skipped, so a full text is never
/// overwritten by a summary.
async fn feed_items(
    fetcher: &Polite,
    source: &SourceConfig,
    items: Vec<RawItem>,
    known: &dyn Fn(&str) -> bool,
    sink: &mut ItemSink,
) -> Result<(), SourceError> {
    if !source.fetch_article {
        items.into_iter().for_each(|item| sink.push(item));
        return Ok(());
    }
    let selectors = source.article_selectors()?;
    for mut item in items {
        let Some(link) = item.url.clone() else {
            sink.push(item);
            continue;
        };
        let id = crate::dedup::canonical_url(&link).map(|url| crate::pipeline::id_for_url(&url));
        if item.id.is_none() && id.as_deref().is_some_and(known) {
            continue;
        }
        let article = match fetcher.get(&link, &Validators::default()).await {
            Ok(page) => text_of(&page).map_err(|e| e.to_string()).and_then(|html| {
                article_page(html, &page.final_url, &selectors).map_err(|e| e.to_string())
            }),
            Err(error) => Err(error.to_string()),
        };
        match article {
            Ok(article) => {
                if article.text.is_some() {
                    item.text = article.text;
                }
                item.title = item.title.or(article.title);
                item.published_at = item.published_at.or(article.published_at);
                item.author = item.author.or(article.author);
            }
            Err(error) => {
                tracing::warn!(source = %source.name, url = %link, %error, "article not fetched; the feed's summary is kept")
            }
        }
        sink.push(item);
    }
    Ok(())
}

/// The items of an html source or board: item links from the list pages
/// (following `next_selector` up to `max_pages`), then each article page —
/// skipping articles already stored unless `revisit`. One article that
/// cannot be fetched or read is skipped with a warning; `Ok(false)` then
/// says the crawl is incomplete (the list's validators must not be kept).
async fn html_pages(
    fetcher: &Polite,
    source: &SourceConfig,
    first: &str,
    first_url: &url::Url,
    known: &dyn Fn(&str) -> bool,
    revisit: bool,
    sink: &mut ItemSink,
) -> Result<bool, SourceError> {
    let selectors = source.selectors()?;
    let (mut links, mut next) = list_page(first, first_url, &selectors);
    let mut seen_pages = vec![first_url.clone()];
    for _ in 1..source.max_pages {
        let Some(page) = next.take().filter(|n| !seen_pages.contains(n)) else {
            break;
        };
        let fetched = fetcher.get(page.as_str(), &Validators::default()).await?;
        let (more, after) = list_page(text_of(&fetched)?, &fetched.final_url, &selectors);
        links.extend(more);
        next = after;
        seen_pages.push(page);
    }
    let mut unique = std::collections::HashSet::new();
    links.retain(|link| unique.insert(link.clone()));
    let mut complete = true;
    for link in links {
        let id =
            crate::dedup::canonical_url(link.as_str()).map(|url| crate::pipeline::id_for_url(&url));
        if !revisit && id.as_deref().is_some_and(known) {
            continue;
        }
        let page = match fetcher.get(link.as_str(), &Validators::default()).await {
            Ok(page) => page,
            Err(error) => {
                tracing::warn!(source = %source.name, url = %link, %error, "article skipped; tried again next crawl");
                complete = false;
                continue;
            }
        };
        match text_of(&page).map_err(|e| e.to_string()).and_then(|text| {
            article_page(text, &page.final_url, &selectors).map_err(|e| e.to_string())
        }) {
            Ok(mut item) => {
                item.source = Some(source.name.clone());
                item.url = Some(link.to_string());
                sink.push(item);
            }
            Err(error) => {
                tracing::warn!(source = %source.name, url = %link, %error, "article skipped; tried again next crawl");
                complete = false;
            }
        }
    }
    Ok(complete)
}

/// The items of a json source: the first page's, then following
/// `next_pointer` up to `max_pages`, stopping at a page that points back or,
/// with `stop_at_known`, whose items are all stored already (the API lists
/// newest first, and the last crawl read every page after them).
async fn json_pages(
    fetcher: &Polite,
    source: &SourceConfig,
    first: &str,
    first_url: &url::Url,
    known: &dyn Fn(&str) -> bool,
    stop_at_known: bool,
    sink: &mut ItemSink,
) -> Result<(), SourceError> {
    let fields = source
        .fields
        .as_ref()
        .expect("validated: json sources have fields");
    let items_pointer = source.items_pointer.as_deref().unwrap_or_default();
    let parse = |text: &str, url: &url::Url| {
        parse_page(
            text,
            url,
            items_pointer,
            source.next_pointer.as_deref(),
            fields,
            &source.name,
        )
    };
    let mut page = parse(first, first_url)?;
    let mut seen_pages = vec![first_url.clone()];
    for _ in 1..source.max_pages {
        let all_known = stop_at_known
            && !page.items.is_empty()
            && page
                .items
                .iter()
                .all(|i| i.id.as_deref().is_some_and(known));
        let next = match &page.next {
            NextPage::None => None,
            NextPage::Url(url) => Some(url.clone()),
            NextPage::Cursor(cursor) => {
                Some(cursor_url(seen_pages.last().expect("one page"), cursor))
            }
        };
        page.items.drain(..).for_each(|item| sink.push(item));
        sink.flush();
        let Some(next) = next.filter(|n| !all_known && !seen_pages.contains(n)) else {
            return Ok(());
        };
        let fetched = fetcher.get(next.as_str(), &Validators::default()).await?;
        page = parse(text_of(&fetched)?, &fetched.final_url)?;
        seen_pages.push(next);
    }
    page.items.drain(..).for_each(|item| sink.push(item));
    Ok(())
}
