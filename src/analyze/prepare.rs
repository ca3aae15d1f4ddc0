//! The text the detector reads: traditional → simplified, full-width →
//! half-width, ASCII lowercased — every step one character for one
//! character, so a character offset in the prepared text is the same
//! offset in the original and evidence lands on the original words.
//! Sentences and clauses are split here too.

use std::ops::Range;

/// A text prepared for matching.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The folded text (same number of characters as the input).
    pub text: String,
    /// Byte ranges of the sentences.
    pub sentences: Vec<Range<usize>>,
}

/// Word boundaries of a text (byte offsets where a jieba word starts or
/// ends), as a bitmap: looked up for every short police term.
#[derive(Debug, Clone, Default)]
pub struct Boundaries(Vec<bool>);

impl Boundaries {
    /// Boundaries of `words` (byte ranges) in a text of `len` bytes.
    pub fn new(len: usize, words: impl IntoIterator<Item = (usize, usize)>) -> Boundaries {
        let mut bits = vec![false; len + 1];
        for (start, end) in words {
            bits[start] = true;
            bits[end] = true;
        }
        Boundaries(bits)
    }

    /// True when a word starts or ends at `byte`.
    pub fn contains(&self, byte: usize) -> bool {
        self.0.get(byte).copied().unwrap_or(false)
    }
}

/// Characters that end a sentence.
fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n' | '…')
}

/// Characters that end a clause (inside a sentence).
pub fn ends_clause(c: char) -> bool {
    ends_sentence(c) || matches!(c, '，' | ',' | '、' | '：' | ':')
}

impl Prepared {
    /// Prepares `text`.
    pub fn new(text: &str) -> Prepared {
        let folded = crate::text::fold::fold(text);
        let mut sentences = Vec::new();
        let mut start = 0;
        for (at, c) in folded.char_indices() {
            if ends_sentence(c) {
                let end = at + c.len_utf8();
                if folded[start..end]
                    .chars()
                    .any(|c| !c.is_whitespace() && !ends_sentence(c))
                {
                    sentences.push(start..end);
                }
                start = end;
            }
        }
        if folded[start..].chars().any(|c| !c.is_whitespace()) {
            sentences.push(start..folded.len());
        }
        Prepared {
            text: folded,
            sentences,
        }
    }

    /// Character index of byte offset `byte` (a char boundary): counted
    /// when asked, for the few evidence spans of a text, rather than a
    /// table of every character's offset kept for each text.
    pub fn char_index(&self, byte: usize) -> usize {
        match self.text.get(..byte) {
            Some(before) => before.chars().count(),
            None => self
                .text
                .char_indices()
                .take_while(|&(at, _)| at < byte)
                .count(),
        }
    }

    /// Index of the sentence containing byte `at`.
    pub fn sentence_of(&self, at: usize) -> Option<usize> {
        let index = self.sentences.partition_point(|s| s.end <= at);
        (index < self.sentences.len() && self.sentences[index].start <= at).then_some(index)
    }

    /// End (byte) of the sentence containing `at` (the text end when none).
    pub fn sentence_end(&self, at: usize) -> usize {
        self.sentence_of(at)
            .map_or(self.text.len(), |i| self.sentences[i].end)
    }

    /// Start (byte) of the last `max_chars` characters of the clause before
    /// `at`: scans back at most `max_chars` characters, so a text without
    /// punctuation costs no more than a punctuated one.
    pub fn clause_tail_start(&self, at: usize, max_chars: usize) -> usize {
        let mut start = at;
        for (i, c) in self.text[..at].char_indices().rev().take(max_chars) {
            if ends_clause(c) {
                break;
            }
            start = i;
        }
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_character_offsets() {
        let text = "警察態度惡劣！ＡＢＣ１１０，民警";
        let prepared = Prepared::new(text);
        assert_eq!(prepared.text, "警察态度恶劣！abc110，民警");
        assert_eq!(prepared.text.chars().count(), text.chars().count());
        let at = prepared.text.find("民警").unwrap();
        assert_eq!(prepared.char_index(at), 14);
        assert_eq!(text.chars().skip(14).take(2).collect::<String>(), "民警");
    }

    #[test]
    fn sentences_and_clauses() {
        let prepared = Prepared::new("第一句，有逗号。第二句！\n\n第三句");
        let sentences: Vec<&str> = prepared
            .sentences
            .iter()
            .map(|s| &prepared.text[s.clone()])
            .collect();
        assert_eq!(sentences, vec!["第一句，有逗号。", "第二句！", "第三句"]);
        let at = prepared.text.find("有逗号").unwrap();
        let end = at + "有逗号".len();
        assert_eq!(
            prepared.clause_tail_start(end, 100),
            at,
            "stops at the comma"
        );
        let tail = prepared.clause_tail_start(end, 2);
        assert_eq!(&prepared.text[tail..end], "逗号", "at most 2 characters");
        assert_eq!(prepared.sentence_of(at), Some(0));
    }
}
