//! The search page (filters, facets, highlighted snippets, paging) and
//! its CSV export.

use super::{
    blocking, kind_label, link_to_original, local_time, marked, options, page_session, shell,
};
use crate::index::{SearchRequest, SortOrder};
use crate::model::ItemKind;
use crate::model::category_label_zh;
use crate::store::{AuditRecord, Role};
use crate::text::escape::escape_html as esc;
use crate::web::WebState;
use crate::web::auth::{Refusal, store};
use crate::web::params::{ParamError, Params};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// Search page parameters (also the CSV export's), checked: a value that
/// cannot be used is left out and said in `problems` (the page shows them,
/// the export refuses).
#[derive(Debug, Default)]
pub struct SearchForm {
    q: String,
    kind: Option<&'static str>,
    source: String,
    category: Option<&'static str>,
    flagged: bool,
    since: Option<(String, chrono::Duration)>,
    unit: String,
    topic: String,
    from: Option<String>,
    to: Option<String>,
    by_time: bool,
    offset: usize,
    problems: Vec<ParamError>,
}

impl SearchForm {
    /// Reads and checks the query string (dates are days in `tz`).
    fn parse(raw: Option<&str>, tz: chrono_tz::Tz) -> SearchForm {
        let mut params = Params::parse(raw);
        let mut form = SearchForm {
            q: params.text("q"),
            kind: params.choice("kind", &ItemKind::ALL.map(ItemKind::as_str)),
            source: params.text("source"),
            category: params.choice("category", &crate::model::CATEGORIES),
            // The checkbox sends 1; "not only complaints" is no filter.
            flagged: params.flag("flagged") == Some(true),
            since: params.age("since"),
            unit: params.text("unit"),
            topic: params.text("topic"),
            from: params.date("from", tz),
            to: params.date("to", tz),
            by_time: params.choice("sort", &["relevance", "time"]) == Some("time"),
            offset: params.number("offset", 0, None).unwrap_or(0),
            problems: Vec::new(),
        };
        form.problems = params.finish();
        form
    }

    /// Newest first when asked, and whenever there are no words to rank
    /// by (the page as it opens shows what came in last, not the order of
    /// the sources).
    fn by_time(&self) -> bool {
        self.by_time || self.q.trim().is_empty()
    }

    fn request(&self, limit: usize, tz: chrono_tz::Tz) -> SearchRequest {
        // Unit and topic filters are field terms of the query.
        let mut query = self.q.clone();
        for (field, value) in [("unit", &self.unit), ("topic", &self.topic)] {
            let value: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"')
                .collect();
            if !value.is_empty() {
                query = format!("{query} {field}:{value}");
            }
        }
        let mut request = SearchRequest::new(query.trim());
        let date = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| crate::text::dates::parse_datetime(v, tz))
        };
        request.from = date(&self.from);
        request.to = date(&self.to).map(|t| t + chrono::Duration::days(1));
        request.limit = limit;
        request.offset = self.offset;
        request.kind = self.kind.and_then(|k| k.parse().ok());
        request.source = Some(self.source.clone()).filter(|s| !s.is_empty());
        request.category = self.category.map(str::to_string);
        request.flagged = self.flagged.then_some(true);
        if let Some((_, age)) = &self.since {
            let since = chrono::Utc::now() - *age;
            request.from = Some(request.from.map_or(since, |f| f.max(since)));
        }
        request.sort = if self.by_time() {
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
    RawQuery(raw): RawQuery,
) -> Response {
    blocking(move || {
        let session = match page_session(&state, &headers, &format!("/?{}", raw.clone().unwrap_or_default())) {
            Ok(session) => session,
            Err(redirect) => return Ok(*redirect),
        };
        let tz = state.app.config.timezone();
        let form = SearchForm::parse(raw.as_deref(), tz);
        let request = form.request(PAGE, tz);
        // What was asked for and could not be used: said first, in full.
        let mut body = super::warnings(&form.problems);
        body.push_str(&format!(
            "<form class=\"search\" method=\"get\" action=\"/\"><input type=\"text\" name=\"q\" value=\"{}\" placeholder=\"关键词、\u{201c}短语\u{201d}、AND/OR/NOT、category:inaction …\" aria-label=\"检索\"><select name=\"kind\" aria-label=\"类型\">{}</select><select name=\"category\" aria-label=\"类别\">{}</select><select name=\"since\" aria-label=\"时间\">{}</select><input type=\"text\" name=\"source\" placeholder=\"来源\" aria-label=\"来源\" value=\"{}\" size=\"10\"><input type=\"text\" name=\"unit\" placeholder=\"单位\" aria-label=\"单位\" value=\"{}\" size=\"10\"><input type=\"text\" name=\"topic\" placeholder=\"专题\" aria-label=\"专题\" value=\"{}\" size=\"8\"><input type=\"date\" name=\"from\" aria-label=\"起始日期\" value=\"{}\"><input type=\"date\" name=\"to\" aria-label=\"截止日期\" value=\"{}\"><label><input type=\"checkbox\" name=\"flagged\" value=\"1\"{}> 仅投诉</label><select name=\"sort\" aria-label=\"排序\"><option value=\"relevance\">相关度</option><option value=\"time\"{}>时间</option></select><button type=\"submit\">检索</button></form>",
            esc(&form.q),
            options(&[("", "全部类型"), ("post", "帖子"), ("news", "新闻"), ("petition", "信访")], form.kind),
            options(&std::iter::once(("", "全部类别")).chain(crate::model::CATEGORIES.iter().map(|c| (*c, category_label_zh(c)))).collect::<Vec<_>>(), form.category),
            options(&[("", "不限时间"), ("24h", "24小时"), ("7d", "7天"), ("30d", "30天")], form.since.as_ref().map(|(s, _)| s.as_str())),
            esc(&form.source),
            esc(&form.unit),
            esc(&form.topic),
            esc(form.from.as_deref().unwrap_or("")),
            esc(form.to.as_deref().unwrap_or("")),
            if request.flagged == Some(true) { " checked" } else { "" },
            if form.by_time { " selected" } else { "" },
        ));
        let results = match state.index.search(&request) {
            Ok(results) => results,
            Err(crate::index::IndexError::Query(error)) => {
                body.push_str(&format!("<p class=\"error\">{}</p>", esc(&error.message_zh())));
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
        // Links (facets, pages, export) carry what was used, not what was not.
        let query_string: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                    .filter(|(k, _)| form.problems.iter().all(|p| p.param() != k.as_ref())),
            )
            .finish();
        body.push_str(&format!(
            "<p class=\"meta\">共 {} 条{} · <a href=\"/export.csv?{}\">导出 CSV</a></p><div class=\"layout\"><aside class=\"facets\">",
            results.total,
            if form.q.trim().is_empty() { "（按时间，最新在前）" } else { "" },
            esc(&query_string)
        ));
        for (facet, title) in [("kind", "类型"), ("category", "投诉类别"), ("source", "来源"), ("unit", "单位"), ("topic", "专题")] {
            let Some(counts) = results.facets.get(facet).filter(|c| !c.is_empty()) else { continue };
            body.push_str(&format!("<h3>{title}</h3><ul>"));
            let mut counts: Vec<_> = counts.iter().collect();
            counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (value, n) in counts.into_iter().take(10) {
                let label = match facet {
                    "category" => category_label_zh(value).to_string(),
                    "kind" => kind_label(value).to_string(),
                    _ => value.clone(),
                };
                // The other filters (time, flagged, sort …) stay: the count
                // shown is what the link finds.
                let mut params: Vec<(String, String)> = url::form_urlencoded::parse(query_string.as_bytes())
                    .into_owned()
                    .filter(|(k, _)| k != "offset" && k != "q")
                    .collect();
                params.insert(0, ("q".into(), format!("{} {facet}:{value}", form.q).trim().to_string()));
                let filter: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
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
                esc(&local_time(&hit.published_at, tz)),
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
        if offset >= results.total && results.total > 0 {
            // Past the end (an old link, a hand-edited offset): back to the last page.
            body.push_str("没有更多结果。");
            body.push_str(&page_link((results.total - 1) / PAGE * PAGE, "最后一页"));
        } else if offset > 0 {
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

/// `GET /export.csv`: the search results (up to 1,000) as CSV; audited.
pub async fn export(
    State(state): State<WebState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    blocking(move || {
        let session = crate::web::auth::require(&state, &headers, Role::Analyst, false)?;
        // Like the API: what cannot be used is a 400, not an export without it.
        let tz = state.app.config.timezone();
        let form = SearchForm::parse(raw.as_deref(), tz);
        if let Some(problem) = form.problems.first() {
            return Err(Refusal::from(problem.clone()));
        }
        let mut request = form.request(1000, tz);
        request.offset = 0;
        request.facets = false;
        let results = match state.index.search(&request) {
            Ok(results) => results,
            // The user's query, not the server: a 400 as the API answers it.
            Err(crate::index::IndexError::Query(error)) => return Err(Refusal::from(error)),
            Err(other) => return Err(Refusal::from(anyhow::Error::from(other))),
        };
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
                    // A link that is not the web (`javascript:` …) is not exported.
                    hit.url
                        .as_deref()
                        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                        .unwrap_or(""),
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
