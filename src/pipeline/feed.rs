//! An import's path into the index: each stored batch is indexed from the
//! analysis's own tokens, and commits run beside the import instead of
//! stopping it.

use super::{Analysed, PipelineError, index_from, sync_index};
use crate::index::{IndexBatch, IndexError, SearchIndex, Watermark};
use crate::store::{Store, Upserted};
use std::thread::JoinHandle;

/// Documents held back while a commit runs, at most. About a fifth of a
/// second of a two-core import: a commit of 20,000 documents takes that
/// long, and each held document keeps its tokens (some 7 KB) in memory.
const MAX_HELD_DOCS: usize = 2_500;

/// Feeds an import's items to the index as each batch is stored, indexed
/// from the analysis's own tokens, and commits with the store's change
/// sequence as the watermark. One index writer serves the whole import, so
/// its background merges complete instead of restarting with every commit.
///
/// A commit flushes the indexing thread's segment to disk, which takes a
/// core for a while (0.2 s for 20,000 documents). It runs on a thread of
/// its own: the batches stored meanwhile are held (up to 2,500
/// documents) and added once the writer is back, so the analysis and the
/// store go on instead of waiting for the disk.
///
/// The watermark may only pass items the index holds: when the batches'
/// change numbers do not follow on from the watermark (another process
/// stored items in between, or items were stored but not indexed before
/// the import), the commit catches up from the store instead.
pub struct IndexFeed<'a> {
    index: &'a SearchIndex,
    writer: Option<IndexBatch>,
    /// A commit under way: it hands the writer back.
    committing: Option<JoinHandle<Result<IndexBatch, IndexError>>>,
    /// Batches stored while a commit runs, in order, with their documents.
    held: Vec<(Analysed, Upserted)>,
    held_docs: usize,
    /// The `seq` the index is complete up to (once the commit under way,
    /// if any, is done).
    watermark: i64,
    /// The `seq` the next stored item gets when nobody else writes.
    next_seq: i64,
    /// False once a batch's numbers did not follow on.
    contiguous: bool,
    /// Documents added since the last commit.
    pending: usize,
}

impl<'a> IndexFeed<'a> {
    /// A feed into `index`, from its last commit on.
    pub fn new(index: &'a SearchIndex) -> Result<IndexFeed<'a>, IndexError> {
        let watermark = index.watermark()?.seq;
        Ok(IndexFeed {
            index,
            writer: None,
            committing: None,
            held: Vec::new(),
            held_docs: 0,
            watermark,
            next_seq: watermark + 1,
            contiguous: true,
            pending: 0,
        })
    }

    /// Documents added since the last commit (held ones not counted).
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Adds the items of `batch` that `upserted` says were written. While a
    /// commit runs they are held, unless too many already are: then this
    /// waits for the commit.
    pub fn add(&mut self, batch: Analysed, upserted: Upserted) -> Result<(), IndexError> {
        if upserted.written.iter().all(Option::is_none) {
            return Ok(());
        }
        if let Some(commit) = &self.committing
            && !commit.is_finished()
            && self.held_docs < MAX_HELD_DOCS
        {
            self.held_docs += upserted.written.iter().flatten().count();
            self.held.push((batch, upserted));
            return Ok(());
        }
        self.take_back_writer()?;
        self.add_now(batch, &upserted)
    }

    /// Waits for the commit under way, if any, and adds the batches held
    /// meanwhile.
    fn take_back_writer(&mut self) -> Result<(), IndexError> {
        let Some(commit) = self.committing.take() else {
            return Ok(());
        };
        let writer = commit
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        self.writer = Some(writer);
        self.held_docs = 0;
        for (batch, upserted) in std::mem::take(&mut self.held) {
            self.add_now(batch, &upserted)?;
        }
        Ok(())
    }

    fn add_now(&mut self, batch: Analysed, upserted: &Upserted) -> Result<(), IndexError> {
        if upserted.first_seq != self.next_seq {
            self.contiguous = false;
        }
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => self.writer.insert(self.index.writer_for_tokens()?),
        };
        let mut tokens = batch.tokens.into_iter();
        for ((item, analysis), written) in batch.items.iter().zip(&upserted.written) {
            let item_tokens = tokens.next();
            let Some((seq, new)) = *written else { continue };
            match item_tokens {
                Some(item_tokens) => writer.add_analysed(item, analysis, item_tokens, !new)?,
                None => writer.upsert(item, analysis)?,
            }
            self.next_seq = seq + 1;
            self.pending += 1;
        }
        Ok(())
    }

    /// Commits what was added; returns the documents written (those of a
    /// catch-up from the store included). The commit of batches that
    /// followed on from the watermark runs in the background: a failure
    /// comes back from a later call.
    pub fn commit(&mut self, store: &Store) -> Result<usize, PipelineError> {
        self.take_back_writer()?;
        if !self.contiguous {
            return self.commit_now(store);
        }
        Ok(self.start_commit(|| {})?)
    }

    /// Hands the writer to a thread that runs `first`, then commits;
    /// returns the documents the commit covers.
    fn start_commit(&mut self, first: impl FnOnce() + Send + 'static) -> Result<usize, IndexError> {
        let Some(mut writer) = self.writer.take() else {
            return Ok(0);
        };
        let watermark = Watermark {
            seq: self.next_seq - 1,
            dictionaries: self.index.segmenter().fingerprint().to_string(),
        };
        self.watermark = watermark.seq;
        let commit = std::thread::Builder::new()
            .name("index-commit".into())
            .spawn(move || {
                first();
                writer.commit(&watermark).map(|()| writer)
            })
            .map_err(|source| IndexError::Thread {
                action: "committing the index",
                source,
            })?;
        self.committing = Some(commit);
        Ok(std::mem::take(&mut self.pending))
    }

    /// Commits here and now, catching up from the store when the batches
    /// did not follow on.
    fn commit_now(&mut self, store: &Store) -> Result<usize, PipelineError> {
        let Some(writer) = &mut self.writer else {
            return Ok(0);
        };
        let written = if self.contiguous {
            writer.commit(&Watermark {
                seq: self.next_seq - 1,
                dictionaries: self.index.segmenter().fingerprint().to_string(),
            })?;
            self.pending
        } else {
            index_from(store, self.index, writer, self.watermark, false, None)?
        };
        self.watermark = self.index.watermark()?.seq;
        self.next_seq = self.watermark + 1;
        self.contiguous = true;
        self.pending = 0;
        Ok(written)
    }

    /// Commits, lets the merges under way finish and releases the writer;
    /// when nothing was added, catches the index up from the store.
    pub fn finish(mut self, store: &Store) -> Result<usize, PipelineError> {
        self.take_back_writer()?;
        if self.writer.is_none() {
            return sync_index(store, self.index, None);
        }
        let written = self.commit_now(store)?;
        if let Some(writer) = self.writer.take() {
            writer.finish_merges()?;
        }
        Ok(written)
    }
}

impl Drop for IndexFeed<'_> {
    /// An import that stops on an error still lets its commit finish, so
    /// the index writer's lock is free when the caller returns.
    fn drop(&mut self) {
        if let Some(commit) = self.committing.take() {
            let _ = commit.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{AnalyzeInput, Analyzer};
    use crate::model::ItemKind;
    use crate::pipeline::{Preparer, RawItem, store_items};
    use crate::text::{AuthorHasher, Normalizer, Segmenter};

    /// Items `numbers` analysed as an import would.
    fn batch(analyzer: &Analyzer, numbers: std::ops::Range<usize>) -> Analysed {
        let preparer = Preparer::new(
            Normalizer::new(false, 1 << 20),
            AuthorHasher::with_key(b"test-key-0123456789".to_vec()),
            chrono_tz::Asia::Shanghai,
            "import",
            ItemKind::Post,
        );
        let mut analysed = Analysed::default();
        for n in numbers {
            let raw = RawItem {
                id: Some(format!("item-{n}")),
                text: Some(format!("第{n}条：派出所民警接警后{n}小时才出警。")),
                ..RawItem::default()
            };
            let item = preparer.prepare(raw, chrono::Utc::now()).unwrap().item;
            let (analysis, vector, tokens) = analyzer.analyze_for_store(AnalyzeInput {
                text: &item.body,
                title: Some(&item.title),
                kind: Some(item.kind),
                copies: 1,
            });
            analysed.items.push((item, analysis));
            analysed.vectors.push(vector);
            analysed.tokens.push(tokens);
        }
        analysed
    }

    /// A store and an index in a temporary folder, and an analyser.
    fn setup() -> (tempfile::TempDir, Store, SearchIndex, Analyzer) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.db")).unwrap();
        let index = SearchIndex::open(&dir.path().join("index"), Segmenter::embedded()).unwrap();
        (dir, store, index, Analyzer::new(Segmenter::embedded()))
    }

    /// Stores items `numbers` and hands them to `feed`.
    fn store_and_feed(
        feed: &mut IndexFeed<'_>,
        store: &mut Store,
        analyzer: &Analyzer,
        numbers: std::ops::Range<usize>,
    ) {
        let analysed = batch(analyzer, numbers);
        let stored = store_items(store, &analysed).unwrap();
        feed.add(analysed, stored).unwrap();
    }

    #[test]
    fn batches_stored_during_a_commit_are_held_then_indexed() {
        let (_dir, mut store, index, analyzer) = setup();
        let mut feed = IndexFeed::new(&index).unwrap();

        store_and_feed(&mut feed, &mut store, &analyzer, 0..3);
        assert_eq!(feed.pending(), 3);
        // A commit that waits for the test's signal: it is surely under way
        // while the next batch arrives.
        let (go, gate) = std::sync::mpsc::channel::<()>();
        feed.start_commit(move || gate.recv().unwrap()).unwrap();
        assert_eq!(feed.watermark, 3);

        store_and_feed(&mut feed, &mut store, &analyzer, 3..5);
        assert_eq!(feed.held.len(), 1, "held while the commit runs");
        assert_eq!(feed.held_docs, 2);
        assert_eq!(feed.pending(), 0);
        assert_eq!(index.num_docs(), 0, "nothing committed yet");

        go.send(()).unwrap();
        assert_eq!(
            feed.finish(&store).unwrap(),
            2,
            "the held batch, committed last"
        );
        assert_eq!(index.num_docs(), 5);
        assert_eq!(index.watermark().unwrap().seq, store.max_seq().unwrap());
    }

    #[test]
    fn a_full_hold_waits_for_the_commit() {
        let (_dir, mut store, index, analyzer) = setup();
        let mut feed = IndexFeed::new(&index).unwrap();
        store_and_feed(&mut feed, &mut store, &analyzer, 0..2);
        feed.start_commit(|| std::thread::sleep(std::time::Duration::from_millis(50)))
            .unwrap();
        feed.held_docs = MAX_HELD_DOCS;

        store_and_feed(&mut feed, &mut store, &analyzer, 2..4);
        assert!(feed.committing.is_none(), "the commit was waited for");
        assert!(feed.held.is_empty());
        assert_eq!(feed.held_docs, 0);
        assert_eq!(feed.pending(), 2, "added to the writer at once");
        assert_eq!(index.num_docs(), 2, "the first batch is committed");
        assert_eq!(feed.finish(&store).unwrap(), 2);
        assert_eq!(index.num_docs(), 4);
    }
}
