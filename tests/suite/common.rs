//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use yuqing::app::{App, Writer};
use yuqing::config::Config;
use yuqing::index::{SearchRequest, SearchResults};
use yuqing::model::ItemKind;

/// The `yuqing` binary, run in `dir` (no config file there: built-in defaults).
pub fn yuqing(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yuqing"));
    command
        .current_dir(dir)
        .env_remove("YUQING_CONFIG")
        .env_remove("YUQING_AUTHOR_KEY")
        .env("RUST_LOG", "warn");
    command
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("yuqing runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Writes JSON Lines, one object per record.
pub fn write_jsonl(path: &Path, records: &[serde_json::Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// A data directory under a temp dir, with the library's writer open.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub app: App,
    pub writer: Writer,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let app = App::with_config(Config::default(), dir.path().join("data"));
        let writer = app.open_writer().unwrap();
        Fixture { dir, app, writer }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Imports JSONL records through the real ingest path.
    pub fn ingest(&mut self, records: &[serde_json::Value]) -> yuqing::ingest::IngestReport {
        let text: String = records.iter().map(|r| format!("{r}\n")).collect();
        let preparer = self.app.preparer("test", ItemKind::Post).unwrap();
        let analyzer = self.app.analyzer().unwrap();
        yuqing::ingest::ingest(
            text.as_bytes(),
            "test.jsonl",
            None,
            &preparer,
            &analyzer,
            &mut self.writer.store,
            &self.writer.index,
            indicatif::ProgressBar::hidden(),
        )
        .unwrap()
    }

    pub fn search(&self, query: &str) -> SearchResults {
        let mut request = SearchRequest::new(query);
        request.limit = 100;
        self.writer.index.search(&request).unwrap()
    }

    /// Hit ids of `request`, in result order.
    pub fn request_ids(&self, request: &SearchRequest) -> Vec<String> {
        let results = self.writer.index.search(request).unwrap();
        results.hits.into_iter().map(|h| h.id).collect()
    }

    pub fn ids(&self, query: &str) -> Vec<String> {
        let mut ids: Vec<String> = self.search(query).hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        ids
    }
}

/// The check character of an 18-digit mainland ID (ISO 7064 MOD 11-2).
pub fn id_number(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

/// Completes `prefix` with a Luhn check digit.
pub fn luhn(prefix: &str) -> String {
    let digits: Vec<u32> = prefix.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    format!("{prefix}{}", (10 - sum % 10) % 10)
}
