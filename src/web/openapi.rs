//! The OpenAPI 3.1 document of `/api/v1/` (served at
//! `/api/v1/openapi.json`). A test checks that every route of the router
//! is described here and every path described is routed.

use super::error::Code;
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

/// A refusal's response: the `Error` schema, and the codes it may carry.
fn refused(description: &str, codes: &[Code]) -> Value {
    let codes: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    json!({"description": format!("{description} (code: {})", codes.join(", ")),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn op(summary: &str, role: &str, params: Value, body: Option<Value>) -> Value {
    let mut op = json!({
        "summary": summary,
        "description": format!("Least role: {role}."),
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "400": refused("a parameter or body value cannot be used, or a parameter is not one of the endpoint's: `parameter`, `value` and `accepted` say which and what is; a search query that does not parse has `column`",
                &[Code::InvalidParameter, Code::UnknownParameter, Code::InvalidBody, Code::QuerySyntax, Code::NothingToChange]),
            "401": refused("no valid session", &[Code::Unauthenticated]),
            "403": refused("role too low, or CSRF / cross-site check failed", &[Code::RoleTooLow, Code::CsrfFailed, Code::CrossSite]),
            "500": refused("the server failed", &[Code::InternalError]),
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
    let codes: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("`{}`: {}", c.as_str(), c.description()))
        .collect();
    let codes = codes.join("; ");
    let mut spec = json!({
        "openapi": "3.1.0",
        "info": {"title": "yuqing API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Search, items, review cases and trends. Log in with POST /api/v1/login; the session is a cookie; state-changing requests carry X-CSRF-Token. Every parameter is checked: a value an endpoint cannot use, or a parameter it does not have, is a 400 (an empty value is the same as none). Refusals are JSON {error, code, …} (components.schemas.Error): `error` in Chinese for people, `code` for programs. A path under /api/ that is not in this document is a 404 with code `no_such_endpoint`."},
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["error", "code"],
            "description": "Every refusal. `error` is for people (Simplified Chinese); programs match on `code`. Parameter errors add `parameter`, `value` (when one value is at fault) and `accepted`; query errors add `column` (1-based); a body that is not the JSON expected adds axum's `detail`; an unknown assignee adds `known`.",
            "properties": {
                "error": {"type": "string", "description": "what went wrong and what to do, in Chinese"},
                "code": {"type": "string", "enum": Code::ALL.map(Code::as_str), "description": codes},
                "parameter": {"type": "string"}, "value": {"type": "string"}, "accepted": {"type": "string"},
                "column": {"type": "integer"}, "detail": {"type": "string"}, "known": {"type": "string"},
            }}}},
        "paths": {
            "/api/v1/login": {"post": op("Log in: starts a session (cookie) and returns the CSRF token", "none", json!([]),
                Some(json!({"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}})))},
            "/api/v1/logout": {"post": op("Log out: ends the session", "analyst", json!([csrf]), None)},
            "/api/v1/search": {"get": op("Search: the JSON of `yuqing search --json` ({total, hits, facets})", "analyst", json!([
                query("q", "string", "query in the search syntax"), query("limit", "integer", "hits, 1 to 100 (default 10)"),
                query("offset", "integer", "hits to skip (0 or more)"), query("kind", "string", "post, news or petition"),
                query("source", "string", "source name"), query("category", "string", "complaint category (a key such as inaction)"),
                query("flagged", "boolean", "true: only flagged complaints; false: only the others (also 1 / 0)"), query("since", "string", "a number and m, h, d or w, e.g. 24h, 7d"),
                query("facets", "boolean", "counts by kind, source, category, unit, topic")]), None)},
            "/api/v1/items/{id}": {"get": op("One item with its analysis, story, petition history and case status", "analyst", json!([path("id", "string")]), None)},
            "/api/v1/cases": {"get": op("The review queue, most urgent first", "analyst", json!([
                query("status", "string", "new, in_review, confirmed, dismissed, escalated"), query("category", "string", "complaint category (a key such as inaction)"),
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
    });
    // The refusals only some endpoints give.
    let paths = &mut spec["paths"];
    let login = &mut paths["/api/v1/login"]["post"]["responses"];
    login["401"] = refused("wrong user name or password", &[Code::WrongCredentials]);
    login["429"] = refused(
        "too many failed logins; see Retry-After",
        &[Code::LoginThrottled],
    );
    paths["/api/v1/items/{id}"]["get"]["responses"]["404"] =
        refused("no such item", &[Code::ItemNotFound]);
    let change = &mut paths["/api/v1/cases/{id}"]["post"]["responses"];
    change["404"] = refused("no such case", &[Code::CaseNotFound]);
    change["422"] = refused(
        "the workflow refuses the change",
        &[
            Code::UnknownStatus,
            Code::TransitionNotAllowed,
            Code::ReasonRequired,
            Code::UnknownReason,
            Code::UnknownAssignee,
            Code::AssigneeCannotWork,
            Code::BadAssigneeName,
        ],
    );
    spec
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

    #[test]
    fn every_error_code_is_documented_where_it_is_answered() {
        let spec = spec();
        let schema = &spec["components"]["schemas"]["Error"]["properties"]["code"];
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(listed, Code::ALL.map(Code::as_str));
        let responses = spec["paths"].to_string();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(
                schema["description"].as_str().unwrap().contains(name),
                "{name}"
            );
            // Paths the document does not have answer no_such_endpoint: the
            // description says so, as no path of its own can.
            if code == Code::NoSuchEndpoint {
                assert!(spec["info"]["description"].as_str().unwrap().contains(name));
                continue;
            }
            assert!(
                responses.contains(name),
                "no response says it answers {name}"
            );
        }
    }
}
