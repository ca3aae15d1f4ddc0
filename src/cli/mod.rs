//! The command line: arguments (clap) and one function per command. Each
//! command returns its exit status; errors become exit codes in `main`
//! (0 ok, 1 partial failure, 2 usage or configuration error). A bad value
//! that clap cannot see (a date, a status, a missing `[[sources]]`) is a
//! [`UsageError`] and exits 2 here, like clap's own usage errors.

mod admin;
mod analyze;
pub(crate) mod crawl;
pub(crate) mod digest;
mod extract;
mod ingest;
pub(crate) mod review;
mod run;
pub mod search;
pub(crate) mod serve;
mod users;

use crate::app::App;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status: some input was bad, the rest was done.
pub const EXIT_PARTIAL: u8 = 1;
/// Exit status: bad usage or configuration.
pub const EXIT_USAGE: u8 = 2;

/// A bad value on the command line or in the configuration, found after
/// parsing: the command is not run and exits [`EXIT_USAGE`]. The message
/// says what was wrong and what to write instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Returns early with a [`UsageError`] (like `anyhow::bail!`).
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err(anyhow::Error::from($crate::cli::UsageError(format!($($arg)*))))
    };
}
pub(crate) use usage;

/// yuqing (舆情): public-sentiment monitoring for police conduct review.
///
/// Collects public posts, news and petitions, segments and indexes the
/// Chinese text, flags complaints about police conduct for review.
#[derive(Debug, Parser)]
#[command(name = "yuqing", version, about, long_about)]
pub struct Cli {
    /// Configuration file [default: config/yuqing.toml, or $YUQING_CONFIG].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Data directory (overrides `[storage] data_dir`).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the bundled demo sites locally, crawl and index them, and show what yuqing does.
    Demo(crate::demo::DemoArgs),
    /// Run the scheduler: crawl each source on its cron schedule until stopped.
    Run(run::RunArgs),
    /// Crawl the configured sources now, once.
    Crawl(crawl::CrawlArgs),
    /// Show the health of each configured source.
    Sources(crawl::SourcesArgs),
    /// Import items from a JSON Lines or CSV file (or - for stdin).
    Ingest(ingest::IngestArgs),
    /// Show what yuqing reads from one article page (file or URL): title, publish time, author, body, and which rule found each.
    Extract(extract::ExtractArgs),
    /// Search the index: words, "phrases", AND/OR/NOT, -word, field:value.
    Search(search::SearchArgs),
    /// What is rising: keywords, categories, units, topics, stories against their baseline.
    Trends(review::TrendsArgs),
    /// The review queue: list, show, assign and decide cases.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// The digest for leadership: write it to the outbox (--dry-run) or send it (--send).
    Digest(digest::DigestArgs),
    /// Serve the analysts' web UI and JSON API (127.0.0.1:8080 by default)
    Serve(serve::ServeArgs),
    /// Local accounts for the web UI and API.
    #[command(subcommand)]
    User(users::UserCommand),
    /// The audit log: list entries, verify the hash chain.
    #[command(subcommand)]
    Audit(review::AuditCommand),
    /// Rebuild the search index from the database (e.g. after a dictionary change).
    Reindex(admin::ReindexArgs),
    /// Remove items older than the retention period (`[privacy] retention_days`).
    Purge(admin::PurgeArgs),
    /// Configuration commands.
    #[command(subcommand)]
    Config(admin::ConfigCommand),
    /// Analyse texts: JSON Lines on stdin, one analysis per line on stdout.
    Analyze(analyze::AnalyzeArgs),
    /// Measure the complaint detector against labelled JSON Lines.
    Eval(analyze::EvalArgs),
    /// Measure throughput and search latency on a JSONL corpus.
    Bench(crate::bench::BenchArgs),
}

/// Runs the parsed command line. A usage error is printed here and exits
/// [`EXIT_USAGE`]; other errors go back to `main`.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match run_command(cli) {
        Err(error) if is_usage(&error) => {
            eprintln!("error: {error:#}");
            Ok(ExitCode::from(EXIT_USAGE))
        }
        outcome => outcome,
    }
}

/// Whether `error` is the user's to fix by writing the command differently.
fn is_usage(error: &anyhow::Error) -> bool {
    error.downcast_ref::<UsageError>().is_some()
        || error
            .downcast_ref::<crate::review::ReviewError>()
            .is_some_and(crate::review::ReviewError::is_usage)
}

fn run_command(cli: Cli) -> anyhow::Result<ExitCode> {
    let app = || App::load(cli.config.as_deref(), cli.data.as_deref());
    match cli.command {
        Command::Demo(args) => crate::demo::run(&app()?, &args),
        Command::Ingest(args) => ingest::run(&app()?, &args),
        Command::Extract(args) => extract::run(&app()?, &args),
        Command::Run(args) => run::run(&app()?, &args),
        Command::Crawl(args) => crawl::crawl(&app()?, &args),
        Command::Sources(args) => crawl::sources(&app()?, &args),
        Command::Search(args) => search::run(&app()?, &args),
        Command::Trends(args) => review::trends(&app()?, &args),
        Command::Review(command) => review::review(&app()?, &command),
        Command::Audit(command) => review::audit(&app()?, &command),
        Command::Digest(args) => digest::run(&app()?, &args),
        Command::User(command) => users::run(&app()?, &command),
        Command::Serve(args) => serve::run(&app()?, &args),
        Command::Reindex(args) => admin::reindex(&app()?, &args),
        Command::Purge(args) => admin::purge(&app()?, &args),
        Command::Config(command) => {
            admin::config(cli.config.as_deref(), cli.data.as_deref(), command)
        }
        Command::Analyze(args) => analyze::analyze(&app()?, &args),
        Command::Eval(args) => analyze::eval(&app()?, &args),
        Command::Bench(args) => crate::bench::run(&args),
    }
}

/// Parses a count that must be at least 1 (`--limit`): 0 would show
/// nothing, or everything, and neither is what anyone means.
pub(crate) fn at_least_one(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{value}` is not a number")),
    }
}

/// Prints `value` as one line of JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}
