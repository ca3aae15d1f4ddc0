//! What the pipeline is measured against besides the peers: raw jieba-rs
//! on all cores (the segmentation limit), the floor of segmenting and
//! indexing alone, `yuqing ingest` run as a user
//! runs it (start-up included, its own peak memory), `yuqing search --json`
//! as one call, and pathological documents.

use crate::app::App;
use crate::config::Config;
use crate::dedup::story::StoryVector;
use crate::index::SearchIndex;
use crate::model::ItemKind;
use crate::pipeline::RawItem;
use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Raw jieba-rs as the crate comes (its default dictionary, precise mode
/// with HMM, like the peers' segmentation) over every title and text, on
/// all cores: the limit the issue measures ingest against. Returns the
/// wall time and the number of tokens.
pub fn raw_jieba_all_cores(texts: &[(String, String)]) -> (Duration, usize) {
    let jieba = jieba_rs::Jieba::new();
    // One pass to fault the dictionary's pages in, like any warm process.
    for (t, b) in texts.iter().take(200) {
        std::hint::black_box((jieba.cut(t, true), jieba.cut(b, true)));
    }
    let started = Instant::now();
    let tokens: usize = texts
        .par_iter()
        .map(|(t, b)| jieba.cut(t, true).len() + jieba.cut(b, true).len())
        .sum();
    (started.elapsed(), tokens)
}

/// The least work any pipeline with yuqing's index does: each text cut
/// once with our dictionaries (search-mode tokens, on all cores) and its
/// postings built by tantivy (positions kept, an indexing thread per
/// core), then one commit. No cleaning, analysis, SQLite or dedup. Its throughput is
/// the ceiling of `yuqing ingest` on this machine; returns the wall time.
pub fn segment_and_index_floor(
    texts: &[(String, String)],
    segmenter: &crate::text::Segmenter,
    dir: &Path,
) -> anyhow::Result<Duration> {
    const CHUNK: usize = 2_000;
    let index = SearchIndex::open(dir, segmenter.clone())?;
    // An indexing thread per core: with nothing else to do, postings are
    // most of the work.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut writer = index.writer_with_threads(threads)?;
    let now = chrono::Utc::now();
    let analysis = crate::model::Analysis::default();
    let started = Instant::now();
    for (n, chunk) in texts.chunks(CHUNK).enumerate() {
        // The indexing thread builds the previous chunk's postings while
        // the rayon workers cut this one.
        let tokens: Vec<crate::text::segment::DocTokens> = chunk
            .par_iter()
            .map(|(title, text)| crate::text::segment::DocTokens::of(segmenter, title, text))
            .collect();
        for (i, ((title, text), tokens)) in chunk.iter().zip(tokens).enumerate() {
            let item = bench_item(format!("floor-{}", n * CHUNK + i), title, text, now);
            writer.add_analysed(&item, &analysis, tokens, false)?;
        }
    }
    writer.commit(&Default::default())?;
    Ok(started.elapsed())
}

/// An item of the benchmark's corpus, as the index stages see it.
pub fn bench_item(
    id: String,
    title: &str,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::model::Item {
    crate::model::Item {
        id,
        source: "bench".into(),
        kind: ItemKind::News,
        url: None,
        title: title.to_string(),
        body: text.to_string(),
        author: None,
        published_at: now,
        fetched_at: now,
        unit: None,
        region: None,
        petition: Default::default(),
        content_hash: String::new(),
    }
}

/// A child `yuqing` process: wall time and its own peak resident memory.
#[derive(Debug, Clone, Serialize)]
pub struct ChildRun {
    /// Wall-clock seconds from spawn to exit.
    pub seconds: f64,
    /// Peak resident set size of the child, MiB (its `VmHWM`).
    pub peak_rss_mib: f64,
}

/// Runs this binary with `args` (output discarded) and measures it. The
/// peak is the child's `VmHWM`, read every 5 ms until it exits: `ru_maxrss`
/// would report this (large) process's memory, which a spawned child
/// inherits as its high-water mark until it execs.
pub fn run_child(args: &[&std::ffi::OsStr]) -> anyhow::Result<ChildRun> {
    let exe = std::env::current_exe().context("locating the yuqing binary")?;
    let started = Instant::now();
    let mut child = Command::new(&exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0.0f64;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(hwm) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| status_kib(&s, "VmHWM:"))
        {
            peak_kib = peak_kib.max(hwm);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        status.success(),
        "`yuqing {}` failed ({status})",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(ChildRun {
        seconds,
        peak_rss_mib: peak_kib / 1024.0,
    })
}

/// A `Vm…:` line of `/proc/PID/status`, KiB.
pub fn status_kib(status: &str, key: &str) -> Option<f64> {
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
}

/// How one pathological document went through clean → analyse → index.
#[derive(Debug, Clone, Serialize)]
pub struct Pathological {
    /// What the document is.
    pub document: String,
    /// Its size, bytes.
    pub bytes: usize,
    /// `[text] max_text_bytes` of the run.
    pub max_text_bytes: usize,
    /// Bytes kept after cleaning (the body stored and indexed; the analysis
    /// reads at most its first 1 MiB).
    pub kept_bytes: usize,
    /// Seconds to clean, analyse (with story vector) and index + commit it.
    pub seconds: f64,
    /// Seconds of search-mode segmentation of the whole document, uncapped
    /// (what the index tokenizer would do with a larger `max_text_bytes`).
    pub segment_all_seconds: f64,
}

/// Documents of 3 MB: one repeated character; one unbroken run of Chinese
/// (the Han characters of `han_source`, punctuation and spaces dropped,
/// repeated); pseudo-random CJK ideographs.
pub fn pathological(han_source: &str, scratch: &Path) -> anyhow::Result<Vec<Pathological>> {
    const BYTES: usize = 3_000_000;
    let mut run: String = String::with_capacity(BYTES + 4);
    let han: Vec<char> = han_source
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .take(200_000)
        .collect();
    if !han.is_empty() {
        while run.len() < BYTES {
            run.extend(han.iter().take((BYTES - run.len()) / 3 + 1));
        }
    }
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let random: String = (0..BYTES / 3)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from_u32(0x4E00 + (seed % 0x51A5) as u32).unwrap_or('一')
        })
        .collect();
    let documents = [
        (
            "one character repeated (警 × 1,000,000)",
            "警".repeat(BYTES / 3),
        ),
        (
            "one unbroken run of Chinese (the corpus's Han characters, no punctuation)",
            run,
        ),
        ("pseudo-random CJK ideographs, no punctuation", random),
    ];
    let mut out = Vec::new();
    // The default keeps 1 MiB of a body; the second run keeps all 3 MB.
    for max_text_bytes in [Config::default().text.max_text_bytes, 4_000_000] {
        let mut config = Config::default();
        config.text.max_text_bytes = max_text_bytes;
        let app = App::with_config(config, scratch.join("pathological"));
        let preparer = app.preparer("bench", ItemKind::Post)?;
        let analyzer = app.analyzer()?;
        let index = SearchIndex::open(
            &scratch.join(format!("pathological-index-{max_text_bytes}")),
            analyzer.segmenter().clone(),
        )?;
        for (n, (document, text)) in documents.iter().enumerate() {
            if !text.is_empty() {
                let run = Run {
                    preparer: &preparer,
                    analyzer: &analyzer,
                    index: &index,
                    max_text_bytes,
                };
                out.push(run.document(n, document, text)?);
            }
        }
    }
    Ok(out)
}

/// One configuration the pathological documents go through.
struct Run<'a> {
    preparer: &'a crate::pipeline::Preparer,
    analyzer: &'a crate::analyze::Analyzer,
    index: &'a SearchIndex,
    max_text_bytes: usize,
}

impl Run<'_> {
    /// Cleans, analyses and indexes one document, timed; then segments all
    /// of it in search mode, timed.
    fn document(&self, n: usize, document: &str, text: &str) -> anyhow::Result<Pathological> {
        let started = Instant::now();
        let prepared = self
            .preparer
            .prepare(
                RawItem {
                    id: Some(format!("pathological-{n}")),
                    text: Some(text.to_string()),
                    ..RawItem::default()
                },
                chrono::Utc::now(),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let item = prepared.item;
        let (analysis, vector, tokens): (_, StoryVector, _) =
            self.analyzer
                .analyze_for_store(crate::analyze::AnalyzeInput {
                    text: &item.body,
                    title: Some(&item.title),
                    kind: Some(item.kind),
                    copies: 1,
                });
        let mut writer = self.index.writer()?;
        writer.add_analysed(&item, &analysis, tokens, true)?;
        writer.commit(&Default::default())?;
        let seconds = started.elapsed().as_secs_f64();
        drop(vector);
        let started = Instant::now();
        let mut tokens = 0usize;
        self.analyzer
            .segmenter()
            .for_each_search_token(text, |_| tokens += 1);
        Ok(Pathological {
            document: document.to_string(),
            bytes: text.len(),
            max_text_bytes: self.max_text_bytes,
            kept_bytes: item.body.len(),
            seconds,
            segment_all_seconds: started.elapsed().as_secs_f64(),
        })
    }
}
