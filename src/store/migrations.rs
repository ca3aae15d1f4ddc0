//! The schema, as an append-only list of migrations. `PRAGMA user_version`
//! records how many have been applied. Never edit a migration that has
//! shipped: add a new one.

/// Migrations in order; entry `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: items, the system of record. `seq` grows on every insert or change
    // and tells the index what it has not seen yet.
    "CREATE TABLE items (
        id                  TEXT PRIMARY KEY,
        seq                 INTEGER NOT NULL,
        source              TEXT NOT NULL,
        kind                TEXT NOT NULL,
        url                 TEXT,
        title               TEXT NOT NULL,
        body                TEXT NOT NULL,
        author              TEXT,
        published_at        TEXT NOT NULL,
        fetched_at          TEXT NOT NULL,
        unit                TEXT,
        region              TEXT,
        petition_status     TEXT,
        petition_reply      TEXT,
        petition_reply_unit TEXT,
        petition_replied_at TEXT,
        content_hash        TEXT NOT NULL,
        flagged             INTEGER NOT NULL DEFAULT 0,
        categories          TEXT NOT NULL DEFAULT '[]',
        severity            INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE UNIQUE INDEX items_by_seq ON items(seq);
    CREATE INDEX items_by_published ON items(published_at);
    CREATE INDEX items_by_source ON items(source);",
    // 2: the full analysis (evidence, sentiment, units, keywords) as JSON;
    // flagged / categories / severity stay as columns for SQL filters.
    "ALTER TABLE items ADD COLUMN analysis TEXT NOT NULL DEFAULT '{}';",
    // 3: per-source crawl state: validators for conditional GET and health.
    "CREATE TABLE source_state (
        name                 TEXT PRIMARY KEY,
        etag                 TEXT,
        last_modified        TEXT,
        last_attempt_at      TEXT,
        last_success_at      TEXT,
        last_error           TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        items_last_run       INTEGER NOT NULL DEFAULT 0,
        new_items_total      INTEGER NOT NULL DEFAULT 0
    ) STRICT;",
    // 4: files a `file` source has taken, so each is imported once even
    // across restarts (fingerprint: size and modification time).
    "CREATE TABLE source_files (
        source      TEXT NOT NULL,
        path        TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        taken_at    TEXT NOT NULL,
        PRIMARY KEY (source, path, fingerprint)
    ) STRICT;",
    // 5: a petition's status changes seen on re-visits (已回复 after 未回复),
    // kept as history of the one item.
    "CREATE TABLE petition_history (
        item_id       TEXT NOT NULL,
        status_before TEXT,
        status_after  TEXT,
        replied       INTEGER NOT NULL,
        seen_at       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX petition_history_by_item ON petition_history(item_id);",
    // 6: stories — copies of one event grouped (see store::stories); each
    // item's story vector is kept so the grouping can be rebuilt.
    "CREATE TABLE stories (
        id           TEXT PRIMARY KEY,
        first_item   TEXT NOT NULL,
        first_source TEXT NOT NULL,
        first_at     INTEGER NOT NULL,
        last_at      INTEGER NOT NULL,
        copies       INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE story_items (
        item_id  TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        day      INTEGER NOT NULL,
        at       INTEGER NOT NULL,
        vector   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX story_items_by_day ON story_items(day);
    CREATE INDEX story_items_by_story ON story_items(story_id);",
    // 7: how a source's last crawl ended, so `yuqing sources` can tell
    // "blocked" from "nothing new" from "parse errors".
    "ALTER TABLE source_state ADD COLUMN last_outcome TEXT;",
    // 8: hourly counts for trends (dimension: kind, source, category, unit,
    // topic, keyword, story), counted when an item is first stored and
    // rebuildable from the items.
    "CREATE TABLE trend_counts (
        dim  TEXT NOT NULL,
        key  TEXT NOT NULL,
        hour INTEGER NOT NULL,
        n    INTEGER NOT NULL,
        PRIMARY KEY (dim, key, hour)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX trend_counts_by_hour ON trend_counts(hour);",
    // 9: the review queue: one case per story of flagged items, per trend,
    // per petition left without a useful reply; notes; how far the raising
    // pass has read the items.
    "CREATE TABLE cases (
        id             INTEGER PRIMARY KEY,
        origin         TEXT NOT NULL,
        subject        TEXT NOT NULL UNIQUE,
        item_id        TEXT,
        title          TEXT NOT NULL,
        category       TEXT,
        level          TEXT NOT NULL,
        severity       INTEGER NOT NULL,
        priority       INTEGER NOT NULL,
        status         TEXT NOT NULL,
        assignee       TEXT,
        due_at         TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        dismiss_reason TEXT,
        detail         TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    CREATE INDEX cases_by_status ON cases(status, priority);
    CREATE TABLE case_notes (
        case_id INTEGER NOT NULL,
        at      TEXT NOT NULL,
        author  TEXT NOT NULL,
        note    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX case_notes_by_case ON case_notes(case_id);
    CREATE TABLE review_state (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) STRICT;",
    // 10: the audit log: append-only, each row hash-chained to the one before
    // (`yuqing audit verify`).
    "CREATE TABLE audit_log (
        seq    INTEGER PRIMARY KEY,
        at     TEXT NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT,
        after  TEXT,
        detail TEXT,
        hash   TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // 11: the mail queue: each digest / alert under an idempotency key, kept
    // until delivered (and after, so it is never sent twice).
    "CREATE TABLE mail_queue (
        key             TEXT PRIMARY KEY,
        subject         TEXT NOT NULL,
        recipients      TEXT NOT NULL,
        eml             BLOB NOT NULL,
        status          TEXT NOT NULL,
        attempts        INTEGER NOT NULL,
        next_attempt_at TEXT NOT NULL,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        sent_at         TEXT
    ) STRICT;",
    // 12: what immediate alerts have covered (a story or a trend alerts once).
    "CREATE TABLE alerted (
        subject TEXT PRIMARY KEY,
        at      TEXT NOT NULL
    ) STRICT;",
    // 13: local accounts for the web UI: users (argon2 hashes), sessions
    // (SHA-256 of the token only) and failed logins (throttling).
    "CREATE TABLE users (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL
    ) STRICT;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_name  TEXT NOT NULL,
        csrf       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_user ON sessions(user_name);
    CREATE TABLE login_failures (
        user_name TEXT NOT NULL,
        at        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX login_failures_by_user ON login_failures(user_name, at);",
    // 14: what the review pass looks for on every run — flagged items,
    // petitions waiting for a reply, replies — as small partial indexes:
    // without them it read every item older than the reply deadline, and
    // every new item, to find the few it wanted.
    "CREATE INDEX items_unanswered_petitions ON items(published_at)
        WHERE kind = 'petition' AND petition_reply IS NULL;
    CREATE INDEX items_answered_petitions ON items(seq)
        WHERE kind = 'petition' AND petition_reply IS NOT NULL;
    CREATE INDEX items_flagged ON items(seq) WHERE flagged;",
    // 15: trend counts keyed by hour first. Keyed by (dimension, key) first,
    // every stored item updated rows spread over the whole table (its
    // keywords, its story), so past a few hundred thousand items each item
    // cost several page reads and writes; new counts now go to the current
    // hours' pages. The trends pass reads its window in one range scan.
    "CREATE TABLE trend_counts_by_time (
        hour INTEGER NOT NULL,
        dim  TEXT NOT NULL,
        key  TEXT NOT NULL,
        n    INTEGER NOT NULL,
        PRIMARY KEY (hour, dim, key)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO trend_counts_by_time (hour, dim, key, n)
        SELECT hour, dim, key, n FROM trend_counts;
    DROP TABLE trend_counts;
    ALTER TABLE trend_counts_by_time RENAME TO trend_counts;",
];
