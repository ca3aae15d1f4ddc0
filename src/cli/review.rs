//! `yuqing trends`, `yuqing review …` and `yuqing audit …`: what is rising,
//! the review queue, and the audit log. Case changes and views are audited
//! under the user named by `--user` (or `$YUQING_USER`, else `$USER`).

use super::print_json;
use crate::app::{App, Writer};
use crate::review::{self, Raised};
use crate::store::{AuditRecord, CaseFilter, Store};
use crate::trends::{Trend, detect_trends, sparkline};
use chrono::Utc;
use clap::builder::PossibleValuesParser;
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Options of `yuqing trends`.
#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// What rose over this window: 1h (the last hour) or 24h (the last hour
    /// and the last day).
    #[arg(long, default_value = "24h", value_parser = crate::trends::parse_window)]
    pub window: chrono::Duration,
    /// Show at most this many.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Who is acting (for the audit log).
#[derive(Debug, Args)]
pub struct Actor {
    /// Your user name, recorded in the audit log [default: $YUQING_USER, else $USER].
    #[arg(long = "user", value_name = "NAME", env = "YUQING_USER")]
    pub user: Option<String>,
}

impl Actor {
    /// The acting user's name.
    pub fn name(&self) -> String {
        self.user
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| "cli".to_string())
    }
}

/// `yuqing review …`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// List cases, most urgent first.
    List {
        /// Only this status.
        #[arg(long, value_parser = PossibleValuesParser::new(review::STATUSES))]
        status: Option<String>,
        /// Only this complaint category.
        #[arg(long, value_parser = PossibleValuesParser::new(crate::model::CATEGORIES))]
        category: Option<String>,
        /// Only this level.
        #[arg(long, value_parser = PossibleValuesParser::new(review::LEVELS))]
        level: Option<String>,
        /// Only cases assigned to this user.
        #[arg(long)]
        assignee: Option<String>,
        /// Only open cases past their deadline.
        #[arg(long)]
        overdue: bool,
        /// At most this many (a note says how many more there are).
        #[arg(long, default_value_t = 50, value_parser = super::at_least_one)]
        limit: usize,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show one case with its item, notes and history (audited as a view).
    Show {
        /// Case number.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Who looks.
        #[command(flatten)]
        actor: Actor,
    },
    /// Assign a case to a user (a new case goes to in_review).
    ///
    /// Once the office has web accounts (`yuqing user list`), USER must be
    /// one of them who can act on cases, a reviewer or an admin: add people
    /// with `yuqing user add NAME --role reviewer`.
    /// An office without any names its people freely: letters (李明 too),
    /// digits, . _ - (at most 64 characters).
    Assign {
        /// Case number.
        id: i64,
        /// Who works it: a web account's name, when there are any.
        #[arg(value_name = "USER")]
        assignee: String,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// Who acts.
        #[command(flatten)]
        actor: Actor,
    },
    /// Change a case's status: in_review, confirmed, dismissed (with --reason), escalated.
    Set {
        /// Case number.
        id: i64,
        /// The new status.
        status: String,
        /// A note (why).
        #[arg(long)]
        note: Option<String>,
        /// Why dismissed: not_police, praise, announcement, refuted, other_dept, fiction,
        /// not_a_complaint, duplicate, other.
        #[arg(long)]
        reason: Option<String>,
        /// Who acts.
        #[command(flatten)]
        actor: Actor,
    },
    /// Raise the cases due now (also done after every crawl and import).
    Raise {
        /// Print JSON: how many cases were raised, {"items", "trends", "petitions"}.
        #[arg(long)]
        json: bool,
    },
    /// Reviewers' decisions per category and dismissal reason: where the detector errs.
    Report {
        /// Print JSON: {"outcomes": [{"category", "status", "reason", "cases"}],
        /// "decided", "confirmed", "precision"} (precision null until a case is decided).
        #[arg(long)]
        json: bool,
    },
}

/// `yuqing audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log (exit 1 when broken) and
    /// print its head, the last row's number and hash.
    Verify {
        /// A head noted earlier, `SEQ:HASH` (the daily digest prints one):
        /// also check that this row is still there with this hash, which
        /// finds rows cut off the end of the log.
        #[arg(long, value_name = "SEQ:HASH", value_parser = parse_head)]
        head: Option<(i64, String)>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The newest entries.
    List {
        /// Only entries about this target (e.g. case:12).
        #[arg(long)]
        target: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Detects the trends now and raises the cases due (after a crawl or an
/// import, in the writer's process). Returns the cases raised and the
/// trends, for the caller to reuse (alerts, the demo).
pub fn catch_up(app: &App, writer: &mut Writer) -> anyhow::Result<(Raised, Vec<Trend>)> {
    let now = Utc::now();
    let trends = detect_trends(
        &writer.store,
        Some(&writer.index),
        now,
        chrono::Duration::hours(24),
        &app.config.trends,
    )?;
    let raised = review::raise_cases(&mut writer.store, &app.config.review, &trends, now)?;
    Ok((raised, trends))
}

fn reader(app: &App) -> anyhow::Result<Store> {
    if !app.data.exists() {
        anyhow::bail!(
            "no data in {}: import or crawl first (`yuqing demo`, `yuqing crawl`)",
            app.data.root().display()
        );
    }
    Ok(Store::open_read_only(&app.data.db_path())?)
}

/// `yuqing trends`.
pub fn trends(app: &App, args: &TrendsArgs) -> anyhow::Result<ExitCode> {
    let store = reader(app)?;
    let index = app.open_index().ok();
    let mut found = detect_trends(
        &store,
        index.as_ref(),
        Utc::now(),
        args.window,
        &app.config.trends,
    )?;
    found.truncate(args.limit);
    if args.json {
        print_json(&found)?;
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        println!(
            "Nothing is rising against its baseline (window {}h).",
            args.window.num_hours().max(1)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let tz = app.config.timezone();
    println!("{} rising (last 48 h per hour, ▁ to █):", found.len());
    for trend in &found {
        print_trend(trend, tz);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_trend(trend: &Trend, tz: chrono_tz::Tz) {
    let since = crate::text::dates::parse_datetime(&trend.since, chrono_tz::UTC)
        .map(|t| t.with_timezone(&tz).format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|| trend.since.clone());
    println!(
        "  {:<9} {}  {} vs {:.1} expected (×{:.1}, score {:.1}) since {}",
        trend.dimension,
        trend.label_with_key(),
        trend.current,
        trend.expected,
        trend.ratio,
        trend.score,
        since
    );
    println!("            {}", sparkline(&trend.series));
    for example in &trend.examples {
        println!("            · {}  [{}]", example.title, example.id);
    }
}

/// `yuqing review …`.
pub fn review(app: &App, command: &ReviewCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReviewCommand::List {
            status,
            category,
            level,
            assignee,
            overdue,
            limit,
            json,
        } => {
            let store = reader(app)?;
            let filter = CaseFilter {
                status: status.clone(),
                category: category.clone(),
                level: level.clone(),
                assignee: assignee.clone(),
                overdue_at: overdue
                    .then(|| Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                limit: *limit,
            };
            let cases = store.cases(&filter)?;
            let total = if cases.len() < *limit {
                cases.len()
            } else {
                store.count_cases(&filter)?
            };
            // More than shown: say so (on stderr with --json, which stays an array).
            let more = (total > cases.len()).then(|| {
                format!(
                    "showing {} of {total} cases; use --limit N to see more (--limit {total} shows all)",
                    cases.len()
                )
            });
            if *json {
                print_json(&cases)?;
                if let Some(more) = &more {
                    eprintln!("note: {more}");
                }
            } else if cases.is_empty() {
                println!("No cases match.");
            } else {
                let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                println!(
                    "{:>5}  {:<9} {:<3} {:<8} {:<10} {:<22} {:<10} title",
                    "case", "status", "pri", "level", "origin", "category", "assignee"
                );
                for case in &cases {
                    let late = if case.due_at < now
                        && matches!(case.status.as_str(), "new" | "in_review")
                    {
                        " (overdue)"
                    } else {
                        ""
                    };
                    println!(
                        "{:>5}  {:<9} P{:<2} {:<8} {:<10} {:<22} {:<10} {}{late}",
                        case.id,
                        case.status,
                        case.priority,
                        case.level,
                        case.origin,
                        case.category.as_deref().unwrap_or("-"),
                        case.assignee.as_deref().unwrap_or("-"),
                        case.title
                    );
                }
                if let Some(more) = &more {
                    println!("{more}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Show { id, json, actor } => {
            let mut store = reader(app)?;
            let case = store.case(*id)?.ok_or(review::ReviewError::NoCase(*id))?;
            let item = match &case.item_id {
                Some(item_id) => store.get_item(item_id)?,
                None => None,
            };
            let notes = store.case_notes(*id)?;
            let history = store.audit_entries(Some(&format!("case:{id}")), 100)?;
            let story = match &case.item_id {
                Some(item_id) => store.story_of(item_id)?,
                None => None,
            };
            store.audit(&AuditRecord {
                actor: &actor.name(),
                action: "case.view",
                target: &format!("case:{id}"),
                ..AuditRecord::default()
            })?;
            if *json {
                print_json(&serde_json::json!({
                    "case": case, "notes": notes, "history": history, "story": story,
                    "item": item.as_ref().map(|s| serde_json::json!({"item": s.item, "analysis": s.analysis})),
                }))?;
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "case {} — {} ({}, P{}, {}) — {}",
                case.id, case.status, case.level, case.priority, case.origin, case.title
            );
            println!(
                "  subject {} · due {} · assignee {}",
                case.subject,
                case.due_at,
                case.assignee.as_deref().unwrap_or("-")
            );
            if let Some(story) = &story {
                let copies = match story.copies {
                    1 => "1 copy".to_string(),
                    n => format!("{n} copies"),
                };
                println!(
                    "  story: {copies} since {} (first from {})",
                    story.first_at, story.first_source
                );
            }
            if let Some(stored) = &item {
                println!(
                    "  item {} · {} · {}",
                    stored.item.id,
                    stored.item.source,
                    stored.item.url.as_deref().unwrap_or("-")
                );
                println!(
                    "  categories {:?} · severity {} · units {:?}",
                    stored.analysis.categories, stored.analysis.severity, stored.analysis.units
                );
                for evidence in &stored.analysis.evidence {
                    println!("    「{}」 ({})", evidence.text, evidence.category);
                }
                println!(
                    "  {}",
                    stored.item.body.chars().take(300).collect::<String>()
                );
            }
            for note in &notes {
                println!("  note {} {}: {}", note.at, note.author, note.note);
            }
            for entry in history.iter().rev() {
                println!(
                    "  audit #{} {} {} {} {} → {}",
                    entry.seq,
                    entry.at,
                    entry.actor,
                    entry.action,
                    entry.before.as_deref().unwrap_or("-"),
                    entry.after.as_deref().unwrap_or("-")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Assign {
            id,
            assignee,
            note,
            actor,
        } => {
            let mut store = writable(app)?;
            let case = review::assign(&mut store, *id, &actor.name(), assignee, note.as_deref())?;
            println!(
                "case {} assigned to {} ({})",
                case.id, assignee, case.status
            );
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Set {
            id,
            status,
            note,
            reason,
            actor,
        } => {
            let mut store = writable(app)?;
            let case = review::set_status(
                &mut store,
                *id,
                &actor.name(),
                status,
                reason.as_deref(),
                note.as_deref(),
            )
            .map_err(|error| match error {
                // The shared message names no flag (the web has none).
                review::ReviewError::ReasonNeeded => {
                    anyhow::Error::from(super::UsageError(format!(
                        "a dismissal needs --reason, one of {}",
                        review::DISMISS_REASONS.join(", ")
                    )))
                }
                other => other.into(),
            })?;
            println!("case {} is now {}", case.id, case.status);
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Raise { json } => {
            let mut writer = app.open_writer()?;
            let (raised, _) = catch_up(app, &mut writer)?;
            if *json {
                print_json(&raised)?;
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "raised {} cases for flagged stories, {} for trends, {} for petitions",
                raised.items, raised.trends, raised.petitions
            );
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Report { json } => {
            let store = reader(app)?;
            let outcomes = store.case_outcomes()?;
            let decided: u32 = outcomes
                .iter()
                .filter(|o| matches!(o.1.as_str(), "confirmed" | "dismissed" | "escalated"))
                .map(|o| o.3)
                .sum();
            let confirmed: u32 = outcomes
                .iter()
                .filter(|o| matches!(o.1.as_str(), "confirmed" | "escalated"))
                .map(|o| o.3)
                .sum();
            // Confirmed (or escalated) among the decided: none decided, no figure.
            let precision = (decided > 0).then(|| f64::from(confirmed) / f64::from(decided));
            if *json {
                let rows: Vec<_> = outcomes
                    .iter()
                    .map(|(category, status, reason, n)| serde_json::json!({"category": category, "status": status, "reason": reason, "cases": n}))
                    .collect();
                print_json(&serde_json::json!({
                    "outcomes": rows,
                    "decided": decided,
                    "confirmed": confirmed,
                    "precision": precision,
                }))?;
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "Reviewers' decisions on flagged items (a dismissal's reason says where the detector erred):"
            );
            println!(
                "{:<22} {:<10} {:<16} {:>5}",
                "category", "status", "reason", "cases"
            );
            for (category, status, reason, n) in &outcomes {
                println!("{category:<22} {status:<10} {reason:<16} {n:>5}");
            }
            if let Some(precision) = precision {
                println!(
                    "Precision as judged by reviewers: {confirmed}/{decided} = {precision:.3}"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The store for a case change: case writes are small and serialised by
/// SQLite, so they do not wait for a running crawl's writer lock.
fn writable(app: &App) -> anyhow::Result<Store> {
    reader(app)?;
    Ok(Store::open(&app.data.db_path())?)
}

/// `SEQ:HASH` of `audit verify --head`.
fn parse_head(text: &str) -> Result<(i64, String), String> {
    let (seq, hash) = text.split_once(':').ok_or_else(|| {
        format!("`{text}` is not SEQ:HASH (e.g. 1234:3f9a…, as the digest prints it)")
    })?;
    let seq: i64 = seq
        .trim()
        .parse()
        .map_err(|_| format!("`{seq}` is not a row number"))?;
    let hash = hash.trim();
    if hash.len() < 16 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "`{hash}` is not a hash: give at least its first 16 hex characters"
        ));
    }
    Ok((seq, hash.to_string()))
}

/// `yuqing audit …`.
pub fn audit(app: &App, command: &AuditCommand) -> anyhow::Result<ExitCode> {
    let store = reader(app)?;
    match command {
        AuditCommand::Verify { head, json } => {
            let noted = head.as_ref().map(|(seq, hash)| (*seq, hash.as_str()));
            let check = store.verify_audit_against(noted)?;
            if *json {
                print_json(&check)?;
            } else {
                match &check.broken_at {
                    None => println!(
                        "audit log intact: {} entries, hash chain verified{}{}",
                        check.entries,
                        if noted.is_some() {
                            ", the noted head still there"
                        } else {
                            ""
                        },
                        check
                            .head
                            .as_ref()
                            .map(|(seq, hash)| format!(
                                "; head {seq}:{}",
                                &hash[..16.min(hash.len())]
                            ))
                            .unwrap_or_default()
                    ),
                    Some((seq, why)) => println!("audit log BROKEN at entry {seq}: {why}"),
                }
            }
            Ok(if check.broken_at.is_some() {
                ExitCode::from(super::EXIT_PARTIAL)
            } else {
                ExitCode::SUCCESS
            })
        }
        AuditCommand::List {
            target,
            limit,
            json,
        } => {
            let entries = store.audit_entries(target.as_deref(), *limit)?;
            if *json {
                print_json(&entries)?;
            } else {
                for e in &entries {
                    println!(
                        "#{:<5} {} {:<12} {:<14} {:<24} {} → {} {}",
                        e.seq,
                        e.at,
                        e.actor,
                        e.action,
                        e.target,
                        e.before.as_deref().unwrap_or("-"),
                        e.after.as_deref().unwrap_or("-"),
                        e.detail.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
