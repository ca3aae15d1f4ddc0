//! Crawl politeness around the HTTP client: [`Polite::get`] fetches a page only when the
//! host's robots.txt (RFC 9309) allows it, one request at a time per host, spaced by the
//! per-host delay or the robots `Crawl-delay`, and keeps away from a host that answered
//! `429`/`503` (its `Retry-After`, else [`backoff`]) while other hosts go on.
//!
//! A host is an origin — scheme, host and port (`http://example.com` and
//! `https://example.com:8443` are two hosts). Each host has one async lock, held for the whole
//! of a request (robots.txt included), so requests to one host queue in order while requests
//! to different hosts run concurrently. Redirects are followed inside [`Fetcher::get`]: the
//! robots rules and the delay are those of the host of the URL asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;
use tokio::sync::Mutex;
use url::Url;

use super::fetch::{
    DEFAULT_USER_AGENT, FetchError, Fetched, Fetcher, Validators, backoff, error_chain,
};

/// Default minimum gap between the starts of two requests to one host.
pub const DEFAULT_PER_HOST_DELAY: Duration = Duration::from_secs(1);
/// Default cap on a robots.txt `Crawl-delay`.
pub const DEFAULT_MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// Longest time a robots.txt is cached (RFC 9309 §2.4); longer TTLs are capped to this.
pub const MAX_ROBOTS_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a host stays disallowed after its robots.txt was unreachable (`5xx`, `429`,
/// timeout, connection failure), unless the answer carried a `Retry-After`.
pub const ROBOTS_RETRY_INTERVAL: Duration = Duration::from_secs(10 * 60);
/// How much of a robots.txt is parsed (RFC 9309 asks for at least 500 KiB); the rest is
/// ignored, cut at the last line break within the limit.
pub const ROBOTS_MAX_BYTES: usize = 500 * 1024;
/// Longest wait [`Polite::get`] sits out for a host that is backing off (`Retry-After` or
/// [`backoff`]); a later end returns [`PoliteError::BackingOff`] at once, for the caller's
/// scheduler to come back then.
pub const MAX_BACKOFF_WAIT: Duration = Duration::from_secs(60);

/// How politely a [`Polite`] crawls; built once per crawler.
#[derive(Debug, Clone)]
pub struct PolitenessPolicy {
    /// Minimum gap between the starts of two requests to one host.
    pub per_host_delay: Duration,
    /// Cap on a robots.txt `Crawl-delay` (a site asking for an hour is held to this).
    pub max_crawl_delay: Duration,
    /// How long a fetched robots.txt is trusted; capped at [`MAX_ROBOTS_TTL`].
    pub robots_ttl: Duration,
    /// Our `User-Agent`, as the [`Fetcher`] sends it; its product token (the part before the
    /// first `/` or space, e.g. `yuqing-crawler`) picks the robots.txt group.
    pub user_agent: String,
}

impl Default for PolitenessPolicy {
    fn default() -> Self {
        Self {
            per_host_delay: DEFAULT_PER_HOST_DELAY,
            max_crawl_delay: DEFAULT_MAX_CRAWL_DELAY,
            robots_ttl: MAX_ROBOTS_TTL,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }
}

/// Why a polite fetch did not happen or failed.
#[derive(Debug, thiserror::Error)]
pub enum PoliteError {
    /// The host's robots.txt disallows the URL for our user agent; nothing was sent for it.
    #[error("robots.txt disallows {url}")]
    Disallowed {
        /// The refused URL.
        url: String,
    },
    /// The host's robots.txt was unreachable or unparsable: the whole host is disallowed
    /// until `until`, when robots.txt is fetched again.
    #[error(
        "robots.txt of {host} could not be read ({reason}): the host is not crawled until it can be; next try in {}",
        wait_text(*until)
    )]
    RobotsUnavailable {
        /// The host key (`scheme://host[:port]`).
        host: String,
        /// When robots.txt will be fetched again.
        until: Instant,
        /// What went wrong with it, cause included (refused, DNS, `503`, timeout).
        reason: String,
    },
    /// The fetch itself failed (page or robots.txt); a retryable failure also makes the host
    /// back off.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The host asked us to stay away (`Retry-After`, or backoff after failures) for longer
    /// than [`MAX_BACKOFF_WAIT`]; nothing was sent.
    #[error(
        "backing off from {host} for {} more: it asked for a pause (429/503 with Retry-After) or kept failing",
        wait_text(*until)
    )]
    BackingOff {
        /// The host key (`scheme://host[:port]`).
        host: String,
        /// When the host may be contacted again.
        until: Instant,
    },
}

/// The crawler's polite HTTP client: a [`Fetcher`] plus per-host robots rules, delays and
/// backoff. Share it behind an `Arc`; per-host state lives as long as it does.
#[derive(Debug)]
pub struct Polite {
    fetcher: Fetcher,
    policy: PolitenessPolicy,
    robots_agent: String,
    hosts: StdMutex<HashMap<String, Arc<Mutex<HostState>>>>,
}

/// What is known of one host; only touched under its lock.
#[derive(Debug, Default)]
struct HostState {
    /// Start of the last request sent to the host (robots.txt included).
    last_start: Option<Instant>,
    /// No request before this (`Retry-After` or backoff).
    blocked_until: Option<Instant>,
    /// Retryable failures in a row, for [`backoff`].
    failures: u32,
    robots: Option<Robots>,
}

/// The cached outcome of fetching a host's robots.txt.
#[derive(Debug)]
enum Robots {
    /// Rules for our user agent, until `expires`.
    Rules { robot: Robot, expires: Instant },
    /// No usable robots.txt (`4xx`, too many redirects): everything allowed until `expires`.
    AllowAll { expires: Instant },
    /// Unreachable (for `reason`): the whole host disallowed until `until`.
    Unreachable { until: Instant, reason: String },
}

impl Polite {
    /// Wraps `fetcher` (whose SSRF guard, body cap and deadline apply to robots.txt too).
    pub fn new(fetcher: Fetcher, policy: PolitenessPolicy) -> Polite {
        let mut policy = policy;
        policy.robots_ttl = policy.robots_ttl.min(MAX_ROBOTS_TTL);
        let robots_agent = product_token(&policy.user_agent).to_owned();
        Polite {
            fetcher,
            policy,
            robots_agent,
            hosts: StdMutex::new(HashMap::new()),
        }
    }

    /// The policy in force (`robots_ttl` capped).
    pub fn policy(&self) -> &PolitenessPolicy {
        &self.policy
    }

    /// Fetches `url` politely: robots.txt checked (cached per host), one request at a time per
    /// host, at least the per-host delay (or the robots Crawl-delay, whichever is larger,
    /// capped) between requests to a host, and a host that answered 429/503 with Retry-After
    /// is not contacted again before that time (other hosts are unaffected). Any retryable
    /// failure ([`FetchError::is_retryable`]) makes the host back off: its `Retry-After`, else
    /// [`backoff`] of its failures in a row. Waits up to [`MAX_BACKOFF_WAIT`] for a backing-off
    /// host, else returns [`PoliteError::BackingOff`].
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, PoliteError> {
        let (target, key) = parse_target(url)?;
        let host = self.host(&key);
        let mut state = host.lock().await;
        self.ensure_robots(&key, &mut state).await?;
        if !state.robots_allow(&target) {
            tracing::debug!(url = %target, "disallowed by robots.txt");
            return Err(PoliteError::Disallowed { url: target.into() });
        }
        self.wait_turn(&key, &mut state).await?;
        state.last_start = Some(Instant::now());
        let result = self.fetcher.get(target.as_str(), validators).await;
        match &result {
            Ok(_) => state.failures = 0,
            Err(error) if error.is_retryable() => {
                let wait = error
                    .retry_after()
                    .unwrap_or_else(|| backoff(state.failures));
                state.failures = state.failures.saturating_add(1);
                state.blocked_until = Some(Instant::now() + wait);
                let (failures, ms) = (state.failures, wait.as_millis());
                tracing::debug!(host = %key, failures, ms, "host backing off");
            }
            Err(_) => {}
        }
        Ok(result?)
    }

    /// Whether robots.txt allows `url` (fetching robots.txt if not cached). Waits its turn at
    /// the host like [`Polite::get`] when robots.txt must be fetched; an unreachable
    /// robots.txt is [`PoliteError::RobotsUnavailable`].
    pub async fn allowed(&self, url: &str) -> Result<bool, PoliteError> {
        let (target, key) = parse_target(url)?;
        let host = self.host(&key);
        let mut state = host.lock().await;
        self.ensure_robots(&key, &mut state).await?;
        Ok(state.robots_allow(&target))
    }

    /// The state of host `key`, created on first use.
    fn host(&self, key: &str) -> Arc<Mutex<HostState>> {
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        hosts.entry(key.to_owned()).or_default().clone()
    }

    /// Makes sure fresh robots rules are cached, fetching robots.txt (as a request to the host,
    /// in turn) when missing or expired. An unreachable robots.txt is an error until retried.
    async fn ensure_robots(&self, key: &str, state: &mut HostState) -> Result<(), PoliteError> {
        let now = Instant::now();
        match state.robots {
            Some(Robots::Unreachable { until, ref reason }) if until > now => {
                let (host, reason) = (key.to_owned(), reason.clone());
                return Err(PoliteError::RobotsUnavailable {
                    host,
                    until,
                    reason,
                });
            }
            Some(Robots::Rules { expires, .. } | Robots::AllowAll { expires }) if expires > now => {
                return Ok(());
            }
            _ => {}
        }
        self.wait_turn(key, state).await?;
        let robots_url = format!("{key}/robots.txt");
        state.last_start = Some(Instant::now());
        let result = self.fetcher.get(&robots_url, &Validators::default()).await;
        let robots = self.robots_from(&robots_url, result)?;
        tracing::debug!(host = %key, robots = robots.describe(), "robots.txt fetched");
        state.robots = Some(robots);
        if let Some(Robots::Unreachable { until, ref reason }) = state.robots {
            let (host, reason) = (key.to_owned(), reason.clone());
            return Err(PoliteError::RobotsUnavailable {
                host,
                until,
                reason,
            });
        }
        Ok(())
    }

    /// Turns the robots.txt fetch into cached rules (RFC 9309 §2.3.1): `2xx` parsed; other
    /// `4xx` and redirect trouble mean no restrictions; `5xx`, `429`, timeouts, connection
    /// and transfer failures (and a body over the fetch cap, or one the parser rejects) mean
    /// the host is unreachable. Errors about the URL itself (bad URL, SSRF refusal) are
    /// returned as they are, not cached.
    fn robots_from(
        &self,
        robots_url: &str,
        result: Result<Fetched, FetchError>,
    ) -> Result<Robots, PoliteError> {
        let now = Instant::now();
        let expires = now + self.policy.robots_ttl;
        let unreachable = |retry_after: Option<Duration>, reason: String| Robots::Unreachable {
            until: now + retry_after.unwrap_or(ROBOTS_RETRY_INTERVAL),
            reason,
        };
        let error = match result {
            Ok(fetched) => {
                let text = robots_prefix(&fetched.body);
                return Ok(match Robot::new(&self.robots_agent, text) {
                    Ok(robot) => Robots::Rules { robot, expires },
                    Err(error) => {
                        tracing::warn!(url = robots_url, error = %error, "robots.txt unparsable");
                        unreachable(None, format!("unparsable: {error}"))
                    }
                });
            }
            Err(error) => error,
        };
        tracing::debug!(url = robots_url, error = %error, "robots.txt fetch failed");
        let reason = error_chain(&error);
        Ok(match error {
            FetchError::Status {
                status,
                retry_after,
                ..
            } if status == 429 || status >= 500 => unreachable(retry_after, reason),
            FetchError::Status { .. } => Robots::AllowAll { expires },
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Transport { .. }
            | FetchError::BodyTooLarge { .. } => unreachable(None, reason),
            FetchError::TooManyRedirects { .. } | FetchError::RedirectLoop { .. } => {
                Robots::AllowAll { expires }
            }
            FetchError::InvalidUrl { ref url, .. }
            | FetchError::SchemeNotAllowed { ref url, .. }
            | FetchError::PrivateAddress { ref url, .. }
                if url != robots_url =>
            {
                Robots::AllowAll { expires } // a redirect hop leads out of bounds
            }
            error => return Err(error.into()),
        })
    }

    /// Waits until the host may be contacted: after its backoff, and at least the effective
    /// delay after the start of its last request. A backoff ending later than
    /// [`MAX_BACKOFF_WAIT`] from now is [`PoliteError::BackingOff`] instead.
    async fn wait_turn(&self, key: &str, state: &mut HostState) -> Result<(), PoliteError> {
        let now = Instant::now();
        if let Some(until) = state.blocked_until
            && until > now + MAX_BACKOFF_WAIT
        {
            let host = key.to_owned();
            return Err(PoliteError::BackingOff { host, until });
        }
        let delay = effective_delay(
            self.policy.per_host_delay,
            state.crawl_delay(),
            self.policy.max_crawl_delay,
        );
        let spaced = state.last_start.map(|start| start + delay);
        let Some(ready) = spaced.max(state.blocked_until).filter(|ready| *ready > now) else {
            return Ok(());
        };
        let ms = (ready - now).as_millis();
        tracing::trace!(host = %key, ms, "waiting for host");
        tokio::time::sleep_until(ready.into()).await;
        Ok(())
    }
}

impl HostState {
    /// Whether the cached robots rules allow `url` (no rules: allowed).
    fn robots_allow(&self, url: &Url) -> bool {
        match &self.robots {
            Some(Robots::Rules { robot, .. }) => robot.allowed(url.as_str()),
            Some(Robots::Unreachable { .. }) => false,
            Some(Robots::AllowAll { .. }) | None => true,
        }
    }

    /// The cached robots `Crawl-delay`, if any and sensible.
    fn crawl_delay(&self) -> Option<Duration> {
        let Some(Robots::Rules { robot, .. }) = &self.robots else {
            return None;
        };
        Duration::try_from_secs_f32(robot.delay?).ok()
    }
}

impl Robots {
    fn describe(&self) -> &'static str {
        match self {
            Robots::Rules { .. } => "rules",
            Robots::AllowAll { .. } => "allow-all",
            Robots::Unreachable { .. } => "unreachable",
        }
    }
}

/// The gap kept between two requests to one host: the larger of our per-host delay and the
/// site's `Crawl-delay`, the latter capped at `max_crawl_delay`.
/// How long until `until`, for messages: `45 s`, `10 min`.
fn wait_text(until: Instant) -> String {
    let seconds = until.saturating_duration_since(Instant::now()).as_secs();
    if seconds < 120 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds.div_ceil(60))
    }
}

fn effective_delay(
    per_host_delay: Duration,
    crawl_delay: Option<Duration>,
    max_crawl_delay: Duration,
) -> Duration {
    let asked = crawl_delay.unwrap_or(Duration::ZERO).min(max_crawl_delay);
    per_host_delay.max(asked)
}

/// The robots.txt product token of a `User-Agent`: `yuqing-crawler/0.1 (+url)` →
/// `yuqing-crawler` (RFC 9309 §2.2.1 matches groups on it, case-insensitively).
fn product_token(user_agent: &str) -> &str {
    let token = user_agent.trim();
    token.split(['/', ' ']).next().unwrap_or(token)
}

/// The first [`ROBOTS_MAX_BYTES`] of a robots.txt, cut after the last line break within
/// them, so a rule is never read half (a cut `Allow: /a` would allow more than `/abc`).
fn robots_prefix(body: &[u8]) -> &[u8] {
    if body.len() <= ROBOTS_MAX_BYTES {
        return body;
    }
    let head = &body[..ROBOTS_MAX_BYTES];
    let end = head.iter().rposition(|byte| matches!(byte, b'\n' | b'\r'));
    &head[..end.map_or(0, |index| index + 1)]
}

/// Parses `url` (fragment dropped) and derives its host key, `scheme://host[:port]`; only
/// `http` and `https` are crawled.
fn parse_target(url: &str) -> Result<(Url, String), FetchError> {
    let mut target = Url::parse(url.trim()).map_err(|source| FetchError::InvalidUrl {
        url: url.to_owned(),
        source,
    })?;
    target.set_fragment(None);
    if !matches!(target.scheme(), "http" | "https") || !target.has_host() {
        let scheme = target.scheme().to_owned();
        return Err(FetchError::SchemeNotAllowed {
            url: target.into(),
            scheme,
        });
    }
    let key = target.origin().ascii_serialization();
    Ok((target, key))
}

#[cfg(test)]
#[path = "politeness_tests.rs"]
mod tests;
