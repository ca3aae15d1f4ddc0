//! Weighted pattern lexicons for the detector, read from `dictionaries/`:
//! a pattern is a word, or parts joined by `…` that must appear in order in
//! one sentence with at most [`MAX_GAP_CHARS`] characters between them.
//! All first parts go into one Aho–Corasick automaton, so a text is scanned
//! once per lexicon whatever its size — or once for several lexicons
//! ([`Scanner`]).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::ops::Range;
use thiserror::Error;

/// Largest gap, in characters, between the parts of a `…` pattern.
pub const MAX_GAP_CHARS: usize = 12;
/// The gap marker in patterns (U+2026).
pub const GAP: char = '…';

/// A lexicon line that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}: {message}")]
pub struct LexiconError {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One pattern with its label and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The parts of the pattern (one for a plain word).
    pub parts: Vec<String>,
    /// Label index (category or cue group), as given by the loader.
    pub label: usize,
    /// Weight.
    pub weight: f32,
    /// The words describe an act anyone can commit (殴打, 醉驾): they count
    /// fully only when a police term is their subject.
    pub needs_agent: bool,
}

/// The optional last field of a category entry that marks [`Entry::needs_agent`].
pub const AGENT_FLAG: &str = "agent";

/// A match of an entry in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index of the entry.
    pub entry: usize,
    /// Label of the entry.
    pub label: usize,
    /// Weight of the entry.
    pub weight: f32,
    /// Byte range in the text, from the first part's start to the last part's end.
    pub span: Range<usize>,
}

/// A compiled lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Vec<Entry>,
    automaton: AhoCorasick,
}

/// Parses lines of `PATTERN WEIGHT` (or `LABEL PATTERN WEIGHT` when
/// `labels` is given: the label must be one of them) into entries labelled
/// `default_label`.
pub fn parse_entries(
    file: &str,
    text: &str,
    labels: Option<&[&str]>,
    default_label: usize,
) -> Result<Vec<Entry>, LexiconError> {
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |message: String| LexiconError {
            file: file.to_string(),
            line: number + 1,
            message,
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (label, pattern, weight, needs_agent) = match (labels, fields.as_slice()) {
            (None, [pattern, weight]) => (default_label, *pattern, *weight, false),
            (None, [pattern, weight, flag]) if *flag == AGENT_FLAG => {
                (default_label, *pattern, *weight, true)
            }
            (Some(labels), [label, pattern, weight]) => {
                let index = labels.iter().position(|l| l == label).ok_or_else(|| {
                    error(format!(
                        "unknown group `{label}`: use one of {}",
                        labels.join(", ")
                    ))
                })?;
                (index, *pattern, *weight, false)
            }
            (None, _) => {
                return Err(error(
                    "expected `PATTERN WEIGHT` or `PATTERN WEIGHT agent`".into(),
                ));
            }
            (Some(_), _) => return Err(error("expected `GROUP PATTERN WEIGHT`".into())),
        };
        let weight: f32 = weight
            .parse()
            .ok()
            .filter(|w: &f32| w.is_finite() && *w > 0.0)
            .ok_or_else(|| error(format!("weight `{weight}` is not a positive number")))?;
        let parts: Vec<String> = pattern.split(GAP).map(str::to_string).collect();
        if parts.iter().any(String::is_empty) {
            return Err(error(format!(
                "pattern `{pattern}` has an empty part around `…`"
            )));
        }
        entries.push(Entry {
            parts,
            label,
            weight,
            needs_agent,
        });
    }
    Ok(entries)
}

impl Lexicon {
    /// Compiles entries.
    pub fn new(entries: Vec<Entry>) -> Lexicon {
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(entries.iter().map(|e| e.parts[0].as_str()))
            .expect("lexicon patterns compile");
        Lexicon { entries, automaton }
    }

    /// The entries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every match in `text`; `sentence_end(at)` gives the end (byte) of the
    /// sentence containing byte `at`, so that `…` patterns stay inside it.
    pub fn find(&self, text: &str, sentence_end: impl Fn(usize) -> usize) -> Vec<Hit> {
        self.automaton
            .find_overlapping_iter(text)
            .filter_map(|found| {
                self.hit(
                    found.pattern().as_usize(),
                    found.start()..found.end(),
                    text,
                    &sentence_end,
                )
            })
            .collect()
    }

    /// The hit of entry `index` whose first part was found at `first`
    /// (`None` when its other parts do not follow).
    fn hit(
        &self,
        index: usize,
        first: Range<usize>,
        text: &str,
        sentence_end: &impl Fn(usize) -> usize,
    ) -> Option<Hit> {
        let entry = &self.entries[index];
        let span = if entry.parts.len() == 1 {
            first
        } else {
            let end = follow_parts(
                text,
                &entry.parts[1..],
                first.end,
                sentence_end(first.start),
            )?;
            first.start..end
        };
        Some(Hit {
            entry: index,
            label: entry.label,
            weight: entry.weight,
            span,
        })
    }
}

/// Several lexicons scanned in one pass: one automaton over all their
/// first parts, each match handed to its lexicon. Gives each lexicon the
/// hits its own [`Lexicon::find`] gives, in the same order (an overlapping
/// scan reports matches by end, the longer first at the same end, whatever
/// other patterns the automaton holds).
#[derive(Debug, Clone)]
pub struct Scanner {
    automaton: AhoCorasick,
    /// Index of each lexicon's first pattern in the automaton, plus the total.
    starts: Vec<usize>,
}

impl Scanner {
    /// A scanner over `lexicons` (hits come back in this order).
    pub fn new(lexicons: &[&Lexicon]) -> Scanner {
        let mut starts = vec![0];
        for lexicon in lexicons {
            starts.push(starts.last().copied().unwrap_or(0) + lexicon.entries.len());
        }
        // A contiguous NFA, not a DFA: over a few thousand Chinese patterns
        // the DFA's table (states × byte classes) is large and nearly every
        // byte scanned missed the cache; the NFA's dense root and compact
        // states stay in it (the analysis ran 5 % faster).
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(
                lexicons
                    .iter()
                    .flat_map(|l| l.entries.iter().map(|e| e.parts[0].as_str())),
            )
            .expect("lexicon patterns compile");
        Scanner { automaton, starts }
    }

    /// The hits of each of `lexicons` (those given to [`Scanner::new`]) in
    /// `text`, as [`Lexicon::find`] would give them one by one.
    pub fn find(
        &self,
        lexicons: &[&Lexicon],
        text: &str,
        sentence_end: impl Fn(usize) -> usize,
    ) -> Vec<Vec<Hit>> {
        assert_eq!(
            lexicons.len() + 1,
            self.starts.len(),
            "the scanner's lexicons"
        );
        let mut hits: Vec<Vec<Hit>> = vec![Vec::new(); lexicons.len()];
        for found in self.automaton.find_overlapping_iter(text) {
            let pattern = found.pattern().as_usize();
            let which = self.starts.partition_point(|&start| start <= pattern) - 1;
            let index = pattern - self.starts[which];
            if let Some(hit) =
                lexicons[which].hit(index, found.start()..found.end(), text, &sentence_end)
            {
                hits[which].push(hit);
            }
        }
        hits
    }
}

/// Finds `parts` in order after byte `from`, each within the gap limit and
/// before `limit`; returns the end of the last part.
fn follow_parts(text: &str, parts: &[String], mut from: usize, limit: usize) -> Option<usize> {
    for part in parts {
        let window_end = advance_chars(text, from, MAX_GAP_CHARS + part.chars().count()).min(limit);
        let window = text.get(from..window_end)?;
        let at = window.find(part.as_str())?;
        from = from + at + part.len();
    }
    Some(from)
}

/// Byte offset `chars` characters after `from` (or the end of the text).
fn advance_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(at, _)| from + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(text: &str) -> Lexicon {
        Lexicon::new(parse_entries("t.txt", text, None, 0).unwrap())
    }

    #[test]
    fn words_and_gapped_patterns_match_inside_one_sentence() {
        let lexicon = lexicon("推诿 2\n报警…没人来 3\n");
        let text = "我报警三次都没人来，民警推诿。报警了。明天没人来";
        let end = |at: usize| text[at..].find('。').map_or(text.len(), |i| at + i);
        let hits: Vec<&str> = lexicon
            .find(text, end)
            .iter()
            .map(|h| &text[h.span.clone()])
            .collect();
        assert_eq!(hits, vec!["报警三次都没人来", "推诿"]);
    }

    #[test]
    fn gaps_are_limited() {
        let lexicon = lexicon("报警…没人来 3\n");
        let text = format!("报警{}没人来", "等".repeat(MAX_GAP_CHARS + 1));
        assert!(lexicon.find(&text, |_| text.len()).is_empty());
        let text = format!("报警{}没人来", "等".repeat(MAX_GAP_CHARS));
        assert_eq!(lexicon.find(&text, |_| text.len()).len(), 1);
    }

    #[test]
    fn bad_lines_are_named() {
        let error = parse_entries("x.txt", "# c\n推诿 two\n", None, 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.txt:2: weight `two` is not a positive number"
        );
        let error =
            parse_entries("c.txt", "praise 点赞 1\nfoo 好 1\n", Some(&["praise"]), 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "c.txt:2: unknown group `foo`: use one of praise"
        );
        let error = parse_entries("x.txt", "报警……没人 1\n", None, 0).unwrap_err();
        assert!(error.message.contains("empty part"));
    }
}
