//! `yuqing extract FILE|URL`: a saved page and a served one, decoded as a
//! crawl decodes them, with the rule behind each field; `--source` uses a
//! configured source's selectors. The pages are written for these tests.

use super::common::{run, yuqing};
use super::crawl::serve;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="gbk">
<title>江边步道今起夜间开放_本地新闻_示例新闻网</title>
<meta name="author" content="示例新闻网"></head><body>
<div class="top"><h1 class="logo">示例新闻网</h1></div>
<h1>江边步道今起夜间开放</h1>
<div class="info">2026年11月28日 08:05 来源：示例日报</div>
<div class="content">
<p>（原标题：步道夜间开放 沿线增设照明）</p>
<p>记者从市园林局获悉，江边步道自今日起夜间开放，开放时间为每日18时至22时，沿线新增路灯二百余盏。</p>
<p>市园林局提醒市民夜间出行注意安全，携带儿童的家长请看护好孩子。</p>
<p>责任编辑：王芳</p>
</div>
<div class="footer">Copyright © 2003-2026 示例新闻网 2026-01-01</div>
</body></html>"#;

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

fn extract_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = run(yuqing(dir).arg("extract").args(args).arg("--json"));
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn a_saved_gbk_page_is_read_as_a_crawl_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("page.html"), gbk(PAGE)).unwrap();
    let found = extract_json(dir.path(), &["page.html"]);
    assert_eq!(found["encoding"], "GB18030");
    assert_eq!(found["title"]["value"], "江边步道今起夜间开放");
    assert_eq!(found["title"]["rule"], "<h1> matching <title>");
    assert_eq!(found["published"]["value"], "2026-11-28 08:05");
    assert_eq!(found["published"]["at"], "2026-11-28T08:05:00+08:00");
    assert_eq!(found["published"]["timezone"], "Asia/Shanghai");
    assert_eq!(found["published"]["rule"], "date line near the headline");
    assert_eq!(found["author"]["value"], "示例新闻网");
    let body = found["body"]["text"].as_str().unwrap();
    assert!(body.starts_with("记者从市园林局获悉"), "{body}");
    assert!(body.ends_with("请看护好孩子。"), "{body}");
    assert_eq!(found["body"]["lines"], 2);
    assert_eq!(found["body"]["rule"], "main-content heuristic");

    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["extract", "page.html"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("published: 2026-11-28 08:05:00 +08:00 Asia/Shanghai"),
        "{stdout}"
    );
    assert!(stdout.contains("[date line near the headline]"), "{stdout}");

    let (code, _, stderr) = run(yuqing(dir.path()).args(["extract", "missing.html"]));
    assert_ne!(code, 0);
    assert!(stderr.contains("cannot read missing.html"), "{stderr}");
}

#[test]
fn a_url_is_fetched_with_the_crawl_limits_and_a_source_selectors_win() {
    let app = Router::new().route(
        "/news/1.html",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "text/html; charset=GBK")],
                gbk(PAGE),
            )
                .into_response()
        }),
    );
    let addr = serve(app);
    let url = format!("http://{addr}/news/1.html");
    let dir = tempfile::tempdir().unwrap();

    // Loopback is refused like a crawl refuses it …
    let (code, _, stderr) = run(yuqing(dir.path()).args(["extract", &url]));
    assert_ne!(code, 0);
    assert!(stderr.contains("non-public address"), "{stderr}");
    // … unless allowed.
    let found = extract_json(dir.path(), &[&url, "--allow-private"]);
    assert_eq!(found["url"], url.as_str());
    assert_eq!(found["title"]["value"], "江边步道今起夜间开放");

    // A configured source's selectors win over the heuristics.
    let config = format!(
        r#"[[sources]]
name = "site"
kind = "html"
url = "http://{addr}/news/"
allow_private = true
link_selector = "a"
body_selector = "div.content"
time_selector = "div.footer"
"#
    );
    std::fs::write(dir.path().join("yuqing.toml"), config).unwrap();
    let found = extract_json(
        dir.path(),
        &["--config", "yuqing.toml", &url, "--source", "site"],
    );
    assert_eq!(found["body"]["rule"], "body_selector");
    assert_eq!(found["body"]["lines"], 4, "{}", found["body"]["text"]);
    assert_eq!(found["published"]["rule"], "time_selector");
    let (code, _, stderr) = run(yuqing(dir.path()).args([
        "--config",
        "yuqing.toml",
        "extract",
        &url,
        "--source",
        "nope",
    ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no source named `nope`"), "{stderr}");
}
