//! `yuqing analyze` (stdin JSON Lines → one analysis per line on stdout, the
//! DESIGN.md contract) and `yuqing eval FILE` (quality against labels).

use super::{EXIT_PARTIAL, print_json};
use crate::analyze::eval::{LabelledItem, evaluate, print_report};
use crate::analyze::{AnalyzeInput, Analyzer};
use crate::app::App;
use crate::model::ItemKind;
use clap::Args;
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `yuqing analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {}

/// Options of `yuqing eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSON Lines: {"id","text","label":{"police_complaint":bool,"category":…}}.
    pub file: PathBuf,
    /// List the false positives / negatives and wrong categories with their evidence.
    #[arg(long)]
    pub errors: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One output line: the input's id first, then the analysis.
#[derive(serde::Serialize)]
struct AnalyzeOutput<'a> {
    id: serde_json::Value,
    #[serde(flatten)]
    analysis: &'a crate::model::Analysis,
}

#[derive(Deserialize)]
struct AnalyzeLine {
    #[serde(default)]
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

/// Analyses stdin line by line; exit 1 when a line was not valid.
pub fn analyze(app: &App, _args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let analyzer = Analyzer::new(app.segmenter()?);
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let failed = analyze_stream(&analyzer, stdin, stdout)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

/// The `analyze` loop over any reader and writer; returns the number of bad lines.
pub fn analyze_stream(
    analyzer: &Analyzer,
    input: impl BufRead,
    mut output: impl Write,
) -> anyhow::Result<usize> {
    let mut failed = 0;
    for (index, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let number = index + 1;
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        let record = match std::str::from_utf8(&line) {
            Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
            Ok(line) => serde_json::from_str::<AnalyzeLine>(line).map_err(|e| e.to_string()),
        };
        let line_out = match record {
            Ok(record) => {
                let analysis = analyzer.analyze(AnalyzeInput {
                    text: &record.text,
                    title: record.title.as_deref(),
                    kind: record
                        .kind
                        .as_deref()
                        .and_then(|k| k.parse::<ItemKind>().ok()),
                    copies: 1,
                });
                let output = AnalyzeOutput {
                    id: record.id.unwrap_or(serde_json::Value::Null),
                    analysis: &analysis,
                };
                serde_json::to_string(&output)?
            }
            Err(error) => {
                failed += 1;
                serde_json::json!({ "line": number, "error": error }).to_string()
            }
        };
        output.write_all(line_out.as_bytes())?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(failed)
}

/// Evaluates the detector on a labelled file.
pub fn eval(app: &App, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let analyzer = Analyzer::new(app.segmenter()?);
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.file.display()))?;
    let mut items = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let item: LabelledItem = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", args.file.display(), n + 1))?;
        items.push(item);
    }
    let report = evaluate(&analyzer, &items);
    if args.json {
        print_json(&report)?;
    } else {
        print_report(&report, args.errors);
    }
    Ok(ExitCode::SUCCESS)
}
