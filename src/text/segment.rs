//! Chinese word segmentation: jieba-rs with the project's dictionaries, built
//! once and shared (`Arc`): a Jieba instance costs ~0.15 s and ~30 MB, and
//! tantivy clones tokenizers on every lookup.
//!
//! Two views of a text: [`Segmenter::cut`] gives non-overlapping words (for
//! queries, snippets, keywords); [`Segmenter::for_each_search_token`] gives
//! search-mode tokens for the index: every word plus the 2- and 3-character
//! dictionary words inside it, all at the word's position, so that 派出所 is
//! found as a word and by its parts while phrase queries over whole words
//! still line up. The index's tokens ([`IndexToken`]) are the search-mode
//! tokens of the folded text ([`crate::text::fold`]), lowercased; an import
//! derives them from the analysis's own words and packs them into one text
//! per field ([`DocTokens`], [`crate::text::packed`]), so each text is
//! segmented once.

use crate::text::Dictionaries;
use crate::text::packed::PackedTokens;
use jieba_rs::Jieba;
use rustc_hash::FxHashSet;
use std::sync::{Arc, LazyLock};

/// Texts longer than this are segmented only up to it: jieba-rs has aborted
/// on a 250 MB input (jieba-rs#124). Stored texts are capped far lower by
/// `[text] max_text_bytes`; this guards every other caller.
pub const MAX_SEGMENT_BYTES: usize = 16 << 20;

/// The part of speech of a redaction placeholder (`[手机号]`, `[身份证]`,
/// `[银行卡]`), which segmentation gives as one word: the placeholder is
/// the pipeline's mark, not the author's words, so it is neither indexed
/// nor a keyword nor a word of a story vector. (Cut into 手机号, it made
/// unrelated petitions that each gave a phone number look like copies of
/// one story, and 手机号 a rising keyword.)
pub const REDACTED_TAG: &str = "redacted";

/// What [`crate::text::redact`] writes in place of personal numbers.
const PLACEHOLDERS: [&str; 3] = [
    crate::text::redact::ID_PLACEHOLDER,
    crate::text::redact::PHONE_PLACEHOLDER,
    crate::text::redact::BANK_CARD_PLACEHOLDER,
];

/// A search-mode token: a word or a dictionary word inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchToken<'a> {
    /// The token text as written (not lowercased).
    pub word: &'a str,
    /// Byte offset of its first byte in the text.
    pub byte_start: usize,
    /// Byte offset one past its last byte.
    pub byte_end: usize,
    /// Word position (sub-words share their word's position).
    pub position: usize,
}

/// A word from [`Segmenter::cut`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written.
    pub text: &'a str,
    /// Byte offset of its first byte.
    pub byte_start: usize,
    /// Byte offset one past its last byte.
    pub byte_end: usize,
    /// Part of speech from [`Segmenter::tag`] (`""` from [`Segmenter::cut`]).
    pub tag: &'a str,
}

/// Jieba plus the project's dictionaries; cheap to clone.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
    stopwords: Arc<FxHashSet<String>>,
    dictionary_words: Arc<FxHashSet<String>>,
    fingerprint: Arc<str>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

static EMBEDDED: LazyLock<Segmenter> = LazyLock::new(|| Segmenter::new(&Dictionaries::embedded()));

impl Segmenter {
    /// Builds jieba with its default dictionary plus `dictionaries`.
    pub fn new(dictionaries: &Dictionaries) -> Segmenter {
        let mut jieba = Jieba::new();
        for entry in &dictionaries.words {
            jieba.add_word(&entry.word, Some(entry.freq), entry.tag.as_deref());
        }
        Segmenter {
            jieba: Arc::new(jieba),
            stopwords: Arc::new(dictionaries.stopwords.iter().cloned().collect()),
            dictionary_words: Arc::new(
                dictionaries
                    .words
                    .iter()
                    .map(|e| e.word.to_lowercase())
                    .collect(),
            ),
            fingerprint: dictionaries.fingerprint.as_str().into(),
        }
    }

    /// The segmenter with the embedded dictionaries, built once per process.
    pub fn embedded() -> Segmenter {
        EMBEDDED.clone()
    }

    /// Fingerprint of the dictionaries (changes mean: reindex).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The underlying jieba instance.
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// True for a stopword.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// True for a word of the project's own dictionaries (`police.txt` …):
    /// domain vocabulary, common in this corpus whatever jieba's counts say.
    pub fn is_dictionary_word(&self, word: &str) -> bool {
        self.dictionary_words.contains(word)
    }

    /// Non-overlapping words with HMM new-word discovery, including
    /// punctuation and whitespace tokens.
    pub fn cut<'a>(&self, text: &'a str) -> Vec<Word<'a>> {
        let text = capped(text);
        let mut words = self
            .jieba
            .cut(text, true)
            .into_iter()
            .map(|token| Word {
                text: token.word,
                byte_start: token.byte_start,
                byte_end: token.byte_end,
                tag: "",
            })
            .collect();
        join_placeholders(text, &mut words);
        words
    }

    /// [`Segmenter::cut`] with jieba's part-of-speech tags (the same words:
    /// tagging looks each word up after the same segmentation).
    pub fn tag<'a>(&'a self, text: &'a str) -> Vec<Word<'a>> {
        let text = capped(text);
        let mut words = self
            .jieba
            .tag(text, true)
            .into_iter()
            .map(|token| Word {
                text: token.word,
                byte_start: token.byte_start,
                byte_end: token.byte_end,
                tag: token.tag,
            })
            .collect();
        join_placeholders(text, &mut words);
        words
    }

    /// The searchable words of a query text: folded like the index
    /// ([`crate::text::fold`]), [`Segmenter::cut`] without punctuation or
    /// whitespace, lowercased.
    pub fn query_words(&self, text: &str) -> Vec<String> {
        let folded = crate::text::fold::fold(text);
        self.cut(&folded)
            .into_iter()
            .filter(|word| is_word(word.text))
            .map(|word| lowercase(word.text))
            .collect()
    }

    /// Calls `emit` for every search-mode token of `text`, ordered by
    /// (start, end) within each word. Punctuation and whitespace produce no
    /// token but do take a position, so a phrase does not match across them.
    /// The text is taken as it is: the index folds it first
    /// ([`Segmenter::index_tokens`]).
    pub fn for_each_search_token<'a>(&self, text: &'a str, emit: impl FnMut(SearchToken<'a>)) {
        self.for_each_search_token_of(&self.cut(text), emit);
    }

    /// [`Segmenter::for_each_search_token`] from a segmentation already
    /// made ([`Segmenter::cut`] or [`Segmenter::tag`] of the same text, which
    /// give the same words): the analysis hands its words to the index so
    /// that each text is segmented once.
    pub fn for_each_search_token_of<'a>(
        &self,
        words: &[Word<'a>],
        mut emit: impl FnMut(SearchToken<'a>),
    ) {
        let mut grams: Vec<SearchToken<'a>> = Vec::new();
        let mut offsets: Vec<usize> = Vec::new();
        for (position, word) in words.iter().enumerate() {
            if !is_word(word.text) || word.tag == REDACTED_TAG {
                continue;
            }
            let whole = SearchToken {
                word: word.text,
                byte_start: word.byte_start,
                byte_end: word.byte_end,
                position,
            };
            offsets.clear();
            offsets.extend(word.text.char_indices().map(|(at, _)| at));
            let chars = offsets.len();
            if chars <= 2 {
                emit(whole);
                continue;
            }
            offsets.push(word.text.len());
            grams.clear();
            for len in [2, 3] {
                if chars <= len {
                    continue;
                }
                for i in 0..=chars - len {
                    let gram = &word.text[offsets[i]..offsets[i + len]];
                    if self.jieba.has_word(gram) {
                        grams.push(SearchToken {
                            word: gram,
                            byte_start: word.byte_start + offsets[i],
                            byte_end: word.byte_start + offsets[i + len],
                            position,
                        });
                    }
                }
            }
            grams.push(whole);
            grams.sort_by_key(|t| (t.byte_start, t.byte_end));
            grams.iter().for_each(|t| emit(*t));
        }
    }

    /// The index's tokens of `text`: folded ([`crate::text::fold`]), then
    /// search mode, lowercased; byte ranges are in the folded text.
    pub fn index_tokens(&self, text: &str) -> Vec<IndexToken> {
        let folded = crate::text::fold::fold(capped(text));
        let mut tokens = Vec::new();
        self.for_each_search_token(&folded, |token| tokens.push(IndexToken::from(token)));
        tokens
    }

    /// [`Segmenter::index_tokens`], packed ([`PackedTokens`]).
    pub fn pack_index_tokens(&self, text: &str) -> PackedTokens {
        let folded = crate::text::fold::fold(capped(text));
        // About a token (sub-words included) per 4 bytes of Chinese.
        let mut tokens = PackedTokens::with_capacity(folded.len() / 4);
        self.for_each_search_token(&folded, |token| {
            tokens.push_lowercase(token.position, token.word)
        });
        tokens
    }

    /// [`Segmenter::pack_index_tokens`] from the words of the folded text.
    pub fn pack_index_tokens_of(&self, words: &[Word<'_>]) -> PackedTokens {
        let mut tokens = PackedTokens::with_capacity(words.len() + words.len() / 4);
        self.for_each_search_token_of(words, |token| {
            tokens.push_lowercase(token.position, token.word)
        });
        tokens
    }
}

/// A search token as the index's tokenizer gives it: lowercased, owned,
/// with its byte range in the folded text it was cut from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexToken {
    /// The token, lowercased.
    pub text: String,
    /// Byte offset of its first byte in the folded text.
    pub byte_start: usize,
    /// Byte offset one past its last byte.
    pub byte_end: usize,
    /// Word position (sub-words share their word's position).
    pub position: usize,
}

impl From<SearchToken<'_>> for IndexToken {
    fn from(token: SearchToken<'_>) -> IndexToken {
        IndexToken {
            text: lowercase(token.word),
            byte_start: token.byte_start,
            byte_end: token.byte_end,
            position: token.position,
        }
    }
}

/// The index tokens of an item's title and body, made by the analysis from
/// its own segmentation and handed on to the story vector, the topic
/// matcher and the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocTokens {
    /// Tokens of the title.
    pub title: PackedTokens,
    /// Tokens of the body.
    pub body: PackedTokens,
}

impl DocTokens {
    /// The tokens of `title` and `body`, segmented here.
    pub fn of(segmenter: &Segmenter, title: &str, body: &str) -> DocTokens {
        DocTokens {
            title: segmenter.pack_index_tokens(title),
            body: segmenter.pack_index_tokens(body),
        }
    }

    /// Every token of the title, then of the body.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.title
            .iter()
            .chain(self.body.iter())
            .map(|(_, word)| word)
    }
}

/// True for a CJK character (radicals to unified ideographs): no case, so
/// no look at the Unicode case tables is needed.
pub fn is_caseless_cjk(c: char) -> bool {
    ('\u{2E80}'..='\u{9FFF}').contains(&c)
}

/// `word` lowercased; CJK and ASCII (the bulk of the text) without the
/// Unicode case tables.
pub fn lowercase(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii() || is_caseless_cjk(c)) {
        word.to_ascii_lowercase()
    } else {
        word.to_lowercase()
    }
}

/// True for a CJK unified ideograph (every one is a letter).
fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// `c.is_alphabetic()`, with ASCII and CJK ideographs (the bulk of the
/// text) answered without the Unicode tables.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        is_han(c) || (!is_common_punctuation(c) && c.is_alphabetic())
    }
}

/// `c.is_alphanumeric()`, the same way as [`is_letter`].
pub fn is_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_han(c) || (!is_common_punctuation(c) && c.is_alphanumeric())
    }
}

/// Punctuation of Chinese text outside ASCII: general punctuation (“”…—),
/// CJK punctuation (、。「」【】) and full-width forms (，！？：；（）). None
/// is a letter or digit; a test checks this against the Unicode tables.
fn is_common_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{3030}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// `c.is_uppercase()`, CJK and ASCII without the Unicode tables.
pub fn is_capital(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else {
        !is_caseless_cjk(c) && c.is_uppercase()
    }
}

/// True when `token` holds at least one letter or digit (CJK included).
pub fn is_word(token: &str) -> bool {
    token.chars().any(is_letter_or_digit)
}

/// Joins the words of each redaction placeholder in `text` into one word
/// tagged [`REDACTED_TAG`] (`words` are `text`'s, in order).
fn join_placeholders<'a>(text: &'a str, words: &mut Vec<Word<'a>>) {
    if !text.as_bytes().contains(&b'[') {
        return;
    }
    let mut kept = 0;
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let placeholder = PLACEHOLDERS
            .iter()
            .find(|p| word.text.starts_with('[') && text[word.byte_start..].starts_with(**p));
        if let Some(placeholder) = placeholder {
            let end = word.byte_start + placeholder.len();
            // The placeholder's last word ends where it does (`]` is a
            // word of its own: jieba cuts at punctuation).
            if let Some(last) = (i..words.len()).find(|&j| words[j].byte_end >= end)
                && words[last].byte_end == end
            {
                words[kept] = Word {
                    text: &text[word.byte_start..end],
                    byte_start: word.byte_start,
                    byte_end: end,
                    tag: REDACTED_TAG,
                };
                kept += 1;
                i = last + 1;
                continue;
            }
        }
        words[kept] = word;
        kept += 1;
        i += 1;
    }
    words.truncate(kept);
}

fn capped(text: &str) -> &str {
    if text.len() > MAX_SEGMENT_BYTES {
        tracing::debug!(
            bytes = text.len(),
            "segmenting only the first 16 MiB of a long text"
        );
    }
    crate::text::normalize::truncate_at_char(text, MAX_SEGMENT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_class_shortcuts_agree_with_unicode() {
        for c in (0..=0x3_FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_capital(c), c.is_uppercase(), "{c:?}");
            if is_caseless_cjk(c) {
                assert_eq!(c.to_lowercase().collect::<String>(), c.to_string());
            }
        }
    }

    fn search_tokens(text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        Segmenter::embedded()
            .for_each_search_token(text, |t| out.push((t.word.to_string(), t.position)));
        out
    }

    /// Golden triples: original, segmented (cut), search tokens (word@position).
    #[test]
    fn a_redaction_placeholder_is_one_word_and_no_token() {
        let segmenter = Segmenter::embedded();
        let text = "联系电话[手机号]，证件号[身份证]；卡号[银行卡]。我的手机号被泄露";
        let words = segmenter.tag(text);
        let redacted: Vec<&str> = words
            .iter()
            .filter(|w| w.tag == REDACTED_TAG)
            .map(|w| w.text)
            .collect();
        assert_eq!(redacted, ["[手机号]", "[身份证]", "[银行卡]"], "{words:?}");
        for word in &words {
            assert_eq!(&text[word.byte_start..word.byte_end], word.text);
        }
        let cut: Vec<&str> = segmenter.cut(text).iter().map(|w| w.text).collect();
        assert!(cut.contains(&"[银行卡]"), "{cut:?}");
        // Not indexed; the author's own 手机号 is.
        let tokens: Vec<(String, usize)> = search_tokens(text);
        let phone = tokens.iter().filter(|(t, _)| t == "手机号").count();
        assert_eq!(phone, 1, "{tokens:?}");
        assert!(
            !tokens.iter().any(|(t, _)| t == "银行卡" || t == "身份证"),
            "{tokens:?}"
        );
        // A bracket that opens no placeholder, and one never closed, are left alone.
        let words = segmenter.cut("[手机号 和 [注意]");
        assert!(words.iter().all(|w| w.tag != REDACTED_TAG), "{words:?}");
    }

    #[test]
    fn golden_segmentation() {
        let segmenter = Segmenter::embedded();
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "城关派出所民警出警",
                &["城关", "派出所", "民警", "出警"],
                "城关@0 派出@1 派出所@1 民警@2 出警@3",
            ),
            (
                "执法记录仪没有打开",
                &["执法记录仪", "没有", "打开"],
                "执法@0 执法记录仪@0 记录@0 记录仪@0 没有@1 打开@2",
            ),
            (
                "只接警不处警，太过分",
                &["只接警不处警", "，", "太过分"],
                "只接警不处警@0 接警@0 处警@0 太过分@2 过分@2",
            ),
        ];
        for (text, words, expected) in cases {
            let cut: Vec<&str> = segmenter.cut(text).into_iter().map(|w| w.text).collect();
            assert_eq!(&cut, words, "cut of {text}");
            let search = search_tokens(text)
                .into_iter()
                .map(|(w, p)| format!("{w}@{p}"))
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(&search, expected, "search tokens of {text}");
        }
    }

    #[test]
    fn search_token_offsets_slice_the_text_exactly() {
        let text = "“城关派出所”、——辅警态度恶劣！Police 110";
        Segmenter::embedded().for_each_search_token(text, |t| {
            assert_eq!(&text[t.byte_start..t.byte_end], t.word);
        });
    }

    #[test]
    fn query_words_drop_punctuation_and_lowercase() {
        let words = Segmenter::embedded().query_words("派出所，Police！");
        assert_eq!(words, vec!["派出所", "police"]);
    }
}
