//! Tests of crawl politeness against real axum servers on 127.0.0.1 started inside each test;
//! every server records the path and arrival instant of each request, and how many were in
//! flight at once. Timing is asserted only as lower bounds on gaps, less [`TOLERANCE`].

use super::super::fetch::{BACKOFF_BASE, FetchPolicy};
use super::*;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

/// Slack for timer and scheduling jitter when asserting a minimum gap.
const TOLERANCE: Duration = Duration::from_millis(50);
const USER_AGENT: &str = "yuqing-crawler/0.1 (+https://example.org/bot)";
const PAGE: &str = "<html><body>警方通报：相关人员已停职。</body></html>";

/// A local server that logs `(path, arrival)` of every request and the most in flight.
struct TestServer {
    addr: SocketAddr,
    log: Arc<StdMutex<Vec<(String, Instant)>>>,
    max_in_flight: Arc<AtomicUsize>,
}

impl TestServer {
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn paths(&self) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter().map(|(path, _)| path.clone()).collect()
    }

    fn hits(&self, path: &str) -> usize {
        self.paths().iter().filter(|seen| *seen == path).count()
    }

    /// Arrival instants of every request, robots.txt included, in order.
    fn arrivals(&self) -> Vec<Instant> {
        self.log.lock().unwrap().iter().map(|(_, at)| *at).collect()
    }

    fn arrivals_of(&self, path: &str) -> Vec<Instant> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|(seen, _)| seen == path)
            .map(|(_, at)| *at)
            .collect()
    }
}

/// Serves `router` on 127.0.0.1:0 in the background, recording every request.
async fn serve(router: Router) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(StdMutex::new(Vec::new()));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (recorder, most) = (log.clone(), max_in_flight.clone());
    let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
        let (recorder, most, in_flight) = (recorder.clone(), most.clone(), in_flight.clone());
        async move {
            let path = request.uri().path().to_owned();
            recorder.lock().unwrap().push((path, Instant::now()));
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let response = next.run(request).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            response
        }
    }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    TestServer {
        addr,
        log,
        max_in_flight,
    }
}

/// A server with `robots` as robots.txt and a page at every other path.
async fn serve_site(robots: &'static str) -> TestServer {
    serve(
        Router::new()
            .route("/robots.txt", get(move || async move { robots }))
            .fallback(page),
    )
    .await
}

async fn page() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE)
}

fn polite(per_host_delay: Duration) -> Polite {
    polite_with(per_host_delay, FetchPolicy::default().total_timeout)
}

fn polite_with(per_host_delay: Duration, total_timeout: Duration) -> Polite {
    let fetcher = Fetcher::new(FetchPolicy {
        user_agent: USER_AGENT.to_owned(),
        total_timeout,
        allow_private: true,
        ..FetchPolicy::default()
    })
    .unwrap();
    let policy = PolitenessPolicy {
        per_host_delay,
        max_crawl_delay: DEFAULT_MAX_CRAWL_DELAY,
        robots_ttl: Duration::from_secs(3600),
        user_agent: USER_AGENT.to_owned(),
    };
    Polite::new(fetcher, policy)
}

fn assert_gaps_at_least(arrivals: &[Instant], gap: Duration) {
    for pair in arrivals.windows(2) {
        let seen = pair[1] - pair[0];
        assert!(seen + TOLERANCE >= gap, "gap {seen:?} shorter than {gap:?}");
    }
}

const NONE: &Validators = &Validators {
    etag: None,
    last_modified: None,
};

#[tokio::test]
async fn robots_disallow_refuses_without_requesting() {
    let server = serve_site("User-agent: *\nDisallow: /private\n").await;
    let polite = polite(Duration::ZERO);

    let refused = polite.get(&server.url("/private/x"), NONE).await;
    assert!(
        matches!(refused, Err(PoliteError::Disallowed { .. })),
        "{refused:?}"
    );
    let fetched = polite.get(&server.url("/public"), NONE).await.unwrap();
    assert_eq!(fetched.text.as_deref(), Some(PAGE));
    assert!(!polite.allowed(&server.url("/private/y")).await.unwrap());
    assert!(polite.allowed(&server.url("/public/z")).await.unwrap());

    assert_eq!(server.paths(), ["/robots.txt", "/public"]);
}

#[tokio::test]
async fn robots_group_for_our_product_token_wins() {
    let robots = "User-agent: *\nAllow: /\n\nUser-agent: Yuqing-Crawler\nDisallow: /\n";
    let server = serve_site(robots).await;
    let polite = polite(Duration::ZERO);

    assert!(!polite.allowed(&server.url("/news")).await.unwrap());
    assert_eq!(product_token(USER_AGENT), "yuqing-crawler");
}

#[tokio::test]
async fn robots_404_allows_everything() {
    let server = serve(Router::new().fallback(page).route(
        "/robots.txt",
        get(|| async { (StatusCode::NOT_FOUND, "no robots here") }),
    ))
    .await;
    let polite = polite(Duration::ZERO);

    for path in ["/private/x", "/", "/a?b=c"] {
        polite.get(&server.url(path), NONE).await.unwrap();
    }
    assert_eq!(server.hits("/robots.txt"), 1);
}

#[tokio::test]
async fn robots_5xx_or_429_disallows_host_without_page_requests() {
    for status in [
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let server = serve(
            Router::new()
                .fallback(page)
                .route("/robots.txt", get(move || async move { status })),
        )
        .await;
        let polite = polite(Duration::ZERO);

        for _ in 0..2 {
            let refused = polite.get(&server.url("/news"), NONE).await;
            let Err(error @ PoliteError::RobotsUnavailable { .. }) = refused else {
                panic!("{status}: {refused:?}");
            };
            // The message says why, and when it is tried again.
            let message = error.to_string();
            let why = format!("http status {} for", status.as_u16());
            assert!(message.contains(&why), "{message}");
            assert!(message.contains("next try in 10 min"), "{message}");
            let PoliteError::RobotsUnavailable { host, until, .. } = error else {
                unreachable!()
            };
            assert_eq!(host, format!("http://{}", server.addr));
            assert!(until >= Instant::now() + ROBOTS_RETRY_INTERVAL - Duration::from_secs(5));
        }
        let unknown = polite.allowed(&server.url("/other")).await;
        assert!(
            matches!(unknown, Err(PoliteError::RobotsUnavailable { .. })),
            "{unknown:?}"
        );
        assert_eq!(server.paths(), ["/robots.txt"], "{status}");
    }
}

#[tokio::test]
async fn robots_timeout_disallows_host() {
    let slow_robots = || async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "User-agent: *\nAllow: /\n"
    };
    let server = serve(
        Router::new()
            .fallback(page)
            .route("/robots.txt", get(slow_robots)),
    )
    .await;
    let polite = polite_with(Duration::ZERO, Duration::from_millis(300));

    let refused = polite.get(&server.url("/news"), NONE).await;
    assert!(
        matches!(refused, Err(PoliteError::RobotsUnavailable { .. })),
        "{refused:?}"
    );
    assert_eq!(server.paths(), ["/robots.txt"]);
}

#[tokio::test]
async fn robots_unreachable_is_fetched_again_after_retry_after() {
    let calls = Arc::new(AtomicUsize::new(0));
    let robots = move || async move {
        match calls.fetch_add(1, Ordering::SeqCst) {
            0 => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                "",
            )
                .into_response(),
            _ => "User-agent: *\nDisallow: /private\n".into_response(),
        }
    };
    let server = serve(
        Router::new()
            .fallback(page)
            .route("/robots.txt", get(robots)),
    )
    .await;
    let polite = polite(Duration::ZERO);

    let refused = polite.get(&server.url("/news"), NONE).await;
    assert!(
        matches!(refused, Err(PoliteError::RobotsUnavailable { .. })),
        "{refused:?}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    polite.get(&server.url("/news"), NONE).await.unwrap();
    assert!(!polite.allowed(&server.url("/private")).await.unwrap());
    assert_eq!(server.paths(), ["/robots.txt", "/robots.txt", "/news"]);
}

#[tokio::test]
async fn robots_fetched_once_for_several_pages() {
    let server = serve_site("User-agent: *\nDisallow: /private\n").await;
    let polite = polite(Duration::ZERO);

    for path in ["/a", "/b", "/c", "/d"] {
        polite.get(&server.url(path), NONE).await.unwrap();
    }
    assert!(polite.allowed(&server.url("/e")).await.unwrap());
    assert_eq!(server.paths(), ["/robots.txt", "/a", "/b", "/c", "/d"]);
}

#[tokio::test]
async fn robots_redirect_is_followed() {
    let moved = || async {
        (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, "/site/robots.txt")],
        )
    };
    let router = Router::new()
        .route("/robots.txt", get(moved))
        .route(
            "/site/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /x\n" }),
        )
        .fallback(page);
    let server = serve(router).await;
    let polite = polite(Duration::ZERO);

    let refused = polite.get(&server.url("/x/1"), NONE).await;
    assert!(
        matches!(refused, Err(PoliteError::Disallowed { .. })),
        "{refused:?}"
    );
    polite.get(&server.url("/y"), NONE).await.unwrap();
    assert_eq!(server.paths(), ["/robots.txt", "/site/robots.txt", "/y"]);
}

#[tokio::test]
async fn robots_parsed_up_to_limit_only() {
    let mut robots = String::from("User-agent: *\nDisallow: /early\n");
    while robots.len() < ROBOTS_MAX_BYTES + 1000 {
        robots.push_str("# padding padding padding padding padding padding padding\n");
    }
    robots.push_str("Disallow: /late\n");
    let robots: &'static str = robots.leak();
    let server = serve_site(robots).await;
    let polite = polite(Duration::ZERO);

    assert!(!polite.allowed(&server.url("/early")).await.unwrap());
    assert!(polite.allowed(&server.url("/late")).await.unwrap());
}

#[test]
fn robots_prefix_cuts_at_a_line_break() {
    let mut body = vec![b'#'; ROBOTS_MAX_BYTES - 4];
    body.extend_from_slice(b"\nAllow: /abc\n");
    assert_eq!(robots_prefix(&body).len(), ROBOTS_MAX_BYTES - 3);
    assert_eq!(robots_prefix(b"Disallow: /"), b"Disallow: /");
}

#[test]
fn effective_delay_cases() {
    let ms = Duration::from_millis;
    let cases = [
        ("no crawl-delay", ms(300), None, ms(60_000), ms(300)),
        (
            "crawl-delay larger",
            ms(300),
            Some(ms(1000)),
            ms(60_000),
            ms(1000),
        ),
        (
            "crawl-delay smaller",
            ms(300),
            Some(ms(100)),
            ms(60_000),
            ms(300),
        ),
        (
            "crawl-delay capped",
            ms(300),
            Some(ms(3_600_000)),
            ms(60_000),
            ms(60_000),
        ),
        (
            "cap below per-host delay",
            ms(300),
            Some(ms(1000)),
            ms(200),
            ms(300),
        ),
    ];
    for (name, per_host, crawl, cap, expected) in cases {
        assert_eq!(effective_delay(per_host, crawl, cap), expected, "{name}");
    }
}

#[tokio::test]
async fn crawl_delay_spaces_page_requests() {
    let server = serve_site("User-agent: *\nCrawl-delay: 1\n").await;
    let polite = polite(Duration::from_millis(100));

    polite.get(&server.url("/a"), NONE).await.unwrap();
    polite.get(&server.url("/b"), NONE).await.unwrap();
    assert_eq!(server.paths(), ["/robots.txt", "/a", "/b"]);
    assert_gaps_at_least(&server.arrivals(), Duration::from_secs(1));
}

#[tokio::test]
async fn per_host_delay_spaces_requests_but_not_other_hosts() {
    let delay = Duration::from_millis(300);
    // The first host asks for 2 s between requests; the second host (same IP, other port)
    // only has our 300 ms delay, so all its requests land before the first host's first page
    // unless the two hosts were serialized behind each other.
    let slow = serve_site("User-agent: *\nCrawl-delay: 2\n").await;
    let fast = serve_site("").await;
    let polite = polite(delay);

    let slow_url = slow.url("/1");
    let slow_host = polite.get(&slow_url, NONE);
    let fast_host = async {
        for path in ["/1", "/2"] {
            polite.get(&fast.url(path), NONE).await.unwrap();
        }
    };
    let (fetched, ()) = tokio::join!(slow_host, fast_host);
    fetched.unwrap();

    assert_eq!(fast.paths(), ["/robots.txt", "/1", "/2"]);
    assert_gaps_at_least(&fast.arrivals(), delay);
    let slow_page = slow.arrivals_of("/1")[0];
    assert!(fast.arrivals().iter().all(|arrival| *arrival < slow_page));
}

#[tokio::test]
async fn concurrent_gets_to_one_host_never_overlap() {
    let slow_page = || async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        PAGE
    };
    let server = serve(
        Router::new()
            .route("/robots.txt", get(|| async { "" }))
            .fallback(slow_page),
    )
    .await;
    let polite = polite(Duration::ZERO);

    let urls: Vec<String> = (0..5)
        .map(|index| server.url(&format!("/p{index}")))
        .collect();
    let gets = urls.iter().map(|url| polite.get(url, NONE));
    for result in futures_util::future::join_all(gets).await {
        result.unwrap();
    }
    assert_eq!(server.paths().len(), 6);
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 1);
}

/// A site whose `/busy` answers `status` with `retry_after` on the first request, then 200.
async fn serve_busy_once(status: StatusCode, retry_after: Option<&'static str>) -> TestServer {
    let calls = Arc::new(AtomicUsize::new(0));
    let busy = move || async move {
        if calls.fetch_add(1, Ordering::SeqCst) > 0 {
            return PAGE.into_response();
        }
        match retry_after {
            Some(seconds) => (status, [(header::RETRY_AFTER, seconds)]).into_response(),
            None => status.into_response(),
        }
    };
    serve(
        Router::new()
            .route("/robots.txt", get(|| async { "" }))
            .route("/busy", get(busy)),
    )
    .await
}

#[tokio::test]
async fn retry_after_429_holds_back_only_that_host() {
    let busy = serve_busy_once(StatusCode::TOO_MANY_REQUESTS, Some("1")).await;
    let other = serve_site("").await;
    let polite = polite(Duration::from_millis(50));

    let failed = polite.get(&busy.url("/busy"), NONE).await.unwrap_err();
    let PoliteError::Fetch(error) = failed else {
        panic!("{failed:?}")
    };
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));

    let (busy_url, other_url) = (busy.url("/busy"), other.url("/"));
    let (again, elsewhere) =
        tokio::join!(polite.get(&busy_url, NONE), polite.get(&other_url, NONE));
    again.unwrap();
    elsewhere.unwrap();

    let tries = busy.arrivals_of("/busy");
    assert_gaps_at_least(&tries, Duration::from_secs(1));
    assert!(other.arrivals_of("/")[0] < tries[1]);
}

#[tokio::test]
async fn long_retry_after_returns_backing_off_without_contact() {
    let busy = serve_busy_once(StatusCode::SERVICE_UNAVAILABLE, Some("120")).await;
    let polite = polite(Duration::ZERO);

    polite.get(&busy.url("/busy"), NONE).await.unwrap_err();
    let refused = polite.get(&busy.url("/busy"), NONE).await;
    let Err(PoliteError::BackingOff { host, until }) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(host, format!("http://{}", busy.addr));
    assert!(until > Instant::now() + Duration::from_secs(100));
    let message = PoliteError::BackingOff { host, until }.to_string();
    assert!(
        message.contains(" s more: it asked for a pause"),
        "{message}"
    );
    assert_eq!(busy.paths(), ["/robots.txt", "/busy"]);
}

#[tokio::test]
async fn backoff_after_503_without_retry_after() {
    let busy = serve_busy_once(StatusCode::SERVICE_UNAVAILABLE, None).await;
    let polite = polite(Duration::from_millis(50));

    let failed = polite.get(&busy.url("/busy"), NONE).await.unwrap_err();
    let PoliteError::Fetch(error) = failed else {
        panic!("{failed:?}")
    };
    assert_eq!(error.retry_after(), None);
    polite.get(&busy.url("/busy"), NONE).await.unwrap();

    // backoff(0) is at least half of BACKOFF_BASE, well above the 50 ms per-host delay.
    assert_gaps_at_least(&busy.arrivals_of("/busy"), BACKOFF_BASE / 2);
}

#[tokio::test]
async fn other_urls_are_refused_before_any_request() {
    let polite = polite(Duration::ZERO);

    for url in [
        "not a url",
        "ftp://127.0.0.1/robots.txt",
        "mailto:a@example.org",
    ] {
        let refused = polite.get(url, NONE).await;
        assert!(
            matches!(refused, Err(PoliteError::Fetch(_))),
            "{url}: {refused:?}"
        );
    }
}
