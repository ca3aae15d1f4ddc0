//! The sentiment lexicon: `dictionaries/sentiment.txt` parsed and checked
//! (the format is in the parent module's documentation and the file's
//! header), with the look-up tables the scorer needs.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt;
use std::sync::LazyLock;

/// Largest multiplier a `degree` or `but` entry may carry.
const MAX_MULTIPLIER: f32 = 3.0;

/// What a lexicon word is; also one meaning inside a token during scoring
/// (a token may hold several: 不满意 is a negator and a sentiment word).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Class {
    /// Signed weight: positive words > 0, negative words < 0.
    Sentiment(f32),
    Negator,
    Degree(f32),
    But(f32),
}

/// A parsed sentiment lexicon.
pub struct SentimentLexicon {
    pub(super) classes: HashMap<String, Class>,
    /// pos/neg words in file order.
    pub(super) sentiment_words: Vec<String>,
    /// Longest pos/neg word in bytes (bounds token merging).
    pub(super) max_sentiment_bytes: usize,
    /// Every proper prefix of a pos/neg word: token merging goes on only
    /// while the tokens joined so far begin some entry.
    pub(super) prefixes: HashSet<Box<str>>,
    /// First characters of the pos/neg words: a token starting with none
    /// of them begins no merged entry (most tokens; this spares hashing the
    /// token to look for it among the prefixes).
    pub(super) sentiment_starts: FirstChars,
    /// First characters of the negators and degree adverbs: a token that
    /// starts with none of them has no modifier to split off (this spares
    /// a look-up per character).
    pub(super) modifier_starts: FirstChars,
}

/// The first characters of a set of words, as a bitmap over the Basic
/// Multilingual Plane (8 KB, one bit test per token). Characters beyond it
/// are reported as possible.
#[derive(Clone)]
pub(super) struct FirstChars(Box<[u64]>);

impl FirstChars {
    fn of<'a>(words: impl IntoIterator<Item = &'a str>) -> FirstChars {
        let mut bits = vec![0u64; 0x10000 / 64].into_boxed_slice();
        for c in words.into_iter().filter_map(|word| word.chars().next()) {
            let c = c as usize;
            if c < 0x10000 {
                bits[c / 64] |= 1 << (c % 64);
            }
        }
        FirstChars(bits)
    }

    /// False when no word of the set starts `token`.
    pub(super) fn may_start(&self, token: &str) -> bool {
        let Some(c) = token.chars().next() else {
            return false;
        };
        let c = c as usize;
        c >= 0x10000 || self.0[c / 64] & (1 << (c % 64)) != 0
    }
}

impl fmt::Debug for SentimentLexicon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentimentLexicon")
            .field("sentiment_words", &self.sentiment_words.len())
            .field("entries", &self.classes.len())
            .finish_non_exhaustive()
    }
}

/// A line of the lexicon that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError {
    /// 1-based line number in the lexicon text.
    pub line: usize,
    /// What is wrong with the line.
    pub message: String,
}

impl fmt::Display for LexiconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sentiment.txt:{}: {}", self.line, self.message)
    }
}

impl std::error::Error for LexiconError {}

static EMBEDDED: LazyLock<SentimentLexicon> = LazyLock::new(|| {
    SentimentLexicon::parse(include_str!("../../dictionaries/sentiment.txt"))
        .unwrap_or_else(|error| panic!("embedded sentiment lexicon: {error}"))
});

impl SentimentLexicon {
    /// Parses the file format above: `WORD TYPE WEIGHT` separated by single
    /// spaces; lines starting with `#` and blank lines are skipped. The first
    /// unusable line (unknown type, bad weight, wrong field count, a word
    /// seen before) is the error.
    pub fn parse(text: &str) -> Result<SentimentLexicon, LexiconError> {
        let mut classes = HashMap::default();
        let mut first_seen: HashMap<&str, usize> = HashMap::default();
        let mut sentiment_words = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let error = |message: String| LexiconError {
                line: line_no,
                message,
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(' ').collect();
            let [word, kind, weight] = fields[..] else {
                return Err(error(format!(
                    "expected `WORD TYPE WEIGHT` separated by single spaces, found {line:?}"
                )));
            };
            if word.is_empty() || kind.is_empty() || weight.is_empty() {
                return Err(error(format!(
                    "expected `WORD TYPE WEIGHT` separated by single spaces, found {line:?}"
                )));
            }
            if word.chars().any(char::is_whitespace) {
                return Err(error(format!("word {word:?} contains whitespace")));
            }
            let class = match kind {
                "pos" | "neg" => {
                    let value = weight
                        .parse::<u8>()
                        .ok()
                        .filter(|w| (1..=3).contains(w))
                        .ok_or_else(|| {
                            error(format!(
                                "weight of a {kind} word must be an integer 1..3, found {weight:?}"
                            ))
                        })?;
                    let value = f32::from(value);
                    Class::Sentiment(if kind == "pos" { value } else { -value })
                }
                "not" => {
                    if weight != "0" {
                        return Err(error(format!(
                            "weight of a negator must be 0, found {weight:?}"
                        )));
                    }
                    Class::Negator
                }
                "degree" | "but" => {
                    let value = weight
                        .parse::<f32>()
                        .ok()
                        .filter(|w| w.is_finite() && *w > 0.0 && *w <= MAX_MULTIPLIER)
                        .ok_or_else(|| {
                            error(format!(
                                "weight of a {kind} word must be a decimal multiplier \
                                 above 0 and at most {MAX_MULTIPLIER}, found {weight:?}"
                            ))
                        })?;
                    if kind == "degree" {
                        Class::Degree(value)
                    } else {
                        Class::But(value)
                    }
                }
                other => {
                    return Err(error(format!(
                        "unknown type {other:?} (expected pos, neg, not, degree or but)"
                    )));
                }
            };
            if let Some(first) = first_seen.insert(word, line_no) {
                return Err(error(format!(
                    "duplicate word {word:?} (first on line {first})"
                )));
            }
            if matches!(class, Class::Sentiment(_)) {
                sentiment_words.push(word.to_owned());
            }
            classes.insert(word.to_owned(), class);
        }
        let max_sentiment_bytes = sentiment_words.iter().map(String::len).max().unwrap_or(0);
        let prefixes = sentiment_words
            .iter()
            .flat_map(|word| word.char_indices().skip(1).map(|(at, _)| &word[..at]))
            .map(Box::from)
            .collect();
        let sentiment_starts = FirstChars::of(sentiment_words.iter().map(String::as_str));
        let modifier_starts = FirstChars::of(
            classes
                .iter()
                .filter(|(_, class)| matches!(class, Class::Negator | Class::Degree(_)))
                .map(|(word, _)| word.as_str()),
        );
        Ok(SentimentLexicon {
            classes,
            sentiment_words,
            max_sentiment_bytes,
            prefixes,
            sentiment_starts,
            modifier_starts,
        })
    }

    /// The lexicon compiled into the binary
    /// (`dictionaries/sentiment.txt`), parsed once.
    pub fn embedded() -> &'static SentimentLexicon {
        &EMBEDDED
    }

    /// Number of pos + neg entries.
    pub fn len(&self) -> usize {
        self.sentiment_words.len()
    }

    /// Whether the lexicon has no pos or neg entry.
    pub fn is_empty(&self) -> bool {
        self.sentiment_words.is_empty()
    }

    /// All pos/neg words, in file order (so the caller can add them to the
    /// segmenter's dictionary).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.sentiment_words.iter().map(String::as_str)
    }
}
