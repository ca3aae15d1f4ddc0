//! The JSON API over real HTTP on 127.0.0.1: every endpoint × role
//! (401 / 403), CSRF and cross-site refusal, the session cookie's
//! attributes, rotation and logout, login throttling that does not tell
//! users apart, audited views, and routes matching the OpenAPI document.

use super::common::Fixture;
use serde_json::{Value, json};
use std::net::SocketAddr;
use yuqing::store::{Role, Store};

pub(super) struct Server {
    pub(super) base: String,
    pub(super) _fixture: Fixture,
}

/// A data directory with two items, a case and three users (analyst `ana`,
/// reviewer `rev`, admin `adm`, password `a-long-enough-password`), served
/// on a loopback port.
pub(super) fn start() -> Server {
    let mut fixture = Fixture::new();
    fixture.ingest(&[
        json!({"id": "p1", "title": "城关派出所民警推诿", "text": "打了三次110，城关派出所一直没人出警，民警态度恶劣。", "kind": "post"}),
        // Entity-encoded markup decodes to a literal tag: the pages must escape it.
        json!({"id": "p2", "title": "&lt;img src=x onerror=alert(1)&gt;交警公告", "text": "交警查酒驾，注意安全。&lt;script&gt;alert(2)&lt;/script&gt;", "kind": "news", "published_at": "2026-11-20T09:55:00Z"}),
    ]);
    {
        let mut store = Store::open(&fixture.data().join("yuqing.db")).unwrap();
        for (name, role) in [
            ("ana", Role::Analyst),
            ("rev", Role::Reviewer),
            ("adm", Role::Admin),
        ] {
            store
                .put_user(name, role, "a-long-enough-password")
                .unwrap();
        }
        yuqing::review::raise_cases(&mut store, &Default::default(), &[], chrono::Utc::now())
            .unwrap();
    }
    let app = fixture.app.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let state = yuqing::web::state(app, &addr).unwrap();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                yuqing::web::serve(listener, state, std::future::pending())
                    .await
                    .unwrap();
            });
    });
    Server {
        base: format!("http://{addr}"),
        _fixture: fixture,
    }
}

/// A tiny client: requests with an optional cookie and CSRF token.
pub(super) struct Client {
    pub(super) base: String,
    pub(super) runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: reqwest::header::HeaderMap,
    pub(super) body: Value,
}

impl Client {
    pub(super) fn new(server: &Server) -> Client {
        Client {
            base: server.base.clone(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::new(),
        }
    }

    pub(super) fn send(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        csrf: Option<&str>,
        body: Option<Value>,
        origin: Option<&str>,
    ) -> Reply {
        self.runtime.block_on(async {
            let mut request = self
                .http
                .request(method.parse().unwrap(), format!("{}{path}", self.base));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            if let Some(csrf) = csrf {
                request = request.header("x-csrf-token", csrf);
            }
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/json")
                    .body(body.to_string());
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = response.text().await.unwrap();
            Reply {
                status,
                headers,
                body: serde_json::from_str(&text).unwrap_or(Value::Null),
            }
        })
    }

    /// `GET path` with a session cookie.
    pub(super) fn get(&self, path: &str, cookie: &str) -> Reply {
        self.send("GET", path, Some(cookie), None, None, None)
    }

    /// `GET path` with a session cookie: the status and the text (a page).
    pub(super) fn page(&self, path: &str, cookie: &str) -> (u16, String) {
        self.runtime.block_on(async {
            let response = self
                .http
                .get(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    }

    /// Logs in; returns (cookie header value, csrf token, Set-Cookie).
    pub(super) fn login(&self, user: &str) -> (String, String, String) {
        let reply = self.send(
            "POST",
            "/api/v1/login",
            None,
            None,
            Some(json!({"username": user, "password": "a-long-enough-password"})),
            None,
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let set_cookie = reply.headers["set-cookie"].to_str().unwrap().to_string();
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        (
            cookie,
            reply.body["csrf"].as_str().unwrap().to_string(),
            set_cookie,
        )
    }
}

#[test]
fn every_endpoint_checks_the_session_and_the_role() {
    let server = start();
    let client = Client::new(&server);
    let case_id = {
        let (cookie, _, _) = client.login("ana");
        let cases = client.get("/api/v1/cases", &cookie);
        assert_eq!(cases.status, 200);
        cases.body[0]["id"]
            .as_i64()
            .expect("the flagged item raised a case")
    };
    let case_path = format!("/api/v1/cases/{case_id}");
    let gets = [
        "/api/v1/search?q=派出所",
        "/api/v1/items/p1",
        "/api/v1/cases",
        "/api/v1/trends",
        "/api/v1/sources",
        "/api/v1/users",
    ];
    // Without a session: 401 everywhere but the open routes.
    for path in gets {
        assert_eq!(
            client.send("GET", path, None, None, None, None).status,
            401,
            "{path}"
        );
    }
    let change = json!({"status": "in_review", "note": "看一下"});
    assert_eq!(
        client
            .send("POST", &case_path, None, None, Some(change.clone()), None)
            .status,
        401
    );
    assert_eq!(
        client
            .send("GET", "/api/v1/openapi.json", None, None, None, None)
            .status,
        200
    );

    // Each role: reads for all, case actions from reviewer, users for admin.
    for (user, can_change, can_list_users) in [
        ("ana", false, false),
        ("rev", true, false),
        ("adm", true, true),
    ] {
        let (cookie, csrf, _) = client.login(user);
        for path in gets {
            let expected = if path == "/api/v1/users" && !can_list_users {
                403
            } else {
                200
            };
            let reply = client.get(path, &cookie);
            assert_eq!(reply.status, expected, "{user} GET {path}: {}", reply.body);
            assert!(
                reply.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json")
            );
            assert!(
                reply.headers["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("default-src 'none'")
            );
        }
        let note = json!({"note": format!("{user} 备注"), "status": if user == "rev" { "in_review" } else { "confirmed" }});
        let reply = client.send(
            "POST",
            &case_path,
            Some(&cookie),
            Some(&csrf),
            Some(note),
            None,
        );
        assert_eq!(
            reply.status,
            if can_change { 200 } else { 403 },
            "{user}: {}",
            reply.body
        );
    }
    // Every route of the document answers (no 404 / 405).
    for (method, path) in yuqing::web::openapi::ROUTES {
        let path = path.replace("{id}", "p1");
        let status = client
            .send(
                &method.to_uppercase(),
                &path,
                None,
                None,
                Some(json!({})),
                None,
            )
            .status;
        assert!(![404, 405].contains(&status), "{method} {path}: {status}");
    }
}

#[test]
fn csrf_cookies_rotation_logout_and_throttling() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, csrf, set_cookie) = client.login("rev");
    assert!(cookie.starts_with("__Host-yuqing="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    let cases = client.get("/api/v1/cases", &cookie);
    let path = format!("/api/v1/cases/{}", cases.body[0]["id"]);
    let change = || Some(json!({"status": "in_review", "note": "核查"}));
    // No token, a wrong token, another site: refused.
    assert_eq!(
        client
            .send("POST", &path, Some(&cookie), None, change(), None)
            .status,
        403
    );
    assert_eq!(
        client
            .send("POST", &path, Some(&cookie), Some("forged"), change(), None)
            .status,
        403
    );
    assert_eq!(
        client
            .send(
                "POST",
                &path,
                Some(&cookie),
                Some(&csrf),
                change(),
                Some("https://evil.example")
            )
            .status,
        403
    );
    assert_eq!(
        client
            .send("POST", &path, Some(&cookie), Some(&csrf), change(), None)
            .status,
        200
    );
    // A new login rotates the session; logout ends it.
    let (second, second_csrf, _) = client.login("rev");
    assert_ne!(second, cookie);
    assert_eq!(
        client
            .send(
                "POST",
                "/api/v1/logout",
                Some(&second),
                Some(&second_csrf),
                None,
                None
            )
            .status,
        204
    );
    assert_eq!(client.get("/api/v1/cases", &second).status, 401);

    // Throttling: wrong passwords and unknown users get the same answer;
    // after 10 failures in 15 minutes the account gets 429 + Retry-After
    // (at most the window's 900 s).
    let wrong = |user: &str| {
        client.send(
            "POST",
            "/api/v1/login",
            None,
            None,
            Some(json!({"username": user, "password": "not-the-password"})),
            None,
        )
    };
    let unknown = wrong("nobody");
    let bad = wrong("ana");
    assert_eq!((unknown.status, &unknown.body), (bad.status, &bad.body));
    for _ in 0..9 {
        assert_eq!(wrong("ana").status, 401);
    }
    let throttled = wrong("ana");
    assert_eq!(throttled.status, 429);
    let retry: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    let right = client.send(
        "POST",
        "/api/v1/login",
        None,
        None,
        Some(json!({"username": "ana", "password": "a-long-enough-password"})),
        None,
    );
    assert_eq!(right.status, 429, "even the right password waits");
    assert_eq!(
        client.login("rev").0.len(),
        cookie.len(),
        "other accounts are not affected"
    );
    // Failed logins are on record, like the ones that succeed.
    let store = Store::open_read_only(&server._fixture.data().join("yuqing.db")).unwrap();
    let failed: Vec<String> = store
        .audit_entries(None, 500)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "login.failed")
        .map(|e| e.target)
        .collect();
    assert_eq!(failed.iter().filter(|t| *t == "user:ana").count(), 10);
    assert!(failed.contains(&"user:nobody".to_string()), "{failed:?}");
}

#[test]
fn views_and_searches_are_audited_and_search_matches_the_cli_json() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    let found = client.get(
        "/api/v1/search?q=%E6%B4%BE%E5%87%BA%E6%89%80&facets=true",
        &cookie,
    );
    assert_eq!(found.status, 200);
    assert_eq!(found.body["total"], 1);
    for key in [
        "id",
        "score",
        "title",
        "url",
        "kind",
        "source",
        "published_at",
        "flagged",
        "categories",
        "snippet",
        "highlights",
    ] {
        assert!(found.body["hits"][0].get(key).is_some(), "{key}");
    }
    let bad = client.send(
        "GET",
        "/api/v1/search?q=(%E6%B0%91%E8%AD%A6",
        Some(&cookie),
        None,
        None,
        None,
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body["column"].is_number(), "{}", bad.body);
    assert_eq!(bad.body["code"], "query_syntax", "{}", bad.body);
    let item = client.get("/api/v1/items/p2", &cookie);
    assert_eq!(item.status, 200);
    assert_eq!(client.get("/api/v1/items/none", &cookie).status, 404);
    let store = Store::open_read_only(&server._fixture.data().join("yuqing.db")).unwrap();
    let log = store.audit_entries(None, 20).unwrap();
    let actions: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str()))
        .collect();
    assert!(
        actions.contains(&("ana", "search", "派出所")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("ana", "item.view", "item:p2")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("ana", "login", "user:ana")),
        "{actions:?}"
    );
}

#[test]
fn pages_need_a_session_render_escaped_text_and_export_is_audited() {
    let server = start();
    let client = Client::new(&server);
    let get = |path: &str, cookie: Option<&str>| -> (u16, reqwest::header::HeaderMap, String) {
        client.runtime.block_on(async {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut request = http.get(format!("{}{path}", client.base));
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            (status, headers, response.text().await.unwrap())
        })
    };
    // No session: the pages send you to the login page (which needs no session).
    for path in ["/", "/items/p1", "/review", "/trends", "/sources"] {
        let (status, headers, _) = get(path, None);
        assert_eq!(status, 303, "{path}");
        assert!(
            headers["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next="),
            "{path}"
        );
    }
    assert_eq!(get("/export.csv?q=x", None).0, 401);
    let (status, headers, login) = get("/login", None);
    assert_eq!(status, 200);
    assert!(login.contains("id=\"login-form\""));
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert!(!login.contains("<script>"), "no inline script");
    assert_eq!(get("/static/app.js", None).0, 200);

    let (analyst, _, _) = client.login("ana");
    let (status, _, page) = get("/?q=%E6%B4%BE%E5%87%BA%E6%89%80", Some(&analyst));
    assert_eq!(status, 200);
    assert!(page.contains("<mark>派出所</mark>"), "{page}");
    assert!(page.contains("导出 CSV"));
    // Facets name kinds and categories in Chinese, and filter by their key.
    assert!(
        page.contains("kind%3Apost\">帖子</a> 1") && page.contains(">不作为</a>"),
        "{page}"
    );
    // Filters: unit (a field of the query) and a date range.
    let (_, _, by_unit) = get(
        "/?q=&unit=%E5%9F%8E%E5%85%B3%E6%B4%BE%E5%87%BA%E6%89%80",
        Some(&analyst),
    );
    assert!(by_unit.contains("共 1 条"), "{by_unit}");
    // Facet links keep the other filters, so their counts are what they find.
    let (_, _, flagged) = get(
        "/?q=%E6%B4%BE%E5%87%BA%E6%89%80&flagged=1&since=7d",
        Some(&analyst),
    );
    assert!(
        flagged.contains("kind%3Apost&amp;flagged=1&amp;since=7d\">帖子</a> 1"),
        "{flagged}"
    );
    // Without words to rank by, newest first (p1 is today's, p2 from the 20th).
    let (_, _, all) = get("/", Some(&analyst));
    assert!(all.contains("按时间，最新在前"), "{all}");
    let (p1, p2) = (
        all.find("/items/p1").unwrap(),
        all.find("/items/p2").unwrap(),
    );
    assert!(p1 < p2, "{all}");
    // Past the last page: said, with a way back.
    let (_, _, past) = get("/?q=&offset=9999", Some(&analyst));
    assert!(
        past.contains("没有更多结果") && past.contains("offset=0\">最后一页"),
        "{past}"
    );
    let (_, _, old_range) = get(
        "/?q=%E6%B4%BE%E5%87%BA%E6%89%80&from=2000-01-01&to=2000-01-02",
        Some(&analyst),
    );
    assert!(old_range.contains("共 0 条"), "{old_range}");
    // Hostile crawled text is inert wherever it shows.
    let (_, _, page) = get("/?q=%E4%BA%A4%E8%AD%A6", Some(&analyst));
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    assert!(!page.contains("<img src=x"));
    // Times in the office's zone (Asia/Shanghai by default), as the CLI
    // and the other pages show them: 09:55 UTC is 17:55 there.
    assert!(page.contains("2026-11-20 17:55"), "{page}");
    let (status, _, item) = get("/items/p2", Some(&analyst));
    assert_eq!(status, 200);
    assert!(!item.contains("<img src=x") && item.contains("&lt;img"));
    assert!(item.contains("2026-11-20 17:55"), "{item}");
    let (_, _, review) = get("/review", Some(&analyst));
    assert!(
        review.contains("审核队列") && !review.contains("case-action"),
        "analysts see no actions"
    );
    let (reviewer, _, _) = client.login("rev");
    let (_, _, review) = get("/review", Some(&reviewer));
    assert!(
        review.contains("class=\"case-action"),
        "reviewers get the actions"
    );
    // Dismissal reasons read in Chinese; their keys are what is sent.
    assert!(
        review.contains("value=\"not_police\">与公安无关</option>"),
        "{review}"
    );
    for path in ["/trends", "/sources"] {
        assert_eq!(get(path, Some(&analyst)).0, 200, "{path}");
    }
    // A source crawled before but not in the configuration is listed, its
    // health in Chinese.
    {
        let mut store = Store::open(&server._fixture.data().join("yuqing.db")).unwrap();
        store
            .save_source_state(&yuqing::store::SourceState {
                name: "old-forum".into(),
                last_attempt_at: Some("2026-11-28T08:00:00Z".into()),
                last_outcome: Some("blocked".into()),
                last_error: Some("HTTP 403".into()),
                consecutive_failures: 2,
                ..Default::default()
            })
            .unwrap();
    }
    let (_, _, sources) = get("/sources", Some(&analyst));
    assert!(
        sources.contains("<td>old-forum</td><td>未配置</td><td>被屏蔽</td>")
            && sources.contains("HTTP 403"),
        "{sources}"
    );
    let (status, headers, csv) = get("/export.csv?q=%E6%B4%BE%E5%87%BA%E6%89%80", Some(&analyst));
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.contains("id,published_at") && csv.contains("p1"),
        "{csv}"
    );
    // A query that does not parse is the user's mistake, answered as the
    // API answers it (in Chinese, with its code), not a server error.
    for query in ["%22x", "category:zzz"] {
        let (status, _, text) = get(&format!("/export.csv?q={query}"), Some(&analyst));
        assert_eq!(status, 400, "{query}: {text}");
        let error: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(error["code"], "query_syntax", "{text}");
        assert!(
            error["error"].as_str().unwrap().starts_with("查询语法错误"),
            "{text}"
        );
    }
    let store = Store::open_read_only(&server._fixture.data().join("yuqing.db")).unwrap();
    let log = store.audit_entries(None, 30).unwrap();
    assert!(
        log.iter().any(|e| e.actor == "ana" && e.action == "export"),
        "exports are audited"
    );
    assert!(
        log.iter()
            .any(|e| e.actor == "ana" && e.action == "item.view" && e.target == "item:p2")
    );
}

/// Polls `query`'s total through the API until it is `want` (30 s at most:
/// the server reloads about half a second after a commit).
fn wait_for_total(client: &Client, cookie: &str, query: &str, want: u64) -> u64 {
    let query: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let path = format!("/api/v1/search?q={query}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let reply = client.get(&path, cookie);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let total = reply.body["total"].as_u64().unwrap();
        if total == want || std::time::Instant::now() > deadline {
            return total;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn a_running_server_sees_later_imports_and_purges() {
    let mut server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    assert_eq!(wait_for_total(&client, &cookie, "石桥", 0), 0);
    // Imported after the server started (a crawl, `yuqing ingest`).
    server._fixture.ingest(&[json!({
        "id": "later", "title": "石桥派出所", "kind": "post",
        "text": "石桥派出所的民警半夜才来，来了也不管。"
    })]);
    assert_eq!(wait_for_total(&client, &cookie, "石桥", 1), 1);
    // A retention purge: the purged items must not stay searchable.
    let writer = &server._fixture.writer;
    let cutoff = chrono::Utc::now() + chrono::Duration::hours(1);
    let mut batch = writer.index.writer().unwrap();
    batch.delete_published_before(cutoff).unwrap();
    batch.commit(&writer.index.watermark().unwrap()).unwrap();
    drop(batch);
    assert_eq!(wait_for_total(&client, &cookie, "石桥", 0), 0);
    assert_eq!(wait_for_total(&client, &cookie, "派出所", 0), 0);
}

#[test]
fn case_filters_no_case_can_match_are_a_400_naming_the_valid_values() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    for (query, parameter, value, valid) in [
        ("status=foo", "status", "foo", "in_review"),
        ("level=urgent", "level", "urgent", "critical"),
        ("category=foo", "category", "foo", "violence_or_abuse"),
    ] {
        let reply = client.get(&format!("/api/v1/cases?{query}"), &cookie);
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        let body = &reply.body;
        assert_eq!(
            (&body["code"], &body["parameter"], &body["value"]),
            (
                &json!("invalid_parameter"),
                &json!(parameter),
                &json!(value)
            ),
            "{body}"
        );
        let error = body["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(&format!("参数 {parameter} 的值“{value}”")) && error.contains(valid),
            "{error}"
        );
        assert!(body["accepted"].as_str().unwrap().contains(valid), "{body}");
    }
    // Valid values, and an empty one (a form's "all"), still list.
    for query in ["status=new&level=high", "status=&category="] {
        let reply = client.get(&format!("/api/v1/cases?{query}"), &cookie);
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        assert!(reply.body.is_array(), "{}", reply.body);
    }
}

#[test]
fn a_case_is_not_assigned_to_a_user_who_does_not_exist() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, csrf, _) = client.login("rev");
    let cases = client.get("/api/v1/cases", &cookie);
    let case_path = format!("/api/v1/cases/{}", cases.body[0]["id"].as_i64().unwrap());
    let post = |body: Value| {
        client.send(
            "POST",
            &case_path,
            Some(&cookie),
            Some(&csrf),
            Some(body),
            None,
        )
    };
    for body in [
        json!({"assignee": "ghost"}),
        json!({"assignee": "ghost", "status": "confirmed", "note": "核实"}),
    ] {
        let reply = post(body.clone());
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.body["code"], "unknown_assignee", "{}", reply.body);
        let error = reply.body["error"].as_str().unwrap_or_default();
        assert!(error.contains("没有用户“ghost”"), "{error}");
        assert!(
            error.contains("adm, rev"),
            "lists the accounts that can work cases: {error}"
        );
    }
    // An analyst can read a case but not act on it: not an assignee.
    let reply = post(json!({"assignee": "ana"}));
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["code"], "assignee_cannot_work", "{}", reply.body);
    assert!(
        reply.body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("“ana”是分析员"),
        "{}",
        reply.body
    );
    let reply = client.get("/api/v1/cases", &cookie);
    assert_eq!(
        reply.body[0]["status"], "new",
        "nothing changed: {}",
        reply.body
    );
    assert!(reply.body[0]["assignee"].is_null(), "{}", reply.body);

    let reply = post(json!({"assignee": "rev"}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["assignee"], "rev");
}

#[test]
fn trends_refuse_a_window_the_detector_does_not_have() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    let get = |query: &str| client.get(&format!("/api/v1/trends{query}"), &cookie);
    for query in ["?window=2h", "?window=7d", "?window=30m"] {
        let reply = get(query);
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert_eq!(reply.body["code"], "invalid_parameter", "{}", reply.body);
        assert_eq!(reply.body["parameter"], "window", "{}", reply.body);
        assert_eq!(reply.body["accepted"], "1h, 24h", "{}", reply.body);
    }
    for query in ["", "?window=1h", "?window=24h"] {
        assert_eq!(get(query).status, 200, "{query}");
    }
}

#[test]
fn limits_are_checked_and_a_cut_list_says_how_many_match() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, _, _) = client.login("ana");
    for path in ["/api/v1/search?q=&limit=0", "/api/v1/cases?limit=0"] {
        let reply = client.get(path, &cookie);
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
    }
    let all = client.get("/api/v1/cases", &cookie);
    let total = all.body.as_array().unwrap().len();
    assert!(total >= 1, "{}", all.body);
    let one = client.get("/api/v1/cases?limit=1", &cookie);
    assert_eq!(one.body.as_array().unwrap().len(), 1);
    assert_eq!(
        one.headers["x-total-count"].to_str().unwrap(),
        total.to_string()
    );
}

#[test]
fn the_item_page_shows_its_case_with_the_reviewers_notes() {
    let server = start();
    let client = Client::new(&server);
    let (cookie, csrf, _) = client.login("rev");
    let cases = client.get("/api/v1/cases", &cookie);
    let case = cases
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["item_id"] == "p1")
        .cloned();
    let id = case.expect("p1 has a case")["id"].as_i64().unwrap();
    let reply = client.send(
        "POST",
        &format!("/api/v1/cases/{id}"),
        Some(&cookie),
        Some(&csrf),
        Some(json!({"assignee": "rev", "note": "已联系报警人<核实>"})),
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page = client.runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{}/items/p1", client.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(page.contains(&format!("审核案件 #{id}")), "{page}");
    assert!(
        page.contains("状态：核查中") && page.contains("经办人：rev"),
        "{page}"
    );
    assert!(page.contains("rev：已联系报警人&lt;核实&gt;"), "{page}");
}
