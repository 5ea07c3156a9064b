//! The `testgap` command line: the flags, one file per subcommand, and the
//! exit codes. The only part of testgap that writes to the terminal.
//!
//! | subcommand | file |
//! |---|---|
//! | `audit` | [`audit`] (its table: [`audit_table`]) |
//! | `generate` | [`generate`] (its summary: [`generate_summary`]) |
//! | `fix` | [`fix`] |
//! | `lsp` | [`lsp`] |
//! | `bench` (hidden) | [`bench`] |
//!
//! Shared: [`args`] (`Percent`, `Root`), [`output`] (stdout, stderr,
//! colour, progress), [`interrupt`] (Ctrl-C while user code runs).

mod args;
mod audit;
mod audit_table;
mod bench;
mod fix;
mod generate;
mod generate_summary;
mod interrupt;
mod lsp;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    /// `audit`: `--fail-under` was not met.
    pub const BELOW_FAIL_UNDER: u8 = 1;
    /// `generate`: functions were targeted but no test could be generated for any.
    pub const NOTHING_GENERATED: u8 = 1;
    /// `fix`: some tests still fail.
    pub const SOME_STILL_FAIL: u8 = 1;
    /// `lsp`: the client exited without asking the server to shut down.
    pub const EXIT_WITHOUT_SHUTDOWN: u8 = 1;
    /// Bad flags, or input testgap cannot use (coverage.json, root, no
    /// usable interpreter, a file that could not be written).
    pub const USAGE: u8 = 2;
    /// `generate` and `fix`: stopped by Ctrl-C (SIGINT) or SIGTERM.
    pub const INTERRUPTED: i32 = 130;
    pub const TERMINATED: i32 = 143;
}

#[derive(Parser)]
#[command(
    name = "testgap",
    version,
    about = "Coverage-driven testing for Python: see which code no test runs, and what matters most."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rank the modules below a coverage threshold by gap size and risk.
    Audit(audit::AuditArgs),
    /// Write pytest tests for untested code, verified by running them.
    Generate(generate::GenerateArgs),
    /// Repair failing tests: name each failure's root cause, make the
    /// smallest edit to the test, and prove it by re-running.
    Fix(fix::FixArgs),
    /// Serve the Language Server Protocol on stdin/stdout.
    Lsp(lsp::LspArgs),
    /// Measurements used by bench/run.
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

/// Parses the flags, runs the subcommand and turns its result into the
/// exit code; `Err` is one `testgap: …` line and exit 2.
pub fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("testgap: internal error: {info}. Please report this with the command you ran.");
    }));
    let result = match Cli::parse().command {
        Command::Audit(args) => audit::run(args),
        Command::Generate(args) => {
            interrupt::stop_children_on_signal();
            generate::run(args)
        }
        Command::Fix(args) => {
            interrupt::stop_children_on_signal();
            fix::run(args)
        }
        Command::Lsp(args) => lsp::run(args),
        Command::Bench { what } => bench::run(what),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            output::error(&message);
            ExitCode::from(exit::USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
