//! Each source's health, as `yuqing sources`, the web page and the API
//! show it: the configured sources in their order, then the sources the
//! data directory has crawled that the configuration does not name (the
//! demo's, or one removed since), so no crawl history goes unseen.

use crate::config::{SourceConfig, SourceKind};
use crate::store::{SourceState, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One source's health.
#[derive(Debug, Clone, Serialize)]
pub struct SourceHealth {
    /// Source name.
    pub name: String,
    /// Its kind; `None` when the configuration does not name it.
    pub kind: Option<SourceKind>,
    /// Whether the configuration names it (else it is only in the data).
    pub configured: bool,
    /// `never_crawled`, `ok` (the last crawl brought new items),
    /// `nothing_new`, `blocked`, `unreachable`, `parse_error` or `error`.
    pub health: String,
    /// When a failing configured source is tried again (backoff).
    pub retry_at: Option<DateTime<Utc>>,
    /// The stored crawl state.
    pub state: SourceState,
}

/// The health of `sources` and of every other source `store` has state
/// for (none without a store: nothing was crawled yet).
pub fn source_health(
    sources: &[SourceConfig],
    store: Option<&Store>,
) -> Result<Vec<SourceHealth>, StoreError> {
    let mut rows = Vec::new();
    for source in sources {
        let state = match store {
            Some(store) => store.source_state(&source.name)?,
            None => SourceState {
                name: source.name.clone(),
                ..SourceState::default()
            },
        };
        rows.push(row(state, Some(source.kind)));
    }
    if let Some(store) = store {
        for state in store.source_states()? {
            if !sources.iter().any(|s| s.name == state.name) {
                rows.push(row(state, None));
            }
        }
    }
    Ok(rows)
}

fn row(state: SourceState, kind: Option<SourceKind>) -> SourceHealth {
    let health = match state.last_outcome.as_deref() {
        // A first crawl under way (or killed) has saved its start only.
        None if state.last_success_at.is_none() => "never_crawled",
        None | Some("new_items") => "ok",
        Some(other) => other,
    }
    .to_string();
    SourceHealth {
        name: state.name.clone(),
        kind,
        configured: kind.is_some(),
        health,
        // A source no longer configured is not tried again at all.
        retry_at: kind.and(retry_at(&state)),
        state,
    }
}

/// When a failing source is due again: one minute after its last attempt,
/// doubling with each failure in a row, at most six hours.
pub fn retry_at(state: &SourceState) -> Option<DateTime<Utc>> {
    if state.consecutive_failures == 0 {
        return None;
    }
    let last =
        crate::text::dates::parse_datetime(state.last_attempt_at.as_deref()?, chrono_tz::UTC)?;
    let minutes = 1i64 << (state.consecutive_failures - 1).min(9);
    Some(last + chrono::Duration::minutes(minutes.min(6 * 60)))
}

/// A health in Simplified Chinese, for the web page and the digest.
pub fn health_label_zh(health: &str) -> &'static str {
    match health {
        "never_crawled" => "尚未抓取",
        "ok" => "正常（有新内容）",
        "nothing_new" => "正常（无新内容）",
        "blocked" => "被屏蔽",
        "unreachable" => "无法访问",
        "parse_error" => "解析错误",
        _ => "出错",
    }
}

/// A source kind in Simplified Chinese.
pub fn kind_label_zh(kind: Option<SourceKind>) -> &'static str {
    match kind {
        Some(SourceKind::Feed) => "订阅源",
        Some(SourceKind::Html) => "网页",
        Some(SourceKind::Json) => "JSON 接口",
        Some(SourceKind::Petition) => "留言板",
        Some(SourceKind::File) => "文件导入",
        None => "未配置",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, kind: SourceKind) -> SourceConfig {
        let text = format!(
            "name = \"{name}\"\nkind = \"{}\"\nurl = \"https://example.org/{name}\"\npath = \"imports/*.jsonl\"\n",
            serde_json::to_value(kind).unwrap().as_str().unwrap()
        );
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn configured_sources_first_then_those_only_in_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("store.db")).unwrap();
        let now = "2026-11-28T08:00:00Z".to_string();
        for (name, outcome, failures) in [
            ("old-board", Some("blocked"), 3),
            ("city-news", Some("new_items"), 0),
            ("a-removed-feed", Some("nothing_new"), 0),
            ("metro-daily", Some("unreachable"), 3),
        ] {
            store
                .save_source_state(&SourceState {
                    name: name.into(),
                    last_attempt_at: Some(now.clone()),
                    last_outcome: outcome.map(str::to_string),
                    consecutive_failures: failures,
                    ..SourceState::default()
                })
                .unwrap();
        }
        let configured = [
            source("city-news", SourceKind::Feed),
            source("new-api", SourceKind::Json),
            source("metro-daily", SourceKind::Html),
        ];
        let rows = source_health(&configured, Some(&store)).unwrap();
        let seen: Vec<(&str, bool, &str)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.configured, r.health.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("city-news", true, "ok"),
                ("new-api", true, "never_crawled"),
                ("metro-daily", true, "unreachable"),
                ("a-removed-feed", false, "nothing_new"),
                ("old-board", false, "blocked"),
            ]
        );
        // Three failures in a row: four minutes after the last attempt; a
        // source no longer configured is not retried, failing or not.
        assert_eq!(
            rows[2].retry_at.unwrap().to_rfc3339(),
            "2026-11-28T08:04:00+00:00"
        );
        assert!(rows[0].retry_at.is_none() && rows[4].retry_at.is_none());

        let without_data = source_health(&configured, None).unwrap();
        assert_eq!(without_data.len(), 3);
        assert!(without_data.iter().all(|r| r.health == "never_crawled"));
    }
}
