//! Per-source crawl state in SQLite: the validators for conditional GET and
//! the health figures `yuqing sources` shows. Written after the source's
//! items are committed, so a crash never advances state past lost items;
//! only the start of a crawl (`last_attempt_at`) is saved before it, so that
//! a crawl killed mid-way is known as unfinished next time.

use super::{QueryContext, Store, StoreError};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// The crawl state of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceState {
    /// Source name.
    pub name: String,
    /// ETag of the last full response.
    pub etag: Option<String>,
    /// Last-Modified of the last full response.
    pub last_modified: Option<String>,
    /// When the last crawl started (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When a crawl last succeeded (RFC 3339).
    pub last_success_at: Option<String>,
    /// The last error, when the last crawl failed.
    pub last_error: Option<String>,
    /// Failed crawls in a row.
    pub consecutive_failures: u32,
    /// Items the last successful crawl yielded.
    pub items_last_run: u32,
    /// New items this source brought in all.
    pub new_items_total: u64,
    /// How the last crawl ended: `new_items`, `nothing_new`, `blocked`,
    /// `unreachable`, `parse_error` or `error` (see `source::crawl::Outcome`).
    pub last_outcome: Option<String>,
}

impl SourceState {
    /// Whether the last crawl that started also finished without error.
    /// False after a failed crawl, and after one killed mid-way (its start is
    /// saved before it fetches anything), and before the first crawl.
    pub fn last_crawl_completed(&self) -> bool {
        self.last_success_at.is_some() && self.last_success_at == self.last_attempt_at
    }
}

/// The columns [`state_of_row`] reads, in its order.
const STATE_COLUMNS: &str =
    "name, etag, last_modified, last_attempt_at, last_success_at, last_error,
     consecutive_failures, items_last_run, new_items_total, last_outcome";

fn state_of_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SourceState> {
    Ok(SourceState {
        name: row.get(0)?,
        etag: row.get(1)?,
        last_modified: row.get(2)?,
        last_attempt_at: row.get(3)?,
        last_success_at: row.get(4)?,
        last_error: row.get(5)?,
        consecutive_failures: row.get(6)?,
        items_last_run: row.get(7)?,
        new_items_total: row.get::<_, i64>(8)? as u64,
        last_outcome: row.get(9)?,
    })
}

impl Store {
    /// The state of `name` (default when never crawled).
    pub fn source_state(&self, name: &str) -> Result<SourceState, StoreError> {
        let state = self
            .conn
            .query_row(
                &format!("SELECT {STATE_COLUMNS} FROM source_state WHERE name = ?1"),
                params![name],
                state_of_row,
            )
            .optional()
            .during("reading source state")?;
        Ok(state.unwrap_or_else(|| SourceState {
            name: name.to_string(),
            ..SourceState::default()
        }))
    }

    /// The state of every source ever crawled into this store, by name.
    pub fn source_states(&self) -> Result<Vec<SourceState>, StoreError> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {STATE_COLUMNS} FROM source_state ORDER BY name"
            ))
            .during("reading source states")?;
        let states = statement
            .query_map([], state_of_row)
            .during("reading source states")?
            .collect::<Result<Vec<_>, _>>()
            .during("reading source states")?;
        Ok(states)
    }

    /// Saves the state of a source.
    pub fn save_source_state(&mut self, state: &SourceState) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO source_state (name, etag, last_modified, last_attempt_at, last_success_at,
                     last_error, consecutive_failures, items_last_run, new_items_total, last_outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(name) DO UPDATE SET etag = excluded.etag,
                     last_modified = excluded.last_modified, last_attempt_at = excluded.last_attempt_at,
                     last_success_at = excluded.last_success_at, last_error = excluded.last_error,
                     consecutive_failures = excluded.consecutive_failures,
                     items_last_run = excluded.items_last_run, new_items_total = excluded.new_items_total,
                     last_outcome = excluded.last_outcome",
                params![
                    state.name,
                    state.etag,
                    state.last_modified,
                    state.last_attempt_at,
                    state.last_success_at,
                    state.last_error,
                    state.consecutive_failures,
                    state.items_last_run,
                    state.new_items_total as i64,
                    state.last_outcome,
                ],
            )
            .during("saving source state")?;
        Ok(())
    }
}

impl Store {
    /// True when `source` has already taken this version of the file.
    pub fn file_taken(
        &self,
        source: &str,
        path: &str,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM source_files WHERE source = ?1 AND path = ?2 AND fingerprint = ?3",
                params![source, path, fingerprint],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .during("looking up a taken file")
    }

    /// Records that `source` took this version of the file (after its items
    /// are committed).
    pub fn mark_file_taken(
        &mut self,
        source: &str,
        path: &str,
        fingerprint: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO source_files (source, path, fingerprint, taken_at) VALUES (?1, ?2, ?3, ?4)",
                params![source, path, fingerprint, chrono::Utc::now().to_rfc3339()],
            )
            .during("recording a taken file")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let fresh = store.source_state("city-news").unwrap();
        assert_eq!(
            fresh,
            SourceState {
                name: "city-news".into(),
                ..SourceState::default()
            }
        );
        let state = SourceState {
            name: "city-news".into(),
            etag: Some("\"v1\"".into()),
            last_modified: Some("Sat, 28 Nov 2026 08:00:00 GMT".into()),
            consecutive_failures: 2,
            items_last_run: 7,
            new_items_total: 40,
            ..fresh
        };
        store.save_source_state(&state).unwrap();
        assert_eq!(store.source_state("city-news").unwrap(), state);
    }
}
