//! The loop: run → classify → fix → re-run on the candidate text, up to
//! `max_attempts` re-runs per test. A fix that does not change the failure
//! is undone; one that changes it is kept while the next failure is worked
//! on, and undone too if that chain never ends in a pass. Edits are only
//! kept for tests that pass with them, and only if no other test of the
//! file that passed before fails with them.

use super::classify::{classify, Detail, Diagnosis};
use super::failure::{slash_path, Failure, Report, TestStatus};
use super::fixers::{self, Candidate, Context, Proposal};
use super::git::Git;
use super::guard::weakening;
use super::report::{self, AppliedFix, FixReport, TestOutcome, TestResult};
use super::run::{Overrides, Runner};
use super::source::{apply_edits, descendants, line_of, Source};
use super::workspace::Workspace;
use super::{FixError, Texts};
use crate::edit::{self, Edit, WriteError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Settings of one `testgap fix` run.
#[derive(Debug, Clone)]
pub struct FixConfig {
    /// Re-runs on candidate text allowed per test.
    pub max_attempts: u32,
    /// Update expected values even when the code under test did not change.
    pub accept_drift: bool,
    /// Text that stands for files on disk from the start (an editor's
    /// unsaved documents): what is run, fixed, and compared against.
    pub unsaved: Overrides,
}

impl Default for FixConfig {
    fn default() -> Self {
        FixConfig {
            max_attempts: 3,
            accept_drift: false,
            unsaved: Overrides::new(),
        }
    }
}

/// Runs `nodeids`, and tries to fix each failing test. Nothing is written:
/// the report holds the edits.
pub fn fix_tests(
    runner: &Runner,
    workspace: &Workspace,
    git: Option<&Git>,
    nodeids: &[String],
    config: &FixConfig,
) -> Result<FixReport, FixError> {
    let started = Instant::now();
    let first = runner.run(nodeids, &config.unsaved)?;
    if first.timed_out {
        return Err(FixError::Pytest(
            "the first pytest run did not finish in time; raise --timeout or pass fewer tests".to_string(),
        ));
    }
    let mut session = Session {
        runner,
        workspace,
        git,
        config,
        overrides: config.unsaved.clone(),
        originals: config.unsaved.clone(),
        attempts: 0,
    };
    let mut results: Vec<TestResult> = Vec::new();
    let mut pending: Vec<(String, Box<Failure>)> = Vec::new();
    for (nodeid, status) in expand(nodeids, &first) {
        match status {
            TestStatus::Passed | TestStatus::Skipped => results.push(TestResult::new(&nodeid, TestOutcome::Passed)),
            TestStatus::NotRun => {
                let mut result = TestResult::new(&nodeid, TestOutcome::NotFound);
                result.reason = Some("pytest ran no test with this id".to_string());
                results.push(result);
            }
            TestStatus::Failed(failure) => pending.push((nodeid, failure)),
        }
    }
    // By test module, in the order given: edits to one module build on each other.
    let mut files: Vec<PathBuf> = Vec::new();
    for (_, failure) in &pending {
        if !files.contains(&failure.file) {
            files.push(failure.file.clone());
        }
    }
    for file in files {
        let group: Vec<(String, Box<Failure>)> = pending.iter().filter(|(_, f)| f.file == file).cloned().collect();
        results.extend(session.fix_module(group)?);
    }
    session.verify(&mut results, nodeids)?;
    let mut files = session.changes();
    report::annotate(&mut files, &results);
    Ok(FixReport {
        results,
        files,
        attempts: session.attempts,
        runs: runner.runs(),
        seconds: started.elapsed().as_secs_f64(),
        written: false,
        warnings: first.internal_errors.iter().map(|e| format!("plugin: {e}")).collect(),
    })
}

/// The tests a requested id stands for: itself, or (for a module, a class
/// or a test with parameters) its failing children.
fn expand(requested: &[String], report: &Report) -> Vec<(String, TestStatus)> {
    let mut out: Vec<(String, TestStatus)> = Vec::new();
    let push = |id: &str, status: TestStatus, out: &mut Vec<(String, TestStatus)>| {
        if !out.iter().any(|(i, _)| i == id) {
            out.push((id.to_string(), status));
        }
    };
    for id in requested {
        let id = id.trim_end_matches('/');
        if let Some(status) = report.tests.get(id) {
            push(id, status.clone(), &mut out);
            continue;
        }
        let children: Vec<(&String, &TestStatus)> = report
            .tests
            .iter()
            .filter(|(t, _)| {
                t.starts_with(&format!("{id}::"))
                    || t.starts_with(&format!("{id}["))
                    || t.starts_with(&format!("{id}/"))
            })
            .collect();
        let failing: Vec<&(&String, &TestStatus)> = children
            .iter()
            .filter(|(_, s)| matches!(s, TestStatus::Failed(_)))
            .collect();
        // Modules under a directory id that could not even be imported.
        let broken: Vec<(&String, &Failure)> = report
            .collection_errors
            .iter()
            .filter(|(module, _)| module.starts_with(&format!("{id}/")))
            .collect();
        for (module, failure) in &broken {
            push(module, TestStatus::Failed(Box::new((*failure).clone())), &mut out);
        }
        if !failing.is_empty() {
            for (t, s) in failing {
                push(t, (*s).clone(), &mut out);
            }
        } else if !broken.is_empty() {
            continue;
        } else if !children.is_empty() {
            push(id, TestStatus::Passed, &mut out);
        } else {
            push(id, report.status(id), &mut out);
        }
    }
    out
}

struct Session<'a> {
    runner: &'a Runner,
    workspace: &'a Workspace,
    git: Option<&'a Git>,
    config: &'a FixConfig,
    /// Accepted candidate text by path.
    overrides: Overrides,
    /// The text on disk of every file a candidate touched.
    originals: BTreeMap<PathBuf, String>,
    attempts: u32,
}

/// One root cause repaired by one edit.
struct Step {
    diagnosis: Diagnosis,
    candidate: Candidate,
}

/// Where the search for a fix stopped.
struct Blocked {
    diagnosis: Diagnosis,
    reason: Option<String>,
    suggestion: Option<String>,
    tried: Vec<String>,
}

enum Search {
    Fixed(Vec<Step>),
    Failed(Box<Blocked>),
}

impl Session<'_> {
    fn fix_module(&mut self, group: Vec<(String, Box<Failure>)>) -> Result<Vec<TestResult>, FixError> {
        let mut statuses: BTreeMap<String, TestStatus> = group
            .iter()
            .map(|(id, f)| (id.clone(), TestStatus::Failed(f.clone())))
            .collect();
        let mut results: Vec<TestResult> = Vec::new();
        let mut fixed_by: BTreeMap<String, String> = BTreeMap::new();
        for (nodeid, _) in &group {
            let started = Instant::now();
            let failure = match statuses.get(nodeid) {
                Some(TestStatus::Failed(failure)) => failure.clone(),
                Some(TestStatus::Passed) => {
                    let mut result = TestResult::new(nodeid, TestOutcome::Fixed);
                    result.fixed_with = fixed_by.get(nodeid).cloned();
                    results.push(result);
                    continue;
                }
                _ => {
                    let mut result = TestResult::new(nodeid, TestOutcome::NeedsHuman);
                    result.reason = Some("the test no longer ran after the edits for other tests".to_string());
                    results.push(result);
                    continue;
                }
            };
            let before = self.overrides.clone();
            let mut budget = self.config.max_attempts;
            let mut seen = vec![signature(&failure, &Texts::new(&self.overrides), self.runner.root())];
            let search = self.search(nodeid, &failure, &mut budget, &mut seen)?;
            let mut result = match search {
                Search::Fixed(steps) => {
                    // The rest of the module, with the new text: tests already
                    // fixed must stay fixed; others may be fixed too.
                    let others: Vec<String> = group
                        .iter()
                        .map(|(id, _)| id.clone())
                        .filter(|id| id != nodeid)
                        .collect();
                    // Without tests still to do, the final check of the
                    // whole module is enough.
                    let pending = others.iter().any(|id| !results.iter().any(|r| &r.nodeid == id));
                    let mut broken = Vec::new();
                    if pending {
                        let report = self.runner.run(&others, &self.overrides)?;
                        for id in &others {
                            let status = report.status(id);
                            let was_fixed = results
                                .iter()
                                .any(|r| &r.nodeid == id && r.outcome == TestOutcome::Fixed);
                            if was_fixed && status.failure().is_some() {
                                broken.push(id.clone());
                            } else if !results.iter().any(|r| &r.nodeid == id) {
                                if status == TestStatus::Passed && statuses.get(id) != Some(&TestStatus::Passed) {
                                    fixed_by.insert(id.clone(), nodeid.clone());
                                }
                                statuses.insert(id.clone(), status);
                            }
                        }
                    }
                    if broken.is_empty() {
                        fixed(nodeid, steps, self)
                    } else {
                        self.overrides = before;
                        let mut result = TestResult::new(nodeid, TestOutcome::NeedsHuman);
                        result.diagnosis = steps.first().map(|s| s.diagnosis.clone());
                        result.reason = Some(format!("its fix makes {} fail again", broken.join(", ")));
                        result.tried = steps.iter().map(|s| s.candidate.description.clone()).collect();
                        result
                    }
                }
                Search::Failed(blocked) => {
                    let mut result = TestResult::new(nodeid, TestOutcome::NeedsHuman);
                    result.reason = blocked.reason;
                    result.suggestion = blocked.suggestion.or_else(|| blocked.diagnosis.suggestion.clone());
                    result.diagnosis = Some(blocked.diagnosis);
                    result.tried = blocked.tried;
                    result
                }
            };
            result.attempts = self.config.max_attempts - budget;
            result.seconds = started.elapsed().as_secs_f64();
            results.push(result);
        }
        Ok(results)
    }

    fn search(
        &mut self,
        nodeid: &str,
        failure: &Failure,
        budget: &mut u32,
        seen: &mut Vec<String>,
    ) -> Result<Search, FixError> {
        let (diagnosis, mut proposal) = {
            let texts = Texts::new(&self.overrides);
            let diagnosis = classify(failure, self.workspace, &texts);
            let ctx = Context {
                workspace: self.workspace,
                texts: &texts,
                git: self.git,
                accept_drift: self.config.accept_drift,
            };
            let proposal = fixers::propose(&diagnosis, failure, &ctx);
            (diagnosis, proposal)
        };
        let probed = self.probe_drift(nodeid, failure, &diagnosis, &proposal)?;
        if let Some(probed) = &probed {
            let texts = Texts::new(&self.overrides);
            let ctx = Context {
                workspace: self.workspace,
                texts: &texts,
                git: self.git,
                accept_drift: self.config.accept_drift,
            };
            proposal = fixers::propose(&diagnosis, probed, &ctx);
        }
        let failure = probed.as_ref().unwrap_or(failure);
        let candidates = match proposal {
            Proposal::Refused { reason, suggestion } => {
                return Ok(Search::Failed(Box::new(Blocked {
                    suggestion: suggestion.or_else(|| diagnosis.suggestion.clone()),
                    diagnosis,
                    reason: Some(reason),
                    tried: Vec::new(),
                })))
            }
            Proposal::Candidates(candidates) => candidates,
        };
        let mut tried = Vec::new();
        let mut deeper: Option<Box<Blocked>> = None;
        for candidate in candidates {
            if *budget == 0 {
                tried.push(format!("{} (not tried: --max-attempts reached)", candidate.description));
                continue;
            }
            let saved = self.overrides.clone();
            if let Err(why) = self.apply(&candidate, &failure.file) {
                tried.push(format!("{} (refused: {why})", candidate.description));
                continue;
            }
            *budget -= 1;
            self.attempts += 1;
            let report = self.runner.run(&[nodeid.to_string()], &self.overrides)?;
            match report.status(nodeid) {
                TestStatus::Passed => return Ok(Search::Fixed(vec![Step { diagnosis, candidate }])),
                TestStatus::Failed(next) => {
                    let key = signature(&next, &Texts::new(&self.overrides), self.runner.root());
                    if seen.contains(&key) {
                        tried.push(format!("{} (did not help)", candidate.description));
                        self.overrides = saved;
                        continue;
                    }
                    seen.push(key);
                    match self.search(nodeid, &next, budget, seen)? {
                        Search::Fixed(mut steps) => {
                            steps.insert(0, Step { diagnosis, candidate });
                            return Ok(Search::Fixed(steps));
                        }
                        Search::Failed(blocked) => {
                            tried.push(format!(
                                "{} (then: {} — {})",
                                candidate.description,
                                blocked.diagnosis.category,
                                blocked.reason.as_deref().unwrap_or(&blocked.diagnosis.summary)
                            ));
                            tried.extend(blocked.tried.iter().map(|t| format!("  {t}")));
                            self.overrides = saved;
                            if deeper.is_none() {
                                deeper = Some(blocked);
                            }
                        }
                    }
                }
                TestStatus::Skipped | TestStatus::NotRun => {
                    let why = if report.timed_out {
                        "timed out"
                    } else {
                        "the test no longer ran"
                    };
                    tried.push(format!("{} ({why})", candidate.description));
                    self.overrides = saved;
                }
            }
        }
        // The failure further along, if a candidate got there, is the one in
        // the way; else this one.
        Ok(Search::Failed(Box::new(match deeper {
            Some(blocked) => Blocked { tried, ..*blocked },
            None => Blocked {
                suggestion: diagnosis.suggestion.clone(),
                diagnosis,
                reason: Some("no candidate edit made the test pass".to_string()),
                tried,
            },
        })))
    }

    /// An expected value that drifted, with more assertions after it in the
    /// test: one probe run, with assertions that record and go on, shows
    /// which of them drifted too, so that one edit can update them all
    /// instead of one re-run per assertion. The failure with what the probe
    /// saw, or `None` when there is nothing to learn.
    fn probe_drift(
        &self,
        nodeid: &str,
        failure: &Failure,
        diagnosis: &Diagnosis,
        proposal: &Proposal,
    ) -> Result<Option<Failure>, FixError> {
        let drift = matches!(&diagnosis.detail, Detail::Compare { op } if op == "==");
        if !drift || !matches!(proposal, Proposal::Candidates(_)) || !failure.compares.is_empty() {
            return Ok(None);
        }
        let Some(compare) = &failure.compare else {
            return Ok(None);
        };
        let Some(file) = compare.file.as_ref().map(PathBuf::from) else {
            return Ok(None);
        };
        let later = {
            let texts = Texts::new(&self.overrides);
            texts
                .get(&file)
                .is_some_and(|text| asserts_after(&Source::parse(text.into_owned()), compare.line))
        };
        if !later {
            return Ok(None);
        }
        let report = self.runner.probe_asserts(nodeid, &self.overrides, &file)?;
        let compares = report.compares.get(nodeid).cloned().unwrap_or_default();
        if compares.len() < 2 {
            return Ok(None);
        }
        let mut probed = failure.clone();
        probed.compares = compares;
        Ok(Some(probed))
    }

    /// Applies a candidate to the current text; refuses edits outside test
    /// code and edits that weaken a test.
    fn apply(&mut self, candidate: &Candidate, test_file: &Path) -> Result<(), String> {
        let mut updated = self.overrides.clone();
        for (path, edits) in &candidate.edits {
            if !fixers::editable(path, test_file) {
                return Err(format!("{} is not test code", path.display()));
            }
            let original = match self.originals.get(path) {
                Some(text) => text.clone(),
                None => std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            };
            let current = updated.get(path).cloned().unwrap_or_else(|| original.clone());
            let new = apply_edits(&current, edits).ok_or("its edits overlap")?;
            if new == current {
                return Err("it changes nothing".to_string());
            }
            if let Some(why) = weakening(&original, &new) {
                return Err(why);
            }
            self.originals.entry(path.clone()).or_insert(original);
            updated.insert(path.clone(), new);
        }
        self.overrides = updated;
        Ok(())
    }

    /// Runs every test module that was edited as a whole: a test that passed
    /// with the file on disk and fails with the edits means the edits go.
    fn verify(&mut self, results: &mut [TestResult], requested: &[String]) -> Result<(), FixError> {
        let root = self.runner.root().to_path_buf();
        let changed: Vec<PathBuf> = self
            .overrides
            .iter()
            .filter(|(path, text)| self.originals.get(*path) != Some(*text))
            .map(|(path, _)| path.clone())
            .filter(|path| path.file_name().is_none_or(|n| n != "conftest.py"))
            .collect();
        for path in changed {
            let Ok(rel) = path.strip_prefix(&root).map(slash_path) else {
                continue;
            };
            let report = self.runner.run(std::slice::from_ref(&rel), &self.overrides)?;
            let known = |id: &str| {
                results
                    .iter()
                    .any(|r| r.nodeid == id && r.outcome != TestOutcome::Passed)
                    || requested.iter().any(|r| r == id)
            };
            // A test fixed earlier that a later edit broke.
            let undone: Vec<String> = results
                .iter()
                .filter(|r| r.outcome == TestOutcome::Fixed && r.nodeid.starts_with(&format!("{rel}::")))
                .filter(|r| report.status(&r.nodeid).failure().is_some())
                .map(|r| r.nodeid.clone())
                .collect();
            let suspects: Vec<String> = report
                .tests
                .iter()
                .filter(|(id, status)| status.failure().is_some() && !known(id))
                .map(|(id, _)| id.clone())
                .collect();
            let broken: Vec<String> = if !undone.is_empty() {
                undone
            } else if suspects.is_empty() {
                Vec::new()
            } else {
                let on_disk = self.runner.run(&suspects, &self.config.unsaved)?;
                suspects
                    .into_iter()
                    .filter(|id| on_disk.status(id) == TestStatus::Passed)
                    .collect()
            };
            if broken.is_empty() {
                continue;
            }
            self.overrides.remove(&path);
            for result in results.iter_mut() {
                let touched = result.fixes.iter().any(|f| f.files.contains(&rel));
                if result.outcome == TestOutcome::Fixed && (touched || result.nodeid.starts_with(&format!("{rel}::"))) {
                    result.outcome = TestOutcome::NeedsHuman;
                    result.reason = Some(format!(
                        "the edits to {rel} make other tests fail: {}; nothing is changed in {rel}",
                        broken.join(", ")
                    ));
                    result.diagnosis = result.fixes.first().map(|f| Diagnosis {
                        category: f.category,
                        confidence: f.confidence,
                        summary: f.summary.clone(),
                        evidence: f.evidence.clone(),
                        detail: super::classify::Detail::None,
                        location: None,
                        suggestion: None,
                    });
                    result.tried = result.fixes.drain(..).map(|f| f.edit).collect();
                }
            }
        }
        Ok(())
    }

    /// The files whose candidate text differs from the disk.
    fn changes(&self) -> Vec<Edit> {
        let root = self.runner.root();
        self.overrides
            .iter()
            .filter_map(|(path, text)| {
                let original = self.originals.get(path)?;
                (original != text).then(|| {
                    Edit::replace(
                        path.clone(),
                        path.strip_prefix(root).map(slash_path).unwrap_or_default(),
                        original.clone(),
                        text.clone(),
                    )
                })
            })
            .collect()
    }
}

fn fixed(nodeid: &str, steps: Vec<Step>, session: &Session) -> TestResult {
    let root = session.runner.root();
    let mut result = TestResult::new(nodeid, TestOutcome::Fixed);
    for step in steps {
        let mut evidence = step.diagnosis.evidence.clone();
        evidence.extend(step.candidate.evidence.iter().cloned());
        result.fixes.push(AppliedFix {
            category: step.diagnosis.category,
            confidence: step.diagnosis.confidence,
            summary: step.diagnosis.summary.clone(),
            evidence,
            edit: step.candidate.description.clone(),
            kind: step.candidate.kind,
            files: step
                .candidate
                .edits
                .iter()
                .map(|(p, _)| p.strip_prefix(root).map(slash_path).unwrap_or_default())
                .collect(),
        });
    }
    result
}

/// Whether the test function around `line` has `assert` statements after it.
fn asserts_after(src: &Source, line: u32) -> bool {
    let Some(function) = src.test_function_at(line) else {
        return false;
    };
    descendants(function).any(|n| n.kind() == "assert_statement" && line_of(n) > line)
}

/// What makes two failures the same failure: the phase, the exception and
/// its message, the test-code line it shows at (its text: edits above it
/// move it), the compared values, the missing fixture.
fn signature(failure: &Failure, texts: &Texts, root: &Path) -> String {
    let mut key = failure.phase.as_str().to_string();
    if let Some(error) = failure.exception() {
        key.push('|');
        key.push_str(&error.headline());
        let line = error
            .frames
            .iter()
            .rev()
            .find(|f| super::classify::is_test_file(Path::new(&f.file), root))
            .and_then(|f| texts.line(Path::new(&f.file), f.line));
        if let Some(line) = line {
            key.push('|');
            key.push_str(line.trim());
        }
    }
    if let Some(compare) = &failure.compare {
        key.push_str(&format!(
            "|{} {} {}|{}",
            compare.left.repr, compare.op, compare.right.repr, compare.line
        ));
    }
    if let Some(fixture) = &failure.fixture {
        key.push_str(&format!("|fixture {}", fixture.name.as_deref().unwrap_or_default()));
    }
    key
}

/// Writes the edits under `root`, all or none: each file only if it still
/// holds the text the edits were made from.
pub fn write_changes(files: &[Edit], root: &Path) -> Result<(), FixError> {
    edit::write_all(files, root).map_err(|(i, error)| {
        let rel = files.get(i).map(|f| f.rel.as_str()).unwrap_or_default();
        FixError::Io(match error {
            WriteError::Changed => format!("{rel} changed on disk while testgap was fixing it; it was not written"),
            WriteError::Read(e) => format!("cannot read {rel}: {e}"),
            WriteError::Write(e) | WriteError::Create(e) => format!("cannot write {rel}: {e}"),
            other => format!("{rel}: {other}"),
        })
    })
}
