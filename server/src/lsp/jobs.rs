//! Jobs the user starts from the editor (running, fixing and generating
//! tests), shared by `workspace/executeCommand` and `codeAction/resolve`:
//! what a job needs is copied out of the session, the blocking work (in
//! [`super::testing`] and [`super::actions`]) runs under progress, and what
//! it found is recorded in the session and published.

use super::actions;
use super::encoding::PositionEncoding;
use super::invalid;
use super::server::Shared;
use super::session::{uri_path, ReportState};
use super::testing::{self, Job};
use crate::edit::Edit;
use crate::fix::classify::is_test_file;
use crate::fix::failure::slash_path;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// A document of a workspace: its root, its path, and its path relative to the root.
pub struct Place {
    pub root: PathBuf,
    pub path: PathBuf,
    pub rel: String,
}

/// Tests generated for a target: the files, the edit that adds them to the
/// open documents, the new files the client cannot create, and a summary.
pub struct Generated {
    pub edits: Vec<Edit>,
    pub edit: WorkspaceEdit,
    pub left_over: Vec<Edit>,
    pub summary: String,
}

impl Shared {
    /// Where the document at `uri` lies, or why it is not in a workspace.
    pub fn place(&self, uri: &Uri) -> std::result::Result<Place, String> {
        let session = self.session();
        let path = uri_path(uri).ok_or_else(|| format!("{} is not a file on disk", uri.as_str()))?;
        let w = session
            .workspace_of(&path)
            .ok_or_else(|| format!("{} is outside the open workspaces", path.display()))?;
        let root = session.workspaces[w].root.clone();
        let rel = path.strip_prefix(&root).map(slash_path).unwrap_or_default();
        Ok(Place { root, path, rel })
    }

    /// A test run or fix job for `nodeids` under `root`, with the unsaved
    /// text of open test files, and those files' versions.
    pub fn job(&self, root: &Path, nodeids: Vec<String>) -> (Job, HashMap<PathBuf, i32>) {
        let session = self.session();
        let open: Vec<(&PathBuf, String, i32)> = session
            .documents
            .values()
            .filter_map(|d| Some((d.path.as_ref()?, d.doc.text(), d.doc.version)))
            .filter(|(path, _, _)| path.starts_with(root) && is_test_file(path, root))
            .collect();
        let versions = open.iter().map(|(p, _, v)| ((*p).clone(), *v)).collect();
        let unsaved = testing::unsaved_tests(root, open.into_iter().map(|(p, t, _)| (p, t)));
        let job = Job {
            root: root.to_path_buf(),
            python: session.config.python.clone().map(PathBuf::from),
            nodeids,
            unsaved,
        };
        (job, versions)
    }

    /// Runs the fix loop for `nodeids` under `root` and records what it
    /// found. Returns the outcome (its edit not yet applied).
    pub async fn fix_tests(&self, root: &Path, nodeids: Vec<String>) -> Result<testing::FixOutcome> {
        let (job, versions) = self.job(root, nodeids.clone());
        let encoding: PositionEncoding = self.session().encoding;
        let what = match nodeids.as_slice() {
            [one] => one.rsplit("::").next().unwrap_or(one).to_string(),
            many => format!("{} tests", many.len()),
        };
        let outcome = self
            .with_progress(
                "fix",
                format!("testgap: fixing {what}"),
                move || testing::fix(&job, &versions, encoding),
                testing::FixOutcome::message,
            )
            .await?;
        let mut files: Vec<PathBuf> = Vec::new();
        {
            let mut session = self.session();
            for (file, found) in &outcome.still_failing {
                let ran: Vec<String> = found.iter().map(|f| f.nodeid.clone()).collect();
                testing::merge(session.tests.entry(file.clone()).or_default(), &ran, found.clone());
                files.push(file.clone());
            }
            let fixed: Vec<String> = outcome
                .report
                .results
                .iter()
                .filter(|r| r.outcome == crate::fix::TestOutcome::Fixed)
                .map(|r| r.nodeid.clone())
                .collect();
            // Tests that passed all along are not failing either.
            let passed: Vec<String> = outcome
                .report
                .results
                .iter()
                .filter(|r| r.outcome == crate::fix::TestOutcome::Passed)
                .map(|r| r.nodeid.clone())
                .collect();
            for known in session.tests.values_mut() {
                known.failures.retain(|f| !passed.contains(&f.nodeid));
            }
            for (path, text) in &outcome.updated {
                session.pending_fixes.retain(|(p, _, _)| p != path);
                session.pending_fixes.push((path.clone(), text.clone(), fixed.clone()));
            }
        }
        self.publish_tests(&files).await;
        self.log(MessageType::INFO, format!("fix {what}: {}", outcome.message()))
            .await;
        Ok(outcome)
    }

    /// Generates tests for `target` under `root` (with progress) and turns
    /// them into a workspace edit against the open documents.
    pub async fn generate(&self, root: &Path, target: &str) -> Result<Generated> {
        let (job, create_files, encoding) = {
            let session = self.session();
            let report = session
                .workspace_of(root)
                .and_then(|w| match &session.workspaces[w].report {
                    ReportState::Loaded(r) => Some(r.path.clone()),
                    _ => None,
                });
            let job = actions::Job {
                root: root.to_path_buf(),
                target: target.to_string(),
                python: session.config.python.clone().map(PathBuf::from),
                report,
            };
            (job, session.caps.create_files, session.encoding)
        };
        let (edits, summary) = self
            .with_progress(
                "generate",
                format!("testgap: generating tests for {target}"),
                move || actions::run(&job),
                |(_, summary)| format!("generated {summary}"),
            )
            .await?;
        let open: HashMap<PathBuf, (String, i32)> = {
            let session = self.session();
            session
                .documents
                .values()
                .filter_map(|d| Some((d.path.clone()?, (d.doc.text(), d.doc.version))))
                .collect()
        };
        let label = format!("testgap: generated {summary}");
        let (edit, left_over) = actions::workspace_edit(&edits, &open, create_files, encoding, &label);
        Ok(Generated {
            edits,
            edit,
            left_over,
            summary,
        })
    }

    /// The first workspace's root, for commands sent without a document.
    pub fn first_root(&self) -> Result<PathBuf> {
        let root = self.session().workspaces.first().map(|w| w.root.clone());
        root.ok_or_else(|| invalid("no workspace is open".to_string()))
    }
}

/// The tests pytest's last run recorded as failed; an error when there are none.
pub fn last_failed(root: &Path) -> Result<Vec<String>> {
    let ids = crate::fix::select::last_failed(root).map_err(|e| invalid(e.to_string()))?;
    if ids.is_empty() {
        return Err(invalid("pytest's cache records no failed tests".to_string()));
    }
    Ok(ids)
}
