//! Running pytest for node ids in the project's interpreter, with the plugin
//! and (optionally) candidate text standing in for files on disk.

use super::failure::{parse_report, Report};
use super::FixError;
use crate::pyenv::{Interpreter, Limits, PythonRun, TempDir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The plugin's source, written to a private directory for each session.
pub const PLUGIN_SOURCE: &str = include_str!("plugin.py");
const PLUGIN_MODULE: &str = "testgap_fix_plugin";

/// Runs pytest in one project.
#[derive(Debug)]
pub struct Runner {
    python: Interpreter,
    root: PathBuf,
    timeout: Duration,
    scratch: TempDir,
    runs: AtomicU32,
}

/// Candidate text by absolute path: what the test run sees instead of the
/// file on disk.
pub type Overrides = BTreeMap<PathBuf, String>;

impl Runner {
    pub fn new(root: &Path, python: Interpreter, timeout: Duration) -> Result<Runner, FixError> {
        let scratch =
            TempDir::new("fix").map_err(|e| FixError::Io(format!("cannot create a temporary directory: {e}")))?;
        std::fs::write(scratch.path().join(format!("{PLUGIN_MODULE}.py")), PLUGIN_SOURCE)
            .map_err(|e| FixError::Io(format!("cannot write the pytest plugin: {e}")))?;
        Ok(Runner {
            python,
            root: root.to_path_buf(),
            timeout,
            scratch,
            runs: AtomicU32::new(0),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How many pytest runs this runner made.
    pub fn runs(&self) -> u32 {
        self.runs.load(Ordering::Relaxed)
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
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let dir = self.scratch.path().join(format!("run-{n}"));
        std::fs::create_dir(&dir).map_err(|e| FixError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let report_path = dir.join("report.jsonl");
        let mut run = PythonRun::new(&self.root)
            .args(["-m", "pytest", "-p", PLUGIN_MODULE, "-p", "no:cacheprovider"])
            .args(["--continue-on-collection-errors", "-q", "--color=no"])
            .env("TESTGAP_FIX_REPORT", report_path.to_string_lossy())
            .env("TESTGAP_FIX_ROOT", self.root.to_string_lossy());
        run.python_path.push(self.scratch.path().to_path_buf());
        if !overrides.is_empty() {
            let mut mapping = serde_json::Map::new();
            for (i, (path, text)) in overrides.iter().enumerate() {
                let candidate = dir.join(format!("candidate-{i}.py"));
                std::fs::write(&candidate, text)
                    .map_err(|e| FixError::Io(format!("cannot write {}: {e}", candidate.display())))?;
                mapping.insert(
                    path.to_string_lossy().into_owned(),
                    serde_json::Value::String(candidate.to_string_lossy().into_owned()),
                );
            }
            let mapping_path = dir.join("overrides.json");
            let json = serde_json::Value::Object(mapping).to_string();
            std::fs::write(&mapping_path, json).map_err(|e| FixError::Io(format!("cannot write overrides: {e}")))?;
            run = run.env("TESTGAP_FIX_OVERRIDES", mapping_path.to_string_lossy());
        }
        if let Some(file) = soft {
            run = run.env("TESTGAP_FIX_SOFT_ASSERTS", file.to_string_lossy());
        }
        // `--` keeps a node id that starts with `-` from reading as a flag.
        run = run.arg("--").args(nodeids.iter().map(String::as_str));
        let limits = Limits {
            timeout: self.timeout,
            output_cap: 1 << 20,
        };
        let output = run
            .run(&self.python, b"", limits)
            .map_err(|e| FixError::Pytest(e.to_string()))?;
        let text = std::fs::read_to_string(&report_path).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        let mut report = parse_report(&text, &self.root);
        report.timed_out = output.timed_out;
        if output.timed_out {
            return Ok(report);
        }
        // 0 passed, 1 failures, 2 interrupted, 5 nothing collected: all are
        // answers. 3 (internal error) and 4 (usage) without a report are not.
        let code = output.code();
        if report.tests.is_empty() && report.collection_errors.is_empty() && matches!(code, Some(3) | Some(4) | None) {
            let tail = output.stderr_tail(6);
            let tail = if tail.trim().is_empty() {
                let out = output.stdout_text();
                let lines: Vec<&str> = out.lines().collect();
                lines[lines.len().saturating_sub(6)..].join("\n")
            } else {
                tail
            };
            return Err(FixError::Pytest(format!(
                "pytest stopped with exit status {}: {}",
                code.map_or("unknown".to_string(), |c| c.to_string()),
                tail.trim()
            )));
        }
        Ok(report)
    }
}
