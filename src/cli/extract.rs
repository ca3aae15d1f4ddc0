//! `yuqing extract FILE|URL`: what yuqing reads from one article page — the
//! title, publish time, author and body a crawl would hand to the pipeline,
//! and which rule found each.

use super::{UsageError, print_json};
use crate::app::App;
use crate::source::charset::decode_body;
use crate::source::fetch::{FetchPolicy, Fetcher, Validators, error_chain};
use crate::source::html::{Article, PageSelectors, article};
use crate::text::dates::parse_published;
use clap::Args;
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;
use url::Url;

/// Options of `yuqing extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// A saved HTML page, or an http(s) URL (fetched like a crawl fetches:
    /// `[crawl]` user agent, deadline and size cap, no private addresses;
    /// one request, so no robots.txt check or per-host delay).
    #[arg(value_name = "FILE_OR_URL")]
    pub page: String,
    /// Read the page with this configured source's selectors
    /// (title/body/time/author_selector), as a crawl of it would; without
    /// it, the heuristics alone.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Fetch loopback and private addresses too (an intranet page; a
    /// `--source` with `allow_private = true` does this already).
    #[arg(long)]
    pub allow_private: bool,
    /// Print one JSON object: every field, the whole body, the rules.
    #[arg(long)]
    pub json: bool,
    /// Body lines to print (without --json).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub lines: usize,
}

/// The page's text and where it came from.
struct Page {
    url: Url,
    text: String,
    encoding: &'static str,
}

/// Reads the page, extracts it and prints what was found. Exit 0 when a
/// title or body was found, 1 when neither was.
pub fn run(app: &App, args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let (selectors, allow_private) = match &args.source {
        None => (PageSelectors::heuristics_only(), args.allow_private),
        Some(name) => {
            let Some(source) = app.config.sources.iter().find(|s| &s.name == name) else {
                return Err(UsageError(format!(
                    "no source named `{name}` in the configuration (yuqing sources lists them)"
                ))
                .into());
            };
            (
                source.article_selectors()?,
                args.allow_private || source.allow_private,
            )
        }
    };
    let page = read_page(app, &args.page, allow_private)?;
    let found = article(&page.text, &page.url, &selectors)?;
    let tz = app.config.timezone();
    let published = found.item.published_at.as_deref().and_then(|written| {
        parse_published(written, tz, chrono::Utc::now()).map(|t| t.with_timezone(&tz))
    });
    if args.json {
        print_json(&json!({
            "page": args.page,
            "url": page.url.as_str(),
            "encoding": page.encoding,
            "title": field(found.item.title.as_deref(), found.title_rule),
            "published": found.item.published_at.as_deref().map(|written| json!({
                "value": written,
                "at": published.map(|t| t.to_rfc3339()),
                "timezone": tz.name(),
                "rule": found.published_rule,
            })),
            "author": field(found.item.author.as_deref(), found.author_rule),
            "body": found.item.text.as_deref().map(|text| json!({
                "text": text,
                "chars": text.chars().count(),
                "lines": text.lines().count(),
                "rule": found.text_rule,
            })),
        }))?;
    } else {
        print_text(&args.page, &page, &found, published, args.lines);
    }
    let something = found.item.title.is_some() || found.item.text.is_some();
    Ok(if something {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

fn field(value: Option<&str>, rule: Option<&str>) -> serde_json::Value {
    value.map_or(
        serde_json::Value::Null,
        |v| json!({"value": v, "rule": rule}),
    )
}

/// A local file, decoded as a crawl decodes a body without a `Content-Type`
/// charset, or a URL fetched with the crawl's limits.
fn read_page(app: &App, page: &str, allow_private: bool) -> anyhow::Result<Page> {
    let lower = page.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let crawl = &app.config.crawl;
        let fetcher = Fetcher::new(FetchPolicy {
            user_agent: crawl.user_agent.clone(),
            total_timeout: Duration::from_secs(crawl.timeout_secs),
            max_body_bytes: crawl.max_body_bytes,
            allow_private,
            ..FetchPolicy::default()
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let fetched = runtime
            .block_on(fetcher.get(page, &Validators::default()))
            .map_err(|e| anyhow::anyhow!("{}", error_chain(&e)))?;
        let Some(text) = fetched.text else {
            anyhow::bail!(
                "{page}: not a text page (content type {})",
                fetched.content_type.as_deref().unwrap_or("unknown")
            );
        };
        return Ok(Page {
            url: fetched.final_url,
            text,
            encoding: fetched.encoding.unwrap_or("UTF-8"),
        });
    }
    let path = std::path::Path::new(page);
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {page}: {e}"))?;
    let (text, encoding) = decode_body(&bytes, None);
    let absolute = std::path::absolute(path)?;
    let url = Url::from_file_path(&absolute)
        .map_err(|()| anyhow::anyhow!("cannot make a file URL of {}", absolute.display()))?;
    Ok(Page {
        url,
        text,
        encoding,
    })
}

fn print_text(
    name: &str,
    page: &Page,
    found: &Article,
    published: Option<chrono::DateTime<chrono_tz::Tz>>,
    lines: usize,
) {
    let rule = |r: Option<&str>| r.map(|r| format!("  [{r}]")).unwrap_or_default();
    let item = &found.item;
    println!("page:      {name} ({})", page.encoding);
    match &item.title {
        Some(title) => println!("title:     {title}{}", rule(found.title_rule)),
        None => println!("title:     (none)"),
    }
    match (&item.published_at, published) {
        (Some(written), Some(at)) => println!(
            "published: {} {}  (written: {written}){}",
            at.format("%Y-%m-%d %H:%M:%S %:z"),
            at.timezone().name(),
            rule(found.published_rule)
        ),
        (Some(written), None) => println!(
            "published: `{written}` is not a date yuqing reads: a crawl would use the fetch time{}",
            rule(found.published_rule)
        ),
        (None, _) => println!("published: (none: a crawl would use the fetch time)"),
    }
    match &item.author {
        Some(author) => println!("author:    {author}{}", rule(found.author_rule)),
        None => println!("author:    (none)"),
    }
    let Some(text) = &item.text else {
        println!("body:      (none)");
        return;
    };
    let count = text.lines().count();
    println!(
        "body:      {} characters, {count} lines{}",
        text.chars().count(),
        rule(found.text_rule)
    );
    for line in text.lines().take(lines) {
        println!("  {line}");
    }
    if count > lines {
        println!("  … {} more lines (--json prints them all)", count - lines);
    }
}
