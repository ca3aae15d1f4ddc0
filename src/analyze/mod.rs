//! Analysis of one text: the police-conduct complaint detector with
//! categories, severity and evidence (`complaint`), sentiment (`sentiment`),
//! police units (`units`) and keywords (`keywords`). Stateless and shared:
//! build one [`Analyzer`] and call it from any thread.

pub mod complaint;
pub mod eval;
pub mod keywords;
pub mod lexicon;
pub mod prepare;
pub mod sentiment;
pub mod topics;
pub mod trend;
pub mod units;

#[cfg(test)]
mod tests;

use crate::model::{Analysis, Evidence, ItemKind};
use crate::text::Segmenter;
use crate::text::segment::DocTokens;
use complaint::{ComplaintLexicons, Detection};
use prepare::{Boundaries, Prepared};
use sentiment::SentimentLexicon;
use std::sync::Arc;

/// Texts are analysed up to this many bytes (bounded time on huge inputs).
pub const MAX_ANALYSIS_BYTES: usize = 1 << 20;
/// Longest title the detector reads (bytes).
const MAX_TITLE_BYTES: usize = 4096;
/// Keywords reported per text.
pub const KEYWORDS: usize = 8;
/// Units reported per text.
pub const UNITS: usize = 5;

/// Severity from which a complaint is `critical`.
pub const CRITICAL_FROM: u8 = 75;
/// … `high`.
pub const HIGH_FROM: u8 = 55;
/// … `medium`.
pub const MEDIUM_FROM: u8 = 30;

/// One text to analyse.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalyzeInput<'a> {
    /// The body.
    pub text: &'a str,
    /// The title, when there is one.
    pub title: Option<&'a str>,
    /// Post, news or petition, when known.
    pub kind: Option<ItemKind>,
    /// Copies of the same story seen (1 when unique).
    pub copies: usize,
}

/// Lexicons compiled into the binary (built once per process) or loaded
/// from a folder.
#[derive(Debug)]
enum Shared<T: 'static> {
    Embedded(&'static T),
    Loaded(Arc<T>),
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        match self {
            Shared::Embedded(value) => Shared::Embedded(value),
            Shared::Loaded(value) => Shared::Loaded(Arc::clone(value)),
        }
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Shared::Embedded(value) => value,
            Shared::Loaded(value) => value,
        }
    }
}

/// The analyser: segmenter (with the stopwords keywords use) and lexicons.
#[derive(Clone, Debug)]
pub struct Analyzer {
    segmenter: Segmenter,
    lexicons: Shared<ComplaintLexicons>,
    sentiment: Shared<SentimentLexicon>,
    units: Shared<units::UnitLexicon>,
    topics: Arc<topics::Topics>,
}

impl Analyzer {
    /// An analyser with the embedded lexicons over `segmenter`.
    pub fn new(segmenter: Segmenter) -> Analyzer {
        Analyzer {
            segmenter,
            lexicons: Shared::Embedded(ComplaintLexicons::embedded()),
            sentiment: Shared::Embedded(SentimentLexicon::embedded()),
            units: Shared::Embedded(units::UnitLexicon::embedded()),
            topics: Arc::default(),
        }
    }

    /// An analyser with the dictionaries of a folder (`[text]
    /// dictionary_dir`): `police_terms.txt`, `cues.txt`, `complaint/*.txt`,
    /// `sentiment.txt`, `units.txt`.
    pub fn from_dir(segmenter: Segmenter, dir: &std::path::Path) -> anyhow::Result<Analyzer> {
        let lexicons = ComplaintLexicons::load_dir(dir)?;
        let path = dir.join("sentiment.txt");
        let text = crate::text::dictionary::read_dictionary_file(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let sentiment = SentimentLexicon::parse(&text)?;
        let path = dir.join("units.txt");
        let text = crate::text::dictionary::read_dictionary_file(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let units = units::UnitLexicon::parse(&text)?;
        Ok(Analyzer {
            segmenter,
            lexicons: Shared::Loaded(Arc::new(lexicons)),
            sentiment: Shared::Loaded(Arc::new(sentiment)),
            units: Shared::Loaded(Arc::new(units)),
            topics: Arc::default(),
        })
    }

    /// The same analyser, tagging items with `topics` (see [`Analyzer::topics_of`]).
    pub fn with_topics(mut self, topics: topics::Topics) -> Analyzer {
        self.topics = Arc::new(topics);
        self
    }

    /// The watched topics `item` matches (percolation at ingest).
    pub fn topics_of(
        &self,
        item: &crate::model::Item,
        analysis: &Analysis,
        tokens: &DocTokens,
    ) -> Vec<String> {
        self.topics.matching(tokens, item, analysis)
    }

    /// The segmenter.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The full detection (scores, cues) for `input`, for evaluation.
    pub fn detect(&self, input: AnalyzeInput<'_>) -> (Detection, Prepared) {
        let (detection, body, _) = self.run(input, false);
        (detection, body)
    }

    /// Prepares, segments and runs the detector; the sentiment too when asked.
    fn run(&self, input: AnalyzeInput<'_>, with_sentiment: bool) -> (Detection, Prepared, f32) {
        let (detection, body, sentiment, _) = self.run_with_words(input, with_sentiment, |_, _| {});
        (detection, body, sentiment)
    }

    /// [`Analyzer::run`], handing the body's and the title's words to
    /// `words_seen` before they are dropped (so the story vector needs no
    /// segmentation of its own). With `full`, also the sentiment and the
    /// keywords, from the same tagged words: each text is segmented once.
    fn run_with_words(
        &self,
        input: AnalyzeInput<'_>,
        full: bool,
        mut words_seen: impl FnMut(&[crate::text::segment::Word<'_>], bool),
    ) -> (Detection, Prepared, f32, Vec<String>) {
        let text = crate::text::normalize::truncate_at_char(input.text, MAX_ANALYSIS_BYTES);
        let body = Prepared::new(text);
        let words = self.segmenter.tag(&body.text);
        words_seen(&words, false);
        let boundaries = Boundaries::new(
            body.text.len(),
            words.iter().map(|w| (w.byte_start, w.byte_end)),
        );
        let sentiment = if full {
            let word_refs: Vec<&str> = words.iter().map(|w| w.text).collect();
            sentiment::score(&self.sentiment, &word_refs)
        } else {
            0.0
        };
        let title_text = input
            .title
            .filter(|t| !t.trim().is_empty())
            .map(|t| Prepared::new(crate::text::normalize::truncate_at_char(t, MAX_TITLE_BYTES)));
        let title_words = title_text
            .as_ref()
            .map(|prepared| self.segmenter.tag(&prepared.text))
            .unwrap_or_default();
        let keywords = if full {
            keywords::extract(&self.segmenter, title_words.iter().chain(&words), KEYWORDS)
        } else {
            Vec::new()
        };
        drop(words);
        let title_boundaries = title_text.as_ref().map(|prepared| {
            words_seen(&title_words, true);
            Boundaries::new(
                prepared.text.len(),
                title_words.iter().map(|w| (w.byte_start, w.byte_end)),
            )
        });
        drop(title_words);
        let mut detection = complaint::detect(
            &self.lexicons,
            &body,
            &boundaries,
            title_text.as_ref().zip(title_boundaries.as_ref()),
        );
        if !detection.evidence.is_empty() {
            let chars: Vec<char> = text.chars().collect();
            for evidence in &mut detection.evidence {
                evidence.text = chars[evidence.start..evidence.end].iter().collect();
            }
        }
        (detection, body, sentiment, keywords)
    }

    /// Analyses one text.
    pub fn analyze(&self, input: AnalyzeInput<'_>) -> Analysis {
        self.analyze_with(input, |_, _| {})
    }

    /// Analyses one text and, from the same segmentation, computes its
    /// story vector and its index tokens (for storing: the text is segmented
    /// once for the detector, the keywords, the story and the index).
    pub fn analyze_for_store(
        &self,
        input: AnalyzeInput<'_>,
    ) -> (Analysis, crate::dedup::story::StoryVector, DocTokens) {
        let mut tokens = DocTokens::default();
        // The analysis reads at most the first MAX_ANALYSIS_BYTES of a body
        // (and MAX_TITLE_BYTES of a title); the index takes all of it.
        let body_whole = input.text.len() <= MAX_ANALYSIS_BYTES;
        let title_whole = input.title.is_none_or(|t| t.len() <= MAX_TITLE_BYTES);
        let analysis = self.analyze_with(input, |seen, is_title| match is_title {
            true if title_whole => tokens.title = self.segmenter.pack_index_tokens_of(seen),
            false if body_whole => tokens.body = self.segmenter.pack_index_tokens_of(seen),
            _ => {}
        });
        if !body_whole {
            tokens.body = self.segmenter.pack_index_tokens(input.text);
        }
        if !title_whole {
            tokens.title = self
                .segmenter
                .pack_index_tokens(input.title.unwrap_or_default());
        }
        let vector = crate::dedup::story::StoryVector::from_tokens(&self.segmenter, tokens.words());
        (analysis, vector, tokens)
    }

    fn analyze_with(
        &self,
        input: AnalyzeInput<'_>,
        words_seen: impl FnMut(&[crate::text::segment::Word<'_>], bool),
    ) -> Analysis {
        let (detection, body, sentiment, keywords) = self.run_with_words(input, true, words_seen);
        let units = units::main_units(&self.units, &body.text, UNITS);
        let severity = if detection.flagged {
            severity(&detection, sentiment, input, !units.is_empty())
        } else {
            0
        };
        let about_police = detection.about_police() || !units.is_empty();
        Analysis {
            flagged: detection.flagged,
            categories: detection.categories.iter().map(|c| c.to_string()).collect(),
            severity,
            level: level(severity).to_string(),
            sentiment: (f64::from(sentiment) * 100.0).round() / 100.0,
            evidence: if detection.flagged {
                detection.evidence
            } else {
                Vec::<Evidence>::new()
            },
            about_police: Some(about_police),
            units,
            keywords,
            topics: Vec::new(),
        }
    }

    /// For a petition: also about police when the unit that replied is a
    /// police unit (the units extractor's judgement, as for the text's
    /// `units`). The board took the letter for police business — a noise
    /// complaint forwarded to a 派出所 — whatever its words, so a reply
    /// that is only boilerplate is the police's. Leaves the analysis as it
    /// is otherwise.
    pub fn petition_about_police(&self, analysis: &mut Analysis, reply_unit: Option<&str>) {
        if analysis.about_police == Some(true) {
            return;
        }
        if reply_unit.is_some_and(|unit| !units::find_units(&self.units, unit).is_empty()) {
            analysis.about_police = Some(true);
        }
    }
}

/// Base severity of each category (in `CATEGORIES` order).
const CATEGORY_SEVERITY: [f32; 10] = [30.0, 35.0, 40.0, 60.0, 45.0, 60.0, 20.0, 30.0, 15.0, 35.0];

/// Severity 0–100 of a complaint: the main category's base, the strength
/// of the grievance, critical cues (violence with injury, extortion,
/// unlawful detention), negative sentiment, a petition naming a unit, and
/// the story's spread.
fn severity(
    detection: &Detection,
    sentiment: f32,
    input: AnalyzeInput<'_>,
    names_unit: bool,
) -> u8 {
    let main = detection
        .categories
        .first()
        .and_then(|c| crate::model::CATEGORIES.iter().position(|x| x == c))
        .unwrap_or(9);
    let grievance: f32 = detection.category_scores.iter().sum();
    let mut severity = CATEGORY_SEVERITY[main] + 6.0 * (1.0 + grievance).ln();
    let violence = detection.category_scores[3];
    let corruption = detection.category_scores[5];
    if violence >= 4.0 || corruption >= 4.0 || detection.cues[complaint::CRITICAL] >= 1.0 {
        severity = severity.max(CRITICAL_FROM as f32);
    }
    if sentiment < 0.0 {
        severity += 10.0 * -sentiment;
    }
    if input.kind == Some(ItemKind::Petition) && names_unit {
        severity += 5.0;
    }
    if input.copies > 1 {
        severity += 5.0 * (input.copies as f32).log2();
    }
    severity.clamp(1.0, 100.0).round() as u8
}

/// The level of a severity.
pub fn level(severity: u8) -> &'static str {
    match severity {
        s if s >= CRITICAL_FROM => "critical",
        s if s >= HIGH_FROM => "high",
        s if s >= MEDIUM_FROM => "medium",
        _ => "low",
    }
}
