//! `yuqing crawl` against servers on 127.0.0.1 that misbehave the way real
//! sites do: a pagination cut by a kill, an article that fails once behind a
//! list that answers `304`, feed entries with no link and no id, Atom links
//! in an odd order, dates in the forms Chinese feeds write.

use super::common::yuqing;
use super::crawl::{cli, html_page, serve};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn crawl_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = cli(dir, &[&["crawl", "--json"], args].concat());
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
}

fn stored_ids(dir: &std::path::Path) -> Vec<String> {
    let db = dir.join("data/yuqing.db");
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement = conn.prepare("SELECT id FROM items ORDER BY id").unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn json_pages_after_a_crawl_killed_mid_way_are_read_again() {
    // Page 1 (newest first) is stored, then the crawl is killed while page 2
    // is on its way. The rerun finds page 1 all known — and must still read
    // page 2, which no crawl has stored yet.
    let page2_requests = Arc::new(AtomicUsize::new(0));
    let counter = page2_requests.clone();
    let addr = serve(Router::new().route(
        "/robots.txt",
        get(|| async { StatusCode::NOT_FOUND }),
    ).route(
        "/api",
        get(move |query: axum::extract::Query<HashMap<String, String>>| {
            let counter = counter.clone();
            async move {
                let body = match query.get("cursor").map(String::as_str) {
                    None => r#"{"list":[{"id":4,"content":"第四条 东湖派出所民警推诿"},{"id":3,"content":"第三条 东湖派出所民警推诿"}],"next":"p2"}"#,
                    Some(_) => {
                        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                            // The first crawl never gets an answer: it is killed.
                            tokio::time::sleep(Duration::from_secs(120)).await;
                        }
                        r#"{"list":[{"id":2,"content":"第二条 西山派出所民警推诿"},{"id":1,"content":"第一条 西山派出所民警推诿"}],"next":null}"#
                    }
                };
                ([(header::CONTENT_TYPE, "application/json")], body)
            }
        }),
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("yuqing.toml"),
        format!(
            "[storage]\ndata_dir = \"data\"\n\n[crawl]\nper_host_delay_ms = 0\n\n[[sources]]\nname = \"api\"\nkind = \"json\"\nurl = \"http://{addr}/api\"\nallow_private = true\nitems_pointer = \"/list\"\nnext_pointer = \"/next\"\n\n[sources.fields]\nid = \"/id\"\nbody = \"/content\"\n"
        ),
    )
    .unwrap();
    let mut child = yuqing(dir.path())
        .args(["--config", "yuqing.toml", "crawl"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let db = dir.path().join("data/yuqing.db");
    let stored = || {
        yuqing::store::Store::open_read_only(&db)
            .ok()
            .and_then(|store| store.count_items().ok())
            .unwrap_or(0)
    };
    while page2_requests.load(Ordering::SeqCst) == 0 || stored() < 2 {
        assert!(Instant::now() < deadline, "the crawl never reached page 2");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL, mid-way through the pagination
    child.wait().unwrap();
    assert_eq!(stored_ids(dir.path()), ["api:3", "api:4"]);

    let runs = crawl_json(dir.path(), &[]);
    assert_eq!(runs[0]["new"], 2, "page 2 was read: {runs}");
    assert_eq!(stored_ids(dir.path()), ["api:1", "api:2", "api:3", "api:4"]);
    // With that crawl finished, page 1 all known stops the next one again.
    let runs = crawl_json(dir.path(), &[]);
    assert_eq!(
        (runs[0]["items"].as_u64(), runs[0]["new"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(page2_requests.load(Ordering::SeqCst), 2);
}

#[test]
fn an_article_that_failed_is_fetched_again_though_its_list_answers_304() {
    let article_requests = Arc::new(AtomicUsize::new(0));
    let counter = article_requests.clone();
    let addr = serve(
        Router::new()
            .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
            .route(
                "/list.html",
                get(|headers: HeaderMap| async move {
                    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"l1\"") {
                        return StatusCode::NOT_MODIFIED.into_response();
                    }
                    let list = r#"<ul class="news"><li><a href="/a1.html">一</a></li><li><a href="/a2.html">二</a></li></ul>"#;
                    let mut response = html_page(list);
                    let etag = header::HeaderValue::from_static("\"l1\"");
                    response.headers_mut().insert(header::ETAG, etag);
                    response
                }),
            )
            .route(
                "/{page}",
                get(move |axum::extract::Path(page): axum::extract::Path<String>| {
                    let counter = counter.clone();
                    async move {
                        if page == "a2.html" && counter.fetch_add(1, Ordering::SeqCst) == 0 {
                            // Down the first time (a 500 would make the host back off).
                            return StatusCode::NOT_FOUND.into_response();
                        }
                        html_page(format!("<h1>{page}</h1><div class=\"content\">北城派出所民警推诿，{page}。</div>"))
                    }
                }),
            ),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("yuqing.toml"),
        format!(
            "[storage]\ndata_dir = \"data\"\n\n[crawl]\nper_host_delay_ms = 0\n\n[[sources]]\nname = \"site\"\nkind = \"html\"\nurl = \"http://{addr}/list.html\"\nlink_selector = \"ul.news a\"\nallow_private = true\n"
        ),
    )
    .unwrap();
    assert_eq!(crawl_json(dir.path(), &[])[0]["new"], 1);
    let second = crawl_json(dir.path(), &[]);
    assert_eq!(second[0]["new"], 1, "the failed article came now: {second}");
    assert_eq!(stored_ids(dir.path()).len(), 2);
    // Complete now: the list's validators are kept and answer 304.
    let third = crawl_json(dir.path(), &[]);
    assert_eq!(third[0]["not_modified"], true, "{third}");
}

#[test]
fn feed_entries_without_link_or_id_are_stored_once() {
    let rss = r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>留言</title>
<item><title>无链接无编号</title><description>城关派出所民警推诿不出警。</description><pubDate>2026-11-28 08:00:00</pubDate></item>
<item><title>另一条</title><description>东湖派出所民警态度恶劣。</description><pubDate>Sat, 28 Nov 2026 09:00:00 CST</pubDate></item>
</channel></rss>"#;
    let addr = serve(
        Router::new()
            .route("/robots.txt", get(|| async { StatusCode::NOT_FOUND }))
            .route(
                "/rss.xml",
                get(move || async move { ([(header::CONTENT_TYPE, "application/rss+xml")], rss) }),
            ),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("yuqing.toml"),
        format!(
            "[storage]\ndata_dir = \"data\"\n\n[crawl]\nper_host_delay_ms = 0\n\n[[sources]]\nname = \"board\"\nkind = \"feed\"\nurl = \"http://{addr}/rss.xml\"\nallow_private = true\n"
        ),
    )
    .unwrap();
    assert_eq!(crawl_json(dir.path(), &[])[0]["new"], 2);
    let again = crawl_json(dir.path(), &[]);
    assert_eq!(
        again[0]["new"], 0,
        "the same entries, not new ones: {again}"
    );
    assert_eq!(stored_ids(dir.path()).len(), 2);
    // Both dates are China Standard Time ([schedule] timezone Asia/Shanghai).
    let conn = rusqlite::Connection::open(dir.path().join("data/yuqing.db")).unwrap();
    let mut dates: Vec<String> = conn
        .prepare("SELECT published_at FROM items ORDER BY published_at")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    dates.iter_mut().for_each(|d| d.truncate(19));
    assert_eq!(dates, ["2026-11-28T00:00:00", "2026-11-28T01:00:00"]);
}

#[test]
fn an_export_still_being_written_is_taken_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("drops")).unwrap();
    let config = "[[sources]]\nname = \"exports\"\nkind = \"file\"\npath = \"drops/*.csv\"\n";
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let path = dir.path().join("drops/today.csv");
    // The exporter has written one record and half of the next (no ids:
    // records are known by their content).
    let head = "title,text\n出警慢,城关派出所接警一小时无人出警\n态度差,东湖派出所民警态度";
    std::fs::write(&path, head).unwrap();
    let first = crawl_json(dir.path(), &["--data", "data"]);
    assert_eq!(first[0]["new"], 0, "a half-written file waits: {first}");
    std::fs::write(&path, format!("{head}恶劣，张口就骂\n")).unwrap();
    let second = crawl_json(dir.path(), &["--data", "data"]);
    assert_eq!(second[0]["new"], 2, "{second}");
    let conn = rusqlite::Connection::open(dir.path().join("data/yuqing.db")).unwrap();
    let bodies: Vec<String> = conn
        .prepare("SELECT body FROM items ORDER BY body")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        bodies,
        [
            "东湖派出所民警态度恶劣，张口就骂",
            "城关派出所接警一小时无人出警"
        ],
        "no record cut short"
    );
}
