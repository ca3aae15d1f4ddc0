//! `yuqing ingest`: import JSON Lines or CSV items (e.g. a petition system's
//! export). Idempotent — the same ids update, never duplicate — and
//! crash-safe: every batch is committed to SQLite before the next is read,
//! and the index catches up from the store's change sequence, so a kill -9
//! followed by a re-run leaves every item there exactly once.

pub mod reader;

use crate::analyze::{AnalyzeInput, Analyzer};
use crate::dedup::story::StoryVector;
use crate::index::SearchIndex;
use crate::model::{Analysis, ItemKind};
use crate::pipeline::{
    Analysed, IndexFeed, PipelineError, Prepared, Preparer, store_items, sync_index,
};
use crate::store::{Store, UpsertOutcome};
use crate::text::RedactionCounts;
use crate::text::segment::DocTokens;
use indicatif::ProgressBar;
use reader::{Format, ReadError};
use serde::Serialize;
use std::io::{BufReader, Read};
use thiserror::Error;

/// Records stored per SQLite transaction.
pub const BATCH_SIZE: usize = 500;
/// Records stored between index commits during a long import (searches
/// see them then). Larger values did not make fewer segments (the writer's
/// memory budget closes them first) nor less merging (BENCHMARKS.md).
const INDEX_EVERY: usize = 20_000;

/// An import that could not go on.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The input as a whole is unreadable.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Store or index failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

/// A rejected input line.
#[derive(Debug, Clone, Serialize)]
pub struct LineFailure {
    /// 1-based line number.
    pub line: usize,
    /// Why it was rejected.
    pub error: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    /// Records read (good and bad).
    pub records: usize,
    /// New items.
    pub inserted: usize,
    /// Items whose content changed.
    pub updated: usize,
    /// Items already stored unchanged.
    pub unchanged: usize,
    /// Documents written to the index.
    pub indexed: usize,
    /// Personal data removed, by kind.
    pub redacted: RedactedCounts,
    /// Non-fatal warnings (unreadable dates, texts cut).
    pub warnings: usize,
    /// Records flagged as complaints about police conduct.
    pub flagged: usize,
    /// Rejected lines.
    pub failed: Vec<LineFailure>,
}

/// Redaction totals (serialisable).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct RedactedCounts {
    /// ID-card numbers.
    pub id_numbers: usize,
    /// Mobile numbers.
    pub phone_numbers: usize,
    /// Bank card numbers.
    pub bank_cards: usize,
}

impl RedactedCounts {
    fn add(&mut self, counts: RedactionCounts) {
        self.id_numbers += counts.id_numbers;
        self.phone_numbers += counts.phone_numbers;
        self.bank_cards += counts.bank_cards;
    }

    /// Adds another total to this one.
    pub fn add_counts(&mut self, other: &RedactedCounts) {
        self.id_numbers += other.id_numbers;
        self.phone_numbers += other.phone_numbers;
        self.bank_cards += other.bank_cards;
    }
}

impl IngestReport {
    fn merge(&mut self, other: IngestReport) {
        self.records += other.records;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.indexed += other.indexed;
        self.redacted.add_counts(&other.redacted);
        self.warnings += other.warnings;
        self.flagged += other.flagged;
        self.failed.extend(other.failed);
    }

    fn add(&mut self, outcome: UpsertOutcome) {
        self.inserted += outcome.inserted;
        self.updated += outcome.updated;
        self.unchanged += outcome.unchanged;
    }
}

/// A batch cleaned and analysed on all cores, ready to store.
struct ReadyBatch {
    analysed: Analysed,
    /// Records read, warnings, redactions, flagged and rejected lines.
    report: IngestReport,
}

/// A record cleaned and analysed, with its story vector and index tokens.
type Done = (Prepared, Analysis, StoryVector, DocTokens);

/// Cleans and analyses a batch of records on all cores (analysis is the
/// costly step: it segments, matches lexicons and tags keywords) and
/// computes their story vectors. Input order is kept.
fn prepare_and_analyze(
    preparer: &Preparer,
    analyzer: &Analyzer,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
    records: Vec<reader::LineResult>,
) -> ReadyBatch {
    use rayon::prelude::*;
    let done: Vec<(usize, Result<Done, String>)> = records
        .into_par_iter()
        .map(|(line, record)| {
            let prepared =
                record.and_then(|raw| preparer.prepare(raw, now).map_err(|e| e.to_string()));
            (
                line,
                prepared.map(|prepared| analyze_one(analyzer, prepared)),
            )
        })
        .collect();
    let mut report = IngestReport::default();
    let mut analysed = Analysed::default();
    for (line, result) in done {
        report.records += 1;
        match result {
            Ok((prepared, analysis, vector, tokens)) => {
                for warning in &prepared.warnings {
                    tracing::info!(file = name, line, "{warning}");
                }
                report.warnings += prepared.warnings.len();
                report.redacted.add(prepared.redactions);
                report.flagged += usize::from(analysis.flagged);
                analysed.items.push((prepared.item, analysis));
                analysed.vectors.push(vector);
                analysed.tokens.push(tokens);
            }
            Err(error) => {
                tracing::debug!(file = name, line, %error, "line rejected");
                report.failed.push(LineFailure { line, error });
            }
        }
    }
    ReadyBatch { analysed, report }
}

/// Analyses one prepared item (unit, topics) with its story vector and
/// index tokens.
fn analyze_one(analyzer: &Analyzer, mut prepared: Prepared) -> Done {
    let item = &mut prepared.item;
    let (mut analysis, vector, tokens) = analyzer.analyze_for_store(AnalyzeInput {
        text: &item.body,
        title: Some(&item.title),
        kind: Some(item.kind),
        copies: 1,
    });
    item.unit = analysis.units.first().cloned();
    if item.kind == ItemKind::Petition {
        analyzer.petition_about_police(&mut analysis, item.petition.reply_unit.as_deref());
    }
    analysis.topics = analyzer.topics_of(item, &analysis, &tokens);
    (prepared, analysis, vector, tokens)
}

/// Counts bytes read into a progress bar.
struct Counting<R> {
    inner: R,
    progress: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// Imports every record of `input` (named `name` in messages): cleaned by
/// `preparer`, analysed by `analyzer`, stored, indexed. `progress` counts
/// input bytes; pass a hidden bar when quiet.
#[allow(clippy::too_many_arguments)]
pub fn ingest<R: Read>(
    input: R,
    name: &str,
    format: Option<Format>,
    preparer: &Preparer,
    analyzer: &Analyzer,
    store: &mut Store,
    index: &SearchIndex,
    progress: ProgressBar,
) -> Result<IngestReport, IngestError> {
    let mut report = IngestReport::default();
    // Items stored by an earlier, interrupted run reach the index first.
    report.indexed += sync_index(store, index, None)?;
    let sniffed = reader::sniff(
        Counting {
            inner: input,
            progress: progress.clone(),
        },
        name,
    )?;
    let format = format.unwrap_or(sniffed.format);
    let records: Box<dyn Iterator<Item = reader::LineResult>> = match format {
        Format::Jsonl => Box::new(reader::jsonl_records(
            BufReader::new(sniffed.reader),
            sniffed.encoding,
        )),
        Format::Csv => Box::new(reader::csv_records(sniffed.reader, sniffed.encoding, name)?),
    };
    let records_report = ingest_records(records, name, preparer, analyzer, store, index)?;
    progress.finish_and_clear();
    report.merge(records_report);
    Ok(report)
}

/// Stores records that are already parsed (`(line or position, record)`),
/// e.g. a crawler's items: clean, analyse, store in batches, index.
pub fn ingest_records(
    records: impl IntoIterator<Item = reader::LineResult>,
    name: &str,
    preparer: &Preparer,
    analyzer: &Analyzer,
    store: &mut Store,
    index: &SearchIndex,
) -> Result<IngestReport, IngestError> {
    store_records(records, name, preparer, analyzer, store, Some(index))
}

/// Like [`ingest_records`], but leaves the index to a later
/// [`sync_index`] (which catches up from the store's change counter): for
/// small batches, where a commit of the index per batch would cost more
/// than the batch.
///
/// Two stages run at once: this thread reads records and has them cleaned
/// and analysed on the rayon pool, a second thread stores each analysed
/// batch (one SQLite transaction with its stories and trend counts) and
/// hands it to the index with the tokens the analysis cut ([`IndexFeed`]:
/// no text is segmented twice; its commits run beside the import). The
/// store is the serial part; overlapping it with the analysis of the next
/// batch keeps both cores busy.
pub fn store_records(
    records: impl IntoIterator<Item = reader::LineResult>,
    name: &str,
    preparer: &Preparer,
    analyzer: &Analyzer,
    store: &mut Store,
    index: Option<&SearchIndex>,
) -> Result<IngestReport, IngestError> {
    let now = chrono::Utc::now();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<ReadyBatch>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<IngestReport, IngestError> {
            let mut report = IngestReport::default();
            let mut feed = index
                .map(IndexFeed::new)
                .transpose()
                .map_err(PipelineError::from)?;
            for batch in receiver {
                report.merge(batch.report);
                let upserted = store_items(store, &batch.analysed).map_err(PipelineError::from)?;
                report.add(upserted.outcome);
                if let Some(feed) = &mut feed {
                    feed.add(batch.analysed, upserted)
                        .map_err(PipelineError::from)?;
                    if feed.pending() >= INDEX_EVERY {
                        report.indexed += feed.commit(store)?;
                    }
                }
            }
            if let Some(feed) = feed {
                report.indexed += feed.finish(store)?;
            }
            Ok(report)
        });
        let mut records = records.into_iter();
        loop {
            let chunk: Vec<reader::LineResult> = records.by_ref().take(BATCH_SIZE).collect();
            if chunk.is_empty() {
                break;
            }
            let ready = prepare_and_analyze(preparer, analyzer, name, now, chunk);
            if sender.send(ready).is_err() {
                // The writer stopped on an error; it is returned below.
                break;
            }
        }
        drop(sender);
        writer.join().expect("the ingest writer thread panicked")
    })
}
