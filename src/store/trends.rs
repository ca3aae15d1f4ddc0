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

    /// Adds the counts inside the caller's transaction, in key order (so
    /// the B-tree is walked once, not jumped about).
    pub(crate) fn write(self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let mut statement = tx
            .prepare_cached(
                "INSERT INTO trend_counts (hour, dim, key, n) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(hour, dim, key) DO UPDATE SET n = n + excluded.n",
            )
            .during("preparing the trend count")?;
        let mut counts: Vec<_> = self.0.into_iter().collect();
        counts.sort_unstable_by(|((d1, k1, h1), _), ((d2, k2, h2), _)| {
            (h1, d1, k1).cmp(&(h2, d2, k2))
        });
        for ((dim, key, hour), n) in counts {
            statement
                .execute(params![hour, dim, key, n])
                .during("counting for trends")?;
        }
        Ok(())
    }
}

/// One key's counts per hour over a range of hours, sparse: the hours
/// with a count, as offsets from the first hour of the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyCounts {
    hours: usize,
    counts: Vec<(u32, u32)>,
}

impl HourlyCounts {
    /// Every hour of the range, zeros filled in.
    pub fn dense(&self) -> Vec<u32> {
        let mut series = vec![0; self.hours];
        for &(offset, n) in &self.counts {
            if let Some(slot) = series.get_mut(offset as usize) {
                *slot = n;
            }
        }
        series
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

    /// The hourly counts of each of `keys` (`(dimension, key)`) for
    /// `from_hour..=to_hour`: one range scan of the hours (the counts are
    /// keyed by hour first), whatever the number of keys. Kept sparse (the
    /// hours with a count) until [`HourlyCounts::dense`]: at 200,000 items
    /// a day some 40,000 keys are candidates, and their 384 hours each,
    /// zero-filled, took 64 MB at every scheduler tick.
    pub fn trend_series(
        &self,
        keys: &[(String, String)],
        from_hour: i64,
        to_hour: i64,
    ) -> Result<HashMap<(String, String), HourlyCounts>, StoreError> {
        let hours = (to_hour - from_hour + 1).max(0) as usize;
        let mut wanted: HashMap<&str, HashMap<&str, HourlyCounts>> = HashMap::default();
        for (dim, key) in keys {
            wanted.entry(dim).or_default().insert(
                key,
                HourlyCounts {
                    hours,
                    counts: Vec::new(),
                },
            );
        }
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT hour, dim, key, n FROM trend_counts WHERE hour BETWEEN ?1 AND ?2",
            )
            .during("preparing the trend series")?;
        let mut rows = statement
            .query(params![from_hour, to_hour])
            .during("reading the trend series")?;
        while let Some(row) = rows.next().during("reading the trend series")? {
            // Borrowed column text: most rows are of keys not wanted.
            let dim = row.get_ref(1).and_then(|v| Ok(v.as_str()?));
            let key = row.get_ref(2).and_then(|v| Ok(v.as_str()?));
            let (Ok(dim), Ok(key)) = (dim, key) else {
                continue;
            };
            let Some(series) = wanted.get_mut(dim).and_then(|keys| keys.get_mut(key)) else {
                continue;
            };
            let hour: i64 = row.get(0).during("reading the trend series")?;
            let n: u32 = row.get(3).during("reading the trend series")?;
            series.counts.push(((hour - from_hour) as u32, n));
        }
        Ok(wanted
            .into_iter()
            .flat_map(|(dim, keys)| {
                keys.into_iter()
                    .map(move |(key, series)| ((dim.to_string(), key.to_string()), series))
            })
            .collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::MIGRATIONS;

    #[test]
    fn counts_kept_before_the_hour_first_schema_are_read_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.db");
        {
            // A store of schema 13: counts keyed (dim, key, hour).
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..13] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 13).unwrap();
            conn.execute_batch(
                "INSERT INTO trend_counts (dim, key, hour, n) VALUES
                    ('keyword', '派出所', 10, 2), ('keyword', '派出所', 12, 5),
                    ('story', 's1', 11, 1), ('keyword', '民警', 12, 7),
                    ('keyword', '派出所', 40, 9);",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let key = |dim: &str, key: &str| (dim.to_string(), key.to_string());
        let wanted = [
            key("keyword", "派出所"),
            key("story", "s1"),
            key("keyword", "无"),
        ];
        let series = store.trend_series(&wanted, 10, 13).unwrap();
        assert_eq!(series.len(), 3, "{series:?}");
        assert_eq!(series[&wanted[0]].dense(), [2, 0, 5, 0]);
        assert_eq!(series[&wanted[1]].dense(), [0, 1, 0, 0]);
        assert_eq!(
            series[&wanted[2]].dense(),
            [0, 0, 0, 0],
            "absent keys are zeros"
        );
        let mut candidates = store.trend_candidates(10, 13, 3).unwrap();
        candidates.sort();
        assert_eq!(
            candidates,
            [
                ("keyword".to_string(), "民警".to_string(), 7),
                ("keyword".to_string(), "派出所".to_string(), 7),
            ]
        );

        // New counts add to the migrated ones.
        let tx = store.conn.transaction().unwrap();
        let mut pending = PendingCounts::default();
        pending.0.insert(("keyword", "派出所".to_string(), 12), 3);
        pending.0.insert(("keyword", "派出所".to_string(), 13), 1);
        pending.write(&tx).unwrap();
        tx.commit().unwrap();
        let series = store.trend_series(&wanted[..1], 10, 13).unwrap();
        assert_eq!(series[&wanted[0]].dense(), [2, 0, 8, 1]);
    }
}
