//! The tantivy full-text index: derived from SQLite, rebuildable at any time
//! (`yuqing reindex`). Its commit payload records the last item change
//! (`seq`) it holds and the dictionary fingerprint it was built with, so a
//! crash between store and index is repaired by catching up, and a
//! dictionary change is noticed.

pub mod document;
pub mod query;
pub mod schema;
pub mod search;
pub mod snippet;
pub mod texts;
pub mod tokenizer;

pub use document::ItemDocument;
pub use schema::Fields;
pub use search::{Facets, Hit, SearchRequest, SearchResults, SortOrder};

use crate::model::{Analysis, Item};
use crate::text::Segmenter;
use crate::text::segment::DocTokens;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};
use thiserror::Error;
use tokenizer::{JiebaTokenizer, TOKENIZER_NAME};

/// Memory budget of the index writer (shared by its threads).
const WRITER_MEMORY_BYTES: usize = 64 << 20;

/// Cores to use (1 when the count is unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Segments of up to this many documents are merged; larger ones stay.
const MAX_MERGE_DOCS: usize = 50_000;

/// Tantivy's log merge policy, capped: an import's writer (one thread,
/// 64 MB) closes segments of about 10,000 documents, eight of them merge
/// into one of ~80,000, and that one is not merged again. With the default
/// cap (10 M documents) merges went on to ~640,000-document segments,
/// tantivy's merge thread took a core from ~300,000 items on, and import
/// throughput fell to 40 % by 600,000 items (BENCHMARKS.md). Searches
/// visit ~13 segments per million items; a segment with a third of its
/// documents deleted is merged whatever its size class, and `purge`
/// compacts explicitly.
fn merge_policy() -> tantivy::merge_policy::LogMergePolicy {
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MAX_MERGE_DOCS);
    policy.set_del_docs_ratio_before_merge(0.33);
    policy
}

/// An index operation that failed.
#[derive(Debug, Error)]
pub enum IndexError {
    /// Another process holds the index writer.
    #[error("index {path} is locked by another yuqing process: wait for it to finish, or stop it")]
    Locked {
        /// The index directory.
        path: PathBuf,
    },
    /// The index on disk was built with another schema (an older yuqing).
    #[error("index {path} was built by another version of yuqing: run `yuqing reindex`")]
    SchemaChanged {
        /// The index directory.
        path: PathBuf,
    },
    /// The index could not be opened or created.
    #[error(
        "cannot open index {path}: {source} (it is derived data: delete the folder and run `yuqing reindex`)"
    )]
    Open {
        /// The index directory.
        path: PathBuf,
        /// The tantivy error.
        source: tantivy::TantivyError,
    },
    /// An operation on an open index failed.
    #[error("index error while {action}: {source}")]
    Tantivy {
        /// What was being done.
        action: &'static str,
        /// The tantivy error.
        source: tantivy::TantivyError,
    },
    /// The query is not valid.
    #[error(transparent)]
    Query(#[from] query::QueryError),
    /// A thread for index work could not be started.
    #[error(
        "cannot start a thread for {action}: {source} (the system is short of threads or memory)"
    )]
    Thread {
        /// What the thread was for.
        action: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
}

pub(crate) trait IndexContext<T> {
    fn during(self, action: &'static str) -> Result<T, IndexError>;
}

impl<T> IndexContext<T> for tantivy::Result<T> {
    fn during(self, action: &'static str) -> Result<T, IndexError> {
        self.map_err(|source| IndexError::Tantivy { action, source })
    }
}

/// What the last index commit covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    /// Highest item `seq` included.
    pub seq: i64,
    /// Fingerprint of the dictionaries the index was built with.
    pub dictionaries: String,
}

/// The search index.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    segmenter: Segmenter,
    path: PathBuf,
    texts: Option<std::sync::Arc<texts::TextSource>>,
}

impl SearchIndex {
    /// The same index, cutting snippets from the bodies in the SQLite
    /// database at `db` (without it, hits have no snippet).
    pub fn with_texts(mut self, db: PathBuf) -> SearchIndex {
        self.texts = Some(std::sync::Arc::new(texts::TextSource::new(db)));
        self
    }

    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path, segmenter: Segmenter) -> Result<SearchIndex, IndexError> {
        let open_error = |source| IndexError::Open {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| open_error(e.into()))?;
        let (schema, fields) = Fields::build();
        let directory = MmapDirectory::open(dir).map_err(|e| open_error(e.into()))?;
        let index = Index::open_or_create(directory, schema.clone()).map_err(open_error)?;
        if index.schema() != schema {
            return Err(IndexError::SchemaChanged {
                path: dir.to_path_buf(),
            });
        }
        index.tokenizers().register(
            TOKENIZER_NAME,
            tantivy::tokenizer::TextAnalyzer::builder(JiebaTokenizer::new(segmenter.clone()))
                .build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(open_error)?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            segmenter,
            path: dir.to_path_buf(),
            texts: None,
        })
    }

    /// This index with a reader that reloads by itself, within about half
    /// a second, whenever any process commits (tantivy watches the index's
    /// `meta.json`): for the web server, whose searches must see what a
    /// crawl, an import, a `reindex` or a retention purge committed since
    /// it started — a purged item must not stay searchable there.
    pub fn follow_commits(mut self) -> Result<SearchIndex, IndexError> {
        self.reader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| IndexError::Open {
                path: self.path.clone(),
                source,
            })?;
        Ok(self)
    }

    /// The schema's field handles.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    /// The tantivy schema.
    pub fn schema(&self) -> Schema {
        self.index.schema()
    }

    /// The segmenter used for documents and queries.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// What the last commit covered (default when never committed).
    pub fn watermark(&self) -> Result<Watermark, IndexError> {
        let metas = self.index.load_metas().during("reading index metadata")?;
        Ok(metas
            .payload
            .and_then(|payload| serde_json::from_str(&payload).ok())
            .unwrap_or_default())
    }

    /// Number of searchable documents (after the last reload).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Takes the index writer for documents given as text (tantivy cuts
    /// them: an indexing thread per core); fails at once with
    /// [`IndexError::Locked`] when another process holds it.
    pub fn writer(&self) -> Result<IndexBatch, IndexError> {
        self.writer_with_threads(cores())
    }

    /// Takes the index writer for documents that come with their tokens
    /// (the import path, whose analysis cut them on every core): building
    /// postings is about a quarter of an import's work, so one indexing
    /// thread per four cores. On two cores one thread imported 2–3 %
    /// faster than two (fewer threads than work to switch between, half
    /// the segments to merge) with 15 MB less memory.
    pub fn writer_for_tokens(&self) -> Result<IndexBatch, IndexError> {
        self.writer_with_threads((cores() / 4).max(1))
    }

    /// Takes the index writer with `threads` indexing threads (at most what
    /// the writer's memory budget allows).
    pub fn writer_with_threads(&self, threads: usize) -> Result<IndexBatch, IndexError> {
        // tantivy wants at least 15 MB per thread.
        let threads = threads.clamp(1, WRITER_MEMORY_BYTES / (16 << 20));
        let writer: IndexWriter<ItemDocument> = match self
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY_BYTES)
        {
            Ok(writer) => writer,
            Err(tantivy::TantivyError::LockFailure(_, _)) => {
                return Err(IndexError::Locked {
                    path: self.path.clone(),
                });
            }
            Err(source) => {
                return Err(IndexError::Tantivy {
                    action: "opening the index writer",
                    source,
                });
            }
        };
        writer.set_merge_policy(Box::new(merge_policy()));
        Ok(IndexBatch {
            writer,
            fields: self.fields,
            index: self.clone(),
        })
    }

    /// Makes the latest commit visible to searches.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload().during("reloading the index")
    }

    /// Converts an item and its analysis to an index document: its title
    /// and body from `tokens` when given, else through the tokenizer.
    pub fn document(
        &self,
        item: &Item,
        analysis: &Analysis,
        tokens: Option<DocTokens>,
    ) -> ItemDocument {
        ItemDocument::new(&self.fields, item, analysis, tokens)
    }
}

/// An open index writer: add or replace documents, then commit with a watermark.
pub struct IndexBatch {
    writer: IndexWriter<ItemDocument>,
    fields: Fields,
    index: SearchIndex,
}

impl IndexBatch {
    /// Adds `item`, replacing any document with the same id.
    pub fn upsert(&mut self, item: &Item, analysis: &Analysis) -> Result<(), IndexError> {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, &item.id));
        self.writer
            .add_document(self.index.document(item, analysis, None))
            .during("adding a document")?;
        Ok(())
    }

    /// Adds `item` indexed from the analysis's `tokens`; `replace` first
    /// deletes any document with its id (an item new to the store has
    /// none, and a delete costs a term lookup in every segment at commit).
    pub fn add_analysed(
        &mut self,
        item: &Item,
        analysis: &Analysis,
        tokens: DocTokens,
        replace: bool,
    ) -> Result<(), IndexError> {
        if replace {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &item.id));
        }
        self.writer
            .add_document(self.index.document(item, analysis, Some(tokens)))
            .during("adding a document")?;
        Ok(())
    }

    /// Removes every document published before `cutoff` (retention purge).
    pub fn delete_published_before(
        &mut self,
        cutoff: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), IndexError> {
        let term = Term::from_field_date_for_search(
            self.fields.published_at,
            tantivy::DateTime::from_timestamp_micros(cutoff.timestamp_micros()),
        );
        let query = tantivy::query::RangeQuery::new(
            std::ops::Bound::Unbounded,
            std::ops::Bound::Excluded(term),
        );
        self.writer
            .delete_query(Box::new(query))
            .during("deleting old documents")?;
        Ok(())
    }

    /// Lets the merges under way finish (at the end of a long import: a
    /// dropped writer abandons them), then releases the writer.
    pub fn finish_merges(self) -> Result<(), IndexError> {
        self.writer
            .wait_merging_threads()
            .during("finishing segment merges")
    }

    /// Merges all segments into one and deletes the old files, so that
    /// deleted documents' text is really gone from disk (after a purge);
    /// releases the writer. The merges the last commit started are let
    /// finish first: the merge policy merges a segment a third deleted at
    /// once, and an explicit merge of segments being merged fails.
    pub fn compact(self) -> Result<(), IndexError> {
        let index = self.index.clone();
        self.finish_merges()?;
        let mut batch = index.writer_with_threads(1)?;
        batch
            .writer
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let segments = index
            .index
            .searchable_segment_ids()
            .during("listing segments")?;
        if !segments.is_empty() {
            batch
                .writer
                .merge(&segments)
                .wait()
                .during("merging segments")?;
        }
        batch
            .writer
            .garbage_collect_files()
            .wait()
            .during("removing old index files")?;
        batch.finish_merges()
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&mut self) -> Result<(), IndexError> {
        self.writer
            .delete_all_documents()
            .during("clearing the index")?;
        Ok(())
    }

    /// Commits atomically together with `watermark`, and makes it searchable.
    pub fn commit(&mut self, watermark: &Watermark) -> Result<(), IndexError> {
        let payload = serde_json::to_string(watermark).expect("watermark serialises");
        let mut prepared = self.writer.prepare_commit().during("preparing a commit")?;
        prepared.set_payload(&payload);
        prepared.commit().during("committing the index")?;
        self.index.reload()
    }
}
