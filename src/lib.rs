//! # yuqing (舆情)
//!
//! Public-sentiment monitoring for a police public-relations / conduct-review
//! office: collect public posts, news and petitions; normalise, redact and
//! segment the Chinese text; store it (SQLite, the record) and index it
//! (tantivy, derived); flag complaints about police conduct for review.
//!
//! Data flows one way:
//!
//! ```text
//! sources → text (normalise, redact, segment) → analyse → store / index → review, alert, serve
//! ```
//!
//! | module | stage |
//! |---|---|
//! | [`config`] | TOML → validated [`config::Config`] |
//! | [`model`] | plain data: [`model::Item`], [`model::Analysis`] |
//! | [`text`] | HTML → text, NFKC, redaction, author hashing, jieba segmentation |
//! | [`source`] | the crawler's HTTP client (more source kinds to come) |
//! | [`dedup`] | canonical URLs |
//! | [`analyze`] | complaint detector, sentiment, units, keywords, evaluation |
//! | [`pipeline`] | raw record → cleaned item → store → index catch-up |
//! | [`ingest`] | JSONL / CSV import |
//! | [`store`] | SQLite: items, migrations |
//! | [`index`] | tantivy: jieba tokenizer, query language, search, snippets |
//! | [`datadir`] | the data directory and its writer lock |
//! | [`app`] | builds the stages from the config |
//! | [`cli`], [`demo`], [`mod@bench`] | commands |
//!
//! ```no_run
//! use yuqing::{app::App, config::Config, index::SearchRequest, model::ItemKind};
//! let app = App::with_config(Config::default(), "data");
//! let mut writer = app.open_writer()?;
//! let preparer = app.preparer("import", ItemKind::Post)?;
//! let analyzer = app.analyzer()?;
//! let input = std::fs::File::open("items.jsonl")?;
//! let bar = indicatif::ProgressBar::hidden();
//! yuqing::ingest::ingest(input, "items.jsonl", None, &preparer, &analyzer, &mut writer.store, &writer.index, bar)?;
//! let results = writer.index.search(&SearchRequest::new("派出所 态度"))?;
//! println!("{} hits", results.total);
//! # Ok::<(), anyhow::Error>(())
//! ```

#![warn(missing_docs)]

pub mod alert;
pub mod analyze;
pub mod app;
pub mod bench;
pub mod cli;
pub mod config;
pub mod datadir;
pub mod dedup;
pub mod demo;
pub mod index;
pub mod ingest;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod review;
pub mod schedule;
pub mod source;
pub mod store;
pub mod text;
pub mod trends;
pub mod web;
