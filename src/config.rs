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
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, Path::new("test.toml"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("data"));
        assert_eq!(config.privacy.retention_days, 365);
        assert_eq!(config.timezone(), chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn unknown_key_names_file_key_and_line() {
        let text = "[storage]\ndata_dir = \"d\"\n\n[privacy]\nretention_dyas = 3\n";
        let message = parse(text).unwrap_err().to_string();
        assert!(message.starts_with("test.toml:5:"), "{message}");
        assert!(message.contains("privacy.retention_dyas"), "{message}");
        assert!(message.contains("retention_days"), "{message}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let text = "[privacy]\nauthor_key_env = \"K\"\nretention_days = \"soon\"\n";
        let message = parse(text).unwrap_err().to_string();
        assert!(message.starts_with("test.toml:3:"), "{message}");
        assert!(message.contains("privacy.retention_days"), "{message}");
    }

    #[test]
    fn invalid_value_names_key_and_line() {
        let text = "# comment\n[schedule]\ntimezone = \"Mars/Olympus\"\n";
        let message = parse(text).unwrap_err().to_string();
        assert_eq!(
            message,
            "test.toml:3: key `schedule.timezone`: unknown time zone `Mars/Olympus`: \
             use an IANA name such as \"Asia/Shanghai\""
        );
    }

    #[test]
    fn a_key_left_out_is_placed_at_its_table_header() {
        let text = "[storage]\ndata_dir = \"d\"\n\n[[sources]]\nname = \"a\"\nkind = \"html\"\n\
                    link_selector = \"a\"\n";
        let message = parse(text).unwrap_err().to_string();
        assert_eq!(
            message,
            "test.toml:4: key `sources[0].url`: this kind of source needs `url`"
        );
        let text = "[[sources]]\nname = \"a\"\nkind = \"json\"\nurl = \"https://x.org/\"\n\
                    items_pointer = \"/list\"\n\n[sources.fields]\nid = \"/id\"\n";
        let message = parse(text).unwrap_err().to_string();
        assert!(
            message.starts_with("test.toml:7: key `sources[0].fields.body`: is required"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_required_key_is_named_with_its_table() {
        let text = "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://x.org/\"\n\n\
                    [[sources]]\nkind = \"feed\"\n";
        let message = parse(text).unwrap_err().to_string();
        assert_eq!(
            message,
            "test.toml:6:1: key `sources.name`: missing field `name`"
        );
    }

    #[test]
    fn a_bad_address_in_a_group_names_the_group() {
        let text = "[digest]\nrecipients = [\"a@example.org\"]\n\n[[digest.groups]]\n\
                    name = \"g\"\nrecipients = [\"nobody\"]\n";
        let message = parse(text).unwrap_err().to_string();
        assert!(
            message.starts_with("test.toml:6: key `digest.groups[0].recipients`: `nobody`"),
            "{message}"
        );
    }

    #[test]
    fn an_error_without_a_line_still_reads() {
        let error = ConfigError::Invalid {
            path: PathBuf::from("test.toml"),
            key: "digest.from".into(),
            line: None,
            message: "m".into(),
        };
        assert_eq!(error.to_string(), "test.toml: key `digest.from`: m");
    }

    /// QA: `min_ratio = -1`, `top = 0` and `sla_critical_hours = 0` were
    /// accepted. Each bad number is named with its line and the range.
    #[test]
    fn numbers_out_of_range_name_key_line_and_range() {
        let cases = [
            (
                "[trends]\nmin_ratio = -1\n",
                "test.toml:2: key `trends.min_ratio`: -1.0 is out of range: use a number of \
                 at least 1.0; a rise is at least the count that was expected",
            ),
            (
                "[digest]\ntop = 0\n",
                "test.toml:2: key `digest.top`: 0 is out of range: use a whole number from 1 \
                 to 100 (items)",
            ),
            (
                "[review]\nsla_high_hours = 8\nsla_critical_hours = 0\n",
                "test.toml:3: key `review.sla_critical_hours`: 0 is out of range: use a whole \
                 number from 1 to 8760 (hours)",
            ),
            (
                "[review]\npetition_reply_days = 100000\n",
                "test.toml:2: key `review.petition_reply_days`: 100000 is out of range: use a \
                 whole number from 1 to 365 (days)",
            ),
            (
                "[alerts]\nmax_per_hour = 0\n",
                "test.toml:2: key `alerts.max_per_hour`: 0 is out of range: use a whole number \
                 of at least 1 (messages); to send no alerts, set `enabled = false`",
            ),
            (
                "[trends]\nmin_z = nan\n",
                "test.toml:2: key `trends.min_z`: NaN is out of range: use a number above 0.0; \
                 it counts standard deviations above the expected count",
            ),
            (
                "[privacy]\nretention_days = 4000000000\n",
                "test.toml:2: key `privacy.retention_days`: 4000000000 is out of range: use a \
                 whole number from 1 to 36500 (days)",
            ),
            (
                "[crawl]\ntimeout_secs = 0\n",
                "test.toml:2: key `crawl.timeout_secs`: 0 is out of range: use a whole number \
                 from 1 to 3600 (seconds)",
            ),
            (
                "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://x.org/f\"\nmax_pages = 0\n",
                "test.toml:5: key `sources[0].max_pages`: 0 is out of range: use a whole \
                 number of at least 1 (pages)",
            ),
            // A key not written but out of range cannot happen (defaults
            // fit); one written as a negative whole number fails in serde,
            // and gets the range too.
            (
                "[review]\nsla_critical_hours = -1\n",
                "test.toml:2:22: key `review.sla_critical_hours`: -1 is out of range: use a \
                 whole number from 1 to 8760 (hours)",
            ),
            (
                "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://x.org/f\"\nmax_pages = -3\n",
                "test.toml:5:13: key `sources.max_pages`: -3 is out of range: use a whole \
                 number of at least 1 (pages)",
            ),
        ];
        for (text, expected) in cases {
            let message = parse(text).unwrap_err().to_string();
            assert_eq!(message, expected, "{text}");
        }
        assert!(parse("[crawl]\nper_host_delay_ms = 0\n").is_ok());
        assert!(parse("[trends]\nmin_ratio = 1\nmin_z = 0.5\n").is_ok());
    }

    /// Every number in the configuration has a range: a new numeric key
    /// without one fails here.
    #[test]
    fn every_numeric_setting_has_a_range() {
        let mut config = Config::default();
        config.sources.push(SourceConfig::template());
        let table = toml::Table::try_from(&config).unwrap();
        let mut numeric = Vec::new();
        collect_numeric_keys(&table, "", &mut numeric);
        assert!(numeric.len() >= 20, "{numeric:?}");
        let covered = ranges::covered_keys();
        for key in &numeric {
            assert!(
                covered.contains(key),
                "`{key}` has no range in config/ranges.rs"
            );
        }
    }

    fn collect_numeric_keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::Integer(_) | toml::Value::Float(_) => out.push(path),
                toml::Value::Table(inner) => collect_numeric_keys(inner, &path, out),
                toml::Value::Array(items) => {
                    for item in items {
                        if let toml::Value::Table(inner) = item {
                            collect_numeric_keys(inner, &path, out);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// QA: a bad selector gave "Unexpected error occurred. Please report
    /// this to the developer ClassNeedsIdent".
    #[test]
    fn a_bad_css_selector_names_source_key_line_and_selector() {
        let text = "[[sources]]\nname = \"city\"\nkind = \"html\"\nurl = \"https://x.org/\"\n\
                    link_selector = \"ul.news a\"\nbody_selector = \"div. content\"\n";
        let message = parse(text).unwrap_err().to_string();
        assert_eq!(
            message,
            "test.toml:6: key `sources[0].body_selector`: source `city`: `div. content` is not \
             a valid CSS selector: `.` must be followed by a class name that starts with a \
             letter, `_` or `-` (e.g. `div.content`)"
        );
        // Every kind's selectors are checked, also those it does not read.
        let feed = "[[sources]]\nname = \"f\"\nkind = \"feed\"\nurl = \"https://x.org/\"\n\
                    next_selector = \"a >\"\n";
        let message = parse(feed).unwrap_err().to_string();
        assert!(
            message.starts_with("test.toml:5: key `sources[0].next_selector`: source `f`: `a >`"),
            "{message}"
        );
        let empty = "[[sources]]\nname = \"f\"\nkind = \"feed\"\nurl = \"https://x.org/\"\n\
                     body_selector = \"\"\n";
        let message = parse(empty).unwrap_err().to_string();
        assert!(message.contains("the selector is empty"), "{message}");
    }

    /// QA: "Hours must be less than 23" (23 is allowed) and "Minutes must
    /// be between 1 and 59" (0 is allowed).
    #[test]
    fn a_bad_schedule_names_key_line_and_the_fields_range() {
        let text = "[digest]\nrecipients = []\nschedule = \"0 0 25 * * *\"\n";
        assert_eq!(
            parse(text).unwrap_err().to_string(),
            "test.toml:3: key `digest.schedule`: `0 0 25 * * *`: hour `25` is out of range: \
             hours are 0 to 23"
        );
        let text = "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://x.org/f\"\n\
                    schedule = \"0 */60 * * * *\"\n";
        assert_eq!(
            parse(text).unwrap_err().to_string(),
            "test.toml:5: key `sources[0].schedule`: `0 */60 * * * *`: the step `/60` in the \
             minutes field must be a whole number from 1 to 59"
        );
    }

    #[test]
    fn quiet_hours_give_the_hours_range() {
        let message = parse("[alerts]\nquiet_hours = \"22-24\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("test.toml:2: key `alerts.quiet_hours`: `22-24`: write two hours of the day (0 to 23)"),
            "{message}"
        );
        let message = parse("[alerts]\nquiet_hours = \"7-7\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("never quiet"), "{message}");
        assert!(parse("[alerts]\nquiet_hours = \"23-0\"\n").is_ok());
    }

    #[test]
    fn syntax_error_points_at_line() {
        let message = parse("[storage\n").unwrap_err().to_string();
        assert!(message.starts_with("test.toml:1:"), "{message}");
    }
}
