//! What every subcommand writes to the terminal: the result on stdout,
//! errors, warnings and progress on stderr, colour where it is wanted.

use std::io::{IsTerminal, Write};

/// When to colour text output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour stdout: `auto` means a terminal and no `NO_COLOR`.
    pub fn for_stdout(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// `--format` of `generate` and `fix`: text for people, or one JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// A JSON document as printed: indented, with a final newline.
pub fn pretty_json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the result to stdout. `false` when the reader went away
/// (`| head`), which is not an error: there is just nothing more to say.
pub fn print(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_ok()
}

/// Writes text meant for people beside the result (a summary) to stderr.
pub fn print_aside(text: &str) {
    eprint!("{text}");
}

/// `testgap: {message}` on stderr: an error, or why the exit code is not 0.
pub fn error(message: &str) {
    eprintln!("testgap: {message}");
}

/// The first few warnings on stderr, then how many more there are.
pub fn warnings(warnings: &[testgap::Warning]) {
    const SHOWN: usize = 10;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("testgap: warning: {w}");
    }
    if warnings.len() > SHOWN {
        eprintln!(
            "testgap: … and {} more warnings (all are in --format json)",
            warnings.len() - SHOWN
        );
    }
}

/// A one-line `{label} [done/total] item` counter on stderr, redrawn in
/// place; shown only on a terminal, and cleared when the work is done.
pub struct Progress {
    label: &'static str,
    shown: bool,
}

impl Progress {
    /// A counter, drawn only when `wanted` and stderr is a terminal.
    pub fn new(label: &'static str, wanted: bool) -> Progress {
        Progress {
            label,
            shown: wanted && std::io::stderr().is_terminal(),
        }
    }

    /// Redraws the counter after `done` of `total` items, the last being `item`.
    pub fn update(&self, done: usize, total: usize, item: &str) {
        if !self.shown {
            return;
        }
        eprint!("\r\x1b[2K{} [{done}/{total}] {item}", self.label);
        if done == total {
            eprint!("\r\x1b[2K");
        }
        let _ = std::io::stderr().flush();
    }
}
