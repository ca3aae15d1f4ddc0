//! The pipeline from a raw record to a stored, indexed item: normalise and
//! redact the text, hash the author, give the item a stable id, store it in
//! SQLite (the record), then bring the index up to date from the store's
//! change sequence. A bad record never fails its batch: it is reported with
//! its reason and the rest goes on.

use crate::dedup::story::StoryVector;
use crate::index::{IndexBatch, IndexError, SearchIndex, Watermark};
use crate::model::{Analysis, Item, ItemKind, PetitionState};
use crate::store::{Store, StoreError, Upserted};
use crate::text::segment::DocTokens;
use crate::text::{AuthorHasher, Normalizer, RedactionCounts, dates};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use indicatif::ProgressBar;
use sha2::{Digest, Sha256};
use thiserror::Error;

mod feed;
pub use feed::IndexFeed;

/// Items read from the store per indexing round.
const INDEX_CHUNK: usize = 2000;

/// A record as it arrives from an import or a crawler, before cleaning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawItem {
    /// The source's own id, kept unchanged when present.
    pub id: Option<String>,
    /// Source name.
    pub source: Option<String>,
    /// post / news / petition.
    pub kind: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Body text (plain or HTML).
    pub text: Option<String>,
    /// Author handle (hashed before storage).
    pub author: Option<String>,
    /// Publication date as written.
    pub published_at: Option<String>,
    /// Petition status (已回复 / 未回复 / 办理中).
    pub status: Option<String>,
    /// Petition reply text.
    pub reply: Option<String>,
    /// Unit that replied.
    pub reply_unit: Option<String>,
    /// Reply date as written.
    pub replied_at: Option<String>,
}

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    /// Neither title nor text has content.
    #[error("record has no `text` (or `body`) and no `title`")]
    Empty,
    /// The kind is not one of post/news/petition.
    #[error("{0}")]
    Kind(String),
}

/// A cleaned item plus what cleaning noticed.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The item, ready to store.
    pub item: Item,
    /// Personal data removed.
    pub redactions: RedactionCounts,
    /// Non-fatal problems (unreadable date, text cut at the cap).
    pub warnings: Vec<String>,
}

/// Turns raw records into items.
#[derive(Debug, Clone)]
pub struct Preparer {
    normalizer: Normalizer,
    authors: AuthorHasher,
    timezone: Tz,
    default_source: String,
    default_kind: ItemKind,
}

impl Preparer {
    /// A preparer; records without source or kind get the defaults.
    pub fn new(
        normalizer: Normalizer,
        authors: AuthorHasher,
        timezone: Tz,
        default_source: impl Into<String>,
        default_kind: ItemKind,
    ) -> Preparer {
        Preparer {
            normalizer,
            authors,
            timezone,
            default_source: default_source.into(),
            default_kind,
        }
    }

    /// Cleans one record. `now` is its fetch time.
    pub fn prepare(&self, raw: RawItem, now: DateTime<Utc>) -> Result<Prepared, RecordError> {
        let mut warnings = Vec::new();
        let mut redactions = RedactionCounts::default();
        let mut clean = |text: Option<&str>, what: &str| -> String {
            let Some(text) = text else {
                return String::new();
            };
            let cleaned = self.normalizer.clean(text);
            redactions += cleaned.redactions;
            if cleaned.truncated {
                warnings.push(format!("{what} was cut to the length cap"));
            }
            cleaned.text
        };
        let title = clean(raw.title.as_deref(), "title").replace('\n', " ");
        let body = clean(raw.text.as_deref(), "text");
        let reply = raw.reply.as_deref().map(|r| clean(Some(r), "reply"));
        // Free text from the source like the rest (a unit's name, but
        // boards have put the replying officer's mobile in it).
        let reply_unit = raw
            .reply_unit
            .as_deref()
            .map(|unit| clean(Some(unit), "reply_unit").trim().to_string())
            .filter(|unit| !unit.is_empty());
        if title.is_empty() && body.is_empty() {
            return Err(RecordError::Empty);
        }
        let kind = match raw.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(kind) => kind.parse().map_err(RecordError::Kind)?,
            None => self.default_kind,
        };
        let source = raw
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.default_source)
            .to_string();
        let trimmed = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        // The canonical form when it is an http(s) URL, so the same article
        // linked with tracking parameters is one item.
        let url = trimmed(raw.url).map(|u| crate::dedup::canonical_url(&u).unwrap_or(u));
        // The link is stored and shown too: a number in it (`/u/138…`,
        // `?phone=…`) is redacted like the text's. Such an item's id is then
        // a keyed hash of the whole link, so that two such links stay two
        // items and the id does not give the number away.
        let (url, keyed_url) = match url {
            Some(url) => {
                let (redacted, found) = crate::text::redact(&url);
                if found.total() == 0 {
                    (Some(url), None)
                } else {
                    redactions += found;
                    (Some(redacted), self.authors.hash(&format!("url\u{0}{url}")))
                }
            }
            None => (None, None),
        };
        let mut date = |value: Option<&str>, what: &str| -> Option<DateTime<Utc>> {
            let value = value?.trim();
            if value.is_empty() {
                return None;
            }
            let parsed = dates::parse_published(value, self.timezone, now);
            if parsed.is_none() {
                warnings.push(format!(
                    "{what} `{value}` is not a date I can read; using the fetch time"
                ));
            }
            // A date ahead of the clock (a typo, a wrong year, a zone
            // mislabelled by more than the slack) would stay "newest" for
            // ever: at the top of every recent list and trend, past every
            // retention purge.
            if parsed.is_some_and(|t| t > now + FUTURE_SLACK) {
                warnings.push(format!(
                    "{what} `{value}` is in the future; using the fetch time"
                ));
                return None;
            }
            parsed
        };
        let published = date(raw.published_at.as_deref(), "published_at");
        let replied_at = date(raw.replied_at.as_deref(), "replied_at");
        // A date the source gave is content (a correction is a change); the
        // fetch time standing in for a missing one is not.
        let published_text = published.map(|t| t.to_rfc3339()).unwrap_or_default();
        let status = trimmed(raw.status);
        let content_hash = hash_hex(&[
            &title,
            &body,
            reply.as_deref().unwrap_or_default(),
            &published_text,
            status.as_deref().unwrap_or_default(),
        ]);
        let published_at = published.unwrap_or(now);
        let id = match raw
            .id
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
        {
            Some(id) => id,
            None => match (&url, &keyed_url) {
                (_, Some(keyed)) => hash_hex(&["keyed-url", keyed]),
                (Some(url), None) => id_for_url(url),
                (None, None) => hash_hex(&["content", &source, &content_hash]),
            },
        };
        let item = Item {
            id,
            source,
            kind,
            url,
            title,
            body,
            author: raw.author.as_deref().and_then(|a| self.authors.hash(a)),
            published_at,
            fetched_at: now,
            unit: None,
            region: None,
            petition: PetitionState {
                status,
                reply: reply.filter(|r| !r.is_empty()),
                reply_unit,
                replied_at,
            },
            content_hash,
        };
        Ok(Prepared {
            item,
            redactions,
            warnings,
        })
    }
}

/// How far ahead of the fetch time a date may be and be believed (clocks
/// and zones a little off).
const FUTURE_SLACK: chrono::Duration = chrono::Duration::hours(1);

/// The id of an item known by its (canonical) URL.
pub fn id_for_url(url: &str) -> String {
    hash_hex(&["url", url])
}

/// SHA-256 of the parts (each followed by a NUL), first 32 hex characters.
fn hash_hex(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let mut hex = hex::encode(hasher.finalize());
    hex.truncate(32);
    hex
}

/// A store or index failure while moving items.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// A batch of analysed items with their story vectors and index tokens
/// (same order).
#[derive(Debug, Default)]
pub struct Analysed {
    /// The items and their analyses.
    pub items: Vec<(Item, Analysis)>,
    /// `vectors[i]` is the story vector of `items[i]`.
    pub vectors: Vec<StoryVector>,
    /// `tokens[i]` are the index tokens of `items[i]` (items without get
    /// them from the index's tokenizer).
    pub tokens: Vec<DocTokens>,
}

/// Stores analysed items in one transaction; new ones join their stories.
pub fn store_items(store: &mut Store, batch: &Analysed) -> Result<Upserted, StoreError> {
    if batch.items.is_empty() {
        return Ok(Upserted::default());
    }
    store.upsert_items_with_stories(&batch.items, &batch.vectors)
}

/// Brings the index up to date with the store: every item changed since the
/// index's watermark is (re)indexed, then committed with the new watermark.
/// Returns how many documents were written.
pub fn sync_index(
    store: &Store,
    index: &SearchIndex,
    progress: Option<&ProgressBar>,
) -> Result<usize, PipelineError> {
    let watermark = index.watermark()?;
    let target = store.max_seq()?;
    if target <= watermark.seq && watermark.dictionaries == index.segmenter().fingerprint() {
        return Ok(0);
    }
    if watermark.seq > 0 && watermark.dictionaries != index.segmenter().fingerprint() {
        tracing::warn!(
            built_with = %watermark.dictionaries,
            current = %index.segmenter().fingerprint(),
            "dictionaries or segmentation rules changed since the index was built: run `yuqing reindex` to re-segment older items"
        );
    }
    let mut writer = index.writer()?;
    index_from(store, index, &mut writer, watermark.seq, false, progress)
}

/// Rebuilds the whole index from the store (after a dictionary change, or
/// when the index was lost). Searches see the old index until the commit.
pub fn rebuild_index(
    store: &Store,
    index: &SearchIndex,
    progress: Option<&ProgressBar>,
) -> Result<usize, PipelineError> {
    let mut writer = index.writer()?;
    index_from(store, index, &mut writer, 0, true, progress)
}

fn index_from(
    store: &Store,
    index: &SearchIndex,
    writer: &mut IndexBatch,
    after: i64,
    clear: bool,
    progress: Option<&ProgressBar>,
) -> Result<usize, PipelineError> {
    if clear {
        writer.clear()?;
    }
    let mut seq = after;
    let mut written = 0;
    loop {
        let chunk = store.items_after_seq(seq, INDEX_CHUNK)?;
        let Some(last) = chunk.last() else { break };
        seq = last.seq;
        for stored in &chunk {
            writer.upsert(&stored.item, &stored.analysis)?;
        }
        written += chunk.len();
        if let Some(bar) = progress {
            bar.inc(chunk.len() as u64);
        }
    }
    writer.commit(&Watermark {
        seq,
        dictionaries: index.segmenter().fingerprint().to_string(),
    })?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preparer() -> Preparer {
        Preparer::new(
            Normalizer::new(false, 1 << 20),
            AuthorHasher::with_key(b"test-key-0123456789".to_vec()),
            chrono_tz::Asia::Shanghai,
            "import",
            ItemKind::Post,
        )
    }

    fn raw(text: &str) -> RawItem {
        RawItem {
            text: Some(text.into()),
            ..RawItem::default()
        }
    }

    #[test]
    fn cleans_redacts_and_hashes_the_author() {
        let now = Utc::now();
        let prepared = preparer()
            .prepare(
                RawItem {
                    author: Some("城西小王".into()),
                    title: Some("投诉\n派出所".into()),
                    published_at: Some("2026-11-28 09:00".into()),
                    ..raw("我的电话１３８１２３４５６７８，<b>民警</b>态度差")
                },
                now,
            )
            .unwrap();
        let item = prepared.item;
        assert_eq!(item.body, "我的电话[手机号]，民警态度差");
        assert_eq!(item.title, "投诉 派出所");
        assert_eq!(prepared.redactions.phone_numbers, 1);
        assert_ne!(item.author.as_deref(), Some("城西小王"));
        assert_eq!(item.author.unwrap().len(), 32);
        assert_eq!(item.published_at.to_rfc3339(), "2026-11-28T01:00:00+00:00");
        assert_eq!(item.source, "import");
        assert_eq!(item.kind, ItemKind::Post);
    }

    #[test]
    fn numbers_in_the_link_and_the_reply_unit_are_redacted() {
        let now = Utc::now();
        let p = preparer();
        let linked = |url: &str| {
            p.prepare(
                RawItem {
                    url: Some(url.into()),
                    reply_unit: Some(" 北岸派出所 电话13987654321 ".into()),
                    ..raw("民警不出警")
                },
                now,
            )
            .unwrap()
        };
        let first = linked("https://weibo.example/u/13812345678?phone=13812345678");
        assert_eq!(
            first.item.url.as_deref(),
            Some("https://weibo.example/u/[手机号]?phone=[手机号]")
        );
        assert_eq!(
            first.item.petition.reply_unit.as_deref(),
            Some("北岸派出所 电话[手机号]")
        );
        assert_eq!(first.redactions.phone_numbers, 3);
        // The id gives no number away (not the plain hash of the link)
        // and two such links stay two items; the same link, the same id.
        let raw_id = id_for_url("https://weibo.example/u/13812345678?phone=13812345678");
        assert_ne!(first.item.id, raw_id);
        let second = linked("https://weibo.example/u/13900001111?phone=13900001111");
        assert_eq!(second.item.url, first.item.url);
        assert_ne!(second.item.id, first.item.id);
        assert_eq!(
            linked("https://weibo.example/u/13812345678?phone=13812345678")
                .item
                .id,
            first.item.id
        );
        // A link without personal numbers keeps its plain id.
        assert_eq!(
            linked("https://news.example/a/1.html").item.id,
            id_for_url("https://news.example/a/1.html")
        );
    }

    #[test]
    fn a_date_in_the_future_is_not_believed() {
        let now = Utc::now();
        let p = preparer();
        let at = |published: String| {
            p.prepare(
                RawItem {
                    published_at: Some(published),
                    ..raw("民警不出警")
                },
                now,
            )
            .unwrap()
        };
        let future = at("2099-01-01".into());
        assert_eq!(future.item.published_at, now);
        assert!(
            future.warnings.iter().any(|w| w.contains("in the future")),
            "{:?}",
            future.warnings
        );
        // Within the slack (a clock a few minutes ahead) it stands.
        let soon = now + chrono::Duration::minutes(10);
        let close = at(soon.to_rfc3339());
        assert_eq!(close.item.published_at.timestamp(), soon.timestamp());
        assert!(close.warnings.is_empty(), "{:?}", close.warnings);
    }

    #[test]
    fn ids_are_kept_or_derived_stably() {
        let now = Utc::now();
        let p = preparer();
        let with_id = p
            .prepare(
                RawItem {
                    id: Some(" a-1 ".into()),
                    ..raw("x")
                },
                now,
            )
            .unwrap();
        assert_eq!(with_id.item.id, "a-1");
        let by_url = |text: &str| {
            p.prepare(
                RawItem {
                    url: Some("http://x/1".into()),
                    ..raw(text)
                },
                now,
            )
            .unwrap()
            .item
            .id
        };
        assert_eq!(by_url("一"), by_url("二"), "same url, same id");
        let tracked = p
            .prepare(
                RawItem {
                    url: Some("HTTP://X/1?utm_source=wx#top".into()),
                    ..raw("三")
                },
                now,
            )
            .unwrap()
            .item;
        assert_eq!(
            tracked.id,
            by_url("一"),
            "tracking parameters do not make a new item"
        );
        assert_eq!(tracked.url.as_deref(), Some("http://x/1"));
        let by_content = |text: &str| p.prepare(raw(text), now).unwrap().item.id;
        assert_eq!(by_content("一"), by_content("一"));
        assert_ne!(by_content("一"), by_content("二"));
    }

    #[test]
    fn bad_records_are_rejected_with_a_reason_and_bad_dates_warn() {
        let now = Utc::now();
        let p = preparer();
        assert_eq!(p.prepare(raw("  "), now).unwrap_err(), RecordError::Empty);
        let error = p
            .prepare(
                RawItem {
                    kind: Some("tweet".into()),
                    ..raw("x")
                },
                now,
            )
            .unwrap_err();
        assert!(error.to_string().contains("unknown item kind `tweet`"));
        let prepared = p
            .prepare(
                RawItem {
                    published_at: Some("上周某天".into()),
                    ..raw("x")
                },
                now,
            )
            .unwrap();
        assert_eq!(prepared.item.published_at, now);
        assert_eq!(prepared.warnings.len(), 1);
    }
}
