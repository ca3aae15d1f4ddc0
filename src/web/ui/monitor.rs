//! What the review desk watches: the review queue with its actions, the
//! trends with their charts, and the health of each source.

use super::chart::hourly_bars;
use super::{blocking, kind_label, local_time, options, page_session, shell};
use crate::model::category_label_zh;
use crate::source::health::{health_label_zh, kind_label_zh, source_health};
use crate::store::{CaseFilter, Role};
use crate::text::escape::escape_html as esc;
use crate::web::WebState;
use crate::web::auth::store;
use crate::web::params::Params;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// `GET /review`: the queue with actions (reviewers).
pub async fn review_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, "/review") {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let store = store(&state)?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let tz = state.app.config.timezone();
        // A filter value no case can have is said and left out, not a
        // list that is silently empty.
        let mut params = Params::parse(raw.as_deref());
        let status = params.choice("status", &crate::review::STATUSES);
        let level = params.choice("level", &crate::review::LEVELS);
        let category = params.choice("category", &crate::model::CATEGORIES);
        let assignee = params.text("assignee");
        let overdue = params.flag("overdue") == Some(true);
        let problems = params.finish();
        let cases = store.cases(&CaseFilter {
            status: status.map(str::to_string),
            category: category.map(str::to_string),
            level: level.map(str::to_string),
            assignee: Some(assignee.clone()).filter(|a| !a.is_empty()),
            overdue_at: overdue.then(|| now.clone()),
            limit: 200,
        })?;
        let mut body = super::warnings(&problems);
        body.push_str(&format!(
            "<h1>审核队列</h1><form class=\"search\" method=\"get\" action=\"/review\"><select name=\"status\" aria-label=\"状态\">{}</select><select name=\"level\" aria-label=\"等级\">{}</select><select name=\"category\" aria-label=\"类别\">{}</select><input type=\"text\" name=\"assignee\" placeholder=\"经办人\" value=\"{}\"><label><input type=\"checkbox\" name=\"overdue\" value=\"1\"{}> 仅超期</label><button type=\"submit\">筛选</button></form><table><tr><th>编号</th><th>状态</th><th>等级</th><th>类别</th><th>标题</th><th>期限</th><th>经办人</th><th>操作</th></tr>",
            options(&[("", "全部状态"), ("new", "待处理"), ("in_review", "核查中"), ("confirmed", "已确认"), ("dismissed", "已排除"), ("escalated", "已上报")], status),
            options(&[("", "全部等级"), ("critical", "特急"), ("high", "高"), ("medium", "中"), ("low", "低")], level),
            options(&std::iter::once(("", "全部类别")).chain(crate::model::CATEGORIES.iter().map(|c| (*c, category_label_zh(c)))).collect::<Vec<_>>(), category),
            esc(&assignee),
            if overdue { " checked" } else { "" },
        ));
        let can_act = session.user.role >= Role::Reviewer;
        for case in &cases {
            let overdue = case.due_at < now && matches!(case.status.as_str(), "new" | "in_review");
            let title = match &case.item_id {
                Some(item) => format!("<a href=\"/items/{}\">{}</a>", esc(&url::form_urlencoded::byte_serialize(item.as_bytes()).collect::<String>()), esc(&case.title)),
                None => esc(&case.title),
            };
            let actions = if can_act {
                format!(
                    "<form class=\"case-action actions\" data-url=\"/api/v1/cases/{}\"><input name=\"note\" placeholder=\"备注\" aria-label=\"备注\"><input name=\"assignee\" placeholder=\"指派给\" aria-label=\"指派给\"><select name=\"reason\" aria-label=\"排除原因\">{}</select><button name=\"status\" value=\"in_review\">核查</button><button name=\"status\" value=\"confirmed\">确认</button><button name=\"status\" value=\"dismissed\">排除</button><button name=\"status\" value=\"escalated\">上报</button><span class=\"result\" role=\"status\"></span></form>",
                    case.id,
                    options(&crate::review::DISMISS_REASONS.iter().map(|r| (*r, crate::review::dismiss_reason_label_zh(r))).collect::<Vec<_>>(), None)
                )
            } else {
                "-".to_string()
            };
            body.push_str(&format!(
                "<tr><td>{}</td><td data-status=\"{}\">{}</td><td><span class=\"badge {}\">{}</span></td><td>{}</td><td>{}</td><td{}>{}</td><td>{}</td><td>{}</td></tr>",
                case.id,
                esc(&case.status),
                crate::review::status_label_zh(&case.status),
                esc(&case.level),
                crate::review::level_label_zh(&case.level),
                esc(case.category.as_deref().map(category_label_zh).unwrap_or("-")),
                title,
                if overdue { " class=\"overdue\"" } else { "" },
                esc(&local_time(&case.due_at, tz)),
                esc(case.assignee.as_deref().unwrap_or("-")),
                actions
            ));
        }
        body.push_str("</table>");
        Ok(shell("审核队列", "/review", Some(&session), &body))
    })
    .await
}

/// `GET /trends`: what is rising, with charts.
pub async fn trends_page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, "/trends") {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let store = store(&state)?;
        let now = chrono::Utc::now();
        let trends = crate::trends::detect_trends(&store, Some(&state.index), now, chrono::Duration::hours(24), &state.app.config.trends)?;
        // Volume over the last 48 hours by kind and by complaint category;
        // every chart ends with the hour now under way, labelled in the
        // office's time zone.
        let now_hour = now.timestamp().div_euclid(crate::store::HOUR_SECS);
        let last = chrono::DateTime::from_timestamp(now_hour * crate::store::HOUR_SECS, 0).unwrap_or(now);
        let tz = state.app.config.timezone();
        let chart = |series: &[u32]| hourly_bars(series, last, tz);
        let mut body = String::from("<h1>近48小时走势</h1>");
        for (dim, title) in [("kind", "按类型"), ("category", "涉警投诉按类别")] {
            let table = store.trend_table(dim, now_hour - 47, now_hour)?;
            let mut keys: Vec<&String> = table.iter().map(|(k, _, _)| k).collect();
            keys.sort();
            keys.dedup();
            if keys.is_empty() {
                continue;
            }
            body.push_str(&format!("<h2>{title}</h2>"));
            for key in keys {
                let mut series = vec![0u32; 48];
                for (_, hour, n) in table.iter().filter(|(k, _, _)| k == key) {
                    series[(hour - (now_hour - 47)) as usize] = *n;
                }
                let label = match dim {
                    "kind" => kind_label(key).to_string(),
                    _ => category_label_zh(key).to_string(),
                };
                body.push_str(&format!(
                    "<div class=\"trend\"><b>{}</b> <span class=\"meta\">共 {} 条</span><br>{}</div>",
                    esc(&label),
                    series.iter().sum::<u32>(),
                    chart(&series)
                ));
            }
        }
        body.push_str("<h1>上升趋势</h1>");
        if trends.is_empty() {
            body.push_str("<p>目前没有明显上升的话题。</p>");
        }
        for trend in &trends {
            body.push_str(&format!(
                "<div class=\"trend\"><b>{}</b> <span class=\"meta\">{} · 本窗口 {} 次，预期 {:.1}（{:.1} 倍）</span><br>{}<ul>",
                esc(&trend.label),
                crate::trends::dimension_label_zh(&trend.dimension),
                trend.current,
                trend.expected,
                trend.ratio,
                chart(&trend.series)
            ));
            for example in &trend.examples {
                body.push_str(&format!(
                    "<li><a href=\"/items/{}\">{}</a></li>",
                    esc(&url::form_urlencoded::byte_serialize(example.id.as_bytes()).collect::<String>()),
                    esc(&example.title)
                ));
            }
            body.push_str("</ul></div>");
        }
        Ok(shell("趋势", "/trends", Some(&session), &body))
    })
    .await
}

/// `GET /sources`: health of each source.
pub async fn sources_page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, "/sources") {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let store = store(&state)?;
        let rows = source_health(&state.app.config.sources, Some(&store))?;
        let tz = state.app.config.timezone();
        let mut body = String::from("<h1>数据源</h1><table><tr><th>名称</th><th>类型</th><th>状态</th><th>上次成功</th><th>连续失败</th><th>累计新增</th><th>错误</th></tr>");
        for row in &rows {
            let s = &row.state;
            let mut status = health_label_zh(&row.health).to_string();
            if let Some(retry) = row.retry_at {
                status.push_str(&format!("，{} 后重试", retry.with_timezone(&tz).format("%H:%M")));
            }
            body.push_str(&format!(
                "<tr class=\"health-{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&row.health),
                esc(&row.name),
                kind_label_zh(row.kind),
                esc(&status),
                s.last_success_at.as_deref().map_or_else(|| "-".to_string(), |t| local_time(t, tz)),
                s.consecutive_failures,
                s.new_items_total,
                esc(s.last_error.as_deref().unwrap_or(""))
            ));
        }
        body.push_str("</table>");
        if rows.iter().any(|r| !r.configured) {
            body.push_str("<p class=\"meta\">“未配置”的数据源曾被抓取（如演示数据），当前配置文件中没有它们。</p>");
        }
        Ok(shell("数据源", "/sources", Some(&session), &body))
    })
    .await
}
