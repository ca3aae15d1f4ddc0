//! Crawling one source: fetch with the stored validators, parse by kind,
//! hand back raw items and the new validators. Storing the items and then
//! the state (in that order: nothing lost, nothing doubled) is the caller's.

use super::feed::{FeedError, parse_feed};
use super::fetch::Validators;
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
/// `source`, sending the validators in `state`.
pub async fn crawl_source(
    fetcher: &Polite,
    source: &SourceConfig,
    state: &SourceState,
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
    let Some(text) = fetched.text.as_deref() else {
        return Err(SourceError::NotText {
            url: fetched.final_url.to_string(),
            content_type: fetched
                .content_type
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        });
    };
    let items = match source.kind {
        SourceKind::Feed => parse_feed(text, &fetched.final_url, &source.name)?,
        SourceKind::File => unreachable!("file sources are read from disk, not fetched"),
    };
    Ok(CrawlResult {
        not_modified: false,
        items,
        validators: fetched.validators,
        encoding: fetched.encoding,
    })
}
