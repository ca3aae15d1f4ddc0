//! Cases of the review queue as stored: raised once per subject (a story
//! of flagged items, a trend, a petition), changed only together with
//! their audit row. The rules (which transitions, deadlines) are
//! `review`'s; this is the record.

use super::audit::{AuditRecord, append};
use super::{QueryContext, Store, StoreError};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// One case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Case number.
    pub id: i64,
    /// Where it came from: `item` (a story of flagged items), `trend`, `petition`.
    pub origin: String,
    /// What it is about, unique: `story:ID`, `trend:DIM:KEY:DAY`, `petition:ID` …
    pub subject: String,
    /// The item behind it (the story's first flagged copy, the petition).
    pub item_id: Option<String>,
    /// Title to show.
    pub title: String,
    /// Main complaint category, when there is one.
    pub category: Option<String>,
    /// low / medium / high / critical.
    pub level: String,
    /// Severity 0–100.
    pub severity: u8,
    /// 1 (most urgent) … 4.
    pub priority: u8,
    /// new / in_review / confirmed / dismissed / escalated.
    pub status: String,
    /// Who works it.
    pub assignee: Option<String>,
    /// Deadline (RFC 3339 UTC), from the severity's SLA.
    pub due_at: String,
    /// When raised.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// Why it was dismissed (not_police, praise, refuted …).
    pub dismiss_reason: Option<String>,
    /// More facts as JSON (copies, trend figures, petition age …).
    pub detail: serde_json::Value,
}

/// A case to raise.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// See [`Case::origin`].
    pub origin: &'static str,
    /// See [`Case::subject`].
    pub subject: String,
    /// See [`Case::item_id`].
    pub item_id: Option<String>,
    /// See [`Case::title`].
    pub title: String,
    /// See [`Case::category`].
    pub category: Option<String>,
    /// See [`Case::level`].
    pub level: String,
    /// See [`Case::severity`].
    pub severity: u8,
    /// See [`Case::priority`].
    pub priority: u8,
    /// See [`Case::due_at`].
    pub due_at: String,
    /// See [`Case::detail`].
    pub detail: serde_json::Value,
}

/// A note on a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseNote {
    /// When.
    pub at: String,
    /// Who.
    pub author: String,
    /// What.
    pub note: String,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only with this status.
    pub status: Option<String>,
    /// Only with this category.
    pub category: Option<String>,
    /// Only with this level.
    pub level: Option<String>,
    /// Only assigned to this user.
    pub assignee: Option<String>,
    /// Only open cases past their deadline at this time (RFC 3339).
    pub overdue_at: Option<String>,
    /// At most this many.
    pub limit: usize,
}

/// A change to a case by a user.
#[derive(Debug, Clone, Default)]
pub struct CaseChange {
    /// New status.
    pub status: Option<String>,
    /// New assignee.
    pub assignee: Option<String>,
    /// Why dismissed.
    pub dismiss_reason: Option<String>,
    /// A note.
    pub note: Option<String>,
}

const CASE_COLUMNS: &str = "id, origin, subject, item_id, title, category, level, severity, priority, \
     status, assignee, due_at, created_at, updated_at, dismiss_reason, detail";

/// [`crate::model::Analysis::may_be_about_police`] in SQL: an item row
/// whose stored analysis does not say `"about_police": false`. JSON
/// `true` / `false` extract as 1 / 0; a row stored before the field (or
/// before the analysis column, `{}`) gives NULL, "not known", and is kept;
/// so is a row whose analysis is not valid JSON (never written by yuqing;
/// reading it must not fail the whole pass, as `read_row` does not).
const MAY_BE_ABOUT_POLICE: &str = "(CASE WHEN json_valid(analysis) \
     THEN json_extract(analysis, '$.about_police') END IS NOT 0)";

/// The condition of [`CaseFilter`] (parameters 1–5: status, category,
/// level, assignee, overdue-at), shared by the listing and the count.
const CASE_FILTER: &str = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR category = ?2)
     AND (?3 IS NULL OR level = ?3) AND (?4 IS NULL OR assignee = ?4)
     AND (?5 IS NULL OR (due_at < ?5 AND status IN ('new', 'in_review')))";

fn read_case(row: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let detail: String = row.get(15)?;
    Ok(Case {
        id: row.get(0)?,
        origin: row.get(1)?,
        subject: row.get(2)?,
        item_id: row.get(3)?,
        title: row.get(4)?,
        category: row.get(5)?,
        level: row.get(6)?,
        severity: row.get(7)?,
        priority: row.get(8)?,
        status: row.get(9)?,
        assignee: row.get(10)?,
        due_at: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        dismiss_reason: row.get(14)?,
        detail: serde_json::from_str(&detail).unwrap_or_default(),
    })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Raises `case` unless its subject has one; a known subject whose new
    /// severity is higher gets the higher severity, level and priority.
    /// Returns the new case's id (`None` when it existed).
    pub fn raise_case(&mut self, case: &NewCase) -> Result<Option<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting a case write")?;
        type Existing = (i64, u8, Option<String>, Option<String>, String);
        let existing: Option<Existing> = tx
            .query_row(
                "SELECT id, severity, item_id, category, title FROM cases WHERE subject = ?1",
                params![case.subject],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .optional()
            .during("looking up a case")?;
        let created = match existing {
            Some((id, severity, item_id, category, title)) => {
                // The case's own item was changed at its source (re-imported
                // or re-crawled with new text): the case says what it says now.
                if item_id.is_some()
                    && item_id == case.item_id
                    && (category != case.category || title != case.title)
                {
                    tx.execute(
                        "UPDATE cases SET category = ?2, title = ?3, updated_at = ?4 WHERE id = ?1",
                        params![id, case.category, case.title, now()],
                    )
                    .during("updating a case's category")?;
                    if category != case.category {
                        let target = format!("case:{id}");
                        append(
                            &tx,
                            &AuditRecord {
                                actor: "system",
                                action: "case.category",
                                target: &target,
                                before: category.as_deref(),
                                after: case.category.as_deref(),
                                detail: Some("the item changed"),
                            },
                        )?;
                    }
                }
                if case.severity > severity {
                    tx.execute(
                        "UPDATE cases SET severity = ?2, level = ?3, priority = MIN(priority, ?4),
                             detail = ?5, updated_at = ?6 WHERE id = ?1",
                        params![
                            id,
                            case.severity,
                            case.level,
                            case.priority,
                            case.detail.to_string(),
                            now()
                        ],
                    )
                    .during("raising a case's severity")?;
                    let target = format!("case:{id}");
                    append(
                        &tx,
                        &AuditRecord {
                            actor: "system",
                            action: "case.severity",
                            target: &target,
                            before: Some(&severity.to_string()),
                            after: Some(&case.severity.to_string()),
                            detail: None,
                        },
                    )?;
                }
                None
            }
            None => {
                let at = now();
                tx.execute(
                    "INSERT INTO cases (origin, subject, item_id, title, category, level, severity,
                         priority, status, due_at, created_at, updated_at, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'new', ?9, ?10, ?10, ?11)",
                    params![
                        case.origin,
                        case.subject,
                        case.item_id,
                        case.title,
                        case.category,
                        case.level,
                        case.severity,
                        case.priority,
                        case.due_at,
                        at,
                        case.detail.to_string()
                    ],
                )
                .during("raising a case")?;
                let id = tx.last_insert_rowid();
                let target = format!("case:{id}");
                append(
                    &tx,
                    &AuditRecord {
                        actor: "system",
                        action: "case.create",
                        target: &target,
                        before: None,
                        after: Some("new"),
                        detail: Some(&case.subject),
                    },
                )?;
                Some(id)
            }
        };
        tx.commit().during("committing a case")?;
        Ok(created)
    }

    /// One case.
    pub fn case(&self, id: i64) -> Result<Option<Case>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"),
                params![id],
                read_case,
            )
            .optional()
            .during("reading a case")
    }

    /// Cases matching `filter`, most urgent first (priority, then deadline).
    pub fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE {CASE_FILTER}
                 ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'in_review' THEN 0 WHEN 'escalated' THEN 1 ELSE 2 END,
                          priority, due_at, id
                 LIMIT ?6"
            ))
            .during("preparing the case list")?;
        let limit = if filter.limit == 0 {
            i64::MAX
        } else {
            filter.limit as i64
        };
        let rows = statement
            .query_map(
                params![
                    filter.status,
                    filter.category,
                    filter.level,
                    filter.assignee,
                    filter.overdue_at,
                    limit
                ],
                read_case,
            )
            .during("listing cases")?;
        rows.collect::<Result<_, _>>().during("listing cases")
    }

    /// How many cases match `filter`, however many [`Store::cases`] lists
    /// (its `limit` is ignored).
    pub fn count_cases(&self, filter: &CaseFilter) -> Result<usize, StoreError> {
        let count: i64 = self
            .conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM cases WHERE {CASE_FILTER}"))
            .during("preparing the case count")?
            .query_row(
                params![
                    filter.status,
                    filter.category,
                    filter.level,
                    filter.assignee,
                    filter.overdue_at
                ],
                |row| row.get(0),
            )
            .during("counting cases")?;
        Ok(usize::try_from(count).unwrap_or_default())
    }

    /// The notes on a case, oldest first.
    pub fn case_notes(&self, id: i64) -> Result<Vec<CaseNote>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT at, author, note FROM case_notes WHERE case_id = ?1 ORDER BY rowid",
            )
            .during("preparing the case notes")?;
        let rows = statement
            .query_map(params![id], |row| {
                Ok(CaseNote {
                    at: row.get(0)?,
                    author: row.get(1)?,
                    note: row.get(2)?,
                })
            })
            .during("reading case notes")?;
        rows.collect::<Result<_, _>>().during("reading case notes")
    }

    /// Applies `change` by `actor` to case `id`: the case, its note and one
    /// audit row per changed field are written together. The caller has
    /// checked the change is allowed. Returns the case as it now is.
    pub fn change_case(
        &mut self,
        id: i64,
        actor: &str,
        change: &CaseChange,
    ) -> Result<Option<Case>, StoreError> {
        let Some(before) = self.case(id)? else {
            return Ok(None);
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting a case change")?;
        let at = now();
        let target = format!("case:{id}");
        let audit = |action: &str, old: Option<&str>, new: Option<&str>, detail: Option<&str>| {
            append(
                &tx,
                &AuditRecord {
                    actor,
                    action,
                    target: &target,
                    before: old,
                    after: new,
                    detail,
                },
            )
        };
        if let Some(status) = &change.status {
            audit(
                "case.status",
                Some(&before.status),
                Some(status),
                change.dismiss_reason.as_deref(),
            )?;
        }
        if let Some(assignee) = &change.assignee {
            audit(
                "case.assign",
                before.assignee.as_deref(),
                Some(assignee),
                None,
            )?;
        }
        if let Some(note) = &change.note {
            audit("case.note", None, None, Some(note))?;
        }
        tx.execute(
            "UPDATE cases SET status = COALESCE(?2, status), assignee = COALESCE(?3, assignee),
                 dismiss_reason = CASE WHEN ?2 IS NULL THEN dismiss_reason WHEN ?2 = 'dismissed' THEN ?4 ELSE NULL END,
                 updated_at = ?5
             WHERE id = ?1",
            params![
                id,
                change.status,
                change.assignee,
                change.dismiss_reason,
                at
            ],
        )
        .during("changing a case")?;
        if let Some(note) = &change.note {
            tx.execute(
                "INSERT INTO case_notes (case_id, at, author, note) VALUES (?1, ?2, ?3, ?4)",
                params![id, at, actor, note],
            )
            .during("adding a case note")?;
        }
        tx.commit().during("committing a case change")?;
        self.case(id)
    }

    /// Counts of decided cases: `(category, status, dismiss reason, n)`.
    pub fn case_outcomes(&self) -> Result<Vec<(String, String, String, u32)>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT COALESCE(category, '-'), status, COALESCE(dismiss_reason, '-'), COUNT(*)
                 FROM cases WHERE origin = 'item' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            )
            .during("preparing the case report")?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .during("reading case outcomes")?;
        rows.collect::<Result<_, _>>()
            .during("reading case outcomes")
    }

    /// A named counter of the review stage (e.g. how far it has read items).
    pub fn review_mark(&self, name: &str) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM review_state WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()
            .during("reading a review mark")?
            .unwrap_or(0))
    }

    /// Sets a review counter.
    pub fn set_review_mark(&mut self, name: &str, value: i64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO review_state (name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
            .during("saving a review mark")?;
        Ok(())
    }

    /// Petitions published before `before` whose board shows no reply yet,
    /// about police (or not known not to be: see
    /// [`crate::model::Analysis::may_be_about_police`]).
    pub fn unanswered_petitions(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<super::StoredItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM items WHERE kind = 'petition' AND petition_reply IS NULL
                   AND published_at < ?1 AND {MAY_BE_ABOUT_POLICE} ORDER BY published_at",
                super::items::COLUMNS
            ))
            .during("preparing the petition scan")?;
        let rows = statement
            .query_map(params![before.to_rfc3339()], super::items::read_row)
            .during("scanning petitions")?;
        rows.map(|row| row.during("reading a petition")?).collect()
    }

    /// Petitions with a reply (to judge whether it addresses them), changed
    /// after `after_seq`, about police (or not known not to be).
    pub fn answered_petitions_after(
        &self,
        after_seq: i64,
    ) -> Result<Vec<super::StoredItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM items WHERE kind = 'petition' AND petition_reply IS NOT NULL
                   AND seq > ?1 AND {MAY_BE_ABOUT_POLICE} ORDER BY seq",
                super::items::COLUMNS
            ))
            .during("preparing the reply scan")?;
        let rows = statement
            .query_map(params![after_seq], super::items::read_row)
            .during("scanning replies")?;
        rows.map(|row| row.during("reading a petition")?).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::items::tests::item;
    use crate::model::{Analysis, PetitionState};
    use crate::store::Store;
    use chrono::TimeZone;

    #[test]
    fn petition_scans_leave_out_only_petitions_known_not_about_police() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let waiting = |id: &str| {
            let mut petition = item(id, &format!("正文{id}"));
            petition.petition = PetitionState {
                status: Some("未回复".into()),
                ..PetitionState::default()
            };
            (petition, Analysis::default())
        };
        let answered = |id: &str| (item(id, &format!("正文{id}")), Analysis::default());
        store
            .upsert_items(&[
                waiting("w-true"),
                waiting("w-false"),
                waiting("w-old"),
                waiting("w-empty"),
                waiting("w-garbled"),
                answered("a-true"),
                answered("a-false"),
                answered("a-old"),
            ])
            .unwrap();
        // The analysis column as each kind of row has it: written now (with
        // the judgement), by a yuqing before the field (no `about_police`),
        // before the column existed (its default `{}`), or damaged.
        let old = r#"{"flagged":false,"categories":[],"severity":0,"level":"low","sentiment":-0.2,"evidence":[],"units":[],"keywords":["幼儿园"]}"#;
        let judged = |about| {
            serde_json::to_string(&Analysis {
                about_police: Some(about),
                ..Analysis::default()
            })
            .unwrap()
        };
        for (id, json) in [
            ("w-true", judged(true)),
            ("w-false", judged(false)),
            ("w-old", old.to_string()),
            ("w-empty", "{}".to_string()),
            ("w-garbled", "{not json".to_string()),
            ("a-true", judged(true)),
            ("a-false", judged(false)),
            ("a-old", old.to_string()),
        ] {
            store
                .conn
                .execute(
                    "UPDATE items SET analysis = ?2 WHERE id = ?1",
                    rusqlite::params![id, json],
                )
                .unwrap();
        }
        let ids = |items: Vec<crate::store::StoredItem>| {
            let mut ids: Vec<String> = items.into_iter().map(|s| s.item.id).collect();
            ids.sort();
            ids
        };
        let cutoff = chrono::Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            ids(store.unanswered_petitions(cutoff).unwrap()),
            ["w-empty", "w-garbled", "w-old", "w-true"]
        );
        assert_eq!(
            ids(store.answered_petitions_after(0).unwrap()),
            ["a-old", "a-true"]
        );
        // An older row loads, its judgement unknown, the rest kept.
        let old_row = store.get_item("w-old").unwrap().unwrap();
        assert_eq!(old_row.analysis.about_police, None);
        assert!(old_row.analysis.may_be_about_police());
        assert_eq!(old_row.analysis.keywords, ["幼儿园"]);
        assert_eq!(old_row.analysis.sentiment, -0.2);
        let judged_row = store.get_item("w-false").unwrap().unwrap();
        assert_eq!(judged_row.analysis.about_police, Some(false));
        assert!(!judged_row.analysis.may_be_about_police());
    }
}
