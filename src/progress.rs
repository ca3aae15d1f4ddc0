//! Progress bars for long work: shown on a terminal, hidden in `--json`
//! mode and when stderr is not a terminal (CI, pipes, cron).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A bar of `len` units (`bytes` formats them as sizes); hidden when `quiet`
/// or when stderr is not a terminal.
pub fn bar(len: Option<u64>, bytes: bool, quiet: bool, message: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    let template = match (len, bytes) {
        (Some(_), true) => "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        (Some(_), false) => "{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta})",
        (None, true) => "{spinner} {msg} {bytes} ({bytes_per_sec})",
        (None, false) => "{spinner} {msg} {pos} ({per_sec})",
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}
