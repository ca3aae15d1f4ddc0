//! Keywords: TF-IDF over jieba's part-of-speech tagged words (nouns, verbs,
//! names, idioms), with jieba's bundled IDF table and our stopwords.

use crate::text::Segmenter;
use jieba_rs::{KeywordExtract, KeywordExtractConfig, TfIdf};
use std::sync::{Arc, LazyLock};

/// Parts of speech that make keywords.
const KEYWORD_POS: [&str; 10] = ["n", "nr", "ns", "nt", "nz", "vn", "v", "l", "j", "eng"];

static DEFAULT_TFIDF: LazyLock<Arc<TfIdf>> = LazyLock::new(|| Arc::new(TfIdf::default()));

/// Extracts keywords; cheap to clone.
#[derive(Clone)]
pub struct KeywordExtractor {
    tfidf: Arc<TfIdf>,
}

impl std::fmt::Debug for KeywordExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeywordExtractor")
    }
}

impl KeywordExtractor {
    /// An extractor with jieba's IDF table and `segmenter`'s stopwords.
    pub fn new(stopwords: impl IntoIterator<Item = String>) -> KeywordExtractor {
        let mut tfidf = TfIdf::default();
        let mut config = KeywordExtractConfig::builder()
            .use_hmm(true)
            .min_keyword_length(2);
        for word in stopwords {
            config = config.add_stop_word(word);
        }
        *tfidf.config_mut() = config.build();
        KeywordExtractor {
            tfidf: Arc::new(tfidf),
        }
    }

    /// An extractor with jieba's defaults (shared).
    pub fn shared_default() -> KeywordExtractor {
        KeywordExtractor {
            tfidf: DEFAULT_TFIDF.clone(),
        }
    }

    /// The `top` keywords of `text`.
    pub fn extract(&self, segmenter: &Segmenter, text: &str, top: usize) -> Vec<String> {
        let pos = KEYWORD_POS.iter().map(|p| p.to_string()).collect();
        self.tfidf
            .extract_keywords(segmenter.jieba(), text, top, pos)
            .into_iter()
            .filter(|k| {
                k.keyword.chars().any(char::is_alphanumeric)
                    && !k.keyword.chars().all(|c| c.is_ascii_digit())
            })
            .map(|k| k.keyword)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_content_words() {
        let segmenter = Segmenter::embedded();
        let extractor = KeywordExtractor::new(["的".to_string()]);
        let keywords = extractor.extract(
            &segmenter,
            "城关派出所民警接警后迟迟不出警，群众多次拨打110，派出所称警力不足。",
            5,
        );
        assert!(keywords.contains(&"派出所".to_string()), "{keywords:?}");
        assert!(
            keywords.iter().all(|k| k != "的" && k != "110"),
            "{keywords:?}"
        );
    }
}
