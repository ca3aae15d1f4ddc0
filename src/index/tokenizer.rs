//! The tantivy tokenizer over jieba, registered as [`TOKENIZER_NAME`]: the
//! text folded (traditional → simplified, full → half width, ASCII
//! lowercased), then search mode (words plus the dictionary words inside
//! them, at the word's position), lowercased. Byte offsets are in the
//! folded text (the index keeps no offsets; snippets fold the stored text
//! the same way). Tantivy clones tokenizers on every lookup; the clone
//! shares one jieba through the `Segmenter`'s `Arc`.
//!
//! Imports do not run it: the analysis hands its own tokens over
//! ([`crate::text::segment::DocTokens`], pre-tokenized fields). It serves
//! catching up from the store, rebuilds and tantivy's own query parsing.

use crate::text::Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the tokenizer is registered with the index.
pub const TOKENIZER_NAME: &str = "jieba_search_folded";

/// Search-mode jieba tokenizer for tantivy.
#[derive(Clone)]
pub struct JiebaTokenizer {
    segmenter: Segmenter,
    tokens: Vec<Token>,
}

impl JiebaTokenizer {
    /// A tokenizer sharing `segmenter`'s jieba.
    pub fn new(segmenter: Segmenter) -> JiebaTokenizer {
        JiebaTokenizer {
            segmenter,
            tokens: Vec::new(),
        }
    }
}

/// The tokens of one text, produced eagerly (jieba segments whole texts).
pub struct JiebaTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        self.tokens.clear();
        self.tokens.extend(
            self.segmenter
                .index_tokens(text)
                .into_iter()
                .map(super::document::tantivy_token),
        );
        JiebaTokenStream {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

impl TokenStream for JiebaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_then_gives_offsets_positions_and_lowercase() {
        let mut tokenizer = JiebaTokenizer::new(Segmenter::embedded());
        let text = "“派出所”、ABC民警，警察說";
        let folded = crate::text::fold::fold(text);
        let mut stream = tokenizer.token_stream(text);
        let mut seen = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(folded[token.offset_from..token.offset_to], token.text);
            seen.push((token.text.clone(), token.position));
        }
        assert!(seen.contains(&("派出所".to_string(), 1)), "{seen:?}");
        assert!(seen.iter().any(|(t, _)| t == "abc"), "{seen:?}");
        assert!(
            seen.iter().any(|(t, _)| t == "说"),
            "traditional folded: {seen:?}"
        );
        let positions: Vec<usize> = seen.iter().map(|(_, p)| *p).collect();
        assert!(positions.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    }
}
