//! What the web layer says when a request cannot be served as asked, over
//! real HTTP on 127.0.0.1: parameter values it cannot use (a 400 from the
//! API and the CSV export, a warning on the search and review pages, never
//! silently dropped), refusals in Chinese with a stable code, and charts
//! that can be read (axes, scale, local times).

use super::web::{Client, start};
use serde_json::{Value, json};

/// True when `text` has Chinese in it.
fn chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn the_api_answers_400_naming_a_value_it_cannot_use() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    for (path, parameter, value) in [
        ("/api/v1/search?q=&since=bogus", "since", Some("bogus")),
        ("/api/v1/search?q=&offset=abc", "offset", Some("abc")),
        ("/api/v1/search?q=&limit=ten", "limit", Some("ten")),
        ("/api/v1/search?q=&kind=tweet", "kind", Some("tweet")),
        (
            "/api/v1/search?q=&category=rudeness",
            "category",
            Some("rudeness"),
        ),
        ("/api/v1/search?q=&flagged=maybe", "flagged", Some("maybe")),
        ("/api/v1/search?q=&facets=please", "facets", Some("please")),
        // The search page's date filters are not the API's: said, not ignored.
        ("/api/v1/search?q=&from=2026-13-45", "from", None),
        ("/api/v1/cases?overdue=maybe", "overdue", Some("maybe")),
        ("/api/v1/cases?limit=all", "limit", Some("all")),
        ("/api/v1/trends?window=2h", "window", Some("2h")),
    ] {
        let reply = client.get(path, &cookie);
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        let body = &reply.body;
        let code = if value.is_some() {
            "invalid_parameter"
        } else {
            "unknown_parameter"
        };
        assert_eq!(body["code"], code, "{path}: {body}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
        assert_eq!(body["value"], json!(value), "{path}: {body}");
        let accepted = body["accepted"].as_str().unwrap_or_default();
        assert!(!accepted.is_empty(), "{path}: {body}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            chinese(error) && error.contains(parameter) && error.contains(value.unwrap_or("")),
            "{path}: {error}"
        );
    }
    // Valid values, together, find what they did before; empty ones are "all".
    let all = "/api/v1/search?q=%E6%B4%BE%E5%87%BA%E6%89%80&kind=post&category=inaction&flagged=true&since=7d&offset=0&limit=5&facets=true";
    let reply = client.get(all, &cookie);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["total"], 1, "{}", reply.body);
    assert_eq!(reply.body["hits"][0]["id"], "p1");
    let reply = client.get("/api/v1/search?q=&kind=&category=&since=", &cookie);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["total"], 2, "{}", reply.body);
    let reply = client.get("/api/v1/search?q=&flagged=false", &cookie);
    assert_eq!(
        reply.body["total"], 1,
        "only the item not flagged: {}",
        reply.body
    );
    assert_eq!(
        client
            .get("/api/v1/cases?overdue=false&limit=5", &cookie)
            .status,
        200
    );
}

#[test]
fn the_search_page_says_which_filters_it_ignored_and_searches_without_them() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    let (status, page) = client.page(
        "/?q=%E6%B4%BE%E5%87%BA%E6%89%80&from=2026-13-45&sort=score&offset=abc&kind=tweet&since=%3Cb%3Ebogus",
        &cookie,
    );
    assert_eq!(status, 200);
    let warning = &page[page.find("class=\"warning\"").expect("a warning")..];
    let warning = &warning[..warning.find("</div>").unwrap()];
    for said in [
        "参数 from 的值“2026-13-45”不是有效日期（格式 YYYY-MM-DD），已忽略。",
        "参数 sort 的值“score”无效（可选值：relevance、time），已忽略。",
        "参数 offset 的值“abc”无效",
        "参数 kind 的值“tweet”无效（可选值：post、news、petition）",
        // What was sent is shown as text, never as markup.
        "参数 since 的值“&lt;b&gt;bogus”不是有效时长",
    ] {
        assert!(warning.contains(said), "{said}: {warning}");
    }
    assert!(!page.contains("<b>bogus"), "{page}");
    // The warning comes first; the search still ran, without those values.
    assert!(
        page.find("class=\"warning\"") < page.find("<form"),
        "{page}"
    );
    assert!(
        page.contains("共 1 条") && page.contains("/items/p1"),
        "{page}"
    );
    // Links carry what was used, not what was ignored.
    let export = &page[page.find("/export.csv?").unwrap()..];
    let export = &export[..export.find('"').unwrap()];
    assert!(
        !export.contains("2026-13-45") && !export.contains("tweet"),
        "{export}"
    );
    let (status, csv) = client.page(&export.replace("&amp;", "&"), &cookie);
    assert_eq!(status, 200, "the page's export link works: {csv}");

    // Valid filters: no warning, and the results they always gave.
    let (_, fine) = client.page(
        "/?q=%E6%B4%BE%E5%87%BA%E6%89%80&from=2026-01-01&to=2099-12-31&sort=time&kind=post&flagged=1&since=30d&offset=0",
        &cookie,
    );
    assert!(!fine.contains("class=\"warning\""), "{fine}");
    assert!(fine.contains("共 1 条"), "{fine}");
    // The review queue says so too.
    let (status, review) = client.page("/review?status=closed&level=urgent", &cookie);
    assert_eq!(status, 200);
    assert!(
        review.contains("参数 status 的值“closed”无效")
            && review.contains("参数 level 的值“urgent”无效"),
        "{review}"
    );
}

#[test]
fn the_csv_export_refuses_what_the_api_refuses() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    for (query, parameter) in [
        ("q=&to=2026-02-30", "to"),
        ("q=&category=rudeness", "category"),
        ("q=&offset=-1", "offset"),
        ("q=&colour=red", "colour"),
    ] {
        let reply = client.get(&format!("/export.csv?{query}"), &cookie);
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert_eq!(reply.body["parameter"], parameter, "{}", reply.body);
        assert!(
            chinese(reply.body["error"].as_str().unwrap()),
            "{}",
            reply.body
        );
    }
    let (status, csv) = client.page("/export.csv?q=&to=2099-12-31&sort=time", &cookie);
    assert_eq!(status, 200);
    assert!(csv.contains("p1") && csv.contains("p2"), "{csv}");
}

#[test]
fn api_refusals_are_in_chinese_with_a_stable_code() {
    let server = start();
    let client = Client::new(&server);
    let anonymous = client.send("GET", "/api/v1/cases", None, None, None, None);
    let wrong = client.send(
        "POST",
        "/api/v1/login",
        None,
        None,
        Some(json!({"username": "ana", "password": "not-it"})),
        None,
    );
    let (analyst, analyst_csrf, _) = client.login("ana");
    let (reviewer, csrf, _) = client.login("rev");
    let case = client.get("/api/v1/cases", &reviewer).body[0]["id"]
        .as_i64()
        .unwrap();
    let change = |path: &str, cookie: &str, csrf: Option<&str>, body: Value| {
        client.send("POST", path, Some(cookie), csrf, Some(body), None)
    };
    let case_path = format!("/api/v1/cases/{case}");
    let checks = [
        (anonymous, 401, "unauthenticated"),
        (wrong, 401, "wrong_credentials"),
        (client.get("/api/v1/users", &analyst), 403, "role_too_low"),
        (
            change(
                &case_path,
                &analyst,
                Some(&analyst_csrf),
                json!({"status": "in_review"}),
            ),
            403,
            "role_too_low",
        ),
        (
            change(&case_path, &reviewer, None, json!({"status": "in_review"})),
            403,
            "csrf_failed",
        ),
        (
            client.get("/api/v1/items/none", &analyst),
            404,
            "item_not_found",
        ),
        (
            change(
                "/api/v1/cases/999999",
                &reviewer,
                Some(&csrf),
                json!({"status": "in_review"}),
            ),
            404,
            "case_not_found",
        ),
        (
            change("/api/v1/cases/abc", &reviewer, Some(&csrf), json!({})),
            400,
            "invalid_parameter",
        ),
        (
            client.get("/api/v1/no-such-thing", &analyst),
            404,
            "no_such_endpoint",
        ),
        (
            change(&case_path, &reviewer, Some(&csrf), json!({})),
            400,
            "nothing_to_change",
        ),
        (
            change(&case_path, &reviewer, Some(&csrf), json!({"status": 5})),
            422,
            "invalid_body",
        ),
        (
            change(
                &case_path,
                &reviewer,
                Some(&csrf),
                json!({"status": "done"}),
            ),
            422,
            "unknown_status",
        ),
        (
            change(
                &case_path,
                &reviewer,
                Some(&csrf),
                json!({"status": "dismissed"}),
            ),
            422,
            "reason_required",
        ),
        (
            client.get("/api/v1/search?q=(%E6%B0%91%E8%AD%A6", &analyst),
            400,
            "query_syntax",
        ),
    ];
    for (reply, status, code) in checks {
        assert_eq!(
            (reply.status, reply.body["code"].as_str()),
            (status, Some(code)),
            "{}",
            reply.body
        );
        let error = reply.body["error"].as_str().unwrap_or_default();
        assert!(chinese(error), "{code}: {error}");
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    // A query error says where, in Chinese, in the API and on the page.
    let reply = client.get("/api/v1/search?q=(%E6%B0%91%E8%AD%A6", &analyst);
    assert_eq!(reply.body["column"], 1, "{}", reply.body);
    assert!(
        reply.body["error"]
            .as_str()
            .unwrap()
            .starts_with("查询语法错误（第 1 列）："),
        "{}",
        reply.body
    );
    let (status, page) = client.page("/?q=%E6%B0%91%E8%AD%A6%20colour%3Ared", &analyst);
    assert_eq!(status, 200);
    assert!(
        page.contains("<p class=\"error\">查询语法错误（第 4 列）：没有字段“colour”"),
        "{page}"
    );
    assert!(
        !page.contains("unknown field") && !page.contains("column"),
        "{page}"
    );
}

/// The x labels a 48-hour chart ending with the hour of `now` has in
/// Shanghai (the office's default zone): every sixth hour, the date at
/// midnight.
fn x_labels(now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    use chrono::{TimeZone, Timelike};
    let hour = now.timestamp().div_euclid(3600);
    (hour - 47..=hour)
        .map(|h| {
            chrono_tz::Asia::Shanghai
                .timestamp_opt(h * 3600, 0)
                .unwrap()
        })
        .filter(|t| t.hour() % 6 == 0)
        .map(|t| {
            t.format(if t.hour() == 0 { "%m-%d" } else { "%H:%M" })
                .to_string()
        })
        .collect()
}

#[test]
fn trend_charts_have_a_scale_and_local_time_labels() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    let before = chrono::Utc::now();
    let (status, page) = client.page("/trends", &cookie);
    let after = chrono::Utc::now();
    assert_eq!(status, 200);
    // The first chart: posts over the last 48 hours (p1 came in today).
    let start = page.find("<svg").expect("a chart");
    let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
    let said = &page[..start];
    let total: u32 = said[said.rfind("共 ").unwrap() + "共 ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(svg.contains("role=\"img\""), "{svg}");
    let label = &svg[svg.find("aria-label=\"").unwrap()..];
    let label = &label[..label[12..].find('"').unwrap() + 12];
    let max: u32 = label[label.find("最高 ").unwrap() + "最高 ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        total >= 1 && (1..=total).contains(&max) && label.contains(&format!("共 {total} 条")),
        "{label}"
    );
    // The y axis starts at 0 and reaches at least the maximum.
    let y_ticks: Vec<u32> = svg
        .split("class=\"y-tick\"")
        .skip(1)
        .map(|t| {
            t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()]
                .parse()
                .unwrap()
        })
        .collect();
    assert!(
        y_ticks.len() >= 2 && y_ticks[0] == 0 && *y_ticks.last().unwrap() >= max,
        "{y_ticks:?}"
    );
    // The x axis in local time (the hour may turn during the request).
    let x_ticks: Vec<String> = svg
        .split("class=\"x-tick\"")
        .skip(1)
        .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].to_string())
        .collect();
    assert!(
        x_ticks == x_labels(before) || x_ticks == x_labels(after),
        "{x_ticks:?} vs {:?}",
        x_labels(before)
    );
    // Each bar keeps its tooltip.
    assert_eq!(svg.matches("<rect").count(), 48, "{svg}");
    assert_eq!(svg.matches("<title>").count(), 48, "{svg}");
}

#[test]
fn a_path_the_server_does_not_have_is_a_page_saying_so() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    let (status, html) = client.page("/no-such-page", &cookie);
    assert_eq!(status, 404);
    assert!(html.contains("没有这个页面"), "{html}");
    assert!(html.contains("href=\"/\""), "{html}");
}
