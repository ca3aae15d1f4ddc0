//! `yuqing search QUERY`: highlighted results on a terminal, or the stable
//! `--json` shape of DESIGN.md.

use super::print_json;
use crate::app::App;
use crate::index::{SearchRequest, SearchResults, SortOrder};
use crate::model::ItemKind;
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Options of `yuqing search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: words (ANDed), "phrases", AND / OR / NOT, -word, ( ),
    /// kind:news, source:NAME, category:inaction, flagged:true, unit:NAME,
    /// topic:NAME, title:word. Empty matches everything. Searches are
    /// recorded in the audit log.
    #[arg(default_value = "")]
    pub query: String,
    /// Print one JSON object: {"total", "hits", "facets"}.
    #[arg(long)]
    pub json: bool,
    /// Only items published within this long ago: 30m, 24h, 7d, 2w.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub since: Option<Duration>,
    /// Only items published at or after this date (2026-11-01, RFC 3339…).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only items published before this date.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this kind: post, news or petition.
    #[arg(long)]
    pub kind: Option<ItemKind>,
    /// Only this source.
    #[arg(long)]
    pub source: Option<String>,
    /// Only this complaint category.
    #[arg(long)]
    pub category: Option<String>,
    /// Only items flagged as complaints.
    #[arg(long)]
    pub flagged: bool,
    /// Show counts by kind, source and category.
    #[arg(long)]
    pub facets: bool,
    /// Hits to show (at least 1).
    #[arg(long, default_value_t = 10, value_parser = super::at_least_one)]
    pub limit: usize,
    /// Hits to skip (paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Order: relevance or time (newest first).
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    /// Who searches (recorded in the audit log).
    #[command(flatten)]
    pub actor: super::review::Actor,
}

/// `--sort` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Newest first.
    Time,
}

/// Longest age taken, in days (a hundred years: further back than any
/// item, and `now - age` stays a date).
const MAX_AGE_DAYS: i64 = 36_500;

/// Parses `30m`, `24h`, `7d`, `2w` (at most [`MAX_AGE_DAYS`]).
pub fn parse_age(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("`{value}`: expected a number and a unit, e.g. 7d"))?;
    let age = match unit {
        "m" | "min" => Duration::try_minutes(number),
        "h" => Duration::try_hours(number),
        "d" => Duration::try_days(number),
        "w" => Duration::try_weeks(number),
        _ => {
            return Err(format!(
                "`{value}`: unknown unit `{unit}`; use m, h, d or w"
            ));
        }
    };
    age.filter(|age| *age <= Duration::days(MAX_AGE_DAYS))
        .ok_or_else(|| format!("`{value}` is too long: at most {MAX_AGE_DAYS}d"))
}

/// Runs the search and prints it.
pub fn run(app: &App, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let tz = app.config.timezone();
    let date = |value: &Option<String>, flag: &str| -> anyhow::Result<Option<DateTime<Utc>>> {
        value
            .as_deref()
            .map(|v| {
                crate::text::dates::parse_datetime(v, tz).ok_or_else(|| {
                    anyhow::Error::from(super::UsageError(format!(
                        "{flag} `{v}` is not a date: write e.g. 2026-11-01 or 2026-11-01T08:00:00+08:00"
                    )))
                })
            })
            .transpose()
    };
    let mut from = date(&args.from, "--from")?;
    if let Some(age) = args.since {
        let since = Utc::now() - age;
        from = Some(from.map_or(since, |f| f.max(since)));
    }
    let request = SearchRequest {
        query: args.query.clone(),
        kind: args.kind,
        source: args.source.clone(),
        category: args.category.clone(),
        flagged: args.flagged.then_some(true),
        from,
        to: date(&args.to, "--to")?,
        sort: match args.sort {
            SortArg::Relevance => SortOrder::Relevance,
            SortArg::Time => SortOrder::Time,
        },
        limit: args.limit,
        offset: args.offset,
        facets: args.facets,
        highlight: true,
    };
    let index = app.open_index()?;
    let results = index.search(&request)?;
    // Who searched for what is audited (a view of the results).
    let mut store = crate::store::Store::open_read_only(&app.data.db_path())?;
    store.audit(&crate::store::AuditRecord {
        actor: &args.actor.name(),
        action: "search",
        target: &args.query,
        detail: Some(&format!("{} results", results.total)),
        ..Default::default()
    })?;
    if args.json {
        print_json(&results)?;
    } else {
        print_results(&results, args, tz);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_results(results: &SearchResults, args: &SearchArgs, tz: chrono_tz::Tz) {
    print_hits(results, &args.query, args.offset, tz);
    if args.facets {
        println!();
        print_facets(results);
    }
}

/// Prints hits with highlighted snippets (ANSI on a terminal, 【】 otherwise).
pub fn print_hits(results: &SearchResults, query: &str, offset: usize, tz: chrono_tz::Tz) {
    let color = std::io::stdout().is_terminal();
    let shown = results.hits.len();
    println!(
        "{} result{} for {}{}",
        results.total,
        if results.total == 1 { "" } else { "s" },
        if query.is_empty() {
            "everything".to_string()
        } else {
            format!("“{query}”")
        },
        if shown == 0 && results.total > 0 {
            format!(" (no hits on this page: --offset {offset} is past the last)")
        } else if shown < results.total {
            format!(" (showing {}–{})", offset + 1, offset + shown)
        } else {
            String::new()
        }
    );
    for (n, hit) in results.hits.iter().enumerate() {
        let kind = hit
            .kind
            .parse::<ItemKind>()
            .map(|k| k.label_zh())
            .unwrap_or("?");
        let when = DateTime::parse_from_rfc3339(&hit.published_at)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let flag = if hit.flagged {
            format!(" ⚑ {}", hit.categories.join(","))
        } else {
            String::new()
        };
        let title = if hit.title.is_empty() {
            "(无标题)"
        } else {
            hit.title.as_str()
        };
        println!();
        println!(
            "{:>3}. [{kind}] {}{flag}",
            offset + n + 1,
            bold(title, color)
        );
        println!("     {}", highlight(&hit.snippet, &hit.highlights, color));
        println!(
            "     {} · {when} · {}",
            hit.source,
            hit.url.as_deref().unwrap_or(&hit.id)
        );
    }
}

/// Prints facet counts, largest first.
pub fn print_facets(results: &SearchResults) {
    for (facet, counts) in &results.facets {
        let mut counts: Vec<_> = counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let line: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "{facet:>9}: {}",
            if line.is_empty() {
                "—".to_string()
            } else {
                line.join(" · ")
            }
        );
    }
}

fn bold(text: &str, color: bool) -> String {
    if color {
        format!("\x1b[1m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Marks the highlighted character ranges: ANSI colour on a terminal,
/// 【…】 brackets otherwise.
pub fn highlight(text: &str, ranges: &[[usize; 2]], color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut ranges = ranges.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if ranges.peek().is_some_and(|r| r[0] == i) {
            out.push_str(open);
        }
        out.push(c);
        if ranges.peek().is_some_and(|r| r[1] == i + 1) {
            out.push_str(close);
            ranges.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse() {
        assert_eq!(parse_age("7d").unwrap(), Duration::days(7));
        assert_eq!(parse_age("24h").unwrap(), Duration::hours(24));
        assert_eq!(parse_age("30m").unwrap(), Duration::minutes(30));
        assert!(parse_age("7y").unwrap_err().contains("unknown unit"));
        assert!(parse_age("d").is_err());
        assert_eq!(parse_age("36500d").unwrap(), Duration::days(36_500));
        for too_long in [
            "36501d",
            "999999999w",
            "99999999999999w",
            "9999999999999999999h",
        ] {
            assert!(parse_age(too_long).is_err(), "{too_long}");
        }
    }

    #[test]
    fn highlight_marks_character_ranges() {
        assert_eq!(
            highlight("城关派出所民警", &[[2, 5]], false),
            "城关【派出所】民警"
        );
        assert_eq!(highlight("ab", &[[0, 1], [1, 2]], false), "【a】【b】");
    }
}
