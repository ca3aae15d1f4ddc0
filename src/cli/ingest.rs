//! `yuqing ingest FILE|-`.

use super::{EXIT_PARTIAL, print_json};
use crate::app::App;
use crate::ingest::reader::Format;
use crate::model::ItemKind;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `yuqing ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// JSON Lines or CSV file to import; `-` reads standard input.
    pub file: PathBuf,
    /// Input format [default: from the extension, else detected].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Source name for records that carry none.
    #[arg(long, default_value = "import")]
    pub source: String,
    /// Kind for records that carry none.
    #[arg(long, default_value = "post")]
    pub kind: ItemKind,
    /// Print the report as JSON (no progress bar).
    #[arg(long)]
    pub json: bool,
}

/// Imports the file and reports; exit 1 when any line failed.
pub fn run(app: &App, args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let mut writer = app.open_writer()?;
    let preparer = app.preparer(&args.source, args.kind)?;
    let analyzer = app.analyzer()?;
    let is_stdin = args.file.as_os_str() == "-";
    let name = args.file.display().to_string();
    let format = args.format.or_else(|| {
        match args
            .file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => Some(Format::Jsonl),
            Some("csv") => Some(Format::Csv),
            _ => None,
        }
    });
    let input: Box<dyn std::io::Read> = if is_stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .map_err(|e| anyhow::anyhow!("cannot open {name}: {e}"))?,
        )
    };
    let size = (!is_stdin)
        .then(|| std::fs::metadata(&args.file).map(|m| m.len()).ok())
        .flatten();
    let bar = crate::progress::bar(size, true, args.json, "importing");
    let report = crate::ingest::ingest(
        input,
        &name,
        format,
        &preparer,
        &analyzer,
        &mut writer.store,
        &writer.index,
        bar,
    )?;
    let (raised, _) = super::review::catch_up(app, &mut writer)?;
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["cases_raised"] = serde_json::to_value(&raised)?;
        print_json(&value)?;
    } else {
        for failure in &report.failed {
            eprintln!("{name}:{}: {}", failure.line, failure.error);
        }
        println!(
            "{name}: {} records — {} new, {} updated, {} unchanged, {} rejected; {} indexed",
            report.records,
            report.inserted,
            report.updated,
            report.unchanged,
            report.failed.len(),
            report.indexed
        );
        let r = report.redacted;
        if r.id_numbers + r.phone_numbers + r.bank_cards > 0 {
            println!(
                "redacted before storage: {} ID numbers, {} phone numbers, {} bank cards",
                r.id_numbers, r.phone_numbers, r.bank_cards
            );
        }
        if report.warnings > 0 {
            println!("{} warnings (run with -v to see them)", report.warnings);
        }
        let new_cases = raised.items + raised.trends + raised.petitions;
        if new_cases > 0 {
            println!("review queue: {new_cases} new cases (yuqing review list)");
        }
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}
