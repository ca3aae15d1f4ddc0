//! Evaluation of the detector against labelled items: precision, recall and
//! F1 of `flagged`, main-category accuracy on true positives, a confusion
//! table, and the errors with their evidence.

use super::{AnalyzeInput, Analyzer};
use crate::model::{CATEGORIES, ItemKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A labelled item (`{"id","text","kind"?,"title"?,"label":{"police_complaint","category"}}`).
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledItem {
    /// Id.
    pub id: String,
    /// Text.
    pub text: String,
    /// Title, when separate.
    #[serde(default)]
    pub title: Option<String>,
    /// Kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// The label.
    pub label: Label,
}

/// The gold label.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    /// True for a complaint about police conduct.
    pub police_complaint: bool,
    /// Its main category (null for negatives).
    #[serde(default)]
    pub category: Option<String>,
}

/// One misclassified item.
#[derive(Debug, Clone, Serialize)]
pub struct EvalError {
    /// Item id.
    pub id: String,
    /// `false_positive`, `false_negative` or `wrong_category`.
    pub error: &'static str,
    /// Gold category.
    pub expected: Option<String>,
    /// Predicted categories.
    pub predicted: Vec<String>,
    /// Detector score.
    pub score: f32,
    /// Evidence (category: words).
    pub evidence: Vec<String>,
    /// Police weight and non-zero cue totals, to see why.
    pub signals: String,
    /// The first characters of the text.
    pub excerpt: String,
}

/// Evaluation figures.
#[derive(Debug, Clone, Serialize, Default)]
pub struct EvalReport {
    /// Items evaluated.
    pub items: usize,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// True negatives.
    pub tn: usize,
    /// Precision of `flagged`.
    pub precision: f64,
    /// Recall of `flagged`.
    pub recall: f64,
    /// F1 of `flagged`.
    pub f1: f64,
    /// Main category right on true positives.
    pub category_accuracy: f64,
    /// Per gold category: (right, total) on true positives.
    pub per_category: BTreeMap<String, (usize, usize)>,
    /// gold → predicted main category → count, on true positives.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// The errors.
    pub errors: Vec<EvalError>,
    /// Precision / recall / F1 had the flag threshold been different:
    /// (threshold, precision, recall, f1).
    pub threshold_sweep: Vec<(f32, f64, f64, f64)>,
}

/// Evaluates `items`.
pub fn evaluate(analyzer: &Analyzer, items: &[LabelledItem]) -> EvalReport {
    let mut report = EvalReport {
        items: items.len(),
        ..EvalReport::default()
    };
    let mut category_right = 0;
    let mut scored: Vec<(bool, bool, f32)> = Vec::new();
    for item in items {
        let input = AnalyzeInput {
            text: &item.text,
            title: item.title.as_deref(),
            kind: item
                .kind
                .as_deref()
                .and_then(|k| k.parse::<ItemKind>().ok()),
            copies: 1,
        };
        let (detection, _) = analyzer.detect(input);
        scored.push((
            item.label.police_complaint,
            detection.police_weight >= super::complaint::MIN_POLICE_WEIGHT,
            detection.score,
        ));
        let predicted: Vec<String> = detection.categories.iter().map(|c| c.to_string()).collect();
        let evidence: Vec<String> = detection
            .evidence
            .iter()
            .take(5)
            .map(|e| format!("{}: {}", e.category, e.text))
            .collect();
        let mut signals = format!("police {:.1}", detection.police_weight);
        for (group, value) in super::complaint::CUE_GROUPS.iter().zip(detection.cues) {
            if value > 0.0 {
                signals.push_str(&format!(", {group} {value:.1}"));
            }
        }
        let error = |kind: &'static str| EvalError {
            signals: signals.clone(),
            id: item.id.clone(),
            error: kind,
            expected: item.label.category.clone(),
            predicted: predicted.clone(),
            score: (detection.score * 100.0).round() / 100.0,
            evidence: evidence.clone(),
            excerpt: item
                .text
                .chars()
                .take(60)
                .collect::<String>()
                .replace('\n', " "),
        };
        match (item.label.police_complaint, detection.flagged) {
            (true, true) => {
                report.tp += 1;
                let gold = item.label.category.clone().unwrap_or_default();
                let main = predicted.first().cloned().unwrap_or_default();
                let entry = report.per_category.entry(gold.clone()).or_default();
                entry.1 += 1;
                if main == gold {
                    entry.0 += 1;
                    category_right += 1;
                } else {
                    report.errors.push(error("wrong_category"));
                }
                *report
                    .confusion
                    .entry(gold)
                    .or_default()
                    .entry(main)
                    .or_default() += 1;
            }
            (false, true) => {
                report.fp += 1;
                report.errors.push(error("false_positive"));
            }
            (true, false) => {
                report.fn_ += 1;
                report.errors.push(error("false_negative"));
            }
            (false, false) => report.tn += 1,
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    report.precision = ratio(report.tp, report.tp + report.fp);
    report.recall = ratio(report.tp, report.tp + report.fn_);
    report.f1 = if report.precision + report.recall == 0.0 {
        0.0
    } else {
        2.0 * report.precision * report.recall / (report.precision + report.recall)
    };
    report.category_accuracy = ratio(category_right, report.tp);
    for step in 0..=12 {
        let threshold = 1.0 + step as f32 * 0.5;
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (gold, police, score) in &scored {
            match (*gold, *police && *score >= threshold) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
        let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        report.threshold_sweep.push((threshold, p, r, f1));
    }
    report
}

/// Prints the report as text tables.
pub fn print_report(report: &EvalReport, show_errors: bool) {
    println!(
        "items {}  (tp {}  fp {}  fn {}  tn {})",
        report.items, report.tp, report.fp, report.fn_, report.tn
    );
    println!(
        "flagged: precision {:.3}  recall {:.3}  F1 {:.3}",
        report.precision, report.recall, report.f1
    );
    println!(
        "main category accuracy on true positives: {:.3}",
        report.category_accuracy
    );
    println!();
    println!(
        "{:<22} {:>5} {:>5}  predicted main category",
        "gold category", "right", "of"
    );
    for (gold, (right, total)) in &report.per_category {
        let row: Vec<String> = report.confusion[gold]
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        println!("{gold:<22} {right:>5} {total:>5}  {}", row.join(", "));
    }
    let _ = CATEGORIES;
    println!();
    println!(
        "threshold sweep (current {:.1}):",
        super::complaint::FLAG_THRESHOLD
    );
    for (threshold, p, r, f1) in &report.threshold_sweep {
        println!("  {threshold:>4.1}  P {p:.3}  R {r:.3}  F1 {f1:.3}");
    }
    if show_errors {
        println!();
        for error in &report.errors {
            println!(
                "{} {} expected {:?} predicted {:?} score {:.2}\n    {}\n    signals: {}\n    evidence: {}",
                error.id,
                error.error,
                error.expected.as_deref().unwrap_or("-"),
                error.predicted,
                error.score,
                error.excerpt,
                error.signals,
                error.evidence.join(" | ")
            );
        }
    }
}
