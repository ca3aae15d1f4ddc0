//! The project's dictionaries are data, not code: `dictionaries/*.txt`, one
//! entry a line, `#` comments. They are compiled into the binary (so it runs
//! anywhere) and can be replaced at run time with `[text] dictionary_dir`.
//! A fingerprint of their contents tells the index when it must be rebuilt.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Police / public-security domain words: `WORD FREQ POS`.
pub const POLICE_FILE: &str = "police.txt";
/// Stopwords: one word a line.
pub const STOPWORDS_FILE: &str = "stopwords.txt";
/// Optional extra user words (same format as `police.txt`).
pub const USER_FILE: &str = "user.txt";

const EMBEDDED_POLICE: &str = include_str!("../../dictionaries/police.txt");
const EMBEDDED_STOPWORDS: &str = include_str!("../../dictionaries/stopwords.txt");

/// A dictionary that cannot be used.
#[derive(Debug, Error)]
pub enum DictionaryError {
    /// A file could not be read.
    #[error("cannot read dictionary {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not `WORD FREQ [POS]`.
    #[error("{file}:{line}: {message}")]
    Line {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One user-dictionary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordEntry {
    /// The word.
    pub word: String,
    /// Frequency (higher keeps the word whole more often).
    pub freq: usize,
    /// Part-of-speech tag, when given.
    pub tag: Option<String>,
}

/// The dictionaries in effect, parsed.
#[derive(Debug, Clone)]
pub struct Dictionaries {
    /// Domain and user words added to jieba.
    pub words: Vec<WordEntry>,
    /// Stopwords (ignored in keywords and facets).
    pub stopwords: Vec<String>,
    /// SHA-256 (hex, 16 chars) of all dictionary contents.
    pub fingerprint: String,
}

/// Reads a dictionary file of a `[text] dictionary_dir`, without the byte
/// order mark an editor on Windows may put first (it would make the first
/// line unreadable). Line ends may be `\n` or `\r\n` (`str::lines`).
pub fn read_dictionary_file(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

impl Dictionaries {
    /// The dictionaries compiled into the binary.
    pub fn embedded() -> Dictionaries {
        Dictionaries::parse(&[(POLICE_FILE, EMBEDDED_POLICE)], EMBEDDED_STOPWORDS)
            .expect("embedded dictionaries are checked by tests")
    }

    /// Loads `police.txt`, `stopwords.txt` and, when present, `user.txt` from `dir`.
    pub fn load_dir(dir: &Path) -> Result<Dictionaries, DictionaryError> {
        let read = |name: &str| {
            let path = dir.join(name);
            read_dictionary_file(&path).map_err(|source| DictionaryError::Read { path, source })
        };
        let police = read(POLICE_FILE)?;
        let stopwords = read(STOPWORDS_FILE)?;
        let user = match read(USER_FILE) {
            Ok(text) => Some(text),
            Err(DictionaryError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                None
            }
            Err(error) => return Err(error),
        };
        let mut word_files = vec![(POLICE_FILE, police.as_str())];
        if let Some(user) = &user {
            word_files.push((USER_FILE, user.as_str()));
        }
        Dictionaries::parse(&word_files, &stopwords)
    }

    /// Loads from `dir` when given, else the embedded dictionaries.
    pub fn load(dir: Option<&Path>) -> Result<Dictionaries, DictionaryError> {
        match dir {
            Some(dir) => Dictionaries::load_dir(dir),
            None => Ok(Dictionaries::embedded()),
        }
    }

    /// Parses word files (`(name, text)`) and the stopword text.
    pub fn parse(word_files: &[(&str, &str)], stopwords: &str) -> Result<Self, DictionaryError> {
        let mut hasher = Sha256::new();
        let mut words = Vec::new();
        for (name, text) in word_files {
            hasher.update(name.as_bytes());
            hasher.update(text.as_bytes());
            for (number, line) in content_lines(text) {
                words.push(
                    parse_word_line(line).map_err(|message| DictionaryError::Line {
                        file: name.to_string(),
                        line: number,
                        message,
                    })?,
                );
            }
        }
        hasher.update(stopwords.as_bytes());
        // The rules that turn words into index tokens count too: a change
        // to them (v2: redaction placeholders are not indexed) also means
        // the index is out of date.
        hasher.update(b"segmentation rules v2");
        let stopwords = content_lines(stopwords)
            .map(|(_, line)| line.to_string())
            .collect();
        let mut fingerprint = hex::encode(hasher.finalize());
        fingerprint.truncate(16);
        Ok(Dictionaries {
            words,
            stopwords,
            fingerprint,
        })
    }
}

/// Non-empty, non-comment lines with their 1-based numbers, trimmed.
fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

fn parse_word_line(line: &str) -> Result<WordEntry, String> {
    let mut fields = line.split_whitespace();
    let word = fields.next().ok_or("empty entry")?.to_string();
    let freq = match fields.next() {
        Some(freq) => freq
            .parse::<usize>()
            .ok()
            .filter(|&f| f > 0)
            .ok_or_else(|| format!("frequency `{freq}` of `{word}` is not a positive integer"))?,
        None => return Err(format!("`{word}` has no frequency: write `WORD FREQ POS`")),
    };
    let tag = fields.next().map(str::to_string);
    if let Some(extra) = fields.next() {
        return Err(format!("unexpected fourth field `{extra}` after `{word}`"));
    }
    Ok(WordEntry { word, freq, tag })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_dictionaries_parse_and_are_large_enough() {
        let dictionaries = Dictionaries::embedded();
        assert!(
            dictionaries.words.len() >= 300,
            "{}",
            dictionaries.words.len()
        );
        assert!(dictionaries.words.iter().any(|w| w.word == "接处警"));
        assert!(dictionaries.stopwords.iter().any(|w| w == "的"));
        assert!(dictionaries.words.iter().all(|w| w.tag.is_some()));
    }

    #[test]
    fn every_dictionary_file_opens_with_a_format_comment() {
        for text in [EMBEDDED_POLICE, EMBEDDED_STOPWORDS] {
            let first = text.lines().next().unwrap_or_default();
            assert!(first.starts_with('#'), "first line: {first}");
            assert!(text.lines().take(5).any(|l| l.contains("format")));
        }
    }

    #[test]
    fn bad_line_is_named() {
        let error = Dictionaries::parse(&[("police.txt", "# c\n派出所 10 nt\n出警 many v\n")], "")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "police.txt:3: frequency `many` of `出警` is not a positive integer"
        );
    }

    #[test]
    fn fingerprint_follows_content() {
        let a = Dictionaries::parse(&[("p", "甲 1 n")], "的").unwrap();
        let b = Dictionaries::parse(&[("p", "甲 2 n")], "的").unwrap();
        assert_ne!(a.fingerprint, b.fingerprint);
    }
}
