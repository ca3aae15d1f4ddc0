//! The shipped configs load; a wrong key is reported with file, key and line.

use super::common::{run, yuqing};
use std::path::Path;
use yuqing::config::Config;

fn manifest(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn default_and_example_configs_load() {
    Config::load(&manifest("config/yuqing.toml")).unwrap();
    Config::load(&manifest("config/example.toml")).unwrap();
}

/// Every key of the configuration appears in the example, set or commented.
#[test]
fn example_config_documents_every_key() {
    let example = std::fs::read_to_string(manifest("config/example.toml")).unwrap();
    let mut config = Config::default();
    config.text.dictionary_dir = Some("dictionaries".into());
    let table: toml::Table = toml::from_str(&toml::to_string(&config).unwrap()).unwrap();
    for (section, value) in &table {
        assert!(
            example.contains(&format!("[{section}]")),
            "section [{section}] missing"
        );
        for key in value.as_table().unwrap().keys() {
            let written = example.lines().any(|line| {
                let line = line.trim_start_matches(['#', ' ']);
                line.starts_with(&format!("{key} =")) || line.starts_with(&format!("{key}="))
            });
            assert!(written, "key {section}.{key} is not in config/example.toml");
        }
    }
}

#[test]
fn wrong_key_fixture_names_file_key_and_line() {
    let path = manifest("tests/data/bad-key.toml");
    let message = Config::load(&path).unwrap_err().to_string();
    assert!(message.contains("bad-key.toml:7:1"), "{message}");
    assert!(
        message.contains("key `privacy.retention_dayz`"),
        "{message}"
    );
    assert!(
        message.contains("expected `author_key_env` or `retention_days`"),
        "{message}"
    );
}

#[test]
fn config_check_exits_2_on_a_bad_config_and_0_on_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = manifest("tests/data/bad-key.toml");
    let (code, _, stderr) = run(yuqing(dir.path())
        .arg("--config")
        .arg(&bad)
        .args(["config", "check"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("retention_dayz"), "{stderr}");

    let (code, stdout, stderr) = run(yuqing(dir.path())
        .arg("--config")
        .arg(manifest("config/example.toml"))
        .args(["config", "check", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["config"]["schedule"]["timezone"], "Asia/Shanghai");

    // Any command refuses a bad config with exit code 2.
    let (code, _, stderr) = run(yuqing(dir.path())
        .arg("--config")
        .arg(&bad)
        .args(["search", "民警"]));
    assert_eq!(code, 2, "{stderr}");
    let missing = dir.path().join("missing.toml");
    let (code, _, stderr) = run(yuqing(dir.path())
        .arg("--config")
        .arg(&missing)
        .args(["search", "x"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

/// `[text] dictionary_dir` reads every dictionary from a folder; the repo's
/// own folder gives the same results as the copies compiled in.
#[test]
fn dictionary_dir_loads_all_dictionaries() {
    let mut config = Config::default();
    config.text.dictionary_dir = Some(manifest("dictionaries"));
    let dir = tempfile::tempdir().unwrap();
    let app = yuqing::app::App::with_config(config, dir.path().join("data"));
    let from_dir = app.analyzer().unwrap();
    let embedded = yuqing::analyze::Analyzer::new(yuqing::text::Segmenter::embedded());
    let input = yuqing::analyze::AnalyzeInput {
        text: "我报警三次，城关派出所一直没人出警，民警态度还很差。",
        ..Default::default()
    };
    assert_eq!(from_dir.analyze(input), embedded.analyze(input));
    assert!(from_dir.analyze(input).flagged);

    let mut broken = Config::default();
    broken.text.dictionary_dir = Some(dir.path().join("missing"));
    let app = yuqing::app::App::with_config(broken, dir.path().join("data"));
    let error = format!("{:#}", app.analyzer().unwrap_err());
    assert!(error.contains("dictionary_dir"), "{error}");
}

/// A copy of the dictionaries with `units.txt` edited: the analyser reads
/// the edit (a unit suffix the shipped vocabulary lacks), and a broken line
/// is named by file and line.
#[test]
fn an_edited_unit_vocabulary_is_used_and_a_broken_one_named() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("dictionaries");
    copy_dir(&manifest("dictionaries"), &copy);
    let text = "我去城南治安岗亭求助，城南治安岗亭的民警推诿说不归他们管。";
    let analyzer_of = |dictionaries: &Path| {
        let mut config = Config::default();
        config.text.dictionary_dir = Some(dictionaries.to_path_buf());
        yuqing::app::App::with_config(config, dir.path().join("data")).analyzer()
    };
    let input = yuqing::analyze::AnalyzeInput {
        text,
        ..Default::default()
    };
    let shipped = analyzer_of(&copy).unwrap().analyze(input);
    assert!(shipped.units.is_empty(), "{:?}", shipped.units);

    let units = copy.join("units.txt");
    let mut vocabulary = std::fs::read_to_string(&units).unwrap();
    vocabulary.push_str("suffix 治安岗亭 post named\n");
    std::fs::write(&units, &vocabulary).unwrap();
    let edited = analyzer_of(&copy).unwrap().analyze(input);
    assert_eq!(edited.units, ["城南治安岗亭"]);

    // Saved by a Windows editor: a byte order mark and CRLF line ends, in
    // this file and in the detector's; both still read.
    for name in ["units.txt", "detector_words.txt"] {
        let path = copy.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    }
    let windows = analyzer_of(&copy).unwrap().analyze(input);
    assert_eq!(windows, edited);
    let vocabulary = vocabulary.replace('\n', "\r\n");

    let vocabulary = format!("{vocabulary}suffix 警务岗 hut named\r\n");
    std::fs::write(&units, &vocabulary).unwrap();
    let error = format!("{:#}", analyzer_of(&copy).unwrap_err());
    let line = vocabulary.lines().count();
    assert!(
        error.contains(&format!("units.txt:{line}: unknown rank \"hut\""))
            && error.contains("dictionary_dir"),
        "{error}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The shipped `config/yuqing.toml` with `extra` appended, in a temp dir;
/// returns the dir, the file and the 1-based line `extra` starts on.
/// `yuqing --config PATH config check` run in `dir`.
fn config_check(dir: &tempfile::TempDir, path: &std::path::Path) -> (i32, String, String) {
    run(yuqing(dir.path())
        .arg("--config")
        .arg(path)
        .args(["config", "check"]))
}

fn shipped_config_plus(extra: &str) -> (tempfile::TempDir, std::path::PathBuf, usize) {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(manifest("config/yuqing.toml")).unwrap();
    let shipped = format!("{}\n", shipped.trim_end());
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, format!("{shipped}{extra}")).unwrap();
    let first_line = shipped.lines().count() + 1;
    (dir, path, first_line)
}

/// QA: a source without `url` was reported as "srcnourl.toml:key …", with
/// no line: a key left out is now placed at its table's header.
#[test]
fn a_source_without_url_is_reported_at_its_header_line() {
    let (_dir, path, first) = shipped_config_plus(
        "[[sources]]\nname = \"city\"\nkind = \"feed\"\nurl = \"https://news.example.org/rss.xml\"\n\n\
         [[sources]]\nname = \"nourl\"\nkind = \"html\"\nlink_selector = \"a\"\n",
    );
    let message = Config::load(&path).unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "{}:{}: key `sources[1].url`: this kind of source needs `url`",
            path.display(),
            first + 5
        )
    );
}

/// QA: `min_ratio = -1`, `top = 0` and `sla_critical_hours = 0` were
/// accepted by `config check`; each is refused with file, key, line and range.
#[test]
fn config_check_refuses_numbers_out_of_range() {
    let cases = [
        (
            "[trends]\nmin_ratio = -1\n",
            "trends.min_ratio",
            "a number of at least 1.0",
        ),
        (
            "[digest]\ntop = 0\n",
            "digest.top",
            "a whole number from 1 to 100",
        ),
        (
            "[review]\nsla_critical_hours = 0\n",
            "review.sla_critical_hours",
            "a whole number from 1 to 8760 (hours)",
        ),
    ];
    for (extra, key, range) in cases {
        let (dir, path, first) = shipped_config_plus(extra);
        let (code, _, stderr) = config_check(&dir, &path);
        assert_eq!(code, 2, "{stderr}");
        let expected = format!("{}:{}: key `{key}`: ", path.display(), first + 1);
        assert!(
            stderr.contains(&expected)
                && stderr.contains("is out of range")
                && stderr.contains(range),
            "{stderr}"
        );
    }
}

/// QA: a bad CSS selector in a source gave "Unexpected error occurred.
/// Please report this to the developer ClassNeedsIdent".
#[test]
fn config_check_explains_a_bad_css_selector() {
    let (dir, path, first) = shipped_config_plus(
        "[[sources]]\nname = \"city-news\"\nkind = \"html\"\nurl = \"https://news.example.org/\"\nlink_selector = \"ul.news a\"\ntitle_selector = \"h1.:title\"\n",
    );
    let (code, _, stderr) = config_check(&dir, &path);
    assert_eq!(code, 2, "{stderr}");
    let expected = format!(
        "{}:{}: key `sources[0].title_selector`: source `city-news`: `h1.:title` is not a valid CSS selector: `.` must be followed by a class name",
        path.display(),
        first + 5
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("report this"), "{stderr}");
}

/// QA: `config check` said "Hours must be less than 23" and "Minutes must
/// be between 1 and 59": wrong ranges, from the cron crate.
#[test]
fn config_check_gives_a_schedules_real_ranges() {
    let cases = [
        (
            "[digest]\nschedule = \"0 0 24 * * *\"\n",
            "key `digest.schedule`: `0 0 24 * * *`: hour `24` is out of range: hours are 0 to 23",
        ),
        (
            "[digest]\nweekly_schedule = \"0 60 8 * * Mon\"\n",
            "key `digest.weekly_schedule`: `0 60 8 * * Mon`: minute `60` is out of range: minutes are 0 to 59",
        ),
    ];
    for (extra, expected) in cases {
        let (dir, path, first) = shipped_config_plus(extra);
        let (code, _, stderr) = config_check(&dir, &path);
        assert_eq!(code, 2, "{stderr}");
        let expected = format!("{}:{}: {expected}", path.display(), first + 1);
        assert!(stderr.contains(&expected), "{stderr}");
        assert!(!stderr.contains("less than"), "{stderr}");
    }
}

/// QA: `config check --data X` printed `data_dir = "data"`, not the data
/// directory actually used.
#[test]
fn config_check_shows_the_data_dir_given_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(yuqing(dir.path())
        .arg("--config")
        .arg(manifest("config/yuqing.toml"))
        .args(["--data", "elsewhere", "config", "check"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("data_dir = \"elsewhere\""), "{stdout}");
    assert!(!stdout.contains("data_dir = \"data\""), "{stdout}");
    assert!(stderr.contains("--data elsewhere"), "{stderr}");

    let (code, stdout, stderr) = run(yuqing(dir.path())
        .arg("--config")
        .arg(manifest("config/yuqing.toml"))
        .args(["--data", "elsewhere", "config", "check", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["config"]["storage"]["data_dir"], "elsewhere");

    // Without --data, the file's value.
    let (_, stdout, _) = run(yuqing(dir.path())
        .arg("--config")
        .arg(manifest("config/yuqing.toml"))
        .args(["config", "check"]));
    assert!(stdout.contains("data_dir = \"data\""), "{stdout}");
}
