//! `yuqing demo`: the first thing a newcomer runs. Serves the bundled demo
//! data set (fictional items written for the project, `demo/items.jsonl`,
//! timestamps shifted so the newest item is "now") as six local sites on
//! 127.0.0.1 (`site.rs`, `pages.rs`), crawls them with the real crawler (the
//! sources are data: `demo/sources.toml`), then shows what was stored and a
//! highlighted sample search.

mod pages;
mod site;

use crate::app::App;
use crate::cli::crawl::{Crawler, SourceRun};
use crate::cli::search::{print_facets, print_hits};
use crate::config::{Config, SourceConfig};
use crate::index::SearchRequest;
use crate::ingest::RedactedCounts;
use crate::text::dates::parse_datetime;
use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use std::process::ExitCode;

/// The bundled demo data set.
pub const DEMO_ITEMS: &str = include_str!("../../demo/items.jsonl");
/// The demo's sources, `[[sources]]` as in the configuration; `{base}`
/// stands for the local server's `http://127.0.0.1:PORT`.
pub const DEMO_SOURCES: &str = include_str!("../../demo/sources.toml");
/// Least time between two requests to the demo sites, in milliseconds
/// (the demo's own `[crawl] per_host_delay_ms`: they are local).
pub const DEMO_DELAY_MS: u64 = 5;
/// File in the data directory remembering the demo sites' port: page URLs,
/// and the ids derived from them, stay the same from run to run.
const PORT_FILE: &str = "demo-sites.port";
/// The query the demo shows.
pub const DEMO_QUERY: &str = "派出所 态度";

/// Options of `yuqing demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run one cycle and exit, without serving the web UI afterwards (it is
    /// only served when the demo runs on a terminal).
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

/// The demo sources for a server at `base`, validated like a configuration
/// file's `[[sources]]`.
pub fn demo_sources(base: &str) -> anyhow::Result<Vec<SourceConfig>> {
    let text = DEMO_SOURCES.replace("{base}", base);
    let config = Config::from_toml(&text, std::path::Path::new("demo/sources.toml"))?;
    Ok(config.sources)
}

/// The crawls of all demo sources, summed.
#[derive(Debug, Default, Serialize)]
struct Totals {
    records: usize,
    inserted: usize,
    updated: usize,
    unchanged: usize,
    rejected: usize,
    redacted: RedactedCounts,
}

impl Totals {
    fn of(runs: &[SourceRun]) -> Totals {
        let mut totals = Totals::default();
        for run in runs {
            totals.records += run.items;
            totals.inserted += run.new;
            totals.updated += run.updated;
            totals.unchanged += run.unchanged;
            totals.rejected += run.rejected;
            totals.redacted.id_numbers += run.redacted.id_numbers;
            totals.redacted.phone_numbers += run.redacted.phone_numbers;
            totals.redacted.bank_cards += run.redacted.bank_cards;
        }
        totals
    }
}

/// Serves the demo sites, crawls every demo source, stops the sites.
fn crawl_demo(
    app: &App,
    quiet: bool,
) -> anyhow::Result<(String, Vec<SourceConfig>, Vec<SourceRun>)> {
    let tz = app.config.timezone();
    let records = site::parse_records(&shifted_demo_items(Utc::now(), tz)?)?;
    app.data.create()?;
    let port_file = app.data.root().join(PORT_FILE);
    let remembered: Option<u16> = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|p| p.trim().parse().ok());
    let site = site::DemoSite::start(records, tz, remembered).map_err(|error| match remembered {
        // Another port would give the pages new URLs, and the items
        // crawled from them new ids: they would all be stored twice.
        Some(port) => anyhow::anyhow!(
            "{error:#}\nThe demo serves its sites on port {port} again, as in earlier runs on {}, so that \
             their pages keep their URLs and items are not stored twice. Free the port and run again, \
             or delete {} to serve on a new port (items crawled from pages are then stored again).",
            app.data.root().display(),
            port_file.display()
        ),
        None => error,
    })?;
    std::fs::write(&port_file, format!("{}\n", site.port()))?;
    let base = site.base();
    let sources = demo_sources(&base)?;
    let mut demo = app.clone();
    demo.config.crawl.per_host_delay_ms = DEMO_DELAY_MS;
    let bar = crate::progress::bar(None, false, quiet, "crawling the demo sites");
    let mut runs = {
        let mut crawler = Crawler::new(&demo)?;
        let all: Vec<&SourceConfig> = sources.iter().collect();
        crawler.crawl_all(&all)?
    };
    runs.sort_by_key(|run| sources.iter().position(|s| s.name == run.source));
    bar.finish_and_clear();
    site.stop();
    if let Some(run) = runs.iter().find(|r| r.error.is_some()) {
        anyhow::bail!(
            "demo source {} failed: {}",
            run.source,
            run.error.as_deref().unwrap_or_default()
        );
    }
    Ok((base, sources, runs))
}

/// Runs the demo.
pub fn run(app: &App, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let tz = app.config.timezone();
    let (base, sources, runs) = crawl_demo(app, args.json)?;
    let totals = Totals::of(&runs);
    let mut writer = app.open_writer()?;
    let (raised, trends) = crate::cli::review::catch_up(app, &mut writer)?;
    let digest = crate::cli::digest::make_digest(
        app,
        &mut writer.store,
        chrono::Utc::now(),
        chrono::Duration::hours(24),
        false,
    )?
    .into_iter()
    .find_map(|made| made.outbox);
    let open_cases = writer.store.cases(&crate::store::CaseFilter {
        limit: 0,
        ..Default::default()
    })?;
    let by_kind = writer.store.count_by_kind()?;
    let mut request = SearchRequest::new(DEMO_QUERY);
    request.limit = 3;
    request.facets = true;
    let results = writer.index.search(&request)?;
    let mut flagged_request = SearchRequest::new("flagged:true");
    flagged_request.facets = true;
    flagged_request.limit = 1;
    let flagged = writer.index.search(&flagged_request)?;
    // Repeated stories: copies grouped (each is reviewed once).
    let mut stories = Vec::new();
    for story in writer.store.stories(3, 5)? {
        let title = writer
            .store
            .get_item(&story.first_item)?
            .map(|stored| crate::trends::display_title(&stored.item.title, &stored.item.body))
            .unwrap_or_default();
        stories.push((story, title));
    }
    if args.json {
        let per_source: Vec<serde_json::Value> = sources
            .iter()
            .zip(&runs)
            .map(|(source, run)| {
                let mut row = serde_json::to_value(run)?;
                row["kind"] = serde_json::to_value(source.kind)?;
                row["item_kind"] = source.item_kind().as_str().into();
                row["url"] = source.url.clone().into();
                Ok(row)
            })
            .collect::<anyhow::Result<_>>()?;
        crate::cli::print_json(&serde_json::json!({
            "data_dir": app.data.root(),
            "site": base,
            "sources": per_source,
            "import": totals,
            "items_by_kind": by_kind.iter().map(|(k, n)| (k.as_str(), n)).collect::<std::collections::BTreeMap<_, _>>(),
            "flagged": flagged.total,
            "flagged_by_category": flagged.facets.get("category"),
            "stories": stories.iter().map(|(story, title)| serde_json::json!({
                "id": story.id, "copies": story.copies, "title": title,
                "first_source": story.first_source, "first_at": story.first_at,
            })).collect::<Vec<_>>(),
            "sample_query": DEMO_QUERY,
            "sample": results,
            "trends": trends,
            "cases_raised": raised,
            "digest": digest,
            "cases": open_cases.len(),
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
        "Served the bundled demo data set as six local sites on {base} and crawled them with the real crawler:"
    );
    for (source, run) in sources.iter().zip(&runs) {
        println!(
            "  {:<13} {:<9} {:>4} {:<3} {:>4} new {:>4} updated {:>4} unchanged   {}",
            run.source,
            serde_json::to_value(source.kind)?
                .as_str()
                .unwrap_or_default(),
            run.items,
            source.item_kind().label_zh(),
            run.new,
            run.updated,
            run.unchanged,
            run.encoding.unwrap_or("-"),
        );
    }
    println!(
        "Crawled {} items ({} new, {} updated, {} unchanged, {} rejected); known articles are not fetched again, boards are re-read.",
        totals.records, totals.inserted, totals.updated, totals.unchanged, totals.rejected
    );
    println!("The store now holds {total} items: {}.", kinds.join(", "));
    let r = totals.redacted;
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
    if !stories.is_empty() {
        let shown: Vec<String> = stories
            .iter()
            .map(|(story, title)| format!("{} copies of 「{title}」", story.copies))
            .collect();
        println!(
            "Reposts and rewordings grouped into stories (each reviewed once): {}.",
            shown.join("; ")
        );
    }
    if !trends.is_empty() {
        println!("Rising now (yuqing trends):");
        for trend in trends.iter().take(5) {
            println!(
                "  {} {}: {} in the window vs {:.1} expected (×{:.1})  {}",
                trend.dimension,
                trend.label_with_key(),
                trend.current,
                trend.expected,
                trend.ratio,
                crate::trends::sparkline(&trend.series)
            );
        }
    }
    println!(
        "Review queue (yuqing review list): {} cases; this run raised {} for stories of flagged items, {} for trends, {} for petitions without a useful reply.",
        open_cases.len(),
        raised.items,
        raised.trends,
        raised.petitions
    );
    if let Some(path) = &digest {
        println!(
            "The morning digest for leadership (yuqing digest) is in the outbox — open it in a browser: {}",
            path.display()
        );
    }
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
    use std::io::IsTerminal;
    if !args.once && std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        drop(writer);
        serve_ui(app)?;
    } else {
        println!(
            "  cargo run -- user add NAME --role reviewer && cargo run -- serve   # the web UI"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Serves the web UI with a demo account until Ctrl-C.
fn serve_ui(app: &App) -> anyhow::Result<()> {
    use rand::Rng;
    let password: String = (0..12)
        .map(|_| {
            const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
            CHARS[rand::rng().random_range(0..CHARS.len())] as char
        })
        .collect();
    crate::store::Store::open(&app.data.db_path())?.put_user(
        "demo",
        crate::store::Role::Reviewer,
        &password,
    )?;
    let wanted: std::net::SocketAddr =
        app.config.server.clone().unwrap_or_default().addr.parse()?;
    let bound = crate::cli::serve::spawn(app, wanted).or_else(|_| {
        crate::cli::serve::spawn(app, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
    })?;
    println!();
    println!(
        "Web UI: http://{bound}/  — user demo, password {password} (reviewer). Ctrl-C stops; --once skips this."
    );
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
