//! The `testgap` command line.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use testgap::audit::{self, AuditConfig, TextStyle};
use testgap::coverage::{self, config, LoadOptions};

/// Exit codes, documented in the README.
mod exit {
    pub const OK: u8 = 0;
    /// `--fail-under` was not met.
    pub const BELOW_FAIL_UNDER: u8 = 1;
    /// `testgap lsp`: the client exited without asking the server to shut down.
    pub const EXIT_WITHOUT_SHUTDOWN: u8 = 1;
    /// Bad flags, or input (coverage.json, root) testgap cannot use.
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
    Audit(AuditArgs),
    /// Write pytest tests for untested code, verified by running them.
    Generate(testgap::generate::cli::GenerateArgs),
    /// Repair failing tests: name each failure's root cause, make the
    /// smallest edit to the test, and prove it by re-running.
    Fix(testgap::fix::cli::FixArgs),
    /// Serve the Language Server Protocol on stdin/stdout.
    Lsp {
        /// Accepted for clients that always pass it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Measurements used by bench/run.
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(clap::Args)]
struct AuditArgs {
    /// The project root.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The coverage.json to read (default: <root>/coverage.json, else the
    /// [json] output setting of the project's coverage configuration).
    #[arg(long)]
    coverage: Option<PathBuf>,
    /// Rank modules whose coverage is below this percentage.
    #[arg(long, default_value_t = 50.0, value_parser = parse_percent)]
    threshold: f64,
    /// Report at most this many modules.
    #[arg(long, default_value_t = 200)]
    max_modules: usize,
    /// Modules per subsystem batch.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    batch_size: u64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with status 1 when total coverage is below this percentage.
    #[arg(long, value_parser = parse_fail_under)]
    fail_under: Option<f64>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Parse a file into serde_json::Value.
    ValueParse { file: PathBuf },
    /// Load a coverage report the way the audit does.
    Load {
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Analyse every .py file below a directory.
    Analyze { dir: PathBuf },
    /// Time re-parsing one file after each of N edits.
    Edits {
        file: PathBuf,
        #[arg(long, default_value_t = 1000)]
        count: usize,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("`{text}` is not a percentage (a number from 0 to 100)")),
    }
}

fn parse_fail_under(text: &str) -> Result<f64, String> {
    match parse_percent(text) {
        Ok(v) if v <= 100.0 => Ok(v),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

// Parsing, the coverage join and the LSP's JSON make many small short-lived
// allocations; mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("testgap: internal error: {info}. Please report this with the command you ran.");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Generate(args) => {
            stop_children_on_signal();
            testgap::generate::cli::run(args)
        }
        Command::Fix(args) => {
            stop_children_on_signal();
            testgap::fix::cli::run(args)
        }
        Command::Lsp { .. } => run_lsp(),
        Command::Bench { what } => run_bench(what),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("testgap: {message}");
            ExitCode::from(exit::USAGE)
        }
    }
}

/// On Ctrl-C (or a termination request) while tests or probes run, kills
/// their process groups, which the terminal's signal does not reach, then
/// exits with 130 (143 for SIGTERM). Nothing is written after a signal:
/// files are only ever replaced whole, by rename.
fn stop_children_on_signal() {
    std::thread::spawn(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        let code = runtime.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                let Ok(mut terminate) = signal(SignalKind::terminate()) else {
                    let _ = tokio::signal::ctrl_c().await;
                    return exit::INTERRUPTED;
                };
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => exit::INTERRUPTED,
                    _ = terminate.recv() => exit::TERMINATED,
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
                exit::INTERRUPTED
            }
        });
        let stopped = testgap::pyenv::process::kill_running();
        if stopped > 0 {
            eprintln!("testgap: interrupted; stopped the {stopped} run(s) in progress");
        } else {
            eprintln!("testgap: interrupted");
        }
        std::process::exit(code);
    });
}

fn absolute_root(root: &Path) -> Result<PathBuf, String> {
    if !root.is_dir() {
        return Err(format!("--root {} is not a directory", root.display()));
    }
    std::path::absolute(root)
        .ok()
        .and_then(|p| coverage::normalize(&p))
        .ok_or_else(|| format!("cannot resolve --root {}", root.display()))
}

fn run_audit(args: AuditArgs) -> Result<u8, String> {
    let root = absolute_root(&args.root)?;
    let options = LoadOptions {
        explicit: args.coverage.clone(),
    };
    let path = coverage::find_report(&root, &options).map_err(|e| e.to_string())?;
    let report = coverage::load_report(&root, &path).map_err(|e| e.to_string())?;
    let settings = config::read_settings(&root);
    let config = AuditConfig {
        threshold: args.threshold,
        max_modules: args.max_modules,
        batch_size: args.batch_size as usize,
        precision: settings.precision.unwrap_or(0).min(10),
    };
    let result = audit::audit(&root, &report, &config);
    let stdout = std::io::stdout();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let rendered = match args.format {
        Format::Text => audit::render_text(
            &result,
            TextStyle {
                color,
                functions_per_module: 3,
            },
        ),
        Format::Json => audit::render_json(&result),
        Format::Sarif => pretty(&audit::render_sarif(&result)),
    };
    let mut out = stdout.lock();
    if out.write_all(rendered.as_bytes()).and_then(|_| out.flush()).is_err() {
        // The reader went away (`| head`); nothing more to say.
        return Ok(exit::OK);
    }
    report_warnings(&result.warnings);
    if let Some(fail_under) = args.fail_under {
        let total = result.totals.percent();
        if should_fail_under(total, fail_under, config.precision) {
            eprintln!(
                "testgap: total coverage {}% is below --fail-under {fail_under}",
                coverage::display_percent(total, config.precision)
            );
            return Ok(exit::BELOW_FAIL_UNDER);
        }
    }
    Ok(exit::OK)
}

/// coverage.py's rule: 100 must really be 100; otherwise compare the total
/// rounded to the report precision.
fn should_fail_under(total: f64, fail_under: f64, precision: usize) -> bool {
    if fail_under == 100.0 {
        return total != 100.0;
    }
    let scale = 10f64.powi(precision as i32);
    (total * scale).round_ties_even() / scale < fail_under
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn report_warnings(warnings: &[testgap::Warning]) {
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

fn run_lsp() -> Result<u8, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let orderly = runtime.block_on(testgap::lsp::serve_stdio());
    // Tests or probes still running for a job nobody waits for any more go
    // with the server; blocking tasks (a report still loading) must not keep
    // the process alive.
    testgap::pyenv::process::kill_running();
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    // The protocol: exit after `shutdown` is 0, without it 1.
    Ok(if orderly { exit::OK } else { exit::EXIT_WITHOUT_SHUTDOWN })
}

fn run_bench(what: BenchCommand) -> Result<u8, String> {
    let line = match what {
        BenchCommand::ValueParse { file } => {
            let seconds = testgap::bench::value_parse(&file).map_err(|e| e.to_string())?;
            serde_json::json!({ "seconds": seconds })
        }
        BenchCommand::Load { file, root } => {
            let root = absolute_root(&root)?;
            let (seconds, files) = testgap::bench::load(&root, &file).map_err(|e| e.to_string())?;
            serde_json::json!({ "seconds": seconds, "files": files })
        }
        BenchCommand::Analyze { dir } => serde_json::json!(testgap::bench::analyze_dir(&dir)),
        BenchCommand::Edits { file, count } => {
            serde_json::json!(testgap::bench::edits(&file, count).map_err(|e| e.to_string())?)
        }
    };
    println!("{line}");
    Ok(exit::OK)
}
