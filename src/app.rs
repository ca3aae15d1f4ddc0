//! Builds the stages from the configuration: the only module that sees
//! everything. Commands ask it for what they need (a store and index to
//! write, a searcher, a preparer) instead of reading config themselves.

use crate::config::{self, Config, ConfigError};
use crate::datadir::{DataDir, DataDirLock};
use crate::index::SearchIndex;
use crate::model::ItemKind;
use crate::pipeline::Preparer;
use crate::store::Store;
use crate::text::{AuthorHasher, Dictionaries, Normalizer, Segmenter};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// A loaded configuration and the data directory it points to.
#[derive(Debug, Clone)]
pub struct App {
    /// The effective configuration.
    pub config: Config,
    /// The file it came from (`None`: built-in defaults).
    pub config_path: Option<PathBuf>,
    /// The data directory.
    pub data: DataDir,
}

/// Everything a writing command needs, with the data directory locked.
pub struct Writer {
    /// Held until the command ends.
    pub lock: DataDirLock,
    /// The item store.
    pub store: Store,
    /// The search index.
    pub index: SearchIndex,
}

impl App {
    /// Loads the configuration (`--config`, `$YUQING_CONFIG` or the default
    /// path; built-in defaults when the default file is absent) and applies
    /// a `--data` override.
    pub fn load(config_arg: Option<&Path>, data_arg: Option<&Path>) -> Result<App, ConfigError> {
        let (path, explicit) = config::resolve_path(config_arg);
        let (config, config_path) = if explicit || path.exists() {
            (Config::load(&path)?, Some(path))
        } else {
            tracing::debug!(path = %path.display(), "no config file: using built-in defaults");
            (Config::default(), None)
        };
        let data_dir = data_arg
            .map(Path::to_path_buf)
            .unwrap_or_else(|| config.storage.data_dir.clone());
        Ok(App {
            data: DataDir::new(data_dir),
            config,
            config_path,
        })
    }

    /// An app over `data_dir` with the given config (tests, demo, bench).
    pub fn with_config(config: Config, data_dir: impl Into<PathBuf>) -> App {
        App {
            data: DataDir::new(data_dir),
            config,
            config_path: None,
        }
    }

    /// The segmenter for the configured dictionaries (built once per process
    /// for the embedded ones).
    pub fn segmenter(&self) -> anyhow::Result<Segmenter> {
        match &self.config.text.dictionary_dir {
            None => Ok(Segmenter::embedded()),
            Some(dir) => {
                let dictionaries = Dictionaries::load_dir(dir).with_context(|| {
                    format!(
                        "loading dictionaries from {} ([text] dictionary_dir)",
                        dir.display()
                    )
                })?;
                Ok(Segmenter::new(&dictionaries))
            }
        }
    }

    /// The analyser (complaint detector, sentiment, units, keywords).
    pub fn analyzer(&self) -> anyhow::Result<crate::analyze::Analyzer> {
        let segmenter = self.segmenter()?;
        let analyzer = match &self.config.text.dictionary_dir {
            None => crate::analyze::Analyzer::new(segmenter.clone()),
            Some(dir) => {
                crate::analyze::Analyzer::from_dir(segmenter.clone(), dir).with_context(|| {
                    format!(
                        "loading lexicons from {} ([text] dictionary_dir)",
                        dir.display()
                    )
                })?
            }
        };
        let topics = crate::analyze::topics::Topics::compile(&self.config.topics, &segmenter)
            .map_err(|(index, error)| anyhow::anyhow!("[[topics]] #{}: {error}", index + 1))?;
        Ok(analyzer.with_topics(topics))
    }

    /// Locks the data directory and opens store and index for writing.
    pub fn open_writer(&self) -> anyhow::Result<Writer> {
        let lock = self.data.lock()?;
        let store = Store::open(&self.data.db_path())?;
        let path = self.data.index_path();
        let index = match SearchIndex::open(&path, self.segmenter()?) {
            Err(crate::index::IndexError::SchemaChanged { .. }) => {
                // The index is derived: an older layout is set aside and
                // rebuilt from the store by the next catch-up.
                tracing::warn!(index = %path.display(), "index built by an older yuqing: rebuilding it from the store");
                std::fs::remove_dir_all(&path)
                    .with_context(|| format!("removing the outdated index {}", path.display()))?;
                SearchIndex::open(&path, self.segmenter()?)?
            }
            other => other?,
        };
        let index = index.with_texts(self.data.db_path());
        Ok(Writer { lock, store, index })
    }

    /// Opens the index for searching (no lock: readers never block writers).
    pub fn open_index(&self) -> anyhow::Result<SearchIndex> {
        if !self.data.exists() {
            anyhow::bail!(
                "no data in {}: import items first (`yuqing ingest FILE` or `yuqing demo`), or point --data at a data directory",
                self.data.root().display()
            );
        }
        Ok(
            SearchIndex::open(&self.data.index_path(), self.segmenter()?)?
                .with_texts(self.data.db_path()),
        )
    }

    /// The record preparer: normaliser, author hashing, time zone, defaults.
    pub fn preparer(
        &self,
        default_source: &str,
        default_kind: ItemKind,
    ) -> anyhow::Result<Preparer> {
        self.data.create()?;
        let authors = AuthorHasher::from_env_or_data_dir(
            &self.config.privacy.author_key_env,
            self.data.root(),
        )?;
        Ok(Preparer::new(
            Normalizer::from_config(&self.config.text),
            authors,
            self.config.timezone(),
            default_source,
            default_kind,
        ))
    }
}
