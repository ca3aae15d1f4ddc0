//! The tantivy tokenizer over jieba, registered as [`TOKENIZER_NAME`]: the
//! text folded (traditional → simplified, full → half width, ASCII
//! lowercased), then search mode (words plus the dictionary words inside
//! them, at the word's position), lowercased. Byte offsets are in the
//! folded text (the index keeps no offsets; snippets fold the stored text
//! the same way). Tantivy clones tokenizers on every lookup; the clone
//! shares one jieba through the `Segmenter`'s `Arc`.
//!
//! Imports do not segment here: the analysis hands its own tokens over
//! ([`crate::text::segment::DocTokens`]) as one packed text per field
//! ([`crate::text::packed`]), which this tokenizer reads back into one
//! reused token (tantivy deep-copies a pre-tokenized value twice per
//! document: that was 15 % of its indexing thread). Segmenting serves
//! catching up from the store and rebuilds.

use crate::text::Segmenter;
use crate::text::packed::{PackedIter, read_packed};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the tokenizer is registered with the index.
pub const TOKENIZER_NAME: &str = "jieba_search_folded";

/// Search-mode jieba tokenizer for tantivy.
#[derive(Clone)]
pub struct JiebaTokenizer {
    segmenter: Segmenter,
    tokens: Vec<Token>,
    /// The token read back from a packed text, reused.
    scratch: Token,
}

impl JiebaTokenizer {
    /// A tokenizer sharing `segmenter`'s jieba.
    pub fn new(segmenter: Segmenter) -> JiebaTokenizer {
        JiebaTokenizer {
            segmenter,
            tokens: Vec::new(),
            scratch: Token::default(),
        }
    }
}

/// The tokens of one text: segmented eagerly (jieba segments whole texts),
/// or read one by one from a packed text.
pub enum JiebaTokenStream<'a> {
    /// Tokens jieba cut.
    Cut {
        /// All the text's tokens.
        tokens: &'a mut Vec<Token>,
        /// One past the current token.
        index: usize,
    },
    /// Tokens of a packed text.
    Packed {
        /// The tokens left to read.
        tokens: PackedIter<'a>,
        /// The current token.
        token: &'a mut Token,
    },
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        if let Some(tokens) = read_packed(text) {
            self.scratch.position_length = 1;
            return JiebaTokenStream::Packed {
                tokens,
                token: &mut self.scratch,
            };
        }
        self.tokens.clear();
        self.tokens.extend(
            self.segmenter
                .index_tokens(text)
                .into_iter()
                .map(super::document::tantivy_token),
        );
        JiebaTokenStream::Cut {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

impl TokenStream for JiebaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            JiebaTokenStream::Cut { tokens, index } => {
                *index += 1;
                *index <= tokens.len()
            }
            JiebaTokenStream::Packed { tokens, token } => {
                let Some((position, text)) = tokens.next() else {
                    return false;
                };
                token.position = position;
                token.text.clear();
                token.text.push_str(text);
                true
            }
        }
    }

    fn token(&self) -> &Token {
        match self {
            JiebaTokenStream::Cut { tokens, index } => &tokens[*index - 1],
            JiebaTokenStream::Packed { token, .. } => token,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            JiebaTokenStream::Cut { tokens, index } => &mut tokens[*index - 1],
            JiebaTokenStream::Packed { token, .. } => token,
        }
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

    #[test]
    fn packed_tokens_read_back_as_segmenting_gives_them() {
        let segmenter = Segmenter::embedded();
        let text = "派出所民警,接警后1,000分钟才出警；ABC「说」\n\n第二段 12345678901234567890";
        let mut tokenizer = JiebaTokenizer::new(segmenter.clone());
        let packed = segmenter.pack_index_tokens(text).into_text();
        let mut read = Vec::new();
        let mut stream = tokenizer.token_stream(&packed);
        while let Some(token) = stream.next() {
            read.push((token.text.clone(), token.position, token.position_length));
        }
        assert!(read.len() > 8, "{read:?}");
        let mut cut = Vec::new();
        let mut stream = tokenizer.token_stream(text);
        while let Some(token) = stream.next() {
            cut.push((token.text.clone(), token.position, token.position_length));
        }
        assert_eq!(read, cut);
        let empty = crate::text::packed::PackedTokens::default().into_text();
        assert!(tokenizer.token_stream(&empty).next().is_none());
    }
}
