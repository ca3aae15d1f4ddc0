//! Story vectors: what an item is about, as weighted words, so that copies
//! of one story — reposts (`转发：…`), rewordings, the news report of the
//! same event — can be grouped however they were written.
//!
//! The design card suggested SimHash with a small Hamming distance. On our
//! own demo stories (reposts rewritten in repost style) SimHash over jieba
//! words put copies of one story a median 23 of 64 bits apart, no closer
//! than unrelated items: it finds byte-level near-copies only. A weighted
//! word vector with cosine similarity finds rewordings too:
//!
//! * words are jieba's search-mode tokens (so `烤红薯` also gives `红薯`),
//!   two characters or more, without stopwords or bare numbers;
//! * a word weighs `(1 + ln tf) × information`, where information is the
//!   word's self-information under jieba's unigram model, `ln(N / freq)`:
//!   rare words (`红薯`, a street name jieba does not know) weigh much more
//!   than common ones. Unlike a corpus IDF it needs no state and does not
//!   drift as items arrive. Words of the project's own dictionaries
//!   (`派出所`, `民警` …) are common *here* whatever jieba thinks, so they
//!   weigh half;
//! * the vector keeps its [`MAX_TERMS`] heaviest words, L2-normalised.
//!
//! Two items belong to one story when their cosine similarity reaches
//! [`SAME_STORY`] and they were published within [`WINDOW_SECS`] of each
//! other (see `store::stories` for the single-pass clustering).
//! Measured on the demo set's labelled stories: every copy of all four
//! stories lands in its story; the other pairs grouped are the same event
//! told by a newspaper and a post (pairwise precision 0.83 against labels
//! that only mark the four stories).

use crate::text::Segmenter;
use crate::text::segment::{DocTokens, is_letter};
use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::hash::Hasher as _;

/// Words kept per vector.
pub const MAX_TERMS: usize = 32;
/// Cosine similarity from which two items are copies of one story.
pub const SAME_STORY: f32 = 0.35;
/// Copies of one story are published at most this far apart (72 h) from
/// the nearest other copy.
pub const WINDOW_SECS: i64 = 72 * 3600;
/// Total word count of jieba's bundled dictionary (the unigram model's N).
const MODEL_TOTAL: f64 = 60_101_967.0;
/// Weight factor of words from the project's own dictionaries.
const DOMAIN_FACTOR: f32 = 0.5;
/// Per-thread memo of word information (cleared when it grows past this).
const MEMO_LIMIT: usize = 200_000;

thread_local! {
    /// Per word: its information, and whether the project's dictionaries hold it.
    /// Keyed by a 64-bit hash of the word, not the word: a lookup then
    /// touches one table slot, not also the key's bytes elsewhere on the
    /// heap (the string-keyed memo cost 4 % of an import). Two words
    /// sharing a hash would share a weight; among the memo's at most
    /// 200,000 words the odds are about 1 in 10^9.
    static INFORMATION: RefCell<HashMap<u64, (f32, bool)>> = RefCell::new(HashMap::default());
}

/// An item's heaviest words with their weights, heaviest first, L2-normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoryVector {
    /// `(word, weight)`, heaviest first.
    pub terms: Vec<(String, f32)>,
}

impl StoryVector {
    /// The vector of an item's title and body (segments them).
    pub fn of(segmenter: &Segmenter, title: &str, body: &str) -> StoryVector {
        let tokens = DocTokens::of(segmenter, title, body);
        StoryVector::from_tokens(segmenter, tokens.words())
    }

    /// The vector of an item's index tokens ([`DocTokens`]: lowercased
    /// words and, as jieba's search mode gives them, the dictionary words
    /// of two and three characters inside them, so 烤红薯 also counts 红薯),
    /// so the text is not segmented again.
    pub fn from_tokens<'a>(
        segmenter: &Segmenter,
        tokens: impl IntoIterator<Item = &'a str>,
    ) -> StoryVector {
        let mut counts: HashMap<&'a str, u32> = HashMap::default();
        for token in tokens {
            if token.chars().nth(1).is_none()
                || !token.chars().any(is_letter)
                || segmenter.is_stopword(token)
            {
                continue;
            }
            *counts.entry(token).or_default() += 1;
        }
        let mut terms: Vec<(&str, f32)> = counts
            .into_iter()
            .map(|(word, tf)| {
                let (information, domain) = word_facts(segmenter, word);
                let mut weight = (1.0 + (tf as f32).ln()) * information;
                if domain {
                    weight *= DOMAIN_FACTOR;
                }
                (word, weight)
            })
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        terms.truncate(MAX_TERMS);
        let norm = terms.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        let terms = terms
            .into_iter()
            .map(|(word, w)| (word.to_string(), if norm > 0.0 { w / norm } else { w }))
            .collect();
        StoryVector { terms }
    }

    /// True when the item has no usable words (it then forms its own story).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Cosine similarity with `other` (both are normalised).
    pub fn similarity(&self, other: &StoryVector) -> f32 {
        let (short, long) = if self.terms.len() <= other.terms.len() {
            (self, other)
        } else {
            (other, self)
        };
        short
            .terms
            .iter()
            .filter_map(|(word, w)| {
                long.terms
                    .iter()
                    .find(|(other, _)| other == word)
                    .map(|(_, v)| w * v)
            })
            .sum()
    }

    /// The stored form: one `word<TAB>weight` per line.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(self.terms.len() * 12);
        for (word, weight) in &self.terms {
            out.push_str(word);
            out.push('\t');
            // Four decimals, written as an integer part and a fraction:
            // `format!("{:.4}")` takes the slow exact-formatting path.
            let scaled = stored_weight(*weight);
            let _ = write!(out, "{}.{:04}", scaled / 10_000, scaled % 10_000);
            out.push('\n');
        }
        out
    }

    /// Reads [`StoryVector::encode`]'s form (weights of [`stored_weight`]
    /// ten-thousandths); malformed lines are skipped.
    pub fn decode(stored: &str) -> StoryVector {
        let terms = stored
            .lines()
            .filter_map(|line| {
                let (word, weight) = line.split_once('\t')?;
                Some((word.to_string(), weight.parse().ok()?))
            })
            .collect();
        StoryVector { terms }
    }
}

/// A weight as stored: in ten-thousandths, rounded (what
/// [`StoryVector::encode`] writes).
pub fn stored_weight(weight: f32) -> u64 {
    (f64::from(weight) * 1e4).round().max(0.0) as u64
}

/// Self-information of `word` under jieba's unigram model, `ln(N / freq)`,
/// at least 1. A word jieba does not know gets the product of its parts'
/// probabilities (jieba's own `suggest_freq`), so a new name is informative.
pub fn information(segmenter: &Segmenter, word: &str) -> f32 {
    word_facts(segmenter, word).0
}

/// [`information`] and [`Segmenter::is_dictionary_word`] of `word`,
/// memoised per thread (one lookup for both).
fn word_facts(segmenter: &Segmenter, word: &str) -> (f32, bool) {
    let key = {
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(word.as_bytes());
        hasher.finish()
    };
    INFORMATION.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(&known) = memo.get(&key) {
            return known;
        }
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        let freq = segmenter.jieba().suggest_freq(word).max(1) as f64;
        let facts = (
            (MODEL_TOTAL / freq).ln().max(1.0) as f32,
            segmenter.is_dictionary_word(word),
        );
        memo.insert(key, facts);
        facts
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(title: &str, body: &str) -> StoryVector {
        StoryVector::of(&Segmenter::embedded(), title, body)
    }

    #[test]
    fn rare_words_outweigh_common_ones() {
        let v = vector(
            "",
            "今天我们在东湖路夜市看见一个卖烤红薯的大爷，大家都说很好。",
        );
        let weight = |w: &str| v.terms.iter().find(|(t, _)| t == w).map(|(_, x)| *x);
        assert!(
            weight("红薯").unwrap() > weight("大家").unwrap_or(0.0),
            "{v:?}"
        );
        assert!(weight("我们").is_none(), "stopwords dropped: {v:?}");
        let norm: f32 = v.terms.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-4);
    }

    #[test]
    fn a_reworded_repost_is_similar_and_another_event_is_not() {
        let original = vector(
            "夜市推人",
            "昨晚九点多在江滨路夜市，一个民警把卖炒栗子的阿婆推倒在地，推车都翻了，栗子撒了一地。",
        );
        let repost = vector(
            "转发",
            "转发：江滨路夜市民警推倒卖炒栗子的阿婆，推车翻了栗子撒一地。——太过分了，求个说法。",
        );
        let other = vector(
            "办证难",
            "去出入境窗口办护照，排了三个小时的队，工作人员说材料不全让我下周再来。",
        );
        let same = original.similarity(&repost);
        let different = original.similarity(&other);
        assert!(same >= SAME_STORY, "repost similarity {same}");
        assert!(
            different < SAME_STORY / 2.0,
            "unrelated similarity {different}"
        );
        assert!((original.similarity(&original) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn encoding_round_trips_and_empty_text_gives_an_empty_vector() {
        let v = vector("标题", "城关派出所门口的早餐摊搬走了，附近居民很不习惯。");
        let back = StoryVector::decode(&v.encode());
        assert_eq!(back.terms.len(), v.terms.len());
        assert!((back.similarity(&v) - 1.0).abs() < 1e-3);
        assert!(vector("", "……！！ 123 456").is_empty());
    }
}
