//! The crawler's single HTTP client: every page, feed and API call goes through
//! [`Fetcher::get`].
//!
//! One `reqwest::Client` is built once from a [`FetchPolicy`] and enforces, for every fetch:
//! - an SSRF guard: loopback, private, link-local, CGNAT, multicast and other non-public
//!   addresses are refused, for literal IP hosts before connecting and for names on the
//!   *resolved* address (a filtering DNS resolver), on every redirect hop ([`is_private`]);
//! - redirects followed by our own loop (count limit, loop detection, http/https only);
//! - a cap on the *decompressed* body and one total deadline around request + redirects + body;
//! - conditional GET from stored [`Validators`] (`304` → [`Fetched::not_modified`]);
//! - text decoding with charset sniffing for Chinese sites ([`decode_body`]);
//! - `Retry-After` parsing, and one retry decision ([`FetchError::is_retryable`], [`backoff`]).
//!
//! Retrying, per-host politeness and scheduling belong to the caller.

use std::collections::HashSet;
use std::error::Error as StdError;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::charset::is_textual;
pub use super::charset::{CHARSET_SNIFF_BYTES, decode_body};
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderName};
use tracing::Instrument;
use tracing::field::Empty;
use url::{Host, Url};

#[path = "fetch_guard.rs"]
mod guard;

pub use guard::is_private;
use guard::{GuardedResolver, PrivateResolution};

/// Default cap on the decompressed body: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Default deadline for a whole fetch: connect, redirects and body.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Default deadline for establishing one TCP (+TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of redirects followed before giving up.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Default `User-Agent` header.
pub const DEFAULT_USER_AGENT: &str = concat!("yuqing-crawler/", env!("CARGO_PKG_VERSION"));
/// Longest `Retry-After` honoured; longer values are capped to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);
/// First retry delay of [`backoff`] (attempt 0).
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Longest delay [`backoff`] ever returns.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// What a [`Fetcher`] is allowed to do; built once per crawler.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// `User-Agent` sent with every request.
    pub user_agent: String,
    /// Deadline for establishing one connection.
    pub connect_timeout: Duration,
    /// Deadline for the whole fetch, redirects and body included.
    pub total_timeout: Duration,
    /// Cap on the decompressed body; a larger body fails with [`FetchError::BodyTooLarge`].
    pub max_body_bytes: usize,
    /// Redirects followed before [`FetchError::TooManyRedirects`].
    pub max_redirects: usize,
    /// Allow loopback/private/link-local targets (tests and intranet deployments only).
    pub allow_private: bool,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            allow_private: false,
        }
    }
}

/// HTTP cache validators of one resource, stored by the caller between fetches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` last returned, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` last returned, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// A successful fetch: a `2xx` response with its body, or a `304 Not Modified`.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL after redirects.
    pub final_url: Url,
    /// HTTP status of the final response.
    pub status: u16,
    /// `304`: the stored copy is current; the body is empty and must not be re-parsed.
    pub not_modified: bool,
    /// The body, decompressed (gzip/brotli), at most [`FetchPolicy::max_body_bytes`].
    pub body: Vec<u8>,
    /// The decoded body for text/*, HTML, XML and JSON content (or no content type and no NUL).
    pub text: Option<String>,
    /// The encoding `text` was decoded with, e.g. `"UTF-8"`, `"GB18030"`, `"Big5"`.
    pub encoding: Option<&'static str>,
    /// The `Content-Type` header as sent.
    pub content_type: Option<String>,
    /// `ETag` / `Last-Modified` of the response; on a `304` missing ones are the ones sent.
    pub validators: Validators,
    /// `Retry-After`, capped at [`MAX_RETRY_AFTER`].
    pub retry_after: Option<Duration>,
}

/// Why a fetch failed. `url` is the URL being requested when it failed (a redirect hop's
/// URL after redirects). Source errors are not repeated in the message: log the chain.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL, or a redirect's `Location`, does not parse.
    #[error("invalid url {url}")]
    InvalidUrl {
        /// The text that failed to parse.
        url: String,
        /// The parser's complaint.
        source: url::ParseError,
    },
    /// Only `http` and `https` are fetched.
    #[error("scheme {scheme} not allowed for {url}")]
    SchemeNotAllowed {
        /// The refused URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// The host is, or resolves only to, a non-public address (SSRF guard).
    #[error("refusing non-public address {addr} for {url}")]
    PrivateAddress {
        /// The refused URL.
        url: String,
        /// The offending address.
        addr: IpAddr,
    },
    /// The total or connect deadline passed.
    #[error("timed out fetching {url}")]
    Timeout {
        /// The URL being fetched when the deadline passed.
        url: String,
    },
    /// DNS failure, connection refused or TLS handshake failure.
    #[error("cannot connect for {url}")]
    Connect {
        /// The URL.
        url: String,
        /// reqwest's error (URL stripped).
        source: reqwest::Error,
    },
    /// More than [`FetchPolicy::max_redirects`] redirects.
    #[error("more than {limit} redirects from {url}")]
    TooManyRedirects {
        /// The URL the fetch started from.
        url: String,
        /// The limit in force.
        limit: usize,
    },
    /// A redirect led back to a URL already visited in this fetch.
    #[error("redirect loop back to {url}")]
    RedirectLoop {
        /// The URL seen twice.
        url: String,
    },
    /// The decompressed body (or its declared `Content-Length`) exceeds the cap.
    #[error("body of {url} exceeds {limit} bytes")]
    BodyTooLarge {
        /// The URL.
        url: String,
        /// The cap in force.
        limit: usize,
    },
    /// A status other than `2xx` or `304` (a `3xx` without `Location` included).
    #[error("http status {status} for {url}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// `Retry-After`, capped at [`MAX_RETRY_AFTER`] (mostly sent with `429` and `503`).
        retry_after: Option<Duration>,
    },
    /// The exchange failed after connecting: protocol error, connection reset, a truncated
    /// or corrupt (bad gzip/brotli) body.
    #[error("transfer failed for {url}")]
    Transport {
        /// The URL.
        url: String,
        /// reqwest's error (URL stripped).
        source: reqwest::Error,
    },
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot build the http client")]
    Client {
        /// reqwest's error.
        source: reqwest::Error,
    },
}

impl FetchError {
    /// The one retry decision: `5xx`, `408`, `429` and timeouts are worth retrying (after
    /// [`FetchError::retry_after`] or [`backoff`]); everything else — connection refused, DNS,
    /// TLS, bad bodies, other `4xx`, size caps, SSRF refusals, redirect trouble — is not.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            _ => false,
        }
    }

    /// The server's `Retry-After` (capped), when the error is a status that carried one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The crawler's HTTP client; cheap to share behind an `Arc`, build once.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
}

impl Fetcher {
    /// Builds the client. TLS trusts the system CA store merged with the bundled Mozilla roots
    /// (`webpki-root-certs`), so a machine without CA certificates still works. Proxies from
    /// the environment are ignored: they would bypass the SSRF guard.
    pub fn new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        let allow_private = policy.allow_private;
        #[cfg(test)]
        let resolver = GuardedResolver {
            allow_private,
            static_hosts: Vec::new(),
        };
        #[cfg(not(test))]
        let resolver = GuardedResolver { allow_private };
        Self::with_resolver(policy, resolver)
    }

    fn with_resolver(
        policy: FetchPolicy,
        resolver: GuardedResolver,
    ) -> Result<Fetcher, FetchError> {
        let bundled_roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der).ok());
        let client = reqwest::Client::builder()
            .user_agent(policy.user_agent.clone())
            .connect_timeout(policy.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .tls_certs_merge(bundled_roots)
            .build()
            .map_err(|source| FetchError::Client { source })?;
        Ok(Fetcher { client, policy })
    }

    /// The policy this fetcher enforces.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Fetches `url` with a conditional GET from `validators`, following redirects, within
    /// the policy's deadline and body cap. `Ok` only for `2xx` and `304`.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let span =
            tracing::info_span!("fetch", url = %url, status = Empty, bytes = Empty, ms = Empty);
        let started = Instant::now();
        let result = async {
            let start = parse_url(url)?;
            let mut current = start.clone();
            let deadline = self.policy.total_timeout;
            let following = self.follow(&start, &mut current, validators);
            let outcome = tokio::time::timeout(deadline, following).await;
            let url = current.to_string();
            outcome.unwrap_or(Err(FetchError::Timeout { url }))
        }
        .instrument(span.clone())
        .await;
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("ms", ms);
        match &result {
            Ok(fetched) => {
                span.record("bytes", fetched.body.len());
                tracing::debug!(parent: &span, status = fetched.status, bytes = fetched.body.len(), ms, "fetched");
            }
            Err(error) => tracing::debug!(parent: &span, error = %error, ms, "fetch failed"),
        }
        result
    }

    /// The redirect loop; `current` always holds the URL being requested.
    async fn follow(
        &self,
        start: &Url,
        current: &mut Url,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        let mut visited = HashSet::new();
        let mut redirects = 0;
        loop {
            self.check_target(current)?;
            if !visited.insert(current.clone()) {
                let url = current.to_string();
                return Err(FetchError::RedirectLoop { url });
            }
            let response = self.send(current, validators).await?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            let location = response.headers().get(header::LOCATION);
            let Some(location) = location.filter(|_| status.is_redirection() && status != 304)
            else {
                return self.finish(current, response, validators).await;
            };
            let url = String::from_utf8_lossy(location.as_bytes()).into_owned();
            let mut next = match current.join(url.trim()) {
                Ok(next) => next,
                Err(source) => return Err(FetchError::InvalidUrl { url, source }),
            };
            next.set_fragment(None);
            redirects += 1;
            if redirects > self.policy.max_redirects {
                let (url, limit) = (start.to_string(), self.policy.max_redirects);
                return Err(FetchError::TooManyRedirects { url, limit });
            }
            tracing::trace!(from = %current, to = %next, "redirect");
            *current = next;
        }
    }

    /// Scheme check and, for literal IP hosts (any IPv4 spelling the URL parser normalises:
    /// `2130706433`, `0x7f.1`, `0177.0.0.1`), the SSRF check before any connection.
    fn check_target(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            let (url, scheme) = (url.to_string(), url.scheme().to_owned());
            return Err(FetchError::SchemeNotAllowed { url, scheme });
        }
        let literal = match url.host() {
            Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        if let Some(addr) = literal
            && !self.policy.allow_private
            && is_private(addr)
        {
            let url = url.to_string();
            return Err(FetchError::PrivateAddress { url, addr });
        }
        Ok(())
    }

    async fn send(&self, url: &Url, sent: &Validators) -> Result<reqwest::Response, FetchError> {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &sent.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &sent.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, last_modified);
        }
        request.send().await.map_err(|error| classify(url, error))
    }

    async fn finish(
        &self,
        url: &Url,
        response: reqwest::Response,
        sent: &Validators,
    ) -> Result<Fetched, FetchError> {
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = header_text(headers, header::RETRY_AFTER)
            .and_then(|value| parse_retry_after(&value, SystemTime::now()));
        let content_type = header_text(headers, header::CONTENT_TYPE);
        let mut validators = Validators {
            etag: header_text(headers, header::ETAG),
            last_modified: header_text(headers, header::LAST_MODIFIED),
        };
        let mut fetched = Fetched {
            final_url: url.clone(),
            status,
            not_modified: false,
            body: Vec::new(),
            text: None,
            encoding: None,
            content_type,
            validators: Validators::default(),
            retry_after,
        };
        if status == 304 {
            let (etag, last_modified) = (&sent.etag, &sent.last_modified);
            validators.etag = validators.etag.or_else(|| etag.clone());
            validators.last_modified = validators.last_modified.or_else(|| last_modified.clone());
            fetched.validators = validators;
            fetched.not_modified = true;
            return Ok(fetched);
        }
        if !response.status().is_success() {
            let url = url.to_string();
            return Err(FetchError::Status {
                url,
                status,
                retry_after,
            });
        }
        fetched.validators = validators;
        fetched.body = read_capped(url, response, self.policy.max_body_bytes).await?;
        if is_textual(fetched.content_type.as_deref(), &fetched.body) {
            let (text, encoding) = decode_body(&fetched.body, fetched.content_type.as_deref());
            fetched.text = Some(text);
            fetched.encoding = Some(encoding);
        }
        Ok(fetched)
    }
}

fn parse_url(text: &str) -> Result<Url, FetchError> {
    match Url::parse(text.trim()) {
        Ok(mut url) => {
            url.set_fragment(None);
            Ok(url)
        }
        Err(source) => Err(FetchError::InvalidUrl {
            url: text.to_owned(),
            source,
        }),
    }
}

fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Maps a reqwest send error: an SSRF refusal from the resolver, a timeout, a connect
/// failure (DNS, refused, TLS), or anything else.
fn classify(url: &Url, error: reqwest::Error) -> FetchError {
    let url = url.to_string();
    if let Some(refused) = find_cause::<PrivateResolution>(&error) {
        let addr = refused.addr;
        return FetchError::PrivateAddress { url, addr };
    }
    if error.is_timeout() {
        return FetchError::Timeout { url };
    }
    let source = error.without_url();
    if source.is_connect() {
        FetchError::Connect { url, source }
    } else {
        FetchError::Transport { url, source }
    }
}

fn find_cause<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        next = current.source();
    }
    None
}

/// Streams the body, counting decompressed bytes (reqwest inflates before the stream).
/// Never trusts `Content-Length` beyond refusing early when it already exceeds the cap.
async fn read_capped(
    url: &Url,
    response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::BodyTooLarge {
        url: url.to_string(),
        limit,
    };
    let declared = header_text(response.headers(), header::CONTENT_LENGTH)
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.map_or(0, |length| length as usize).min(limit));
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                let (url, source) = (url.to_string(), error.without_url());
                return Err(FetchError::Transport { url, source });
            }
        };
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its causes, one after another: `transfer failed for
/// http://x/feed: error decoding response body: connection reset`. A cause
/// whose message its parent already repeats is left out.
pub fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        next = cause.source();
    }
    text
}

/// Parses `Retry-After` (delay in seconds or an HTTP date) relative to `now`, capped at
/// [`MAX_RETRY_AFTER`]; a date in the past means no wait.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let when = httpdate::parse_http_date(value).ok()?;
            when.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Delay before retry number `attempt` (0-based): exponential from [`BACKOFF_BASE`], capped
/// at [`MAX_BACKOFF`], with "equal jitter" — uniformly between half the ceiling and the
/// ceiling, so concurrent retries spread out yet the delay still grows.
pub fn backoff(attempt: u32) -> Duration {
    let ceiling = backoff_ceiling(attempt);
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
    ceiling / 2 + (ceiling / 2).mul_f64(fraction)
}

fn backoff_ceiling(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt);
    BACKOFF_BASE.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
#[path = "fetch_tests.rs"]
mod tests;
