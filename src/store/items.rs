//! Items in SQLite: idempotent upserts (an unchanged item is a no-op, a
//! changed one gets a new `seq`), reads by id and by `seq` for the indexer.

use super::{QueryContext, Store, StoreError, stories, trends};
use crate::dedup::story::StoryVector;
use crate::model::{Analysis, Item, ItemKind, PetitionState};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use std::collections::HashMap;

/// What an upsert of one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// Items new to the store.
    pub inserted: usize,
    /// Items whose content changed.
    pub updated: usize,
    /// Items already stored with the same content.
    pub unchanged: usize,
}

impl UpsertOutcome {
    /// Adds another outcome to this one.
    pub fn add(&mut self, other: UpsertOutcome) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// What an upsert of one batch did, item by item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upserted {
    /// The totals.
    pub outcome: UpsertOutcome,
    /// The change sequence number the first written item got (one more
    /// than the highest before the batch); written items count up from it.
    pub first_seq: i64,
    /// Per item (same order): its new `seq` and whether it was new to the
    /// store; `None` when it was stored unchanged.
    pub written: Vec<Option<(i64, bool)>>,
}

/// A petition's status change seen on a re-visit of its board.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusChange {
    /// Status before (e.g. 未回复).
    pub before: Option<String>,
    /// Status after (e.g. 已回复).
    pub after: Option<String>,
    /// When the change was seen (RFC 3339).
    pub seen_at: String,
}

/// An item as stored, with its analysis and change sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    /// Change sequence number (grows with every insert or change).
    pub seq: i64,
    /// The item.
    pub item: Item,
    /// Its analysis.
    pub analysis: Analysis,
}

pub(super) const COLUMNS: &str = "seq, id, source, kind, url, title, body, author, published_at, fetched_at, \
     unit, region, petition_status, petition_reply, petition_reply_unit, petition_replied_at, \
     content_hash, flagged, categories, severity, analysis";

impl Store {
    /// Inserts or updates `items` in one `BEGIN IMMEDIATE` transaction
    /// (new items without a story vector each form their own story).
    pub fn upsert_items(
        &mut self,
        items: &[(Item, Analysis)],
    ) -> Result<UpsertOutcome, StoreError> {
        Ok(self.upsert_items_with_stories(items, &[])?.outcome)
    }

    /// Inserts or updates `items` in one `BEGIN IMMEDIATE` transaction; a
    /// new item joins a story by its vector (`vectors[i]` for `items[i]`).
    pub fn upsert_items_with_stories(
        &mut self,
        items: &[(Item, Analysis)],
        vectors: &[StoryVector],
    ) -> Result<Upserted, StoreError> {
        let Store { conn, stories, .. } = self;
        let result = write_items(conn, stories, items, vectors);
        if result.is_err() {
            // The transaction rolled back: forget what the cache learnt.
            stories.clear();
        }
        result
    }

    /// Up to `limit` items with `seq > after`, in `seq` order.
    pub fn items_after_seq(&self, after: i64, limit: usize) -> Result<Vec<StoredItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM items WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))
            .during("preparing the change scan")?;
        let rows = statement
            .query_map(params![after, limit as i64], read_row)
            .during("scanning changed items")?;
        rows.map(|row| row.during("reading an item")?).collect()
    }

    /// Up to `limit` flagged items with `after < seq <= through`, in `seq`
    /// order (the review pass: unflagged items are not read at all).
    pub fn flagged_items_between(
        &self,
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<StoredItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM items WHERE seq > ?1 AND seq <= ?2 AND flagged
                 ORDER BY seq LIMIT ?3"
            ))
            .during("preparing the flagged-item scan")?;
        let rows = statement
            .query_map(params![after, through, limit as i64], read_row)
            .during("scanning flagged items")?;
        rows.map(|row| row.during("reading an item")?).collect()
    }

    /// The item with `id`, if stored.
    pub fn get_item(&self, id: &str) -> Result<Option<StoredItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM items WHERE id = ?1"))
            .during("preparing the item read")?;
        let row = statement
            .query_row(params![id], read_row)
            .optional()
            .during("reading an item")?;
        row.transpose()
    }

    /// The bodies of the items with these ids (absent ids are left out):
    /// the text search snippets are cut from, which the index does not
    /// store. With `chars`, only the bodies' first `chars` characters.
    pub fn bodies(
        &self,
        ids: &[&str],
        chars: Option<usize>,
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT CASE WHEN ?2 < 0 THEN body ELSE substr(body, 1, ?2) END FROM items WHERE id = ?1")
            .during("preparing the body read")?;
        let chars = chars.map_or(-1, |c| c.min(i64::MAX as usize) as i64);
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            let body: Option<String> = statement
                .query_row(params![id, chars], |row| row.get(0))
                .optional()
                .during("reading a body")?;
            if let Some(body) = body {
                out.insert((*id).to_string(), body);
            }
        }
        Ok(out)
    }

    /// Number of items published before `cutoff`.
    pub fn count_published_before(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM items WHERE published_at < ?1",
                params![cutoff.to_rfc3339()],
                |row| row.get(0),
            )
            .during("counting old items")?;
        Ok(count as usize)
    }

    /// Deletes every item published before `cutoff` (retention purge);
    /// returns how many. Times are stored as RFC 3339 UTC, which sorts as text.
    pub fn delete_published_before(&mut self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting the purge")?;
        tx.execute(
            "DELETE FROM petition_history WHERE item_id IN (SELECT id FROM items WHERE published_at < ?1)",
            params![cutoff.to_rfc3339()],
        )
        .during("deleting old petition history")?;
        let deleted = tx
            .execute(
                "DELETE FROM items WHERE published_at < ?1",
                params![cutoff.to_rfc3339()],
            )
            .during("deleting old items")?;
        stories::prune(&tx)?;
        tx.execute(
            "DELETE FROM trend_counts WHERE hour < ?1",
            params![cutoff.timestamp().div_euclid(trends::HOUR_SECS)],
        )
        .during("deleting old trend counts")?;
        tx.commit().during("committing the purge")?;
        self.stories.clear();
        Ok(deleted)
    }

    /// The status changes recorded for a petition, oldest first.
    pub fn petition_history(&self, id: &str) -> Result<Vec<StatusChange>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT status_before, status_after, seen_at FROM petition_history WHERE item_id = ?1 ORDER BY rowid",
            )
            .during("preparing the petition history read")?;
        let rows = statement
            .query_map(params![id], |row| {
                Ok(StatusChange {
                    before: row.get(0)?,
                    after: row.get(1)?,
                    seen_at: row.get(2)?,
                })
            })
            .during("reading petition history")?;
        rows.map(|row| row.during("reading petition history"))
            .collect()
    }

    /// Highest change sequence number (0 when empty).
    pub fn max_seq(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM items", [], |row| {
                row.get(0)
            })
            .during("reading the change sequence")
    }

    /// Number of items stored.
    pub fn count_items(&self) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM items", [], |row| row.get(0))
            .during("counting items")?;
        Ok(count as usize)
    }

    /// Item counts per kind.
    pub fn count_by_kind(&self) -> Result<Vec<(ItemKind, usize)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT kind, COUNT(*) FROM items GROUP BY kind ORDER BY kind")
            .during("preparing the kind count")?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .during("counting items by kind")?;
        let mut counts = Vec::new();
        for row in rows {
            let (kind, count) = row.during("counting items by kind")?;
            if let Ok(kind) = kind.parse() {
                counts.push((kind, count as usize));
            }
        }
        Ok(counts)
    }
}

/// The body of [`Store::upsert_items_with_stories`].
fn write_items(
    conn: &mut rusqlite::Connection,
    story_cache: &mut stories::StoryCache,
    items: &[(Item, Analysis)],
    vectors: &[StoryVector],
) -> Result<Upserted, StoreError> {
    let mut outcome = UpsertOutcome::default();
    let mut written = Vec::with_capacity(items.len());
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .during("starting an item write")?;
    let mut counts = trends::PendingCounts::default();
    let first_seq = {
        let mut existing = tx
            .prepare_cached("SELECT content_hash, analysis, petition_status, petition_reply FROM items WHERE id = ?1")
            .during("preparing the item lookup")?;
        let mut history = tx
            .prepare_cached(
                "INSERT INTO petition_history (item_id, status_before, status_after, replied, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .during("preparing the petition history")?;
        let mut new_items: Vec<usize> = Vec::new();
        let mut next_seq: i64 = tx
            .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM items", [], |row| {
                row.get(0)
            })
            .during("reading the change sequence")?;
        let first_seq = next_seq;
        let mut write = tx
            .prepare_cached(
                "INSERT INTO items (seq, id, source, kind, url, title, body, author, published_at,
                    fetched_at, unit, region, petition_status, petition_reply, petition_reply_unit,
                    petition_replied_at, content_hash, flagged, categories, severity, analysis)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
                 ON CONFLICT(id) DO UPDATE SET
                    seq = excluded.seq, source = excluded.source, kind = excluded.kind,
                    url = excluded.url, title = excluded.title, body = excluded.body,
                    author = excluded.author, published_at = excluded.published_at,
                    unit = excluded.unit, region = excluded.region,
                    petition_status = excluded.petition_status,
                    petition_reply = excluded.petition_reply,
                    petition_reply_unit = excluded.petition_reply_unit,
                    petition_replied_at = excluded.petition_replied_at,
                    content_hash = excluded.content_hash, flagged = excluded.flagged,
                    categories = excluded.categories, severity = excluded.severity,
                    analysis = excluded.analysis",
            )
            .during("preparing the item write")?;
        for (position, (item, analysis)) in items.iter().enumerate() {
            let categories =
                serde_json::to_string(&analysis.categories).expect("a list of strings serialises");
            let analysis_json = serde_json::to_string(analysis).expect("an analysis serialises");
            type Before = (String, String, Option<String>, Option<String>);
            let before: Option<Before> = existing
                .query_row(params![item.id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })
                .optional()
                .during("looking up an item")?;
            match &before {
                Some((hash, stored_analysis, _, _))
                    if *hash == item.content_hash && *stored_analysis == analysis_json =>
                {
                    outcome.unchanged += 1;
                    written.push(None);
                    continue;
                }
                Some((_, _, status, reply)) => {
                    outcome.updated += 1;
                    // A petition board re-visited: the status change is
                    // history of the same item, not a new item.
                    if *status != item.petition.status || *reply != item.petition.reply {
                        history
                            .execute(params![
                                item.id,
                                status,
                                item.petition.status,
                                item.petition.reply.is_some() && reply.is_none(),
                                item.fetched_at.to_rfc3339(),
                            ])
                            .during("recording petition history")?;
                    }
                }
                None => {
                    outcome.inserted += 1;
                    new_items.push(position);
                }
            }
            write
                .execute(params![
                    next_seq,
                    item.id,
                    item.source,
                    item.kind.as_str(),
                    item.url,
                    item.title,
                    item.body,
                    item.author,
                    item.published_at.to_rfc3339(),
                    item.fetched_at.to_rfc3339(),
                    item.unit,
                    item.region,
                    item.petition.status,
                    item.petition.reply,
                    item.petition.reply_unit,
                    item.petition.replied_at.map(|t| t.to_rfc3339()),
                    item.content_hash,
                    analysis.flagged,
                    categories,
                    analysis.severity,
                    analysis_json,
                ])
                .during("writing an item")?;
            written.push(Some((next_seq, before.is_none())));
            next_seq += 1;
        }
        // New items join their stories day by day (file order within a
        // day): the story cache holds the days around each item, and a
        // batch whose dates go round and round (an export sorted by
        // district, not date) loaded a day per item, and evicted it for
        // the next — quadratic. Sorted, a batch loads each day once.
        new_items
            .sort_by_key(|&position| stories::day_of(items[position].0.published_at.timestamp()));
        for position in new_items {
            let (item, analysis) = &items[position];
            let vector = vectors.get(position).cloned().unwrap_or_default();
            let story = stories::assign(
                &tx,
                story_cache,
                &item.id,
                &item.source,
                item.published_at.timestamp(),
                &vector,
            )?;
            counts.add(item, analysis, &story);
        }
        first_seq
    };
    counts.write(&tx)?;
    tx.commit().during("committing items")?;
    Ok(Upserted {
        outcome,
        first_seq,
        written,
    })
}

fn parse_time(id: &str, column: &str, value: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            id: id.to_string(),
            reason: format!("{column} `{value}`: {e}"),
        })
}

pub(super) fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredItem, StoreError>> {
    let id: String = row.get(1)?;
    let kind: String = row.get(3)?;
    let published: String = row.get(8)?;
    let fetched: String = row.get(9)?;
    let replied: Option<String> = row.get(15)?;
    let categories: String = row.get(18)?;
    let severity: i64 = row.get(19)?;
    let analysis_json: String = row.get(20)?;
    let build = || -> Result<StoredItem, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: id.clone(),
            reason,
        };
        Ok(StoredItem {
            seq: row.get(0).map_err(|e| corrupt(e.to_string()))?,
            analysis: Analysis {
                flagged: row.get(17).map_err(|e| corrupt(e.to_string()))?,
                categories: serde_json::from_str(&categories)
                    .map_err(|e| corrupt(format!("categories: {e}")))?,
                severity: severity.clamp(0, 100) as u8,
                ..serde_json::from_str(&analysis_json).unwrap_or_default()
            },
            item: Item {
                id: id.clone(),
                source: row.get(2).map_err(|e| corrupt(e.to_string()))?,
                kind: kind.parse().map_err(corrupt)?,
                url: row.get(4).map_err(|e| corrupt(e.to_string()))?,
                title: row.get(5).map_err(|e| corrupt(e.to_string()))?,
                body: row.get(6).map_err(|e| corrupt(e.to_string()))?,
                author: row.get(7).map_err(|e| corrupt(e.to_string()))?,
                published_at: parse_time(&id, "published_at", &published)?,
                fetched_at: parse_time(&id, "fetched_at", &fetched)?,
                unit: row.get(10).map_err(|e| corrupt(e.to_string()))?,
                region: row.get(11).map_err(|e| corrupt(e.to_string()))?,
                petition: PetitionState {
                    status: row.get(12).map_err(|e| corrupt(e.to_string()))?,
                    reply: row.get(13).map_err(|e| corrupt(e.to_string()))?,
                    reply_unit: row.get(14).map_err(|e| corrupt(e.to_string()))?,
                    replied_at: replied
                        .as_deref()
                        .map(|v| parse_time(&id, "petition_replied_at", v))
                        .transpose()?,
                },
                content_hash: row.get(16).map_err(|e| corrupt(e.to_string()))?,
            },
        })
    };
    Ok(build())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn item(id: &str, body: &str) -> Item {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap();
        Item {
            id: id.into(),
            source: "test".into(),
            kind: ItemKind::Petition,
            url: Some(format!("http://x/{id}")),
            title: "标题".into(),
            body: body.into(),
            author: Some("abcd".into()),
            published_at: at,
            fetched_at: at,
            unit: Some("城关派出所".into()),
            region: None,
            petition: PetitionState {
                status: Some("已回复".into()),
                reply: Some("已转办".into()),
                reply_unit: Some("城关派出所".into()),
                replied_at: Some(at),
            },
            content_hash: format!("h-{body}"),
        }
    }

    #[test]
    fn upsert_is_idempotent_and_bumps_seq_on_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let batch = vec![
            (item("a", "一"), Analysis::default()),
            (item("b", "二"), Analysis::default()),
        ];
        let first = store.upsert_items(&batch).unwrap();
        assert_eq!((first.inserted, first.updated, first.unchanged), (2, 0, 0));
        let again = store.upsert_items(&batch).unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));
        assert_eq!(store.count_items().unwrap(), 2);
        assert_eq!(store.max_seq().unwrap(), 2);

        let changed = store
            .upsert_items(&[(item("a", "一改"), Analysis::default())])
            .unwrap();
        assert_eq!(changed.updated, 1);
        assert_eq!(store.count_items().unwrap(), 2);
        let after = store.items_after_seq(2, 10).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].item.body, "一改");
        assert_eq!(after[0].seq, 3);
    }

    #[test]
    fn petition_status_changes_become_history_not_new_items() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let mut petition = item("p", "反映出警慢");
        petition.petition = PetitionState {
            status: Some("未回复".into()),
            ..PetitionState::default()
        };
        store
            .upsert_items(&[(petition.clone(), Analysis::default())])
            .unwrap();
        petition.petition.status = Some("已回复".into());
        petition.petition.reply = Some("已责成派出所整改".into());
        petition.content_hash = "h-replied".into();
        let outcome = store
            .upsert_items(&[(petition.clone(), Analysis::default())])
            .unwrap();
        assert_eq!((outcome.inserted, outcome.updated), (0, 1));
        assert_eq!(store.count_items().unwrap(), 1);
        let history = store.petition_history("p").unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].before.as_deref(), Some("未回复"));
        assert_eq!(history[0].after.as_deref(), Some("已回复"));
        store.delete_published_before(Utc::now()).unwrap();
        assert!(
            store.petition_history("p").unwrap().is_empty(),
            "purged with the item"
        );
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let original = item("p1", "正文");
        let analysis = Analysis {
            flagged: true,
            categories: vec!["inaction".into()],
            severity: 60,
            level: "high".into(),
            sentiment: -0.5,
            evidence: vec![crate::model::Evidence {
                category: "inaction".into(),
                text: "没人来".into(),
                start: 0,
                end: 3,
            }],
            units: vec!["城关派出所".into()],
            keywords: vec!["出警".into()],
            topics: vec!["城关".into()],
            about_police: Some(true),
        };
        store
            .upsert_items(&[(original.clone(), analysis.clone())])
            .unwrap();
        let stored = store.get_item("p1").unwrap().unwrap();
        assert_eq!(stored.item, original);
        assert_eq!(stored.analysis, analysis);
        assert!(store.get_item("missing").unwrap().is_none());
    }
}
