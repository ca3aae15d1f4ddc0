//! The demo's local web: the bundled demo records served as six small Chinese
//! sites on one loopback listener, so that `yuqing demo` exercises the real
//! crawler — an RSS feed, an old GBK-encoded news site, a JSON posts API with
//! a cursor, a forum, and two petition boards (JSON and HTML).
//!
//! Every URL depends only on a record's number (the last segment of its
//! `url` in `demo/items.jsonl`), never on time, so crawled items keep their
//! ids from run to run. Times are printed the way such sites print them:
//! RFC 2822 in the feed, `2026年11月28日 10:20` on the news site, `今天 10:20`
//! or `11-28 10:20` on the forum, `2026/11/28 10:20:33` in the board's API.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::HashMap;
use std::future::IntoFuture;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use super::pages::{self, Site};

/// One line of `demo/items.jsonl` (timestamps already shifted).
#[derive(Debug, Clone, Deserialize)]
pub struct DemoRecord {
    /// `demo-0001` …
    pub id: String,
    /// One of the six demo sources.
    pub source: String,
    /// Headline or thread title.
    pub title: String,
    /// Plain text, `\n` between paragraphs.
    pub text: String,
    /// The record's (fictional) original URL; its last segment numbers it.
    pub url: String,
    /// Author handle (posts and petitions).
    #[serde(default)]
    pub author: Option<String>,
    /// Publication time.
    pub published_at: DateTime<FixedOffset>,
    /// Petition status.
    #[serde(default)]
    pub status: Option<String>,
    /// Petition reply.
    #[serde(default)]
    pub reply: Option<String>,
    /// Unit that replied.
    #[serde(default)]
    pub reply_unit: Option<String>,
    /// Reply time.
    #[serde(default)]
    pub replied_at: Option<DateTime<FixedOffset>>,
    /// The number in the page URLs, from `url`.
    #[serde(skip)]
    pub number: String,
}

/// Parses the demo JSONL (as `shifted_demo_items` returns it).
pub fn parse_records(jsonl: &str) -> anyhow::Result<Vec<DemoRecord>> {
    let mut records = Vec::new();
    for (n, line) in jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let mut record: DemoRecord = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("demo/items.jsonl:{}: {e}", n + 1))?;
        let last = record.url.rsplit('/').next().unwrap_or_default();
        record.number = last.trim_end_matches(".html").to_string();
        anyhow::ensure!(
            !record.number.is_empty() && record.number.bytes().all(|b| b.is_ascii_digit()),
            "demo/items.jsonl:{}: url `{}` does not end in a number",
            n + 1,
            record.url
        );
        records.push(record);
    }
    Ok(records)
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A GBK page, declared only by its `<meta charset="gbk">`, as old sites do.
fn gbk(body: String) -> Response {
    let (bytes, _, _) = encoding_rs::GBK.encode(&body);
    ([(header::CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response()
}

fn not_found() -> Response {
    let body = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>\
                <body><h1>404 您访问的页面不存在</h1><p><a href=\"/\">返回首页</a></p></body></html>";
    (StatusCode::NOT_FOUND, html(body.to_string())).into_response()
}

/// `page` with `prefix` and `suffix` removed: `content_12.htm` → `12`.
fn strip<'a>(page: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    page.strip_prefix(prefix)?.strip_suffix(suffix)
}

type Shared = State<Arc<Site>>;
type Params = Query<HashMap<String, String>>;

fn param(params: &Params, key: &str, default: usize) -> usize {
    params
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn router(site: Arc<Site>) -> Router {
    let page = |found: Option<String>| found.map_or_else(not_found, html);
    Router::new()
        .route("/", get(|| async { html(pages::portal()) }))
        .route(
            "/robots.txt",
            get(|| async {
                "# 江城演示站点\nUser-agent: *\nDisallow: /admin/\nDisallow: /search\n"
            }),
        )
        .route(
            "/city-news/rss.xml",
            get(|State(site): Shared| async move {
                (
                    [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
                    pages::feed(&site),
                )
            }),
        )
        .route(
            "/city-news/article/{page}",
            get(
                move |State(site): Shared, Path(p): Path<String>| async move {
                    let found = strip(&p, "", ".html").and_then(|n| site.find("city-news", n));
                    page(found.map(|r| pages::city_article(&site, r)))
                },
            ),
        )
        .route(
            "/metro-daily/news/{page}",
            get(|State(site): Shared, Path(p): Path<String>| async move {
                let list = match p.as_str() {
                    "index.htm" => Some(1),
                    _ => strip(&p, "index_", ".htm").and_then(|n| n.parse().ok()),
                };
                let found = match list {
                    Some(n) => pages::metro_list(&site, n),
                    None => strip(&p, "content_", ".htm")
                        .and_then(|n| site.find("metro-daily", n))
                        .map(|r| pages::metro_article(&site, r)),
                };
                found.map_or_else(not_found, gbk)
            }),
        )
        .route(
            "/weibo-public/api/statuses",
            get(|State(site): Shared, q: Params| async move {
                let count = param(&q, "count", 20).clamp(1, 50);
                axum::Json(pages::weibo_api(
                    &site,
                    q.get("cursor").map(String::as_str),
                    count,
                ))
            }),
        )
        .route(
            "/weibo-public/status/{mid}",
            get(
                move |State(site): Shared, Path(n): Path<String>| async move {
                    page(
                        site.find("weibo-public", &n)
                            .map(|r| pages::weibo_status(&site, r)),
                    )
                },
            ),
        )
        .route(
            "/tieba-forum/f",
            get(|State(site): Shared, q: Params| async move {
                html(pages::tieba_list(&site, param(&q, "pn", 0), Utc::now()))
            }),
        )
        .route(
            "/tieba-forum/p/{tid}",
            get(
                move |State(site): Shared, Path(n): Path<String>| async move {
                    page(
                        site.find("tieba-forum", &n)
                            .map(|r| pages::tieba_thread(&site, r, Utc::now())),
                    )
                },
            ),
        )
        .route(
            "/mayor-board/api/letters",
            get(|State(site): Shared, q: Params| async move {
                let size = param(&q, "pageSize", 20).clamp(1, 50);
                axum::Json(pages::mayor_api(&site, param(&q, "pageNo", 1), size))
            }),
        )
        .route(
            "/mayor-board/letter/{id}",
            get(
                move |State(site): Shared, Path(n): Path<String>| async move {
                    page(
                        site.find("mayor-board", &n)
                            .map(|r| pages::mayor_letter(&site, r)),
                    )
                },
            ),
        )
        .route(
            "/police-board/msg/{page}",
            get(
                move |State(site): Shared, Path(p): Path<String>| async move {
                    let found = match strip(&p, "list_", ".html").and_then(|n| n.parse().ok()) {
                        Some(n) => pages::police_list(&site, n),
                        None => strip(&p, "detail_", ".html")
                            .and_then(|n| site.find("police-board", n))
                            .map(|r| pages::police_detail(&site, r)),
                    };
                    page(found)
                },
            ),
        )
        .fallback(|| async { not_found() })
        .with_state(site)
}

/// The demo sites, served on 127.0.0.1 from a background thread with its own
/// runtime (the crawler blocks on its own) until stopped or dropped.
pub struct DemoSite {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoSite {
    /// Serves `records`, times printed in `tz`, on 127.0.0.1:`port`, or on
    /// a port the system picks when `port` is `None`. Page URLs, and with
    /// them the ids of items crawled from pages, include the port.
    pub fn start(records: Vec<DemoRecord>, tz: Tz, port: Option<u16>) -> anyhow::Result<DemoSite> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<SocketAddr>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("demo-site".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                let runtime = match runtime {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match bind(port).await {
                        Ok(listener) => listener,
                        Err(error) => {
                            let _ = ready_tx.send(Err(error));
                            return;
                        }
                    };
                    let addr = match listener.local_addr() {
                        Ok(addr) => addr,
                        Err(error) => {
                            let _ = ready_tx.send(Err(error));
                            return;
                        }
                    };
                    let site = Site::new(records, tz, format!("http://{addr}"));
                    let _ = ready_tx.send(Ok(addr));
                    tokio::select! {
                        result = axum::serve(listener, router(Arc::new(site))).into_future() => {
                            if let Err(error) = result {
                                tracing::warn!(%error, "demo site stopped");
                            }
                        }
                        _ = stop_rx => {}
                    }
                });
            })?;
        let addr = ready_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("the demo site thread ended before listening"))?
            .map_err(|e| anyhow::anyhow!("cannot serve the demo sites on 127.0.0.1: {e}"))?;
        Ok(DemoSite {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, what `{base}` in `demo/sources.toml` becomes.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for DemoSite {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Binds `port` on loopback (retrying briefly: the previous run's socket
/// may linger), or any free port when `port` is `None`.
async fn bind(port: Option<u16>) -> std::io::Result<tokio::net::TcpListener> {
    let Some(port) = port else {
        return tokio::net::TcpListener::bind("127.0.0.1:0").await;
    };
    let mut attempts = 0;
    loop {
        match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Err(error) if attempts < 5 => tracing::debug!(port, %error, "demo port busy"),
            result => return result,
        }
        attempts += 1;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        let jsonl = crate::demo::shifted_demo_items(Utc::now(), chrono_tz::Asia::Shanghai).unwrap();
        let records = parse_records(&jsonl).unwrap();
        Site::new(
            records,
            chrono_tz::Asia::Shanghai,
            "http://127.0.0.1:8080".into(),
        )
    }

    fn source(name: &str) -> crate::config::SourceConfig {
        let sources = crate::demo::demo_sources("http://127.0.0.1:8080").unwrap();
        sources.into_iter().find(|s| s.name == name).unwrap()
    }

    #[test]
    fn the_gbk_page_round_trips_through_charset_decoding() {
        let site = site();
        let record = &site.list("metro-daily")[3];
        let page = pages::metro_article(&site, record);
        let response = gbk(page.clone());
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/html");
        let (bytes, _, _) = encoding_rs::GBK.encode(&page);
        assert!(std::str::from_utf8(&bytes).is_err(), "really GBK bytes");
        let (text, encoding) = crate::source::charset::decode_body(&bytes, Some("text/html"));
        assert_eq!(encoding, "GB18030");
        let url = url::Url::parse("http://127.0.0.1:8080/metro-daily/news/content_1.htm").unwrap();
        let selectors = source("metro-daily").selectors().unwrap();
        let item = crate::source::html::article_page(&text, &url, &selectors).unwrap();
        assert_eq!(item.title.as_deref(), Some(record.title.as_str()));
        assert_eq!(item.text.as_deref(), Some(record.text.as_str()));
        let written = item.published_at.unwrap();
        let parsed = crate::text::dates::parse_datetime(&written, site.tz).unwrap();
        assert_eq!(
            parsed.timestamp() / 60,
            record.published_at.timestamp() / 60,
            "{written}"
        );
    }

    #[test]
    fn the_feed_yields_every_city_news_item_with_its_full_text() {
        let site = site();
        let base = url::Url::parse("http://127.0.0.1:8080/city-news/rss.xml").unwrap();
        let items = crate::source::feed::parse_feed(
            &pages::feed(&site),
            &base,
            "city-news",
            chrono_tz::Asia::Shanghai,
        )
        .unwrap();
        assert_eq!(items.len(), 37);
        for (item, record) in items.iter().zip(site.list("city-news")) {
            assert_eq!(item.title.as_deref(), Some(record.title.as_str()));
            let text = crate::text::normalize::html_to_text(item.text.as_deref().unwrap());
            let first = record.text.lines().next().unwrap();
            assert!(text.contains(first), "{text}");
            let at = chrono::DateTime::parse_from_rfc3339(item.published_at.as_deref().unwrap());
            assert_eq!(at.unwrap(), record.published_at);
            let link = format!(
                "http://127.0.0.1:8080/city-news/article/{}.html",
                record.number
            );
            assert_eq!(item.url.as_deref(), Some(link.as_str()));
        }
    }

    #[test]
    fn forum_times_read_back_relative_to_now() {
        let site = site();
        let now = Utc::now();
        for record in site.list("tieba-forum") {
            let written = site.forum_time(record.published_at, now);
            let read = crate::text::dates::parse_published(&written, site.tz, now).unwrap();
            assert_eq!(
                read.timestamp() / 60,
                record.published_at.timestamp() / 60,
                "{written}"
            );
        }
    }

    #[test]
    fn the_json_apis_page_through_every_item() {
        let site = site();
        let mut seen = 0;
        let mut cursor: Option<String> = None;
        loop {
            let page = pages::weibo_api(&site, cursor.as_deref(), 20);
            seen += page["data"]["statuses"].as_array().unwrap().len();
            match page["data"]["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, 85);
        let last = pages::mayor_api(&site, 3, 20);
        assert_eq!(last["result"]["records"].as_array().unwrap().len(), 12);
        assert!(last["result"]["nextPage"].is_null());
    }
}
