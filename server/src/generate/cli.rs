//! `testgap generate`: the command line front door of test generation. It
//! parses flags, prints diffs, progress and the summary, and writes files;
//! everything else is the core's.

// This module is a front door: it owns stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use super::targets::{self, Shard};
use super::{apply_edit, generate_all, GenerateConfig, ModuleReport, Numbers, Project};
use crate::audit::{self, AuditConfig};
use crate::coverage::{self, config, LoadOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Exit codes (documented in the README).
pub mod exit {
    /// Tests were generated, or nothing needed them.
    pub const OK: u8 = 0;
    /// Functions were targeted but no test could be generated for any.
    pub const NOTHING_GENERATED: u8 = 1;
    /// Bad flags or input: no such file, no coverage data for `--all`, no
    /// usable interpreter, a file that could not be written.
    pub const USAGE: u8 = 2;
}

/// Flags of `testgap generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// What to test: path.py (its untested functions), path.py::func,
    /// path.py::Class.method, path.py::Class (its public methods) or
    /// pkg.module:func.
    pub targets: Vec<String>,
    /// Every module below the threshold, in the audit's order (needs coverage data).
    #[arg(long)]
    pub all: bool,
    /// The project root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The coverage.json to read (default: <root>/coverage.json, else the
    /// [json] output setting of the project's coverage configuration).
    #[arg(long)]
    pub coverage: Option<PathBuf>,
    /// With --all: modules whose coverage is below this percentage.
    #[arg(long, default_value_t = 50.0, value_parser = parse_percent)]
    pub threshold: f64,
    /// With --all: at most this many modules.
    #[arg(long, default_value_t = 200)]
    pub max_modules: usize,
    /// With --all: modules per subsystem batch.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,
    /// Modules processed in parallel (default: half the cores, at least 1).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
    /// With --all: only this share of the batches, K/N (for a CI matrix).
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Create new test files and append to existing ones (never overwrites).
    #[arg(long, conflicts_with = "diff")]
    pub write: bool,
    /// Print a unified diff of the proposed files (the default).
    #[arg(long)]
    pub diff: bool,
    /// Do not run the generated tests before offering them.
    #[arg(long)]
    pub no_verify: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// The project's Python interpreter (default: $VIRTUAL_ENV, .venv, venv, python3).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Test cases kept per function.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_tests: u64,
    /// Seconds one call may take in the probe before it counts as hanging.
    #[arg(long, default_value_t = 2.0)]
    pub call_timeout: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
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

/// Runs `testgap generate`. `Err` is a usage or input error (exit 2).
pub fn run(args: GenerateArgs) -> Result<u8, String> {
    let started = Instant::now();
    if args.all && !args.targets.is_empty() {
        return Err("give TARGETs or --all, not both".to_string());
    }
    if !args.all && args.targets.is_empty() {
        return Err("nothing to generate: give TARGETs (path.py, path.py::func, pkg.module:func) or --all".to_string());
    }
    if args.shard.is_some() && !args.all {
        return Err("--shard only applies to --all".to_string());
    }
    if !(args.call_timeout.is_finite() && args.call_timeout > 0.0) {
        return Err(format!(
            "--call-timeout {} is not a positive number of seconds",
            args.call_timeout
        ));
    }
    let specs = args
        .targets
        .iter()
        .map(|t| targets::parse_target(t))
        .collect::<Result<Vec<_>, _>>()?;
    let root = absolute_root(&args.root)?;
    let options = LoadOptions {
        explicit: args.coverage.clone(),
    };
    let report = match coverage::find_report(&root, &options) {
        Ok(path) => Some(coverage::load_report(&root, &path).map_err(|e| e.to_string())?),
        Err(e) if args.all || args.coverage.is_some() => return Err(e.to_string()),
        Err(_) => None,
    };
    let config = GenerateConfig {
        max_cases: args.max_tests as usize,
        per_call_timeout: Duration::from_secs_f64(args.call_timeout),
        verify: !args.no_verify,
        ..GenerateConfig::default()
    };
    let project = Project::open(&root, args.python.as_deref(), report, config)?;
    let jobs = if args.all {
        let settings = config::read_settings(&root);
        let audit_config = AuditConfig {
            threshold: args.threshold,
            max_modules: args.max_modules,
            batch_size: args.batch_size as usize,
            precision: settings.precision.unwrap_or(0).min(10),
        };
        let report = project
            .report
            .as_ref()
            .ok_or_else(|| "--all needs coverage data".to_string())?;
        let audited = audit::audit(&root, report, &audit_config);
        targets::jobs_for_all(&project, &audited, args.shard)
    } else {
        let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
        targets::jobs_for_targets(&project, &specs, &cwd)?
    };
    let workers = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| (n.get() / 2).max(1))
            .unwrap_or(1)
    });
    let stderr_is_terminal = std::io::stderr().is_terminal();
    let show_progress = stderr_is_terminal && args.format == OutputFormat::Text && jobs.len() > 1;
    let progress = |done: usize, total: usize, path: &str| {
        if show_progress {
            eprint!("\r\x1b[2Kgenerate [{done}/{total}] {path}");
            if done == total {
                eprint!("\r\x1b[2K");
            }
            let _ = std::io::stderr().flush();
        }
    };
    let reports = generate_all(&project, &jobs, workers, &progress);

    let mut write_errors = Vec::new();
    let mut written = Vec::new();
    if args.write {
        for edit in reports.iter().filter_map(|r| r.edit.as_ref()) {
            match apply_edit(edit, &project.root) {
                Ok(()) => written.push(edit.rel.clone()),
                Err(e) => write_errors.push(e),
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let totals = Totals::of(&reports);
    match args.format {
        OutputFormat::Json => {
            let doc = json_document(&project, &reports, &totals, args.write, &written, elapsed);
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            print_or_stop(&text);
        }
        OutputFormat::Text => {
            let summary = summary_text(&project, &reports, &totals, args.write, elapsed);
            if args.write {
                print_or_stop(&summary);
            } else {
                let mut diffs = String::new();
                for edit in reports.iter().filter_map(|r| r.edit.as_ref()) {
                    diffs.push_str(&edit.unified_diff());
                }
                print_or_stop(&diffs);
                eprint!("{summary}");
            }
        }
    }
    for e in &write_errors {
        eprintln!("testgap: {e}");
    }
    if !write_errors.is_empty() {
        return Ok(exit::USAGE);
    }
    if totals.targeted > 0 && totals.tests == 0 {
        return Ok(exit::NOTHING_GENERATED);
    }
    Ok(exit::OK)
}

fn print_or_stop(text: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // A reader that went away (`| head`) is not an error.
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

#[derive(Debug, Default, Clone, serde::Serialize)]
struct Totals {
    modules: usize,
    targeted: usize,
    with_tests: usize,
    skipped: usize,
    tests: usize,
    dropped: usize,
    before: Numbers,
    after: Numbers,
    measured: usize,
}

impl Totals {
    fn of(reports: &[ModuleReport]) -> Totals {
        let mut t = Totals {
            modules: reports.len(),
            ..Totals::default()
        };
        for r in reports {
            for f in &r.functions {
                t.targeted += 1;
                t.tests += f.tests;
                t.dropped += f.dropped.len();
                if f.tests > 0 {
                    t.with_tests += 1;
                } else {
                    t.skipped += 1;
                }
                if let (Some(b), Some(a)) = (f.before, f.after) {
                    t.before.add(&b);
                    t.after.add(&a);
                    t.measured += 1;
                }
            }
        }
        t
    }
}

fn lines_text(n: &Numbers) -> String {
    format!("{}%", coverage::display_percent(n.line_percent(), 0))
}

fn branches_text(n: &Numbers) -> String {
    format!("{}/{}", n.branches_covered, n.branches_total)
}

/// `lines 40% → 100%, branches 1/4 → 4/4` (or only after, without a report).
fn gain_text(before: Option<&Numbers>, after: Option<&Numbers>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => {
            let mut text = format!("lines {} → {}", lines_text(b), lines_text(a));
            if a.branches_total > 0 {
                text.push_str(&format!(", branches {} → {}", branches_text(b), branches_text(a)));
            }
            text
        }
        (None, Some(a)) => {
            let mut text = format!("lines {}", lines_text(a));
            if a.branches_total > 0 {
                text.push_str(&format!(", branches {}", branches_text(a)));
            }
            text.push_str(" (by the new tests alone)");
            text
        }
        _ => String::new(),
    }
}

fn summary_text(project: &Project, reports: &[ModuleReport], totals: &Totals, wrote: bool, elapsed: f64) -> String {
    let mut out = String::new();
    let python = project
        .python
        .path
        .strip_prefix(&project.root)
        .unwrap_or(&project.python.path)
        .display()
        .to_string();
    let (major, minor) = project.capabilities.version;
    out.push_str(&format!(
        "testgap generate: {} module{}, {} function{} · Python {major}.{minor} ({python})\n",
        totals.modules,
        plural(totals.modules),
        totals.targeted,
        plural(totals.targeted),
    ));
    let width = reports
        .iter()
        .flat_map(|r| r.functions.iter().map(|f| f.qualname.chars().count()))
        .max()
        .unwrap_or(8)
        .clamp(8, 40);
    for r in reports {
        out.push('\n');
        let destination = match &r.edit {
            Some(e) if e.creates() => format!(" → {} (new file)", e.rel),
            Some(e) => format!(" → {} (appended)", e.rel),
            None => String::new(),
        };
        out.push_str(&format!(
            "{}{destination}: {} test{} · {:.1} s\n",
            r.path,
            r.tests,
            plural(r.tests),
            r.seconds
        ));
        if let Some(e) = &r.error {
            out.push_str(&format!("  error: {e}\n"));
        }
        for note in &r.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        for f in &r.functions {
            let name = format!("{:<width$}", f.qualname);
            match &f.skipped {
                Some(why) if f.tests == 0 => out.push_str(&format!("  {name}  skipped: {why}\n")),
                _ => {
                    let gain = gain_text(f.before.as_ref(), f.after.as_ref());
                    let sep = if gain.is_empty() { "" } else { "  " };
                    out.push_str(&format!(
                        "  {name}  {:>2} test{}{sep}{gain}\n",
                        f.tests,
                        if f.tests == 1 { " " } else { "s" }
                    ));
                }
            }
            for d in &f.dropped {
                out.push_str(&format!("    dropped {}: {}\n", d.case, d.reason));
            }
            for note in &f.notes {
                out.push_str(&format!("    note: {note}\n"));
            }
        }
    }
    out.push('\n');
    out.push_str(&format!(
        "TOTAL  {} tests for {} of {} functions · {} skipped · {} dropped",
        totals.tests, totals.with_tests, totals.targeted, totals.skipped, totals.dropped
    ));
    if totals.measured > 0 {
        out.push_str(&format!(
            " · lines {} → {}",
            lines_text(&totals.before),
            lines_text(&totals.after)
        ));
        if totals.after.branches_total > 0 {
            out.push_str(&format!(
                ", branches {} → {}",
                branches_text(&totals.before),
                branches_text(&totals.after)
            ));
        }
    }
    out.push_str(&format!(" · {elapsed:.1} s\n"));
    if !wrote && reports.iter().any(|r| r.edit.is_some()) {
        out.push_str("(nothing written: pass --write to create or append these test files)\n");
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn json_document(
    project: &Project,
    reports: &[ModuleReport],
    totals: &Totals,
    wrote: bool,
    written: &[String],
    elapsed: f64,
) -> serde_json::Value {
    let modules: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let mut value = serde_json::to_value(r).unwrap_or_default();
            if let (Some(edit), Some(obj)) = (&r.edit, value.as_object_mut()) {
                obj.insert("diff".to_string(), serde_json::Value::String(edit.unified_diff()));
                obj.insert(
                    "written".to_string(),
                    serde_json::Value::Bool(written.contains(&edit.rel)),
                );
            }
            value
        })
        .collect();
    serde_json::json!({
        "schema_version": 1,
        "root": project.root.display().to_string(),
        "python": project.python.path.display().to_string(),
        "mode": if wrote { "write" } else { "diff" },
        "modules": modules,
        "totals": totals,
        "seconds": elapsed,
    })
}
