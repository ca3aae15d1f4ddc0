//! `yuqing crawl [--source NAME]` (crawl now, once) and `yuqing sources`
//! (the health of each source).

use super::{EXIT_PARTIAL, print_json};
use crate::app::App;
use crate::ingest::ingest_records;
use crate::source::crawl::crawl_source;
use crate::source::fetch::{FetchPolicy, Fetcher};
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
struct SourceRun {
    source: String,
    ok: bool,
    not_modified: bool,
    items: usize,
    new: usize,
    updated: usize,
    rejected: usize,
    encoding: Option<&'static str>,
    error: Option<String>,
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
    let mut writer = app.open_writer()?;
    let analyzer = app.analyzer()?;
    let crawl = &app.config.crawl;
    let policy = |allow_private: bool| FetchPolicy {
        user_agent: crawl.user_agent.clone(),
        total_timeout: Duration::from_secs(crawl.timeout_secs),
        max_body_bytes: crawl.max_body_bytes,
        allow_private,
        ..FetchPolicy::default()
    };
    let public = Fetcher::new(policy(false))?;
    let private = Fetcher::new(policy(true))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut runs = Vec::new();
    for source in sources {
        let mut state = writer.store.source_state(&source.name)?;
        state.last_attempt_at = Some(chrono::Utc::now().to_rfc3339());
        let fetcher = if source.allow_private {
            &private
        } else {
            &public
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
        match runtime.block_on(crawl_source(fetcher, source, &state)) {
            Ok(result) => {
                run.not_modified = result.not_modified;
                run.items = result.items.len();
                run.encoding = result.encoding;
                let preparer = app.preparer(&source.name, source.item_kind)?;
                let records = result
                    .items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (i + 1, Ok(item)));
                // Items are committed before the source's state moves on.
                let report = ingest_records(
                    records,
                    &source.name,
                    &preparer,
                    &analyzer,
                    &mut writer.store,
                    &writer.index,
                )?;
                run.new = report.inserted;
                run.updated = report.updated;
                run.rejected = report.failed.len();
                state.etag = result.validators.etag;
                state.last_modified = result.validators.last_modified;
                state.last_success_at = state.last_attempt_at.clone();
                state.last_error = None;
                state.consecutive_failures = 0;
                state.items_last_run = run.items as u32;
                state.new_items_total += report.inserted as u64;
            }
            Err(error) => {
                tracing::warn!(source = %source.name, %error, "crawl failed");
                run.ok = false;
                run.error = Some(error.to_string());
                state.last_error = Some(error.to_string());
                state.consecutive_failures += 1;
            }
        }
        writer.store.save_source_state(&state)?;
        runs.push(run);
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
