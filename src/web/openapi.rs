//! The OpenAPI 3.1 document of `/api/v1/` (served at
//! `/api/v1/openapi.json`). A test checks that every route of the router
//! is described here and every path described is routed.

use axum::Json;
use serde_json::{Value, json};

/// The paths and methods served, as `(method, path)`.
pub const ROUTES: [(&str, &str); 10] = [
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/items/{id}"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases/{id}"),
    ("get", "/api/v1/trends"),
    ("get", "/api/v1/sources"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/openapi.json"),
];

fn op(summary: &str, role: &str, params: Value, body: Option<Value>) -> Value {
    let mut op = json!({
        "summary": summary,
        "description": format!("Least role: {role}."),
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "400": {"description": "a parameter or body value is not valid: {\"error\": \"…\"} says which and what is"},
            "401": {"description": "no valid session"},
            "403": {"description": "role too low, or CSRF / cross-site check failed"},
        },
    });
    if let Some(body) = body {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": body}}});
    }
    op
}

fn query(name: &str, kind: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": {"type": kind}, "description": description})
}

fn path(name: &str, kind: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": kind}})
}

/// The document.
pub fn spec() -> Value {
    let csrf = json!({"name": "X-CSRF-Token", "in": "header", "required": true, "schema": {"type": "string"},
        "description": "the csrf value returned by login"});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "yuqing API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Search, items, review cases and trends. Log in with POST /api/v1/login; the session is a cookie; state-changing requests carry X-CSRF-Token."},
        "paths": {
            "/api/v1/login": {"post": op("Log in: starts a session (cookie) and returns the CSRF token", "none", json!([]),
                Some(json!({"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}})))},
            "/api/v1/logout": {"post": op("Log out: ends the session", "analyst", json!([csrf]), None)},
            "/api/v1/search": {"get": op("Search: the JSON of `yuqing search --json` ({total, hits, facets})", "analyst", json!([
                query("q", "string", "query in the search syntax"), query("limit", "integer", "hits, 1 to 100 (default 10)"),
                query("offset", "integer", "hits to skip"), query("kind", "string", "post, news or petition"),
                query("source", "string", "source name"), query("category", "string", "complaint category"),
                query("flagged", "boolean", "only flagged complaints"), query("since", "string", "e.g. 24h, 7d"),
                query("facets", "boolean", "counts by kind, source, category, unit, topic")]), None)},
            "/api/v1/items/{id}": {"get": op("One item with its analysis, story, petition history and case status", "analyst", json!([path("id", "string")]), None)},
            "/api/v1/cases": {"get": op("The review queue, most urgent first", "analyst", json!([
                query("status", "string", "new, in_review, confirmed, dismissed, escalated"), query("category", "string", ""),
                query("level", "string", "low, medium, high, critical"), query("assignee", "string", ""),
                query("overdue", "boolean", "only open cases past their deadline"), query("limit", "integer", "cases, 1 to 1000 (default 100); the X-Total-Count header says how many match")]), None)},
            "/api/v1/cases/{id}": {"post": op("Change a case: status with a note (and reason for dismissals), or assignee (once the office has accounts, a reviewer or admin; else 422)", "reviewer",
                json!([path("id", "integer"), csrf]),
                Some(json!({"type": "object", "properties": {"status": {"type": "string"}, "note": {"type": "string"}, "reason": {"type": "string"}, "assignee": {"type": "string"}}})))},
            "/api/v1/trends": {"get": op("What is rising (the JSON of `yuqing trends --json`)", "analyst", json!([query("window", "string", "1h or 24h")]), None)},
            "/api/v1/sources": {"get": op("Health of each source (configured, then crawled before but not configured)", "analyst", json!([]), None)},
            "/api/v1/users": {"get": op("The accounts and their roles", "admin", json!([]), None)},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
        },
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_describes_exactly_the_routes() {
        let spec = spec();
        let paths = spec["paths"].as_object().unwrap();
        let mut described: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, methods)| {
                methods
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        described.sort();
        let mut routed: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        routed.sort();
        assert_eq!(described, routed);
    }
}
