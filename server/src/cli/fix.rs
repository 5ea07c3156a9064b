//! `testgap fix`: the command line front door of test repair.

use super::args::Root;
use super::exit;
use super::output::{self, Format};
use std::path::{Path, PathBuf};
use std::time::Duration;
use testgap::fix::attempt::{fix_tests, write_changes, FixConfig};
use testgap::fix::failure::slash_path;
use testgap::fix::git::Git;
use testgap::fix::report::{render_json, render_text};
use testgap::fix::run::Runner;
use testgap::fix::select;
use testgap::fix::workspace::Workspace;
use testgap::pyenv::{self, DiscoveryEnv};

/// Flags of `testgap fix`.
#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// Tests to fix, as pytest node ids (`tests/test_cart.py::test_total`);
    /// a module or class id stands for its failing tests.
    pub nodeids: Vec<String>,
    /// The project root (pytest runs there).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Fix the tests that failed in pytest's last run (`.pytest_cache`).
    #[arg(long)]
    pub last_failed: bool,
    /// Fix the failed and errored tests of a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Re-runs on candidate text allowed per test.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Write the edits to the test files.
    #[arg(long, conflicts_with = "diff")]
    pub write: bool,
    /// Print the edits as a unified diff and write nothing (the default).
    #[arg(long)]
    pub diff: bool,
    /// Update expected values even when the code under test did not change
    /// since the test's last commit (a possible regression).
    #[arg(long)]
    pub accept_drift: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The project's Python interpreter (default: $VIRTUAL_ENV, .venv or
    /// venv under the root, then python3 on PATH).
    #[arg(long)]
    pub python: Option<PathBuf>,
    /// Seconds one pytest run may take before its process group is killed.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

/// Runs `testgap fix`: 0 when every failing test is fixed, 1 when some
/// still fail; `Err` (exit 2) for bad input.
pub fn run(args: FixArgs) -> Result<u8, String> {
    let root = Root::canonical(&args.root)?;
    let root = root.path();
    let nodeids = nodeids(&args, root)?;
    let python = pyenv::find_interpreter(root, args.python.as_deref(), &DiscoveryEnv::from_process())
        .map_err(|e| e.to_string())?;
    let capabilities = pyenv::capabilities(&python).map_err(|e| e.to_string())?;
    capabilities.require_pytest(&python).map_err(|e| e.to_string())?;
    let runner = Runner::new(root, python, Duration::from_secs(args.timeout)).map_err(|e| e.to_string())?;
    let workspace = Workspace::scan(root);
    let git = Git::open(root);
    let config = FixConfig {
        max_attempts: args.max_attempts,
        accept_drift: args.accept_drift,
        ..FixConfig::default()
    };
    let mut report = fix_tests(&runner, &workspace, git.as_ref(), &nodeids, &config).map_err(|e| e.to_string())?;
    if args.write && !report.files.is_empty() {
        write_changes(&report.files, root).map_err(|e| e.to_string())?;
        report.written = true;
    }
    let rendered = match args.format {
        Format::Text => render_text(&report, true),
        Format::Json => render_json(&report),
    };
    output::print(&rendered);
    Ok(if report.all_fixed() {
        exit::OK
    } else {
        exit::SOME_STILL_FAIL
    })
}

/// The node ids to fix: given ones, then `--last-failed`, then `--junit`.
fn nodeids(args: &FixArgs, root: &Path) -> Result<Vec<String>, String> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    let mut ids: Vec<String> = args.nodeids.iter().map(|id| relative_nodeid(id, &cwd, root)).collect();
    if args.last_failed {
        let found = select::last_failed(root).map_err(|e| e.to_string())?;
        if found.is_empty() && args.nodeids.is_empty() {
            return Err("--last-failed: pytest's cache records no failed tests".to_string());
        }
        ids.extend(found);
    }
    if let Some(junit) = &args.junit {
        let found = select::junit_failures(root, junit).map_err(|e| e.to_string())?;
        if found.is_empty() && ids.is_empty() {
            return Err(format!("--junit: {} records no failed tests", junit.display()));
        }
        ids.extend(found);
    }
    let mut unique = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    if unique.is_empty() {
        return Err("no tests to fix: give node ids, --last-failed, or --junit FILE".to_string());
    }
    for id in &unique {
        if id.starts_with('-') {
            return Err(format!("`{id}` is not a test node id"));
        }
    }
    Ok(unique)
}

/// A node id whose path is relative to the working directory (or
/// absolute), made relative to the root the way pytest writes it.
fn relative_nodeid(id: &str, cwd: &Path, root: &Path) -> String {
    let (path, rest) = match id.split_once("::") {
        Some((path, rest)) => (path, Some(rest)),
        None => (id, None),
    };
    let trimmed = path.trim_start_matches("./");
    let under_root = |full: PathBuf| {
        full.canonicalize()
            .ok()
            .and_then(|f| f.strip_prefix(root).ok().map(slash_path))
    };
    let rel = if Path::new(path).is_absolute() {
        under_root(PathBuf::from(path)).unwrap_or_else(|| path.to_string())
    } else if root.join(trimmed).exists() {
        trimmed.to_string()
    } else {
        under_root(cwd.join(path)).unwrap_or_else(|| trimmed.to_string())
    };
    match rest {
        Some(rest) => format!("{rel}::{rest}"),
        None => rel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_relative_to_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("tests")).unwrap();
        std::fs::write(root.join("tests/test_a.py"), "").unwrap();
        let tests_dir = root.join("tests");
        assert_eq!(relative_nodeid("test_a.py::t", &tests_dir, &root), "tests/test_a.py::t");
        assert_eq!(
            relative_nodeid("tests/test_a.py::t", &root, &root),
            "tests/test_a.py::t"
        );
        assert_eq!(relative_nodeid("./tests/test_a.py", &root, &root), "tests/test_a.py");
        let absolute = format!("{}::t[1]", root.join("tests/test_a.py").display());
        assert_eq!(relative_nodeid(&absolute, &tests_dir, &root), "tests/test_a.py::t[1]");
        assert_eq!(relative_nodeid("gone.py::t", &root, &root), "gone.py::t");
    }
}
