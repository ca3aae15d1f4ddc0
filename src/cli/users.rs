//! `yuqing user add|list`: local accounts for the web UI and API.

use super::print_json;
use super::review::Actor;
use crate::app::App;
use crate::store::{AuditRecord, MIN_PASSWORD_CHARS, Role, Store};
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// `yuqing user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user, or change an existing user's role and password (their
    /// sessions end).
    Add {
        /// Login name (letters, digits, . _ -).
        name: String,
        /// analyst (search and read), reviewer (+ case actions), admin (+ users, sources).
        #[arg(long)]
        role: Role,
        /// Read the password from the first line of stdin (for scripts);
        /// otherwise it is asked for on the terminal, not echoed.
        #[arg(long)]
        password_stdin: bool,
        /// Who adds (recorded in the audit log).
        #[command(flatten)]
        actor: Actor,
    },
    /// Remove a user: their sessions end at once and they can no longer
    /// log in (the cases assigned to them keep the name).
    Remove {
        /// Login name.
        name: String,
        /// Who removes (recorded in the audit log).
        #[command(flatten)]
        actor: Actor,
    },
    /// List the users and their roles.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &[Role::Analyst, Role::Reviewer, Role::Admin]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "no terminal to ask the password on: pass --password-stdin and write it to stdin"
        );
    }
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Again: ")?;
    if first != again {
        anyhow::bail!("the two passwords differ: nothing changed");
    }
    Ok(first)
}

/// `yuqing user …`.
pub fn run(app: &App, command: &UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
            actor,
        } => {
            let valid = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !valid {
                super::usage!(
                    "`{name}` cannot be a user name: use letters, digits, . _ - (at most 64)"
                );
            }
            let password = read_password(*password_stdin)?;
            if password.chars().count() < MIN_PASSWORD_CHARS {
                super::usage!(
                    "the password is too short: use at least {MIN_PASSWORD_CHARS} characters"
                );
            }
            std::fs::create_dir_all(app.data.root())?;
            let mut store = Store::open(&app.data.db_path())?;
            let before = store.user(name)?.map(|(user, _)| user.role);
            let new = store.put_user(name, *role, &password)?;
            store.audit(&AuditRecord {
                actor: &actor.name(),
                action: if new { "user.add" } else { "user.change" },
                target: &format!("user:{name}"),
                before: before.map(|role| role.as_str()),
                after: Some(role.as_str()),
                detail: (!new).then_some("role and password replaced"),
            })?;
            println!(
                "{} user {name} ({})",
                if new { "added" } else { "updated" },
                role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Remove { name, actor } => {
            if !app.data.exists() {
                anyhow::bail!(
                    "no user `{name}`: there is no data in {}",
                    app.data.root().display()
                );
            }
            let mut store = Store::open(&app.data.db_path())?;
            let Some(role) = store.remove_user(name)? else {
                anyhow::bail!("no user `{name}`: see `yuqing user list`");
            };
            store.audit(&AuditRecord {
                actor: &actor.name(),
                action: "user.remove",
                target: &format!("user:{name}"),
                before: Some(role.as_str()),
                ..AuditRecord::default()
            })?;
            println!(
                "removed user {name} ({}); their sessions have ended",
                role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { json } => {
            let users = if app.data.exists() {
                Store::open_read_only(&app.data.db_path())?.users()?
            } else {
                Vec::new()
            };
            if *json {
                print_json(&users)?;
            } else if users.is_empty() {
                println!("no users: add one with `yuqing user add NAME --role admin`");
            } else {
                for user in &users {
                    println!("{:<24} {}", user.name, user.role.as_str());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
