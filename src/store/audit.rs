//! The audit log: who did what, when, to what — every case change and
//! every view or export by a user. Append-only (triggers refuse UPDATE and
//! DELETE) and hash-chained: each row's hash covers its fields and the hash
//! of the row before, so an edited, removed or inserted row breaks the
//! chain from there on (`yuqing audit verify`).

use super::{QueryContext, Store, StoreError};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first row.
const GENESIS: &str = "yuqing-audit-v1";

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Who (a user name, or `system` for automatic actions).
    pub actor: String,
    /// What: `case.create`, `case.status`, `case.assign`, `case.note`,
    /// `item.view`, `case.view`, `search`, `export` …
    pub action: String,
    /// On what: `case:12`, `item:…`, a query.
    pub target: String,
    /// The value before, when something changed.
    pub before: Option<String>,
    /// The value after.
    pub after: Option<String>,
    /// Anything else worth keeping (a note, a result count).
    pub detail: Option<String>,
    /// Hash of this row and the previous hash (hex SHA-256).
    pub hash: String,
}

impl AuditEntry {
    /// The record this row holds.
    fn record(&self) -> AuditRecord<'_> {
        AuditRecord {
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            detail: self.detail.as_deref(),
        }
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditCheck {
    /// Rows read.
    pub entries: usize,
    /// The first row whose hash does not match (seq and why), if any.
    pub broken_at: Option<(i64, String)>,
    /// The last row's seq and hash: a chain cannot tell that rows were cut
    /// off its end, so this head is kept outside the database (the daily
    /// digest prints it) and checked later (`yuqing audit verify --head`).
    pub head: Option<(i64, String)>,
}

/// A new row, before it is chained.
#[derive(Debug, Clone, Default)]
pub struct AuditRecord<'a> {
    /// Who.
    pub actor: &'a str,
    /// What.
    pub action: &'a str,
    /// On what.
    pub target: &'a str,
    /// The value before.
    pub before: Option<&'a str>,
    /// The value after.
    pub after: Option<&'a str>,
    /// More.
    pub detail: Option<&'a str>,
}

/// The hash of a row: its position, time and record, chained to `previous`.
fn chain_hash(previous: &str, seq: i64, at: &str, record: &AuditRecord<'_>) -> String {
    let mut hasher = Sha256::new();
    for part in [
        previous,
        &seq.to_string(),
        at,
        record.actor,
        record.action,
        record.target,
        record.before.unwrap_or("\u{0}"),
        record.after.unwrap_or("\u{0}"),
        record.detail.unwrap_or("\u{0}"),
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends a row inside the caller's (write) transaction.
pub(crate) fn append(tx: &Transaction<'_>, record: &AuditRecord<'_>) -> Result<i64, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .during("reading the audit log's end")?;
    let (seq, previous) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let hash = chain_hash(&previous, seq, &at, record);
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, action, target, before, after, detail, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            at,
            record.actor,
            record.action,
            record.target,
            record.before,
            record.after,
            record.detail,
            hash
        ],
    )
    .during("appending to the audit log")?;
    Ok(seq)
}

fn read_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        target: row.get(4)?,
        before: row.get(5)?,
        after: row.get(6)?,
        detail: row.get(7)?,
        hash: row.get(8)?,
    })
}

impl Store {
    /// Appends one row to the audit log in its own transaction (a view,
    /// a search, an export). Works on a store opened for reading too: the
    /// log is written through a separate read-write connection.
    pub fn audit(&mut self, record: &AuditRecord<'_>) -> Result<i64, StoreError> {
        let mut writable;
        let conn = if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            // Opened like a writer: a database left by an older yuqing
            // gets its migrations (the audit table) first.
            writable = Store::open(&self.path)?;
            &mut writable.conn
        } else {
            &mut self.conn
        };
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting an audit write")?;
        let seq = append(&tx, record)?;
        tx.commit().during("committing an audit row")?;
        Ok(seq)
    }

    /// The last row's seq and hash (`None` for an empty log).
    pub fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .during("reading the audit log's head")
    }

    /// The newest `limit` rows (after `offset`), newest first; only those
    /// about `target` when given.
    pub fn audit_entries(
        &self,
        target: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT seq, at, actor, action, target, before, after, detail, hash FROM audit_log
                 WHERE ?1 IS NULL OR target = ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .during("preparing the audit listing")?;
        let rows = statement
            .query_map(params![target, limit as i64], read_entry)
            .during("reading the audit log")?;
        rows.collect::<Result<_, _>>()
            .during("reading the audit log")
    }

    /// Recomputes the chain from the first row.
    pub fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        self.verify_audit_against(None)
    }

    /// [`Store::verify_audit`], and also that row `seq` of a head noted
    /// earlier (`(seq, hash or its first 16+ hex characters)`) is still
    /// there with that hash: rows cut off the end of the log (the last
    /// ones deleted, and the chain still whole) break the check too.
    pub fn verify_audit_against(
        &self,
        noted_head: Option<(i64, &str)>,
    ) -> Result<AuditCheck, StoreError> {
        let mut check = self.verify_chain()?;
        if let (None, Some((seq, hash))) = (&check.broken_at, noted_head) {
            let stored: Option<String> = self
                .conn
                .query_row(
                    "SELECT hash FROM audit_log WHERE seq = ?1",
                    params![seq],
                    |row| row.get(0),
                )
                .optional()
                .during("reading a row of the audit log")?;
            let hash = hash.to_ascii_lowercase();
            let why = match stored {
                None => Some(format!(
                    "row {seq}, the head noted earlier, is gone: rows were cut off the end of the log"
                )),
                Some(stored) if hash.len() < 16 || !stored.starts_with(&hash) => Some(format!(
                    "row {seq} no longer has the hash noted earlier ({hash}): the log was rewritten"
                )),
                Some(_) => None,
            };
            check.broken_at = why.map(|why| (seq, why));
        }
        Ok(check)
    }

    fn verify_chain(&self) -> Result<AuditCheck, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT seq, at, actor, action, target, before, after, detail, hash FROM audit_log ORDER BY seq")
            .during("preparing the audit check")?;
        let rows = statement
            .query_map([], read_entry)
            .during("reading the audit log")?;
        let mut previous = GENESIS.to_string();
        let mut entries = 0;
        let mut last = 0;
        for (expected_seq, row) in (1i64..).zip(rows) {
            let entry = row.during("reading the audit log")?;
            entries += 1;
            if entry.seq != expected_seq {
                return Ok(AuditCheck {
                    entries,
                    broken_at: Some((
                        entry.seq,
                        format!("row {expected_seq} is missing (next is {})", entry.seq),
                    )),
                    head: None,
                });
            }
            let hash = chain_hash(&previous, entry.seq, &entry.at, &entry.record());
            if hash != entry.hash {
                return Ok(AuditCheck {
                    entries,
                    broken_at: Some((
                        entry.seq,
                        "its content does not match its hash: the row was changed".into(),
                    )),
                    head: None,
                });
            }
            previous = entry.hash;
            last = entry.seq;
        }
        Ok(AuditCheck {
            entries,
            broken_at: None,
            head: (last > 0).then_some((last, previous)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record<'a>(action: &'a str, target: &'a str) -> AuditRecord<'a> {
        AuditRecord {
            actor: "analyst",
            action,
            target,
            ..AuditRecord::default()
        }
    }

    #[test]
    fn the_chain_verifies_and_an_edited_row_breaks_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.db");
        let mut store = Store::open(&path).unwrap();
        for n in 0..5 {
            store
                .audit(&record("case.status", &format!("case:{n}")))
                .unwrap();
        }
        // A reader can append too (views are audited from read-only commands).
        let mut reader = Store::open_read_only(&path).unwrap();
        reader.audit(&record("item.view", "item:x")).unwrap();
        let check = store.verify_audit().unwrap();
        assert_eq!((check.entries, &check.broken_at), (6, &None));
        assert_eq!(check.head, store.audit_head().unwrap());
        assert_eq!(check.head.as_ref().map(|(seq, _)| *seq), Some(6));
        assert_eq!(store.audit_entries(None, 1).unwrap()[0].action, "item.view");

        // Updates and deletes are refused outright …
        assert!(
            store
                .conn
                .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 3", [])
                .is_err()
        );
        assert!(
            store
                .conn
                .execute("DELETE FROM audit_log WHERE seq = 3", [])
                .is_err()
        );
        // … and an edit made behind the triggers' back shows.
        store
            .conn
            .execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 UPDATE audit_log SET after = 'dismissed' WHERE seq = 3;",
            )
            .unwrap();
        let check = store.verify_audit().unwrap();
        assert_eq!(check.broken_at.map(|(seq, _)| seq), Some(3));
    }
}
