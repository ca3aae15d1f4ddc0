//! Index tokens packed into one text, the form in which the analysis hands
//! them to the story vector, the topic matcher and the index: one buffer
//! per field instead of a string per token (an item has a few hundred
//! tokens, an import millions).
//!
//! The format: [`PACKED_MARK`], then per token its position and its length
//! in bytes, in decimal, each followed by a comma, then the token. The
//! index's tokenizer takes a text that starts with the mark as tokens
//! already cut ([`read_packed`]). Stored texts hold no control characters
//! (the normaliser removes them), so no item's own text starts with it.

/// First character of a packed text.
pub const PACKED_MARK: char = '\u{0}';

/// The index tokens of one text, packed (see the module comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedTokens(String);

impl Default for PackedTokens {
    fn default() -> PackedTokens {
        PackedTokens(PACKED_MARK.to_string())
    }
}

impl PackedTokens {
    /// Room for about `tokens` tokens.
    pub fn with_capacity(tokens: usize) -> PackedTokens {
        let mut text = String::with_capacity(1 + tokens * 10);
        text.push(PACKED_MARK);
        PackedTokens(text)
    }

    /// Appends `word`, lowercased, at `position`.
    pub fn push_lowercase(&mut self, position: usize, word: &str) {
        push_decimal(&mut self.0, position);
        if word
            .chars()
            .all(|c| c.is_ascii() || super::segment::is_caseless_cjk(c))
        {
            // ASCII lowercasing keeps the length; CJK has no case.
            push_decimal(&mut self.0, word.len());
            let start = self.0.len();
            self.0.push_str(word);
            self.0[start..].make_ascii_lowercase();
        } else {
            let lower = word.to_lowercase();
            push_decimal(&mut self.0, lower.len());
            self.0.push_str(&lower);
        }
    }

    /// The tokens with their positions, in order.
    pub fn iter(&self) -> PackedIter<'_> {
        PackedIter {
            rest: &self.0[PACKED_MARK.len_utf8()..],
        }
    }

    /// True when there is no token.
    pub fn is_empty(&self) -> bool {
        self.0.len() == PACKED_MARK.len_utf8()
    }

    /// The packed text, as an index field's value.
    pub fn into_text(self) -> String {
        self.0
    }
}

/// The tokens of a packed text, or `None` when `text` is not packed.
pub fn read_packed(text: &str) -> Option<PackedIter<'_>> {
    text.strip_prefix(PACKED_MARK)
        .map(|rest| PackedIter { rest })
}

/// Iterator over packed tokens: `(position, token)`. A damaged text ends
/// the tokens where the damage starts.
#[derive(Debug, Clone)]
pub struct PackedIter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for PackedIter<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let mut input = self.rest;
        let position = take_decimal(&mut input)?;
        let len = take_decimal(&mut input)?;
        let token = input.get(..len)?;
        self.rest = &input[len..];
        Some((position, token))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back_lowercased_with_their_positions() {
        let mut packed = PackedTokens::default();
        assert!(packed.is_empty());
        assert_eq!(packed.iter().count(), 0);
        packed.push_lowercase(0, "派出所");
        packed.push_lowercase(0, "出所");
        packed.push_lowercase(12, "GPS");
        packed.push_lowercase(1234567, "ÄBC,1");
        packed.push_lowercase(1234568, "");
        assert!(!packed.is_empty());
        let read: Vec<(usize, &str)> = packed.iter().collect();
        assert_eq!(
            read,
            vec![
                (0, "派出所"),
                (0, "出所"),
                (12, "gps"),
                (1234567, "äbc,1"),
                (1234568, "")
            ]
        );
        let text = packed.clone().into_text();
        assert_eq!(read_packed(&text).unwrap().collect::<Vec<_>>(), read);
        assert!(read_packed("派出所").is_none());
    }

    #[test]
    fn a_damaged_text_ends_its_tokens() {
        for damaged in [
            "\u{0}3,6,民警2,",
            "\u{0}3,60,民警",
            "\u{0}x,6,民警",
            "\u{0}3,4,民警",
            "\u{0}3,,民警",
            "\u{0}99999999999999999999,6,民警",
        ] {
            let tokens: Vec<(usize, &str)> = read_packed(damaged).unwrap().collect();
            assert!(tokens.len() <= 1, "{damaged:?}: {tokens:?}");
            assert!(
                tokens.iter().all(|t| *t == (3, "民警")),
                "{damaged:?}: {tokens:?}"
            );
        }
    }
}
