//! The complaint detector's lexicons: police terms, the category files and
//! the cues, from the binary or a dictionary folder, scanned in one pass;
//! and the function words it reads grievances by (negators, news markers).

use super::CUE_GROUPS;
use crate::analyze::lexicon::{Hit, Lexicon, LexiconError, Scanner, parse_entries};
use crate::model::CATEGORIES;
use std::path::Path;
use std::sync::LazyLock;

/// The detector's lexicons.
#[derive(Debug, Clone)]
pub struct ComplaintLexicons {
    pub(super) police: Lexicon,
    pub(super) categories: Lexicon,
    pub(super) cues: Lexicon,
    /// The three scanned in one pass.
    scanner: Scanner,
    /// Words that cancel a grievance right after them (没有, 并非, 诬陷).
    pub(super) negators: Vec<String>,
    /// Words that date or source a text as news (记者, 近日).
    pub(super) news_markers: Vec<String>,
}

macro_rules! category_files {
    ($($name:literal),*) => {
        [$(($name, include_str!(concat!("../../dictionaries/complaint/", $name, ".txt")))),*]
    };
}

/// The lexicon files compiled into the binary.
pub(super) const EMBEDDED_CATEGORY_FILES: [(&str, &str); 10] = category_files!(
    "attitude",
    "inaction",
    "unequal_treatment",
    "violence_or_abuse",
    "irregular_enforcement",
    "corruption",
    "slow_service",
    "case_handling",
    "community_absence",
    "other_police"
);
const EMBEDDED_POLICE: &str = include_str!("../../dictionaries/police_terms.txt");
const EMBEDDED_CUES: &str = include_str!("../../dictionaries/cues.txt");
const EMBEDDED_WORDS: &str = include_str!("../../dictionaries/detector_words.txt");

static EMBEDDED: LazyLock<ComplaintLexicons> = LazyLock::new(|| {
    ComplaintLexicons::parse(
        EMBEDDED_POLICE,
        &EMBEDDED_CATEGORY_FILES,
        EMBEDDED_CUES,
        EMBEDDED_WORDS,
    )
    .expect("embedded lexicons are checked by tests")
});

/// The groups of `detector_words.txt`.
const WORD_GROUPS: [&str; 2] = ["negator", "news"];

/// Parses `detector_words.txt`: `GROUP WORD` lines → (negators, news markers).
fn parse_words(text: &str) -> Result<(Vec<String>, Vec<String>), LexiconError> {
    const FILE: &str = "detector_words.txt";
    let mut groups: [Vec<String>; 2] = Default::default();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |message: String| LexiconError {
            file: FILE.to_string(),
            line: number + 1,
            message,
        };
        let (group, word) = match line.split(' ').collect::<Vec<_>>()[..] {
            [group, word] if !group.is_empty() && !word.is_empty() => (group, word),
            _ => {
                return Err(error(format!(
                    "expected `GROUP WORD` separated by one space, found {line:?}"
                )));
            }
        };
        let index = WORD_GROUPS
            .iter()
            .position(|g| *g == group)
            .ok_or_else(|| {
                error(format!(
                    "unknown group `{group}`: use one of {}",
                    WORD_GROUPS.join(", ")
                ))
            })?;
        if groups[index].iter().any(|w| w == word) {
            return Err(error(format!("{group} `{word}` is listed twice")));
        }
        groups[index].push(word.to_string());
    }
    let [negators, news] = groups;
    Ok((negators, news))
}

impl ComplaintLexicons {
    /// The lexicons compiled into the binary.
    pub fn embedded() -> &'static ComplaintLexicons {
        &EMBEDDED
    }

    /// Parses the police terms, the category files (`(category, text)` in
    /// [`CATEGORIES`] order), the cues and the detector's function words.
    pub fn parse(
        police: &str,
        categories: &[(&str, &str)],
        cues: &str,
        words: &str,
    ) -> Result<Self, LexiconError> {
        let (negators, news_markers) = parse_words(words)?;
        let police = parse_entries("police_terms.txt", police, None, 0)?;
        let mut category_entries = Vec::new();
        for (name, text) in categories {
            let index = CATEGORIES
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| LexiconError {
                    file: format!("complaint/{name}.txt"),
                    line: 0,
                    message: format!("`{name}` is not a complaint category"),
                })?;
            category_entries.extend(parse_entries(
                &format!("complaint/{name}.txt"),
                text,
                None,
                index,
            )?);
        }
        let cues = parse_entries("cues.txt", cues, Some(&CUE_GROUPS), 0)?;
        let police = Lexicon::new(police);
        let categories = Lexicon::new(category_entries);
        let cues = Lexicon::new(cues);
        let scanner = Scanner::new(&[&police, &cues, &categories]);
        Ok(ComplaintLexicons {
            police,
            categories,
            cues,
            scanner,
            negators,
            news_markers,
        })
    }

    /// The police, cue and category hits in `text`, in one scan.
    pub(super) fn scan(
        &self,
        text: &str,
        sentence_end: impl Fn(usize) -> usize,
    ) -> (Vec<Hit>, Vec<Hit>, Vec<Hit>) {
        let mut hits = self
            .scanner
            .find(
                &[&self.police, &self.cues, &self.categories],
                text,
                sentence_end,
            )
            .into_iter();
        let mut next = || hits.next().unwrap_or_default();
        (next(), next(), next())
    }

    /// Loads the files from a dictionary folder (`police_terms.txt`,
    /// `cues.txt`, `complaint/<category>.txt`, `detector_words.txt`).
    pub fn load_dir(dir: &Path) -> Result<Self, LexiconError> {
        let read = |name: &str| {
            crate::text::dictionary::read_dictionary_file(&dir.join(name)).map_err(|e| {
                LexiconError {
                    file: dir.join(name).display().to_string(),
                    line: 0,
                    message: e.to_string(),
                }
            })
        };
        let police = read("police_terms.txt")?;
        let cues = read("cues.txt")?;
        let mut files = Vec::new();
        for category in CATEGORIES {
            files.push((category, read(&format!("complaint/{category}.txt"))?));
        }
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(c, t)| (*c, t.as_str())).collect();
        let words = read("detector_words.txt")?;
        ComplaintLexicons::parse(&police, &borrowed, &cues, &words)
    }
}
