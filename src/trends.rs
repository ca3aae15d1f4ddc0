//! What is rising: the hourly counts of the store run through the burst
//! detector (`analyze::trend`), each trend labelled, with its recent series
//! (for a chart) and example items. A story is one trend (its copies per
//! hour), not one per copy.

use crate::analyze::trend::{BurstConfig, Window, detect};
use crate::index::{SearchIndex, SearchRequest, SortOrder};
use crate::store::{HOUR_SECS, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Hours of history read per key: 14 days of baseline plus the current day.
const HISTORY_HOURS: i64 = 15 * 24;
/// Hours of series kept in a trend for its chart.
pub const CHART_HOURS: usize = 48;
/// Example items per trend.
const EXAMPLES: usize = 3;
/// Chance of one false trend per run over all the keys tested.
const FAMILY_FALSE_ALARM: f64 = 0.01;

/// `z` with P(Z > z) = `p` for a standard normal Z (Abramowitz & Stegun
/// 26.2.23, error < 4.5e-4), for 0 < p ≤ 0.5.
fn upper_normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-300, 0.5);
    let t = (-2.0 * p.ln()).sqrt();
    t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
        / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
}

/// `[trends]`: when a rise is a trend.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendConfig {
    /// Least count in the window (1 → 3 mentions is not a trend).
    #[serde(default = "default_min_support")]
    pub min_support: u32,
    /// Least ratio of the count to its expected value.
    #[serde(default = "default_min_ratio")]
    pub min_ratio: f64,
    /// Least score (a z-score allowing for over-dispersion).
    #[serde(default = "default_min_z")]
    pub min_z: f64,
}

fn default_min_support() -> u32 {
    5
}
fn default_min_ratio() -> f64 {
    3.0
}
fn default_min_z() -> f64 {
    3.0
}

impl Default for TrendConfig {
    fn default() -> Self {
        TrendConfig {
            min_support: default_min_support(),
            min_ratio: default_min_ratio(),
            min_z: default_min_z(),
        }
    }
}

impl TrendConfig {
    /// The detector's settings.
    pub fn burst(&self) -> BurstConfig {
        BurstConfig {
            min_support: self.min_support,
            min_ratio: self.min_ratio,
            min_z: self.min_z,
            ..BurstConfig::default()
        }
    }
}

/// One example item of a trend.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// Item id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Link to the original.
    pub url: Option<String>,
    /// Publication time, RFC 3339 UTC.
    pub published_at: String,
}

/// Something rising against its own baseline.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// What kind of thing: kind, source, flagged, category, unit, topic, keyword, story.
    pub dimension: String,
    /// Which one (a category name, a unit, a keyword, a story id …).
    pub key: String,
    /// How to show it (Chinese category label, story title …).
    pub label: String,
    /// Over which window it rose.
    pub window: Window,
    /// Count in the window.
    pub current: u32,
    /// What was expected.
    pub expected: f64,
    /// `current / expected`.
    pub ratio: f64,
    /// The detector's score.
    pub score: f64,
    /// Start of the rise (an hour, RFC 3339 UTC).
    pub since: String,
    /// Hourly counts of the last [`CHART_HOURS`] hours, oldest first.
    pub series: Vec<u32>,
    /// A few of the items behind it, newest first.
    pub examples: Vec<Example>,
}

impl Trend {
    /// The label with what it is, for leadership: 关键词「东湖路」,
    /// 事件「…」, 投诉类别「暴力执法」; all complaints together need no
    /// quoting (全部投诉).
    pub fn label_zh(&self) -> String {
        match self.dimension.as_str() {
            "flagged" => self.label.clone(),
            dimension => format!("{}「{}」", dimension_label_zh(dimension), self.label),
        }
    }

    /// The label for a terminal, where a category's key is worth showing
    /// too (it is what `category:` searches take): 暴力执法 (violence_or_abuse).
    pub fn label_with_key(&self) -> String {
        match self.dimension.as_str() {
            "category" => format!("{} ({})", self.label, self.key),
            _ => self.label.clone(),
        }
    }
}

/// Reads a trends window, as `yuqing trends --window` and
/// `/api/v1/trends?window=` take it: `1h` (the last hour) or `24h` (the
/// last hour and the last day). The detector has no other window, so
/// anything else is refused rather than quietly read as one of them.
pub fn parse_window(value: &str) -> Result<chrono::Duration, String> {
    match value.trim() {
        "1h" => Ok(chrono::Duration::hours(1)),
        "24h" => Ok(chrono::Duration::hours(24)),
        _ => Err("use 1h (the last hour) or 24h (the last hour and the last day)".to_string()),
    }
}

/// The trends at `now`: over the last hour (`window` ≤ 1 h) or over the
/// last hour and the last day, strongest first.
pub fn detect_trends(
    store: &Store,
    index: Option<&SearchIndex>,
    now: DateTime<Utc>,
    window: chrono::Duration,
    config: &TrendConfig,
) -> anyhow::Result<Vec<Trend>> {
    let burst = config.burst();
    let now_hour = now.timestamp().div_euclid(HOUR_SECS);
    let windows: &[Window] = if window <= chrono::Duration::hours(1) {
        &[Window::Hour]
    } else {
        &[Window::Hour, Window::Day]
    };
    // The hour window looks at the current hour and the last complete one:
    // just after the hour turns, the current one has hardly begun.
    let span = if windows.contains(&Window::Day) {
        24
    } else {
        2
    };
    let from = now_hour - HISTORY_HOURS - 23;
    let candidates = store.trend_candidates(now_hour - span + 1, now_hour, config.min_support)?;
    // Thousands of keys are tested at once: a score that one key in a
    // thousand reaches by chance is no news. The score needed grows with
    // their number (Bonferroni, about one false alarm in a hundred runs).
    let mut burst = burst;
    let tests = (candidates.len() * windows.len()).max(1) as f64;
    burst.min_z = burst
        .min_z
        .max(upper_normal_quantile(FAMILY_FALSE_ALARM / tests));
    let keys: Vec<(String, String)> = candidates
        .into_iter()
        .map(|(dim, key, _)| (dim, key))
        .collect();
    let mut all_series = store.trend_series(&keys, from, now_hour)?;
    let mut trends: Vec<Trend> = Vec::new();
    for wanted in keys {
        let Some(((dim, key), counts)) = all_series.remove_entry(&wanted) else {
            continue;
        };
        let series = counts.dense();
        // The strongest window only: a key rising this hour and this day is one trend.
        let previous_hour = &series[..series.len() - 1];
        let best = windows
            .iter()
            .filter_map(|w| detect(&series, *w, &burst))
            .chain(detect(previous_hour, Window::Hour, &burst))
            .max_by(|a, b| a.score.total_cmp(&b.score));
        let Some(found) = best else { continue };
        let since_hour = from + found.rising_since as i64;
        let since = DateTime::from_timestamp(since_hour * HOUR_SECS, 0).unwrap_or(now);
        trends.push(Trend {
            label: label(store, &dim, &key)?,
            examples: examples(store, index, &dim, &key, since)?,
            series: series[series.len().saturating_sub(CHART_HOURS)..].to_vec(),
            dimension: dim,
            key,
            window: found.window,
            current: found.current,
            expected: (found.expected * 100.0).round() / 100.0,
            ratio: (found.ratio * 10.0).round() / 10.0,
            score: (found.score * 10.0).round() / 10.0,
            since: since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
    }
    trends.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
    Ok(trends)
}

fn label(store: &Store, dim: &str, key: &str) -> anyhow::Result<String> {
    Ok(match dim {
        "category" => crate::model::category_label_zh(key).to_string(),
        "flagged" => "全部投诉".to_string(),
        "kind" => key
            .parse::<crate::model::ItemKind>()
            .map(|k| k.label_zh().to_string())
            .unwrap_or_else(|_| key.to_string()),
        "story" => {
            let first = store
                .story_of(key)?
                .map_or_else(|| key.to_string(), |story| story.first_item);
            match store.get_item(&first)? {
                Some(stored) => display_title(&stored.item.title, &stored.item.body),
                None => key.to_string(),
            }
        }
        _ => key.to_string(),
    })
}

fn examples(
    store: &Store,
    index: Option<&SearchIndex>,
    dim: &str,
    key: &str,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<Example>> {
    let of = |stored: crate::store::StoredItem| Example {
        title: display_title(&stored.item.title, &stored.item.body),
        id: stored.item.id,
        url: stored.item.url,
        published_at: stored.item.published_at.to_rfc3339(),
    };
    if dim == "story" {
        let ids = store.story_items(key)?;
        let mut found = Vec::new();
        for id in ids.iter().rev().take(EXAMPLES) {
            if let Some(stored) = store.get_item(id)? {
                found.push(of(stored));
            }
        }
        return Ok(found);
    }
    let Some(index) = index else {
        return Ok(Vec::new());
    };
    let quoted = key.replace('"', " ");
    let query = match dim {
        "keyword" => format!("\"{quoted}\""),
        "flagged" => "flagged:true".to_string(),
        field => format!("{field}:{}", key.replace(char::is_whitespace, "")),
    };
    let mut request = SearchRequest::new(&query);
    request.from = Some(since);
    request.sort = SortOrder::Time;
    request.limit = EXAMPLES;
    // Examples show titles (or, without one, the body's beginning).
    request.highlight = false;
    let Ok(results) = index.search(&request) else {
        return Ok(Vec::new());
    };
    Ok(results
        .hits
        .into_iter()
        .map(|hit| Example {
            title: display_title(&hit.title, &hit.snippet),
            id: hit.id,
            url: hit.url,
            published_at: hit.published_at,
        })
        .collect())
}

/// A trend dimension in Simplified Chinese (the web page, the digest).
pub fn dimension_label_zh(dimension: &str) -> &'static str {
    match dimension {
        "keyword" => "关键词",
        "story" => "事件",
        "category" => "投诉类别",
        "unit" => "单位",
        "topic" => "专题",
        "source" => "来源",
        "kind" => "类型",
        "flagged" => "投诉总量",
        _ => "其他",
    }
}

/// The title, or the body's beginning when there is none (posts).
pub fn display_title(title: &str, body: &str) -> String {
    if !title.trim().is_empty() {
        return title.to_string();
    }
    let head: String = body.chars().take(30).collect();
    if body.chars().count() > 30 {
        format!("{head}…")
    } else {
        head
    }
}

/// A one-line chart of a series: ▁▂▃▄▅▆▇█ scaled to its maximum.
pub fn sparkline(series: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = series.iter().copied().max().unwrap_or(0).max(1);
    series
        .iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                BARS[((n as usize * 7).div_ceil(max as usize)).min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles() {
        assert!((upper_normal_quantile(0.5)).abs() < 1e-3);
        assert!((upper_normal_quantile(0.025) - 1.96).abs() < 1e-2);
        assert!((upper_normal_quantile(1e-6) - 4.753).abs() < 1e-2);
    }

    #[test]
    fn labels_say_what_rose() {
        let trend = |dimension: &str, key: &str, label: &str| Trend {
            dimension: dimension.into(),
            key: key.into(),
            label: label.into(),
            window: Window::Hour,
            current: 8,
            expected: 0.5,
            ratio: 16.0,
            score: 9.0,
            since: "2026-11-29T10:00:00Z".into(),
            series: vec![],
            examples: vec![],
        };
        let category = trend("category", "violence_or_abuse", "暴力执法");
        assert_eq!(category.label_zh(), "投诉类别「暴力执法」");
        assert_eq!(category.label_with_key(), "暴力执法 (violence_or_abuse)");
        assert_eq!(
            trend("keyword", "夜市", "夜市").label_zh(),
            "关键词「夜市」"
        );
        assert_eq!(trend("flagged", "true", "全部投诉").label_zh(), "全部投诉");
    }

    #[test]
    fn every_counted_dimension_has_a_chinese_label() {
        for dimension in crate::store::DIMENSIONS {
            assert_ne!(dimension_label_zh(dimension), "其他", "{dimension}");
        }
    }

    #[test]
    fn only_the_detectors_windows_are_read() {
        assert_eq!(parse_window("1h"), Ok(chrono::Duration::hours(1)));
        assert_eq!(parse_window("24h"), Ok(chrono::Duration::hours(24)));
        for other in ["2h", "7d", "1d", "60m", "0h", "", "24"] {
            assert!(parse_window(other).is_err(), "{other}");
        }
    }

    #[test]
    fn sparkline_scales_to_the_maximum() {
        assert_eq!(sparkline(&[0, 1, 8]), " ▂█");
        assert_eq!(sparkline(&[]), "");
    }
}
