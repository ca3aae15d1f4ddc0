//! The digest: what happened in a period, for leaders who read it in their
//! mail. [`collect`] reads the store; [`render`] is pure: the same data
//! always gives the same message. Everything crawled is escaped, nothing is
//! fetched from elsewhere (charts are inline PNGs), and the text is already
//! redacted when stored.

use super::chart::trend_chart_png;
use crate::model::category_label_zh;
use crate::store::{Backlog, Grouping, Store};
use crate::text::escape::escape_html as esc;
use crate::trends::{Trend, display_title};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Counts of one thing in this period and the one before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What (a kind, a source, a category …).
    pub key: String,
    /// This period.
    pub now: u32,
    /// The period before.
    pub before: u32,
}

/// A flagged item as listed.
#[derive(Debug, Clone, Serialize)]
pub struct TopItem {
    /// Item id.
    pub id: String,
    /// Title (or the text's beginning).
    pub title: String,
    /// The text around the evidence: `(text, is evidence)` runs.
    pub snippet: Vec<(String, bool)>,
    /// Main category.
    pub category: Option<String>,
    /// Level.
    pub level: String,
    /// Severity.
    pub severity: u8,
    /// Police unit named.
    pub unit: Option<String>,
    /// Source.
    pub source: String,
    /// Link to the original.
    pub url: Option<String>,
    /// Copies of its story.
    pub copies: u32,
    /// Status of its review case.
    pub case_status: Option<String>,
    /// When published (RFC 3339).
    pub published_at: String,
}

/// A source that needs attention.
#[derive(Debug, Clone, Serialize)]
pub struct SourceProblem {
    /// Source name.
    pub name: String,
    /// blocked, unreachable, parse_error, error.
    pub health: String,
    /// Failed crawls in a row.
    pub failures: u32,
    /// The last error.
    pub error: Option<String>,
}

/// Everything a digest says.
#[derive(Debug, Clone, Serialize)]
pub struct DigestData {
    /// Start of the period.
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// Items by kind.
    pub kinds: Vec<Change>,
    /// Items by source.
    pub sources: Vec<Change>,
    /// Flagged complaints in all.
    pub flagged: Change,
    /// Flagged by main category.
    pub categories: Vec<Change>,
    /// Flagged by level.
    pub levels: Vec<Change>,
    /// The worst flagged items, one per story.
    pub top: Vec<TopItem>,
    /// What is rising.
    pub trends: Vec<Trend>,
    /// Open review cases.
    pub backlog: Backlog,
    /// Sources failing or blocked.
    pub source_problems: Vec<SourceProblem>,
    /// The audit log's head (last row and hash) when the digest was made:
    /// kept in leadership's mailboxes, outside the database, it lets
    /// `yuqing audit verify --head` find rows cut off the end of the log.
    pub audit_head: Option<(i64, String)>,
}

impl DigestData {
    /// True when nothing arrived in the period and nothing needs attention.
    pub fn is_empty(&self) -> bool {
        self.kinds.iter().all(|c| c.now == 0)
            && self.trends.is_empty()
            && self.source_problems.is_empty()
    }
}

fn changes(
    store: &Store,
    grouping: Grouping,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<Change>> {
    let span = to - from;
    let now = store.period_counts(grouping, from, to)?;
    let before = store.period_counts(grouping, from - span, from)?;
    let mut keys: Vec<String> = now.iter().map(|(k, _)| k.clone()).collect();
    for (key, _) in &before {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    let get = |list: &[(String, u32)], key: &str| {
        list.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
    };
    Ok(keys
        .into_iter()
        .map(|key| Change {
            now: get(&now, &key),
            before: get(&before, &key),
            key,
        })
        .collect())
}

/// Reads the digest of `[from, to)` from the store.
pub fn collect(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    trends: Vec<Trend>,
    top: usize,
) -> anyhow::Result<DigestData> {
    let categories = changes(store, Grouping::Category, from, to)?;
    let flagged = Change {
        key: "flagged".into(),
        now: categories.iter().map(|c| c.now).sum(),
        before: categories.iter().map(|c| c.before).sum(),
    };
    let mut listed = Vec::new();
    let mut stories = std::collections::HashSet::new();
    for stored in store.worst_flagged(from, to, top * 4)? {
        let story = store.story_of(&stored.item.id)?;
        let story_id = story
            .as_ref()
            .map_or(stored.item.id.clone(), |s| s.id.clone());
        if !stories.insert(story_id) {
            continue;
        }
        listed.push(TopItem {
            snippet: evidence_snippet(&stored.item.body, &stored.analysis.evidence),
            title: display_title(&stored.item.title, &stored.item.body),
            category: stored.analysis.categories.first().cloned(),
            level: stored.analysis.level.clone(),
            severity: stored.analysis.severity,
            unit: stored.item.unit.clone(),
            source: stored.item.source.clone(),
            url: stored.item.url.clone(),
            copies: story.map_or(1, |s| s.copies),
            case_status: store.case_status_of_item(&stored.item.id)?,
            published_at: stored.item.published_at.to_rfc3339(),
            id: stored.item.id,
        });
        if listed.len() == top {
            break;
        }
    }
    let source_problems = store
        .source_states()?
        .into_iter()
        .filter(|s| {
            matches!(
                s.last_outcome.as_deref(),
                Some("blocked" | "unreachable" | "parse_error" | "error")
            )
        })
        .map(|s| SourceProblem {
            health: s.last_outcome.clone().unwrap_or_default(),
            failures: s.consecutive_failures,
            error: s.last_error,
            name: s.name,
        })
        .collect();
    Ok(DigestData {
        from,
        to,
        kinds: changes(store, Grouping::Kind, from, to)?,
        sources: changes(store, Grouping::Source, from, to)?,
        flagged,
        categories,
        levels: changes(store, Grouping::Level, from, to)?,
        top: listed,
        trends,
        backlog: store.backlog(to)?,
        source_problems,
        audit_head: store.audit_head()?,
    })
}

/// The text around the first evidence span (character offsets into
/// `body`), at most ~90 characters, as `(text, is evidence)` runs.
pub fn evidence_snippet(body: &str, evidence: &[crate::model::Evidence]) -> Vec<(String, bool)> {
    let chars: Vec<char> = body.chars().collect();
    let piece = |a: usize, b: usize| {
        chars[a.min(chars.len())..b.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    let Some(first) = evidence.iter().min_by_key(|e| e.start) else {
        let head = piece(0, 90);
        return vec![(head, false)];
    };
    let start = first.start.saturating_sub(40);
    let end = (first.end + 50).min(chars.len());
    let mut runs = Vec::new();
    let mut at = start;
    let mut spans: Vec<_> = evidence
        .iter()
        .filter(|e| e.start >= start && e.end <= end)
        .collect();
    spans.sort_by_key(|e| e.start);
    for span in spans {
        if span.start < at {
            continue;
        }
        if span.start > at {
            runs.push((piece(at, span.start), false));
        }
        runs.push((piece(span.start, span.end), true));
        at = span.end;
    }
    if at < end {
        runs.push((piece(at, end), false));
    }
    if start > 0 {
        runs.insert(0, ("…".to_string(), false));
    }
    if end < chars.len() {
        runs.push(("…".to_string(), false));
    }
    runs
}

/// A snippet as plain text, the evidence in 【】.
pub fn plain_snippet(runs: &[(String, bool)]) -> String {
    runs.iter()
        .map(|(text, hit)| {
            if *hit {
                format!("【{text}】")
            } else {
                text.clone()
            }
        })
        .collect()
}

/// A rendered digest.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The subject line (Chinese; encoded by the mailer).
    pub subject: String,
    /// The HTML part (inline CSS, images by `cid:`).
    pub html: String,
    /// The plain-text part.
    pub text: String,
    /// Inline images: `(content id, PNG bytes)`.
    pub images: Vec<(String, Vec<u8>)>,
}

fn delta(change: &Change) -> String {
    let d = i64::from(change.now) - i64::from(change.before);
    match d {
        0 => "持平".to_string(),
        d if d > 0 => format!("+{d}"),
        d => format!("{d}"),
    }
}

fn label(key: &str) -> String {
    match key {
        "post" => "帖子".into(),
        "news" => "新闻".into(),
        "petition" => "信访".into(),
        "critical" | "high" | "medium" | "low" => crate::review::level_label_zh(key).into(),
        other if crate::model::CATEGORIES.contains(&other) => category_label_zh(other).to_string(),
        other => other.to_string(),
    }
}

const TABLE: &str = "border-collapse:collapse;margin:6px 0 14px 0;font-size:14px";
const CELL: &str = "border:1px solid #e5e7eb;padding:4px 8px;text-align:left";
const H2: &str = "font-size:16px;margin:18px 0 6px 0;color:#111827";

fn change_table(title: &str, rows: &[Change]) -> String {
    let mut html = format!(
        "<h2 style=\"{H2}\">{}</h2><table style=\"{TABLE}\"><tr><th style=\"{CELL}\">项目</th><th style=\"{CELL}\">本期</th><th style=\"{CELL}\">上期</th><th style=\"{CELL}\">变化</th></tr>",
        esc(title)
    );
    for row in rows {
        html.push_str(&format!(
            "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{}</td></tr>",
            esc(&label(&row.key)),
            row.now,
            row.before,
            esc(&delta(row))
        ));
    }
    html.push_str("</table>");
    html
}

/// Renders `data` (times shown in `tz`).
pub fn render(data: &DigestData, tz: chrono_tz::Tz) -> Rendered {
    let when = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let period = format!("{} 至 {}", when(data.from), when(data.to));
    if data.is_empty() {
        let line = format!("本期（{period}）无新增舆情，无上升趋势，数据源运行正常。");
        return Rendered {
            subject: format!("舆情日报 {}：本期无新增", when(data.to)),
            html: format!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\"><p>{}</p></body></html>",
                esc(&line)
            ),
            text: format!("{line}\n"),
            images: Vec::new(),
        };
    }
    let total: u32 = data.kinds.iter().map(|c| c.now).sum();
    let subject = format!(
        "舆情日报 {}：新增 {} 条，涉警投诉 {} 条（{}）{}",
        when(data.to),
        total,
        data.flagged.now,
        delta(&data.flagged),
        if data.trends.is_empty() {
            String::new()
        } else {
            format!("，{} 项上升", data.trends.len())
        }
    );
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>舆情日报</title></head><body style=\"font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2937;max-width:760px;margin:0 auto;padding:12px\">",
    );
    let mut text = String::new();
    html.push_str(&format!("<h1 style=\"font-size:20px;margin:0 0 4px 0\">舆情日报</h1><p style=\"color:#6b7280;margin:0 0 12px 0\">统计周期：{}</p>", esc(&period)));
    text.push_str(&format!("舆情日报\n统计周期：{period}\n\n"));
    html.push_str(&format!(
        "<p style=\"font-size:15px\">本期新增 <b>{total}</b> 条，其中涉警投诉 <b style=\"color:#b91c1c\">{}</b> 条（上期 {}，{}）。待办案件 {} 件，超期 {} 件。</p>",
        data.flagged.now,
        data.flagged.before,
        esc(&delta(&data.flagged)),
        data.backlog.open,
        data.backlog.overdue
    ));
    text.push_str(&format!(
        "本期新增 {total} 条，其中涉警投诉 {} 条（上期 {}，{}）。待办案件 {} 件，超期 {} 件。\n\n",
        data.flagged.now,
        data.flagged.before,
        delta(&data.flagged),
        data.backlog.open,
        data.backlog.overdue
    ));
    for (title, rows) in [
        // Each complaint once, by its main category (the web's facets count
        // every category a complaint has).
        ("投诉类别（按主要类别计）", &data.categories),
        ("投诉等级", &data.levels),
        ("信息类型", &data.kinds),
        ("数据来源", &data.sources),
    ] {
        if rows.is_empty() {
            continue;
        }
        html.push_str(&change_table(title, rows));
        text.push_str(&format!("【{title}】\n"));
        for row in rows {
            text.push_str(&format!(
                "  {}：{}（上期 {}，{}）\n",
                label(&row.key),
                row.now,
                row.before,
                delta(row)
            ));
        }
        text.push('\n');
    }
    if !data.top.is_empty() {
        html.push_str(&format!(
            "<h2 style=\"{H2}\">重点投诉（按严重程度）</h2><ol style=\"padding-left:20px\">"
        ));
        text.push_str("【重点投诉（按严重程度）】\n");
        for (n, item) in data.top.iter().enumerate() {
            let snippet_html: String = item
                .snippet
                .iter()
                .map(|(t, hit)| {
                    if *hit {
                        format!("<mark style=\"background:#fde68a\">{}</mark>", esc(t))
                    } else {
                        esc(t)
                    }
                })
                .collect();
            let snippet_text = plain_snippet(&item.snippet);
            let category = item
                .category
                .as_deref()
                .map(category_label_zh)
                .unwrap_or("-");
            let meta = format!(
                "{} · {} · 严重度 {} · {} · {} · {} · 案件：{}",
                label(&item.level),
                category,
                item.severity,
                item.unit.as_deref().unwrap_or("未识别单位"),
                item.source,
                super::reposts_zh(item.copies),
                item.case_status
                    .as_deref()
                    .map(crate::review::status_label_zh)
                    .unwrap_or("-")
            );
            let link = match item
                .url
                .as_deref()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            {
                Some(url) => format!(" <a href=\"{}\" style=\"color:#2563eb\">原文</a>", esc(url)),
                None => String::new(),
            };
            html.push_str(&format!(
                "<li style=\"margin-bottom:10px\"><b>{}</b>{link}<br><span style=\"font-size:13px;color:#6b7280\">{}</span><br><span style=\"font-size:14px\">{snippet_html}</span></li>",
                esc(&item.title),
                esc(&meta)
            ));
            text.push_str(&format!(
                "{}. {}\n   {meta}\n   {snippet_text}\n   {}\n",
                n + 1,
                item.title,
                item.url.as_deref().unwrap_or("")
            ));
        }
        html.push_str("</ol>");
        text.push('\n');
    }
    let mut images = Vec::new();
    if !data.trends.is_empty() {
        html.push_str(&format!("<h2 style=\"{H2}\">上升趋势</h2>"));
        text.push_str("【上升趋势】\n");
        for (n, trend) in data.trends.iter().enumerate() {
            let cid = format!("trend-{}", n + 1);
            images.push((cid.clone(), trend_chart_png(trend, data.to)));
            let line = format!(
                "{}：本窗口 {} 次，预期 {:.1}（{:.1} 倍）",
                trend.label_zh(),
                trend.current,
                trend.expected,
                trend.ratio
            );
            html.push_str(&format!(
                "<p style=\"margin:8px 0 2px 0\"><b>{}</b><br><img src=\"cid:{cid}\" alt=\"近48小时走势\" width=\"480\" height=\"96\" style=\"display:block;border:1px solid #e5e7eb\"></p>",
                esc(&line)
            ));
            text.push_str(&format!("  {line}\n"));
        }
        text.push('\n');
    }
    html.push_str(&format!(
        "<h2 style=\"{H2}\">待办案件</h2><p>未办结 {} 件（1 天内 {}，1–3 天 {}，3 天以上 {}），超期 {} 件。</p>",
        data.backlog.open,
        data.backlog.under_1_day,
        data.backlog.days_1_to_3,
        data.backlog.over_3_days,
        data.backlog.overdue
    ));
    text.push_str(&format!(
        "【待办案件】未办结 {} 件（1 天内 {}，1–3 天 {}，3 天以上 {}），超期 {} 件。\n",
        data.backlog.open,
        data.backlog.under_1_day,
        data.backlog.days_1_to_3,
        data.backlog.over_3_days,
        data.backlog.overdue
    ));
    if !data.source_problems.is_empty() {
        html.push_str(&format!("<h2 style=\"{H2}\">数据源异常</h2><ul>"));
        text.push_str("\n【数据源异常】\n");
        for problem in &data.source_problems {
            let line = format!(
                "{}：{}（连续失败 {} 次）{}",
                problem.name,
                crate::source::health::health_label_zh(&problem.health),
                problem.failures,
                problem
                    .error
                    .as_deref()
                    .map(|e| format!("：{e}"))
                    .unwrap_or_default()
            );
            html.push_str(&format!("<li>{}</li>", esc(&line)));
            text.push_str(&format!("  {line}\n"));
        }
        html.push_str("</ul>");
    }
    let anchor = data
        .audit_head
        .as_ref()
        .map(|(seq, hash)| {
            let head = format!("{seq}:{}", &hash[..16.min(hash.len())]);
            format!("审计日志链尾 {head}（请留存；核对：yuqing audit verify --head {head}）")
        })
        .unwrap_or_default();
    html.push_str(&format!(
        "<p style=\"color:#9ca3af;font-size:12px;margin-top:20px\">本邮件由 yuqing 自动生成；个人信息已脱敏。{}</p></body></html>",
        esc(&anchor)
    ));
    if !anchor.is_empty() {
        text.push_str(&format!("\n{anchor}\n"));
    }
    Rendered {
        subject,
        html,
        text,
        images,
    }
}

#[cfg(test)]
#[path = "digest_tests.rs"]
mod tests;
