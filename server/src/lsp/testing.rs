//! Failing tests in the editor: the failure model (a failing test, where it
//! shows, its root cause), the failures pytest's cache recorded, and the
//! blocking work behind `testgap.runTests`, `testgap.fix` and the "Fix
//! failing test" actions: one pytest run, classified, and the fix loop with
//! its workspace edit. Publishing is in `requests/diagnostics.rs`, the
//! actions in `requests/code_action.rs`.
//!
//! Nothing here runs user code by itself: only the commands and the resolve
//! of an action the user picked do, with the fix module's timeouts.

use super::document::Document;
use super::edit::{self, ClientEdits, OpenDocument};
use super::encoding::PositionEncoding;
use crate::fix::classify::{classify, is_test_file, Category};
use crate::fix::failure::{slash_path, TestStatus};
use crate::fix::run::{Overrides, Runner};
use crate::fix::workspace::Workspace;
use crate::fix::{fix_tests, FixConfig, FixReport, TestOutcome, Texts};
use crate::pyenv::{self, DiscoveryEnv};
use crate::python;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower_lsp_server::ls_types::*;

/// How long one pytest run may take before its process group is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// Where a failure shows in its test module.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    /// A line of a test function, as an offset from its `def` line, so the
    /// diagnostic moves with the function while the file is edited. `None`:
    /// the function's name.
    Function { qualname: String, offset: Option<u32> },
    /// A module-level line (a collection error), 1-based.
    Line(u32),
}

/// One failing test of a test module.
#[derive(Debug, Clone, PartialEq)]
pub struct FailingTest {
    pub nodeid: String,
    pub anchor: Anchor,
    /// The root cause, when a testgap run classified it.
    pub category: Option<Category>,
    /// One line: the root cause, or where the failure comes from.
    pub summary: String,
    /// For failures a person must fix: what to do.
    pub suggestion: Option<String>,
}

impl FailingTest {
    /// The name the user knows the test by: `test_total[2-3]`.
    pub fn short_name(&self) -> &str {
        self.nodeid.rsplit("::").next().unwrap_or(&self.nodeid)
    }

    /// Whether "Fix failing test" is worth offering: an environment
    /// problem is never fixed by editing the test.
    pub fn fixable(&self) -> bool {
        self.category != Some(Category::Environment)
    }

    /// The diagnostic's message: the test, its root cause, and what to do.
    pub fn message(&self) -> String {
        let mut message = match self.category {
            Some(category) => format!("`{}` fails: {} ({category})", self.short_name(), self.summary),
            None => format!("`{}` {}", self.short_name(), self.summary),
        };
        if let Some(suggestion) = &self.suggestion {
            message.push_str(&format!(". {suggestion}"));
        }
        message
    }

    /// The quick fix's title: "Fix failing test `test_total` (`Cart` cannot
    /// be imported from `shop.cart`)".
    pub fn fix_title(&self) -> String {
        match self.category {
            Some(_) => format!("Fix failing test `{}` ({})", self.short_name(), self.summary),
            None => format!("Fix failing test `{}`", self.short_name()),
        }
    }
}

/// The failing tests known for one test module.
#[derive(Debug, Clone, Default)]
pub struct FileTests {
    /// From a testgap run (authoritative) rather than pytest's cache.
    pub from_run: bool,
    pub failures: Vec<FailingTest>,
}

/// The dotted qualified name of a node id's test: `tests/t.py::TestA::test_b[1]` → `TestA.test_b`.
pub fn qualname_of(nodeid: &str) -> Option<String> {
    let (_, rest) = nodeid.split_once("::")?;
    let rest = match rest.find('[') {
        Some(i) => &rest[..i],
        None => rest,
    };
    Some(rest.replace("::", "."))
}

/// Whether running `ran` re-decides the outcome of `nodeid`.
fn covers(ran: &str, nodeid: &str) -> bool {
    nodeid == ran
        || nodeid
            .strip_prefix(ran)
            .is_some_and(|rest| rest.starts_with("::") || rest.starts_with('['))
}

/// Replaces what a run re-decided: failures of `ran` ids go, `found` come in.
pub fn merge(known: &mut FileTests, ran: &[String], found: Vec<FailingTest>) {
    known.failures.retain(|f| !ran.iter().any(|r| covers(r, &f.nodeid)));
    known.failures.extend(found);
    known.from_run = true;
}

/// Failures pytest's cache recorded for the module `rel` (its last run),
/// without their causes: nothing is run to find them.
pub fn last_failed(root: &Path, rel: &str) -> Vec<FailingTest> {
    let Ok(ids) = crate::fix::select::last_failed(root) else {
        return Vec::new();
    };
    ids.into_iter()
        .filter(|id| id.split("::").next() == Some(rel))
        .map(|nodeid| {
            let anchor = match qualname_of(&nodeid) {
                Some(qualname) => Anchor::Function { qualname, offset: None },
                None => Anchor::Line(1),
            };
            FailingTest {
                nodeid,
                anchor,
                category: None,
                summary: "failed in pytest's last run: run the tests (testgap: Run tests) to see why".to_string(),
                suggestion: None,
            }
        })
        .collect()
}

/// The test function (or class) under `line` of a test module, as a node
/// id, or the module's node id.
pub fn nodeid_at(doc: &Document, rel: &str, line: Option<u32>) -> String {
    let Some(line) = line else { return rel.to_string() };
    let test = doc
        .module
        .function_at(line, |f| f.parent_function.is_none() && f.name.starts_with("test"));
    if let Some(f) = test {
        return format!("{rel}::{}", f.qualname.replace('.', "::"));
    }
    match doc.module.class_at(line) {
        Some(c) => format!("{rel}::{}", c.qualname.replace('.', "::")),
        None => rel.to_string(),
    }
}

/// What a run or a fix needs, copied out of the session.
#[derive(Debug, Clone)]
pub struct Job {
    pub root: PathBuf,
    pub python: Option<PathBuf>,
    pub nodeids: Vec<String>,
    /// The unsaved text of open test files: what is run and fixed.
    pub unsaved: Overrides,
}

/// Unsaved text of the open documents that are test code of `root`.
pub fn unsaved_tests<'a>(root: &Path, open: impl Iterator<Item = (&'a PathBuf, String)>) -> Overrides {
    open.filter(|(path, _)| path.starts_with(root) && is_test_file(path, root))
        .map(|(path, text)| (path.clone(), text))
        .collect()
}

fn runner(job: &Job) -> Result<Runner, String> {
    let python = pyenv::find_interpreter(&job.root, job.python.as_deref(), &DiscoveryEnv::from_process())
        .map_err(|e| e.to_string())?;
    pyenv::capabilities(&python)
        .and_then(|c| c.require_pytest(&python))
        .map_err(|e| e.to_string())?;
    Runner::new(&job.root, python, RUN_TIMEOUT).map_err(|e| e.to_string())
}

/// What `testgap.runTests` found.
#[derive(Debug, Default)]
pub struct RunOutcome {
    /// Failing tests by test module (every module a run id names, failing or not).
    pub by_file: BTreeMap<PathBuf, Vec<FailingTest>>,
    pub passed: usize,
    pub failed: usize,
    pub not_run: Vec<String>,
    pub timed_out: bool,
}

impl RunOutcome {
    /// "3 passed, 1 failed: `test_total`: `Cart` cannot be imported …".
    pub fn message(&self) -> String {
        let mut message = format!("{} passed, {} failed", self.passed, self.failed);
        let failures: Vec<&FailingTest> = self.by_file.values().flatten().collect();
        if let Some(first) = failures.first() {
            message.push_str(&format!(": `{}` — {}", first.short_name(), first.summary));
            if failures.len() > 1 {
                message.push_str(&format!(" (and {} more)", failures.len() - 1));
            }
        }
        if !self.not_run.is_empty() {
            message.push_str(&format!("; pytest ran no test for {}", self.not_run.join(", ")));
        }
        if self.timed_out {
            message.push_str("; the run hit its time limit and was stopped");
        }
        message
    }

    pub fn to_json(&self, root: &Path) -> Value {
        let failures: Vec<Value> = self
            .by_file
            .values()
            .flatten()
            .map(|f| {
                json!({
                    "nodeid": f.nodeid,
                    "category": f.category.map(Category::as_str),
                    "summary": f.summary,
                    "suggestion": f.suggestion,
                })
            })
            .collect();
        json!({
            "root": root.display().to_string(),
            "passed": self.passed,
            "failed": self.failed,
            "notRun": self.not_run,
            "timedOut": self.timed_out,
            "failures": failures,
            "message": self.message(),
        })
    }
}

/// Runs the job's tests once and classifies each failure (blocking: runs
/// the project's Python).
pub fn run_tests(job: &Job) -> Result<RunOutcome, String> {
    let runner = runner(job)?;
    let report = runner.run(&job.nodeids, &job.unsaved).map_err(|e| e.to_string())?;
    let workspace = Workspace::scan(&job.root);
    let texts = Texts::new(&job.unsaved);
    let mut outcome = RunOutcome {
        timed_out: report.timed_out,
        ..RunOutcome::default()
    };
    for id in &job.nodeids {
        let module = id.split("::").next().unwrap_or(id);
        outcome.by_file.entry(job.root.join(module)).or_default();
    }
    let mut statuses: Vec<(String, TestStatus)> = report.tests.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    // Modules that did not import have no test results, only the error.
    for id in &job.nodeids {
        if !report.tests.keys().any(|t| covers(id, t)) {
            statuses.push((id.clone(), report.status(id)));
        }
    }
    for (nodeid, status) in statuses {
        match status {
            TestStatus::Passed => outcome.passed += 1,
            TestStatus::Skipped => {}
            TestStatus::NotRun => outcome.not_run.push(nodeid),
            TestStatus::Failed(failure) => {
                outcome.failed += 1;
                let diagnosis = classify(&failure, &workspace, &texts);
                let anchor = anchor(&failure.file, &nodeid, diagnosis.location.as_ref(), &texts);
                let mut summary = diagnosis.summary.clone();
                if let Some((path, line)) = &diagnosis.location {
                    if path != &failure.file {
                        let rel = path.strip_prefix(&job.root).map(slash_path).unwrap_or_default();
                        summary.push_str(&format!(" (at {rel}:{line})"));
                    }
                }
                let test = FailingTest {
                    nodeid,
                    anchor,
                    category: Some(diagnosis.category),
                    summary,
                    suggestion: diagnosis.suggestion.clone(),
                };
                outcome.by_file.entry(failure.file.clone()).or_default().push(test);
            }
        }
    }
    Ok(outcome)
}

/// Where a failure of `nodeid` in `file` shows: the failing line of its
/// test function when the failure points into that function.
fn anchor(file: &Path, nodeid: &str, location: Option<&(PathBuf, u32)>, texts: &Texts) -> Anchor {
    let line = location.filter(|(path, _)| path == file).map(|(_, line)| *line);
    let Some(qualname) = qualname_of(nodeid) else {
        return Anchor::Line(line.unwrap_or(1));
    };
    let offset = line.and_then(|line| {
        let text = texts.get(file)?;
        let mut parser = python::parser();
        let module = python::analyze(&mut parser, text.as_bytes()).ok()?;
        let f = module.functions.iter().find(|f| f.qualname == qualname)?;
        (f.def_line <= line && line <= f.body.end.max(f.def_line)).then(|| line - f.def_line)
    });
    Anchor::Function { qualname, offset }
}

/// What a fix found and the edit that carries it out.
pub struct FixOutcome {
    pub report: FixReport,
    pub edit: Option<WorkspaceEdit>,
    /// Updated text by file, to notice when the edit was applied.
    pub updated: Vec<(PathBuf, String)>,
    /// Tests that still fail, with their causes, by test module.
    pub still_failing: BTreeMap<PathBuf, Vec<FailingTest>>,
}

impl FixOutcome {
    /// "Fixed 1/2 · `test_b` needs a human: …".
    pub fn message(&self) -> String {
        let failing = self.report.failing();
        if failing == 0 {
            return format!("nothing to fix: {} test(s) passed", self.report.results.len());
        }
        let mut message = format!("fixed {}/{failing}", self.report.fixed());
        for result in &self.report.results {
            if matches!(result.outcome, TestOutcome::NeedsHuman | TestOutcome::NotFound) {
                let name = result.nodeid.rsplit("::").next().unwrap_or(&result.nodeid);
                let why = result
                    .reason
                    .clone()
                    .or_else(|| {
                        result
                            .diagnosis
                            .as_ref()
                            .map(|d| format!("{}: {}", d.category, d.summary))
                    })
                    .unwrap_or_else(|| "still fails".to_string());
                message.push_str(&format!(" · `{name}` needs a human: {why}"));
                if let Some(suggestion) = &result.suggestion {
                    message.push_str(&format!(" ({suggestion})"));
                }
            }
        }
        message
    }
}

/// Runs the fix loop on the job's tests and turns what it fixed into a
/// workspace edit against the texts it started from. `versions` are the
/// open documents' versions those texts belong to.
pub fn fix(job: &Job, versions: &HashMap<PathBuf, i32>, enc: PositionEncoding) -> Result<FixOutcome, String> {
    let runner = runner(job)?;
    let workspace = Workspace::scan(&job.root);
    let git = crate::fix::git::Git::open(&job.root);
    // The user sees every edit; drift the code does not explain is marked
    // for confirmation instead of being refused.
    let config = FixConfig {
        accept_drift: true,
        unsaved: job.unsaved.clone(),
        ..FixConfig::default()
    };
    let report = fix_tests(&runner, &workspace, git.as_ref(), &job.nodeids, &config).map_err(|e| e.to_string())?;
    let texts = Texts::new(&job.unsaved);
    let mut still_failing: BTreeMap<PathBuf, Vec<FailingTest>> = BTreeMap::new();
    for result in &report.results {
        if result.outcome != TestOutcome::NeedsHuman {
            continue;
        }
        let Some(diagnosis) = &result.diagnosis else { continue };
        let module = result.nodeid.split("::").next().unwrap_or(&result.nodeid);
        let file = job.root.join(module);
        let anchor = anchor(&file, &result.nodeid, diagnosis.location.as_ref(), &texts);
        still_failing.entry(file).or_default().push(FailingTest {
            nodeid: result.nodeid.clone(),
            anchor,
            category: Some(diagnosis.category),
            summary: result.reason.clone().unwrap_or_else(|| diagnosis.summary.clone()),
            suggestion: result.suggestion.clone().or_else(|| diagnosis.suggestion.clone()),
        });
    }
    let (edit, updated) = if report.files.is_empty() {
        (None, Vec::new())
    } else {
        let edit = fix_edit(&report, versions, enc);
        let updated = report.files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
        (Some(edit), updated)
    };
    Ok(FixOutcome {
        report,
        edit,
        updated,
        still_failing,
    })
}

/// The fix report's file edits as one workspace edit, each annotated with
/// the root causes it repairs (a possible regression needs confirmation).
pub fn fix_edit(report: &FixReport, versions: &HashMap<PathBuf, i32>, enc: PositionEncoding) -> WorkspaceEdit {
    // The edits were made from the open documents' text at these versions.
    let open = versions
        .iter()
        .map(|(path, version)| {
            let document = OpenDocument {
                version: *version,
                text: None,
            };
            (path.clone(), document)
        })
        .collect();
    let client = ClientEdits {
        create_files: false,
        encoding: enc,
    };
    edit::workspace_edit(&report.files, &open, client).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(nodeid: &str) -> FailingTest {
        FailingTest {
            nodeid: nodeid.to_string(),
            anchor: Anchor::Line(1),
            category: None,
            summary: String::new(),
            suggestion: None,
        }
    }

    #[test]
    fn qualified_names_of_node_ids() {
        assert_eq!(qualname_of("tests/t.py::test_a").as_deref(), Some("test_a"));
        assert_eq!(
            qualname_of("tests/t.py::TestA::test_b[1-x]").as_deref(),
            Some("TestA.test_b")
        );
        assert_eq!(qualname_of("tests/t.py::test_c[a::b]").as_deref(), Some("test_c"));
        assert_eq!(qualname_of("tests/t.py"), None);
    }

    #[test]
    fn a_run_replaces_only_what_it_decided() {
        let mut known = FileTests {
            from_run: false,
            failures: vec![
                failing("t.py::test_a"),
                failing("t.py::test_ab"),
                failing("t.py::test_p[1]"),
                failing("t.py::TestX::test_y"),
            ],
        };
        merge(
            &mut known,
            &["t.py::test_a".to_string(), "t.py::test_p".to_string()],
            vec![failing("t.py::test_p[2]")],
        );
        let left: Vec<&str> = known.failures.iter().map(|f| f.nodeid.as_str()).collect();
        assert_eq!(left, ["t.py::test_ab", "t.py::TestX::test_y", "t.py::test_p[2]"]);
        assert!(known.from_run);
        merge(&mut known, &["t.py".to_string()], Vec::new());
        assert!(known.failures.is_empty());
    }

    #[test]
    fn the_test_under_the_cursor() {
        let text = "class TestA:\n    def test_x(self):\n        pass\n\n\ndef helper():\n    pass\n\n\ndef test_y():\n    pass\n";
        let doc = Document::new(text, 1);
        assert_eq!(nodeid_at(&doc, "t.py", Some(3)), "t.py::TestA::test_x");
        assert_eq!(nodeid_at(&doc, "t.py", Some(1)), "t.py::TestA");
        assert_eq!(nodeid_at(&doc, "t.py", Some(7)), "t.py");
        assert_eq!(nodeid_at(&doc, "t.py", Some(11)), "t.py::test_y");
        assert_eq!(nodeid_at(&doc, "t.py", None), "t.py");
    }
}
