//! `yuqing crawl` against a real HTTP server on 127.0.0.1 serving fixture
//! feeds: a GBK RSS feed with an ETag (304 on the second crawl), an Atom
//! feed, a malformed feed. Items are decoded right, stored once, and the
//! source health says what happened.

use super::common::{run, yuqing};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const RSS: &str = r#"<?xml version="1.0" encoding="GBK"?>
<rss version="2.0"><channel><title>江城新闻</title>
<item><title>城关派出所民警推诿不出警</title><link>/news/1.html?utm_source=rss</link>
<description><![CDATA[<p>市民反映：打了三次110，城关派出所一直没人出警，民警态度恶劣。</p>]]></description>
<pubDate>Sat, 28 Nov 2026 08:00:00 +0800</pubDate></item>
<item><title>交警支队发布出行提醒</title><link>/news/2.html</link>
<description>受降雪影响，请市民减速慢行。</description><pubDate>Sat, 28 Nov 2026 07:00:00 +0800</pubDate></item>
</channel></rss>"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>留言板</title><id>urn:board</id><updated>2026-11-28T00:00:00Z</updated>
<entry><title>户籍窗口办事难</title><id>urn:m1</id><link href="/m/1"/><updated>2026-11-27T10:00:00Z</updated>
<author><name>网友甲</name></author><summary>办户口迁移来回跑了五趟。</summary></entry></feed>"#;

const LIST_1: &str = r#"<ul class="news"><li><a href="/site/a1.html">一</a></li><li><a href="/site/a2.html">二</a></li><li><a href="/site/a1.html#c">一</a></li></ul><a class="next" href="/site/list2.html">下一页</a>"#;
const LIST_2: &str = r#"<ul class="news"><li><a href="/site/a3.html">三</a></li></ul>"#;

pub(super) fn html_page(body: impl Into<String>) -> axum::response::Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// Runs yuqing in `dir` with its `yuqing.toml`: (exit code, stdout, stderr).
pub(super) fn cli(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    run(yuqing(dir).args(["--config", "yuqing.toml"]).args(args))
}

/// Serves `app` on a loopback port from a thread of its own; returns the address.
/// A temporary directory holding `yuqing.toml`: data in `data/`, no delay
/// between requests to one host, and `sources` (`[[sources]]` tables).
pub(super) fn crawl_dir(sources: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("yuqing.toml"),
        format!("[storage]\ndata_dir = \"data\"\n\n[crawl]\nper_host_delay_ms = 0\n\n{sources}"),
    )
    .unwrap();
    dir
}

/// `yuqing --config yuqing.toml crawl` in `dir`, started and left running
/// (output discarded), for tests that kill it mid-way.
pub(super) fn spawn_crawl(dir: &std::path::Path) -> std::process::Child {
    yuqing(dir)
        .args(["--config", "yuqing.toml", "crawl"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

pub(super) fn serve(app: Router) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

struct Server {
    addr: SocketAddr,
    rss_full_responses: Arc<AtomicUsize>,
}

fn start_server() -> Server {
    let rss_full_responses = Arc::new(AtomicUsize::new(0));
    let counter = rss_full_responses.clone();
    let board_visits = Arc::new(AtomicUsize::new(0));
    let addr = serve(
        Router::new()
        .route(
            "/rss.xml",
            get(move |headers: HeaderMap| {
                let counter = counter.clone();
                async move {
                    if headers
                        .get(header::IF_NONE_MATCH)
                        .and_then(|v| v.to_str().ok())
                        == Some("\"v1\"")
                    {
                        return StatusCode::NOT_MODIFIED.into_response();
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    let (gbk, _, _) = encoding_rs::GBK.encode(RSS);
                    (
                        [
                            (header::CONTENT_TYPE, "application/rss+xml"),
                            (header::ETAG, "\"v1\""),
                        ],
                        gbk.into_owned(),
                    )
                        .into_response()
                }
            }),
        )
        .route("/site/list.html", get(|| async { html_page(LIST_1) }))
        .route("/site/list2.html", get(|| async { html_page(LIST_2) }))
        .route(
            "/site/{page}",
            get(|axum::extract::Path(page): axum::extract::Path<String>| async move {
                let n = page.trim_start_matches('a').trim_end_matches(".html").to_string();
                html_page(format!(
                    "<html><head><title>江城新闻网</title></head><body><nav>首页 | 新闻</nav><h1>第{n}条新闻：东湖派出所回应群众关切</h1><span class=\"time\">2026-11-2{n} 10:00</span><div class=\"content\"><p>第{n}篇正文：东湖派出所民警接警后推诿，群众不满。</p></div><footer>版权所有</footer></body></html>"
                ))
            }),
        )
        .route("/board/list.html", get(|| async { html_page("<ul class=\"msgs\"><li><a href=\"/board/m1.html\">反映城关派出所不立案</a></li></ul>".to_string()) }))
        .route(
            "/board/m1.html",
            get(move || {
                let visits = board_visits.clone();
                async move {
                    let replied = visits.fetch_add(1, Ordering::SeqCst) > 0;
                    let (status, reply) = if replied { ("已回复", "<div class=\"reply\">已责成城关派出所依法受理。</div><span class=\"unit\">城关区公安分局</span>") } else { ("未回复", "") };
                    html_page(format!(
                        "<h1>反映城关派出所不立案</h1><span class=\"time\">2026-11-20 09:00</span><div class=\"content\">电动车被盗，去城关派出所报案，民警推诿不给立案。</div><span class=\"status\">{status}</span>{reply}"
                    ))
                }
            }),
        )
        .route(
            "/api/posts",
            get(|query: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                let body = match query.get("cursor").map(String::as_str) {
                    None => r#"{"data":{"list":[{"id":3,"content":"派出所民警态度恶劣，张口就骂","user":{"name":"网友丙"},"created_at":"2026-11-28T09:00:00+08:00"},{"id":2,"content":"今天天气很好"}],"next":"c2"}}"#,
                    Some("c2") => r#"{"data":{"list":[{"id":1,"content":"交警查酒驾，注意安全"}],"next":null}}"#,
                    Some(_) => r#"{"data":{"list":[],"next":null}}"#,
                };
                ([(header::CONTENT_TYPE, "application/json")], body)
            }),
        )
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /private\n" }),
        )
        .route(
            "/private/rss.xml",
            get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], RSS) }),
        )
        .route(
            "/atom.xml",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
                    ATOM,
                )
            }),
        )
        .route(
            "/forbidden.xml",
            get(|| async { (StatusCode::FORBIDDEN, "forbidden") }),
        )
        .route(
            "/verify.xml",
            get(|| async {
                html_page("<html><head><title>安全验证</title></head><body>访问过于频繁，请完成安全验证后继续。<div id=\"slider\">向右滑动</div></body></html>")
            }),
        )
        .route(
            "/broken.xml",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/rss+xml")],
                    "<rss><channel><item><title>断",
                )
            }),
        ),
    );
    Server {
        addr,
        rss_full_responses,
    }
}

fn write_config(dir: &std::path::Path, addr: SocketAddr) {
    let config = format!(
        r#"[storage]
data_dir = "data"

[crawl]
per_host_delay_ms = 0
timeout_secs = 10

[[sources]]
name = "city-news"
kind = "feed"
url = "http://{addr}/rss.xml"
item_kind = "news"
allow_private = true

[[sources]]
name = "board"
kind = "feed"
url = "http://{addr}/atom.xml"
item_kind = "petition"
allow_private = true

[[sources]]
name = "broken"
kind = "feed"
url = "http://{addr}/broken.xml"
allow_private = true

[[sources]]
name = "forbidden"
kind = "feed"
url = "http://{addr}/forbidden.xml"
allow_private = true

[[sources]]
name = "captcha"
kind = "feed"
url = "http://{addr}/verify.xml"
allow_private = true
"#
    );
    std::fs::write(dir.join("yuqing.toml"), config).unwrap();
}

#[test]
fn crawl_feeds_store_once_and_report_health() {
    let server = start_server();
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), server.addr);
    let crawl = || cli(dir.path(), &["crawl", "--json"]);

    let (code, stdout, stderr) = crawl();
    assert_eq!(
        code, 1,
        "the broken feed makes it a partial failure: {stderr}"
    );
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(runs[0]["source"], "city-news");
    assert_eq!(
        (runs[0]["items"].as_u64(), runs[0]["new"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(runs[0]["encoding"], "GB18030");
    assert_eq!(
        (runs[1]["ok"].as_bool(), runs[1]["new"].as_u64()),
        (Some(true), Some(1))
    );
    assert_eq!(runs[2]["ok"], false);
    assert!(
        runs[2]["error"]
            .as_str()
            .unwrap()
            .contains("malformed feed"),
        "{}",
        runs[2]
    );

    // GBK text decoded, canonical URL, kind from the source, detector ran.
    let (_, stdout, _) = cli(dir.path(), &["search", "出警", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found["total"], 1);
    let hit = &found["hits"][0];
    assert_eq!(hit["title"], "城关派出所民警推诿不出警");
    assert_eq!(hit["url"], format!("http://{}/news/1.html", server.addr));
    assert_eq!(hit["kind"], "news");
    assert_eq!(hit["flagged"], true);
    let (_, stdout, _) = cli(dir.path(), &["search", "kind:petition", "--json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["total"],
        1
    );

    // Second crawl: 304 for the RSS feed, nothing doubled.
    let (_, stdout, _) = crawl();
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(runs[0]["not_modified"], true);
    assert_eq!(server.rss_full_responses.load(Ordering::SeqCst), 1);
    assert_eq!(runs[1]["new"], 0);
    let (_, stdout, _) = cli(dir.path(), &["search", "", "--json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["total"],
        3
    );

    let (code, stdout, _) = cli(dir.path(), &["sources", "--json"]);
    assert_eq!(code, 0);
    let sources: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Health tells "nothing new" from "parse errors" from "blocked".
    assert_eq!(sources[0]["health"], "nothing_new", "304 the second time");
    assert_eq!(sources[0]["state"]["etag"], "\"v1\"");
    assert_eq!(sources[0]["state"]["new_items_total"], 2);
    assert_eq!(sources[0]["retry_at"], serde_json::Value::Null);
    assert_eq!(sources[2]["health"], "parse_error");
    assert_eq!(sources[2]["state"]["consecutive_failures"], 2);
    assert!(
        sources[2]["retry_at"].is_string(),
        "a failing source backs off"
    );
    assert_eq!(sources[3]["health"], "blocked", "403: {}", sources[3]);
    assert_eq!(
        sources[4]["health"], "blocked",
        "captcha page: {}",
        sources[4]
    );
    assert!(
        sources[4]["state"]["last_error"]
            .as_str()
            .unwrap()
            .contains("verification"),
        "{}",
        sources[4]
    );
    let (code, table, _) = cli(dir.path(), &["sources"]);
    assert_eq!(code, 0);
    assert!(
        table.contains("nothing new") && table.contains("parse error"),
        "{table}"
    );
    assert!(table.contains("2 failures in a row"), "{table}");
}

#[test]
fn private_targets_are_refused_unless_the_source_allows_them() {
    let server = start_server();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[[sources]]\nname = \"intranet\"\nkind = \"feed\"\nurl = \"http://{}/rss.xml\"\n",
        server.addr
    );
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let (code, stdout, _) = cli(dir.path(), &["--data", "data", "crawl", "--json"]);
    assert_eq!(code, 1);
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        runs[0]["error"].as_str().unwrap().contains("127.0.0.1"),
        "{}",
        runs[0]
    );
    assert_eq!(
        server.rss_full_responses.load(Ordering::SeqCst),
        0,
        "no request reached the server"
    );
}

#[test]
fn source_config_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x.example/f\"\n\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://y.example/f\"\n";
    std::fs::write(dir.path().join("dup.toml"), config).unwrap();
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--config", "dup.toml", "config", "check"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("dup.toml:7: key `sources[1].name`: `a` is used by two sources"),
        "{stderr}"
    );
    let config = "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x.example/f\"\nschedule = \"every day\"\n";
    std::fs::write(dir.path().join("cron.toml"), config).unwrap();
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--config", "cron.toml", "config", "check"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cron.toml:5: key `sources[0].schedule`"),
        "{stderr}"
    );
    let config = "[[sources]]\nname = \"a\"\nkind = \"html\"\nurl = \"http://x.example/\"\nlink_selector = \"ul >> a\"\n";
    std::fs::write(dir.path().join("css.toml"), config).unwrap();
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--config", "css.toml", "config", "check"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("css.toml:5: key `sources[0].link_selector`"),
        "{stderr}"
    );
    let config =
        "[[sources]]\nname = \"a\"\nkind = \"carrier-pigeon\"\nurl = \"http://x.example/f\"\n";
    std::fs::write(dir.path().join("kind.toml"), config).unwrap();
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--config", "kind.toml", "config", "check"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("kind.toml:3:") && stderr.contains("sources.kind"),
        "{stderr}"
    );
}

#[test]
fn file_sources_take_each_file_version_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("drops")).unwrap();
    let config = "[[sources]]\nname = \"petitions\"\nkind = \"file\"\npath = \"drops/*.jsonl\"\nitem_kind = \"petition\"\n";
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let line =
        |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string() + "\n";
    std::fs::write(
        dir.path().join("drops/a.jsonl"),
        line("p1", "派出所不给立案") + &line("p2", "感谢民警"),
    )
    .unwrap();
    std::fs::write(dir.path().join("drops/ignored.csv"), "id,text\nx,派出所\n").unwrap();
    let crawl = || {
        let (code, stdout, stderr) = cli(dir.path(), &["--data", "data", "crawl", "--json"]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()[0].clone()
    };
    let first = crawl();
    assert_eq!(
        (first["items"].as_u64(), first["new"].as_u64()),
        (Some(2), Some(2))
    );
    let again = crawl();
    assert_eq!(again["items"], 0, "a taken file is not read again");
    // A new version of the file is taken again; its old lines stay single.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut text = std::fs::read_to_string(dir.path().join("drops/a.jsonl")).unwrap();
    text.push_str(&line("p3", "民警态度恶劣"));
    std::fs::write(dir.path().join("drops/a.jsonl"), text).unwrap();
    let third = crawl();
    assert_eq!(
        (third["items"].as_u64(), third["new"].as_u64()),
        (Some(3), Some(1))
    );
    let (_, stdout, _) = cli(
        dir.path(),
        &["--data", "data", "search", "kind:petition", "--json"],
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["total"],
        3
    );
}

#[test]
fn robots_txt_is_obeyed() {
    let server = start_server();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[crawl]\nper_host_delay_ms = 0\n\n[[sources]]\nname = \"hidden\"\nkind = \"feed\"\nurl = \"http://{}/private/rss.xml\"\nallow_private = true\n",
        server.addr
    );
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let (code, stdout, _) = cli(dir.path(), &["--data", "data", "crawl", "--json"]);
    assert_eq!(code, 1);
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        runs[0]["error"]
            .as_str()
            .unwrap()
            .contains("robots.txt disallows"),
        "{}",
        runs[0]
    );
}

#[test]
fn json_api_pages_until_known_items() {
    let server = start_server();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"[crawl]
per_host_delay_ms = 0

[[sources]]
name = "posts"
kind = "json"
url = "http://{}/api/posts"
item_kind = "post"
allow_private = true
items_pointer = "/data/list"
next_pointer = "/data/next"

[sources.fields]
id = "/id"
body = "/content"
author = "/user/name"
published = "/created_at"
"#,
        server.addr
    );
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let crawl = || {
        let (code, stdout, stderr) = cli(dir.path(), &["--data", "data", "crawl", "--json"]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()[0].clone()
    };
    let first = crawl();
    assert_eq!(
        (first["items"].as_u64(), first["new"].as_u64()),
        (Some(3), Some(3)),
        "{first}"
    );
    let second = crawl();
    assert_eq!(
        second["items"], 2,
        "the first page is all known: no second page"
    );
    assert_eq!(second["new"], 0);
    let (_, stdout, _) = cli(
        dir.path(),
        &["--data", "data", "search", "flagged:true", "--json"],
    );
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["id"], "posts:3");
}

#[test]
fn html_site_and_petition_board() {
    let server = start_server();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        r#"[crawl]
per_host_delay_ms = 0

[[sources]]
name = "site"
kind = "html"
url = "http://{addr}/site/list.html"
allow_private = true
link_selector = "ul.news a"
next_selector = "a.next"
body_selector = "div.content"
time_selector = ".time"

[[sources]]
name = "board"
kind = "petition"
url = "http://{addr}/board/list.html"
allow_private = true
link_selector = "ul.msgs a"
body_selector = "div.content"
time_selector = ".time"
status_selector = ".status"
reply_selector = ".reply"
reply_unit_selector = ".unit"
"#,
        addr = server.addr
    );
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let crawl = || {
        let (code, stdout, stderr) = cli(dir.path(), &["--data", "data", "crawl", "--json"]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    let first = crawl();
    assert_eq!(
        (first[0]["items"].as_u64(), first[0]["new"].as_u64()),
        (Some(3), Some(3)),
        "{}",
        first[0]
    );
    assert_eq!(first[1]["new"], 1);
    let second = crawl();
    assert_eq!(
        second[0]["items"], 0,
        "known articles are not fetched again"
    );
    assert_eq!(
        (
            second[1]["items"].as_u64(),
            second[1]["new"].as_u64(),
            second[1]["updated"].as_u64()
        ),
        (Some(1), Some(0), Some(1)),
        "the board is re-visited"
    );

    let (_, stdout, _) = cli(
        dir.path(),
        &["--data", "data", "search", "kind:petition", "--json"],
    );
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found["total"], 1);
    let store = yuqing::store::Store::open_read_only(&dir.path().join("data/yuqing.db")).unwrap();
    let id = found["hits"][0]["id"].as_str().unwrap();
    let petition = store.get_item(id).unwrap().unwrap().item;
    assert_eq!(petition.petition.status.as_deref(), Some("已回复"));
    assert_eq!(
        petition.petition.reply_unit.as_deref(),
        Some("城关区公安分局")
    );
    let history = store.petition_history(id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].before.as_deref(), history[0].after.as_deref()),
        (Some("未回复"), Some("已回复"))
    );
    let (_, stdout, _) = cli(
        dir.path(),
        &["--data", "data", "search", "东湖派出所 第3篇", "--json"],
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["total"],
        1,
        "the second list page was followed"
    );
}

#[test]
fn run_daemon_crawls_on_schedule_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("drops")).unwrap();
    let config = "[[sources]]\nname = \"drops\"\nkind = \"file\"\npath = \"drops/*.jsonl\"\nschedule = \"* * * * * *\"\n";
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("drops/a.jsonl"),
        "{\"id\":\"d1\",\"text\":\"派出所民警态度恶劣\"}\n",
    )
    .unwrap();
    let child = yuqing(dir.path())
        .args(["--config", "yuqing.toml", "--data", "data", "run"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let db = dir.path().join("data/yuqing.db");
    let count = || {
        yuqing::store::Store::open_read_only(&db)
            .ok()
            .and_then(|store| store.count_items().ok())
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while count() < 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(count(), 1, "the scheduled crawl took the first file");
    // A file dropped while the daemon runs is taken by a later tick.
    std::fs::write(
        dir.path().join("drops/b.jsonl"),
        "{\"id\":\"d2\",\"text\":\"感谢民警\"}\n",
    )
    .unwrap();
    while count() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(count(), 2);
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{:?} {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopped"));
}

/// A small html site that logs when each request arrives.
fn logging_site(
    log: Arc<std::sync::Mutex<Vec<(std::time::Instant, SocketAddr, String)>>>,
) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = Router::new().fallback(move |uri: axum::http::Uri| {
                let log = log.clone();
                async move {
                    log.lock()
                        .unwrap()
                        .push((std::time::Instant::now(), addr, uri.path().to_string()));
                    match uri.path() {
                        "/robots.txt" => (StatusCode::NOT_FOUND, "").into_response(),
                        "/list.html" => html_page(
                            r#"<ul class="news"><li><a href="/a1.html">一</a></li><li><a href="/a2.html">二</a></li><li><a href="/a3.html">三</a></li></ul>"#,
                        ),
                        path => html_page(format!(
                            "<h1>{addr}{path}</h1><div class=\"content\">东湖派出所民警巡逻，{path} 篇正文。</div>"
                        )),
                    }
                }
            });
            tx.send(addr).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn sources_on_different_hosts_are_crawled_concurrently_each_host_politely() {
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let hosts = [logging_site(log.clone()), logging_site(log.clone())];
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from(
        "[storage]\ndata_dir = \"data\"\n\n[crawl]\nper_host_delay_ms = 250\nconcurrency = 2\n",
    );
    for (n, addr) in hosts.iter().enumerate() {
        config.push_str(&format!(
            "\n[[sources]]\nname = \"site-{n}\"\nkind = \"html\"\nurl = \"http://{addr}/list.html\"\nlink_selector = \"ul.news a\"\nallow_private = true\n"
        ));
    }
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let (code, stdout, stderr) = cli(dir.path(), &["crawl", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (runs[0]["new"].as_u64(), runs[1]["new"].as_u64()),
        (Some(3), Some(3))
    );

    let log = log.lock().unwrap().clone();
    assert_eq!(
        log.len(),
        10,
        "robots.txt, list and 3 articles per host: {log:?}"
    );
    for host in hosts {
        let times: Vec<_> = log
            .iter()
            .filter(|(_, h, _)| *h == host)
            .map(|(t, _, _)| *t)
            .collect();
        for pair in times.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                gap >= std::time::Duration::from_millis(245),
                "two requests to {host} only {gap:?} apart"
            );
        }
    }
    // Concurrency: the other host was asked while the first one's pages
    // were still being fetched (not one source after the other).
    let first_host = log[0].1;
    let last_of_first = log.iter().rposition(|(_, h, _)| *h == first_host).unwrap();
    assert!(
        log[..last_of_first]
            .iter()
            .any(|(_, h, _)| *h != first_host),
        "sources crawled one after the other: {log:?}"
    );
}

#[test]
fn a_crawl_killed_mid_way_loses_and_doubles_nothing() {
    const ARTICLES: usize = 30;
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let addr = serve({
        let list: String = (1..=ARTICLES)
            .map(|n| format!("<li><a href=\"/a{n}.html\">第{n}条</a></li>"))
            .collect();
        Router::new()
        .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/list.html",
            get(move || {
                let list = list.clone();
                async move { html_page(format!("<ul class=\"news\">{list}</ul>")) }
            }),
        )
        .route(
            "/{page}",
            get(move |axum::extract::Path(page): axum::extract::Path<String>| {
                let counter = counter.clone();
                async move {
                    // Slow articles, so the kill lands mid-crawl.
                    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
                    counter.fetch_add(1, Ordering::SeqCst);
                    html_page(format!(
                        "<h1>文章{page}</h1><div class=\"content\">西山派出所民警走访辖区，第{page}篇。</div>"
                    ))
                }
            }),
        )
    });
    let dir = crawl_dir(&format!(
        "[[sources]]\nname = \"slow\"\nkind = \"html\"\nurl = \"http://{addr}/list.html\"\nlink_selector = \"ul.news a\"\nallow_private = true\n"
    ));

    let mut child = spawn_crawl(dir.path());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while served.load(Ordering::SeqCst) < ARTICLES / 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the crawl never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    // Let a request the server was still answering finish counting.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let served_before = served.load(Ordering::SeqCst);
    assert!(served_before < ARTICLES, "killed mid-way");

    let db = dir.path().join("data/yuqing.db");
    let stored = yuqing::store::Store::open_read_only(&db)
        .unwrap()
        .count_items()
        .unwrap();
    assert!(
        stored >= 8,
        "items fetched before the kill were committed: {stored}"
    );
    assert!(stored <= served_before);

    // Restart: the rest is fetched, what was stored is not fetched again.
    let (code, stdout, stderr) = cli(dir.path(), &["crawl", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(runs[0]["new"].as_u64(), Some((ARTICLES - stored) as u64));
    assert_eq!(
        served.load(Ordering::SeqCst) - served_before,
        ARTICLES - stored,
        "only the articles not stored were fetched again"
    );
    let store = yuqing::store::Store::open_read_only(&db).unwrap();
    assert_eq!(
        store.count_items().unwrap(),
        ARTICLES,
        "each article exactly once"
    );
    let (_, stdout, _) = cli(dir.path(), &["search", "派出所", "--json"]);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        found["total"], ARTICLES,
        "the index caught up with the store"
    );
}

#[test]
fn feeds_with_fetch_article_take_the_article_text() {
    let article_requests = Arc::new(AtomicUsize::new(0));
    let counter = article_requests.clone();
    let addr = serve(
        Router::new()
        .route(
            "/feed.xml",
            get(|| async {
                let feed = r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>江城晚报</title>
<item><title>西山派出所民警出警慢被投诉</title><link>/art/1.html</link><description>摘要：市民投诉出警慢。</description><pubDate>Sat, 28 Nov 2026 08:00:00 +0800</pubDate></item>
<item><title>北岸交警开展夜查</title><link>/art/2.html</link><description>摘要：北岸交警夜查酒驾。</description></item>
</channel></rss>"#;
                ([(header::CONTENT_TYPE, "application/rss+xml")], feed)
            }),
        )
        .route(
            "/art/{page}",
            get(move |axum::extract::Path(page): axum::extract::Path<String>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if page == "2.html" {
                        return StatusCode::NOT_FOUND.into_response();
                    }
                    html_page("<html><body><nav>首页 新闻 社会 体育 财经 评论</nav><div class=\"article\"><p>记者调查：市民张先生凌晨报警称家门被撬，西山派出所四十分钟后才出警，民警到场后态度敷衍，只做了简单登记。</p><p>西山区公安分局表示将调查核实。</p></div><footer>版权所有 江城晚报</footer></body></html>")
                }
            }),
        ),
    );
    let dir = crawl_dir(&format!(
        "[[sources]]\nname = \"evening\"\nkind = \"feed\"\nurl = \"http://{addr}/feed.xml\"\nfetch_article = true\nbody_selector = \"div.article p\"\nallow_private = true\n"
    ));
    let crawl = || cli(dir.path(), &["crawl", "--json"]);
    let (code, stdout, stderr) = crawl();
    assert_eq!(code, 0, "{stderr}");
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(runs[0]["new"], 2, "{stdout}");

    let search = |query: &str| {
        let (_, stdout, _) = cli(dir.path(), &["search", query, "--json"]);
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    // The article's text (not the summary, not the page's boilerplate).
    assert_eq!(search("撬")["total"], 1);
    assert_eq!(search("版权所有")["total"], 0);
    // The article that could not be fetched keeps the feed's summary.
    assert_eq!(search("夜查")["total"], 1);
    assert_eq!(article_requests.load(Ordering::SeqCst), 2);

    // Stored articles are not fetched again.
    let (code, _, _) = crawl();
    assert_eq!(code, 0);
    assert_eq!(article_requests.load(Ordering::SeqCst), 2);
}
