//! The `yuqing` binary: parse the command line, run, map the outcome to an
//! exit code (0 ok, 1 partial failure, 2 usage or configuration error).

use clap::Parser;
use std::process::ExitCode;
use yuqing::cli::{Cli, EXIT_PARTIAL, EXIT_USAGE};

/// mimalloc instead of glibc's malloc: ingest allocates on the analysis
/// threads and frees on the writer thread, and glibc's per-thread arenas
/// then kept growing (anonymous memory 170 → 420 MB over 150k items, flat
/// at ~190 MB with one arena, which serialised allocation).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs [`tune_allocator`] from the ELF constructors, before the Rust
/// runtime's first allocation makes mimalloc reserve its first arena (set
/// later, in `main`, the arena option no longer applies).
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

/// Commits arena memory on use rather than ahead, and hands freed memory
/// back to the OS after 10 ms: peak RSS of ingesting the corpus 320 →
/// 215 MB. Handing it back at once (delay 0) saved another 13 MB but cost
/// 3–5 % of the import's CPU in `madvise` calls and the TLB shootdowns they
/// cause (100 ms: 1–2 % less CPU again, 230 MB). The option numbers are mimalloc's `mi_option_e`
/// (`arena_eager_commit` = 4, `purge_delay` = 15; libmimalloc-sys does not
/// name them).
extern "C" fn tune_allocator() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting options is allowed at any time; both only change
    // when memory is committed or returned.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
    }
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match yuqing::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", describe(&error));
            let usage = error
                .downcast_ref::<yuqing::config::ConfigError>()
                .is_some()
                || matches!(
                    error.downcast_ref::<yuqing::index::IndexError>(),
                    Some(yuqing::index::IndexError::Query(_))
                );
            if usage {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::from(EXIT_PARTIAL)
            }
        }
    }
}

/// Rust ignores SIGPIPE, so `yuqing search … | head` would panic in
/// `println!` once `head` exits; a command-line tool should just stop.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; resets a
    // signal disposition to its default.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{default},tantivy=warn")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// The error and its causes, skipping causes whose text the message
/// already contains (our error types include their source in the message).
fn describe(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
