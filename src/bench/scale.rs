//! `yuqing bench --items N`: the corpus replayed to N items (new ids, dates
//! shifted back a week per copy) through the ingest path, timed per slice
//! so growth shows; then search latency (the 20 queries, with filters and
//! facets), one `yuqing search --json` call, index size against the text,
//! and the resident memory of `yuqing run` serving the N-item data.

use super::limits::{ChildRun, run_child};
use super::{BENCH_QUERIES, Doc, percentile};
use crate::app::App;
use crate::config::Config;
use crate::index::{SearchIndex, SearchRequest, SortOrder};
use crate::model::ItemKind;
use crate::pipeline::RawItem;
use anyhow::Context;
use serde::Serialize;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Seconds in a week: by default each copy of the corpus is published over
/// a week, a week before the copy replayed before it.
const WEEK_SECS: i64 = 7 * 24 * 3600;

/// Seconds one copy of `docs` documents is spread over so that `per_day`
/// items are published a day (a week per copy when not given).
pub fn copy_secs(docs: usize, per_day: Option<u64>) -> i64 {
    match per_day {
        Some(per_day) => (docs as i64 * 86_400 / per_day.max(1) as i64).max(1),
        None => WEEK_SECS,
    }
}

/// Source names the replayed items are spread over (for filters and facets).
const SOURCES: [&str; 5] = ["weibo", "city-news", "forum", "tieba", "app"];

/// Throughput of one slice of the build.
#[derive(Debug, Clone, Serialize)]
pub struct Slice {
    /// Items in the store before this slice.
    pub items_before: usize,
    /// Items in this slice.
    pub items: usize,
    /// Wall-clock seconds (clean, analyse, SQLite + stories, index + commit).
    pub seconds: f64,
    /// Documents per second.
    pub docs_per_sec: f64,
    /// Megabytes of title + text per second.
    pub mb_per_sec: f64,
}

/// Latency of a set of searches, milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// What was timed.
    pub what: String,
    /// Searches timed.
    pub searches: usize,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
}

/// `yuqing run` on the N-item data: resident memory while it works.
#[derive(Debug, Clone, Serialize)]
pub struct RunMemory {
    /// Seconds watched.
    pub seconds: f64,
    /// Items its file source imported while watched.
    pub imported: usize,
    /// Largest resident set seen over the window, MiB (`VmRSS`).
    pub max_rss_mib: f64,
    /// Resident set at the end of the window, MiB.
    pub final_rss_mib: f64,
}

/// Everything the scale run measured.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleReport {
    /// Items in the store.
    pub items: usize,
    /// Where the data is.
    pub data_dir: PathBuf,
    /// Bytes of title + text of the items built by this run.
    pub built_text_bytes: usize,
    /// Items the replay publishes a day.
    pub per_day: f64,
    /// Per-slice ingest throughput (empty when the data was reused).
    pub slices: Vec<Slice>,
    /// MB/s over the last quarter of the full slices ÷ MB/s over the first
    /// quarter (≥ 0.8 is the target; bytes ÷ seconds over each). The index
    /// merges segments in the background every few slices, and a slice
    /// with a merge runs at about 60 %: single slices swing, a quarter of
    /// the run holds its merges. With fewer than eight full slices, the
    /// last ÷ the first.
    pub growth: Option<f64>,
    /// MB/s of the last full slice ÷ MB/s of the first.
    pub growth_last_slice: Option<f64>,
    /// Index size on disk, bytes.
    pub index_bytes: u64,
    /// SQLite size on disk (with WAL), bytes.
    pub store_bytes: u64,
    /// Title + text bytes of all N items (N ÷ corpus size × corpus bytes).
    pub text_bytes: u64,
    /// Search latencies.
    pub latency: Vec<Latency>,
    /// `yuqing search 派出所 --json` as a user runs it (median of 5).
    pub search_cli: ChildRun,
    /// `yuqing run` serving this data.
    pub run: Option<RunMemory>,
    /// Total hits of each of the 20 queries on the N-item index.
    pub query_hits: Vec<(String, usize)>,
}

/// Options of the scale run.
pub struct ScaleOptions<'a> {
    /// Items wanted.
    pub items: usize,
    /// Data directory (kept; reused when it already holds the items).
    pub dir: &'a Path,
    /// Items per timed slice.
    pub slice: usize,
    /// Seconds one copy of the corpus is published over (see [`copy_secs`]).
    pub copy_secs: i64,
    /// Seconds to watch `yuqing run` (0: skip).
    pub run_seconds: u64,
    /// Progress notes on stderr.
    pub note: &'a dyn Fn(&str),
}

/// Builds (or reuses) the N-item data and measures it.
pub fn run(
    docs: &[Doc],
    corpus_bytes: usize,
    options: &ScaleOptions<'_>,
) -> anyhow::Result<ScaleReport> {
    let note = options.note;
    let app = App::with_config(Config::default(), options.dir.join("data"));
    let mut writer = app.open_writer()?;
    let existing = writer.store.count_items()?;
    let mut slices = Vec::new();
    let mut built_text_bytes = 0;
    if existing < options.items {
        let preparer = app.preparer("bench", ItemKind::Post)?;
        let analyzer = app.analyzer()?;
        let base = chrono::Utc::now() - chrono::Duration::hours(1);
        let mut at = existing;
        while at < options.items {
            let end = (at + options.slice).min(options.items);
            let bytes: usize = (at..end)
                .map(|i| {
                    let d = &docs[i % docs.len()];
                    d.title.len() + d.text.len()
                })
                .sum();
            let records =
                (at..end).map(|i| (i + 1, Ok(replayed(docs, i, base, options.copy_secs))));
            let started = Instant::now();
            let report = crate::ingest::store_records(
                records,
                "replay",
                &preparer,
                &analyzer,
                &mut writer.store,
                Some(&writer.index),
            )?;
            let seconds = started.elapsed().as_secs_f64();
            anyhow::ensure!(
                report.failed.is_empty(),
                "replayed records were rejected: {:?}",
                &report.failed[..report.failed.len().min(3)]
            );
            slices.push(Slice {
                items_before: at,
                items: end - at,
                seconds,
                docs_per_sec: (end - at) as f64 / seconds,
                mb_per_sec: bytes as f64 / 1e6 / seconds,
            });
            built_text_bytes += bytes;
            note(&format!(
                "built {end} items: last slice {:.0} docs/s, {:.2} MB/s, peak RSS {:.0} MiB",
                (end - at) as f64 / seconds,
                bytes as f64 / 1e6 / seconds,
                super::peak_rss_mib()
            ));
            at = end;
        }
    }
    let items = writer.store.count_items()?;
    // The last slice of full size (a short tail holds other texts).
    let full = slices
        .iter()
        .filter(|s| s.items == options.slice)
        .collect::<Vec<_>>();
    let growth_last_slice = match (full.first(), full.last()) {
        (Some(first), Some(last)) if full.len() > 1 => Some(last.mb_per_sec / first.mb_per_sec),
        _ => None,
    };
    // Bytes ÷ seconds over a run of slices (all full, so bytes per slice agree).
    let rate = |run: &[&Slice]| {
        run.iter().map(|s| s.mb_per_sec * s.seconds).sum::<f64>()
            / run.iter().map(|s| s.seconds).sum::<f64>()
    };
    let quarter = full.len() / 4;
    let growth = if quarter >= 2 {
        Some(rate(&full[full.len() - quarter..]) / rate(&full[..quarter]))
    } else {
        growth_last_slice
    };
    let index = &writer.index;
    let (latency, query_hits) = latencies(index)?;
    note("searched");
    drop(writer);
    let data = options.dir.join("data");
    let mut cli_runs = (0..5)
        .map(|_| {
            run_child(&[
                OsStr::new("--data"),
                data.as_os_str(),
                OsStr::new("search"),
                OsStr::new("派出所"),
                OsStr::new("--json"),
            ])
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    cli_runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let search_cli = cli_runs[2].clone();
    note("timed `yuqing search --json`");
    let run = if options.run_seconds > 0 {
        let memory = run_memory(options.dir, docs, Duration::from_secs(options.run_seconds))?;
        note("watched `yuqing run`");
        Some(memory)
    } else {
        None
    };
    Ok(ScaleReport {
        items,
        data_dir: options.dir.to_path_buf(),
        built_text_bytes,
        per_day: docs.len() as f64 * 86_400.0 / options.copy_secs as f64,
        slices,
        growth,
        growth_last_slice,
        index_bytes: dir_size(&data.join("index")),
        store_bytes: dir_size(&data)
            .saturating_sub(dir_size(&data.join("index")))
            .saturating_sub(dir_size(&data.join("outbox"))),
        text_bytes: (items as f64 / docs.len() as f64 * corpus_bytes as f64) as u64,
        latency,
        search_cli,
        run,
        query_hits,
    })
}

/// The `i`-th replayed item: copy `i / n` of document `i % n`, published
/// that many spans of `copy_secs` before `base`, spread evenly over its span.
fn replayed(
    docs: &[Doc],
    i: usize,
    base: chrono::DateTime<chrono::Utc>,
    copy_secs: i64,
) -> RawItem {
    let n = docs.len();
    let (copy, doc) = (i / n, &docs[i % n]);
    let within = (i % n) as i64 * copy_secs / n as i64;
    let published = base - chrono::Duration::seconds(copy as i64 * copy_secs + within);
    RawItem {
        id: Some(format!("r{copy}-{}", doc.id)),
        source: Some(SOURCES[i % SOURCES.len()].to_string()),
        kind: Some(if i.is_multiple_of(3) { "news" } else { "post" }.to_string()),
        title: Some(doc.title.clone()),
        text: Some(doc.text.clone()),
        published_at: Some(published.to_rfc3339()),
        ..RawItem::default()
    }
}

/// Total hits per query.
type QueryHits = Vec<(String, usize)>;

/// Makes the `n`-th request of a timed set from the `n`-th query.
type MakeRequest<'a> = Box<dyn Fn(usize, &str) -> SearchRequest + 'a>;

/// The 20 queries alone, with a filter each, with facets, and facet
/// counts over the whole index; one warm-up pass, then 5 timed passes.
fn latencies(index: &SearchIndex) -> anyhow::Result<(Vec<Latency>, QueryHits)> {
    let now = chrono::Utc::now();
    let filtered = |n: usize, query: &str| {
        let mut request = SearchRequest::new(query);
        match n % 5 {
            0 => request.kind = Some(ItemKind::News),
            1 => request.flagged = Some(false),
            2 => request.from = Some(now - chrono::Duration::days(30)),
            3 => request.source = Some(SOURCES[n % SOURCES.len()].to_string()),
            _ => request.sort = SortOrder::Time,
        }
        request
    };
    let sets: [(&str, MakeRequest<'_>); 4] = [
        (
            "20 queries, top 10 with snippets",
            Box::new(|_, q: &str| SearchRequest::new(q)),
        ),
        (
            "20 queries + a filter each (kind, flagged, last 30 days, source, newest first)",
            Box::new(filtered),
        ),
        (
            "20 queries with facet counts (kind, source, category, unit, topic)",
            Box::new(|_, q: &str| {
                let mut request = SearchRequest::new(q);
                request.facets = true;
                request
            }),
        ),
        (
            "facet counts over the whole index (empty query, all items)",
            Box::new(|_, _: &str| {
                let mut request = SearchRequest::new("");
                request.facets = true;
                request
            }),
        ),
    ];
    let mut hits = Vec::new();
    for query in BENCH_QUERIES {
        hits.push((
            query.to_string(),
            index.search(&SearchRequest::new(query))?.total,
        ));
    }
    let mut out = Vec::new();
    for (what, make) in &sets {
        let requests: Vec<SearchRequest> = BENCH_QUERIES
            .iter()
            .enumerate()
            .map(|(n, q)| make(n, q))
            .collect();
        for request in &requests {
            index.search(request)?;
        }
        let mut times = Vec::new();
        for _ in 0..5 {
            for request in &requests {
                let started = Instant::now();
                index.search(request)?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        out.push(Latency {
            what: what.to_string(),
            searches: times.len(),
            p50_ms: percentile(&times, 0.5),
            p95_ms: percentile(&times, 0.95),
        });
    }
    Ok((out, hits))
}

/// Starts `yuqing run` on the data with a file source (200 new items
/// waiting in its folder) and the web server, and samples its resident
/// memory every 250 ms for `window`.
fn run_memory(dir: &Path, docs: &[Doc], window: Duration) -> anyhow::Result<RunMemory> {
    use std::io::Write;
    let drops = dir.join("drops");
    std::fs::create_dir_all(&drops)?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(drops.join("live.jsonl"))?);
    for (n, doc) in docs.iter().take(200).enumerate() {
        let record =
            serde_json::json!({ "id": format!("live-{n}"), "title": doc.title, "text": doc.text });
        writeln!(file, "{record}")?;
    }
    file.flush()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let config = dir.join("run.toml");
    std::fs::write(
        &config,
        format!(
            "[[sources]]\nname = \"drops\"\nkind = \"file\"\npath = {:?}\nschedule = \"*/10 * * * * *\"\n\n[server]\naddr = \"127.0.0.1:{port}\"\n",
            drops.join("*.jsonl").display().to_string()
        ),
    )?;
    let data = dir.join("data");
    let before = crate::store::Store::open_read_only(&data.join("yuqing.db"))?.count_items()?;
    let exe = std::env::current_exe()?;
    let mut child = std::process::Command::new(exe)
        .arg("--config")
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .args(["run", "--now"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting `yuqing run`")?;
    let status = PathBuf::from(format!("/proc/{}/status", child.id()));
    let started = Instant::now();
    let mut max_rss = 0.0f64;
    let mut last_rss = 0.0;
    while started.elapsed() < window {
        std::thread::sleep(Duration::from_millis(250));
        if let Ok(Some(exit)) = child.try_wait() {
            anyhow::bail!("`yuqing run` stopped early: {exit}");
        }
        if let Some(rss) = std::fs::read_to_string(&status)
            .ok()
            .and_then(|s| status_mib(&s, "VmRSS:"))
        {
            max_rss = max_rss.max(rss);
            last_rss = rss;
        }
    }
    // SAFETY: a signal to our own child; SIGTERM stops the scheduler cleanly.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    child.wait()?;
    let after = crate::store::Store::open_read_only(&data.join("yuqing.db"))?.count_items()?;
    Ok(RunMemory {
        seconds: window.as_secs_f64(),
        imported: after.saturating_sub(before),
        max_rss_mib: max_rss,
        final_rss_mib: last_rss,
    })
}

/// A `Vm…:` line of `/proc/PID/status`, MiB.
fn status_mib(status: &str, key: &str) -> Option<f64> {
    super::limits::status_kib(status, key).map(|kib| kib / 1024.0)
}

/// Bytes of the files under `path`.
pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map_or(0, |m| m.len());
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}
