//! The tantivy tokenizer over jieba, registered as [`TOKENIZER_NAME`]: search
//! mode (words plus the dictionary words inside them, at the word's
//! position), lowercased, exact byte offsets. Tantivy clones tokenizers on
//! every lookup; the clone shares one jieba through the `Segmenter`'s `Arc`.

use crate::text::Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the tokenizer is registered with the index.
pub const TOKENIZER_NAME: &str = "jieba_search";

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
        let tokens = &mut self.tokens;
        self.segmenter.for_each_search_token(text, |token| {
            tokens.push(Token {
                offset_from: token.byte_start,
                offset_to: token.byte_end,
                position: token.position,
                text: token.word.to_lowercase(),
                position_length: 1,
            });
        });
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
    fn offsets_positions_and_lowercase() {
        let mut tokenizer = JiebaTokenizer::new(Segmenter::embedded());
        let text = "“派出所”、ABC民警";
        let mut stream = tokenizer.token_stream(text);
        let mut seen = Vec::new();
        while let Some(token) = stream.next() {
            assert_eq!(
                text[token.offset_from..token.offset_to].to_lowercase(),
                token.text
            );
            seen.push((token.text.clone(), token.position));
        }
        assert!(seen.contains(&("派出所".to_string(), 1)), "{seen:?}");
        assert!(seen.iter().any(|(t, _)| t == "abc"), "{seen:?}");
        let positions: Vec<usize> = seen.iter().map(|(_, p)| *p).collect();
        assert!(positions.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    }
}
