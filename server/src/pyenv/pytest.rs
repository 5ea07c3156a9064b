//! The one pytest runner: generate's verification and fix both run the
//! project's tests through it, so both get the same environment (see
//! [`PythonRun`]), time limit, process group and plugin
//! (`pytest_plugin.py`, reporting JSON lines, with `pytest_failures.py`
//! describing failures).
//!
//! What differs between callers is said in a [`RunnerConfig`] (how much the
//! plugin reports, whether the project's `addopts` apply) and an
//! [`Invocation`] (what to run, from where, with which unsaved texts, and
//! whether under coverage.py).

use super::{Interpreter, Limits, Output, PythonRun, RunError, TempDir};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The plugin's source, carried by the binary and written next to each
/// runner's scratch files.
pub const PLUGIN_SOURCE: &str = include_str!("pytest_plugin.py");
/// The module name it is loaded under (`-p`).
const PLUGIN_MODULE: &str = "_testgap_pytest";
/// The plugin's description of failures, imported by the plugin under this
/// name (from the same directory).
const FAILURES_SOURCE: &str = include_str!("pytest_failures.py");
const FAILURES_MODULE: &str = "_testgap_failures";
/// Bytes of pytest's own stdout and stderr kept: only their last lines are
/// ever shown, the results come through the plugin's file.
const OUTPUT_CAP: usize = 1 << 20;

/// Candidate text by absolute path: what the test run imports instead of
/// the file on disk (a test module or a conftest.py being edited).
pub type Overrides = BTreeMap<PathBuf, String>;

/// Whether the `addopts` of the project's pytest configuration apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addopts {
    /// As the user runs their tests: `testgap fix` re-runs the user's own
    /// tests, so their options (plugins, `-x`, markers) must hold.
    Project,
    /// Cleared (`-o addopts=`): generate verifies a new file from a scratch
    /// directory, where options such as `--cov`, `-n auto` or
    /// `--doctest-modules` would measure, fork or collect the wrong thing.
    Ignore,
}

/// How much the plugin reports about each test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Outcome, and pytest's one-line message of a failure or skip.
    Outcomes,
    /// Also the exception, frames, compared operands, mock calls, fixtures
    /// and the functions a failing test called: what `fix` classifies. It
    /// watches each test run (a profile hook), so it costs time.
    Failures,
}

/// What stays the same for every run of one runner.
#[derive(Debug, Clone, Copy)]
pub struct RunnerConfig {
    pub addopts: Addopts,
    pub detail: Detail,
    /// Wall-clock limit of one pytest run; its process group is killed then.
    pub timeout: Duration,
}

/// Runs under coverage.py: `coverage run --branch` limited to `include`,
/// then `coverage json` into `json`.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub include: Vec<PathBuf>,
    pub data_file: PathBuf,
    pub json: PathBuf,
}

/// One pytest run: what to run, from where, and with what in place.
#[derive(Debug, Clone)]
pub struct Invocation<'a> {
    /// The project root: where the plugin looks for the user's code.
    pub root: &'a Path,
    /// Working directory; the root unless a scratch directory is wanted.
    pub cwd: &'a Path,
    /// Node ids or files, as pytest takes them.
    pub targets: Vec<OsString>,
    /// Directories for `PYTHONPATH`, after the plugin's.
    pub python_path: &'a [PathBuf],
    /// Candidate texts imported instead of the files on disk.
    pub overrides: &'a Overrides,
    /// One overridden test module whose failed comparisons are recorded
    /// instead of stopping the test (a probe run).
    pub soft_asserts: Option<&'a Path>,
    /// `--rootdir` and `-c`, for a run from outside the project.
    pub rootdir: Option<&'a Path>,
    pub config_file: Option<&'a Path>,
    /// `--basetemp`: pytest's `tmp_path` folders.
    pub basetemp: Option<PathBuf>,
    pub coverage: Option<Coverage>,
}

static NO_OVERRIDES: Overrides = BTreeMap::new();

impl<'a> Invocation<'a> {
    /// Runs `targets` from `root`, with nothing else set.
    pub fn new<I, S>(root: &'a Path, targets: I) -> Invocation<'a>
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Invocation {
            root,
            cwd: root,
            targets: targets.into_iter().map(Into::into).collect(),
            python_path: &[],
            overrides: &NO_OVERRIDES,
            soft_asserts: None,
            rootdir: None,
            config_file: None,
            basetemp: None,
            coverage: None,
        }
    }
}

/// What one run left: the plugin's JSON lines and how the process ended.
#[derive(Debug, Clone, Default)]
pub struct PytestOutput {
    /// One JSON object per line (see `pytest_plugin.py`).
    pub report: String,
    /// The session ran to its end (the plugin wrote its `session` record):
    /// without it, pytest stopped before or while running the tests.
    pub finished: bool,
    /// Killed at [`RunnerConfig::timeout`].
    pub timed_out: bool,
    /// pytest's exit status; `None` when killed.
    pub exit_code: Option<i32>,
    /// The last lines pytest printed (stderr, else stdout), to explain a run
    /// that reported nothing.
    pub tail: String,
    /// The coverage.json written, when measured.
    pub coverage_json: Option<PathBuf>,
}

/// Why pytest could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum PytestError {
    /// A scratch file could not be written (the message says which).
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Runs pytest in one interpreter; one scratch directory holds the plugin
/// and each run's report and candidate files. Runs may go on at once.
#[derive(Debug)]
pub struct PytestRunner {
    python: Interpreter,
    config: RunnerConfig,
    scratch: TempDir,
    runs: AtomicU32,
}

impl PytestRunner {
    /// Prepares the scratch directory and the plugin.
    pub fn new(python: Interpreter, config: RunnerConfig) -> Result<PytestRunner, PytestError> {
        let scratch =
            TempDir::new("pytest").map_err(|e| PytestError::Io(format!("cannot create a temporary directory: {e}")))?;
        for (module, source) in [(PLUGIN_MODULE, PLUGIN_SOURCE), (FAILURES_MODULE, FAILURES_SOURCE)] {
            std::fs::write(scratch.path().join(format!("{module}.py")), source)
                .map_err(|e| PytestError::Io(format!("cannot write the pytest plugin: {e}")))?;
        }
        Ok(PytestRunner {
            python,
            config,
            scratch,
            runs: AtomicU32::new(0),
        })
    }

    /// How many pytest runs this runner started.
    pub fn runs(&self) -> u32 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Runs pytest once as `invocation` says.
    pub fn run(&self, invocation: &Invocation) -> Result<PytestOutput, PytestError> {
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let dir = self.scratch.path().join(format!("run-{n}"));
        std::fs::create_dir(&dir).map_err(|e| PytestError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let result = self.run_in(&dir, invocation);
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    fn run_in(&self, dir: &Path, invocation: &Invocation) -> Result<PytestOutput, PytestError> {
        let report_path = dir.join("report.jsonl");
        let mut run = self.command(invocation, &report_path);
        if !invocation.overrides.is_empty() {
            let mapping = write_overrides(dir, invocation.overrides)?;
            run = run.env("TESTGAP_PYTEST_OVERRIDES", mapping.to_string_lossy());
        }
        if let Some(coverage) = &invocation.coverage {
            let _ = std::fs::remove_file(&coverage.data_file);
            let _ = std::fs::remove_file(&coverage.json);
        }
        let limits = Limits {
            timeout: self.config.timeout,
            output_cap: OUTPUT_CAP,
        };
        let output = run.run(&self.python, b"", limits)?;
        let report = std::fs::read_to_string(&report_path).unwrap_or_default();
        let finished = report.lines().any(is_session_record);
        let mut out = PytestOutput {
            report,
            finished,
            timed_out: output.timed_out,
            exit_code: output.code(),
            tail: tail(&output, 6),
            coverage_json: None,
        };
        if let Some(coverage) = invocation.coverage.as_ref().filter(|_| finished && !output.timed_out) {
            out.coverage_json = self.coverage_json(invocation.cwd, coverage);
        }
        Ok(out)
    }

    /// The child: `[coverage run …] -m pytest`, our options, the caller's,
    /// then the targets after `--` (so a node id starting with `-` is not
    /// read as a flag).
    fn command(&self, invocation: &Invocation, report_path: &Path) -> PythonRun {
        let mut run = PythonRun::new(invocation.cwd);
        run.python_path.push(self.scratch.path().to_path_buf());
        run.python_path.extend(invocation.python_path.iter().cloned());
        if let Some(coverage) = &invocation.coverage {
            run = run.args(["-m", "coverage", "run", "--branch"]).args([
                format!("--data-file={}", coverage.data_file.display()),
                format!("--include={}", include_list(&coverage.include)),
            ]);
        }
        run = run
            .args(["-m", "pytest", "-p", PLUGIN_MODULE, "-p", "no:cacheprovider"])
            .args(["--continue-on-collection-errors", "-q", "--color=no"]);
        if self.config.addopts == Addopts::Ignore {
            run = run.args(["-o", "addopts="]);
        }
        if let Some(rootdir) = invocation.rootdir {
            run = run.arg(format!("--rootdir={}", rootdir.display()));
        }
        if let Some(basetemp) = &invocation.basetemp {
            run = run.arg(format!("--basetemp={}", basetemp.display()));
        }
        if let Some(config) = invocation.config_file {
            run = run.arg("-c").arg(config.as_os_str());
        }
        run = run
            .env("TESTGAP_PYTEST_REPORT", report_path.to_string_lossy())
            .env("TESTGAP_PYTEST_ROOT", invocation.root.to_string_lossy());
        if self.config.detail == Detail::Failures {
            run = run.env("TESTGAP_PYTEST_DETAIL", "failures");
        }
        if let Some(file) = invocation.soft_asserts {
            run = run.env("TESTGAP_PYTEST_SOFT_ASSERTS", file.to_string_lossy());
        }
        run.arg("--").args(invocation.targets.iter().cloned())
    }

    /// `coverage json` of a measured run; `None` when it fails (the run's
    /// results still stand).
    fn coverage_json(&self, cwd: &Path, coverage: &Coverage) -> Option<PathBuf> {
        if !coverage.data_file.is_file() {
            return None;
        }
        let report = PythonRun::new(cwd)
            .args(["-m", "coverage", "json", "-q"])
            .arg(format!("--data-file={}", coverage.data_file.display()))
            .arg(format!("--include={}", include_list(&coverage.include)))
            .arg("-o")
            .arg(coverage.json.as_os_str())
            .run(
                &self.python,
                b"",
                Limits {
                    timeout: Duration::from_secs(60),
                    output_cap: 1 << 16,
                },
            );
        (report.is_ok_and(|o| o.success()) && coverage.json.is_file()).then(|| coverage.json.clone())
    }
}

/// Writes each candidate text to a file in `dir` and the mapping from the
/// real path to it as JSON, for the plugin's importer. Returns the mapping's
/// path.
fn write_overrides(dir: &Path, overrides: &Overrides) -> Result<PathBuf, PytestError> {
    let mut mapping = serde_json::Map::new();
    for (i, (path, text)) in overrides.iter().enumerate() {
        let candidate = dir.join(format!("candidate-{i}.py"));
        std::fs::write(&candidate, text)
            .map_err(|e| PytestError::Io(format!("cannot write {}: {e}", candidate.display())))?;
        mapping.insert(
            path.to_string_lossy().into_owned(),
            serde_json::Value::String(candidate.to_string_lossy().into_owned()),
        );
    }
    let mapping_path = dir.join("overrides.json");
    let json = serde_json::Value::Object(mapping).to_string();
    std::fs::write(&mapping_path, json).map_err(|e| PytestError::Io(format!("cannot write overrides: {e}")))?;
    Ok(mapping_path)
}

fn include_list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether a report line is the plugin's end-of-session record.
fn is_session_record(line: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Event {
        event: String,
    }
    serde_json::from_str::<Event>(line).is_ok_and(|e| e.event == "session")
}

/// The last `lines` lines of stderr, else of stdout.
fn tail(output: &Output, lines: usize) -> String {
    let tail = output.stderr_tail(lines);
    if !tail.trim().is_empty() {
        return tail;
    }
    let out = output.stdout_text();
    let all: Vec<&str> = out.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// One test's results as the plugin reports them in every [`Detail`]: the
/// fields `generate` reads. `fix` reads the full records itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct TestRecord {
    pub nodeid: String,
    /// `setup`, `call` or `teardown`.
    pub phase: String,
    /// `passed`, `failed` or `skipped`.
    pub outcome: String,
    /// pytest's short message of a failure or skip.
    #[serde(default)]
    pub message: String,
}

/// The test records and the collection errors' texts of a report, in order;
/// lines that are not records are skipped.
pub fn test_records(report: &str) -> (Vec<TestRecord>, Vec<String>) {
    #[derive(serde::Deserialize)]
    struct Line {
        event: String,
        #[serde(default)]
        longrepr: Option<String>,
    }
    let mut tests = Vec::new();
    let mut errors = Vec::new();
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(head) = serde_json::from_str::<Line>(line) else {
            continue;
        };
        match head.event.as_str() {
            "test" => tests.extend(serde_json::from_str::<TestRecord>(line).ok()),
            "collect" => errors.push(head.longrepr.unwrap_or_default()),
            _ => {}
        }
    }
    (tests, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyenv::InterpreterSource;

    /// The interpreter `tests/run` names in `TESTGAP_PYTHON` (without it
    /// there is no pytest to run, and nothing to check).
    fn python() -> Option<Interpreter> {
        Some(Interpreter {
            path: std::env::var_os("TESTGAP_PYTHON")?.into(),
            source: InterpreterSource::Explicit,
        })
    }

    fn runner(python: Interpreter, detail: Detail) -> PytestRunner {
        let config = RunnerConfig {
            addopts: Addopts::Project,
            detail,
            timeout: Duration::from_secs(120),
        };
        PytestRunner::new(python, config).unwrap()
    }

    const TESTS: &str = "import pytest\n\n\
        def test_pass():\n    assert 1 + 1 == 2\n\n\
        def test_fail():\n    assert 1 + 1 == 3\n\n\
        @pytest.mark.skip(reason='not today')\n\
        def test_skip():\n    pass\n";

    fn project() -> (TempDir, PathBuf) {
        let tmp = TempDir::new("pytest-runner-test").unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::write(root.join("test_it.py"), TESTS).unwrap();
        (tmp, root)
    }

    fn outcomes(report: &str) -> Vec<(String, String, String)> {
        let (tests, _) = test_records(report);
        tests
            .into_iter()
            .filter(|t| t.outcome != "passed" || t.phase == "call")
            .map(|t| (t.nodeid, t.outcome, t.message))
            .collect()
    }

    #[test]
    fn outcomes_and_messages_of_a_live_run() {
        let Some(python) = python() else { return };
        let (_tmp, root) = project();
        let output = runner(python, Detail::Outcomes)
            .run(&Invocation::new(&root, ["test_it.py"]))
            .unwrap();
        assert!(output.finished && !output.timed_out, "{}", output.tail);
        assert_eq!(output.exit_code, Some(1));
        let got = outcomes(&output.report);
        assert_eq!(got[0], ("test_it.py::test_pass".into(), "passed".into(), String::new()));
        assert_eq!(
            (got[1].0.as_str(), got[1].1.as_str()),
            ("test_it.py::test_fail", "failed")
        );
        assert!(got[1].2.starts_with("assert (1 + 1) == 3"), "{}", got[1].2);
        assert_eq!(
            (got[2].0.as_str(), got[2].1.as_str()),
            ("test_it.py::test_skip", "skipped")
        );
        assert!(got[2].2.contains("not today"), "{}", got[2].2);
        // Outcomes only: nothing describes the failure.
        assert!(!output.report.contains("\"error\""), "{}", output.report);
    }

    #[test]
    fn unsaved_text_and_failure_details() {
        let Some(python) = python() else { return };
        let (_tmp, root) = project();
        let runner = runner(python, Detail::Failures);
        let mut overrides = Overrides::new();
        overrides.insert(root.join("test_it.py"), TESTS.replace("== 3", "== 2"));
        let mut invocation = Invocation::new(&root, ["test_it.py::test_fail"]);
        invocation.overrides = &overrides;
        let output = runner.run(&invocation).unwrap();
        assert_eq!(outcomes(&output.report)[0].1, "passed", "{}", output.report);
        assert_eq!(std::fs::read_to_string(root.join("test_it.py")).unwrap(), TESTS);

        let output = runner.run(&Invocation::new(&root, ["test_it.py::test_fail"])).unwrap();
        assert!(
            output.report.contains("\"error\": {\"type\": \"AssertionError\""),
            "{}",
            output.report
        );
        assert_eq!(runner.runs(), 2);
    }
}
