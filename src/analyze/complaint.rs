//! The police-conduct complaint detector.
//!
//! A text is a complaint when grievances are attached to police. The
//! detector reads the prepared text sentence by sentence:
//!
//! 1. **Police presence**: police terms (`dictionaries/police_terms.txt`);
//!    short terms count only on jieba word boundaries (民警 is not in 市民警惕).
//! 2. **Grievances**: category lexicons (`dictionaries/complaint/*.txt`),
//!    counted with an attachment factor — full when the sentence names
//!    police, less when a neighbouring sentence does, little when police are
//!    only somewhere in the text, and damped when the sentence is about
//!    another department. A grievance negated in its clause (没有推诿,
//!    并非殴打; the negators are in `dictionaries/detector_words.txt`) does
//!    not count; a yes/no question counts less; repeats of
//!    one pattern count less each time.
//! 3. **Cues** (`dictionaries/cues.txt`): admissions (停职, 道歉) and
//!    complaint framing raise the score; praise, announcements, refutations,
//!    attacks on police and fiction lower it.
//!
//! The score is a weighted sum; the weights below are named constants,
//! tuned on the development set and texts we wrote. The main category is
//! the one with the largest grievance score. Every contribution keeps its
//! span, which becomes the evidence.

use super::lexicon::{Hit, Lexicon};
use super::prepare::{Boundaries, Prepared};
use crate::model::CATEGORIES;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

#[path = "complaint_lexicons.rs"]
mod lexicons;
pub use lexicons::ComplaintLexicons;

/// Cue groups of `dictionaries/cues.txt`.
pub const CUE_GROUPS: [&str; 10] = [
    "praise",
    "announcement",
    "refuted",
    "attack_on_police",
    "fiction",
    "admission",
    "other_dept",
    "complaint_frame",
    "enforcement",
    "critical",
];
const REFUTED: usize = 2;
const ATTACK: usize = 3;
const FICTION: usize = 4;
const ADMISSION: usize = 5;
const OTHER_DEPT: usize = 6;
const FRAME: usize = 7;
/// Police doing their job (抓获, 查处, 依法刑拘): generic grievance words in
/// such a sentence describe the suspect's act, not the officers'.
const ENFORCEMENT: usize = 8;
/// Harm that makes a complaint critical (death, serious injury, extortion,
/// unlawful detention) — counted only with police as the subject.
pub const CRITICAL: usize = 9;

/// Attachment of a grievance in a sentence that names police.
const ATTACH_SAME_SENTENCE: f32 = 1.0;
/// … in a sentence next to one that names police.
const ATTACH_NEIGHBOUR: f32 = 0.6;
/// … in a sentence that names police only after it (they handle it).
const ATTACH_POLICE_AFTER: f32 = 0.4;
/// Bytes before a grievance in which a police term counts as its agent.
const AGENT_WINDOW_BYTES: usize = 60;
/// … for a weak (generic) grievance word: the police term must be its subject.
const WEAK_AGENT_WINDOW_BYTES: usize = 30;
/// Most that generic act words without a police subject add up to.
const GENERIC_CAP: f32 = 1.5;
/// … elsewhere in a text that is mostly about police.
const ATTACH_POLICE_TEXT: f32 = 0.3;
/// Police weight that makes a text "mostly about police".
const POLICE_TEXT_WEIGHT: f32 = 8.0;
/// Damping of a grievance in a sentence about another department only.
const OTHER_DEPARTMENT_DAMPING: f32 = 0.3;
/// Damping of a grievance in a yes/no question.
const QUESTION_DAMPING: f32 = 0.7;
/// Weight of the title's grievances relative to the body's.
const TITLE_FACTOR: f32 = 1.5;
/// Cue weights in the final score.
/// (Fiction acts through the reading factor, not per word: one 剧情 in a
/// post is no evidence.)
const CUE_WEIGHTS: [f32; 10] = [-0.8, -0.6, -1.5, -1.0, 0.0, 0.6, 0.0, 0.4, 0.0, 0.0];
/// Evidence spans reported per text.
const MAX_EVIDENCE: usize = 8;
/// Most of one cue group's total that counts in the score.
const CUE_CAP: f32 = 5.0;
/// A cue group this strong changes how the whole text is read.
const DOMINANT_CUE: f32 = 3.0;
/// Fiction cues needed to read a text as fiction (one 小说 or 剧情 in a
/// news item is not enough).
const FICTION_CUE: f32 = 6.0;
/// Grievance kept in a text that reports the allegation refuted.
const REFUTED_READING: f32 = 0.35;
/// Dialogue marks from which undated third-person prose reads as fiction.
const FICTION_DIALOGUE_MARKS: usize = 3;
/// Grievance kept in fiction.
const FICTION_READING: f32 = 0.1;
/// Least grievance kept in a text mostly about another department.
const OTHER_DEPARTMENT_READING: f32 = 0.3;
/// Grievance kept in a report of an attack on police.
const ATTACK_READING: f32 = 0.5;
/// Least police weight in a text for it to be about police at all.
pub const MIN_POLICE_WEIGHT: f32 = 2.0;
/// Least score for a complaint.
pub const FLAG_THRESHOLD: f32 = 2.5;
/// Characters of clause before a grievance searched for a negator.
const NEGATION_WINDOW_CHARS: usize = 4;

pub use crate::model::Evidence;

/// True when a term that starts or ends with an ASCII letter or digit (110,
/// 12345 hotline, SWAT) is only part of a longer run of them: 110 in a ticket
/// number 2026110098 or in 1100元 names no police.
fn inside_a_number_or_word(text: &str, span: &std::ops::Range<usize>) -> bool {
    let term = &text[span.clone()];
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    (alnum(term.chars().next()) && alnum(text[..span.start].chars().next_back()))
        || (alnum(term.chars().next_back()) && alnum(text[span.end..].chars().next()))
}

/// What the detector found.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// A complaint about police conduct.
    pub flagged: bool,
    /// Categories, main first (empty when not flagged).
    pub categories: Vec<&'static str>,
    /// The complaint score (compare with [`FLAG_THRESHOLD`]).
    pub score: f32,
    /// Grievance score per category.
    pub category_scores: [f32; 10],
    /// Total police weight.
    pub police_weight: f32,
    /// Cue group totals.
    pub cues: [f32; 10],
    /// Spans behind the decision, strongest first.
    pub evidence: Vec<Evidence>,
    /// Weight already given to generic act words without a police subject
    /// (title and body share the [`GENERIC_CAP`]).
    unattributed_generic: f32,
}

impl Detection {
    /// True when the text is about police at all: its police weight (title
    /// and body) reaches [`MIN_POLICE_WEIGHT`]. A complaint must be; the
    /// review pass also asks it of petitions (a mayor's-board letter about a
    /// kindergarten is not the office's business).
    pub fn about_police(&self) -> bool {
        self.police_weight >= MIN_POLICE_WEIGHT
    }
}

struct Contribution {
    label: String,
    weight: f32,
    span: std::ops::Range<usize>,
}

/// Runs the detector on a prepared body and, when there is one, the
/// prepared title with its word boundaries (the title's grievances weigh
/// `TITLE_FACTOR` (1.5) times more; evidence comes from the body only).
/// `boundaries` are the jieba word boundaries of `body.text`.
pub fn detect(
    lexicons: &ComplaintLexicons,
    body: &Prepared,
    boundaries: &Boundaries,
    title: Option<(&Prepared, &Boundaries)>,
) -> Detection {
    let mut detection = Detection::default();
    let mut contributions = Vec::new();
    score_text(
        lexicons,
        body,
        boundaries,
        1.0,
        &mut detection,
        Some(&mut contributions),
    );
    if let Some((title, title_boundaries)) = title {
        score_text(
            lexicons,
            title,
            title_boundaries,
            TITLE_FACTOR,
            &mut detection,
            None,
        );
    }
    let grievance: f32 = detection.category_scores.iter().sum();
    // One strong cue group must not swamp everything: a fallen officer's
    // old awards (praise) do not cancel the corruption case.
    let cue_total: f32 = detection
        .cues
        .iter()
        .zip(CUE_WEIGHTS)
        .map(|(v, w)| v.min(CUE_CAP) * w)
        .sum();
    // A text that says the allegation was refuted, that is fiction, or that
    // reports an attack on police reads its grievance words differently.
    let mut reading = 1.0;
    let refuted = detection.cues[REFUTED];
    if refuted > detection.cues[ADMISSION] {
        if refuted >= 2.0 * DOMINANT_CUE {
            reading *= REFUTED_READING;
        } else if refuted >= DOMINANT_CUE {
            reading *= (1.0 + REFUTED_READING) / 2.0;
        }
    }
    if grievance > 0.0
        && (detection.cues[FICTION] >= FICTION_CUE
            || reads_like_fiction(&body.text, &lexicons.news_markers))
    {
        reading *= FICTION_READING;
    }
    // Mostly about another department (保安, 物业, 学校): police appear as
    // the ones called in.
    let other = detection.cues[OTHER_DEPT];
    if other > detection.police_weight && other > 0.0 {
        reading *= (detection.police_weight / other).max(OTHER_DEPARTMENT_READING);
    }
    if detection.cues[ATTACK] >= DOMINANT_CUE && detection.cues[ATTACK] * 2.0 >= grievance {
        reading *= ATTACK_READING;
    }
    detection.score = grievance * reading + cue_total;
    detection.flagged = detection.about_police() && detection.score >= FLAG_THRESHOLD;
    if detection.flagged {
        let mut ranked: Vec<(usize, f32)> = detection
            .category_scores
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, s)| *s > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = ranked.first().map_or(0.0, |r| r.1);
        detection.categories = ranked
            .iter()
            .filter(|(_, s)| *s >= (0.4 * top).max(1.0))
            .map(|(i, _)| CATEGORIES[*i])
            .collect();
        if detection.categories.is_empty() {
            detection.categories.push("other_police");
        }
    }
    contributions.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(a.span.start.cmp(&b.span.start))
    });
    let mut chosen: Vec<std::ops::Range<usize>> = Vec::new();
    for contribution in contributions {
        let overlaps = chosen
            .iter()
            .any(|c| c.start < contribution.span.end && contribution.span.start < c.end);
        if detection.evidence.len() >= MAX_EVIDENCE || overlaps {
            continue;
        }
        chosen.push(contribution.span.clone());
        let start = body.char_index(contribution.span.start);
        let end = body.char_index(contribution.span.end);
        detection.evidence.push(Evidence {
            category: contribution.label,
            text: String::new(),
            start,
            end,
        });
    }
    detection
}

fn score_text(
    lexicons: &ComplaintLexicons,
    prepared: &Prepared,
    boundaries: &Boundaries,
    factor: f32,
    detection: &mut Detection,
    mut contributions: Option<&mut Vec<Contribution>>,
) {
    let text = prepared.text.as_str();
    let sentence_end = |at: usize| prepared.sentence_end(at);
    let sentences = prepared.sentences.len();
    let mut police_in_sentence = vec![0.0f32; sentences];
    let mut police_spans: Vec<std::ops::Range<usize>> = Vec::new();
    let (police_hits, cue_hits, mut category_hits) = lexicons.scan(text, sentence_end);
    for hit in police_hits {
        let short = text[hit.span.clone()].chars().count() <= 2;
        if short && !(boundaries.contains(hit.span.start) && boundaries.contains(hit.span.end)) {
            continue;
        }
        if inside_a_number_or_word(text, &hit.span) {
            continue;
        }
        if let Some(i) = prepared.sentence_of(hit.span.start) {
            police_in_sentence[i] += hit.weight;
            police_spans.push(hit.span.clone());
        }
    }
    police_spans.sort_by_key(|p| p.start);
    let police_total: f32 = police_in_sentence.iter().map(|w| w.min(6.0)).sum();
    detection.police_weight += police_total * factor.min(1.0);
    let police_text = police_total >= POLICE_TEXT_WEIGHT;

    let mut other_dept_sentences = HashSet::default();
    let mut enforcement_sentences = HashSet::default();
    for hit in &cue_hits {
        if let Some(i) = prepared.sentence_of(hit.span.start) {
            match hit.label {
                OTHER_DEPT => {
                    other_dept_sentences.insert(i);
                }
                ENFORCEMENT => {
                    enforcement_sentences.insert(i);
                }
                _ => {}
            }
        }
    }
    // How firmly a grievance at `span` in sentence `i` is attached to police:
    // police named inside the match or before it in the sentence (the
    // subject, or the agent after 被) attach it fully; police named only
    // after it (民警赶到, 殴打民警) much less — they are handling someone
    // else's act, or are its object.
    let attachment = |i: usize, span: &std::ops::Range<usize>, specific: bool| -> f32 {
        let sentence = &prepared.sentences[i];
        // Police spans are in text order: look only at this sentence's.
        let from = police_spans.partition_point(|p| p.start < sentence.start);
        let to = police_spans.partition_point(|p| p.start < sentence.end);
        let police_spans = &police_spans[from..to];
        let in_span = police_spans
            .iter()
            .any(|p| p.start >= span.start && p.end <= span.end);
        let window = if specific {
            AGENT_WINDOW_BYTES
        } else {
            WEAK_AGENT_WINDOW_BYTES
        };
        let before = police_spans.iter().any(|p| {
            p.end <= span.start && p.start >= sentence.start && span.start - p.end <= window
        });
        let anywhere_in_sentence = police_in_sentence[i] > 0.0;
        let enforcing = enforcement_sentences.contains(&i);
        let mut a = if in_span {
            ATTACH_SAME_SENTENCE
        } else if before {
            if enforcing && !specific {
                ATTACH_POLICE_AFTER
            } else {
                ATTACH_SAME_SENTENCE
            }
        } else if anywhere_in_sentence {
            if specific && !enforcing {
                ATTACH_SAME_SENTENCE
            } else {
                ATTACH_POLICE_AFTER
            }
        } else if (i > 0 && police_in_sentence[i - 1] > 0.0)
            || police_in_sentence.get(i + 1).is_some_and(|w| *w > 0.0)
        {
            ATTACH_NEIGHBOUR
        } else if police_text {
            ATTACH_POLICE_TEXT
        } else {
            0.0
        };
        if !in_span && !before && other_dept_sentences.contains(&i) {
            a *= OTHER_DEPARTMENT_DAMPING;
        }
        a
    };
    let mut repeats: HashMap<usize, usize> = HashMap::default();
    // Generic act words (殴打, 醉驾) whose subject is not police add up to
    // at most GENERIC_CAP: a crime story full of them is not a complaint.
    let mut generic_used = detection.unattributed_generic;
    let mut weigh =
        |lexicon: &Lexicon, hit: &Hit, attached: bool, needs_agent: bool| -> Option<f32> {
            let i = prepared.sentence_of(hit.span.start)?;
            if negated(
                prepared,
                &lexicons.negators,
                &lexicon.entries()[hit.entry].parts,
                hit,
            ) {
                return None;
            }
            let seen = repeats.entry(hit.entry).or_insert(0);
            let repeat_damping = 1.0 / (1.0 + 0.5 * *seen as f32);
            *seen += 1;
            let mut weight = hit.weight * repeat_damping * factor;
            if attached {
                let a = attachment(i, &hit.span, !needs_agent);
                weight *= a;
                if needs_agent && a < ATTACH_SAME_SENTENCE {
                    let room = (GENERIC_CAP - generic_used).max(0.0);
                    weight = weight.min(room);
                    generic_used += weight;
                }
            }
            if is_yes_no_question(&text[prepared.sentences[i].clone()]) {
                weight *= QUESTION_DAMPING;
            }
            (weight > 0.0).then_some(weight)
        };
    drop_contained(&mut category_hits);
    for hit in category_hits {
        let needs_agent = lexicons.categories.entries()[hit.entry].needs_agent;
        if let Some(weight) = weigh(&lexicons.categories, &hit, true, needs_agent) {
            detection.category_scores[hit.label] += weight;
            if let Some(list) = contributions.as_deref_mut() {
                list.push(Contribution {
                    label: CATEGORIES[hit.label].to_string(),
                    weight,
                    span: hit.span,
                });
            }
        }
    }
    for hit in &cue_hits {
        let attached = matches!(hit.label, ADMISSION | FRAME | CRITICAL);
        // An admission (停职, 道歉) or a critical harm counts only when police
        // are its subject.
        let needs_agent = matches!(hit.label, ADMISSION | CRITICAL);
        if let Some(weight) = weigh(&lexicons.cues, hit, attached, needs_agent) {
            detection.cues[hit.label] += weight;
            if hit.label == ADMISSION
                && let Some(list) = contributions.as_deref_mut()
            {
                list.push(Contribution {
                    label: "admission".into(),
                    weight: weight * 0.5,
                    span: hit.span.clone(),
                });
            }
        }
    }
    detection.unattributed_generic = generic_used;
}

/// Removes hits whose span lies inside another hit of the same label
/// (偏袒 inside 明显偏袒 counts once).
fn drop_contained(hits: &mut Vec<Hit>) {
    let spans: Vec<(usize, std::ops::Range<usize>)> =
        hits.iter().map(|h| (h.label, h.span.clone())).collect();
    hits.retain(|hit| {
        !spans.iter().any(|(label, span)| {
            *label == hit.label
                && span.start <= hit.span.start
                && span.end >= hit.span.end
                && (span.end - span.start) > (hit.span.end - hit.span.start)
        })
    });
}

/// True when a negator stands in the few characters of clause before the
/// hit, or inside the gap of a `…` pattern (交警并未打人).
fn negated(prepared: &Prepared, negators: &[String], lexicon_parts: &[String], hit: &Hit) -> bool {
    let text = &prepared.text;
    let window_start = prepared.clause_tail_start(hit.span.start, NEGATION_WINDOW_CHARS);
    let window = &text[window_start..hit.span.start];
    let matched = &text[hit.span.clone()];
    let negates = |s: &str| negators.iter().any(|n| s.contains(n.as_str()));
    if negates(window) && !negators.iter().any(|n| matched.starts_with(n.as_str())) {
        return true;
    }
    if lexicon_parts.len() > 1 {
        // The gaps: the match minus its parts.
        let mut gaps = matched.to_string();
        for part in lexicon_parts {
            gaps = gaps.replacen(part.as_str(), "|", 1);
        }
        return negates(&gaps);
    }
    false
}

/// Narrative fiction: dialogue (lines opening with a quote, attributions
/// like 道：“ or ，“), told in the third person (the narrator never says 我
/// outside quotes), with nothing that dates or sources it as news (no
/// 记者, 近日, no 2023年 or 4月14日). A first-person post with dialogue is
/// not fiction, nor is a dated news story that quotes people.
fn reads_like_fiction(text: &str, news_markers: &[String]) -> bool {
    const ATTRIBUTIONS: [&str; 8] = [
        "道:“",
        "道：“",
        "说:“",
        "说：“",
        "问:“",
        "问：“",
        ",“",
        "，“",
    ];
    let dialogue_lines = text
        .lines()
        .filter(|l| l.trim_start().starts_with(['“', '「']))
        .count();
    let attributions: usize = ATTRIBUTIONS.iter().map(|a| text.matches(a).count()).sum();
    if dialogue_lines + attributions < FICTION_DIALOGUE_MARKS
        || news_markers.iter().any(|n| text.contains(n.as_str()))
        || has_date(text)
    {
        return false;
    }
    let mut in_quote = false;
    let mut narrator_i = 0;
    for c in text.chars() {
        match c {
            '“' | '「' => in_quote = true,
            '”' | '」' => in_quote = false,
            '我' if !in_quote => narrator_i += 1,
            _ => {}
        }
    }
    narrator_i <= 2
}

/// A written date: four digits then 年, or digits 月 digits 日.
fn has_date(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| match c {
        '年' => i >= 4 && chars[i - 4..i].iter().all(char::is_ascii_digit),
        '日' | '号' => {
            let digits = chars[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .count();
            digits > 0 && i > digits && chars[i - digits - 1] == '月'
        }
        _ => false,
    })
}

/// A yes/no question (not a rhetorical exclamation).
fn is_yes_no_question(sentence: &str) -> bool {
    sentence.ends_with('？')
        && (sentence.contains('吗') || sentence.contains("是否"))
        && !sentence.contains("难道")
}

#[cfg(test)]
#[path = "complaint_tests.rs"]
mod tests;
