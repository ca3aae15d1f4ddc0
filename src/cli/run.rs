//! `yuqing run`: the scheduler daemon. Each source is crawled when its cron
//! schedule says (in `[schedule] timezone`); runs missed while down are
//! coalesced into one; SIGINT / SIGTERM let the crawl in progress finish,
//! then the daemon exits cleanly. Due sources are crawled together, up to
//! `[crawl] concurrency` at a time (each host one request at a time); a
//! source that keeps failing is skipped until its backoff ends (1 min,
//! doubling, at most 6 h). A tick ends before the next starts, so a source
//! still running is never started again.

use super::crawl::Crawler;
use crate::app::App;
use crate::schedule::{earliest, next_after, take_due};
use crate::source::health::retry_at;
use clap::Args;
use std::process::ExitCode;
use std::time::Duration;

/// Options of `yuqing run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Crawl every source once at start, then follow the schedules.
    #[arg(long)]
    pub now: bool,
}

/// Longest single sleep, so a changed clock (suspend, NTP) is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Runs until SIGINT or SIGTERM.
pub fn run(app: &App, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let sources = &app.config.sources;
    if sources.is_empty() {
        super::usage!(
            "no [[sources]] in the configuration: nothing to schedule (see config/example.toml)"
        );
    }
    let tz = app.config.timezone();
    let schedules: Vec<cron::Schedule> = sources.iter().map(|s| s.cron()).collect();
    let mut crawler = Crawler::new(app)?;
    let start = chrono::Utc::now();
    let mut next: Vec<_> = if args.now {
        vec![Some(start); sources.len()]
    } else {
        schedules.iter().map(|s| next_after(s, tz, start)).collect()
    };
    // The digests (daily, and weekly when configured) go out on their own
    // schedules when there are recipients.
    let mut digests: Vec<(cron::Schedule, Option<chrono::DateTime<chrono::Utc>>)> = Vec::new();
    if !app.config.digest.all_groups().is_empty() {
        let digest = &app.config.digest;
        for expression in std::iter::once(&digest.schedule).chain(&digest.weekly_schedule) {
            let schedule = crate::config::parse_schedule(expression)
                .map_err(|e| super::UsageError(format!("[digest] schedule: {e}")))?;
            let next = next_after(&schedule, tz, start);
            digests.push((schedule, next));
        }
    }
    if let Some(server) = &app.config.server {
        let bound = super::serve::spawn(app, server.addr.parse()?)?;
        eprintln!("yuqing run: web UI and API on http://{bound}/");
    }
    let mut shutdown = crawler.runtime().block_on(async { Shutdown::new() })?;
    tracing::info!(sources = sources.len(), "scheduler started");
    eprintln!(
        "yuqing run: {} sources scheduled; Ctrl-C or SIGTERM stops after the current crawl",
        sources.len()
    );
    loop {
        let now = chrono::Utc::now();
        let due = take_due(&mut next, &schedules, tz, now);
        let mut batch = Vec::with_capacity(due.len());
        for index in due {
            let source = &sources[index];
            // A source that keeps failing backs off instead of hammering.
            let state = crawler.source_state(&source.name)?;
            if let Some(retry) = retry_at(&state).filter(|at| *at > now) {
                tracing::info!(source = %source.name, failures = state.consecutive_failures, %retry, "backing off: skipped this run");
                continue;
            }
            batch.push(source);
        }
        // The trends detected after a crawl also decide the immediate alert.
        let mut fresh_trends = None;
        if !batch.is_empty() {
            let runs = crawler.crawl_all(&batch)?;
            let (raised, trends) = crawler.catch_up()?;
            fresh_trends = Some(trends);
            tracing::info!(?raised, "review cases raised");
            for run in runs {
                match &run.error {
                    Some(error) => {
                        tracing::warn!(source = %run.source, %error, "scheduled crawl failed")
                    }
                    None => {
                        tracing::info!(source = %run.source, items = run.items, new = run.new, "scheduled crawl")
                    }
                }
            }
        }
        // Mail: the digest when due (missed ones coalesced into one), the
        // immediate alert after a crawl, delivery of what is queued.
        // The period of a digest runs from its previous time to this one
        // (taken as the interval to its next time); missed ones coalesce.
        let mut digest_due = Vec::new();
        for (schedule, next) in &mut digests {
            if let Some(at) = next.filter(|at| *at <= now) {
                *next = next_after(schedule, tz, now);
                let period =
                    next_after(schedule, tz, at).map_or(chrono::Duration::hours(24), |n| n - at);
                digest_due.push((at, period));
            }
        }
        let writer = crawler.writer();
        if let Err(error) =
            super::digest::mail_tick(app, &mut writer.store, &digest_due, fresh_trends.as_deref())
        {
            tracing::error!(error = %format!("{error:#}"), "digest / alert / delivery failed this tick");
        }
        if shutdown.requested() {
            break;
        }
        let wake = earliest(&next)
            .into_iter()
            .chain(digests.iter().filter_map(|(_, next)| *next))
            .min();
        let Some(wake) = wake else {
            tracing::info!("no schedule fires again");
            break;
        };
        let wait = (wake - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_SLEEP);
        let stop = crawler.runtime().block_on(shutdown.sleep_or_signal(wait));
        if stop {
            break;
        }
    }
    tracing::info!("scheduler stopped");
    eprintln!("yuqing run: stopped");
    Ok(ExitCode::SUCCESS)
}

/// SIGINT and SIGTERM, registered once so a signal during a crawl is not lost.
struct Shutdown {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    requested: bool,
}

impl Shutdown {
    fn new() -> std::io::Result<Shutdown> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Shutdown {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
                requested: false,
            })
        }
        #[cfg(not(unix))]
        Ok(Shutdown { requested: false })
    }

    /// True once a signal has arrived (checked without waiting).
    fn requested(&mut self) -> bool {
        #[cfg(unix)]
        {
            use std::task::{Context, Poll};
            let waker = std::task::Waker::noop();
            let mut context = Context::from_waker(waker);
            if matches!(self.terminate.poll_recv(&mut context), Poll::Ready(_))
                || matches!(self.interrupt.poll_recv(&mut context), Poll::Ready(_))
            {
                self.requested = true;
            }
        }
        self.requested
    }

    /// Sleeps `wait`, or less if a signal arrives; true when one did.
    async fn sleep_or_signal(&mut self, wait: Duration) -> bool {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.terminate.recv() => self.requested = true,
                _ = self.interrupt.recv() => self.requested = true,
            }
        }
        #[cfg(not(unix))]
        tokio::time::sleep(wait).await;
        self.requested
    }
}
