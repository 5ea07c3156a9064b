//! One fixer per root cause. Each proposes candidate edits to test code
//! (the failing test's module or a `conftest.py`), best first, or refuses
//! with the reason and what a person should do. Fixers never run anything:
//! the attempt loop tries each candidate by re-running the test.

mod attribute;
mod drift;
mod fixture;
mod imports;
mod mock;
mod renames;
mod signature;

use super::classify::{Category, Detail, Diagnosis};
use super::failure::Failure;
use super::git::{Git, Verdict};
use super::source::{Source, TextEdit};
use super::workspace::Workspace;
use super::Texts;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What fixers may look at.
pub struct Context<'a> {
    pub workspace: &'a Workspace,
    pub texts: &'a Texts<'a>,
    pub git: Option<&'a Git>,
    /// Update expected values even when the code under test did not change.
    pub accept_drift: bool,
}

impl Context<'_> {
    pub fn root(&self) -> &Path {
        self.workspace.root()
    }

    /// The current text of `path`, parsed.
    pub fn source(&self, path: &Path) -> Option<Source> {
        self.texts.get(path).map(|t| Source::parse(t.into_owned()))
    }

    pub fn rel(&self, path: &Path) -> String {
        path.strip_prefix(self.root())
            .map(super::failure::slash_path)
            .unwrap_or_else(|_| path.display().to_string())
    }
}

/// Why an edit is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// The test caught up with a refactor (a name, a signature, a target).
    Repair,
    /// An expected value follows code that changed since the test's last
    /// commit.
    ExpectedValueUpdated,
    /// An expected value updated although the code did not change: allowed
    /// only with `--accept-drift`.
    DriftAccepted,
}

impl EditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EditKind::Repair => "repair",
            EditKind::ExpectedValueUpdated => "expected value updated",
            EditKind::DriftAccepted => "possible regression accepted",
        }
    }
}

/// One candidate repair.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// What the edit does, in one line: "import `Cart` from `shop.pricing`".
    pub description: String,
    pub edits: Vec<(PathBuf, Vec<TextEdit>)>,
    pub kind: EditKind,
    /// Evidence the fixer found on top of the diagnosis (git, suggestions).
    pub evidence: Vec<String>,
}

impl Candidate {
    fn new(description: String, file: &Path, edits: Vec<TextEdit>) -> Candidate {
        Candidate {
            description,
            edits: vec![(file.to_path_buf(), edits)],
            kind: EditKind::Repair,
            evidence: Vec::new(),
        }
    }
}

/// What a fixer offers.
#[derive(Debug, Clone)]
pub enum Proposal {
    Candidates(Vec<Candidate>),
    Refused { reason: String, suggestion: Option<String> },
}

impl Proposal {
    fn refuse(reason: impl Into<String>) -> Proposal {
        Proposal::Refused {
            reason: reason.into(),
            suggestion: None,
        }
    }

    fn refuse_with(reason: impl Into<String>, suggestion: impl Into<String>) -> Proposal {
        Proposal::Refused {
            reason: reason.into(),
            suggestion: Some(suggestion.into()),
        }
    }

    /// Candidates, or a refusal when there are none.
    fn from_candidates(candidates: Vec<Candidate>, none: &str) -> Proposal {
        if candidates.is_empty() {
            Proposal::refuse(none)
        } else {
            Proposal::Candidates(candidates)
        }
    }
}

/// Candidate edits for a diagnosed failure.
pub fn propose(diagnosis: &Diagnosis, failure: &Failure, ctx: &Context) -> Proposal {
    match diagnosis.category {
        Category::Environment => {
            return Proposal::Refused {
                reason: format!("{} (the environment needs the change, not the test)", diagnosis.summary),
                suggestion: diagnosis.suggestion.clone(),
            }
        }
        Category::Unknown => {
            return Proposal::Refused {
                reason: diagnosis.summary.clone(),
                suggestion: diagnosis.suggestion.clone(),
            }
        }
        _ => {}
    }
    let proposal = match &diagnosis.detail {
        Detail::MissingName { module, name } => imports::missing_name(diagnosis, failure, ctx, module, name),
        Detail::MissingModule { module } => imports::missing_module(diagnosis, failure, ctx, module),
        Detail::PatchTarget { target, attribute } => {
            mock::patch_target(diagnosis, failure, ctx, target.as_deref(), attribute)
        }
        Detail::MockCall { called: true } => mock::expected_call(diagnosis, failure, ctx),
        Detail::MockCall { called: false } => mock::not_called(diagnosis, failure, ctx),
        Detail::Compare { op } => drift::compare(diagnosis, failure, ctx, op),
        Detail::MissingArguments { .. } | Detail::UnexpectedKeyword { .. } | Detail::TooManyPositional { .. } => {
            signature::signature(diagnosis, failure, ctx)
        }
        Detail::MissingAttribute { owner, name } => attribute::missing_attribute(diagnosis, failure, ctx, owner, name),
        Detail::MissingFixture { name } => fixture::missing_fixture(diagnosis, failure, ctx, name),
        _ => Proposal::refuse("no fixer for this failure"),
    };
    // Edits stay in test code: the failing test's module and conftest.py files.
    match proposal {
        Proposal::Candidates(candidates) => {
            let allowed: Vec<Candidate> = candidates
                .into_iter()
                .filter(|c| c.edits.iter().all(|(path, _)| editable(path, &failure.file)))
                .collect();
            Proposal::from_candidates(allowed, "the only edits possible are outside the test code")
        }
        refused => refused,
    }
}

/// A file testgap may edit while fixing a test in `test_file`.
pub fn editable(path: &Path, test_file: &Path) -> bool {
    path == test_file || path.file_name().is_some_and(|n| n == "conftest.py")
}

/// Names among `members` close to `name`, best first: Python's own
/// suggestion, then CPython's rule, then looser similarity.
fn similar_names(name: &str, members: &[String], suggestion: Option<&str>) -> Vec<String> {
    let mut members: Vec<&str> = members
        .iter()
        .map(String::as_str)
        .filter(|m| *m != name && !m.starts_with("__"))
        .collect();
    members.sort_unstable();
    members.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut push = |n: &str| {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    };
    if let Some(s) = suggestion.filter(|s| members.contains(s)) {
        push(s);
    }
    if let Some(s) = super::names::python_suggestion(name, members.iter().copied()) {
        push(s);
    }
    for (candidate, _) in super::names::ranked(name, members.iter().copied(), 0.6) {
        push(candidate);
    }
    out.truncate(3);
    out
}

/// The test-code line the failure shows at.
fn location(diagnosis: &Diagnosis, failure: &Failure) -> (PathBuf, Option<u32>) {
    match &diagnosis.location {
        Some((path, line)) => (path.clone(), Some(*line)),
        None => (failure.file.clone(), None),
    }
}

/// For value updates: whether the code changed on purpose, as far as git
/// tells. `Ok(kind)` to go ahead, `Err` to refuse.
fn drift_gate(failure: &Failure, ctx: &Context) -> Result<(EditKind, Vec<String>), Proposal> {
    let verdict = match ctx.git {
        Some(git) => git.called_code_changed(ctx.workspace, &failure.file, &failure.called),
        None => Verdict::Unknown {
            reason: "the project is not in a git repository".to_string(),
        },
    };
    match verdict {
        Verdict::Changed { evidence } => Ok((EditKind::ExpectedValueUpdated, evidence)),
        Verdict::Unchanged { base, checked } => {
            let what = if checked.is_empty() {
                "the code it calls".to_string()
            } else {
                checked
                    .iter()
                    .take(3)
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let evidence = vec![format!("{what} unchanged since {base}, the test's last commit")];
            if ctx.accept_drift {
                Ok((EditKind::DriftAccepted, evidence))
            } else {
                Err(Proposal::refuse_with(
                    format!(
                        "possible regression in the code: {what} did not change since {base}, the test's last commit, so the test may be right"
                    ),
                    "check the code under test; to update the expected value anyway, run again with --accept-drift",
                ))
            }
        }
        Verdict::Unknown { reason } => {
            if ctx.accept_drift {
                Ok((EditKind::DriftAccepted, vec![reason]))
            } else {
                Err(Proposal::refuse_with(
                    format!("possible regression in the code: {reason}, so nothing shows the code changed on purpose"),
                    "check the code under test; to update the expected value anyway, run again with --accept-drift",
                ))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
