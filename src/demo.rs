//! `yuqing demo`: the first thing a newcomer runs. Loads the bundled demo
//! data set (fictional items written for the project, `demo/items.jsonl`)
//! through the real import path, with timestamps shifted so the newest item
//! is "now", then shows what was stored and a highlighted sample search.

use crate::app::App;
use crate::cli::search::{print_facets, print_hits};
use crate::index::SearchRequest;
use crate::model::ItemKind;
use crate::text::dates::parse_datetime;
use chrono::{DateTime, Utc};
use clap::Args;
use std::process::ExitCode;

/// The bundled demo data set.
pub const DEMO_ITEMS: &str = include_str!("../demo/items.jsonl");
/// The query the demo shows.
pub const DEMO_QUERY: &str = "派出所 态度";

/// Options of `yuqing demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run one cycle and exit (today the demo always does; later it also
    /// serves the web UI until stopped).
    #[arg(long)]
    pub once: bool,
    /// Print a JSON summary instead of the tour.
    #[arg(long)]
    pub json: bool,
}

/// The demo items with timestamps moved so the newest is `now`.
pub fn shifted_demo_items(now: DateTime<Utc>, tz: chrono_tz::Tz) -> anyhow::Result<String> {
    let mut records: Vec<serde_json::Map<String, serde_json::Value>> = Vec::new();
    for (n, line) in DEMO_ITEMS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("demo/items.jsonl:{}: {e}", n + 1))?;
        let serde_json::Value::Object(object) = value else {
            anyhow::bail!("demo/items.jsonl:{}: not an object", n + 1);
        };
        records.push(object);
    }
    let time = |record: &serde_json::Map<String, serde_json::Value>, key: &str| {
        record
            .get(key)
            .and_then(|v| v.as_str())
            .and_then(|v| parse_datetime(v, tz))
    };
    let newest = records
        .iter()
        .filter_map(|r| time(r, "published_at"))
        .max()
        .ok_or_else(|| anyhow::anyhow!("demo data has no dates"))?;
    // Whole minutes, so that runs within the same minute are identical.
    let shift = chrono::Duration::minutes((now - newest).num_minutes());
    let mut out = String::with_capacity(DEMO_ITEMS.len());
    for mut record in records {
        for key in ["published_at", "replied_at"] {
            if let Some(at) = time(&record, key) {
                let moved = (at + shift).with_timezone(&tz).to_rfc3339();
                record.insert(key.to_string(), serde_json::Value::String(moved));
            }
        }
        out.push_str(&serde_json::Value::Object(record).to_string());
        out.push('\n');
    }
    Ok(out)
}

/// Runs the demo.
pub fn run(app: &App, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let tz = app.config.timezone();
    let items = shifted_demo_items(Utc::now(), tz)?;
    let mut writer = app.open_writer()?;
    let preparer = app.preparer("demo", ItemKind::Post)?;
    let analyzer = app.analyzer()?;
    let bar = crate::progress::bar(
        Some(items.len() as u64),
        true,
        args.json,
        "loading demo data",
    );
    let report = crate::ingest::ingest(
        items.as_bytes(),
        "demo/items.jsonl",
        None,
        &preparer,
        &analyzer,
        &mut writer.store,
        &writer.index,
        bar,
    )?;
    anyhow::ensure!(
        report.failed.is_empty(),
        "demo data has bad lines: {:?}",
        report.failed
    );
    let by_kind = writer.store.count_by_kind()?;
    let mut request = SearchRequest::new(DEMO_QUERY);
    request.limit = 3;
    request.facets = true;
    let results = writer.index.search(&request)?;
    let mut flagged_request = SearchRequest::new("flagged:true");
    flagged_request.facets = true;
    flagged_request.limit = 1;
    let flagged = writer.index.search(&flagged_request)?;
    if args.json {
        crate::cli::print_json(&serde_json::json!({
            "data_dir": app.data.root(),
            "import": report,
            "items_by_kind": by_kind.iter().map(|(k, n)| (k.as_str(), n)).collect::<std::collections::BTreeMap<_, _>>(),
            "flagged": flagged.total,
            "flagged_by_category": flagged.facets.get("category"),
            "sample_query": DEMO_QUERY,
            "sample": results,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let total: usize = by_kind.iter().map(|(_, n)| n).sum();
    let kinds: Vec<String> = by_kind
        .iter()
        .map(|(k, n)| format!("{n} {}", k.label_zh()))
        .collect();
    println!("yuqing 舆情 — demo");
    println!();
    println!(
        "Imported the bundled demo data set: {} records ({} new, {} updated, {} unchanged).",
        report.records, report.inserted, report.updated, report.unchanged
    );
    println!("The store now holds {total} items: {}.", kinds.join(", "));
    let r = report.redacted;
    println!(
        "Personal data removed before storage: {} ID numbers, {} phone numbers, {} bank cards; author handles kept only as keyed hashes.",
        r.id_numbers, r.phone_numbers, r.bank_cards
    );
    let mut by_category: Vec<(&String, &u64)> = flagged
        .facets
        .get("category")
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    by_category.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let categories: Vec<String> = by_category
        .iter()
        .map(|(c, n)| format!("{} {n}", crate::model::category_label_zh(c)))
        .collect();
    println!(
        "Flagged as complaints about police conduct: {} ({}).",
        flagged.total,
        categories.join(", ")
    );
    println!(
        "Data directory: {} (SQLite yuqing.db is the record; index/ is the tantivy index).",
        app.data.root().display()
    );
    println!();
    println!("── sample search: yuqing search \"{DEMO_QUERY}\" --facets ──");
    print_hits(&results, DEMO_QUERY, 0, tz);
    println!();
    print_facets(&results);
    println!();
    println!("Try next:");
    for hint in [
        "cargo run -- search 'flagged:true category:inaction'   # complaints of inaction",
        "cargo run -- search '\"城关 派出所\"' --sort time       # a phrase, newest first",
        "cargo run -- search '出警 OR 接警 -表扬' --kind petition  # boolean, filtered",
        "cargo run -- search 民警 --since 7d --facets --json     # machine-readable",
        "cargo run -- ingest my-export.jsonl                     # import your own JSONL / CSV",
        "cargo run -- reindex                                    # rebuild the index after a dictionary change",
    ] {
        println!("  {hint}");
    }
    Ok(ExitCode::SUCCESS)
}
