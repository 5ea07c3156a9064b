//! Running candidate tests with pytest before anything is offered: the file
//! is written into a temporary directory (never the user's tree), the
//! project is importable through `PYTHONPATH`, and the project's pytest
//! runner (`pyenv::pytest`) reports each test's outcome. Optionally under
//! coverage.py, to measure what the tests reach.

use crate::pyenv::pytest::{
    test_records, Addopts, Coverage, Detail, Invocation, PytestRunner, RunnerConfig, TestRecord,
};
use crate::pyenv::{Interpreter, TempDir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to run pytest for a project.
#[derive(Debug, Clone)]
pub struct Verifier<'a> {
    pub python: &'a Interpreter,
    pub root: &'a Path,
    pub import_roots: &'a [PathBuf],
    /// The project's pytest configuration file, so its settings (warning
    /// filters, markers) apply; `addopts` is cleared.
    pub pytest_config: Option<&'a Path>,
    pub timeout: Duration,
}

/// One test's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    pub outcome: String,
    pub message: String,
}

/// What one pytest run reported.
#[derive(Debug, Clone, Default)]
pub struct PytestRun {
    /// By test name as pytest shows it (`test_x[id]`).
    pub tests: BTreeMap<String, TestOutcome>,
    /// Collection errors (import errors, syntax errors) of the file.
    pub errors: Vec<String>,
    /// The coverage.json of this run, when measured.
    pub coverage_json: Option<PathBuf>,
    /// Why nothing could be read, when pytest itself failed.
    pub failure: Option<String>,
}

/// A scratch area for verifying one module's tests.
pub struct Scratch {
    dir: TempDir,
}

impl Scratch {
    pub fn new() -> std::io::Result<Scratch> {
        let dir = TempDir::new("verify")?;
        // Each of the two runs has its own working directory, coverage data
        // and pytest temporary directories.
        for sub in ["candidate", "plain/work", "measured/work"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        Ok(Scratch { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Characters kept of a collection error's text: its end, where the error is.
const ERROR_TAIL: usize = 2000;

impl Verifier<'_> {
    /// Runs `text` as the test file `file_name` twice at once: plainly, and
    /// under coverage.py limited to the `measure` files (plainly again
    /// without them). Two runs tell flaky tests; running them side by side
    /// halves the wait on a machine with two cores.
    pub fn run_twice(
        &self,
        scratch: &Scratch,
        file_name: &str,
        text: &str,
        measure: Option<&[PathBuf]>,
    ) -> (PytestRun, PytestRun) {
        let file = scratch.path().join("candidate").join(file_name);
        if let Err(e) = std::fs::write(&file, text) {
            let why = format!("cannot write the candidate tests: {e}");
            return (failed(why.clone()), failed(why));
        }
        // A new file from a scratch directory: the project's `addopts` are
        // not for it, and only outcomes are wanted.
        let config = RunnerConfig {
            addopts: Addopts::Ignore,
            detail: Detail::Outcomes,
            timeout: self.timeout,
        };
        let runner = match PytestRunner::new(self.python.clone(), config) {
            Ok(runner) => runner,
            Err(e) => return (failed(e.to_string()), failed(e.to_string())),
        };
        std::thread::scope(|scope| {
            let plain = scope.spawn(|| self.run(&runner, scratch, "plain", &file, None));
            let measured = self.run(&runner, scratch, "measured", &file, measure);
            let plain = plain
                .join()
                .unwrap_or_else(|_| failed("the pytest run stopped unexpectedly".to_string()));
            (plain, measured)
        })
    }

    /// Runs the test file `file` once, keeping its data and temporary files
    /// in the scratch's `slot`; with `measure`, under coverage.py limited to
    /// those source files.
    fn run(
        &self,
        runner: &PytestRunner,
        scratch: &Scratch,
        slot: &str,
        file: &Path,
        measure: Option<&[PathBuf]>,
    ) -> PytestRun {
        let base = scratch.path().join(slot);
        let work = base.join("work");
        let mut invocation = Invocation::new(self.root, [file]);
        invocation.cwd = &work;
        invocation.python_path = self.import_roots;
        invocation.rootdir = Some(self.root);
        invocation.config_file = self.pytest_config;
        invocation.basetemp = Some(base.join("basetemp"));
        invocation.coverage = measure.map(|files| Coverage {
            include: files.to_vec(),
            data_file: base.join(".coverage"),
            json: base.join("coverage.json"),
        });
        let output = match runner.run(&invocation) {
            Ok(o) => o,
            Err(e) => return failed(e.to_string()),
        };
        if output.timed_out {
            return failed(format!("pytest did not finish within {} s", self.timeout.as_secs()));
        }
        if !output.finished {
            return failed(format!("pytest reported nothing: {}", output.tail.trim()));
        }
        let (records, errors) = test_records(&output.report);
        PytestRun {
            tests: outcomes(records),
            errors: errors.into_iter().map(|e| tail_chars(&e, ERROR_TAIL)).collect(),
            coverage_json: output.coverage_json,
            failure: None,
        }
    }
}

/// One outcome per test name (the last part of its node id) over its
/// phases: failed if any phase failed (with the first failure's message),
/// else skipped if one was, else passed.
fn outcomes(records: Vec<TestRecord>) -> BTreeMap<String, TestOutcome> {
    let mut tests: BTreeMap<String, TestOutcome> = BTreeMap::new();
    for record in records {
        let name = record.nodeid.rsplit("::").next().unwrap_or(&record.nodeid).to_string();
        let entry = tests.entry(name).or_insert_with(|| TestOutcome {
            outcome: "passed".to_string(),
            message: String::new(),
        });
        match record.outcome.as_str() {
            "failed" => {
                entry.outcome = "failed".to_string();
                if entry.message.is_empty() {
                    entry.message = record.message;
                }
            }
            "skipped" if entry.outcome == "passed" => {
                entry.outcome = "skipped".to_string();
                entry.message = record.message;
            }
            _ => {}
        }
    }
    tests
}

/// The last `n` characters of `text`.
fn tail_chars(text: &str, n: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(n)).collect()
}

fn failed(why: String) -> PytestRun {
    PytestRun {
        failure: Some(why),
        ..PytestRun::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(nodeid: &str, phase: &str, outcome: &str, message: &str) -> TestRecord {
        TestRecord {
            nodeid: nodeid.to_string(),
            phase: phase.to_string(),
            outcome: outcome.to_string(),
            message: message.to_string(),
        }
    }

    #[test]
    fn phases_merge_into_one_outcome_per_name() {
        let tests = outcomes(vec![
            record("t.py::test_a", "setup", "passed", ""),
            record("t.py::test_a", "call", "failed", "assert 1 == 2"),
            record("t.py::test_a", "teardown", "failed", "teardown broke"),
            record("t.py::test_b[1]", "setup", "skipped", "no network"),
            record("t.py::test_b[1]", "teardown", "passed", ""),
            record("t.py::T::test_c", "call", "passed", ""),
        ]);
        let outcome = |name: &str| {
            let o = &tests[name];
            (o.outcome.as_str(), o.message.as_str())
        };
        assert_eq!(outcome("test_a"), ("failed", "assert 1 == 2"));
        assert_eq!(outcome("test_b[1]"), ("skipped", "no network"));
        assert_eq!(outcome("test_c"), ("passed", ""));
    }

    #[test]
    fn a_collection_error_keeps_its_end() {
        let long = format!("{}E   ImportError: no", "x".repeat(3000));
        let kept = tail_chars(&long, ERROR_TAIL);
        assert_eq!(kept.chars().count(), ERROR_TAIL);
        assert!(kept.ends_with("ImportError: no"));
    }
}
