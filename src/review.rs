//! The review queue: what becomes a case, the deadlines, which status
//! changes are allowed, and the catch-up pass that raises cases.
//!
//! * A flagged item raises a case **once per story**: copies of the story
//!   join the case (its severity rises with the worst copy), they are not
//!   reviewed again.
//! * A trend (`trends`) of a story, a complaint category, a unit, a topic
//!   or of all complaints with a score of at least `trend_case_score`
//!   raises a case per day it is rising.
//! * A petition **about police** the board still shows without reply
//!   `petition_reply_days` after it was posted raises a case; so does a
//!   reply that does not address it (empty, or only boilerplate such as
//!   已转相关部门办理). "About police" is the complaint detector's judgement,
//!   stored with the analysis (`Analysis::about_police`: police weight, a
//!   police unit named, or a police unit that replied); a mayor's-board
//!   letter about a kindergarten is not the office's business. An analysis
//!   stored before that judgement was recorded counts as about police. A
//!   flagged petition raises its item case whatever the reply.
//!
//! Status: `new → in_review → confirmed | dismissed | escalated`; a
//! dismissed or confirmed case can be reopened (`in_review`), an escalated
//! one decided. A dismissal records why (`not_police`, `praise`,
//! `refuted` …): the counts per reason show where the detector errs.
//! Every change is written with its audit row (`store::cases`).

use crate::model::CATEGORIES;
use crate::store::{Case, CaseChange, CaseFilter, NewCase, Store};
use crate::trends::Trend;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Case statuses.
pub const STATUSES: [&str; 5] = ["new", "in_review", "confirmed", "dismissed", "escalated"];
/// Case levels, most urgent first.
pub const LEVELS: [&str; 4] = ["critical", "high", "medium", "low"];
/// Why a case may be dismissed.
pub const DISMISS_REASONS: [&str; 9] = [
    "not_police",
    "praise",
    "announcement",
    "refuted",
    "other_dept",
    "fiction",
    "not_a_complaint",
    "duplicate",
    "other",
];
/// Trend dimensions that raise cases.
const CASE_DIMENSIONS: [&str; 5] = ["story", "category", "unit", "topic", "flagged"];

/// `[review]`: deadlines and what is raised.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    /// Hours to decide a critical case.
    #[serde(default = "default_sla_critical")]
    pub sla_critical_hours: u32,
    /// Hours to decide a high case.
    #[serde(default = "default_sla_high")]
    pub sla_high_hours: u32,
    /// Hours to decide a medium case.
    #[serde(default = "default_sla_medium")]
    pub sla_medium_hours: u32,
    /// Hours to decide a low case.
    #[serde(default = "default_sla_low")]
    pub sla_low_hours: u32,
    /// A petition about police still without reply this many days after
    /// posting is raised.
    #[serde(default = "default_petition_reply_days")]
    pub petition_reply_days: u32,
    /// Least trend score that raises a case.
    #[serde(default = "default_trend_case_score")]
    pub trend_case_score: f64,
}

fn default_sla_critical() -> u32 {
    4
}
fn default_sla_high() -> u32 {
    24
}
fn default_sla_medium() -> u32 {
    72
}
fn default_sla_low() -> u32 {
    168
}
fn default_petition_reply_days() -> u32 {
    15
}
fn default_trend_case_score() -> f64 {
    5.0
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            sla_critical_hours: default_sla_critical(),
            sla_high_hours: default_sla_high(),
            sla_medium_hours: default_sla_medium(),
            sla_low_hours: default_sla_low(),
            petition_reply_days: default_petition_reply_days(),
            trend_case_score: default_trend_case_score(),
        }
    }
}

impl ReviewConfig {
    /// Hours allowed for a case of `level`.
    pub fn sla_hours(&self, level: &str) -> u32 {
        match level {
            "critical" => self.sla_critical_hours,
            "high" => self.sla_high_hours,
            "medium" => self.sla_medium_hours,
            _ => self.sla_low_hours,
        }
    }
}

/// A case status in Chinese, for digests and pages.
pub fn status_label_zh(status: &str) -> &'static str {
    match status {
        "new" => "待处理",
        "in_review" => "核查中",
        "confirmed" => "已确认",
        "dismissed" => "已排除",
        "escalated" => "已上报",
        _ => "-",
    }
}

/// Why a case was dismissed, in Chinese (the key itself when unknown).
pub fn dismiss_reason_label_zh(reason: &str) -> &str {
    match reason {
        "not_police" => "与公安无关",
        "praise" => "表扬",
        "announcement" => "官方通报",
        "refuted" => "已辟谣",
        "other_dept" => "属其他部门",
        "fiction" => "虚构或转述",
        "not_a_complaint" => "不是投诉",
        "duplicate" => "重复",
        "other" => "其他",
        other => other,
    }
}

/// A severity level in Chinese.
pub fn level_label_zh(level: &str) -> &'static str {
    match level {
        "critical" => "特急",
        "high" => "高",
        "medium" => "中",
        _ => "低",
    }
}

/// Priority 1 (most urgent) … 4 of a level.
pub fn priority(level: &str) -> u8 {
    match level {
        "critical" => 1,
        "high" => 2,
        "medium" => 3,
        _ => 4,
    }
}

/// Whether a case may go from `from` to `to`.
pub fn allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("new", "in_review" | "confirmed" | "dismissed" | "escalated")
            | ("in_review", "new" | "confirmed" | "dismissed" | "escalated")
            | ("escalated", "in_review" | "confirmed" | "dismissed")
            | ("confirmed" | "dismissed", "in_review")
    )
}

/// A change refused, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// No such case.
    #[error("no case {0}: see `yuqing review list`")]
    NoCase(i64),
    /// Not a status.
    #[error("unknown status `{0}`: use one of {list}", list = STATUSES.join(", "))]
    UnknownStatus(String),
    /// Not allowed from the current status.
    #[error("case {id} is {from}; it cannot go to {to} (from {from}: {allowed})")]
    NotAllowed {
        /// The case.
        id: i64,
        /// Its status.
        from: String,
        /// The asked status.
        to: String,
        /// What is allowed.
        allowed: String,
    },
    /// A dismissal needs a reason.
    #[error("a dismissal needs a `reason`: one of {list}", list = DISMISS_REASONS.join(", "))]
    ReasonNeeded,
    /// Not a reason.
    #[error("unknown reason `{0}`: use one of {list}", list = DISMISS_REASONS.join(", "))]
    UnknownReason(String),
    /// Web accounts exist and the assignee is not one of them.
    #[error(
        "no user `{name}` to assign to: use one of {known}, or add the account first with `yuqing user add {name} --role reviewer`"
    )]
    UnknownAssignee {
        /// The name given.
        name: String,
        /// The accounts there are.
        known: String,
    },
    /// The account may only read.
    #[error(
        "`{0}` is an analyst and cannot work cases: assign a reviewer, or give the account that role with `yuqing user add {0} --role reviewer`"
    )]
    AssigneeCannotWork(String),
    /// Not a name (an office without web accounts).
    #[error(
        "`{0}` cannot be an assignee: write a name of letters, digits, . _ - (at most {MAX_ASSIGNEE_CHARS} characters)"
    )]
    BadAssigneeName(String),
    /// Not a level.
    #[error("unknown level `{0}`: use one of {list}", list = LEVELS.join(", "))]
    UnknownLevel(String),
    /// Not a complaint category.
    #[error("unknown category `{0}`: use one of {list}", list = CATEGORIES.join(", "))]
    UnknownCategory(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl ReviewError {
    /// True when the request itself was malformed (a value that is not a
    /// status or a reason, a missing reason): the command line exits 2 for
    /// these. A missing case or a transition the workflow refuses are
    /// not: the same command is right for another case.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ReviewError::UnknownStatus(_)
                | ReviewError::ReasonNeeded
                | ReviewError::UnknownReason(_)
                | ReviewError::UnknownLevel(_)
                | ReviewError::UnknownCategory(_)
                | ReviewError::UnknownAssignee { .. }
                | ReviewError::AssigneeCannotWork(_)
                | ReviewError::BadAssigneeName(_)
        )
    }
}

/// Checks a case listing's filter: a status, level or category that no
/// case can have is a mistake to report, not an empty list.
pub fn check_filter(filter: &CaseFilter) -> Result<(), ReviewError> {
    if let Some(status) = filter.status.as_deref().filter(|s| !STATUSES.contains(s)) {
        return Err(ReviewError::UnknownStatus(status.to_string()));
    }
    if let Some(level) = filter.level.as_deref().filter(|l| !LEVELS.contains(l)) {
        return Err(ReviewError::UnknownLevel(level.to_string()));
    }
    if let Some(category) = filter
        .category
        .as_deref()
        .filter(|c| !CATEGORIES.contains(c))
    {
        return Err(ReviewError::UnknownCategory(category.to_string()));
    }
    Ok(())
}

/// Changes a case's status (with a note), after checking the transition.
pub fn set_status(
    store: &mut Store,
    id: i64,
    actor: &str,
    status: &str,
    reason: Option<&str>,
    note: Option<&str>,
) -> Result<Case, ReviewError> {
    if !STATUSES.contains(&status) {
        return Err(ReviewError::UnknownStatus(status.to_string()));
    }
    let case = store.case(id)?.ok_or(ReviewError::NoCase(id))?;
    if !allowed(&case.status, status) {
        let allowed: Vec<&str> = STATUSES
            .iter()
            .copied()
            .filter(|to| self::allowed(&case.status, to))
            .collect();
        return Err(ReviewError::NotAllowed {
            id,
            from: case.status,
            to: status.to_string(),
            allowed: allowed.join(", "),
        });
    }
    if status == "dismissed" {
        match reason {
            None => return Err(ReviewError::ReasonNeeded),
            Some(r) if !DISMISS_REASONS.contains(&r) => {
                return Err(ReviewError::UnknownReason(r.to_string()));
            }
            Some(_) => {}
        }
    }
    let change = CaseChange {
        status: Some(status.to_string()),
        dismiss_reason: reason.map(str::to_string),
        note: note.map(str::to_string),
        ..CaseChange::default()
    };
    store
        .change_case(id, actor, &change)?
        .ok_or(ReviewError::NoCase(id))
}

/// Longest assignee name.
pub const MAX_ASSIGNEE_CHARS: usize = 64;

/// Who a case may be assigned to. Once the office has web accounts, one
/// of them who can act on cases (a reviewer or an admin): a case given to
/// a name nobody logs in as, or to an analyst, is nobody's. An
/// office without any (the command line only) names its people freely,
/// as a word: letters of any script (李明 too), digits, `.`, `_`, `-`, at
/// most [`MAX_ASSIGNEE_CHARS`] characters.
pub fn check_assignee(store: &Store, name: &str) -> Result<(), ReviewError> {
    let users = store.users()?;
    if users.is_empty() {
        let well_formed = !name.is_empty()
            && name.chars().count() <= MAX_ASSIGNEE_CHARS
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !well_formed {
            return Err(ReviewError::BadAssigneeName(name.to_string()));
        }
        return Ok(());
    }
    // Analysts search and read; they cannot act on a case, so a case
    // given to one would wait for ever.
    let can_work = |user: &&crate::store::User| user.role != crate::store::Role::Analyst;
    match users.iter().find(|user| user.name == name) {
        Some(user) if can_work(&user) => return Ok(()),
        Some(_) => return Err(ReviewError::AssigneeCannotWork(name.to_string())),
        None => {}
    }
    let known: Vec<&str> = users
        .iter()
        .filter(can_work)
        .map(|user| user.name.as_str())
        .collect();
    Err(ReviewError::UnknownAssignee {
        name: name.to_string(),
        known: known.join(", "),
    })
}

/// Assigns a case (a new case goes to `in_review` with it) to someone
/// [`check_assignee`] allows.
pub fn assign(
    store: &mut Store,
    id: i64,
    actor: &str,
    assignee: &str,
    note: Option<&str>,
) -> Result<Case, ReviewError> {
    check_assignee(store, assignee)?;
    let case = store.case(id)?.ok_or(ReviewError::NoCase(id))?;
    let change = CaseChange {
        assignee: Some(assignee.to_string()),
        status: (case.status == "new").then(|| "in_review".to_string()),
        note: note.map(str::to_string),
        ..CaseChange::default()
    };
    store
        .change_case(id, actor, &change)?
        .ok_or(ReviewError::NoCase(id))
}

/// What one raising pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Raised {
    /// Cases for stories of flagged items.
    pub items: usize,
    /// Cases for trends.
    pub trends: usize,
    /// Cases for petitions about police without (useful) reply.
    pub petitions: usize,
}

/// Raises the cases due at `now`: flagged items stored since the last
/// pass (read by change sequence, so a crash in between is caught up),
/// petitions left without reply, and `trends` strong enough.
pub fn raise_cases(
    store: &mut Store,
    config: &ReviewConfig,
    trends: &[Trend],
    now: DateTime<Utc>,
) -> Result<Raised, ReviewError> {
    let mut raised = Raised::default();
    let due = |level: &str| {
        (now + chrono::Duration::hours(i64::from(config.sla_hours(level))))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    // Flagged items, once per story.
    let start = store.review_mark("items_seq")?;
    let through = store.max_seq()?.max(start);
    let mut mark = start;
    loop {
        let chunk = store.flagged_items_between(mark, through, 500)?;
        let Some(last) = chunk.last() else { break };
        mark = last.seq;
        for stored in &chunk {
            let story = store.story_of(&stored.item.id)?;
            let subject = match &story {
                Some(story) => format!("story:{}", story.id),
                None => format!("item:{}", stored.item.id),
            };
            let case = NewCase {
                origin: "item",
                subject,
                item_id: Some(stored.item.id.clone()),
                title: crate::trends::display_title(&stored.item.title, &stored.item.body),
                category: stored.analysis.categories.first().cloned(),
                level: stored.analysis.level.clone(),
                severity: stored.analysis.severity,
                priority: priority(&stored.analysis.level),
                due_at: due(&stored.analysis.level),
                detail: serde_json::json!({
                    "copies": story.as_ref().map_or(1, |s| s.copies),
                    "source": stored.item.source,
                    "unit": stored.item.unit,
                }),
            };
            if store.raise_case(&case)?.is_some() {
                raised.items += 1;
            }
        }
    }
    store.set_review_mark("items_seq", through)?;

    // Petitions about police left without reply, and replies that do not
    // answer (the store leaves out petitions not about police).
    let cutoff = now - chrono::Duration::days(i64::from(config.petition_reply_days));
    for stored in store.unanswered_petitions(cutoff)? {
        let days = (now - stored.item.published_at).num_days();
        let case = petition_case(
            &stored,
            format!("petition:{}", stored.item.id),
            "medium",
            due("medium"),
            serde_json::json!({"reason": "no_reply", "days": days, "status": stored.item.petition.status}),
        );
        if store.raise_case(&case)?.is_some() {
            raised.petitions += 1;
        }
    }
    let replies_mark = store.review_mark("replies_seq")?;
    // Everything up to `through` has been looked at, replies or not.
    let mut newest = replies_mark.max(through);
    for stored in store.answered_petitions_after(replies_mark)? {
        newest = newest.max(stored.seq);
        let reply = stored.item.petition.reply.as_deref().unwrap_or_default();
        if !is_boilerplate_reply(reply) {
            continue;
        }
        let case = petition_case(
            &stored,
            format!("petition-reply:{}", stored.item.id),
            "low",
            due("low"),
            serde_json::json!({"reason": "reply_does_not_address", "reply": reply, "reply_unit": stored.item.petition.reply_unit}),
        );
        if store.raise_case(&case)?.is_some() {
            raised.petitions += 1;
        }
    }
    store.set_review_mark("replies_seq", newest)?;

    // Trends strong enough.
    for trend in trends
        .iter()
        .filter(|t| t.score >= config.trend_case_score)
        .filter(|t| CASE_DIMENSIONS.contains(&t.dimension.as_str()))
    {
        let level = if trend.score >= 2.0 * config.trend_case_score {
            "high"
        } else {
            "medium"
        };
        let day = trend.since.get(..10).unwrap_or(&trend.since);
        let case = NewCase {
            origin: "trend",
            subject: format!("trend:{}:{}:{day}", trend.dimension, trend.key),
            item_id: trend.examples.first().map(|e| e.id.clone()),
            title: format!("上升趋势：{}", trend.label_zh()),
            category: (trend.dimension == "category").then(|| trend.key.clone()),
            level: level.to_string(),
            severity: (trend.score * 5.0).clamp(0.0, 100.0) as u8,
            priority: priority(level),
            due_at: due(level),
            detail: serde_json::json!({
                "dimension": trend.dimension, "key": trend.key, "current": trend.current,
                "expected": trend.expected, "ratio": trend.ratio, "since": trend.since,
            }),
        };
        if store.raise_case(&case)?.is_some() {
            raised.trends += 1;
        }
    }
    Ok(raised)
}

fn petition_case(
    stored: &crate::store::StoredItem,
    subject: String,
    level: &str,
    due_at: String,
    detail: serde_json::Value,
) -> NewCase {
    NewCase {
        origin: "petition",
        subject,
        item_id: Some(stored.item.id.clone()),
        title: crate::trends::display_title(&stored.item.title, &stored.item.body),
        category: stored.analysis.categories.first().cloned(),
        level: level.to_string(),
        severity: stored.analysis.severity,
        priority: priority(level),
        due_at,
        detail,
    }
}

/// Replies that answer nothing: empty, or only forwarding and thanks.
const BOILERPLATE: [&str; 12] = [
    "已转",
    "转交",
    "转相关部门",
    "已收悉",
    "已收到",
    "感谢您",
    "谢谢您",
    "您好",
    "来信",
    "留言",
    "处理",
    "办理",
];

/// True when a reply is empty or made only of forwarding / thanks phrases
/// (what is left after removing them, punctuation and whitespace is shorter
/// than a sentence).
pub fn is_boilerplate_reply(reply: &str) -> bool {
    let mut rest = reply.to_string();
    for phrase in BOILERPLATE {
        rest = rest.replace(phrase, "");
    }
    let substance = rest.chars().filter(|c| c.is_alphanumeric()).count();
    substance < 12
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
