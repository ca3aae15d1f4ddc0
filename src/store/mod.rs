//! SQLite, the system of record: items and their stories, source state,
//! petition history, trend counts, review cases and notes, accounts and
//! sessions, the mail queue and the audit log. WAL mode, `BEGIN IMMEDIATE`
//! for writes, an append-only migrations list. The search index and the
//! trend counts are derived: `yuqing reindex` rebuilds both from the items.

mod accounts;
mod audit;
mod cases;
mod digest;
mod items;
mod migrations;
mod sources;
mod stories;
mod trends;

pub use accounts::{
    MIN_PASSWORD_CHARS, Role, Session, User, dummy_hash, hash_password, verify_password,
};
pub use audit::{AuditCheck, AuditEntry, AuditRecord};
pub use cases::{Case, CaseChange, CaseFilter, CaseNote, NewCase};
pub use digest::{Backlog, Grouping, QueuedMail};
pub use items::{StatusChange, StoredItem, UpsertOutcome, Upserted};
pub use sources::SourceState;
pub use stories::StoryInfo;
pub use trends::{DIMENSIONS, HOUR_SECS, HourlyCounts, trend_keys};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// How long a writer waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A store operation that failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer yuqing.
    #[error(
        "database {path} has schema version {found}, newer than this yuqing knows ({known}): upgrade yuqing"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: usize,
        /// The newest this build knows.
        known: usize,
    },
    /// A query failed.
    #[error("database error while {action}: {source}")]
    Query {
        /// What was being done.
        action: &'static str,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A stored value could not be read back.
    #[error("corrupt value in item {id}: {reason}")]
    Corrupt {
        /// The item.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

pub(crate) trait QueryContext<T> {
    fn during(self, action: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, rusqlite::Error> {
    fn during(self, action: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { action, source })
    }
}

/// A connection to the item store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    stories: stories::StoryCache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // Deleted rows (retention purge) are overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(open_error)?;
        // A writer's page cache of 16 MiB (SQLite's default is 2 MiB): past a
        // few hundred thousand items, inserts into the id, story and trend
        // indexes otherwise read their B-tree pages back from the OS.
        conn.pragma_update(None, "cache_size", -16_384)
            .map_err(open_error)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            stories: stories::StoryCache::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database for reading only (searches, reports).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            stories: stories::StoryCache::default(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (number of applied migrations).
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .during("reading the schema version")?;
        Ok(version as usize)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = migrations::MIGRATIONS.len();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting the migration")?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .during("reading the schema version")?;
        let current = current as usize;
        if current > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
                known,
            });
        }
        for (index, sql) in migrations::MIGRATIONS.iter().enumerate().skip(current) {
            tx.execute_batch(sql).during("applying a migration")?;
            tx.pragma_update(None, "user_version", (index + 1) as i64)
                .during("recording the schema version")?;
            tracing::info!(version = index + 1, "database migrated");
        }
        tx.commit().during("committing the migration")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_record_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            migrations::MIGRATIONS.len()
        );
        drop(store);
        let again = Store::open(&path).unwrap();
        assert_eq!(
            again.schema_version().unwrap(),
            migrations::MIGRATIONS.len()
        );
        let mode: String = again
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        drop(conn);
        let error = Store::open(&path).unwrap_err().to_string();
        assert!(error.contains("schema version 999"), "{error}");
    }
}
