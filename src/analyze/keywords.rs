//! Keywords: TF-IDF over the part-of-speech tagged words the analysis has
//! already cut (nouns, verbs, names, idioms), so keywords cost no second
//! segmentation. The IDF is the word's self-information under jieba's
//! unigram model, `ln(N / freq)` — the quantity IDF estimates (Robertson
//! 2004), with no corpus table to load or keep current; words jieba does
//! not know (HMM guesses, often fragments) are held at a typical IDF rather
//! than ranked as the rarest words of all. jieba's and the project's
//! stopwords (`dictionaries/stopwords.txt`) and bare numbers are dropped.

use crate::dedup::story::information;
use crate::text::Segmenter;
use crate::text::segment::Word;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

/// Parts of speech that make keywords.
const KEYWORD_POS: [&str; 10] = ["n", "nr", "ns", "nt", "nz", "vn", "v", "l", "j", "eng"];

/// The weight of a word jieba's dictionary does not hold: about the median
/// IDF of jieba's own table, as its TF-IDF gives unknown words.
const UNKNOWN_WORD_WEIGHT: f32 = 11.7;

/// jieba's stopword list in a hash set (it ships as a B-tree: a dozen
/// string comparisons per candidate word).
static JIEBA_STOP_WORDS: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    jieba_rs::DEFAULT_STOP_WORDS
        .iter()
        .map(String::as_str)
        .collect()
});

/// Shortest keyword, in characters (jieba's default).
const MIN_CHARS: usize = 2;

/// The `top` keywords among `words` (tagged by [`Segmenter::tag`]), best
/// first; ties go to the word first in Unicode order, so the result does
/// not depend on hashing.
pub fn extract<'a>(
    segmenter: &Segmenter,
    words: impl IntoIterator<Item = &'a Word<'a>>,
    top: usize,
) -> Vec<String> {
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    for word in words {
        if KEYWORD_POS.contains(&word.tag) && is_candidate(segmenter, word.text) {
            *counts.entry(word.text).or_default() += 1;
        }
    }
    let mut scored: Vec<(f32, &str)> = counts
        .into_iter()
        .map(|(word, tf)| {
            let weight = if segmenter.jieba().has_word(word) {
                information(segmenter, word)
            } else {
                UNKNOWN_WORD_WEIGHT
            };
            (tf as f32 * weight, word)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(top)
        .map(|(_, word)| word.to_string())
        .collect()
}

fn is_candidate(segmenter: &Segmenter, word: &str) -> bool {
    word.chars().count() >= MIN_CHARS
        && crate::text::segment::is_word(word)
        && !word.chars().all(|c| c.is_ascii_digit())
        && !segmenter.is_stopword(word)
        && !JIEBA_STOP_WORDS.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Dictionaries;

    const TEXT: &str = "城关派出所民警接警后迟迟不出警，群众多次拨打110，派出所称警力不足。";

    fn keywords(segmenter: &Segmenter, text: &str, top: usize) -> Vec<String> {
        let words = segmenter.tag(text);
        extract(segmenter, &words, top)
    }

    #[test]
    fn keywords_are_content_words() {
        let keywords = keywords(&Segmenter::embedded(), TEXT, 5);
        assert!(keywords.contains(&"派出所".to_string()), "{keywords:?}");
        assert!(keywords.iter().all(|k| k != "110"), "{keywords:?}");
        assert!(keywords.len() <= 5);
    }

    #[test]
    fn redaction_placeholders_are_not_keywords() {
        let text = "联系电话[手机号]，备用[手机号]，身份证号[身份证]，卡号[银行卡]。派出所不出警。";
        let keywords = keywords(&Segmenter::embedded(), text, 10);
        assert!(keywords.contains(&"派出所".to_string()), "{keywords:?}");
        for word in [
            "手机号",
            "手机",
            "银行卡",
            "[手机号]",
            "[银行卡]",
            "[身份证]",
        ] {
            assert!(!keywords.iter().any(|k| k == word), "{keywords:?}");
        }
    }

    #[test]
    fn the_project_stopword_list_is_applied() {
        let dictionaries =
            Dictionaries::parse(&[("police.txt", "派出所 50000 nt\n")], "派出所\n").unwrap();
        let keywords = keywords(&Segmenter::new(&dictionaries), TEXT, 5);
        assert!(!keywords.is_empty());
        assert!(!keywords.contains(&"派出所".to_string()), "{keywords:?}");
    }
}
