//! The tantivy tokenizer over jieba, registered as [`TOKENIZER_NAME`]: the
//! text folded (traditional → simplified, full → half width, ASCII
//! lowercased), then search mode (words plus the dictionary words inside
//! them, at the word's position), lowercased. Byte offsets are in the
//! folded text (the index keeps no offsets; snippets fold the stored text
//! the same way). Tantivy clones tokenizers on every lookup; the clone
//! shares one jieba through the `Segmenter`'s `Arc`.
//!
//! Imports do not segment here: the analysis hands its own tokens over
//! ([`crate::text::segment::DocTokens`]), written into the field's text by
//! [`encode_tokens`] and read back by this tokenizer without a copy per
//! token (tantivy deep-copies a pre-tokenized value twice per document:
//! 15 % of its indexing thread). Segmenting serves catching up from the
//! store and rebuilds.

use crate::text::Segmenter;
use crate::text::segment::IndexToken;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the tokenizer is registered with the index.
pub const TOKENIZER_NAME: &str = "jieba_search_folded";

/// First character of a text that carries tokens already cut rather than
/// words to segment. Stored texts hold no control characters (the
/// normaliser removes them), so no item's text starts with it.
const PRE_CUT: char = '\u{0}';

/// `tokens` as a field text for [`JiebaTokenizer`] to read back: [`PRE_CUT`],
/// then per token its position and its length in bytes, in decimal, each
/// ended by `,`, then its text.
pub fn encode_tokens(tokens: &[IndexToken]) -> String {
    let bytes: usize = tokens.iter().map(|t| t.text.len() + 8).sum();
    let mut out = String::with_capacity(1 + bytes);
    out.push(PRE_CUT);
    for token in tokens {
        push_decimal(&mut out, token.position);
        push_decimal(&mut out, token.text.len());
        out.push_str(&token.text);
    }
    out
}

/// Appends `n` in decimal and a comma.
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
    out.push(',');
}

/// Reads a decimal ended by a comma from the front of `rest`.
fn take_decimal(rest: &mut &str) -> Option<usize> {
    let mut n: usize = 0;
    for (at, byte) in rest.bytes().enumerate() {
        match byte {
            b'0'..=b'9' if at < 19 => n = n * 10 + usize::from(byte - b'0'),
            b',' if at > 0 => {
                *rest = &rest[at + 1..];
                return Some(n);
            }
            _ => return None,
        }
    }
    None
}

/// Search-mode jieba tokenizer for tantivy.
#[derive(Clone)]
pub struct JiebaTokenizer {
    segmenter: Segmenter,
    tokens: Vec<Token>,
    /// The token read back from a pre-cut text, reused.
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
/// or read one by one from a pre-cut text.
pub enum JiebaTokenStream<'a> {
    /// Tokens jieba cut.
    Cut {
        /// All the text's tokens.
        tokens: &'a mut Vec<Token>,
        /// One past the current token.
        index: usize,
    },
    /// Tokens of an [`encode_tokens`] text.
    PreCut {
        /// What is left to read.
        rest: &'a str,
        /// The current token.
        token: &'a mut Token,
    },
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        if let Some(rest) = text.strip_prefix(PRE_CUT) {
            self.scratch.position_length = 1;
            return JiebaTokenStream::PreCut {
                rest,
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
            JiebaTokenStream::PreCut { rest, token } => {
                let mut input = *rest;
                let Some(position) = take_decimal(&mut input) else {
                    return false;
                };
                let Some(len) = take_decimal(&mut input) else {
                    return false;
                };
                let Some(text) = input.get(..len) else {
                    return false;
                };
                token.position = position;
                token.text.clear();
                token.text.push_str(text);
                *rest = &input[len..];
                true
            }
        }
    }

    fn token(&self) -> &Token {
        match self {
            JiebaTokenStream::Cut { tokens, index } => &tokens[*index - 1],
            JiebaTokenStream::PreCut { token, .. } => token,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            JiebaTokenStream::Cut { tokens, index } => &mut tokens[*index - 1],
            JiebaTokenStream::PreCut { token, .. } => token,
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
    fn pre_cut_tokens_read_back_as_cut() {
        let segmenter = Segmenter::embedded();
        let text = "派出所民警,接警后1,000分钟才出警；ABC「说」\n\n第二段 12345678901234567890";
        let tokens = segmenter.index_tokens(text);
        assert!(tokens.len() > 8);
        let mut tokenizer = JiebaTokenizer::new(segmenter.clone());
        let encoded = encode_tokens(&tokens);
        let mut stream = tokenizer.token_stream(&encoded);
        let mut read = Vec::new();
        while let Some(token) = stream.next() {
            read.push((token.text.clone(), token.position, token.position_length));
        }
        let expected: Vec<(String, usize, usize)> = tokens
            .iter()
            .map(|t| (t.text.clone(), t.position, 1))
            .collect();
        assert_eq!(read, expected);
        // The same tokens as segmenting the text, as tantivy indexes them.
        let mut cut = Vec::new();
        let mut stream = tokenizer.token_stream(text);
        while let Some(token) = stream.next() {
            cut.push((token.text.clone(), token.position, token.position_length));
        }
        assert_eq!(read, cut);
        assert_eq!(tokenizer.token_stream(&encode_tokens(&[])).next(), None);
    }

    #[test]
    fn a_damaged_pre_cut_text_ends_its_tokens() {
        let mut tokenizer = JiebaTokenizer::new(Segmenter::embedded());
        for damaged in [
            "\u{0}3,6,民警2,",
            "\u{0}3,60,民警",
            "\u{0}x,6,民警",
            "\u{0}3,4,民警",
        ] {
            let mut stream = tokenizer.token_stream(damaged);
            let mut texts = Vec::new();
            while let Some(token) = stream.next() {
                texts.push(token.text.clone());
            }
            assert!(texts.len() <= 1, "{damaged:?}: {texts:?}");
            assert!(texts.iter().all(|t| t == "民警"), "{damaged:?}: {texts:?}");
        }
    }
}
