//! The analysts' pages, server-rendered in Simplified Chinese: login,
//! search (filters, facets, highlighted snippets, paging, CSV export), an
//! item, the review queue, trends (server-rendered SVG charts), sources.
//! Every crawled string goes through `escape_html`; links to originals
//! only when they are http(s); the one script and stylesheet are served
//! from `/static` (the CSP allows nothing inline).

use super::WebState;
use super::auth::{Refusal, session_token, store};
use crate::index::{SearchRequest, SortOrder};
use crate::model::category_label_zh;
use crate::store::{AuditRecord, CaseFilter, Role, Session};
use crate::text::escape::escape_html as esc;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

const CSS: &str = include_str!("assets/app.css");
const JS: &str = include_str!("assets/app.js");

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

/// Search page parameters (also the CSV export's).
#[derive(Debug, Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    kind: Option<String>,
    source: Option<String>,
    category: Option<String>,
    #[serde(default)]
    flagged: Option<String>,
    since: Option<String>,
    unit: Option<String>,
    topic: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    offset: Option<usize>,
}

impl SearchForm {
    fn request(&self, limit: usize, tz: chrono_tz::Tz) -> SearchRequest {
        // Unit and topic filters are field terms of the query.
        let mut query = self.q.clone();
        for (field, value) in [("unit", &self.unit), ("topic", &self.topic)] {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                let value: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                query = format!("{query} {field}:{value}");
            }
        }
        let mut request = SearchRequest::new(query.trim());
        let date = |value: &Option<String>| {
            value
                .as_deref()
                .filter(|v| !v.is_empty())
                .and_then(|v| crate::text::dates::parse_datetime(v, tz))
        };
        request.from = date(&self.from);
        request.to = date(&self.to).map(|t| t + chrono::Duration::days(1));
        request.limit = limit;
        request.offset = self.offset.unwrap_or(0);
        request.kind = self
            .kind
            .as_deref()
            .filter(|k| !k.is_empty())
            .and_then(|k| k.parse().ok());
        request.source = self.source.clone().filter(|s| !s.is_empty());
        request.category = self.category.clone().filter(|c| !c.is_empty());
        request.flagged = self
            .flagged
            .as_deref()
            .filter(|f| *f == "1" || *f == "true")
            .map(|_| true);
        if let Some(age) = self
            .since
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| crate::cli::search::parse_age(s).ok())
        {
            let since = chrono::Utc::now() - age;
            request.from = Some(request.from.map_or(since, |f| f.max(since)));
        }
        request.sort = if self.sort.as_deref() == Some("time") {
            SortOrder::Time
        } else {
            SortOrder::Relevance
        };
        request.facets = true;
        request
    }
}

const PAGE: usize = 20;

/// `GET /`: search.
pub async fn search_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(form): Query<SearchForm>,
    RawQuery(raw): RawQuery,
) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, &format!("/?{}", raw.clone().unwrap_or_default())) {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let request = form.request(PAGE, state.app.config.timezone());
        let mut body = format!(
            "<form class=\"search\" method=\"get\" action=\"/\"><input type=\"text\" name=\"q\" value=\"{}\" placeholder=\"关键词、\u{201c}短语\u{201d}、AND/OR/NOT、category:inaction …\" aria-label=\"检索\"><select name=\"kind\" aria-label=\"类型\">{}</select><select name=\"category\" aria-label=\"类别\">{}</select><select name=\"since\" aria-label=\"时间\">{}</select><input type=\"text\" name=\"source\" placeholder=\"来源\" aria-label=\"来源\" value=\"{}\" size=\"10\"><input type=\"text\" name=\"unit\" placeholder=\"单位\" aria-label=\"单位\" value=\"{}\" size=\"10\"><input type=\"text\" name=\"topic\" placeholder=\"专题\" aria-label=\"专题\" value=\"{}\" size=\"8\"><input type=\"date\" name=\"from\" aria-label=\"起始日期\" value=\"{}\"><input type=\"date\" name=\"to\" aria-label=\"截止日期\" value=\"{}\"><label><input type=\"checkbox\" name=\"flagged\" value=\"1\"{}> 仅投诉</label><select name=\"sort\" aria-label=\"排序\"><option value=\"relevance\">相关度</option><option value=\"time\"{}>时间</option></select><button type=\"submit\">检索</button></form>",
            esc(&form.q),
            options(&[("", "全部类型"), ("post", "帖子"), ("news", "新闻"), ("petition", "信访")], form.kind.as_deref()),
            options(&std::iter::once(("", "全部类别")).chain(crate::model::CATEGORIES.iter().map(|c| (*c, category_label_zh(c)))).collect::<Vec<_>>(), form.category.as_deref()),
            options(&[("", "不限时间"), ("24h", "24小时"), ("7d", "7天"), ("30d", "30天")], form.since.as_deref()),
            esc(form.source.as_deref().unwrap_or("")),
            esc(form.unit.as_deref().unwrap_or("")),
            esc(form.topic.as_deref().unwrap_or("")),
            esc(form.from.as_deref().unwrap_or("")),
            esc(form.to.as_deref().unwrap_or("")),
            if request.flagged == Some(true) { " checked" } else { "" },
            if form.sort.as_deref() == Some("time") { " selected" } else { "" },
        );
        let results = match state.index.search(&request) {
            Ok(results) => results,
            Err(crate::index::IndexError::Query(error)) => {
                body.push_str(&format!("<p class=\"error\">查询语法错误：{}</p>", esc(&error.to_string())));
                return Ok(shell("检索", "/", Some(&session), &body));
            }
            Err(other) => return Err(Refusal::from(anyhow::Error::from(other))),
        };
        store(&state)?.audit(&AuditRecord {
            actor: &session.user.name,
            action: "search",
            target: &form.q,
            detail: Some(&format!("{} results (web)", results.total)),
            ..AuditRecord::default()
        })?;
        let query_string = raw.unwrap_or_default();
        body.push_str(&format!(
            "<p class=\"meta\">共 {} 条 · <a href=\"/export.csv?{}\">导出 CSV</a></p><div class=\"layout\"><aside class=\"facets\">",
            results.total,
            esc(&query_string)
        ));
        for (facet, title) in [("kind", "类型"), ("category", "投诉类别"), ("source", "来源"), ("unit", "单位"), ("topic", "专题")] {
            let Some(counts) = results.facets.get(facet).filter(|c| !c.is_empty()) else { continue };
            body.push_str(&format!("<h3>{title}</h3><ul>"));
            let mut counts: Vec<_> = counts.iter().collect();
            counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (value, n) in counts.into_iter().take(10) {
                let label = if facet == "category" { category_label_zh(value).to_string() } else { value.clone() };
                let filter: String = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", format!("{} {facet}:{value}", form.q).trim())
                    .finish();
                body.push_str(&format!("<li><a href=\"/?{}\">{}</a> {n}</li>", esc(&filter), esc(&label)));
            }
            body.push_str("</ul>");
        }
        body.push_str("</aside><section class=\"results\">");
        for hit in &results.hits {
            let badges: String = hit
                .categories
                .iter()
                .map(|c| format!("<span class=\"badge flag\">{}</span>", esc(category_label_zh(c))))
                .collect();
            body.push_str(&format!(
                "<article class=\"hit\"><h2><a href=\"/items/{}\">{}</a></h2><div class=\"meta\">{}{} · {} · {}{}</div><p>{}</p></article>",
                esc(&url::form_urlencoded::byte_serialize(hit.id.as_bytes()).collect::<String>()),
                esc(&crate::trends::display_title(&hit.title, &hit.snippet)),
                badges,
                esc(kind_label(&hit.kind)),
                esc(&hit.source),
                esc(&hit.published_at.chars().take(16).collect::<String>().replace('T', " ")),
                link_to_original(hit.url.as_deref()),
                marked(&hit.snippet, &hit.highlights),
            ));
        }
        let offset = request.offset;
        let page_link = |to: usize, label: &str| {
            let mut params: Vec<(String, String)> = url::form_urlencoded::parse(query_string.as_bytes())
                .into_owned()
                .filter(|(k, _)| k != "offset")
                .collect();
            params.push(("offset".into(), to.to_string()));
            let qs: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
            format!("<a href=\"/?{}\">{label}</a>", esc(&qs))
        };
        body.push_str("<p class=\"pager\">");
        if offset > 0 {
            body.push_str(&page_link(offset.saturating_sub(PAGE), "上一页"));
        }
        if offset + PAGE < results.total {
            body.push_str(&page_link(offset + PAGE, "下一页"));
        }
        body.push_str("</p></section></div>");
        Ok(shell("检索", "/", Some(&session), &body))
    })
    .await
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

fn kind_label(kind: &str) -> &'static str {
    kind.parse::<crate::model::ItemKind>()
        .map(crate::model::ItemKind::label_zh)
        .unwrap_or("其他")
}

/// `GET /export.csv`: the search results (up to 1,000) as CSV; audited.
pub async fn export(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(form): Query<SearchForm>,
) -> Response {
    blocking(move || {
        let session = super::auth::require(&state, &headers, Role::Analyst, false)?;
        let mut request = form.request(1000, state.app.config.timezone());
        request.offset = 0;
        request.facets = false;
        let results = state
            .index
            .search(&request)
            .map_err(|e| Refusal::from(anyhow::Error::from(e)))?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        let write = |csv: &mut csv::Writer<Vec<u8>>, row: &[&str]| {
            csv.write_record(row)
                .map_err(|e| Refusal::from(anyhow::Error::from(e)))
        };
        write(
            &mut csv,
            &[
                "id",
                "published_at",
                "kind",
                "source",
                "title",
                "flagged",
                "categories",
                "url",
                "snippet",
            ],
        )?;
        for hit in &results.hits {
            let flagged = if hit.flagged { "true" } else { "false" };
            let categories = hit.categories.join(" ");
            // A leading = + - @ would be a formula to a spreadsheet.
            let cell = |text: &str| {
                if text.starts_with(['=', '+', '-', '@']) {
                    format!("'{text}")
                } else {
                    text.to_string()
                }
            };
            write(
                &mut csv,
                &[
                    &hit.id,
                    &hit.published_at,
                    &hit.kind,
                    &hit.source,
                    &cell(&hit.title),
                    flagged,
                    &categories,
                    hit.url.as_deref().unwrap_or(""),
                    &cell(&hit.snippet),
                ],
            )?;
        }
        let bytes = csv
            .into_inner()
            .map_err(|e| Refusal::from(anyhow::anyhow!("{e}")))?;
        store(&state)?.audit(&AuditRecord {
            actor: &session.user.name,
            action: "export",
            target: &form.q,
            detail: Some(&format!("{} rows (csv)", results.hits.len())),
            ..AuditRecord::default()
        })?;
        let mut body = "\u{feff}".as_bytes().to_vec();
        body.extend(bytes);
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"yuqing-export.csv\"",
                ),
            ],
            body,
        )
            .into_response())
    })
    .await
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
            esc(&item.published_at.to_rfc3339()),
            link_to_original(item.url.as_deref())
        );
        body.push_str(&format!("<div class=\"body\">{}</div>", marked(&item.body, &ranges)));
        let categories: Vec<String> = analysis.categories.iter().map(|c| category_label_zh(c).to_string()).collect();
        body.push_str(&format!(
            "<h2>分析</h2><table><tr><th>是否投诉</th><td>{}</td></tr><tr><th>类别</th><td>{}</td></tr><tr><th>严重度</th><td>{}（{}）</td></tr><tr><th>情感</th><td>{:.2}</td></tr><tr><th>单位</th><td>{}</td></tr><tr><th>关键词</th><td>{}</td></tr><tr><th>专题</th><td>{}</td></tr></table>",
            if analysis.flagged { "是" } else { "否" },
            esc(&categories.join("、")),
            analysis.severity,
            esc(&analysis.level),
            analysis.sentiment,
            esc(&analysis.units.join("、")),
            esc(&analysis.keywords.join("、")),
            esc(&analysis.topics.join("、")),
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
        if let Some(status) = store.case_status_of_item(&id)? {
            body.push_str(&format!(
                "<p>审核案件状态：{} · <a href=\"/review\">审核队列</a></p>",
                crate::review::status_label_zh(&status)
            ));
        }
        Ok(shell("信息", "", Some(&session), &body))
    })
    .await
}

/// Review page filters.
#[derive(Debug, Deserialize, Default)]
pub struct ReviewForm {
    status: Option<String>,
    category: Option<String>,
    level: Option<String>,
    assignee: Option<String>,
    overdue: Option<String>,
}

/// `GET /review`: the queue with actions (reviewers).
pub async fn review_page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(form): Query<ReviewForm>,
) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, "/review") {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let store = store(&state)?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let some = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let cases = store.cases(&CaseFilter {
            status: some(&form.status),
            category: some(&form.category),
            level: some(&form.level),
            assignee: some(&form.assignee),
            overdue_at: form.overdue.as_ref().map(|_| now.clone()),
            limit: 200,
        })?;
        let mut body = format!(
            "<h1>审核队列</h1><form class=\"search\" method=\"get\" action=\"/review\"><select name=\"status\" aria-label=\"状态\">{}</select><select name=\"level\" aria-label=\"等级\">{}</select><select name=\"category\" aria-label=\"类别\">{}</select><input type=\"text\" name=\"assignee\" placeholder=\"经办人\" value=\"{}\"><label><input type=\"checkbox\" name=\"overdue\" value=\"1\"{}> 仅超期</label><button type=\"submit\">筛选</button></form><table><tr><th>编号</th><th>状态</th><th>等级</th><th>类别</th><th>标题</th><th>期限</th><th>经办人</th><th>操作</th></tr>",
            options(&[("", "全部状态"), ("new", "待处理"), ("in_review", "核查中"), ("confirmed", "已确认"), ("dismissed", "已排除"), ("escalated", "已上报")], form.status.as_deref()),
            options(&[("", "全部等级"), ("critical", "特急"), ("high", "高"), ("medium", "中"), ("low", "低")], form.level.as_deref()),
            options(&std::iter::once(("", "全部类别")).chain(crate::model::CATEGORIES.iter().map(|c| (*c, category_label_zh(c)))).collect::<Vec<_>>(), form.category.as_deref()),
            esc(form.assignee.as_deref().unwrap_or("")),
            if form.overdue.is_some() { " checked" } else { "" },
        );
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
                    options(&crate::review::DISMISS_REASONS.iter().map(|r| (*r, *r)).collect::<Vec<_>>(), None)
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
                esc(&case.due_at.replace('T', " ").replace('Z', "")),
                esc(case.assignee.as_deref().unwrap_or("-")),
                actions
            ));
        }
        body.push_str("</table>");
        Ok(shell("审核队列", "/review", Some(&session), &body))
    })
    .await
}

/// A bar chart of a series as inline SVG (presentation attributes only).
fn svg_bars(series: &[u32]) -> String {
    let max = series.iter().copied().max().unwrap_or(0).max(1);
    let width = 480;
    let slot = width / series.len().max(1);
    let mut svg = format!(
        "<svg width=\"{width}\" height=\"80\" viewBox=\"0 0 {width} 80\" role=\"img\" aria-label=\"近48小时每小时数量\">"
    );
    for (i, &n) in series.iter().enumerate() {
        let h = (n as usize * 76).div_ceil(max as usize);
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"{}\"><title>{n}</title></rect>",
            i * slot,
            80 - h,
            slot.saturating_sub(1).max(1),
            if i + 6 >= series.len() { "#dc2626" } else { "#94a3b8" }
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /trends`: what is rising, with charts.
pub async fn trends_page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, "/trends") {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let store = store(&state)?;
        let trends = crate::trends::detect_trends(&store, Some(&state.index), chrono::Utc::now(), chrono::Duration::hours(24), &state.app.config.trends)?;
        // Volume over the last 48 hours by kind and by complaint category.
        let now_hour = chrono::Utc::now().timestamp().div_euclid(crate::store::HOUR_SECS);
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
                    svg_bars(&series)
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
                esc(&trend.dimension),
                trend.current,
                trend.expected,
                trend.ratio,
                svg_bars(&trend.series)
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
        let mut body = String::from("<h1>数据源</h1><table><tr><th>名称</th><th>类型</th><th>状态</th><th>上次成功</th><th>连续失败</th><th>累计新增</th><th>错误</th></tr>");
        for source in &state.app.config.sources {
            let s = store.source_state(&source.name)?;
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&source.name),
                esc(&serde_json::to_value(source.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
                esc(s.last_outcome.as_deref().unwrap_or("-")),
                esc(s.last_success_at.as_deref().unwrap_or("-")),
                s.consecutive_failures,
                s.new_items_total,
                esc(s.last_error.as_deref().unwrap_or(""))
            ));
        }
        body.push_str("</table>");
        Ok(shell("数据源", "/sources", Some(&session), &body))
    })
    .await
}
