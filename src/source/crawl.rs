//! Crawling one source: fetch with the stored validators, parse by kind,
//! hand back raw items and the new validators. Storing the items and then
//! the state (in that order: nothing lost, nothing doubled) is the caller's.

use super::feed::{FeedError, parse_feed};
use super::fetch::{Fetched, Validators};
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
    /// The JSON API answered something unusable.
    #[error(transparent)]
    Json(#[from] JsonSourceError),
    /// The response is not text.
    #[error("{url} did not return text (content type {content_type})")]
    NotText {
        /// The URL.
        url: String,
        /// What it returned.
        content_type: String,
    },
}

/// What one crawl of a source brought.
#[derive(Debug, Default)]
pub struct CrawlResult {
    /// The server said nothing changed (304).
    pub not_modified: bool,
    /// The items found.
    pub items: Vec<RawItem>,
    /// Validators to store for the next conditional GET.
    pub validators: Validators,
    /// The encoding the document was decoded from.
    pub encoding: Option<&'static str>,
}

/// Fetches (politely: robots.txt, per-host delay, backoff) and parses
/// `source`, sending the validators in `state` with the first request.
/// `known(id)` says whether an item id is already stored: json pagination
/// stops at a page whose items are all known.
pub async fn crawl_source(
    fetcher: &Polite,
    source: &SourceConfig,
    state: &SourceState,
    known: &dyn Fn(&str) -> bool,
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
    let items = match source.kind {
        SourceKind::Feed => parse_feed(text, &fetched.final_url, &source.name)?,
        SourceKind::Json => json_pages(fetcher, source, text, &fetched.final_url, known).await?,
        SourceKind::File => unreachable!("file sources are read from disk, not fetched"),
    };
    Ok(CrawlResult {
        not_modified: false,
        items,
        validators: fetched.validators,
        encoding: fetched.encoding,
    })
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

/// The items of a json source: the first page's, then following
/// `next_pointer` up to `max_pages`, stopping at a page whose items are all
/// stored already (the API lists newest first) or that points back.
async fn json_pages(
    fetcher: &Polite,
    source: &SourceConfig,
    first: &str,
    first_url: &url::Url,
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<RawItem>, SourceError> {
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
    let mut items = Vec::new();
    let mut seen_pages = vec![first_url.clone()];
    for _ in 1..source.max_pages {
        let all_known = !page.items.is_empty()
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
        items.append(&mut page.items);
        let Some(next) = next.filter(|n| !all_known && !seen_pages.contains(n)) else {
            return Ok(items);
        };
        let fetched = fetcher.get(next.as_str(), &Validators::default()).await?;
        page = parse(text_of(&fetched)?, &fetched.final_url)?;
        seen_pages.push(next);
    }
    items.append(&mut page.items);
    Ok(items)
}
