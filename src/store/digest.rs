//! What digests and alerts read (counts over a period, the worst flagged
//! items, the review backlog, failing sources) and the mail queue that
//! makes a digest go out exactly once.

use super::{QueryContext, Store, StoreError, StoredItem};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// Counts of the items published in a period, grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// By kind (post, news, petition).
    Kind,
    /// By source name.
    Source,
    /// Flagged items by main complaint category.
    Category,
    /// Flagged items by level.
    Level,
}

/// The review backlog at a time.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Backlog {
    /// Open cases (new or in review).
    pub open: u32,
    /// Of those, past their deadline.
    pub overdue: u32,
    /// Open cases raised less than a day ago.
    pub under_1_day: u32,
    /// 1–3 days ago.
    pub days_1_to_3: u32,
    /// More than 3 days ago.
    pub over_3_days: u32,
}

/// One message of the mail queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedMail {
    /// Idempotency key (e.g. `digest:daily:2026-11-28:leaders`).
    pub key: String,
    /// Subject, for listings.
    pub subject: String,
    /// Recipients, comma-separated.
    pub recipients: String,
    /// The whole message (RFC 5322).
    #[serde(skip)]
    pub eml: Vec<u8>,
    /// `queued` or `sent`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not before this time (RFC 3339).
    pub next_attempt_at: String,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub sent_at: Option<String>,
}

impl QueuedMail {
    /// A message to queue now under `key`.
    pub fn new(
        key: &str,
        subject: &str,
        recipients: &[String],
        eml: Vec<u8>,
        now: DateTime<Utc>,
    ) -> QueuedMail {
        QueuedMail {
            key: key.to_string(),
            subject: subject.to_string(),
            recipients: recipients.join(","),
            eml,
            status: "queued".into(),
            attempts: 0,
            next_attempt_at: now.to_rfc3339(),
            last_error: None,
            sent_at: None,
        }
    }
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

impl Store {
    /// Counts of items published in `[from, to)`, grouped.
    pub fn period_counts(
        &self,
        grouping: Grouping,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, u32)>, StoreError> {
        let (key, filter) = match grouping {
            Grouping::Kind => ("kind", ""),
            Grouping::Source => ("source", ""),
            Grouping::Category => ("json_extract(categories, '$[0]')", "AND flagged = 1"),
            Grouping::Level => ("json_extract(analysis, '$.level')", "AND flagged = 1"),
        };
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {key} AS k, COUNT(*) FROM items
                 WHERE published_at >= ?1 AND published_at < ?2 {filter} AND k IS NOT NULL
                 GROUP BY k ORDER BY COUNT(*) DESC, k"
            ))
            .during("preparing period counts")?;
        let rows = statement
            .query_map(params![rfc(from), rfc(to)], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .during("counting a period")?;
        rows.collect::<Result<_, _>>().during("counting a period")
    }

    /// Flagged items published in `[from, to)`, most severe first.
    pub fn worst_flagged(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<StoredItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM items WHERE flagged = 1 AND published_at >= ?1 AND published_at < ?2
                 ORDER BY severity DESC, published_at DESC LIMIT ?3",
                super::items::COLUMNS
            ))
            .during("preparing the worst items")?;
        let rows = statement
            .query_map(
                params![rfc(from), rfc(to), limit as i64],
                super::items::read_row,
            )
            .during("reading the worst items")?;
        rows.map(|row| row.during("reading an item")?).collect()
    }

    /// The status of the case an item's story raised, if any.
    pub fn case_status_of_item(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.case_of_item(item_id)?.map(|(_, status)| status))
    }

    /// The number and status of the case that covers an item (its story's
    /// or its own), if any.
    pub fn case_of_item(&self, item_id: &str) -> Result<Option<(i64, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT c.id, c.status FROM cases c
                 LEFT JOIN story_items s ON s.item_id = ?1
                 WHERE c.subject = 'story:' || COALESCE(s.story_id, ?1) OR c.subject = 'item:' || ?1
                 LIMIT 1",
                params![item_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .during("reading an item's case")
    }

    /// The retention purge's part of the mail queue: the message bodies of
    /// mail queued before `cutoff` (digests and alerts quote items' text)
    /// are emptied. The rows stay, so a digest already sent is not sent
    /// again; one never delivered is not tried again (`purged`). Returns
    /// how many bodies were emptied.
    pub fn purge_mail_before(&mut self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "UPDATE mail_queue
                 SET eml = X'', status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'purged' END
                 WHERE created_at < ?1 AND length(eml) > 0",
                params![rfc(cutoff)],
            )
            .during("emptying old mail in the queue")
    }

    /// The open cases at `now`, by age and deadline.
    pub fn backlog(&self, now: DateTime<Utc>) -> Result<Backlog, StoreError> {
        let at = |hours: i64| {
            (now - chrono::Duration::hours(hours))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        self.conn
            .query_row(
                "SELECT COUNT(*),
                        COALESCE(SUM(due_at < ?1), 0),
                        COALESCE(SUM(created_at >= ?2), 0),
                        COALESCE(SUM(created_at < ?2 AND created_at >= ?3), 0),
                        COALESCE(SUM(created_at < ?3), 0)
                 FROM cases WHERE status IN ('new', 'in_review')",
                params![at(0), at(24), at(72)],
                |row| {
                    Ok(Backlog {
                        open: row.get(0)?,
                        overdue: row.get(1)?,
                        under_1_day: row.get(2)?,
                        days_1_to_3: row.get(3)?,
                        over_3_days: row.get(4)?,
                    })
                },
            )
            .during("reading the backlog")
    }

    /// Queues a message under `key` unless that key is known; returns
    /// false when it was (a digest is built once per period and group).
    pub fn enqueue_mail(&mut self, mail: &QueuedMail) -> Result<bool, StoreError> {
        let added = self
            .conn
            .execute(
                "INSERT INTO mail_queue (key, subject, recipients, eml, status, attempts,
                     next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5)
                 ON CONFLICT(key) DO NOTHING",
                params![
                    mail.key,
                    mail.subject,
                    mail.recipients,
                    mail.eml,
                    mail.next_attempt_at
                ],
            )
            .during("queueing a message")?;
        Ok(added == 1)
    }

    /// Messages still to send whose time has come.
    pub fn due_mail(&self, now: DateTime<Utc>) -> Result<Vec<QueuedMail>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT key, subject, recipients, eml, status, attempts, next_attempt_at, last_error, sent_at
                 FROM mail_queue WHERE status = 'queued' AND next_attempt_at <= ?1 ORDER BY created_at",
            )
            .during("preparing the mail queue")?;
        let rows = statement
            .query_map(params![rfc(now)], read_mail)
            .during("reading the mail queue")?;
        rows.collect::<Result<_, _>>()
            .during("reading the mail queue")
    }

    /// One queued message by key.
    pub fn queued_mail(&self, key: &str) -> Result<Option<QueuedMail>, StoreError> {
        self.conn
            .query_row(
                "SELECT key, subject, recipients, eml, status, attempts, next_attempt_at, last_error, sent_at
                 FROM mail_queue WHERE key = ?1",
                params![key],
                read_mail,
            )
            .optional()
            .during("reading a queued message")
    }

    /// Messages whose key starts with `prefix`, queued at or after `since`
    /// (for the alerts' hourly limit).
    pub fn mail_sent_since(&self, prefix: &str, since: DateTime<Utc>) -> Result<u32, StoreError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM mail_queue WHERE substr(key, 1, length(?1)) = ?1 AND created_at >= ?2",
                params![prefix, rfc(since)],
                |row| row.get(0),
            )
            .during("counting recent messages")
    }

    /// True when `subject` (a story, a trend) has been alerted on.
    pub fn was_alerted(&self, subject: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM alerted WHERE subject = ?1",
                params![subject],
                |_| Ok(()),
            )
            .optional()
            .during("reading alerted subjects")?
            .is_some())
    }

    /// Queues an alert message and marks its subjects alerted, together
    /// (a crash cannot alert twice or mark without queueing).
    pub fn enqueue_alert(
        &mut self,
        mail: &QueuedMail,
        subjects: &[String],
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting an alert write")?;
        tx.execute(
            "INSERT INTO mail_queue (key, subject, recipients, eml, status, attempts, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?5) ON CONFLICT(key) DO NOTHING",
            params![mail.key, mail.subject, mail.recipients, mail.eml, mail.next_attempt_at],
        )
        .during("queueing an alert")?;
        for subject in subjects {
            tx.execute(
                "INSERT INTO alerted (subject, at) VALUES (?1, ?2) ON CONFLICT(subject) DO NOTHING",
                params![subject, mail.next_attempt_at],
            )
            .during("marking a subject alerted")?;
        }
        tx.commit().during("committing an alert")
    }

    /// Records a delivery attempt: sent, or failed with the next try time.
    pub fn mail_attempted(
        &mut self,
        key: &str,
        outcome: Result<DateTime<Utc>, (String, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        match outcome {
            Ok(sent_at) => self.conn.execute(
                "UPDATE mail_queue SET status = 'sent', attempts = attempts + 1, sent_at = ?2,
                     last_error = NULL WHERE key = ?1",
                params![key, rfc(sent_at)],
            ),
            Err((error, retry_at)) => self.conn.execute(
                "UPDATE mail_queue SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
                 WHERE key = ?1",
                params![key, error, rfc(retry_at)],
            ),
        }
        .during("recording a delivery attempt")?;
        Ok(())
    }
}

fn read_mail(row: &rusqlite::Row<'_>) -> rusqlite::Result<QueuedMail> {
    Ok(QueuedMail {
        key: row.get(0)?,
        subject: row.get(1)?,
        recipients: row.get(2)?,
        eml: row.get(3)?,
        status: row.get(4)?,
        attempts: row.get(5)?,
        next_attempt_at: row.get(6)?,
        last_error: row.get(7)?,
        sent_at: row.get(8)?,
    })
}
