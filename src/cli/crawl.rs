//! `yuqing crawl [--source NAME]` (crawl now, once) and `yuqing sources`
//! (the health of each source).

use super::{EXIT_PARTIAL, print_json};
use crate::analyze::Analyzer;
use crate::app::{App, Writer};
use crate::config::{SourceConfig, SourceKind};
use crate::ingest::ingest_records;
use crate::source::crawl::crawl_source;
use crate::source::fetch::{FetchPolicy, Fetcher};
use crate::source::file::{fingerprint, list_files};
use crate::source::politeness::{Polite, PolitenessPolicy};
use crate::store::Store;
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
pub(crate) struct SourceRun {
    pub(crate) source: String,
    ok: bool,
    not_modified: bool,
    pub(crate) items: usize,
    pub(crate) new: usize,
    updated: usize,
    rejected: usize,
    encoding: Option<&'static str>,
    pub(crate) error: Option<String>,
}

/// Crawls the configured sources once; exit 1 when any failed.
pub fn crawl(app: &App, args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    let sources: Vec<_> = app
        .config
        .sources
        .iter()
        .filter(|s| args.source.as_deref().is_none_or(|name| s.name == name))
        .collect();
    if sources.is_empty() {
        match &args.source {
            Some(name) => anyhow::bail!("no source named `{name}` in the configuration"),
            None => anyhow::bail!(
                "no [[sources]] in the configuration: add some (see config/example.toml)"
            ),
        }
    }
    let mut crawler = Crawler::new(app)?;
    let mut runs = Vec::new();
    for source in sources {
        runs.push(crawler.crawl(source)?);
    }
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

    /// Crawls one source: its items are committed, then its state saved.
    pub(crate) fn crawl(&mut self, source: &SourceConfig) -> anyhow::Result<SourceRun> {
        let app = self.app;
        let mut state = self.writer.store.source_state(&source.name)?;
        state.last_attempt_at = Some(chrono::Utc::now().to_rfc3339());
        let fetcher = if source.allow_private {
            &self.private
        } else {
            &self.public
        };
        let mut run = SourceRun {
            source: source.name.clone(),
            ok: true,
            not_modified: false,
            items: 0,
            new: 0,
            updated: 0,
            rejected: 0,
            encoding: None,
            error: None,
        };
        let outcome = match source.kind {
            SourceKind::File => {
                crawl_files(app, source, &self.analyzer, &mut self.writer, &mut run)
            }
            _ => {
                let store = &self.writer.store;
                let known = |id: &str| store.get_item(id).ok().flatten().is_some();
                let fetched = self
                    .runtime
                    .block_on(crawl_source(fetcher, source, &state, &known));
                crawl_http(
                    app,
                    source,
                    &self.analyzer,
                    &mut self.writer,
                    &mut run,
                    &mut state,
                    fetched,
                )
            }
        };
        match outcome {
            Ok(new_items) => {
                state.last_success_at = state.last_attempt_at.clone();
                state.last_error = None;
                state.consecutive_failures = 0;
                state.items_last_run = run.items as u32;
                state.new_items_total += new_items as u64;
            }
            Err(error) => {
                tracing::warn!(source = %source.name, %error, "crawl failed");
                run.ok = false;
                run.error = Some(error.clone());
                state.last_error = Some(error);
                state.consecutive_failures += 1;
            }
        }
        self.writer.store.save_source_state(&state)?;
        Ok(run)
    }
}

/// Fetches an http source and stores its items; the new validators go into
/// `state` only after the items are committed. Returns the new items.
fn crawl_http(
    app: &App,
    source: &SourceConfig,
    analyzer: &Analyzer,
    writer: &mut Writer,
    run: &mut SourceRun,
    state: &mut crate::store::SourceState,
    fetched: Result<crate::source::crawl::CrawlResult, crate::source::crawl::SourceError>,
) -> Result<usize, String> {
    let result = fetched.map_err(|e| e.to_string())?;
    run.not_modified = result.not_modified;
    run.items = result.items.len();
    run.encoding = result.encoding;
    let preparer = app
        .preparer(&source.name, source.item_kind())
        .map_err(|e| format!("{e:#}"))?;
    let records = result
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (i + 1, Ok(item)));
    let report = ingest_records(
        records,
        &source.name,
        &preparer,
        analyzer,
        &mut writer.store,
        &writer.index,
    )
    .map_err(|e| e.to_string())?;
    run.new = report.inserted;
    run.updated = report.updated;
    run.rejected = report.failed.len();
    state.etag = result.validators.etag;
    state.last_modified = result.validators.last_modified;
    Ok(report.inserted)
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
                run.rejected += report.failed.len();
                for failure in &report.failed {
                    tracing::warn!(file = %shown, line = failure.line, error = %failure.error, "line rejected");
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

/// Shows each configured source's state.
pub fn sources(app: &App, args: &SourcesArgs) -> anyhow::Result<ExitCode> {
    let store = if app.data.exists() {
        Some(Store::open_read_only(&app.data.db_path())?)
    } else {
        None
    };
    let mut states = Vec::new();
    for source in &app.config.sources {
        let state = match &store {
            Some(store) => store.source_state(&source.name)?,
            None => crate::store::SourceState {
                name: source.name.clone(),
                ..Default::default()
            },
        };
        let health = match (&state.last_success_at, state.consecutive_failures) {
            (None, 0) => "never crawled",
            (_, 0) => "ok",
            (_, 1..=2) => "failing",
            _ => "down",
        };
        states.push((source, state, health));
    }
    if args.json {
        let rows: Vec<_> = states
            .iter()
            .map(|(source, state, health)| {
                serde_json::json!({
                    "name": source.name, "kind": source.kind, "url": source.url, "schedule": source.schedule,
                    "health": health, "state": state,
                })
            })
            .collect();
        print_json(&rows)?;
    } else if states.is_empty() {
        println!("no [[sources]] configured");
    } else {
        for (source, state, health) in &states {
            println!(
                "{:<20} {:<14} last ok {:<26} new {:>6}  {}",
                source.name,
                health,
                state.last_success_at.as_deref().unwrap_or("—"),
                state.new_items_total,
                state.last_error.as_deref().unwrap_or("")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
