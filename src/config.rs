//! Configuration: one TOML file (`config/yuqing.toml` by default), typed with
//! serde, unknown keys rejected, validated at load (no I/O in validation).
//!
//! Every error names the file, the key and the line, so an operator can go
//! straight to the mistake: `config/yuqing.toml:7:1: key `storage.data_dri`: …`.

mod locate;
mod ranges;
mod schedules;
mod sources;

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use locate::KeyPath;
pub use schedules::parse_schedule;
pub use sources::{CrawlConfig, SourceConfig, SourceKind};

/// Where the configuration is read from when nothing else is said.
pub const DEFAULT_CONFIG_PATH: &str = "config/yuqing.toml";
/// Environment variable that overrides [`DEFAULT_CONFIG_PATH`].
pub const CONFIG_ENV: &str = "YUQING_CONFIG";

/// A configuration that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not match the expected shape.
    #[error("{path}:{line}:{column}: {}{message}", key.as_ref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the mistake.
        line: usize,
        /// 1-based column of the mistake.
        column: usize,
        /// Dotted key path, when known.
        key: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A value parsed but is not acceptable.
    #[error("{path}:{} key `{key}`: {message}", line.map(|l| format!("{l}:")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Dotted key path.
        key: String,
        /// 1-based line of the key, or of the table that should hold it
        /// when the key is not written; `None` when neither is.
        line: Option<usize>,
        /// What is wrong and what to do.
        message: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the data lives.
    #[serde(default)]
    pub storage: StorageConfig,
    /// Personal-data protection.
    #[serde(default)]
    pub privacy: PrivacyConfig,
    /// Text normalisation and segmentation.
    #[serde(default)]
    pub text: TextConfig,
    /// Time zone used for schedules, for dates without an offset and for display.
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// The HTTP client of the crawlers.
    #[serde(default)]
    pub crawl: CrawlConfig,
    /// What to crawl.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceConfig>,
    /// The digest for leadership and how mail is sent.
    #[serde(default)]
    pub digest: crate::alert::DigestConfig,
    /// Immediate alerts: critical items and sharp bursts.
    #[serde(default)]
    pub alerts: crate::alert::alerts::AlertConfig,
    /// Where the web UI and API listen (`yuqing serve`; `yuqing run` serves
    /// them too when the section is present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<crate::web::ServerConfig>,
    /// When a rise is a trend.
    #[serde(default)]
    pub trends: crate::trends::TrendConfig,
    /// The review queue: deadlines, petitions without reply.
    #[serde(default)]
    pub review: crate::review::ReviewConfig,
    /// Watched topics (舆情方案): items matching a topic's query are tagged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<crate::analyze::topics::TopicConfig>,
}

/// `[storage]`: the data directory holds SQLite, the index and the outbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// Data directory, relative to the working directory (overridden by `--data`).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: default_data_dir(),
        }
    }
}

/// `[privacy]`: author handles are kept only as keyed hashes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Environment variable holding the HMAC key for author handles; when it is
    /// unset a random key is generated once into `data_dir/author.key`.
    #[serde(default = "default_author_key_env")]
    pub author_key_env: String,
    /// Items older than this many days are removed by the retention purge.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
}

fn default_author_key_env() -> String {
    "YUQING_AUTHOR_KEY".to_string()
}

fn default_retention_days() -> u32 {
    365
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            author_key_env: default_author_key_env(),
            retention_days: default_retention_days(),
        }
    }
}

/// `[text]`: normalisation and segmentation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextConfig {
    /// Convert traditional Chinese characters to simplified before storage.
    #[serde(default)]
    pub traditional_to_simplified: bool,
    /// Folder with every dictionary, laid out like the repository's
    /// `dictionaries/` (segmentation, the detector's lexicons, sentiment,
    /// units); when unset, the copies compiled into the binary are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dictionary_dir: Option<PathBuf>,
    /// Longest body kept, in bytes; longer texts are cut at a character
    /// boundary (jieba has aborted on huge inputs).
    #[serde(default = "default_max_text_bytes")]
    pub max_text_bytes: usize,
}

fn default_max_text_bytes() -> usize {
    1_048_576
}

impl Default for TextConfig {
    fn default() -> Self {
        TextConfig {
            traditional_to_simplified: false,
            dictionary_dir: None,
            max_text_bytes: default_max_text_bytes(),
        }
    }
}

/// `[schedule]`: time zone of schedules and of dates written without an offset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// IANA time-zone name.
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

fn default_timezone() -> String {
    "Asia/Shanghai".to_string()
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            timezone: default_timezone(),
        }
    }
}

impl Config {
    /// Parses and validates `text` read from `path` (used only in messages).
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            let (line, column) = locate::line_column(text, span.start);
            let message = error.message().trim().to_string();
            let key = locate::error_key(text, span, &message);
            let message = match &key {
                Some(key) => explain_number(key, message),
                None => message,
            };
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                key,
                message,
            }
        })?;
        config
            .validate()
            .map_err(|(key, message)| ConfigError::Invalid {
                path: path.to_path_buf(),
                line: key.find_line(text),
                key: key.to_string(),
                message,
            })?;
        Ok(config)
    }

    /// Reads the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text, path)
    }

    /// The time zone of `[schedule] timezone` (validated at load).
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.schedule
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// Checks values serde cannot check; returns the key at fault and why.
    fn validate(&self) -> Result<(), (KeyPath, String)> {
        if self.storage.data_dir.as_os_str().is_empty() {
            return Err((
                KeyPath::new("storage", "data_dir"),
                "must not be empty: name a directory such as \"data\"".into(),
            ));
        }
        if self.privacy.author_key_env.trim().is_empty() {
            return Err((
                KeyPath::new("privacy", "author_key_env"),
                "must name an environment variable, e.g. \"YUQING_AUTHOR_KEY\"".into(),
            ));
        }
        ranges::validate(self)?;
        sources::validate(&self.crawl, &self.sources)?;
        let digest = &self.digest;
        schedules::parse_schedule(&digest.schedule)
            .map_err(|message| (KeyPath::new("digest", "schedule"), message))?;
        if let Some(weekly) = &digest.weekly_schedule {
            schedules::parse_schedule(weekly)
                .map_err(|message| (KeyPath::new("digest", "weekly_schedule"), message))?;
        }
        check_address(&digest.from, KeyPath::new("digest", "from"))?;
        for address in &digest.recipients {
            check_address(address, KeyPath::new("digest", "recipients"))?;
        }
        for (index, group) in digest.groups.iter().enumerate() {
            for address in &group.recipients {
                check_address(
                    address,
                    KeyPath::indexed("digest.groups", index, "recipients"),
                )?;
            }
        }
        if let Some(url) = &digest.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err((
                KeyPath::new("digest", "smtp_url"),
                format!(
                    "`{url}`: use smtp://host:port (STARTTLS when offered) or smtps://host:port"
                ),
            ));
        }
        self.alerts
            .quiet()
            .map_err(|message| (KeyPath::new("alerts", "quiet_hours"), message))?;
        if let Some(server) = &self.server
            && server.addr.parse::<std::net::SocketAddr>().is_err()
        {
            return Err((
                KeyPath::new("server", "addr"),
                format!(
                    "`{}` is not an address: write e.g. \"127.0.0.1:8080\"",
                    server.addr
                ),
            ));
        }
        let mut topic_names = std::collections::HashSet::new();
        for (index, topic) in self.topics.iter().enumerate() {
            let key = |name: &str| KeyPath::indexed("topics", index, name);
            if topic.name.trim().is_empty()
                || topic.name.chars().any(|c| c.is_whitespace() || c == ':')
            {
                return Err((
                    key("name"),
                    format!(
                        "`{}` cannot be a topic name: it must be non-empty, without spaces or `:` (it is searched as topic:NAME)",
                        topic.name
                    ),
                ));
            }
            if !topic_names.insert(topic.name.as_str()) {
                return Err((
                    key("name"),
                    format!("two topics are named `{}`", topic.name),
                ));
            }
            if let Err(error) = crate::index::query::parse(&topic.query) {
                return Err((key("query"), error.to_string()));
            }
        }
        if self.schedule.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                KeyPath::new("schedule", "timezone"),
                format!(
                    "unknown time zone `{}`: use an IANA name such as \"Asia/Shanghai\"",
                    self.schedule.timezone
                ),
            ));
        }
        Ok(())
    }
}

/// serde's words for a number its type cannot hold (`invalid value:
/// integer `-1`, expected u32`) replaced by the setting's range.
fn explain_number(key: &str, message: String) -> String {
    let Some(number) = message
        .strip_prefix("invalid value: integer `")
        .and_then(|rest| rest.split('`').next())
    else {
        return message;
    };
    match ranges::allowed(key) {
        Some(allowed) => format!("{number} is out of range: use {allowed}"),
        None => message,
    }
}

/// An e-mail address, or the error naming `key`.
fn check_address(address: &str, key: KeyPath) -> Result<(), (KeyPath, String)> {
    match address.parse::<lettre::Address>() {
        Ok(_) => Ok(()),
        Err(_) => Err((
            key,
            format!("`{address}` is not an e-mail address: write e.g. \"leader@example.gov.cn\""),
        )),
    }
}

/// Which config file to read: `--config`, else `$YUQING_CONFIG`, else the default.
/// Returns the path and whether it was asked for explicitly (a missing
/// explicit file is an error; a missing default means built-in defaults).
pub fn resolve_path(cli: Option<&Path>) -> (PathBuf, bool) {
    if let Some(path) = cli {
        return (path.to_path_buf(), true);
    }
    match std::env::var_os(CONFIG_ENV) {
        Some(path) if !path.is_empty() => (PathBuf::from(path), true),
        _ => (PathBuf::from(DEFAULT_CONFIG_PATH), false),
    }
}

#[cfg(test)]
mod tests;
