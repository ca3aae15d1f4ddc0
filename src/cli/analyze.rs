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

/// Lines analysed together (in parallel) when input is piped.
const CHUNK_LINES: usize = 64;

/// Analyses stdin line by line; exit 1 when a line was not valid.
pub fn analyze(app: &App, _args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let analyzer = app.analyzer()?;
    let interactive = std::io::stdin().is_terminal();
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let chunk = if interactive { 1 } else { CHUNK_LINES };
    let failed = analyze_stream(&analyzer, stdin, stdout, chunk)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}

/// The `analyze` loop over any reader and writer: lines are read in chunks
/// of `chunk`, analysed on all cores, written in input order. Returns the
/// number of bad lines.
pub fn analyze_stream(
    analyzer: &Analyzer,
    input: impl BufRead,
    mut output: impl Write,
    chunk: usize,
) -> anyhow::Result<usize> {
    let mut failed = 0;
    let mut lines: Vec<(usize, Vec<u8>)> = Vec::with_capacity(chunk);
    let mut flush =
        |lines: &mut Vec<(usize, Vec<u8>)>, output: &mut dyn Write| -> anyhow::Result<()> {
            use rayon::prelude::*;
            let results: Vec<(String, bool)> = lines
                .par_iter()
                .map(|(number, line)| analyze_line(analyzer, *number, line))
                .collect();
            for (text, ok) in results {
                failed += usize::from(!ok);
                output.write_all(text.as_bytes())?;
                output.write_all(b"\n")?;
            }
            output.flush()?;
            lines.clear();
            Ok(())
        };
    for (index, line) in input.split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        lines.push((index + 1, line));
        if lines.len() >= chunk.max(1) {
            flush(&mut lines, &mut output)?;
        }
    }
    flush(&mut lines, &mut output)?;
    Ok(failed)
}

/// One output line for one input line, and whether the line was valid.
fn analyze_line(analyzer: &Analyzer, number: usize, line: &[u8]) -> (String, bool) {
    let record = match std::str::from_utf8(line) {
        Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        Ok(line) => serde_json::from_str::<AnalyzeLine>(line).map_err(|e| e.to_string()),
    };
    match record {
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
            (
                serde_json::to_string(&output).expect("an analysis serialises"),
                true,
            )
        }
        Err(error) => (
            serde_json::json!({ "line": number, "error": error }).to_string(),
            false,
        ),
    }
}

/// Evaluates the detector on a labelled file.
pub fn eval(app: &App, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let analyzer = app.analyzer()?;
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
