//! `yuqing crawl` against servers on 127.0.0.1 that misbehave the way real
//! sites do: a pagination cut by a kill, an article that fails once behind a
//! list that answers `304`, feed entries with no link and no id, Atom links
//! in an odd order, dates in the forms Chinese feeds write.

use super::crawl::{cli, crawl_dir, html_page, serve, spawn_crawl};
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
    let dir = crawl_dir(&format!(
        "[[sources]]\nname = \"api\"\nkind = \"json\"\nurl = \"http://{addr}/api\"\nallow_private = true\nitems_pointer = \"/list\"\nnext_pointer = \"/next\"\n\n[sources.fields]\nid = \"/id\"\nbody = \"/content\"\n"
    ));
    let mut child = spawn_crawl(dir.path());
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
    let dir = crawl_dir(&format!(
        "[[sources]]\nname = \"site\"\nkind = \"html\"\nurl = \"http://{addr}/list.html\"\nlink_selector = \"ul.news a\"\nallow_private = true\n"
    ));
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
    let dir = crawl_dir(&format!(
        "[[sources]]\nname = \"board\"\nkind = \"feed\"\nurl = \"http://{addr}/rss.xml\"\nallow_private = true\n"
    ));
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

#[test]
fn a_dead_or_resetting_server_is_named_with_its_cause() {
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // A server that cuts the body short with a reset.
    let resetting = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let reset_addr = resetting.local_addr().unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in resetting.incoming() {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 4096];
            let read = stream.read(&mut request).unwrap_or(0);
            if request[..read].windows(6).any(|w| w == b"robots") {
                let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                continue;
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n<rss><channel><item><title>a");
            linger_zero(&stream);
            drop(stream);
        }
    });
    let dir = crawl_dir(&format!(
        "[[sources]]\nname = \"dead\"\nkind = \"feed\"\nurl = \"http://{dead}/rss.xml\"\nallow_private = true\n\n[[sources]]\nname = \"reset\"\nkind = \"feed\"\nurl = \"http://{reset_addr}/rss.xml\"\nallow_private = true\n"
    ));
    let (code, stdout, _) = cli(dir.path(), &["crawl", "--json"]);
    assert_eq!(code, 1);
    let runs: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let dead_error = runs[0]["error"].as_str().unwrap();
    assert!(
        dead_error.contains("robots.txt") && dead_error.contains("Connection refused"),
        "{dead_error}"
    );
    let reset_error = runs[1]["error"].as_str().unwrap();
    assert!(
        reset_error.starts_with(&format!(
            "transfer failed for http://{reset_addr}/rss.xml: "
        )) && reset_error.len() > "transfer failed for http://".len() + 40,
        "the cause is given: {reset_error}"
    );
}

/// Makes closing `stream` send a TCP reset (SO_LINGER 0).
fn linger_zero(stream: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized option value.
    let result = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(result, 0);
}
