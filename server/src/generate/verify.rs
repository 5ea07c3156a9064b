//! Running candidate tests with pytest before anything is offered: the file
//! is written into a temporary directory (never the user's tree), the
//! project is importable through `PYTHONPATH`, and a small plugin reports
//! each test's outcome. Optionally under coverage.py, to measure what the
//! tests reach.

use crate::pyenv::{Interpreter, Limits, PythonRun, TempDir};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The pytest plugin, carried by the binary.
pub const RESULTS_PLUGIN: &str = include_str!("results_plugin.py");
const PLUGIN_MODULE: &str = "_testgap_results";

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
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TestOutcome {
    pub outcome: String,
    #[serde(default)]
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

#[derive(Deserialize)]
struct Results {
    #[serde(default)]
    tests: BTreeMap<String, TestOutcome>,
    #[serde(default)]
    errors: Vec<String>,
}

/// A scratch area for verifying one module's tests.
pub struct Scratch {
    dir: TempDir,
}

impl Scratch {
    pub fn new() -> std::io::Result<Scratch> {
        let dir = TempDir::new("verify")?;
        std::fs::write(dir.path().join(format!("{PLUGIN_MODULE}.py")), RESULTS_PLUGIN)?;
        // Each of the two runs has its own working directory, results,
        // coverage data and pytest temporary directories.
        for sub in ["candidate", "plain/work", "measured/work"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        Ok(Scratch { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

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
        std::thread::scope(|scope| {
            let plain = scope.spawn(|| self.run(scratch, "plain", &file, None));
            let measured = self.run(scratch, "measured", &file, measure);
            let plain = plain
                .join()
                .unwrap_or_else(|_| failed("the pytest run stopped unexpectedly".to_string()));
            (plain, measured)
        })
    }

    /// Runs the test file `file` once, keeping its results, data and
    /// temporary files in the scratch's `slot`; with `measure`, under
    /// coverage.py limited to those source files.
    fn run(&self, scratch: &Scratch, slot: &str, file: &Path, measure: Option<&[PathBuf]>) -> PytestRun {
        let base = scratch.path().join(slot);
        let base = base.as_path();
        let results = base.join("results.json");
        let _ = std::fs::remove_file(&results);
        let data_file = base.join(".coverage");
        let _ = std::fs::remove_file(&data_file);
        let mut run = PythonRun::new(&base.join("work"));
        // The plugin lives at the scratch's top.
        run.python_path.push(scratch.path().to_path_buf());
        run.python_path.extend(self.import_roots.iter().cloned());
        let include = measure.map(|files| {
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(",")
        });
        if let Some(include) = &include {
            run = run.args([
                "-m".into(),
                "coverage".into(),
                "run".into(),
                "--branch".into(),
                format!("--data-file={}", data_file.display()),
                format!("--include={include}"),
            ]);
        }
        run = run.args(["-m", "pytest"]).arg(file.as_os_str()).args([
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            PLUGIN_MODULE,
            "-o",
            "addopts=",
        ]);
        run = run
            .arg(format!("--rootdir={}", self.root.display()))
            .arg(format!("--basetemp={}", base.join("basetemp").display()));
        if let Some(config) = self.pytest_config {
            run = run.arg("-c").arg(config.as_os_str());
        }
        let run = run.env("TESTGAP_RESULTS", results.display().to_string());
        let limits = Limits {
            timeout: self.timeout,
            output_cap: 1 << 20,
        };
        let output = match run.run(self.python, b"", limits) {
            Ok(o) => o,
            Err(e) => return failed(e.to_string()),
        };
        if output.timed_out {
            return failed(format!("pytest did not finish within {} s", self.timeout.as_secs()));
        }
        let parsed = std::fs::read(&results)
            .ok()
            .and_then(|b| serde_json::from_slice::<Results>(&b).ok());
        let Some(parsed) = parsed else {
            let mut detail = output.stderr_tail(6);
            if detail.trim().is_empty() {
                detail = output
                    .stdout_text()
                    .lines()
                    .rev()
                    .take(6)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            return failed(format!("pytest reported nothing: {}", detail.trim()));
        };
        let mut out = PytestRun {
            tests: parsed.tests,
            errors: parsed.errors,
            ..PytestRun::default()
        };
        if let Some(include) = include.filter(|_| data_file.is_file()) {
            let json = base.join("coverage.json");
            let _ = std::fs::remove_file(&json);
            let report = PythonRun::new(&base.join("work"))
                .args(["-m", "coverage", "json", "-q"])
                .arg(format!("--data-file={}", data_file.display()))
                .arg(format!("--include={include}"))
                .arg("-o")
                .arg(json.as_os_str())
                .run(
                    self.python,
                    b"",
                    Limits {
                        timeout: Duration::from_secs(60),
                        output_cap: 1 << 16,
                    },
                );
            if report.is_ok_and(|o| o.success()) && json.is_file() {
                out.coverage_json = Some(json);
            }
        }
        out
    }
}

fn failed(why: String) -> PytestRun {
    PytestRun {
        failure: Some(why),
        ..PytestRun::default()
    }
}
