//! `yuqing digest`: build the digest of a period, write it to the outbox,
//! and with `--send` queue it (once per period and recipient group) and
//! deliver what is queued.

use super::print_json;
use super::search::parse_age;
use crate::alert::alerts::{due_alerts, render_alert};
use crate::alert::digest::{collect, render};
use crate::alert::mail::{build_message, deliver_due, enqueue, transport, write_outbox};
use crate::app::App;
use crate::store::{QueuedMail, Store};
use chrono::{DateTime, Duration, Timelike, Utc};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `yuqing digest`.
#[derive(Debug, Args)]
pub struct DigestArgs {
    /// Write it to the outbox and print the path; send nothing (the default).
    #[arg(long, conflicts_with = "send")]
    pub dry_run: bool,
    /// Queue it for each recipient group (once per period) and deliver.
    #[arg(long)]
    pub send: bool,
    /// The period: this long before now (24h, 7d …; more than nothing).
    #[arg(long, default_value = "24h", value_parser = parse_period)]
    pub since: Duration,
    /// Print a JSON array, one object per message.
    #[arg(long)]
    pub json: bool,
}

/// Parses `--since`: an age (`24h`, `7d`) that is more than nothing: the
/// digest of no time at all would report nothing, under a key of its own.
fn parse_period(value: &str) -> Result<Duration, String> {
    let period = parse_age(value)?;
    if period <= Duration::zero() {
        return Err("the period must be longer than nothing: write e.g. 24h or 7d".to_string());
    }
    Ok(period)
}

/// One message made.
#[derive(Debug, Serialize)]
pub struct Made {
    /// Idempotency key.
    pub key: String,
    /// Recipient group.
    pub group: String,
    /// Subject.
    pub subject: String,
    /// The outbox copy to open in a browser.
    pub outbox: Option<PathBuf>,
    /// Queued by this run (false: this period's digest was queued or sent
    /// before, or nothing is queued: `--dry-run`, no recipients).
    pub new: bool,
    /// Waiting in the mail queue after this run, to be sent or retried
    /// (false: sent, now or before, or never queued).
    pub queued: bool,
    /// Delivered now.
    pub sent: bool,
    /// Why delivery failed (it stays queued).
    pub error: Option<String>,
}

/// The hour a digest belongs to (its idempotency key): `now`, to the hour.
pub fn period_end(now: DateTime<Utc>) -> DateTime<Utc> {
    now.with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now)
}

/// Builds and writes the digest of `[to - since, to)` to the outbox, and
/// with `queue` queues it for each recipient group (once per period).
pub fn make_digest(
    app: &App,
    store: &mut Store,
    to: DateTime<Utc>,
    since: Duration,
    queue: bool,
) -> anyhow::Result<Vec<Made>> {
    let config = &app.config.digest;
    let tz = app.config.timezone();
    let index = app.open_index().ok();
    let trends = crate::trends::detect_trends(
        store,
        index.as_ref(),
        to,
        Duration::hours(24),
        &app.config.trends,
    )?;
    let data = collect(store, to - since, to, trends, config.top)?;
    let rendered = render(&data, tz);
    let mut groups = config.all_groups();
    let outbox_only = groups.is_empty();
    if outbox_only {
        // No recipients configured: the outbox is the destination.
        groups.push(crate::alert::RecipientGroup {
            name: "outbox".to_string(),
            recipients: vec![config.from.clone()],
        });
    }
    // One digest per period and group: asked twice within the hour, it is
    // the same digest (and is not sent twice).
    let period = period_end(to)
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H%M")
        .to_string();
    let mut made = Vec::new();
    for group in groups {
        let key = format!("digest-{}h-{period}-{}", since.num_hours(), group.name);
        let message = build_message(&rendered, &config.from, &group.recipients)?;
        let outbox = if config.outbox || !queue || outbox_only {
            Some(write_outbox(
                &app.data.root().join("outbox"),
                &key,
                &rendered,
                &message.formatted(),
            )?)
        } else {
            None
        };
        let new = queue
            && !outbox_only
            && enqueue(
                store,
                &key,
                &message,
                &rendered.subject,
                &group.recipients,
                Utc::now(),
            )?;
        let queued = is_queued(store, &key)?;
        made.push(Made {
            key,
            group: group.name,
            subject: rendered.subject.clone(),
            outbox,
            new,
            queued,
            sent: false,
            error: None,
        });
    }
    Ok(made)
}

/// Whether the message under `key` waits in the mail queue (to be sent
/// or retried).
fn is_queued(store: &Store, key: &str) -> anyhow::Result<bool> {
    Ok(store
        .queued_mail(key)?
        .is_some_and(|mail| mail.status == "queued"))
}

/// `yuqing digest`.
pub fn run(app: &App, args: &DigestArgs) -> anyhow::Result<ExitCode> {
    if !app.data.exists() {
        anyhow::bail!(
            "no data in {}: crawl or import first (`yuqing demo`, `yuqing crawl`)",
            app.data.root().display()
        );
    }
    let mut store = Store::open(&app.data.db_path())?;
    let made = make_digest(app, &mut store, Utc::now(), args.since, args.send)?;
    let mut made = made;
    if args.send {
        // Asked to send now: messages waiting for a retry go too.
        let delivery = deliver(app, &mut store, Utc::now() + Duration::hours(6))?;
        for m in &mut made {
            m.sent = delivery.sent.contains(&m.key);
            m.error = delivery
                .failed
                .iter()
                .find(|(k, _)| *k == m.key)
                .map(|(_, e)| e.clone());
            m.queued = is_queued(&store, &m.key)?;
        }
    }
    let failed = made.iter().any(|m| m.error.is_some());
    if args.json {
        print_json(&made)?;
    } else {
        for m in &made {
            println!("{} [{}]", m.subject, m.group);
            if let Some(path) = &m.outbox {
                println!("  outbox: {}", path.display());
            }
            if args.send {
                let no_recipients = app.config.digest.all_groups().is_empty();
                let queued = if m.new {
                    "queued"
                } else {
                    "already queued for this period"
                };
                let state = match (&m.error, m.sent, m.queued) {
                    _ if no_recipients => {
                        "no [digest] recipients: written to the outbox only".to_string()
                    }
                    (Some(error), _, _) => {
                        format!("{queued}; not delivered, stays queued and is retried: {error}")
                    }
                    (None, true, _) => "sent".to_string(),
                    (None, false, false) => {
                        "already sent for this period: not sent again".to_string()
                    }
                    (None, false, true) if app.config.digest.smtp_url.is_none() => {
                        format!(
                            "{queued}; no [digest] smtp_url to send it through, so it waits in the queue"
                        )
                    }
                    (None, false, true) => format!("{queued}; waits for its next attempt"),
                };
                println!("  {state}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(super::EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

/// Queues the immediate alert due at `now`, if any (critical items and
/// sharp bursts not alerted before, within the hourly limit and outside
/// quiet hours for bursts). Returns its key.
pub fn queue_alert(
    app: &App,
    store: &mut Store,
    trends: &[crate::trends::Trend],
    now: DateTime<Utc>,
) -> anyhow::Result<Option<String>> {
    let mut recipients: Vec<String> = app
        .config
        .digest
        .all_groups()
        .into_iter()
        .flat_map(|group| group.recipients)
        .collect();
    recipients.sort();
    recipients.dedup();
    if recipients.is_empty() {
        return Ok(None);
    }
    let tz = app.config.timezone();
    let batch = due_alerts(store, &app.config.alerts, trends, now, tz)?;
    if batch.is_empty() {
        return Ok(None);
    }
    let rendered = render_alert(&batch, now, tz);
    let key = format!("alert-{}", now.format("%Y%m%dT%H%M%S"));
    let message = build_message(&rendered, &app.config.digest.from, &recipients)?;
    if app.config.digest.outbox {
        write_outbox(
            &app.data.root().join("outbox"),
            &key,
            &rendered,
            &message.formatted(),
        )?;
    }
    store.enqueue_alert(
        &QueuedMail::new(
            &key,
            &rendered.subject,
            &recipients,
            message.formatted(),
            now,
        ),
        &batch.subjects(),
    )?;
    tracing::info!(%key, items = batch.items.len(), bursts = batch.trends.len(), "alert queued");
    Ok(Some(key))
}

/// Delivers the queued messages due by `due_until` (nothing without
/// `[digest] smtp_url`: they stay in the queue and the outbox).
pub fn deliver(
    app: &App,
    store: &mut Store,
    due_until: DateTime<Utc>,
) -> anyhow::Result<crate::alert::mail::Delivery> {
    if app.config.digest.smtp_url.is_none() {
        return Ok(Default::default());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // The transport's connection pool lives on the runtime.
    let _inside = runtime.enter();
    let Some(transport) = transport(&app.config.digest)? else {
        return Ok(Default::default());
    };
    Ok(runtime.block_on(deliver_due(
        store,
        &transport,
        &app.config.digest.from,
        due_until,
    ))?)
}

/// One scheduler tick of mail: the digest when its time has come
/// (`digest_due`: period end and length), the immediate alert after a
/// crawl (`fresh_trends`: the trends detected after it), then delivery of
/// what is queued and due (failed messages wait their backoff).
pub fn mail_tick(
    app: &App,
    store: &mut Store,
    digest_due: &[(DateTime<Utc>, Duration)],
    fresh_trends: Option<&[crate::trends::Trend]>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    for &(to, since) in digest_due {
        for m in make_digest(app, store, to, since, true)? {
            tracing::info!(key = %m.key, subject = %m.subject, "digest queued");
        }
    }
    if let Some(trends) = fresh_trends {
        queue_alert(app, store, trends, now)?;
    }
    let delivery = deliver(app, store, now)?;
    for key in &delivery.sent {
        tracing::info!(%key, "mail delivered");
    }
    for (key, error) in &delivery.failed {
        tracing::warn!(%key, %error, "mail not delivered; retried later");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_is_more_than_nothing() {
        assert_eq!(parse_period("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_period("30m"), Ok(Duration::minutes(30)));
        for nothing in ["0h", "0d", "0m", "00w"] {
            let refused = parse_period(nothing).unwrap_err();
            assert!(
                refused.contains("longer than nothing"),
                "{nothing}: {refused}"
            );
        }
        assert!(parse_period("soon").is_err());
    }
}
