//! Highlighted snippets, computed from the stored text folded and segmented
//! as the index does it: the window with the most matched query terms,
//! and the matched terms as character ranges into the snippet. Built here
//! rather than with tantivy's `SnippetGenerator`, which counts bytes and has
//! panicked on overlapping search-mode tokens (see FIELD-NOTES).

use crate::text::Segmenter;
use crate::text::segment::{is_capital, lowercase};
use std::collections::HashSet;

/// A snippet and the character ranges in it that matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The snippet text (newlines shown as spaces; `…` where cut).
    pub text: String,
    /// `[start, end)` character ranges of matched terms in `text`.
    pub highlights: Vec<[usize; 2]>,
}

/// The positive words of one search, ready to mark up its hits: the
/// literal finder is built once per search, not once per hit.
#[derive(Debug)]
pub struct Highlighter {
    /// Query words (folded, lowercased).
    terms: HashSet<String>,
    /// Finds the terms literally, ASCII case aside (`None` without terms).
    finder: Option<aho_corasick::AhoCorasick>,
}

impl Highlighter {
    /// A highlighter for `terms` (folded and lowercased, as
    /// [`Segmenter::query_words`] gives them).
    pub fn new(terms: HashSet<String>) -> Highlighter {
        // No automaton for no terms: building even an empty one costs a
        // tenth of a millisecond, per search without highlights.
        let finder = terms
            .iter()
            .any(|t| !t.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(terms.iter().filter(|t| !t.is_empty()))
                    .ok()
            })
            .flatten();
        Highlighter { terms, finder }
    }

    /// Character ranges of `text` whose search tokens are in the terms,
    /// merged where they overlap or touch. The text is folded as the index
    /// folds it (one character for one, so the ranges hold for `text`).
    ///
    /// Only the stretches of text where a term occurs literally are
    /// segmented (a token is a slice of the text, so a term can match
    /// nowhere else): a search hit on a long article costs a substring
    /// scan, not a jieba pass over the whole body.
    pub fn match_ranges(&self, segmenter: &Segmenter, text: &str) -> Vec<[usize; 2]> {
        let Some(finder) = &self.finder else {
            return Vec::new();
        };
        if text.is_empty() {
            return Vec::new();
        }
        let text = &crate::text::fold::fold(text);
        let mut byte_ranges = Vec::new();
        for (from, to) in candidate_regions(text, finder) {
            segmenter.for_each_search_token(&text[from..to], |token| {
                if self.terms.contains(&lowercase(token.word)) {
                    byte_ranges.push((from + token.byte_start, from + token.byte_end));
                }
            });
        }
        let merged = merge_ranges(byte_ranges);
        // Byte → char offsets in one pass over the text.
        let mut out = Vec::with_capacity(merged.len());
        let mut chars_before = 0;
        let mut byte_at = 0;
        for (start, end) in merged {
            chars_before += text[byte_at..start].chars().count();
            let length = text[start..end].chars().count();
            out.push([chars_before, chars_before + length]);
            chars_before += length;
            byte_at = end;
        }
        out
    }

    /// A snippet of at most `max_chars` characters of `text` (plus
    /// ellipses), centred on the densest cluster of query terms.
    pub fn snippet(&self, segmenter: &Segmenter, text: &str, max_chars: usize) -> Snippet {
        let chars: Vec<char> = text.chars().collect();
        let matches = self.match_ranges(segmenter, text);
        let context_before = max_chars / 4;
        let start = best_window(&matches, max_chars, context_before)
            .min(chars.len().saturating_sub(max_chars));
        let end = (start + max_chars).min(chars.len());
        let mut snippet = String::new();
        let mut offset = 0;
        if start > 0 {
            snippet.push('…');
            offset = 1;
        }
        snippet.extend(
            chars[start..end]
                .iter()
                .map(|&c| if c == '\n' || c == '\r' { ' ' } else { c }),
        );
        if end < chars.len() {
            snippet.push('…');
        }
        let highlights = matches
            .iter()
            .filter(|[s, e]| *s >= start && *e <= end)
            .map(|[s, e]| [s - start + offset, e - start + offset])
            .collect();
        Snippet {
            text: snippet,
            highlights,
        }
    }
}

/// Sorted ranges, those that overlap or touch merged.
fn merge_ranges(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Longest stretch segmented around one literal occurrence, in bytes each
/// side, when the run of text holding it is longer (a page without
/// punctuation): jieba's choices near the cut can differ, not at the term.
const REGION_REACH: usize = 1_000;

/// Byte ranges of `text` to segment: the runs of text (between
/// punctuation or spaces, where jieba itself splits) holding a literal,
/// ASCII-case-insensitive occurrence of a term. The whole text when it has
/// non-ASCII capitals (lowercasing could then change what matches).
fn candidate_regions(text: &str, finder: &aho_corasick::AhoCorasick) -> Vec<(usize, usize)> {
    if text.chars().any(has_capital) {
        return vec![(0, text.len())];
    }
    let mut regions: Vec<(usize, usize)> = Vec::new();
    for found in finder.find_overlapping_iter(text) {
        if regions.last().is_some_and(|&(_, to)| found.end() <= to) {
            continue;
        }
        let (from, to) = enclosing_run(text, found.start(), found.end());
        match regions.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => regions.push((from, to)),
        }
    }
    regions
}

/// The run around `start..end` bounded by characters jieba never puts in
/// a word (ASCII punctuation other than `+#&._%-`, spaces, CJK and
/// full-width punctuation), at most [`REGION_REACH`] bytes each side.
fn enclosing_run(text: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut from = start;
    let floor = start.saturating_sub(REGION_REACH);
    while from > floor {
        let mut prev = from - 1;
        while !text.is_char_boundary(prev) {
            prev -= 1;
        }
        let c = text[prev..from].chars().next().unwrap_or(' ');
        if splits_words(c) {
            break;
        }
        from = prev;
    }
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = end;
    let ceiling = (end + REGION_REACH).min(bytes.len());
    while to < ceiling {
        let c = text[to..].chars().next().unwrap_or(' ');
        if splits_words(c) {
            break;
        }
        to += c.len_utf8();
    }
    (from, to)
}

/// True for a character that ends jieba's runs of word characters.
fn splits_words(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric()
            || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-'));
    }
    c.is_whitespace()
        || matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
}

/// True for a capital letter outside ASCII.
fn has_capital(c: char) -> bool {
    !c.is_ascii() && is_capital(c)
}

/// Start of the window holding the most matches (earliest on ties).
fn best_window(matches: &[[usize; 2]], width: usize, context_before: usize) -> usize {
    let mut best = (0usize, 0usize);
    for (i, first) in matches.iter().enumerate() {
        let start = first[0].saturating_sub(context_before);
        let count = matches[i..]
            .iter()
            .take_while(|m| m[1] <= start + width)
            .count();
        if count > best.1 {
            best = (start, count);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn marked(snippet: &Snippet) -> String {
        let chars: Vec<char> = snippet.text.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        for [s, e] in &snippet.highlights {
            out.extend(&chars[at..*s]);
            out.push('[');
            out.extend(&chars[*s..*e]);
            out.push(']');
            at = *e;
        }
        out.extend(&chars[at..]);
        out
    }

    #[test]
    fn highlights_exactly_the_term_amid_chinese_punctuation() {
        let seg = Segmenter::embedded();
        let text = "市民称：“城关派出所”、东湖派出所——均未出警。";
        let snippet = Highlighter::new(terms(&["派出所"])).snippet(&seg, text, 100);
        assert_eq!(
            marked(&snippet),
            "市民称：“城关[派出所]”、东湖[派出所]——均未出警。"
        );
    }

    #[test]
    fn a_part_of_a_word_is_highlighted_alone() {
        let seg = Segmenter::embedded();
        let snippet = Highlighter::new(terms(&["派出"])).snippet(&seg, "到城关派出所报案", 100);
        assert_eq!(marked(&snippet), "到城关[派出]所报案");
    }

    #[test]
    fn long_text_window_moves_to_the_matches() {
        let seg = Segmenter::embedded();
        let text = format!(
            "{}民警态度恶劣{}",
            "今天天气很好。".repeat(30),
            "后来回家了。".repeat(30)
        );
        let snippet = Highlighter::new(terms(&["态度恶劣"])).snippet(&seg, &text, 40);
        assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
        assert_eq!(snippet.highlights.len(), 1);
        let [s, e] = snippet.highlights[0];
        let highlighted: String = snippet.text.chars().skip(s).take(e - s).collect();
        assert_eq!(highlighted, "态度恶劣");
    }

    /// The reference: every search token of the whole (folded) text.
    fn all_ranges(seg: &Segmenter, text: &str, terms: &HashSet<String>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        seg.for_each_search_token(&crate::text::fold::fold(text), |t| {
            if terms.contains(&t.word.to_lowercase()) {
                out.push((t.byte_start, t.byte_end));
            }
        });
        out
    }

    #[test]
    fn segmenting_only_around_literal_occurrences_finds_what_the_whole_text_gives() {
        let seg = Segmenter::embedded();
        let texts = [
            "市民称：“城关派出所”、东湖派出所——均未出警。派出所所长说，派出的人在路上。",
            "GPS定位显示Police到了, police没下车;民警a.b_c说：派出所派出所派出所",
            "出所时间：昨天。派出 所 派出所。所派出所派出派出所所",
        ];
        let term_sets = [
            vec!["派出所"],
            vec!["派出"],
            vec!["police", "民警"],
            vec!["出所"],
            vec!["所", "派出所", "不存在"],
        ];
        for text in texts {
            let folded = crate::text::fold::fold(text);
            for words in &term_sets {
                let terms = terms(words);
                let fast = Highlighter::new(terms.clone()).match_ranges(&seg, text);
                let merged = merge_ranges(all_ranges(&seg, text, &terms));
                let as_chars: Vec<[usize; 2]> = merged
                    .iter()
                    .map(|&(s, e)| [folded[..s].chars().count(), folded[..e].chars().count()])
                    .collect();
                assert_eq!(fast, as_chars, "{text} / {words:?}");
            }
        }
    }

    #[test]
    fn traditional_and_full_width_text_is_highlighted_by_a_simplified_query() {
        let seg = Segmenter::embedded();
        let highlighter = Highlighter::new(seg.query_words("警察 gps").into_iter().collect());
        let snippet = highlighter.snippet(&seg, "昨晚警察說ＧＰＳ壞了", 100);
        assert_eq!(marked(&snippet), "昨晚[警察]說[ＧＰＳ]壞了");
    }

    #[test]
    fn no_terms_gives_the_beginning() {
        let seg = Segmenter::embedded();
        let snippet = Highlighter::new(HashSet::new()).snippet(&seg, "第一行\n第二行", 100);
        assert_eq!(snippet.text, "第一行 第二行");
        assert!(snippet.highlights.is_empty());
    }
}
