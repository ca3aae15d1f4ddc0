//! Immediate alerts: critical complaints and sharp bursts are mailed within
//! the next scheduler tick, without waiting for the digest — grouped (one
//! message per tick), deduplicated (a story or a trend alerts once),
//! rate-limited (`max_per_hour` messages) and quiet at night except for
//! critical items.

use super::chart::trend_chart_png;
use super::digest::{Rendered, evidence_snippet, plain_snippet};
use crate::model::category_label_zh;
use crate::store::{Store, StoredItem};
use crate::text::escape::escape_html as esc;
use crate::trends::{Trend, display_title};
use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// `[alerts]`: what is mailed at once, and how often at most.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// Send immediate alerts at all (to the `[digest]` recipients).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Alert messages per hour at most (the rest waits for the next hour).
    #[serde(default = "default_max_per_hour")]
    pub max_per_hour: u32,
    /// Least trend score that is a sharp burst.
    #[serde(default = "default_burst_score")]
    pub burst_score: f64,
    /// Quiet hours in `[schedule] timezone`, `"22-7"` (22:00 to 07:00): only
    /// critical items are sent then. Empty: never quiet.
    #[serde(default = "default_quiet_hours")]
    pub quiet_hours: String,
}

fn default_true() -> bool {
    true
}
fn default_max_per_hour() -> u32 {
    4
}
fn default_burst_score() -> f64 {
    8.0
}
fn default_quiet_hours() -> String {
    "22-7".to_string()
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            enabled: true,
            max_per_hour: default_max_per_hour(),
            burst_score: default_burst_score(),
            quiet_hours: default_quiet_hours(),
        }
    }
}

impl AlertConfig {
    /// The quiet hours as (from, to) hours of the day, if any.
    pub fn quiet(&self) -> Result<Option<(u32, u32)>, String> {
        let text = self.quiet_hours.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let parse = |s: &str| s.trim().parse::<u32>().ok().filter(|h| *h < 24);
        match text.split_once('-').map(|(a, b)| (parse(a), parse(b))) {
            Some((Some(from), Some(to))) if from == to => Err(format!(
                "`{text}` starts and ends at the same hour, so it is never quiet: write e.g. \
                 \"22-7\" (from 22:00 to 07:00), or \"\" for none"
            )),
            Some((Some(from), Some(to))) => Ok(Some((from, to))),
            _ => Err(format!(
                "`{text}`: write two hours of the day (0 to 23) as \"22-7\" (from 22:00 to \
                 07:00), or \"\" for none"
            )),
        }
    }

    /// True when `hour` (local) falls in the quiet hours.
    pub fn is_quiet(&self, hour: u32) -> bool {
        match self.quiet() {
            Ok(Some((from, to))) if from <= to => hour >= from && hour < to,
            Ok(Some((from, to))) => hour >= from || hour < to,
            _ => false,
        }
    }
}

/// What an alert message is about.
#[derive(Debug, Clone)]
pub struct AlertBatch {
    /// Critical items (one per story) with their story subjects.
    pub items: Vec<(String, StoredItem, u32)>,
    /// Sharp bursts with their subjects.
    pub trends: Vec<(String, Trend)>,
}

impl AlertBatch {
    /// True when there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.trends.is_empty()
    }

    /// The subjects this batch alerts on (marked once it is queued).
    pub fn subjects(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|(s, _, _)| s.clone())
            .chain(self.trends.iter().map(|(s, _)| s.clone()))
            .collect()
    }
}

/// The alerts due at `now`: critical items of the last day and bursts with
/// a score of at least `burst_score`, not alerted before; bursts wait out
/// the quiet hours. Empty when the hourly limit is reached.
pub fn due_alerts(
    store: &Store,
    config: &AlertConfig,
    trends: &[Trend],
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> anyhow::Result<AlertBatch> {
    let mut batch = AlertBatch {
        items: Vec::new(),
        trends: Vec::new(),
    };
    if !config.enabled
        || store.mail_sent_since("alert-", now - chrono::Duration::hours(1))? >= config.max_per_hour
    {
        return Ok(batch);
    }
    for stored in store.worst_flagged(
        now - chrono::Duration::hours(24),
        now + chrono::Duration::minutes(1),
        200,
    )? {
        if stored.analysis.level != "critical" {
            break;
        }
        let story = store.story_of(&stored.item.id)?;
        let subject = match &story {
            Some(story) => format!("story:{}", story.id),
            None => format!("item:{}", stored.item.id),
        };
        if store.was_alerted(&subject)? || batch.items.iter().any(|(s, _, _)| *s == subject) {
            continue;
        }
        let copies = story.map_or(1, |s| s.copies);
        batch.items.push((subject, stored, copies));
    }
    let quiet = config.is_quiet(now.with_timezone(&tz).hour());
    if !quiet {
        for trend in trends.iter().filter(|t| t.score >= config.burst_score) {
            let day = trend.since.get(..10).unwrap_or(&trend.since);
            let subject = format!("trend:{}:{}:{day}", trend.dimension, trend.key);
            if !store.was_alerted(&subject)? {
                batch.trends.push((subject, trend.clone()));
            }
        }
    }
    Ok(batch)
}

/// The alert message of `batch`.
pub fn render_alert(batch: &AlertBatch, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Rendered {
    let when = now.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let subject = format!(
        "舆情预警 {when}：{} 条紧急投诉，{} 项急剧上升",
        batch.items.len(),
        batch.trends.len()
    );
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif;color:#1f2937;max-width:760px\"><h1 style=\"font-size:18px;color:#b91c1c\">{}</h1>",
        esc(&subject)
    );
    let mut text = format!("{subject}\n\n");
    for (_, stored, copies) in &batch.items {
        let title = display_title(&stored.item.title, &stored.item.body);
        let snippet = plain_snippet(&evidence_snippet(
            &stored.item.body,
            &stored.analysis.evidence,
        ));
        let category = stored
            .analysis
            .categories
            .first()
            .map(|c| category_label_zh(c))
            .unwrap_or("-");
        let meta = format!(
            "{category} · 严重度 {} · {} · {} · {}",
            stored.analysis.severity,
            stored.item.unit.as_deref().unwrap_or("未识别单位"),
            stored.item.source,
            super::reposts_zh(*copies)
        );
        html.push_str(&format!(
            "<p><b>{}</b><br><span style=\"color:#6b7280;font-size:13px\">{}</span><br>{}</p>",
            esc(&title),
            esc(&meta),
            esc(&snippet)
        ));
        text.push_str(&format!(
            "· {title}\n  {meta}\n  {snippet}\n  {}\n",
            stored.item.url.as_deref().unwrap_or("")
        ));
    }
    let mut images = Vec::new();
    for (n, (_, trend)) in batch.trends.iter().enumerate() {
        let cid = format!("burst-{}", n + 1);
        images.push((cid.clone(), trend_chart_png(trend, now)));
        let line = format!(
            "{}：{} 次，预期 {:.1}（{:.1} 倍）",
            trend.label_zh(),
            trend.current,
            trend.expected,
            trend.ratio
        );
        html.push_str(&format!(
            "<p><b>{}</b><br><img src=\"cid:{cid}\" alt=\"走势\" width=\"480\" height=\"96\"></p>",
            esc(&line)
        ));
        text.push_str(&format!("· {line}\n"));
    }
    html.push_str("</body></html>");
    Rendered {
        subject,
        html,
        text,
        images,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_wrap_midnight() {
        let config = AlertConfig::default();
        assert!(config.is_quiet(23) && config.is_quiet(3));
        assert!(!config.is_quiet(7) && !config.is_quiet(12));
        let none = AlertConfig {
            quiet_hours: String::new(),
            ..AlertConfig::default()
        };
        assert!(!none.is_quiet(23));
        let bad = AlertConfig {
            quiet_hours: "late".into(),
            ..AlertConfig::default()
        };
        assert!(bad.quiet().is_err());
    }

    fn critical(id: &str) -> (crate::model::Item, crate::model::Analysis) {
        let now = Utc::now();
        let item = crate::model::Item {
            id: id.into(),
            source: "forum".into(),
            kind: crate::model::ItemKind::Post,
            url: None,
            title: String::new(),
            body: format!("{id}：民警当街殴打老人。"),
            author: None,
            published_at: now - chrono::Duration::minutes(5),
            fetched_at: now,
            unit: None,
            region: None,
            petition: Default::default(),
            content_hash: id.into(),
        };
        let analysis = crate::model::Analysis {
            flagged: true,
            categories: vec!["violence_or_abuse".into()],
            severity: 90,
            level: "critical".into(),
            ..Default::default()
        };
        (item, analysis)
    }

    fn queue(store: &mut Store, batch: &AlertBatch, key: &str) {
        let mail = crate::store::QueuedMail {
            key: key.into(),
            subject: "s".into(),
            recipients: "a@b.cn".into(),
            eml: b"x".to_vec(),
            status: "queued".into(),
            attempts: 0,
            next_attempt_at: Utc::now().to_rfc3339(),
            last_error: None,
            sent_at: None,
        };
        store.enqueue_alert(&mail, &batch.subjects()).unwrap();
    }

    #[test]
    fn a_critical_item_alerts_once_and_the_hourly_limit_holds() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        store.upsert_items(&[critical("a")]).unwrap();
        let tz = chrono_tz::Asia::Shanghai;
        let config = AlertConfig {
            max_per_hour: 2,
            ..AlertConfig::default()
        };
        let batch = due_alerts(&store, &config, &[], Utc::now(), tz).unwrap();
        assert_eq!(batch.items.len(), 1);
        let rendered = render_alert(&batch, Utc::now(), tz);
        assert!(
            rendered.subject.contains("1 条紧急投诉"),
            "{}",
            rendered.subject
        );
        queue(&mut store, &batch, "alert-1");
        assert!(
            due_alerts(&store, &config, &[], Utc::now(), tz)
                .unwrap()
                .is_empty(),
            "alerted once"
        );
        store.upsert_items(&[critical("b")]).unwrap();
        let batch = due_alerts(&store, &config, &[], Utc::now(), tz).unwrap();
        assert_eq!(batch.items.len(), 1, "a new story alerts");
        queue(&mut store, &batch, "alert-2");
        store.upsert_items(&[critical("c")]).unwrap();
        assert!(
            due_alerts(&store, &config, &[], Utc::now(), tz)
                .unwrap()
                .is_empty(),
            "two alerts this hour already: the third waits"
        );
    }
}
