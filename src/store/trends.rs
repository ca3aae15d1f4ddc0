//! Hourly counts for trends: per dimension (kind, source, category, unit,
//! topic, keyword, story) and key, how many items were published in each
//! hour. Counted once, when an item is first stored (in the same
//! transaction), and rebuildable from the items (`rebuild_trend_counts`).

use super::{QueryContext, Store, StoreError};
use crate::model::{Analysis, Item};
use rusqlite::{Transaction, params};
use rustc_hash::FxHashMap as HashMap;

/// Keywords of an item counted (its most salient first).
const KEYWORDS_COUNTED: usize = 5;
/// Seconds in an hour bucket.
pub const HOUR_SECS: i64 = 3600;

/// The dimensions counted, as stored.
pub const DIMENSIONS: [&str; 8] = [
    "kind", "source", "flagged", "category", "unit", "topic", "keyword", "story",
];

/// The `(dimension, key)` pairs an item counts toward.
pub fn trend_keys(item: &Item, analysis: &Analysis, story: &str) -> Vec<(&'static str, String)> {
    let mut keys = vec![
        ("kind", item.kind.as_str().to_string()),
        ("source", item.source.clone()),
        ("story", story.to_string()),
    ];
    if analysis.flagged {
        keys.push(("flagged", "all".to_string()));
        keys.extend(analysis.categories.iter().map(|c| ("category", c.clone())));
    }
    keys.extend(analysis.units.iter().take(2).map(|u| ("unit", u.clone())));
    keys.extend(analysis.topics.iter().map(|t| ("topic", t.clone())));
    keys.extend(
        analysis
            .keywords
            .iter()
            .take(KEYWORDS_COUNTED)
            .map(|k| ("keyword", k.clone())),
    );
    keys
}

/// Counts gathered during one write, added in one go at its end.
#[derive(Debug, Default)]
pub(crate) struct PendingCounts(HashMap<(&'static str, String, i64), u32>);

impl PendingCounts {
    /// Counts `item` (first stored now) in its publication hour.
    pub(crate) fn add(&mut self, item: &Item, analysis: &Analysis, story: &str) {
        let hour = item.published_at.timestamp().div_euclid(HOUR_SECS);
        for (dim, key) in trend_keys(item, analysis, story) {
            *self.0.entry((dim, key, hour)).or_default() += 1;
        }
    }

    /// Adds the counts inside the caller's transaction.
    pub(crate) fn write(self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let mut statement = tx
            .prepare_cached(
                "INSERT INTO trend_counts (dim, key, hour, n) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(dim, key, hour) DO UPDATE SET n = n + excluded.n",
            )
            .during("preparing the trend count")?;
        for ((dim, key, hour), n) in self.0 {
            statement
                .execute(params![dim, key, hour, n])
                .during("counting for trends")?;
        }
        Ok(())
    }
}

impl Store {
    /// `(dimension, key, count)` of the keys with at least `min` items in
    /// the hours `from_hour..=to_hour`, largest first.
    pub fn trend_candidates(
        &self,
        from_hour: i64,
        to_hour: i64,
        min: u32,
    ) -> Result<Vec<(String, String, u32)>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT dim, key, SUM(n) AS total FROM trend_counts
                 WHERE hour BETWEEN ?1 AND ?2 GROUP BY dim, key HAVING total >= ?3
                 ORDER BY total DESC",
            )
            .during("preparing the trend candidates")?;
        let rows = statement
            .query_map(params![from_hour, to_hour, min], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .during("reading trend candidates")?;
        rows.collect::<Result<_, _>>()
            .during("reading trend candidates")
    }

    /// The hourly counts of one key for `from_hour..=to_hour`, zeros filled in.
    pub fn trend_series(
        &self,
        dim: &str,
        key: &str,
        from_hour: i64,
        to_hour: i64,
    ) -> Result<Vec<u32>, StoreError> {
        let mut series = vec![0u32; (to_hour - from_hour + 1).max(0) as usize];
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT hour, n FROM trend_counts WHERE dim = ?1 AND key = ?2 AND hour BETWEEN ?3 AND ?4",
            )
            .during("preparing a trend series")?;
        let rows = statement
            .query_map(params![dim, key, from_hour, to_hour], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, u32>(1)?))
            })
            .during("reading a trend series")?;
        for row in rows {
            let (hour, n) = row.during("reading a trend series")?;
            series[(hour - from_hour) as usize] = n;
        }
        Ok(series)
    }

    /// Counts per hour of one dimension's keys together (e.g. all items of
    /// each kind), for charts: `(key, hour, n)`.
    pub fn trend_table(
        &self,
        dim: &str,
        from_hour: i64,
        to_hour: i64,
    ) -> Result<Vec<(String, i64, u32)>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT key, hour, n FROM trend_counts WHERE dim = ?1 AND hour BETWEEN ?2 AND ?3
                 ORDER BY key, hour",
            )
            .during("preparing a trend table")?;
        let rows = statement
            .query_map(params![dim, from_hour, to_hour], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .during("reading a trend table")?;
        rows.collect::<Result<_, _>>()
            .during("reading a trend table")
    }

    /// Recounts every item (after a purge, or when counts were lost).
    /// Returns the items counted.
    pub fn rebuild_trend_counts(&mut self) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting the trend rebuild")?;
        tx.execute("DELETE FROM trend_counts", [])
            .during("clearing trend counts")?;
        let mut counts = PendingCounts::default();
        let mut counted = 0;
        {
            let mut statement = tx
                .prepare(&format!(
                    "SELECT {}, COALESCE(s.story_id, items.id) FROM items
                     LEFT JOIN story_items s ON s.item_id = items.id",
                    super::items::COLUMNS
                ))
                .during("preparing the trend rebuild")?;
            let mut rows = statement.query([]).during("reading items")?;
            while let Some(row) = rows.next().during("reading items")? {
                let stored = super::items::read_row(row).during("reading an item")??;
                let story: String = row.get(21).during("reading an item's story")?;
                counts.add(&stored.item, &stored.analysis, &story);
                counted += 1;
            }
        }
        counts.write(&tx)?;
        tx.commit().during("committing the trend rebuild")?;
        Ok(counted)
    }
}
