//! `yuqing crawl [--source NAME]` (crawl now, once) and `yuqing sources`
//! (the health of each source).

use super::{EXIT_PARTIAL, print_json};
use crate::analyze::Analyzer;
use crate::app::{App, Writer};
use crate::config::{SourceConfig, SourceKind};
use crate::ingest::store_records;
use crate::source::crawl::{CrawlResult, ItemSink, Outcome, SourceError, crawl_source};
use crate::source::fetch::{FetchPolicy, Fetcher, error_chain};
use crate::source::file::{self, fingerprint, list_files, still_being_written};
use crate::source::health::source_health;
use crate::source::politeness::{Polite, PolitenessPolicy};
use crate::store::{SourceState, Store};
use clap::Args;
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;

/// Options of `yuqing crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Crawl only this source (default: every configured source).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Print the results as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Options of `yuqing sources`.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// One source's crawl, as reported.
#[derive(Debug, Serialize)]
pub struct SourceRun {
    /// The source.
    pub source: String,
    /// False when the crawl failed.
    pub ok: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// The server said nothing changed (304).
    pub not_modified: bool,
    /// Items found.
    pub items: usize,
    /// Of those, new.
    pub new: usize,
    /// Of those, changed since the last crawl.
    pub updated: usize,
    /// Of those, stored before and unchanged.
    pub unchanged: usize,
    /// Personal data removed from its items before storage.
    pub redacted: crate::ingest::RedactedCounts,
    /// Items that could not be stored (bad records).
    pub rejected: usize,
    /// The encoding the (first) page was decoded from.
    pub encoding: Option<&'static str>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Crawls the configured sources once; exit 1 when any failed.
pub fn crawl(app: &App, args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    let sources: Vec<_> = app
        .config
        .sources
        .iter()
        .filter(|s| args.source.as_deref().is_none_or(|name| s.name == name))
        .collect();
    if app.config.sources.is_empty() {
        super::usage!("no [[sources]] in the configuration: add some (see config/example.toml)");
    }
    if sources.is_empty() {
        let names: Vec<&str> = app.config.sources.iter().map(|s| s.name.as_str()).collect();
        super::usage!(
            "no source named `{}` in the configuration: use one of {}",
            args.source.as_deref().unwrap_or_default(),
            names.join(", ")
        );
    }
    let mut crawler = Crawler::new(app)?;
    let mut runs = crawler.crawl_all(&sources)?;
    runs.sort_by_key(|run| sources.iter().position(|s| s.name == run.source));
    let (raised, _) = crawler.catch_up()?;
    tracing::info!(?raised, "review cases raised");
    let failed = runs.iter().any(|r| !r.ok);
    if args.json {
        print_json(&runs)?;
    } else {
        for run in &runs {
            match &run.error {
                Some(error) => println!("{}: failed — {error}", run.source),
                None if run.not_modified => {
                    println!("{}: not modified since the last crawl", run.source)
                }
                None => println!(
                    "{}: {} items — {} new, {} updated, {} rejected{}",
                    run.source,
                    run.items,
                    run.new,
                    run.updated,
                    run.rejected,
                    run.encoding.map(|e| format!(" ({e})")).unwrap_or_default()
                ),
            }
        }
    }
    Ok(if failed {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

/// Everything a crawl needs, built once (also by the scheduler daemon).
pub struct Crawler<'a> {
    app: &'a App,
    writer: Writer,
    analyzer: Analyzer,
    public: Polite,
    private: Polite,
    runtime: tokio::runtime::Runtime,
}

/// What fetching one source brought, before it is stored.
enum Fetch {
    Http(Result<CrawlResult, SourceError>),
    Files,
}

impl<'a> Crawler<'a> {
    /// Locks the data directory and builds the clients.
    pub fn new(app: &'a App) -> anyhow::Result<Crawler<'a>> {
        let writer = app.open_writer()?;
        let analyzer = app.analyzer()?;
        let crawl = &app.config.crawl;
        let policy = |allow_private: bool| FetchPolicy {
            user_agent: crawl.user_agent.clone(),
            total_timeout: Duration::from_secs(crawl.timeout_secs),
            max_body_bytes: crawl.max_body_bytes,
            allow_private,
            ..FetchPolicy::default()
        };
        let politeness = PolitenessPolicy {
            per_host_delay: Duration::from_millis(crawl.per_host_delay_ms),
            user_agent: crawl.user_agent.clone(),
            ..PolitenessPolicy::default()
        };
        Ok(Crawler {
            app,
            writer,
            analyzer,
            public: Polite::new(Fetcher::new(policy(false))?, politeness.clone()),
            private: Polite::new(Fetcher::new(policy(true))?, politeness),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
        })
    }

    /// The async runtime the crawler runs on (the scheduler waits on it).
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// Detects trends and raises the review cases due (after crawling).
    pub fn catch_up(
        &mut self,
    ) -> anyhow::Result<(crate::review::Raised, Vec<crate::trends::Trend>)> {
        super::review::catch_up(self.app, &mut self.writer)
    }

    /// The store and index the crawler writes.
    pub fn writer(&mut self) -> &mut Writer {
        &mut self.writer
    }

    /// The stored state of a source.
    pub fn source_state(&self, name: &str) -> anyhow::Result<SourceState> {
        Ok(self.writer.store.source_state(name)?)
    }

    /// Crawls `sources`, up to `[crawl] concurrency` at a time (each host
    /// still gets one request at a time). Items are stored in small batches
    /// as the fetches find them; when a source's crawl ends its state is
    /// saved (validators last: nothing lost, nothing doubled after a kill).
    /// A source that fails does not stop the others. Runs come back in
    /// completion order.
    pub fn crawl_all<'s>(
        &mut self,
        sources: &[&'s SourceConfig],
    ) -> anyhow::Result<Vec<SourceRun>> {
        use futures_util::stream::{FuturesUnordered, StreamExt};
        let Crawler {
            app,
            writer,
            analyzer,
            public,
            private,
            runtime,
        } = self;
        // A second connection answers "is this item stored?" for fetches in
        // flight while the writer stores what they found.
        let reader = Store::open_read_only(&app.data.db_path())?;
        let known = |id: &str| reader.get_item(id).ok().flatten().is_some();
        let tz = app.config.timezone();
        let limit = app.config.crawl.concurrency.max(1);
        let mut runs = Vec::with_capacity(sources.len());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // Per slot (index into `sources`): the run so far and its state.
        let mut active: Vec<Option<(SourceRun, SourceState)>> =
            sources.iter().map(|_| None).collect();
        runtime.block_on(async {
            let mut queue = sources.iter().copied().enumerate();
            let mut in_flight = FuturesUnordered::new();
            let start = |slot: usize, source: &'s SourceConfig, state: SourceState| {
                let fetcher = if source.allow_private {
                    &*private
                } else {
                    &*public
                };
                let known = &known;
                let mut sink = ItemSink::new(tx.clone(), slot);
                async move {
                    let fetched = match source.kind {
                        SourceKind::File => Fetch::Files,
                        _ => Fetch::Http(
                            crawl_source(fetcher, source, tz, &state, known, &mut sink).await,
                        ),
                    };
                    (slot, fetched)
                }
            };
            loop {
                while in_flight.len() < limit {
                    let Some((slot, source)) = queue.next() else {
                        break;
                    };
                    // The crawl sees the state as the last crawl left it
                    // (did that one finish?); the start is saved before any
                    // fetch, so a crawl killed mid-way is known as unfinished.
                    let stored = writer.store.source_state(&source.name)?;
                    let mut state = stored.clone();
                    state.last_attempt_at = Some(chrono::Utc::now().to_rfc3339());
                    writer.store.save_source_state(&state)?;
                    active[slot] = Some((SourceRun::new(&source.name), state));
                    in_flight.push(start(slot, source, stored));
                }
                if in_flight.is_empty() {
                    break;
                }
                tokio::select! {
                    biased;
                    Some((slot, items)) = rx.recv() => {
                        let (run, _) = active[slot].as_mut().expect("a started source");
                        store_batch(app, analyzer, writer, sources[slot], run, items);
                    }
                    Some((slot, fetched)) = in_flight.next() => {
                        // Batches it sent before ending are stored first.
                        while let Ok((other, items)) = rx.try_recv() {
                            let (run, _) = active[other].as_mut().expect("a started source");
                            store_batch(app, analyzer, writer, sources[other], run, items);
                        }
                        let (run, state) = active[slot].take().expect("a started source");
                        runs.push(finish_run(app, analyzer, writer, sources[slot], run, state, fetched)?);
                    }
                }
            }
            anyhow::Ok(())
        })?;
        Ok(runs)
    }
}

impl SourceRun {
    fn new(source: &str) -> SourceRun {
        SourceRun {
            source: source.to_string(),
            ok: true,
            outcome: Outcome::NothingNew,
            not_modified: false,
            items: 0,
            new: 0,
            updated: 0,
            unchanged: 0,
            redacted: Default::default(),
            rejected: 0,
            encoding: None,
            error: None,
        }
    }
}

/// Stores one batch of a source's items. A batch that cannot be stored
/// (the store failing) is recorded as the run's error; its items are
/// fetched again next time because the source's validators do not advance.
fn store_batch(
    app: &App,
    analyzer: &Analyzer,
    writer: &mut Writer,
    source: &SourceConfig,
    run: &mut SourceRun,
    items: Vec<crate::pipeline::RawItem>,
) {
    run.items += items.len();
    let stored = app
        .preparer(&source.name, source.item_kind())
        .map_err(|e| format!("{e:#}"))
        .and_then(|preparer| {
            let records = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| (i + 1, Ok(item)));
            store_records(
                records,
                &source.name,
                &preparer,
                analyzer,
                &mut writer.store,
                None,
            )
            .map_err(|e| e.to_string())
        });
    match stored {
        Ok(report) => {
            run.new += report.inserted;
            run.updated += report.updated;
            run.unchanged += report.unchanged;
            run.rejected += report.failed.len();
            run.redacted.add_counts(&report.redacted);
        }
        Err(error) => {
            tracing::error!(source = %source.name, %error, "items could not be stored");
            run.error.get_or_insert(error);
        }
    }
}

/// Ends one source's run: its state is saved after its items (a crash in
/// between re-fetches, never loses).
fn finish_run(
    app: &App,
    analyzer: &Analyzer,
    writer: &mut Writer,
    source: &SourceConfig,
    mut run: SourceRun,
    mut state: SourceState,
    fetched: Fetch,
) -> anyhow::Result<SourceRun> {
    // The index follows the store once per source, not once per batch.
    if let Err(error) = crate::pipeline::sync_index(&writer.store, &writer.index, None) {
        tracing::error!(%error, "index update failed; the next run catches up");
    }
    let outcome = match fetched {
        Fetch::Files => {
            crawl_files(app, source, analyzer, writer, &mut run).map_err(|e| (Outcome::Error, e))
        }
        Fetch::Http(fetched) => match (fetched, run.error.take()) {
            (Err(error), _) => Err((Outcome::of_error(&error), error_chain(&error))),
            (Ok(_), Some(store_error)) => Err((Outcome::Error, store_error)),
            (Ok(result), None) => {
                run.not_modified = result.not_modified;
                run.encoding = result.encoding;
                state.etag = result.validators.etag;
                state.last_modified = result.validators.last_modified;
                Ok(run.new)
            }
        },
    };
    match outcome {
        Ok(new_items) => {
            run.outcome = if new_items > 0 {
                Outcome::NewItems
            } else {
                Outcome::NothingNew
            };
            state.last_success_at = state.last_attempt_at.clone();
            state.last_error = None;
            state.consecutive_failures = 0;
            state.items_last_run = run.items as u32;
            state.new_items_total += new_items as u64;
        }
        Err((outcome, error)) => {
            tracing::warn!(source = %source.name, %error, "crawl failed");
            run.ok = false;
            run.outcome = outcome;
            run.error = Some(error.clone());
            state.last_error = Some(error);
            state.consecutive_failures += 1;
        }
    }
    state.last_outcome = Some(run.outcome.as_str().to_string());
    writer.store.save_source_state(&state)?;
    Ok(run)
}

/// Imports the files of a `file` source that were not taken before; a file
/// is marked taken after its items are committed (a crash in between
/// re-imports it, and the upserts make that harmless). Returns the new items.
fn crawl_files(
    app: &App,
    source: &SourceConfig,
    analyzer: &Analyzer,
    writer: &mut Writer,
    run: &mut SourceRun,
) -> Result<usize, String> {
    let pattern = source
        .path
        .as_deref()
        .expect("validated: file sources have a path");
    let files =
        list_files(pattern).map_err(|e| format!("cannot list {}: {e}", pattern.display()))?;
    let preparer = app
        .preparer(&source.name, source.item_kind())
        .map_err(|e| format!("{e:#}"))?;
    let mut errors = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let fingerprint = fingerprint(&file).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if writer
            .store
            .file_taken(&source.name, &shown, &fingerprint)
            .map_err(|e| e.to_string())?
        {
            continue;
        }
        if still_being_written(&file).map_err(|e| format!("cannot read {shown}: {e}"))? {
            tracing::warn!(file = %shown, "still being written (changed just now, last line unfinished): taken on a later crawl");
            continue;
        }
        let input = std::fs::File::open(&file).map_err(|e| format!("cannot open {shown}: {e}"))?;
        let report = crate::ingest::ingest(
            input,
            &shown,
            None,
            &preparer,
            analyzer,
            &mut writer.store,
            &writer.index,
            indicatif::ProgressBar::hidden(),
        );
        match report {
            Ok(report) => {
                run.items += report.records;
                run.new += report.inserted;
                run.updated += report.updated;
                run.unchanged += report.unchanged;
                run.rejected += report.failed.len();
                run.redacted.add_counts(&report.redacted);
                for failure in &report.failed {
                    tracing::warn!(file = %shown, line = failure.line, error = %failure.error, "line rejected");
                }
                // Changed while it was read: this version is not the one
                // taken; the next crawl reads the new one (upserts make the
                // records read twice harmless).
                if file::fingerprint(&file).ok().as_ref() != Some(&fingerprint) {
                    tracing::warn!(file = %shown, "changed while it was read: read again on the next crawl");
                    continue;
                }
                writer
                    .store
                    .mark_file_taken(&source.name, &shown, &fingerprint)
                    .map_err(|e| e.to_string())?;
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(run.new)
    } else {
        Err(errors.join("; "))
    }
}

/// Shows each source's health: the configured ones, then those the data
/// directory has crawled that the configuration does not name.
pub fn sources(app: &App, args: &SourcesArgs) -> anyhow::Result<ExitCode> {
    let store = if app.data.exists() {
        Some(Store::open_read_only(&app.data.db_path())?)
    } else {
        None
    };
    let rows = source_health(&app.config.sources, store.as_ref())?;
    if args.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|row| {
                let config = app.config.sources.iter().find(|s| s.name == row.name);
                serde_json::json!({
                    "name": row.name, "kind": row.kind, "configured": row.configured,
                    "url": config.and_then(|s| s.url.clone()),
                    "schedule": config.map(|s| s.schedule.clone()),
                    "health": row.health, "state": row.state,
                    "retry_at": row.retry_at.map(|t| t.to_rfc3339()),
                })
            })
            .collect();
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        let config = app.config_path.as_ref().map_or_else(
            || "the built-in defaults".to_string(),
            |p| p.display().to_string(),
        );
        println!(
            "no [[sources]] configured in {config}, and none crawled into {} yet",
            app.data.root().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let tz = app.config.timezone();
    let shown = |at: &Option<String>| {
        at.as_deref()
            .and_then(|t| crate::text::dates::parse_datetime(t, chrono_tz::UTC))
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "—".into())
    };
    println!(
        "{:<20} {:<8} {:<14} {:<17} {:>7} {:>8}  note",
        "source", "kind", "health", "last success", "last", "new all"
    );
    for row in &rows {
        let state = &row.state;
        let mut note = state.last_error.clone().unwrap_or_default();
        if let Some(retry) = row.retry_at {
            note = format!(
                "{} failures in a row, next try after {}; {note}",
                state.consecutive_failures,
                retry.with_timezone(&tz).format("%H:%M")
            );
        }
        if !row.configured {
            note = format!("not in the configuration (crawled before); {note}");
        }
        let kind = match row.kind {
            Some(kind) => serde_json::to_value(kind)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            None => "—".to_string(),
        };
        println!(
            "{:<20} {:<8} {:<14} {:<17} {:>7} {:>8}  {}",
            row.name,
            kind,
            row.health.replace('_', " "),
            shown(&state.last_success_at),
            state.items_last_run,
            state.new_items_total,
            note.trim_end_matches("; ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
