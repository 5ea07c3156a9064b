//! Running the user's tests for `testgap fix`: the project's pytest runner
//! (`pyenv::pytest`) with the project's own options, reporting everything
//! that explains a failure, and candidate text standing in for files on
//! disk.

use super::failure::{parse_report, Report};
use super::FixError;
use crate::pyenv::pytest::{Addopts, Detail, Invocation, PytestError, PytestRunner, RunnerConfig};
use crate::pyenv::Interpreter;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::pyenv::pytest::Overrides;

/// Runs pytest in one project.
#[derive(Debug)]
pub struct Runner {
    root: PathBuf,
    pytest: PytestRunner,
}

/// The user's tests run as the user runs them (their `addopts` apply), with
/// every failure described for classification.
fn config(timeout: Duration) -> RunnerConfig {
    RunnerConfig {
        addopts: Addopts::Project,
        detail: Detail::Failures,
        timeout,
    }
}

impl Runner {
    pub fn new(root: &Path, python: Interpreter, timeout: Duration) -> Result<Runner, FixError> {
        let pytest = PytestRunner::new(python, config(timeout)).map_err(fix_error)?;
        Ok(Runner {
            root: root.to_path_buf(),
            pytest,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many pytest runs this runner made.
    pub fn runs(&self) -> u32 {
        self.pytest.runs()
    }

    /// Runs `nodeids` (relative to the root) with `overrides` in place of the
    /// files on disk.
    pub fn run(&self, nodeids: &[String], overrides: &Overrides) -> Result<Report, FixError> {
        self.run_with(nodeids, overrides, None)
    }

    /// A probe: runs `nodeid` with the comparisons asserted in `test_file`
    /// recorded instead of stopping the test, so one run shows every
    /// assertion that fails (`Report::compares`). Its outcome proves
    /// nothing.
    pub fn probe_asserts(&self, nodeid: &str, overrides: &Overrides, test_file: &Path) -> Result<Report, FixError> {
        let mut overrides = overrides.clone();
        if !overrides.contains_key(test_file) {
            let text = std::fs::read_to_string(test_file)
                .map_err(|e| FixError::Io(format!("cannot read {}: {e}", test_file.display())))?;
            overrides.insert(test_file.to_path_buf(), text);
        }
        self.run_with(&[nodeid.to_string()], &overrides, Some(test_file))
    }

    fn run_with(&self, nodeids: &[String], overrides: &Overrides, soft: Option<&Path>) -> Result<Report, FixError> {
        let mut invocation = Invocation::new(&self.root, nodeids);
        invocation.overrides = overrides;
        invocation.soft_asserts = soft;
        let output = self.pytest.run(&invocation).map_err(fix_error)?;
        let mut report = parse_report(&output.report, &self.root);
        report.timed_out = output.timed_out;
        if output.timed_out {
            return Ok(report);
        }
        // 0 passed, 1 failures, 2 interrupted, 5 nothing collected: all are
        // answers. 3 (internal error) and 4 (usage) without a report are not.
        let code = output.exit_code;
        if report.tests.is_empty() && report.collection_errors.is_empty() && matches!(code, Some(3) | Some(4) | None) {
            return Err(FixError::Pytest(format!(
                "pytest stopped with exit status {}: {}",
                code.map_or("unknown".to_string(), |c| c.to_string()),
                output.tail.trim()
            )));
        }
        Ok(report)
    }
}

fn fix_error(error: PytestError) -> FixError {
    match error {
        PytestError::Io(message) => FixError::Io(message),
        PytestError::Run(error) => FixError::Pytest(error.to_string()),
    }
}
