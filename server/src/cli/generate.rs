//! `testgap generate`: the command line front door of test generation. It
//! parses flags, prints diffs, progress and the summary, and writes files;
//! everything else is the core's.

use super::args::{Percent, Root};
use super::exit;
use super::generate_summary::{json_document, summary_text, Totals};
use super::output::{self, Format};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use testgap::audit::{self, AuditConfig};
use testgap::coverage::{self, config, CoverageReport, LoadOptions};
use testgap::generate::targets::{self, Shard};
use testgap::generate::{apply_edit, generate_all, GenerateConfig, ModuleJob, ModuleReport, Project};

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
    #[arg(long, default_value_t = Percent::DEFAULT_THRESHOLD, value_parser = Percent::parse_threshold)]
    pub threshold: Percent,
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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
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

/// Runs `testgap generate`: 0, or 1 when no test could be made for any
/// targeted function, 2 when a file could not be written; `Err` (exit 2)
/// for bad flags or input.
pub fn run(args: GenerateArgs) -> Result<u8, String> {
    let started = Instant::now();
    check_flags(&args)?;
    let specs = args
        .targets
        .iter()
        .map(|t| targets::parse_target(t))
        .collect::<Result<Vec<_>, _>>()?;
    let root = Root::absolute(&args.root)?;
    let root = root.path();
    let report = coverage_report(root, &args)?;
    let config = GenerateConfig {
        max_cases: args.max_tests as usize,
        per_call_timeout: Duration::from_secs_f64(args.call_timeout),
        verify: !args.no_verify,
        ..GenerateConfig::default()
    };
    let project = Project::open(root, args.python.as_deref(), report, config)?;
    let jobs = if args.all {
        jobs_for_all(&project, &args)?
    } else {
        let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
        targets::jobs_for_targets(&project, &specs, &cwd)?
    };
    let workers = args.jobs.map(|j| j as usize).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| (n.get() / 2).max(1))
            .unwrap_or(1)
    });
    let progress = output::Progress::new("generate", args.format == Format::Text && jobs.len() > 1);
    let reports = generate_all(&project, &jobs, workers, &|done, total, path: &str| {
        progress.update(done, total, path)
    });

    let (written, write_errors) = if args.write {
        write_edits(&reports, &project.root)
    } else {
        (Vec::new(), Vec::new())
    };
    let totals = Totals::of(&reports);
    let elapsed = started.elapsed().as_secs_f64();
    match args.format {
        Format::Json => {
            let doc = json_document(&project, &reports, &totals, args.write, &written, elapsed);
            output::print(&output::pretty_json(&doc));
        }
        Format::Text => {
            let summary = summary_text(&project, &reports, &totals, args.write, elapsed);
            if args.write {
                output::print(&summary);
            } else {
                output::print(&diffs(&reports));
                output::print_aside(&summary);
            }
        }
    }
    for e in &write_errors {
        output::error(e);
    }
    if !write_errors.is_empty() {
        return Ok(exit::USAGE);
    }
    if totals.nothing_generated() {
        return Ok(exit::NOTHING_GENERATED);
    }
    Ok(exit::OK)
}

/// Flags that clap cannot check alone.
fn check_flags(args: &GenerateArgs) -> Result<(), String> {
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
    Ok(())
}

/// The project's coverage report: needed for `--all` or when named, else
/// used when there is one.
fn coverage_report(root: &std::path::Path, args: &GenerateArgs) -> Result<Option<CoverageReport>, String> {
    let options = LoadOptions {
        explicit: args.coverage.clone(),
    };
    match coverage::find_report(root, &options) {
        Ok(path) => Ok(Some(coverage::load_report(root, &path).map_err(|e| e.to_string())?)),
        Err(e) if args.all || args.coverage.is_some() => Err(e.to_string()),
        Err(_) => Ok(None),
    }
}

/// `--all`: the modules the audit ranks below the threshold, in its order.
fn jobs_for_all(project: &Project, args: &GenerateArgs) -> Result<Vec<ModuleJob>, String> {
    let settings = config::read_settings(&project.root);
    let audit_config = AuditConfig {
        threshold: args.threshold.get(),
        max_modules: args.max_modules,
        batch_size: args.batch_size as usize,
        precision: settings.precision.unwrap_or(0).min(10),
    };
    let report = project
        .report
        .as_ref()
        .ok_or_else(|| "--all needs coverage data".to_string())?;
    let audited = audit::audit(&project.root, report, &audit_config);
    Ok(targets::jobs_for_all(project, &audited, args.shard))
}

/// Writes every proposed file: the paths written, and the errors.
fn write_edits(reports: &[ModuleReport], root: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let mut written = Vec::new();
    let mut errors = Vec::new();
    for edit in reports.iter().filter_map(|r| r.edit.as_ref()) {
        match apply_edit(edit, root) {
            Ok(()) => written.push(edit.rel.clone()),
            Err(e) => errors.push(e),
        }
    }
    (written, errors)
}

/// Every proposed file as a unified diff.
fn diffs(reports: &[ModuleReport]) -> String {
    reports
        .iter()
        .filter_map(|r| r.edit.as_ref())
        .map(|edit| edit.unified_diff())
        .collect()
}
