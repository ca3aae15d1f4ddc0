//! The JSON API under `/api/v1/` (the routes DESIGN.md fixes): login and
//! logout, search (the same JSON as `yuqing search --json`), items, cases,
//! trends, sources. Every handler checks the role; every view and search is
//! written to the audit log under the session's user.

use super::WebState;
use super::auth::{
    FAILURE_WINDOW_MINUTES, MAX_FAILURES, Refusal, SESSION_HOURS, require, same_origin,
    session_token, set_cookie, store,
};
use super::error::Code;
use super::params::{ParamError, Params};
use crate::index::SearchRequest;
use crate::model::{CATEGORIES, ItemKind};
use crate::review::{LEVELS, STATUSES};
use crate::store::{AuditRecord, CaseFilter, Role, dummy_hash, verify_password};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// A body that is not the JSON expected: the status axum chose (400, 415
/// or 422), said in Chinese; axum's own words in `detail`.
fn bad_body(rejection: JsonRejection) -> Refusal {
    Refusal::new(
        rejection.status(),
        Code::InvalidBody,
        "请求正文不是所需的 JSON（Content-Type: application/json，字段见 /api/v1/openapi.json）",
    )
    .with("detail", rejection.body_text())
}

/// Runs blocking work (SQLite, tantivy) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Refusal::from(anyhow::anyhow!("worker failed: {e}")))?
}

/// `POST /api/v1/login` body.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// `POST /api/v1/login`: a new session (the old one, if any, ends).
pub async fn login(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Response, Refusal> {
    blocking(move || {
        same_origin(&headers)?;
        let Json(body) = body.map_err(bad_body)?;
        let mut store = store(&state)?;
        let now = chrono::Utc::now();
        let window = chrono::Duration::minutes(FAILURE_WINDOW_MINUTES);
        let (failures, oldest) = store.login_failures(&body.username, now - window)?;
        if failures >= MAX_FAILURES {
            let retry = oldest
                .as_deref()
                .and_then(|t| crate::text::dates::parse_datetime(t, chrono_tz::UTC))
                .map_or(window.num_seconds() as u64, |t| (t + window - now).num_seconds().max(1) as u64);
            return Err(Refusal::throttled(retry));
        }
        let user = store.user(&body.username)?;
        let hash = user.as_ref().map_or(dummy_hash(), |(_, hash)| hash.as_str());
        let valid = verify_password(hash, &body.password) && user.is_some();
        let Some((user, _)) = user.filter(|_| valid) else {
            store.login_failed(&body.username, now)?;
            // On record like the logins that succeed: nobody is logged in,
            // so the actor is `-`; the name tried is cut short (it may be
            // anything someone typed).
            let tried: String = body.username.chars().take(64).collect();
            store.audit(&AuditRecord {
                actor: "-",
                action: "login.failed",
                target: &format!("user:{tried}"),
                detail: Some("web"),
                ..AuditRecord::default()
            })?;
            return Err(Refusal::new(StatusCode::UNAUTHORIZED, Code::WrongCredentials, "用户名或密码错误"));
        };
        if let Some(old) = session_token(&headers, state.secure) {
            store.end_session(&old)?;
        }
        let token = store.create_session(&user.name, SESSION_HOURS)?;
        let session = store.session(&token, now)?.ok_or_else(Refusal::internal)?;
        store.audit(&AuditRecord {
            actor: &user.name,
            action: "login",
            target: &format!("user:{}", user.name),
            ..AuditRecord::default()
        })?;
        let mut response = Json(json!({
            "user": user.name, "role": user.role, "csrf": session.csrf, "expires_at": session.expires_at,
        }))
        .into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, set_cookie(Some(&token), state.secure));
        Ok(response)
    })
    .await
}

/// `POST /api/v1/logout`: ends the session.
pub async fn logout(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    blocking(move || {
        let session = require(&state, &headers, Role::Analyst, true)?;
        let token = session_token(&headers, state.secure).ok_or_else(Refusal::unauthenticated)?;
        let mut store = store(&state)?;
        store.end_session(&token)?;
        store.audit(&AuditRecord {
            actor: &session.user.name,
            action: "logout",
            target: &format!("user:{}", session.user.name),
            ..AuditRecord::default()
        })?;
        let mut response = StatusCode::NO_CONTENT.into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, set_cookie(None, state.secure));
        Ok(response)
    })
    .await
}

/// `GET /api/v1/search`: the JSON of `yuqing search --json`. Every
/// parameter is checked: a value it cannot use (or a parameter it does
/// not have) is a 400 naming it, never a search without it.
pub async fn search(
    State(state): State<WebState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    blocking(move || {
        let session = require(&state, &headers, Role::Analyst, false)?;
        let mut params = Params::parse(raw.as_deref());
        let q = params.text("q");
        let mut request = SearchRequest::new(&q);
        request.limit = params.number("limit", 1, None).unwrap_or(10).min(100);
        request.offset = params.number("offset", 0, None).unwrap_or(0);
        request.kind = params
            .choice("kind", &ItemKind::ALL.map(ItemKind::as_str))
            .and_then(|kind| kind.parse().ok());
        request.source = Some(params.text("source")).filter(|s| !s.is_empty());
        request.category = params.choice("category", &CATEGORIES).map(str::to_string);
        request.flagged = params.flag("flagged");
        request.facets = params.flag("facets").unwrap_or(false);
        if let Some((_, age)) = params.age("since") {
            request.from = Some(chrono::Utc::now() - age);
        }
        if let Some(error) = params.finish().into_iter().next() {
            return Err(Refusal::from(error));
        }
        let results = match state.index.search(&request) {
            Ok(results) => results,
            Err(crate::index::IndexError::Query(error)) => return Err(Refusal::from(error)),
            Err(other) => return Err(Refusal::from(anyhow::Error::from(other))),
        };
        store(&state)?.audit(&AuditRecord {
            actor: &session.user.name,
            action: "search",
            target: &q,
            detail: Some(&format!("{} results", results.total)),
            ..AuditRecord::default()
        })?;
        Ok(Json(results).into_response())
    })
    .await
}

/// `GET /api/v1/items/{id}`: the item, its analysis, story, petition
/// history and case.
pub async fn item(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    blocking(move || {
        let session = require(&state, &headers, Role::Analyst, false)?;
        let mut store = store(&state)?;
        let Some(stored) = store.get_item(&id)? else {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                Code::ItemNotFound,
                format!("没有编号为“{id}”的信息"),
            ));
        };
        let story = store.story_of(&id)?;
        let copies = match &story {
            Some(story) => store.story_items(&story.id)?,
            None => Vec::new(),
        };
        let history = store.petition_history(&id)?;
        let case_status = store.case_status_of_item(&id)?;
        store.audit(&AuditRecord {
            actor: &session.user.name,
            action: "item.view",
            target: &format!("item:{id}"),
            ..AuditRecord::default()
        })?;
        Ok(Json(json!({
            "item": stored.item, "analysis": stored.analysis, "story": story,
            "story_items": copies, "petition_history": history, "case_status": case_status,
        }))
        .into_response())
    })
    .await
}

/// `GET /api/v1/cases`: the review queue, most urgent first.
pub async fn cases(
    State(state): State<WebState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    blocking(move || {
        require(&state, &headers, Role::Analyst, false)?;
        // An empty parameter (a form's "all") filters nothing.
        let mut params = Params::parse(raw.as_deref());
        let filter = CaseFilter {
            status: params.choice("status", &STATUSES).map(str::to_string),
            category: params.choice("category", &CATEGORIES).map(str::to_string),
            level: params.choice("level", &LEVELS).map(str::to_string),
            assignee: Some(params.text("assignee")).filter(|a| !a.is_empty()),
            overdue_at: params
                .flag("overdue")
                .unwrap_or(false)
                .then(|| chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            limit: params.number("limit", 1, None).unwrap_or(100).min(1000),
        };
        if let Some(error) = params.finish().into_iter().next() {
            return Err(Refusal::from(error));
        }
        let store = store(&state)?;
        // The array stops at `limit`; how many match in all is in a header.
        let total = store.count_cases(&filter)?;
        let mut response = Json(store.cases(&filter)?).into_response();
        response
            .headers_mut()
            .insert("x-total-count", header::HeaderValue::from(total));
        Ok(response)
    })
    .await
}

/// `POST /api/v1/cases/{id}` body.
#[derive(Debug, Deserialize)]
pub struct CaseBody {
    status: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    assignee: Option<String>,
}

/// `POST /api/v1/cases/{id}`: change status (with a note), or assign.
pub async fn change_case(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<CaseBody>, JsonRejection>,
) -> Result<Response, Refusal> {
    blocking(move || {
        let session = require(&state, &headers, Role::Reviewer, true)?;
        let id: i64 = id
            .parse()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| ParamError::Number {
                param: "id",
                value: id.clone(),
                min: 1,
                max: None,
            })?;
        let Json(body) = body.map_err(bad_body)?;
        let mut store = store(&state)?;
        let actor = session.user.name.as_str();
        let outcome = match (&body.assignee, &body.status) {
            (Some(assignee), None) => {
                crate::review::assign(&mut store, id, actor, assignee, body.note.as_deref())
            }
            (assignee, Some(status)) => {
                let assigned = match assignee {
                    Some(assignee) => {
                        crate::review::assign(&mut store, id, actor, assignee, None).map(|_| ())
                    }
                    None => Ok(()),
                };
                assigned.and_then(|()| {
                    crate::review::set_status(
                        &mut store,
                        id,
                        actor,
                        status,
                        body.reason.as_deref(),
                        body.note.as_deref(),
                    )
                })
            }
            (None, None) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    Code::NothingToChange,
                    "请提供 status（状态，附 note 备注）或 assignee（经办人）",
                ));
            }
        };
        // 404 for a missing case, 422 for what the workflow refuses.
        Ok(Json(outcome.map_err(Refusal::from)?).into_response())
    })
    .await
}

/// `GET /api/v1/trends`: what is rising (the JSON of `yuqing trends --json`).
pub async fn trends(
    State(state): State<WebState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    blocking(move || {
        require(&state, &headers, Role::Analyst, false)?;
        let mut params = Params::parse(raw.as_deref());
        let window = params.choice("window", &["1h", "24h"]).unwrap_or("24h");
        if let Some(error) = params.finish().into_iter().next() {
            return Err(Refusal::from(error));
        }
        let window = crate::trends::parse_window(window).map_err(anyhow::Error::msg)?;
        let store = store(&state)?;
        let found = crate::trends::detect_trends(
            &store,
            Some(&state.index),
            chrono::Utc::now(),
            window,
            &state.app.config.trends,
        )?;
        Ok(Json(found).into_response())
    })
    .await
}

/// `GET /api/v1/sources`: each source's health (the configured ones, then
/// those crawled before that the configuration does not name).
pub async fn sources(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    blocking(move || {
        require(&state, &headers, Role::Analyst, false)?;
        let store = store(&state)?;
        let rows = crate::source::health::source_health(&state.app.config.sources, Some(&store))?;
        Ok(Json(rows).into_response())
    })
    .await
}

/// `GET /api/v1/users`: the accounts (admins only).
pub async fn users(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, Refusal> {
    blocking(move || {
        require(&state, &headers, Role::Admin, false)?;
        Ok(Json(store(&state)?.users()?).into_response())
    })
    .await
}
