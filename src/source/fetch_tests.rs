//! Tests of the HTTP client against real servers on 127.0.0.1 started inside each test
//! (axum, or a raw TCP writer where a server must misbehave); fixtures are built in code.

use super::*;
use crate::source::charset::find;

use std::convert::Infallible;
use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request};
use axum::http::{HeaderMap as AxumHeaders, StatusCode, header as h};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use encoding_rs::{BIG5, GB18030, GBK};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const NEWS: &str = "警方通报：网传视频中的执法过程已调查核实，相关人员已停职。";
const LAST_MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// A local server that counts requests and keeps their headers.
struct TestServer {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<AxumHeaders>>>,
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn request_headers(&self, index: usize) -> AxumHeaders {
        self.seen.lock().unwrap()[index].clone()
    }
}

/// Binds `bind` (port 0), builds the router knowing its address, serves it in the background.
async fn serve_on(
    bind: &str,
    make_router: impl FnOnce(SocketAddr) -> Router,
) -> std::io::Result<TestServer> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (counter, recorder) = (hits.clone(), seen.clone());
    let router =
        make_router(addr).layer(middleware::from_fn(move |request: Request, next: Next| {
            counter.fetch_add(1, Ordering::SeqCst);
            recorder.lock().unwrap().push(request.headers().clone());
            next.run(request)
        }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(TestServer { addr, hits, seen })
}

async fn serve(make_router: impl FnOnce(SocketAddr) -> Router) -> TestServer {
    serve_on("127.0.0.1:0", make_router).await.unwrap()
}

/// A server answering one fixed route `/` with `content_type` and `body`.
async fn serve_page(content_type: &'static str, body: Vec<u8>) -> TestServer {
    serve(move |_| {
        Router::new().route(
            "/",
            get(move || async move { ([(h::CONTENT_TYPE, content_type)], body) }),
        )
    })
    .await
}

/// A raw TCP server: reads a request head, writes `head`, then `filler` bytes of `a`
/// (until the client goes away), whatever the head declared.
async fn serve_raw(head: String, filler: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let head = head.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while find(&request, b"\r\n\r\n").is_none() {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'a'; 64 * 1024];
                let mut written = 0;
                while written < filler {
                    let n = chunk.len().min(filler - written);
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    written += n;
                }
            });
        }
    });
    addr
}

fn local_policy() -> FetchPolicy {
    FetchPolicy {
        allow_private: true,
        ..FetchPolicy::default()
    }
}

async fn fetch_with(policy: FetchPolicy, url: &str) -> Result<Fetched, FetchError> {
    Fetcher::new(policy)
        .unwrap()
        .get(url, &Validators::default())
        .await
}

async fn fetch(url: &str) -> Result<Fetched, FetchError> {
    fetch_with(local_policy(), url).await
}

fn gbk(text: &str) -> Vec<u8> {
    GBK.encode(text).0.into_owned()
}

fn html(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head>{head}<title>通报</title></head><body><p>{body}</p></body></html>"
    )
}

// ---------------------------------------------------------------- bodies and charsets

#[tokio::test]
async fn plain_utf8_page() {
    let server = serve_page("text/html; charset=utf-8", html("", NEWS).into_bytes()).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.status, 200);
    assert!(!fetched.not_modified);
    assert_eq!(fetched.encoding, Some("UTF-8"));
    assert!(fetched.text.unwrap().contains(NEWS));
    assert_eq!(
        fetched.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(fetched.final_url.as_str(), server.url("/"));
    assert_eq!(fetched.retry_after, None);
}

#[tokio::test]
async fn gbk_declared_only_in_header() {
    let server = serve_page("text/html; charset=GBK", gbk(&html("", NEWS))).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.encoding, Some("GB18030"));
    assert!(fetched.text.unwrap().contains(NEWS));
}

#[tokio::test]
async fn gbk_declared_only_in_meta() {
    let page = html(
        r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#,
        NEWS,
    );
    let server = serve_page("text/html", gbk(&page)).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.encoding, Some("GB18030"));
    assert!(fetched.text.unwrap().contains(NEWS));
}

/// Both declarations decode the bytes without errors, so the HTTP header wins (as in browsers).
#[tokio::test]
async fn header_charset_wins_over_meta() {
    let traditional = "警方通報：網傳影片中的執法過程已調查屬實。";
    let page = html(r#"<meta charset="gbk">"#, traditional);
    let server = serve_page("text/html; charset=big5", BIG5.encode(&page).0.into_owned()).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.encoding, Some("Big5"));
    assert!(fetched.text.unwrap().contains(traditional));
}

/// A server default `charset=utf-8` on a GBK page does not decode cleanly: the meta is used.
#[test]
fn wrong_header_charset_falls_through_to_meta() {
    let page = gbk(&html(r#"<meta charset="gbk">"#, NEWS));
    let (text, encoding) = decode_body(&page, Some("text/html; charset=utf-8"));
    assert_eq!(encoding, "GB18030");
    assert!(text.contains(NEWS));
}

#[tokio::test]
async fn gb18030_without_any_declaration_is_detected() {
    // 𠮷 and € are outside GB2312; 𠮷 needs GB18030's four-byte form.
    let text = format!("{NEWS} 𠮷野家 €");
    let server = serve_page("text/html", GB18030.encode(&html("", &text)).0.into_owned()).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.encoding, Some("GB18030"));
    assert!(fetched.text.unwrap().contains(&text));
}

#[tokio::test]
async fn big5_declared_in_meta() {
    let traditional = "臺灣警政署說明：相關員警已移送調查。";
    let page = html(r#"<meta charset="big5">"#, traditional);
    let server = serve_page("text/html", BIG5.encode(&page).0.into_owned()).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.encoding, Some("Big5"));
    assert!(fetched.text.unwrap().contains(traditional));
}

#[tokio::test]
async fn byte_order_mark_wins_over_header_and_meta() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(html(r#"<meta charset="big5">"#, NEWS).as_bytes());
    let server = serve_page("text/html; charset=gbk", body).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.encoding, Some("UTF-8"));
    let text = fetched.text.unwrap();
    assert!(text.starts_with("<!DOCTYPE"), "the BOM is stripped");
    assert!(text.contains(NEWS));
}

#[test]
fn utf16_byte_order_mark_is_decoded() {
    let mut body = vec![0xFF, 0xFE];
    body.extend(NEWS.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(decode_body(&body, None), (NEWS.to_owned(), "UTF-16LE"));
}

#[test]
fn xml_declaration_encoding_is_used_for_feeds() {
    let feed = format!(
        r#"<?xml version="1.0" encoding="GB2312"?><rss><channel><title>{NEWS}</title></channel></rss>"#
    );
    let (text, encoding) = decode_body(&gbk(&feed), Some("application/rss+xml"));
    assert_eq!(encoding, "GB18030");
    assert!(text.contains(NEWS));
}

#[test]
fn utf8_cut_mid_character_at_the_cap_stays_utf8() {
    let page = html(r#"<meta charset="utf-8">"#, NEWS);
    let cut = &page.as_bytes()[..page.len() - "。</p></body></html>".len() - 1];
    let (text, encoding) = decode_body(cut, None);
    assert_eq!(encoding, "UTF-8");
    assert!(text.contains("相关人员已停"));
}

#[tokio::test]
async fn binary_content_is_not_decoded() {
    let server = serve_page("image/png", vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13]).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.body.len(), 8);
    assert_eq!((fetched.text, fetched.encoding), (None, None));
}

#[tokio::test]
async fn gzip_page_is_decompressed_and_decoded() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&gbk(&html("", NEWS))).unwrap();
    let compressed = encoder.finish().unwrap();
    let server = serve(move |_| {
        Router::new().route(
            "/",
            get(move || async move {
                (
                    [
                        (h::CONTENT_TYPE, "text/html; charset=gbk"),
                        (h::CONTENT_ENCODING, "gzip"),
                    ],
                    compressed,
                )
            }),
        )
    })
    .await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert!(fetched.text.unwrap().contains(NEWS));
    let accept = server.request_headers(0)[h::ACCEPT_ENCODING]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(accept.contains("gzip") && accept.contains("br"), "{accept}");
}

// ---------------------------------------------------------------- conditional GET

async fn conditional(headers: AxumHeaders) -> Response {
    if headers
        .get(h::IF_NONE_MATCH)
        .is_some_and(|tag| tag == "\"v1\"")
    {
        // Only the ETag comes back: the Last-Modified that was sent is kept.
        return (StatusCode::NOT_MODIFIED, [(h::ETAG, "\"v1\"")]).into_response();
    }
    (
        [(h::ETAG, "\"v1\""), (h::LAST_MODIFIED, LAST_MODIFIED)],
        "first version",
    )
        .into_response()
}

#[tokio::test]
async fn etag_and_last_modified_are_returned() {
    let server = serve(|_| Router::new().route("/", get(conditional))).await;
    let fetched = fetch(&server.url("/")).await.unwrap();
    assert_eq!(fetched.body, b"first version");
    assert_eq!(
        fetched.validators,
        Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some(LAST_MODIFIED.into())
        }
    );
    let sent = server.request_headers(0);
    assert!(sent.get(h::IF_NONE_MATCH).is_none() && sent.get(h::IF_MODIFIED_SINCE).is_none());
}

#[tokio::test]
async fn not_modified_sends_both_validators() {
    let server = serve(|_| Router::new().route("/", get(conditional))).await;
    let stored = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: Some(LAST_MODIFIED.into()),
    };
    let fetched = Fetcher::new(local_policy())
        .unwrap()
        .get(&server.url("/"), &stored)
        .await
        .unwrap();
    assert!(fetched.not_modified);
    assert_eq!(fetched.status, 304);
    assert!(fetched.body.is_empty() && fetched.text.is_none());
    assert_eq!(fetched.validators, stored);
    let sent = server.request_headers(0);
    assert_eq!(sent[h::IF_NONE_MATCH], "\"v1\"");
    assert_eq!(sent[h::IF_MODIFIED_SINCE], LAST_MODIFIED);
}

// ---------------------------------------------------------------- statuses and Retry-After

async fn serve_status(status: u16, retry_after: Option<String>) -> TestServer {
    serve(move |_| {
        Router::new().route(
            "/",
            get(move || async move {
                let mut response =
                    (StatusCode::from_u16(status).unwrap(), "status body").into_response();
                if let Some(value) = retry_after {
                    response
                        .headers_mut()
                        .insert(h::RETRY_AFTER, value.parse().unwrap());
                }
                response
            }),
        )
    })
    .await
}

#[tokio::test]
async fn too_many_requests_with_retry_after_seconds() {
    let server = serve_status(429, Some("120".into())).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert!(
        matches!(error, FetchError::Status { status: 429, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn too_many_requests_with_retry_after_date_is_capped() {
    let two_hours_ahead =
        httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2 * 3600));
    let server = serve_status(429, Some(two_hours_ahead)).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));
}

#[test]
fn parse_retry_after_cases() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00
    let cases = [
        ("0", Some(Duration::ZERO)),
        (" 30 ", Some(Duration::from_secs(30))),
        ("86400", Some(MAX_RETRY_AFTER)),
        (
            "Wed, 21 Oct 2015 07:30:00 GMT",
            Some(Duration::from_secs(120)),
        ),
        ("Wed, 21 Oct 2015 07:00:00 GMT", Some(Duration::ZERO)),
        ("Thu, 22 Oct 2015 07:28:00 GMT", Some(MAX_RETRY_AFTER)),
        ("soon", None),
        ("-5", None),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_retry_after(value, now), expected, "{value:?}");
    }
}

#[tokio::test]
async fn service_unavailable_is_retryable_with_retry_after() {
    let server = serve_status(503, Some("30".into())).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert!(matches!(error, FetchError::Status { status: 503, .. }));
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn not_found_is_not_retryable() {
    let server = serve_status(404, None).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert!(matches!(
        error,
        FetchError::Status {
            status: 404,
            retry_after: None,
            ..
        }
    ));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn request_timeout_408_is_retryable() {
    let server = serve_status(408, None).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert!(matches!(error, FetchError::Status { status: 408, .. }));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn connection_refused_is_not_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = fetch(&format!("http://{addr}/")).await.unwrap_err();
    assert!(matches!(error, FetchError::Connect { .. }), "{error:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn bad_urls_and_schemes_are_refused_before_any_request() {
    let error = fetch("not a url").await.unwrap_err();
    assert!(matches!(error, FetchError::InvalidUrl { .. }), "{error:?}");
    let error = fetch("ftp://example.com/file").await.unwrap_err();
    assert!(
        matches!(&error, FetchError::SchemeNotAllowed { scheme, .. } if scheme == "ftp"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

// ---------------------------------------------------------------- redirects

fn redirect(status: StatusCode, location: String) -> Response {
    (status, [(h::LOCATION, location)]).into_response()
}

/// `/chain/{n}` redirects to `/chain/{n-1}`; `/chain/0` is the page.
fn chain_router() -> Router {
    Router::new().route(
        "/chain/{n}",
        get(|Path(n): Path<u32>| async move {
            match n {
                0 => "end of chain".into_response(),
                n => redirect(StatusCode::FOUND, format!("/chain/{}", n - 1)),
            }
        }),
    )
}

#[tokio::test]
async fn redirect_chain_of_three() {
    let server = serve(|addr| {
        Router::new()
            .route(
                "/hop3",
                get(move || async move {
                    redirect(
                        StatusCode::MOVED_PERMANENTLY,
                        format!("http://{addr}/dir/hop2"),
                    )
                }),
            )
            .route(
                "/dir/hop2",
                get(|| async { redirect(StatusCode::TEMPORARY_REDIRECT, "hop1#fragment".into()) }),
            )
            .route(
                "/dir/hop1",
                get(|| async { redirect(StatusCode::PERMANENT_REDIRECT, "/final".into()) }),
            )
            .route("/final", get(|| async { "arrived" }))
    })
    .await;
    let fetched = fetch(&server.url("/hop3")).await.unwrap();
    assert_eq!(fetched.final_url.as_str(), server.url("/final"));
    assert_eq!(fetched.body, b"arrived");
    assert_eq!(server.hits(), 4);
}

#[tokio::test]
async fn ten_redirects_are_followed() {
    let server = serve(|_| chain_router()).await;
    let fetched = fetch(&server.url("/chain/10")).await.unwrap();
    assert_eq!(fetched.final_url.as_str(), server.url("/chain/0"));
}

#[tokio::test]
async fn eleven_redirects_are_too_many() {
    let server = serve(|_| chain_router()).await;
    let error = fetch(&server.url("/chain/11")).await.unwrap_err();
    assert!(
        matches!(error, FetchError::TooManyRedirects { limit: 10, .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.hits(), 11, "the 11th redirect is not followed");
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let server = serve(|_| {
        Router::new()
            .route(
                "/a",
                get(|| async { redirect(StatusCode::FOUND, "/b".into()) }),
            )
            .route(
                "/b",
                get(|| async { redirect(StatusCode::FOUND, "/a".into()) }),
            )
    })
    .await;
    let error = fetch(&server.url("/a")).await.unwrap_err();
    assert!(
        matches!(&error, FetchError::RedirectLoop { url } if url == &server.url("/a")),
        "{error:?}"
    );
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn redirect_to_non_http_scheme_is_refused() {
    let server = serve(|_| {
        Router::new()
            .route(
                "/ftp",
                get(|| async { redirect(StatusCode::FOUND, "ftp://example.com/file".into()) }),
            )
            .route(
                "/file",
                get(|| async { redirect(StatusCode::FOUND, "file:///etc/passwd".into()) }),
            )
    })
    .await;
    for (path, scheme) in [("/ftp", "ftp"), ("/file", "file")] {
        let error = fetch(&server.url(path)).await.unwrap_err();
        assert!(
            matches!(&error, FetchError::SchemeNotAllowed { scheme: s, .. } if s == scheme),
            "{error:?}"
        );
    }
}

// ---------------------------------------------------------------- size caps and deadlines

/// `size` zero bytes gzipped: ~100 KB for 100 MB.
fn gzip_bomb(size: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1024 * 1024];
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..size / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// `size` zero bytes brotli-compressed: a few hundred bytes for 100 MB.
fn brotli_bomb(size: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1024 * 1024];
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 5, 22);
    for _ in 0..size / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.into_inner()
}

async fn serve_compressed(content_encoding: &'static str, body: Vec<u8>) -> TestServer {
    serve(move |_| {
        Router::new().route(
            "/",
            get(move || async move {
                (
                    [
                        (h::CONTENT_TYPE, "text/html"),
                        (h::CONTENT_ENCODING, content_encoding),
                    ],
                    body,
                )
            }),
        )
    })
    .await
}

#[tokio::test]
async fn gzip_bomb_stops_at_the_cap() {
    let body = tokio::task::spawn_blocking(|| gzip_bomb(100 * 1024 * 1024))
        .await
        .unwrap();
    assert!(
        body.len() < 150 * 1024,
        "compressed to {} bytes",
        body.len()
    );
    let server = serve_compressed("gzip", body).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::BodyTooLarge {
                limit: DEFAULT_MAX_BODY_BYTES,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn brotli_bomb_stops_at_the_cap() {
    let body = tokio::task::spawn_blocking(|| brotli_bomb(100 * 1024 * 1024))
        .await
        .unwrap();
    assert!(
        body.len() < 150 * 1024,
        "compressed to {} bytes",
        body.len()
    );
    let server = serve_compressed("br", body).await;
    let error = fetch(&server.url("/")).await.unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::BodyTooLarge {
                limit: DEFAULT_MAX_BODY_BYTES,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn lying_content_length_over_the_cap_is_refused_before_reading() {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1099511627776\r\n\r\n";
    let addr = serve_raw(head.into(), usize::MAX).await;
    let error = fetch(&format!("http://{addr}/")).await.unwrap_err();
    assert!(
        matches!(error, FetchError::BodyTooLarge { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn lying_content_length_under_the_real_body_reads_only_what_was_declared() {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n";
    let addr = serve_raw(head.into(), 4 * 1024 * 1024).await;
    let policy = FetchPolicy {
        max_body_bytes: 1024 * 1024,
        ..local_policy()
    };
    let fetched = fetch_with(policy, &format!("http://{addr}/"))
        .await
        .unwrap();
    assert_eq!(fetched.body.len(), 1000);
}

#[tokio::test]
async fn truncated_body_is_a_transport_error() {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n";
    let addr = serve_raw(head.into(), 100).await;
    let error = fetch(&format!("http://{addr}/")).await.unwrap_err();
    assert!(matches!(error, FetchError::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn endless_chunked_body_stops_at_the_cap() {
    let server = serve(|_| {
        Router::new().route(
            "/",
            get(|| async {
                let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
                Body::from_stream(futures_util::stream::repeat_with(move || {
                    Ok::<_, Infallible>(chunk.clone())
                }))
            }),
        )
    })
    .await;
    let policy = FetchPolicy {
        max_body_bytes: 1024 * 1024,
        ..local_policy()
    };
    let error = fetch_with(policy, &server.url("/")).await.unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::BodyTooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn trickling_server_hits_the_total_deadline() {
    let server = serve(|_| {
        Router::new().route(
            "/",
            get(|| async {
                let trickle = futures_util::stream::unfold(true, |first| async move {
                    if !first {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                    Some((Ok::<_, Infallible>(Bytes::from_static(b".")), false))
                });
                Body::from_stream(trickle)
            }),
        )
    })
    .await;
    let policy = FetchPolicy {
        total_timeout: Duration::from_secs(1),
        ..local_policy()
    };
    let error = fetch_with(policy, &server.url("/")).await.unwrap_err();
    assert!(
        matches!(&error, FetchError::Timeout { url } if url == &server.url("/")),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

// ---------------------------------------------------------------- SSRF guard

#[tokio::test]
async fn literal_private_hosts_are_refused_without_a_request() {
    let server = serve(|_| Router::new().route("/", get(|| async { "secret" }))).await;
    let port = server.addr.port();
    let ipv6 = serve_on("[::1]:0", |_| {
        Router::new().route("/", get(|| async { "secret" }))
    })
    .await
    .ok();
    let v6_port = ipv6.as_ref().map_or(port, |server| server.addr.port());
    let urls = [
        format!("http://127.0.0.1:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f.1:{port}/"),
        format!("http://0177.0.0.1:{port}/"),
        format!("http://127.1:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://[::1]:{v6_port}/"),
    ];
    for url in urls {
        let error = fetch_with(FetchPolicy::default(), &url).await.unwrap_err();
        assert!(
            matches!(error, FetchError::PrivateAddress { addr, .. } if addr.is_loopback() || addr == IpAddr::from(Ipv4Addr::LOCALHOST.to_ipv6_mapped())),
            "{url}: {error:?}"
        );
        assert!(!error.is_retryable());
    }
    assert_eq!(server.hits(), 0);
    assert_eq!(ipv6.map_or(0, |server| server.hits()), 0);
}

#[tokio::test]
async fn localhost_is_refused_at_resolution() {
    let server = serve(|_| Router::new().route("/", get(|| async { "secret" }))).await;
    let url = format!("http://localhost:{}/", server.addr.port());
    let error = fetch_with(FetchPolicy::default(), &url).await.unwrap_err();
    assert!(
        matches!(error, FetchError::PrivateAddress { addr, .. } if addr.is_loopback()),
        "{error:?}"
    );
    assert_eq!(server.hits(), 0);
    // The same resolver lets it through when private targets are allowed.
    assert_eq!(fetch(&url).await.unwrap().body, b"secret");
}

/// A default-policy fetcher whose resolver answers `name` with 127.0.0.1 without DNS;
/// `checked: false` exempts that answer from the SSRF filter.
fn fetcher_with_static_host(name: &'static str, checked: bool) -> Fetcher {
    let static_hosts = vec![(name, IpAddr::from(Ipv4Addr::LOCALHOST), checked)];
    let resolver = GuardedResolver {
        allow_private: false,
        static_hosts,
    };
    Fetcher::with_resolver(FetchPolicy::default(), resolver).unwrap()
}

#[tokio::test]
async fn public_name_resolving_to_loopback_is_refused_at_connect() {
    let server = serve(|_| Router::new().route("/", get(|| async { "secret" }))).await;
    let fetcher = fetcher_with_static_host("news.example.com", true);
    let url = format!("http://news.example.com:{}/", server.addr.port());
    let error = fetcher.get(&url, &Validators::default()).await.unwrap_err();
    assert!(
        matches!(error, FetchError::PrivateAddress { addr, .. } if addr == Ipv4Addr::LOCALHOST),
        "{error:?}"
    );
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn every_redirect_hop_is_checked() {
    let server = serve(|addr| {
        let port = addr.port();
        Router::new()
            .route(
                "/to-ip",
                get(move || async move {
                    redirect(StatusCode::FOUND, format!("http://127.0.0.1:{port}/secret"))
                }),
            )
            .route(
                "/to-name",
                get(move || async move {
                    redirect(StatusCode::FOUND, format!("http://localhost:{port}/secret"))
                }),
            )
            .route("/secret", get(|| async { "secret" }))
    })
    .await;
    // A loopback server playing a public host (exempt from the filter), redirecting inwards.
    let fetcher = fetcher_with_static_host("public.example", false);
    for (number, path) in ["/to-ip", "/to-name"].into_iter().enumerate() {
        let url = format!("http://public.example:{}{path}", server.addr.port());
        let error = fetcher.get(&url, &Validators::default()).await.unwrap_err();
        assert!(
            matches!(&error, FetchError::PrivateAddress { url, .. } if url.ends_with("/secret")),
            "{error:?}"
        );
        assert_eq!(
            server.hits(),
            number + 1,
            "only the public hop reached the server"
        );
    }
}

#[test]
fn is_private_table() {
    let cases: &[(&str, bool)] = &[
        ("127.0.0.1", true),
        ("127.255.255.254", true),
        ("10.1.2.3", true),
        ("172.15.255.255", false),
        ("172.16.0.1", true),
        ("172.31.255.255", true),
        ("172.32.0.1", false),
        ("192.168.1.1", true),
        ("169.254.169.254", true),
        ("100.64.0.1", true),
        ("100.127.255.255", true),
        ("100.128.0.1", false),
        ("0.0.0.0", true),
        ("0.1.2.3", true),
        ("224.0.0.1", true),
        ("239.255.255.250", true),
        ("255.255.255.255", true),
        ("240.0.0.1", true),
        ("192.0.0.8", true),
        ("192.0.2.1", true),
        ("198.18.0.1", true),
        ("8.8.8.8", false),
        ("114.114.114.114", false),
        ("220.181.38.148", false),
        ("::", true),
        ("::1", true),
        ("::127.0.0.1", true),
        ("::ffff:127.0.0.1", true),
        ("::ffff:10.0.0.1", true),
        ("::ffff:8.8.8.8", false),
        ("fc00::1", true),
        ("fd12:3456::1", true),
        ("fe80::1", true),
        ("fec0::1", true),
        ("ff02::1", true),
        ("2001:db8::1", true),
        ("64:ff9b::a00:1", true),
        ("64:ff9b::808:808", false),
        ("2002:7f00:1::", true),
        ("2002:808:808::", false),
        ("2400:3200::1", false),
        ("2606:4700:4700::1111", false),
    ];
    for (text, expected) in cases {
        let addr: IpAddr = text.parse().unwrap();
        assert_eq!(is_private(addr), *expected, "{text}");
    }
    assert!(is_private(IpAddr::V6(Ipv6Addr::LOCALHOST)));
}

#[test]
fn backoff_grows_and_is_capped() {
    assert_eq!(backoff_ceiling(0), BACKOFF_BASE);
    for attempt in 0..40 {
        let ceiling = backoff_ceiling(attempt);
        assert!(ceiling <= MAX_BACKOFF);
        assert!(backoff_ceiling(attempt + 1) >= ceiling, "never shrinks");
        for _ in 0..20 {
            let delay = backoff(attempt);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay:?}"
            );
        }
    }
    // Equal jitter keeps growth visible: two attempts later is always longer, until the cap.
    for attempt in 0..6 {
        assert!(backoff(attempt + 2) > backoff(attempt));
    }
    assert_eq!(backoff_ceiling(30), MAX_BACKOFF);
    assert!(backoff(u32::MAX) <= MAX_BACKOFF);
}

// ---------------------------------------------------------------- TLS roots

/// Run by [`fetcher_builds_without_system_ca_certificates`] in a child process.
#[test]
#[ignore = "run in a child process with the system CA store hidden"]
fn build_fetcher_without_system_roots() {
    Fetcher::new(FetchPolicy::default()).unwrap();
}

/// A machine without CA certificates still gets a client: the bundled roots are merged in
/// (a plain reqwest 0.13 client fails with "No CA certificates were loaded from the system").
#[test]
fn fetcher_builds_without_system_ca_certificates() {
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, path)| path);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &format!("{module}::build_fetcher_without_system_roots"),
        ])
        .args(["--ignored", "--quiet", "--test-threads=1"])
        .env("SSL_CERT_FILE", "/nonexistent/ca.pem")
        .env("SSL_CERT_DIR", "/nonexistent")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the child could not build a fetcher");
}
