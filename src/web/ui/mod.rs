//! The analysts' pages, server-rendered in Simplified Chinese: login,
//! search (filters, facets, highlighted snippets, paging, CSV export), an
//! item, the review queue, trends (server-rendered SVG charts), sources.
//! Every crawled string goes through `escape_html`; links to originals
//! only when they are http(s); the one script and stylesheet are served
//! from `/static` (the CSP allows nothing inline).
//!
//! This module holds the page frame and what every page shares, the login
//! page and an item's page; `search` has the search page and its CSV
//! export, `monitor` the review queue, trends and sources, `chart` the
//! trends' SVG bar charts.

use super::WebState;
use super::auth::{Refusal, session_token, store};
use crate::model::category_label_zh;
use crate::store::{AuditRecord, Role, Session};
use crate::text::escape::escape_html as esc;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

mod chart;
mod monitor;
mod search;

pub use monitor::{review_page, sources_page, trends_page};
pub use search::{export, search_page};

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");

/// `GET /static/app.css`.
pub async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

/// `GET /static/app.js`.
pub async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        JS,
    )
        .into_response()
}

async fn blocking(work: impl FnOnce() -> Result<Response, Refusal> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(response)) => response,
        Ok(Err(refusal)) => refusal.into_response(),
        Err(error) => Refusal::from(anyhow::anyhow!("worker failed: {error}")).into_response(),
    }
}

/// The session of a page request, or a redirect to the login page.
fn page_session(
    state: &WebState,
    headers: &HeaderMap,
    path: &str,
) -> Result<Session, Box<Response>> {
    let session = session_token(headers, state.secure).and_then(|token| {
        store(state)
            .ok()?
            .session(&token, chrono::Utc::now())
            .ok()
            .flatten()
    });
    session.ok_or_else(|| {
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        Box::new(Redirect::to(&format!("/login?next={next}")).into_response())
    })
}

/// The page for a path the server does not have.
pub fn not_found_page() -> Response {
    let mut response = shell(
        "未找到",
        "",
        None,
        "<p>没有这个页面。<a href=\"/\">返回搜索</a></p>",
    );
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

fn shell(title: &str, current: &str, session: Option<&Session>, body: &str) -> Response {
    let nav = match session {
        Some(session) => {
            let link = |href: &str, label: &str| {
                let class = if href == current {
                    " class=\"current\""
                } else {
                    ""
                };
                format!("<a href=\"{href}\"{class}>{label}</a>")
            };
            format!(
                "<header><b>舆情</b>{}{}{}{}<span class=\"who\">{}（{}） · <a href=\"/login\" id=\"logout\">退出</a></span></header>",
                link("/", "检索"),
                link("/review", "审核队列"),
                link("/trends", "趋势"),
                link("/sources", "数据源"),
                esc(&session.user.name),
                role_label(session.user.role),
            )
        }
        None => "<header><b>舆情</b></header>".to_string(),
    };
    let csrf = session.map(|s| esc(&s.csrf)).unwrap_or_default();
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"csrf\" content=\"{csrf}\"><title>{} · yuqing</title><link rel=\"stylesheet\" href=\"/static/app.css\"><script src=\"/static/app.js\" defer></script></head><body>{nav}<main>{body}</main></body></html>",
        esc(title)
    ))
    .into_response()
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Analyst => "分析员",
        Role::Reviewer => "审核员",
        Role::Admin => "管理员",
    }
}

fn link_to_original(url: Option<&str>) -> String {
    match url.filter(|u| u.starts_with("http://") || u.starts_with("https://")) {
        Some(url) => format!(
            " <a href=\"{}\" rel=\"noreferrer noopener\" target=\"_blank\">原文</a>",
            esc(url)
        ),
        None => String::new(),
    }
}

/// Text with `[start, end)` character ranges wrapped in `<mark>`.
fn marked(text: &str, ranges: &[[usize; 2]]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    let mut sorted = ranges.to_vec();
    sorted.sort();
    for [start, end] in sorted {
        let (start, end) = (start.min(chars.len()), end.min(chars.len()));
        if start < at || start >= end {
            continue;
        }
        out.push_str(&esc(&chars[at..start].iter().collect::<String>()));
        out.push_str(&format!(
            "<mark>{}</mark>",
            esc(&chars[start..end].iter().collect::<String>())
        ));
        at = end;
    }
    out.push_str(&esc(&chars[at..].iter().collect::<String>()));
    out
}

/// `GET /login`.
pub async fn login_page() -> Response {
    shell(
        "登录",
        "",
        None,
        "<form id=\"login-form\" class=\"login\"><h1>舆情监测系统</h1><label for=\"username\">用户名</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus><label for=\"password\">密码</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required><p><button type=\"submit\">登录</button></p><p id=\"login-error\" class=\"error\" role=\"alert\"></p></form>",
    )
}

fn options(choices: &[(&str, &str)], selected: Option<&str>) -> String {
    choices
        .iter()
        .map(|(value, label)| {
            let chosen = if selected == Some(*value) {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{chosen}>{}</option>",
                esc(value),
                esc(label)
            )
        })
        .collect()
}

/// The parameters a page could not use, said at its top (the page goes
/// on without them); empty when there are none.
fn warnings(problems: &[crate::web::params::ParamError]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let items: String = problems
        .iter()
        .map(|p| format!("<li>{}，已忽略。</li>", esc(&p.message_zh())))
        .collect();
    format!("<div class=\"warning\" role=\"alert\"><ul>{items}</ul></div>")
}

/// A stored RFC 3339 time in the office's time zone, as the CLI shows
/// times (as stored when it does not parse).
fn local_time(at: &str, tz: chrono_tz::Tz) -> String {
    crate::text::dates::parse_datetime(at, chrono_tz::UTC).map_or_else(
        || at.to_string(),
        |t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// A list joined with 、, or 无 when empty (an empty table cell reads as
/// a fault).
fn listed(values: &[String]) -> String {
    if values.is_empty() {
        "无".to_string()
    } else {
        values.join("、")
    }
}

fn kind_label(kind: &str) -> &'static str {
    kind.parse::<crate::model::ItemKind>()
        .map(crate::model::ItemKind::label_zh)
        .unwrap_or("其他")
}

/// `GET /items/{id}`: the item with its evidence marked; audited.
pub async fn item_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, &format!("/items/{id}")) {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let mut store = store(&state)?;
        let Some(stored) = store.get_item(&id)? else {
            return Ok((StatusCode::NOT_FOUND, shell("未找到", "", Some(&session), "<p>没有这条信息。</p>")).into_response());
        };
        store.audit(&AuditRecord {
            actor: &session.user.name,
            action: "item.view",
            target: &format!("item:{id}"),
            detail: Some("web"),
            ..AuditRecord::default()
        })?;
        let (item, analysis) = (&stored.item, &stored.analysis);
        let ranges: Vec<[usize; 2]> = analysis.evidence.iter().map(|e| [e.start, e.end]).collect();
        let mut body = format!(
            "<h1>{}</h1><p class=\"meta\">{} · {} · {}{}</p>",
            esc(&crate::trends::display_title(&item.title, &item.body)),
            esc(kind_label(item.kind.as_str())),
            esc(&item.source),
            esc(&item
                .published_at
                .with_timezone(&state.app.config.timezone())
                .format("%Y-%m-%d %H:%M")
                .to_string()),
            link_to_original(item.url.as_deref())
        );
        body.push_str(&format!("<div class=\"body\">{}</div>", marked(&item.body, &ranges)));
        let categories: Vec<String> = analysis.categories.iter().map(|c| category_label_zh(c).to_string()).collect();
        body.push_str(&format!(
            "<h2>分析</h2><table><tr><th>是否投诉</th><td>{}</td></tr><tr><th>类别</th><td>{}</td></tr><tr><th>严重度</th><td>{}（{}）</td></tr><tr><th>情感</th><td>{:.2}</td></tr><tr><th>单位</th><td>{}</td></tr><tr><th>关键词</th><td>{}</td></tr><tr><th>专题</th><td>{}</td></tr></table>",
            if analysis.flagged { "是" } else { "否" },
            esc(&categories.join("、")),
            analysis.severity,
            crate::review::level_label_zh(&analysis.level),
            analysis.sentiment,
            esc(&listed(&analysis.units)),
            esc(&listed(&analysis.keywords)),
            esc(&listed(&analysis.topics)),
        ));
        if let Some(story) = store.story_of(&id)?.filter(|s| s.copies > 1) {
            body.push_str(&format!("<h2>同一事件（{} 条）</h2><ul>", story.copies));
            for other in store.story_items(&story.id)? {
                if let Some(copy) = store.get_item(&other)? {
                    body.push_str(&format!(
                        "<li><a href=\"/items/{}\">{}</a> <span class=\"meta\">{}</span></li>",
                        esc(&url::form_urlencoded::byte_serialize(other.as_bytes()).collect::<String>()),
                        esc(&crate::trends::display_title(&copy.item.title, &copy.item.body)),
                        esc(&copy.item.source)
                    ));
                }
            }
            body.push_str("</ul>");
        }
        let history = store.petition_history(&id)?;
        if item.petition.status.is_some() || !history.is_empty() {
            body.push_str(&format!(
                "<h2>办理情况</h2><p>状态：{} · 回复单位：{}</p><div class=\"body\">{}</div>",
                esc(item.petition.status.as_deref().unwrap_or("-")),
                esc(item.petition.reply_unit.as_deref().unwrap_or("-")),
                esc(item.petition.reply.as_deref().unwrap_or("（无回复）"))
            ));
            for change in &history {
                body.push_str(&format!(
                    "<p class=\"meta\">{}：{} → {}</p>",
                    esc(&change.seen_at),
                    esc(change.before.as_deref().unwrap_or("-")),
                    esc(change.after.as_deref().unwrap_or("-"))
                ));
            }
        }
        if let Some(case) = store.case_of_item(&id)?.map(|(case, _)| store.case(case)).transpose()?.flatten() {
            // The case as reviewers left it: status, who works it, by when,
            // and their notes (the review page shows only the newest state).
            let tz = state.app.config.timezone();
            body.push_str(&format!(
                "<h2>审核案件 #{}</h2><p>状态：{} · 经办人：{} · 截止：{} · <a href=\"/review\">审核队列</a></p>",
                case.id,
                crate::review::status_label_zh(&case.status),
                esc(case.assignee.as_deref().unwrap_or("未指派")),
                esc(&local_time(&case.due_at, tz)),
            ));
            let notes = store.case_notes(case.id)?;
            if !notes.is_empty() {
                body.push_str("<ul class=\"notes\">");
                for note in &notes {
                    body.push_str(&format!(
                        "<li>{} · {}：{}</li>",
                        esc(&local_time(&note.at, tz)),
                        esc(&note.author),
                        esc(&note.note)
                    ));
                }
                body.push_str("</ul>");
            }
        }
        Ok(shell("信息", "", Some(&session), &body))
    })
    .await
}
