//! The unit extractor's vocabulary: `dictionaries/units.txt` parsed and
//! checked (its header gives the format), and the look-up tables built
//! from it.

use crate::analyze::lexicon::LexiconError;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::fmt;
use std::sync::OnceLock;

/// The file compiled into the binary.
const EMBEDDED: &str = include_str!("../../dictionaries/units.txt");

// Ranks, for joining a nameless sub-unit to the unit before it.
pub(super) const POST: u8 = 0;
pub(super) const STATION: u8 = 1;
pub(super) const BRIGADE: u8 = 2;
pub(super) const DETACHMENT: u8 = 3;
pub(super) const SUB_BUREAU: u8 = 4;
pub(super) const BUREAU: u8 = 5;
pub(super) const MINISTRY: u8 = 6;

/// What a suffix needs before it to be a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rule {
    /// A place prefix.
    Named,
    /// Nothing: a mention on its own, with a prefix if there is one.
    Standalone,
    /// A place prefix that starts right after a 公安局-level suffix (分局).
    NeedsParent,
    /// A place prefix ending in 公安/警务/警情 (指挥中心).
    PoliceOnly,
    /// Part of the unit right before it (三大队), or a place prefix that
    /// starts right after a higher unit (`交警支队` + `高速三大队`).
    AttachOnly,
}

/// A literal unit suffix.
pub(super) struct Literal {
    pub(super) rank: u8,
    pub(super) rule: Rule,
    /// Characters that must not follow (公安处|理 is not a unit).
    pub(super) not_before: Vec<char>,
}

/// The unit extractor's vocabulary, ready for the scanner:
/// [`UnitLexicon::embedded`] is `dictionaries/units.txt` as compiled in,
/// [`UnitLexicon::parse`] reads an edited copy.
pub struct UnitLexicon {
    /// First characters of the suffixes and the squad kinds.
    pub(super) first_chars: HashSet<char>,
    /// Literal suffixes, longest first.
    pub(super) literals: Vec<(Vec<char>, Literal)>,
    /// Squad kinds, longest first; `true` when a bare 队 may follow.
    pub(super) kinds: Vec<(Vec<char>, bool)>,
    /// What ends a squad, in file order, with its rank.
    pub(super) squad_types: Vec<(Vec<char>, u8)>,
    pub(super) boundary_chars: HashSet<char>,
    /// Boundary words, keyed by their last character.
    pub(super) boundary_words: HashMap<char, Vec<Vec<char>>>,
    /// Allowed places, keyed by each boundary character they contain,
    /// with its offset in the word.
    pub(super) allowed: HashMap<char, Vec<(Vec<char>, usize)>>,
    pub(super) generic: HashSet<Vec<char>>,
    pub(super) police_after: Vec<Vec<char>>,
}

impl fmt::Debug for UnitLexicon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitLexicon")
            .field("suffixes", &self.literals.len())
            .field("squad_kinds", &self.kinds.len())
            .finish_non_exhaustive()
    }
}

impl UnitLexicon {
    /// The vocabulary compiled into the binary, parsed on first use (a
    /// unit test parses it, so a broken file cannot ship).
    pub fn embedded() -> &'static UnitLexicon {
        static EMBEDDED_LEXICON: OnceLock<UnitLexicon> = OnceLock::new();
        EMBEDDED_LEXICON.get_or_init(|| {
            UnitLexicon::parse(EMBEDDED)
                .unwrap_or_else(|error| panic!("embedded unit vocabulary: {error}"))
        })
    }

    /// Parses the format in the file's header; the first unusable line (an
    /// unknown group, rank or rule, a wrong field count, an entry seen
    /// before in its group) is the error.
    pub fn parse(text: &str) -> Result<UnitLexicon, LexiconError> {
        parse(text)
    }
}

fn rank_of(name: &str) -> Option<u8> {
    Some(match name {
        "post" => POST,
        "station" => STATION,
        "brigade" => BRIGADE,
        "detachment" => DETACHMENT,
        "sub_bureau" => SUB_BUREAU,
        "bureau" => BUREAU,
        "ministry" => MINISTRY,
        _ => return None,
    })
}

fn rule_of(name: &str) -> Option<Rule> {
    Some(match name {
        "named" => Rule::Named,
        "standalone" => Rule::Standalone,
        "needs_parent" => Rule::NeedsParent,
        "police_only" => Rule::PoliceOnly,
        _ => return None,
    })
}

fn parse(text: &str) -> Result<UnitLexicon, LexiconError> {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let mut literals = Vec::new();
    let mut kinds = Vec::new();
    let mut squad_types = Vec::new();
    let mut boundary_chars = HashSet::default();
    let mut boundary_words: Vec<Vec<char>> = Vec::new();
    let mut allowed_words: Vec<Vec<char>> = Vec::new();
    let mut generic = HashSet::default();
    let mut police_after = Vec::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::default();
    for (index, line) in text.lines().enumerate() {
        let error = |message: String| LexiconError {
            file: "units.txt".to_string(),
            line: index + 1,
            message,
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.iter().any(|f| f.is_empty()) {
            return Err(error(format!(
                "expected fields separated by single spaces, found {line:?}"
            )));
        }
        let (group, entry, rest) = match fields[..] {
            [group, entry, ref rest @ ..] => (group, entry, rest),
            _ => return Err(error(format!("expected `GROUP ENTRY …`, found {line:?}"))),
        };
        let expect_fields = |wanted: std::ops::RangeInclusive<usize>, form: &str| {
            if wanted.contains(&rest.len()) {
                Ok(())
            } else {
                Err(error(format!("expected `{form}`, found {line:?}")))
            }
        };
        if !seen.insert((group, entry)) {
            return Err(error(format!("{group} {entry:?} is listed twice")));
        }
        match group {
            "suffix" => {
                expect_fields(2..=3, "suffix TEXT RANK RULE [NOT_BEFORE]")?;
                let rank =
                    rank_of(rest[0]).ok_or_else(|| error(format!("unknown rank {:?}", rest[0])))?;
                let rule = rule_of(rest[1]).ok_or_else(|| {
                    error(format!(
                        "unknown rule {:?} (expected named, standalone, needs_parent or police_only)",
                        rest[1]
                    ))
                })?;
                let not_before = rest.get(2).map(|s| chars(s)).unwrap_or_default();
                literals.push((
                    chars(entry),
                    Literal {
                        rank,
                        rule,
                        not_before,
                    },
                ));
            }
            "squad" => {
                expect_fields(1..=1, "squad KIND bare|-")?;
                let bare = match rest[0] {
                    "bare" => true,
                    "-" => false,
                    other => return Err(error(format!("expected bare or -, found {other:?}"))),
                };
                kinds.push((chars(entry), bare));
            }
            "squad_type" => {
                expect_fields(1..=1, "squad_type TEXT RANK")?;
                let rank =
                    rank_of(rest[0]).ok_or_else(|| error(format!("unknown rank {:?}", rest[0])))?;
                squad_types.push((chars(entry), rank));
            }
            "boundary_char" => {
                expect_fields(0..=0, "boundary_char C")?;
                let mut it = entry.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) => boundary_chars.insert(c),
                    _ => return Err(error(format!("expected one character, found {entry:?}"))),
                };
            }
            "boundary_word" | "allowed_place" | "generic_prefix" | "police_after" => {
                expect_fields(0..=0, &format!("{group} WORD"))?;
                let word = chars(entry);
                match group {
                    "boundary_word" => boundary_words.push(word),
                    "allowed_place" => allowed_words.push(word),
                    "generic_prefix" => {
                        generic.insert(word);
                    }
                    _ => police_after.push(word),
                }
            }
            other => {
                return Err(error(format!(
                    "unknown group {other:?} (expected suffix, squad, squad_type, boundary_char, \
                     boundary_word, allowed_place, generic_prefix or police_after)"
                )));
            }
        }
    }
    // Longest first; equal lengths keep the file's order.
    literals.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
    kinds.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
    let first_chars = literals
        .iter()
        .map(|(c, _)| c[0])
        .chain(kinds.iter().map(|(c, _)| c[0]))
        .collect();
    let mut by_last: HashMap<char, Vec<Vec<char>>> = HashMap::default();
    for word in boundary_words {
        by_last.entry(word[word.len() - 1]).or_default().push(word);
    }
    let mut allowed: HashMap<char, Vec<(Vec<char>, usize)>> = HashMap::default();
    for word in allowed_words {
        for (offset, c) in word.iter().enumerate() {
            if boundary_chars.contains(c) {
                allowed.entry(*c).or_default().push((word.clone(), offset));
            }
        }
    }
    Ok(UnitLexicon {
        first_chars,
        literals,
        kinds,
        squad_types,
        boundary_chars,
        boundary_words: by_last,
        allowed,
        generic,
        police_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_vocabulary_parses_with_every_group() {
        let t = parse(EMBEDDED).unwrap();
        assert!(t.literals.len() >= 30 && t.kinds.len() >= 20);
        assert_eq!(t.squad_types.len(), 4);
        assert!(t.boundary_chars.contains(&'到') && !t.allowed.is_empty());
        assert!(t.generic.contains(&vec!['社', '区']));
        assert!(!t.police_after.is_empty() && !t.boundary_words.is_empty());
        // Longest first, so 强制隔离戒毒所 is tried before 戒毒所.
        assert!(t.literals.windows(2).all(|w| w[0].0.len() >= w[1].0.len()));
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let cases = [
            ("suffix 派出所 station\n", "expected `suffix TEXT RANK RULE"),
            ("suffix 派出所 village named\n", "unknown rank \"village\""),
            ("suffix 派出所 station nameless\n", "unknown rule"),
            ("squad 交警 yes\n", "expected bare or -"),
            ("boundary_char 到去\n", "expected one character"),
            ("boundary_word  投诉\n", "single spaces"),
            ("# c\nplace 和平\n", "unknown group \"place\""),
            ("boundary_word 投诉\nboundary_word 投诉\n", "listed twice"),
        ];
        for (text, wanted) in cases {
            let error = parse(text)
                .err()
                .unwrap_or_else(|| panic!("{text:?} parsed"));
            assert!(error.to_string().contains(wanted), "{text:?}: {error}");
        }
        let error = parse("# c\nplace 和平\n").err().unwrap();
        assert_eq!(error.line, 2);
        assert!(error.to_string().starts_with("units.txt:2: "));
    }
}
