//! Plain data that flows between the pipeline stages: no I/O, no behaviour
//! beyond small conversions. Every stage knows the stage before it only
//! through these types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an item is: a social post, a news/media article or a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A public social-media or forum post.
    #[default]
    Post,
    /// A news or media article.
    News,
    /// A petition or message-board entry (信访, 留言板).
    Petition,
}

impl ItemKind {
    /// All kinds, in display order.
    pub const ALL: [ItemKind; 3] = [ItemKind::Post, ItemKind::News, ItemKind::Petition];

    /// The stable lowercase name used in config, JSON and the index.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Post => "post",
            ItemKind::News => "news",
            ItemKind::Petition => "petition",
        }
    }

    /// The Simplified Chinese label shown to analysts.
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemKind::Post => "帖子",
            ItemKind::News => "新闻",
            ItemKind::Petition => "信访",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemKind {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "post" => Ok(ItemKind::Post),
            "news" => Ok(ItemKind::News),
            "petition" => Ok(ItemKind::Petition),
            other => Err(format!(
                "unknown item kind `{other}`: expected post, news or petition"
            )),
        }
    }
}

/// Petition-only fields: the board's own processing state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PetitionState {
    /// The board's status, e.g. 已回复 / 未回复 / 办理中.
    pub status: Option<String>,
    /// The official reply text (normalised and redacted like the body).
    pub reply: Option<String>,
    /// The unit that replied.
    pub reply_unit: Option<String>,
    /// When the reply was published.
    pub replied_at: Option<DateTime<Utc>>,
}

impl PetitionState {
    /// True when no petition field is set.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.reply.is_none()
            && self.reply_unit.is_none()
            && self.replied_at.is_none()
    }
}

/// One post, news article or petition, after normalisation and redaction:
/// the form in which items are stored and indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable identifier (the input's own id, or a hash of URL / content).
    pub id: String,
    /// Name of the configured source (or of the import).
    pub source: String,
    /// Post, news or petition.
    pub kind: ItemKind,
    /// Link to the original, when known.
    pub url: Option<String>,
    /// Title (may be empty for short posts).
    pub title: String,
    /// Plain text body: normalised, personal data redacted.
    pub body: String,
    /// Keyed hash (HMAC-SHA256, hex) of the author handle, never the handle.
    pub author: Option<String>,
    /// When the item was published (UTC); the fetch time when unknown.
    pub published_at: DateTime<Utc>,
    /// When yuqing fetched or imported it (UTC).
    pub fetched_at: DateTime<Utc>,
    /// Police unit the text is about, when recognised.
    pub unit: Option<String>,
    /// Place the text is about, when recognised.
    pub region: Option<String>,
    /// Petition fields (empty for other kinds).
    #[serde(default, skip_serializing_if = "PetitionState::is_empty")]
    pub petition: PetitionState,
    /// Hash of the normalised title and body: an unchanged re-import is a no-op.
    pub content_hash: String,
}

/// The fixed complaint category names (DESIGN.md), in canonical order.
pub const CATEGORIES: [&str; 10] = [
    "attitude",
    "inaction",
    "unequal_treatment",
    "violence_or_abuse",
    "irregular_enforcement",
    "corruption",
    "slow_service",
    "case_handling",
    "community_absence",
    "other_police",
];

/// The Simplified Chinese label of a complaint category.
pub fn category_label_zh(category: &str) -> &'static str {
    match category {
        "attitude" => "态度恶劣",
        "inaction" => "不作为",
        "unequal_treatment" => "执法不公",
        "violence_or_abuse" => "暴力执法",
        "irregular_enforcement" => "违规执法",
        "corruption" => "腐败",
        "slow_service" => "办事拖沓",
        "case_handling" => "案件办理",
        "community_absence" => "社区警务缺位",
        "other_police" => "其他违纪",
        _ => "其他",
    }
}

/// One span of text that supports the analysis (character offsets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The category (or cue, e.g. `admission`) it supports.
    pub category: String,
    /// The words, as written in the text.
    pub text: String,
    /// Character offset of the first character.
    pub start: usize,
    /// Character offset one past the last character.
    pub end: usize,
}

/// The outcome of analysing one item, stored beside it and indexed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// True when the text complains about police conduct.
    pub flagged: bool,
    /// Complaint categories, the main one first (empty when not flagged).
    pub categories: Vec<String>,
    /// Severity 0–100.
    pub severity: u8,
    /// low / medium / high / critical.
    #[serde(default)]
    pub level: String,
    /// Sentiment −1 … 1 (two decimals).
    #[serde(default)]
    pub sentiment: f64,
    /// Spans of the body behind the decision.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Police units named, most mentioned first.
    #[serde(default)]
    pub units: Vec<String>,
    /// Keywords, most salient first.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Watched topics (`[[topics]]`) the item matched when it was stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Whether the text is about police at all, flagged or not: the
    /// complaint detector's own rule (`Detection::about_police`: police
    /// weight of at least `MIN_POLICE_WEIGHT`), or a police unit named in it
    /// (`units`) — and, for a stored petition, a police unit that replied
    /// (`Analyzer::petition_about_police`). The review pass raises petition
    /// cases (no reply, boilerplate reply) only for these.
    ///
    /// An `Option` on purpose: analyses stored before the field existed
    /// load as `None`, "not known", which the review pass treats as before
    /// (it raises the case) rather than as "not about police" — it cannot
    /// tell a kindergarten letter from a police one without analysing the
    /// text again, and a police petition silently dropped would be worse
    /// than a stray case a reviewer dismisses as `not_police`. The item's
    /// next analysis (a re-crawl of its board, a re-import) fills it in.
    /// Every new analysis has `Some`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about_police: Option<bool>,
}

impl Analysis {
    /// False only when the analysis says the text is not about police; true
    /// when it is, or when it does not say (see [`Analysis::about_police`]).
    /// `Store::unanswered_petitions` and `Store::answered_petitions_after`
    /// apply the same rule in SQL.
    pub fn may_be_about_police(&self) -> bool {
        self.about_police != Some(false)
    }
}
