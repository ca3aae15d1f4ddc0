//! `yuqing bench --corpus PATH`: throughput of each stage (normalise,
//! segment, index, end to end through SQLite and the index) in docs/s and
//! MB/s, peak memory, and search latency p50/p95 over a fixed list of
//! Chinese queries. Prints the command and the machine with the figures so
//! they can go straight into BENCHMARKS.md.
//!
//! Also measured: raw jieba-rs on all cores (the segmentation limit), the
//! floor (each text cut once and its postings built, nothing else: the
//! ceiling of any import into this index), `yuqing ingest` as a child process (start-up and its own peak memory),
//! 3 MB pathological documents ([`limits`]); with `--items N`, an N-item
//! replay of the corpus timed per slice, search and facets on it, one
//! `yuqing search --json` call and `yuqing run`'s memory ([`scale`]).

pub mod limits;
pub mod scale;

use crate::app::App;
use crate::config::Config;
use crate::index::{SearchIndex, SearchRequest};
use crate::model::{Analysis, ItemKind};
use crate::text::{Normalizer, Segmenter};
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The fixed query list for latency: the same 20 queries as the Python
/// peers in `shared/bench/peer` (service reviews, police domain, general), so
/// hit counts and latencies compare side by side.
pub const BENCH_QUERIES: [&str; 20] = [
    "质量问题",
    "退货",
    "服务态度",
    "送货速度",
    "非常失望",
    "值得推荐",
    "价格便宜",
    "酒店服务",
    "早餐",
    "屏幕",
    "派出所",
    "民警",
    "报警",
    "公安",
    "交警",
    "诈骗",
    "投诉",
    "作者",
    "上海",
    "改革开放",
];

/// Options of `yuqing bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// JSONL corpus files or folders of them (records with "text" and optional "title"),
    /// e.g. ../shared/corpus.
    #[arg(long, required = true, num_args = 1..)]
    pub corpus: Vec<PathBuf>,
    /// Use at most this many documents.
    #[arg(long)]
    pub max_docs: Option<usize>,
    /// Timed passes over the 20 queries (after one warm-up pass), as the peers do.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also build an index of this many items by replaying the corpus (new
    /// ids, each copy published before the last) and measure it: per-slice
    /// ingest throughput, search, facets, `search --json`, `run` memory.
    #[arg(long, value_name = "N")]
    pub items: Option<usize>,
    /// Items published per day in the replay, for a busy office's volume
    /// (e.g. 200000) [default: one copy of the corpus a week].
    #[arg(long, value_name = "N", requires = "items", value_parser = clap::value_parser!(u64).range(1..))]
    pub per_day: Option<u64>,
    /// Where to build the N items (kept, and reused by a later run when it
    /// already holds them) [default: a temporary directory, removed after].
    #[arg(long, value_name = "DIR", requires = "items")]
    pub keep: Option<PathBuf>,
    /// Items per timed slice of the N-item build [default: one copy of the
    /// corpus, so every slice holds the same texts and slices compare].
    #[arg(long)]
    pub slice: Option<usize>,
    /// Seconds to watch `yuqing run` on the N items (0: skip).
    #[arg(long, default_value_t = 30)]
    pub run_seconds: u64,
}

/// Throughput of one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageFigure {
    /// Stable key: normalise, segment, segment_raw_all_cores, analyze, index,
    /// segment_index_floor, ingest, ingest_cli.
    pub id: &'static str,
    /// Stage name.
    pub stage: &'static str,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Documents per second.
    pub docs_per_sec: f64,
    /// Megabytes (10^6 bytes of input text) per second.
    pub mb_per_sec: f64,
}

/// Everything the benchmark measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The command that produced the figures.
    pub command: String,
    /// Machine description.
    pub machine: String,
    /// Build profile of this binary.
    pub profile: &'static str,
    /// Documents used.
    pub docs: usize,
    /// Bytes of title + text.
    pub bytes: usize,
    /// Per-stage throughput.
    pub stages: Vec<StageFigure>,
    /// Search latency, median, milliseconds.
    pub search_p50_ms: f64,
    /// Search latency, 95th percentile, milliseconds.
    pub search_p95_ms: f64,
    /// Searches timed.
    pub searches: usize,
    /// Peak resident memory of the process, MiB.
    pub peak_rss_mib: f64,
    /// Total hits of each query (for parity with the peers).
    pub query_hits: Vec<(String, usize)>,
    /// Peak resident memory of `yuqing ingest` on the corpus as a child
    /// process (start-up, dictionaries, trends pass included), MiB.
    pub ingest_peak_rss_mib: f64,
    /// End-to-end MB/s ÷ raw jieba-rs MB/s on all cores.
    pub ingest_to_raw_segmentation: f64,
    /// The floor's MB/s (segment once + postings, nothing else) ÷ raw
    /// jieba-rs MB/s on all cores: what no full pipeline can exceed.
    pub floor_to_raw_segmentation: f64,
    /// 3 MB pathological documents.
    pub pathological: Vec<limits::Pathological>,
    /// The N-item run, with `--items`.
    pub scale: Option<scale::ScaleReport>,
}

/// One corpus document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Its id (or file:line).
    pub id: String,
    /// Title (may be empty).
    pub title: String,
    /// Text.
    pub text: String,
}

/// Runs the benchmark.
pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let files = corpus_files(&args.corpus)?;
    let docs = load(&files, args.max_docs)?;
    let bytes: usize = docs.iter().map(|d| d.title.len() + d.text.len()).sum();
    anyhow::ensure!(
        !docs.is_empty(),
        "no documents with text in {:?}",
        args.corpus
    );
    let quiet = args.json;
    let note = |message: &str| {
        if !quiet {
            eprintln!("{message}");
        }
    };
    note(&format!(
        "{} documents, {:.1} MB",
        docs.len(),
        bytes as f64 / 1e6
    ));
    let mut stages = Vec::new();
    let figure = |id, stage, elapsed: Duration| {
        let seconds = elapsed.as_secs_f64();
        StageFigure {
            id,
            stage,
            seconds,
            docs_per_sec: docs.len() as f64 / seconds,
            mb_per_sec: bytes as f64 / 1e6 / seconds,
        }
    };

    let config = Config::default();
    let normalizer = Normalizer::from_config(&config.text);
    let started = Instant::now();
    let cleaned: Vec<(String, String)> = docs
        .iter()
        .map(|d| {
            (
                normalizer.clean(&d.title).text,
                normalizer.clean(&d.text).text,
            )
        })
        .collect();
    stages.push(figure("normalise", "normalise + redact", started.elapsed()));
    note("normalised");

    let started = Instant::now();
    let segmenter = Segmenter::embedded();
    let mut words = 0usize;
    for (title, text) in &cleaned {
        words += segmenter.cut(title).len() + segmenter.cut(text).len();
    }
    stages.push(figure(
        "segment",
        "segment (jieba cut, our dictionaries, one thread)",
        started.elapsed(),
    ));
    note(&format!("segmented: {words} tokens"));
    let (elapsed, raw_tokens) = limits::raw_jieba_all_cores(&cleaned);
    stages.push(figure(
        "segment_raw_all_cores",
        "raw jieba-rs (default dictionary, cut with HMM), all cores",
        elapsed,
    ));
    note(&format!("raw jieba-rs on all cores: {raw_tokens} tokens"));

    let analyzer = crate::analyze::Analyzer::new(segmenter.clone());
    let started = Instant::now();
    let mut flagged = 0usize;
    for (title, text) in &cleaned {
        let analysis = analyzer.analyze(crate::analyze::AnalyzeInput {
            text,
            title: Some(title),
            kind: None,
            copies: 1,
        });
        flagged += usize::from(analysis.flagged);
    }
    stages.push(figure(
        "analyze",
        "analyze (detector, sentiment, units, keywords), one thread",
        started.elapsed(),
    ));
    note(&format!("analysed: {flagged} flagged"));

    let scratch = tempfile::tempdir().context("creating a scratch directory")?;
    let started = Instant::now();
    let index = SearchIndex::open(&scratch.path().join("index-only"), segmenter.clone())?;
    let mut writer = index.writer()?;
    let now = chrono::Utc::now();
    for (doc, (title, text)) in docs.iter().zip(&cleaned) {
        let item = limits::bench_item(doc.id.clone(), title, text, now);
        writer.upsert(&item, &Analysis::default())?;
    }
    writer.commit(&Default::default())?;
    drop(writer);
    stages.push(figure(
        "index",
        "index (tantivy, search-mode jieba, positions, stored)",
        started.elapsed(),
    ));
    note("indexed");

    let elapsed =
        limits::segment_and_index_floor(&cleaned, &segmenter, &scratch.path().join("floor"))?;
    stages.push(figure(
        "segment_index_floor",
        "floor: cut once (our dictionaries) + postings + commit, all cores, nothing else",
        elapsed,
    ));
    note("segmented and indexed (the floor)");

    let corpus_copy = scratch.path().join("corpus.jsonl");
    write_jsonl(&docs, &corpus_copy)?;
    let app = App::with_config(config, scratch.path().join("data"));
    let mut store_writer = app.open_writer()?;
    let started = Instant::now();
    let preparer = app.preparer("bench", ItemKind::News)?;
    let analyzer = app.analyzer()?;
    crate::ingest::ingest(
        std::fs::File::open(&corpus_copy)?,
        "corpus.jsonl",
        Some(crate::ingest::reader::Format::Jsonl),
        &preparer,
        &analyzer,
        &mut store_writer.store,
        &store_writer.index,
        indicatif::ProgressBar::hidden(),
    )?;
    stages.push(figure(
        "ingest",
        "end to end in process (parse, clean, analyse, SQLite + stories + trend counts, index)",
        started.elapsed(),
    ));
    note("ingested end to end");
    let cli = limits::run_child(&[
        std::ffi::OsStr::new("--data"),
        scratch.path().join("cli-data").as_os_str(),
        std::ffi::OsStr::new("ingest"),
        corpus_copy.as_os_str(),
        std::ffi::OsStr::new("--json"),
    ])?;
    stages.push(figure(
        "ingest_cli",
        "`yuqing ingest` as a command (start-up, dictionaries, trends and review pass included)",
        Duration::from_secs_f64(cli.seconds),
    ));
    note("ran `yuqing ingest`");
    let han_source: String = cleaned
        .iter()
        .map(|(_, text)| text.as_str())
        .take(5_000)
        .collect();
    let pathological = limits::pathological(&han_source, scratch.path())?;
    note("pathological documents done");

    // One warm-up pass gives the hit counts; the timed passes follow.
    let mut query_hits = Vec::with_capacity(BENCH_QUERIES.len());
    for query in BENCH_QUERIES {
        let total = store_writer.index.search(&SearchRequest::new(query))?.total;
        query_hits.push((query.to_string(), total));
    }
    let mut latencies = Vec::with_capacity(BENCH_QUERIES.len() * args.rounds);
    for _ in 0..args.rounds.max(1) {
        for query in BENCH_QUERIES {
            let started = Instant::now();
            store_writer.index.search(&SearchRequest::new(query))?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    drop(store_writer);
    let scale = match args.items {
        Some(items) => {
            let temporary;
            let dir = match &args.keep {
                Some(dir) => dir.as_path(),
                None => {
                    temporary = tempfile::tempdir().context("creating a scratch directory")?;
                    temporary.path()
                }
            };
            Some(scale::run(
                &docs,
                bytes,
                &scale::ScaleOptions {
                    items,
                    dir,
                    slice: args.slice.unwrap_or(docs.len()).max(1),
                    copy_secs: scale::copy_secs(docs.len(), args.per_day),
                    run_seconds: args.run_seconds,
                    note: &note,
                },
            )?)
        }
        None => None,
    };
    let rate = |id: &str| {
        stages
            .iter()
            .find(|s| s.id == id)
            .map_or(0.0, |s| s.mb_per_sec)
    };
    let ingest_to_raw_segmentation = rate("ingest") / rate("segment_raw_all_cores");
    let floor_to_raw_segmentation = rate("segment_index_floor") / rate("segment_raw_all_cores");
    let report = BenchReport {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        machine: machine(),
        profile: if cfg!(debug_assertions) {
            "debug (dependencies optimised)"
        } else {
            "release"
        },
        docs: docs.len(),
        bytes,
        stages,
        search_p50_ms: percentile(&latencies, 0.5),
        search_p95_ms: percentile(&latencies, 0.95),
        searches: latencies.len(),
        peak_rss_mib: peak_rss_mib(),
        query_hits,
        ingest_peak_rss_mib: cli.peak_rss_mib,
        ingest_to_raw_segmentation,
        floor_to_raw_segmentation,
        pathological,
        scale,
    };
    if args.json {
        crate::cli::print_json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &BenchReport) {
    println!("command: {}", report.command);
    println!("machine: {}", report.machine);
    println!("build:   {}", report.profile);
    println!(
        "corpus:  {} docs, {:.2} MB",
        report.docs,
        report.bytes as f64 / 1e6
    );
    println!();
    println!("| stage | seconds | docs/s | MB/s |");
    println!("|---|---:|---:|---:|");
    for s in &report.stages {
        println!(
            "| {} | {:.2} | {:.0} | {:.2} |",
            s.stage, s.seconds, s.docs_per_sec, s.mb_per_sec
        );
    }
    println!();
    println!(
        "search latency over {} searches ({} queries, after a warm-up pass): p50 {:.2} ms, p95 {:.2} ms",
        report.searches,
        BENCH_QUERIES.len(),
        report.search_p50_ms,
        report.search_p95_ms
    );
    println!("peak memory (RSS): {:.0} MiB", report.peak_rss_mib);
    let hits: Vec<String> = report
        .query_hits
        .iter()
        .map(|(q, n)| format!("{q} {n}"))
        .collect();
    println!(
        "hits per query (top-10 search with snippets, total count): {}",
        hits.join(" · ")
    );
    println!(
        "end to end ÷ raw jieba-rs on all cores: {:.1} %",
        report.ingest_to_raw_segmentation * 100.0
    );
    println!(
        "floor (cut once + postings, nothing else) ÷ raw jieba-rs on all cores: {:.1} %",
        report.floor_to_raw_segmentation * 100.0
    );
    println!(
        "`yuqing ingest` peak memory (RSS, child process): {:.0} MiB",
        report.ingest_peak_rss_mib
    );
    println!();
    println!(
        "| pathological document (3 MB) | max_text_bytes | kept bytes | clean + analyse + index + commit, s | search-mode segmentation of all 3 MB, s |"
    );
    println!("|---|---:|---:|---:|---:|");
    for p in &report.pathological {
        println!(
            "| {} | {} | {} | {:.2} | {:.2} |",
            p.document, p.max_text_bytes, p.kept_bytes, p.seconds, p.segment_all_seconds
        );
    }
    if let Some(scale) = &report.scale {
        print_scale(scale);
    }
}

fn print_scale(scale: &scale::ScaleReport) {
    println!();
    println!(
        "{} items in {} (the corpus replayed: new ids, {:.0} items published a day)",
        scale.items,
        scale.data_dir.display(),
        scale.per_day
    );
    if !scale.slices.is_empty() {
        println!();
        println!("| items before | slice | seconds | docs/s | MB/s |");
        println!("|---:|---:|---:|---:|---:|");
        let last = scale.slices.len().saturating_sub(1);
        for (n, s) in scale.slices.iter().enumerate() {
            // Long builds: every fifth slice and the last one.
            if scale.slices.len() > 12 && n % 5 != 0 && n != last {
                continue;
            }
            println!(
                "| {} | {} | {:.1} | {:.0} | {:.2} |",
                s.items_before, s.items, s.seconds, s.docs_per_sec, s.mb_per_sec
            );
        }
    }
    if let (Some(growth), Some(last)) = (scale.growth, scale.growth_last_slice) {
        println!(
            "throughput (MB/s) of the last quarter of the full slices ÷ the first quarter: \
             {:.0} % (the last slice ÷ the first: {:.0} %)",
            growth * 100.0,
            last * 100.0
        );
    }
    println!(
        "index {:.0} MB for {:.0} MB of text ({:.2}×); SQLite {:.0} MB",
        scale.index_bytes as f64 / 1e6,
        scale.text_bytes as f64 / 1e6,
        scale.index_bytes as f64 / scale.text_bytes.max(1) as f64,
        scale.store_bytes as f64 / 1e6
    );
    println!();
    println!(
        "| searches on {} items | n | p50 ms | p95 ms |",
        scale.items
    );
    println!("|---|---:|---:|---:|");
    for l in &scale.latency {
        println!(
            "| {} | {} | {:.2} | {:.2} |",
            l.what, l.searches, l.p50_ms, l.p95_ms
        );
    }
    println!(
        "`yuqing search 派出所 --json` (a new process, median of 5): {:.0} ms, {:.0} MiB",
        scale.search_cli.seconds * 1000.0,
        scale.search_cli.peak_rss_mib
    );
    if let Some(run) = &scale.run {
        println!(
            "`yuqing run` on the data for {:.0} s (imported {} new items): max RSS {:.0} MiB, at the end {:.0} MiB",
            run.seconds, run.imported, run.max_rss_mib, run.final_rss_mib
        );
    }
    let hits: Vec<String> = scale
        .query_hits
        .iter()
        .map(|(q, n)| format!("{q} {n}"))
        .collect();
    println!("hits per query: {}", hits.join(" · "));
}

/// The `p` quantile of sorted values (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn corpus_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    anyhow::ensure!(!files.is_empty(), "no .jsonl files in {paths:?}");
    Ok(files)
}

fn load(files: &[PathBuf], max_docs: Option<usize>) -> anyhow::Result<Vec<Doc>> {
    let mut docs = Vec::new();
    for file in files {
        let reader = std::io::BufReader::new(
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
        );
        for (n, line) in reader.lines().enumerate() {
            if max_docs.is_some_and(|max| docs.len() >= max) {
                return Ok(docs);
            }
            let line = line?;
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let text = value["text"].as_str().unwrap_or_default().to_string();
            if text.is_empty() {
                continue;
            }
            docs.push(Doc {
                id: value["id"]
                    .as_str()
                    .map_or_else(|| format!("{}:{n}", file.display()), str::to_string),
                title: value["title"].as_str().unwrap_or_default().to_string(),
                text,
            });
        }
    }
    Ok(docs)
}

/// Writes the loaded documents as JSON Lines, so the end-to-end stage
/// imports exactly the documents the other stages measured.
fn write_jsonl(docs: &[Doc], path: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for doc in docs {
        let record = serde_json::json!({ "id": doc.id, "title": doc.title, "text": doc.text, "kind": "news" });
        writeln!(out, "{record}")?;
    }
    out.flush()?;
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| {
            format!(", {:.0} GiB RAM", kb / 1024.0 / 1024.0)
        });
    format!("{cpu}, {cores} cores{memory}, {}", std::env::consts::OS)
}

/// Peak resident set size of this process (Linux `VmHWM`), MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
