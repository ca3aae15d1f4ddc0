//! Digests and alerts for leadership, by e-mail: `digest` builds a digest
//! from the store (pure rendering: HTML with inline CSS and charts, and a
//! plain-text part), `chart` draws its PNG charts, `mail` turns it into a
//! message, writes it to the outbox and delivers it through SMTP exactly
//! once (a queue in SQLite keyed by period and recipient group).

pub mod alerts;
pub mod chart;
pub mod digest;
pub mod mail;

use serde::{Deserialize, Serialize};

/// How often a story was reposted, for leadership: `copies` counts the
/// story's items, the first one included, so one copy is no repost.
pub fn reposts_zh(copies: u32) -> String {
    match copies {
        0 | 1 => "无转载".to_string(),
        n => format!("转载 {} 次", n - 1),
    }
}

/// `[digest]`: when and to whom, and how mail leaves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    /// When the scheduler sends the digest (cron with seconds, `[schedule]
    /// timezone`); also the period: from the previous run to this one.
    #[serde(default = "default_schedule")]
    pub schedule: String,
    /// A weekly digest too, on this schedule (e.g. `0 0 8 * * Mon`); its
    /// period is the week. Unset: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_schedule: Option<String>,
    /// Who receives it (the default group).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// More recipient groups, each its own message (e.g. a unit's chief).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<RecipientGroup>,
    /// `smtp://host:port` (STARTTLS when offered), `smtps://host:port`
    /// (TLS from the start); credentials from `YUQING_SMTP_USER` /
    /// `YUQING_SMTP_PASSWORD`. Unset: messages only go to the outbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    /// Sender address.
    #[serde(default = "default_from")]
    pub from: String,
    /// Also write every message to `data_dir/outbox/` (.eml and .html).
    #[serde(default = "default_true")]
    pub outbox: bool,
    /// Flagged items listed at most.
    #[serde(default = "default_top")]
    pub top: usize,
    /// Seconds an SMTP exchange may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

/// A named list of recipients.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipientGroup {
    /// The group's name (part of each message's idempotency key).
    pub name: String,
    /// Its addresses.
    pub recipients: Vec<String>,
}

fn default_schedule() -> String {
    "0 0 8 * * *".to_string()
}
fn default_from() -> String {
    "yuqing@localhost".to_string()
}
fn default_true() -> bool {
    true
}
fn default_top() -> usize {
    10
}
fn default_timeout() -> u64 {
    30
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            schedule: default_schedule(),
            weekly_schedule: None,
            recipients: Vec::new(),
            groups: Vec::new(),
            smtp_url: None,
            from: default_from(),
            outbox: true,
            top: default_top(),
            timeout_secs: default_timeout(),
        }
    }
}

impl DigestConfig {
    /// The recipient groups: `leaders` (from `recipients`) and the named ones.
    pub fn all_groups(&self) -> Vec<RecipientGroup> {
        let mut groups = Vec::new();
        if !self.recipients.is_empty() {
            groups.push(RecipientGroup {
                name: "leaders".to_string(),
                recipients: self.recipients.clone(),
            });
        }
        groups.extend(self.groups.iter().cloned());
        groups
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_story_of_one_item_is_no_repost() {
        assert_eq!(super::reposts_zh(1), "无转载");
        assert_eq!(super::reposts_zh(2), "转载 1 次");
        assert_eq!(super::reposts_zh(12), "转载 11 次");
    }
}
