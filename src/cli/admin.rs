//! `yuqing reindex`, `yuqing purge` and `yuqing config check`.

use super::{EXIT_USAGE, print_json};
use crate::app::App;
use crate::pipeline::rebuild_index;
use crate::store::AuditRecord;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::Path;
use std::process::ExitCode;

/// Options of `yuqing reindex`.
#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `yuqing purge`.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Remove items published more than this many days ago
    /// [default: [privacy] retention_days].
    #[arg(long, value_name = "DAYS")]
    pub older_than: Option<u32>,
    /// Only count what would be removed.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Who runs the purge (recorded in the audit log).
    #[command(flatten)]
    pub actor: crate::cli::review::Actor,
}

/// `yuqing config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective settings.
    Check {
        /// Print the effective configuration as JSON instead of TOML.
        #[arg(long)]
        json: bool,
    },
}

/// Rebuilds the index from SQLite.
pub fn reindex(app: &App, args: &ReindexArgs) -> anyhow::Result<ExitCode> {
    let mut writer = app.open_writer()?;
    let total = writer.store.count_items()?;
    let bar = crate::progress::bar(Some(total as u64), false, args.json, "reindexing");
    let started = std::time::Instant::now();
    let written = rebuild_index(&writer.store, &writer.index, Some(&bar))?;
    bar.finish_and_clear();
    // Trend counts are derived too: recounted from the items.
    let counted = writer.store.rebuild_trend_counts()?;
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        print_json(
            &serde_json::json!({ "indexed": written, "trend_counted": counted, "seconds": seconds }),
        )?;
    } else {
        println!(
            "reindexed {written} items and recounted trends in {seconds:.1} s ({})",
            writer.index.segmenter().fingerprint()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The retention purge: removes items older than the retention period from
/// the index and the database. The index goes first and both deletions use
/// the same cutoff, so an interrupted purge is completed by running it again.
pub fn purge(app: &App, args: &PurgeArgs) -> anyhow::Result<ExitCode> {
    let days = args.older_than.unwrap_or(app.config.privacy.retention_days);
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
    let mut writer = app.open_writer()?;
    let old = writer.store.count_published_before(cutoff)?;
    let (mut removed, mut mail, mut outbox) = (0, 0, 0);
    if !args.dry_run {
        if old > 0 {
            let mut batch = writer.index.writer()?;
            batch.delete_published_before(cutoff)?;
            batch.commit(&writer.index.watermark()?)?;
            batch.compact()?;
            removed = writer.store.delete_published_before(cutoff)?;
        }
        // Digests and alerts quote items: their copies go with them.
        mail = writer.store.purge_mail_before(cutoff)?;
        outbox = purge_outbox(&app.data.outbox_path(), cutoff)?;
        writer.store.audit(&AuditRecord {
            actor: &args.actor.name(),
            action: "purge",
            target: &format!("items published before {}", cutoff.to_rfc3339()),
            detail: Some(&format!(
                "removed {removed} items, emptied {mail} queued mails, deleted {outbox} outbox files (older than {days} days)"
            )),
            ..AuditRecord::default()
        })?;
    }
    tracing::info!(days, %cutoff, removed, mail, outbox, "retention purge");
    if args.json {
        print_json(&serde_json::json!({
            "cutoff": cutoff.to_rfc3339(), "older_than_days": days,
            "matching": old, "removed": removed, "dry_run": args.dry_run,
            "mail_emptied": mail, "outbox_files_deleted": outbox,
        }))?;
    } else if args.dry_run {
        println!(
            "{old} items published before {} would be removed (older than {days} days)",
            cutoff.format("%Y-%m-%d")
        );
    } else {
        println!(
            "removed {removed} items published before {} (older than {days} days); \
             emptied {mail} queued mails and deleted {outbox} outbox files written before then",
            cutoff.format("%Y-%m-%d")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Deletes the outbox copies (`.eml`, `.html`, chart images) last written
/// before `cutoff`; returns how many. A missing outbox is an empty one.
fn purge_outbox(outbox: &Path, cutoff: chrono::DateTime<chrono::Utc>) -> anyhow::Result<usize> {
    let entries = match std::fs::read_dir(outbox) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => {
            return Err(error).with_context(|| format!("reading the outbox {}", outbox.display()));
        }
    };
    let cutoff = std::time::SystemTime::from(cutoff);
    let mut deleted = 0;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading the outbox {}", outbox.display()))?;
        let path = entry.path();
        let metadata = entry
            .metadata()
            .with_context(|| format!("reading {}", path.display()))?;
        if metadata.is_file() && metadata.modified().is_ok_and(|at| at < cutoff) {
            std::fs::remove_file(&path)
                .with_context(|| format!("deleting the old outbox copy {}", path.display()))?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Validates the configuration and prints the one in effect (with the
/// `--data` override).
pub fn config(
    config: Option<&Path>,
    data: Option<&Path>,
    command: ConfigCommand,
) -> anyhow::Result<ExitCode> {
    let ConfigCommand::Check { json } = command;
    let app = match App::load(config, data) {
        Ok(app) => app,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    if let Err(error) = app.segmenter() {
        eprintln!("error: {error:#}");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let source = app
        .config_path
        .as_ref()
        .map_or("built-in defaults (no config file)".to_string(), |p| {
            p.display().to_string()
        });
    // The configuration in effect: `--data` overrides `[storage] data_dir`.
    let mut effective = app.config.clone();
    effective.storage.data_dir = app.data.root().to_path_buf();
    if json {
        print_json(&serde_json::json!({ "ok": true, "source": source, "config": effective }))?;
    } else {
        match data {
            Some(dir) => eprintln!(
                "config ok: {source} (data_dir from --data {})",
                dir.display()
            ),
            None => eprintln!("config ok: {source}"),
        }
        print!("{}", toml::to_string_pretty(&effective)?);
    }
    Ok(ExitCode::SUCCESS)
}
