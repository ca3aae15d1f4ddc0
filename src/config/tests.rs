//! Tests of the configuration: loading, validation and where errors point.
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
        message.starts_with(
            "test.toml:2: key `alerts.quiet_hours`: `22-24`: write two hours of the day (0 to 23)"
        ),
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
