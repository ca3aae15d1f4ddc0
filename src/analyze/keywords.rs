//! Keywords: TF-IDF over jieba's part-of-speech tagged words (nouns, verbs,
//! names, idioms), with jieba's bundled IDF table (built once per process)
//! and the project's stopword list (`dictionaries/stopwords.txt`, held by
//! the segmenter).

use crate::text::Segmenter;
use jieba_rs::{KeywordExtract, TfIdf};
use std::sync::LazyLock;

/// Parts of speech that make keywords.
const KEYWORD_POS: [&str; 10] = ["n", "nr", "ns", "nt", "nz", "vn", "v", "l", "j", "eng"];

/// Candidates asked of TF-IDF per keyword wanted, so that dropping
/// stopwords and numbers still leaves enough.
const CANDIDATES_PER_KEYWORD: usize = 2;

static TFIDF: LazyLock<TfIdf> = LazyLock::new(TfIdf::default);

/// The `top` keywords of `text`: content words by TF-IDF, without the
/// segmenter's stopwords and without bare numbers.
pub fn extract(segmenter: &Segmenter, text: &str, top: usize) -> Vec<String> {
    let pos = KEYWORD_POS.iter().map(|p| p.to_string()).collect();
    TFIDF
        .extract_keywords(segmenter.jieba(), text, top * CANDIDATES_PER_KEYWORD, pos)
        .into_iter()
        .map(|k| k.keyword)
        .filter(|word| {
            word.chars().any(char::is_alphanumeric)
                && !word.chars().all(|c| c.is_ascii_digit())
                && !segmenter.is_stopword(word)
        })
        .take(top)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Dictionaries;

    const TEXT: &str = "城关派出所民警接警后迟迟不出警，群众多次拨打110，派出所称警力不足。";

    #[test]
    fn keywords_are_content_words() {
        let keywords = extract(&Segmenter::embedded(), TEXT, 5);
        assert!(keywords.contains(&"派出所".to_string()), "{keywords:?}");
        assert!(keywords.iter().all(|k| k != "110"), "{keywords:?}");
        assert!(keywords.len() <= 5);
    }

    #[test]
    fn the_project_stopword_list_is_applied() {
        let dictionaries =
            Dictionaries::parse(&[("police.txt", "派出所 50000 nt\n")], "派出所\n").unwrap();
        let keywords = extract(&Segmenter::new(&dictionaries), TEXT, 5);
        assert!(!keywords.is_empty());
        assert!(!keywords.contains(&"派出所".to_string()), "{keywords:?}");
    }
}
