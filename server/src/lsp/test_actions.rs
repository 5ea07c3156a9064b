//! The server side of running, fixing and generating tests from the editor:
//! the `testgap.runTests`, `testgap.fix` and `testgap.generate` commands,
//! the "Fix failing test" actions and their resolve. The blocking work is in
//! [`super::testing`] and [`super::actions`]; this module moves data in and
//! out of the session, reports progress, and asks the client to apply edits.

use super::encoding::PositionEncoding;
use super::testing::{self, FileTests, Job};
use super::{actions, internal, invalid, state, Inner};
use crate::fix::classify::is_test_file;
use crate::fix::failure::slash_path;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{NotCancellable, OngoingProgress, Unbounded};

/// How long the user may take to look at an edit the server asks the
/// client to apply (clients may show a preview first).
const APPLY_EDIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The arguments every document command takes: `[{textDocument: {uri}, position?, lastFailed?}]`.
struct DocumentArgs {
    uri: Option<Uri>,
    /// 1-based line of the cursor.
    line: Option<u32>,
    last_failed: bool,
}

fn document_args(args: &[Value]) -> DocumentArgs {
    let first = args.first().cloned().unwrap_or(Value::Null);
    let uri = first
        .pointer("/textDocument/uri")
        .or_else(|| first.get("uri"))
        .and_then(Value::as_str)
        .and_then(|u| u.parse::<Uri>().ok());
    let line = first
        .pointer("/position/line")
        .and_then(Value::as_u64)
        .map(|l| l as u32 + 1);
    let last_failed = first.get("lastFailed").and_then(Value::as_bool).unwrap_or(false);
    DocumentArgs { uri, line, last_failed }
}

/// A document of a workspace: its root, its path, and its path relative to the root.
struct Place {
    root: PathBuf,
    path: PathBuf,
    rel: String,
}

impl Inner {
    fn place(&self, uri: &Uri) -> std::result::Result<Place, String> {
        let state = self.state();
        let path = state::uri_path(uri).ok_or_else(|| format!("{} is not a file on disk", uri.as_str()))?;
        let w = state
            .workspace_of(&path)
            .ok_or_else(|| format!("{} is outside the open workspaces", path.display()))?;
        let root = state.workspaces[w].root.clone();
        let rel = path.strip_prefix(&root).map(slash_path).unwrap_or_default();
        Ok(Place { root, path, rel })
    }

    /// A test run or fix job for `nodeids` under `root`, with the unsaved
    /// text of open test files, and those files' versions.
    fn job(&self, root: &Path, nodeids: Vec<String>) -> (Job, HashMap<PathBuf, i32>) {
        let state = self.state();
        let open: Vec<(&PathBuf, String, i32)> = state
            .documents
            .values()
            .filter_map(|d| Some((d.path.as_ref()?, d.doc.text(), d.doc.version)))
            .filter(|(path, _, _)| path.starts_with(root) && is_test_file(path, root))
            .collect();
        let versions = open.iter().map(|(p, _, v)| ((*p).clone(), *v)).collect();
        let unsaved = testing::unsaved_tests(root, open.into_iter().map(|(p, t, _)| (p, t)));
        let job = Job {
            root: root.to_path_buf(),
            python: state.config.python.clone().map(PathBuf::from),
            nodeids,
            unsaved,
        };
        (job, versions)
    }

    async fn begin_progress(&self, kind: &str, title: String) -> Option<OngoingProgress<Unbounded, NotCancellable>> {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        if !self.state().caps.work_done_progress {
            return None;
        }
        let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = NumberOrString::String(format!("testgap/{kind}/{n}"));
        self.ask(self.client.create_work_done_progress(token.clone())).await?;
        Some(self.client.progress(token, title).begin().await)
    }

    /// Runs blocking `work` under work-done progress titled `title`, which
    /// ends with `done`'s summary. A failure is logged and answered as the
    /// request's error.
    async fn with_progress<T: Send + 'static>(
        &self,
        kind: &str,
        title: String,
        work: impl FnOnce() -> std::result::Result<T, String> + Send + 'static,
        done: impl FnOnce(&T) -> String,
    ) -> Result<T> {
        let progress = self.begin_progress(kind, title.clone()).await;
        // On shutdown the answer is not waited for: the runtime abandons the
        // job and the server kills the processes it started as it exits.
        let result = self
            .unless_shutting_down(tokio::task::spawn_blocking(work))
            .await
            .ok_or_else(|| invalid("the server is shutting down".to_string()))?
            .map_err(|e| internal(e.to_string()))?;
        match result {
            Ok(value) => {
                if let Some(progress) = progress {
                    progress.finish_with_message(done(&value)).await;
                }
                Ok(value)
            }
            Err(message) => {
                if let Some(progress) = progress {
                    progress.finish_with_message("failed").await;
                }
                self.log(MessageType::WARNING, format!("{title}: {message}")).await;
                Err(invalid(message))
            }
        }
    }

    /// Publishes the failing-test diagnostics of test modules that are not
    /// open (open ones are published with their coverage diagnostics).
    async fn publish_closed(&self, files: &[PathBuf]) {
        let found: Vec<(Uri, Vec<Diagnostic>)> = {
            let state = self.state();
            let open: Vec<&PathBuf> = state.documents.values().filter_map(|d| d.path.as_ref()).collect();
            files
                .iter()
                .filter(|f| !open.contains(f))
                .filter_map(|file| {
                    let uri = Uri::from_file_path(file)?;
                    let failures = state.tests.get(file).map(|t| t.failures.as_slice()).unwrap_or_default();
                    if failures.is_empty() {
                        return Some((uri, Vec::new()));
                    }
                    let text = std::fs::read_to_string(file).ok()?;
                    let doc = super::document::Document::new(&text, 0);
                    Some((uri, testing::diagnostics(&doc, failures, state.encoding)))
                })
                .collect()
        };
        for (uri, diagnostics) in found {
            self.client.publish_diagnostics(uri, diagnostics, None).await;
        }
    }

    /// Republishes the open documents among `files`, and the closed ones.
    async fn publish_tests(&self, files: &[PathBuf]) {
        let uris: Vec<Uri> = {
            let state = self.state();
            state
                .documents
                .iter()
                .filter(|(_, d)| d.path.as_ref().is_some_and(|p| files.contains(p)))
                .map(|(uri, _)| uri.clone())
                .collect()
        };
        for uri in uris {
            self.publish(&uri).await;
        }
        self.publish_closed(files).await;
    }

    /// Failures pytest's cache recorded for a test module that was just
    /// opened, unless a testgap run already said more.
    pub(super) fn load_last_failed(&self, path: &Path) {
        let mut state = self.state();
        let Some(w) = state.workspace_of(path) else { return };
        let root = state.workspaces[w].root.clone();
        if !is_test_file(path, &root) || state.tests.get(path).is_some_and(|t| t.from_run) {
            return;
        }
        let rel = path.strip_prefix(&root).map(slash_path).unwrap_or_default();
        let failures = testing::last_failed(&root, &rel);
        state.tests.insert(
            path.to_path_buf(),
            FileTests {
                from_run: false,
                failures,
            },
        );
    }

    /// `testgap.runTests`: the test under the cursor, the file, or (with
    /// `lastFailed`) the tests that failed in pytest's last run.
    pub(super) async fn run_tests_command(&self, args: &[Value]) -> Result<Option<Value>> {
        let args = document_args(args);
        let (root, nodeids) = match &args.uri {
            Some(uri) => {
                let place = self.place(uri).map_err(invalid)?;
                let nodeids = if args.last_failed {
                    last_failed(&place.root)?
                } else if is_test_file(&place.path, &place.root) {
                    let state = self.state();
                    let doc = state.documents.get(uri).map(|d| &d.doc);
                    match doc {
                        Some(doc) => vec![testing::nodeid_at(doc, &place.rel, args.line)],
                        None => vec![place.rel.clone()],
                    }
                } else {
                    return Err(invalid(format!(
                        "{} is not a test module: run the tests from a test file (test_*.py), or pass lastFailed",
                        place.rel
                    )));
                };
                (place.root, nodeids)
            }
            // No document (Helix's command picker sends no arguments): the
            // tests that failed in pytest's last run.
            None => {
                let root = self.first_root()?;
                let nodeids = last_failed(&root)?;
                (root, nodeids)
            }
        };
        let (job, _) = self.job(&root, nodeids.clone());
        let what = if nodeids.len() == 1 {
            nodeids[0].clone()
        } else {
            format!("{} tests", nodeids.len())
        };
        let outcome = self
            .with_progress(
                "run",
                format!("testgap: running {what}"),
                move || testing::run_tests(&job),
                testing::RunOutcome::message,
            )
            .await?;
        let files: Vec<PathBuf> = outcome.by_file.keys().cloned().collect();
        {
            let mut state = self.state();
            for (file, found) in &outcome.by_file {
                let ran: Vec<String> = nodeids
                    .iter()
                    .filter(|id| root.join(id.split("::").next().unwrap_or(id)) == *file)
                    .cloned()
                    .collect();
                testing::merge(state.tests.entry(file.clone()).or_default(), &ran, found.clone());
            }
        }
        self.publish_tests(&files).await;
        self.log(MessageType::INFO, format!("ran {what}: {}", outcome.message()))
            .await;
        Ok(Some(outcome.to_json(&root)))
    }

    /// Runs the fix loop for `nodeids` under `root` and records what it
    /// found. Returns the outcome (its edit not yet applied).
    async fn fix_tests(&self, root: &Path, nodeids: Vec<String>) -> Result<testing::FixOutcome> {
        let (job, versions) = self.job(root, nodeids.clone());
        let encoding: PositionEncoding = self.state().encoding;
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
            let mut state = self.state();
            for (file, found) in &outcome.still_failing {
                let ran: Vec<String> = found.iter().map(|f| f.nodeid.clone()).collect();
                testing::merge(state.tests.entry(file.clone()).or_default(), &ran, found.clone());
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
            for known in state.tests.values_mut() {
                known.failures.retain(|f| !passed.contains(&f.nodeid));
            }
            for (path, text) in &outcome.updated {
                state.pending_fixes.retain(|(p, _, _)| p != path);
                state.pending_fixes.push((path.clone(), text.clone(), fixed.clone()));
            }
        }
        self.publish_tests(&files).await;
        self.log(MessageType::INFO, format!("fix {what}: {}", outcome.message()))
            .await;
        Ok(outcome)
    }

    /// Resolves a "Fix failing test" action: runs the fix, returns its edit.
    pub(super) async fn resolve_fix(&self, mut action: CodeAction, data: &Value) -> Result<CodeAction> {
        let uri = data
            .get("uri")
            .and_then(Value::as_str)
            .and_then(|u| u.parse::<Uri>().ok())
            .ok_or_else(|| invalid("this action names no document".to_string()))?;
        let nodeids: Vec<String> = data
            .get("fix")
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        if nodeids.is_empty() {
            return Err(invalid("this action names no test".to_string()));
        }
        let place = self.place(&uri).map_err(invalid)?;
        let outcome = self.fix_tests(&place.root, nodeids).await?;
        let message = outcome.message();
        match outcome.edit {
            Some(edit) => {
                if outcome.report.fixed() < outcome.report.failing() {
                    self.client
                        .show_message(MessageType::WARNING, format!("testgap: {message}"))
                        .await;
                }
                action.edit = Some(edit);
                Ok(action)
            }
            None => {
                self.client
                    .show_message(MessageType::WARNING, format!("testgap: {message}"))
                    .await;
                Err(invalid(message))
            }
        }
    }

    /// Generates tests for `target` under `root` (with progress) and turns
    /// them into a workspace edit against the open documents. Returns the
    /// generated files, the edit, the new files the client cannot create,
    /// and a one-line summary.
    pub(super) async fn generate(
        &self,
        root: &Path,
        target: &str,
    ) -> Result<(Vec<crate::edit::Edit>, WorkspaceEdit, Vec<crate::edit::Edit>, String)> {
        let (job, create_files, encoding) = {
            let state = self.state();
            let report = state
                .workspace_of(root)
                .and_then(|w| match &state.workspaces[w].report {
                    state::ReportState::Loaded(r) => Some(r.path.clone()),
                    _ => None,
                });
            let job = actions::Job {
                root: root.to_path_buf(),
                target: target.to_string(),
                python: state.config.python.clone().map(PathBuf::from),
                report,
            };
            (job, state.caps.create_files, state.encoding)
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
            let state = self.state();
            state
                .documents
                .values()
                .filter_map(|d| Some((d.path.clone()?, (d.doc.text(), d.doc.version))))
                .collect()
        };
        let label = format!("testgap: generated {summary}");
        let (edit, left_over) = actions::workspace_edit(&edits, &open, create_files, encoding, &label);
        Ok((edits, edit, left_over, summary))
    }

    /// Asks the client to open `path` and focus it.
    pub(super) async fn show_file(&self, path: &Path) {
        if let Some(uri) = Uri::from_file_path(path) {
            let show = ShowDocumentParams {
                uri,
                external: Some(false),
                take_focus: Some(true),
                selection: None,
            };
            self.ask(self.client.show_document(show)).await;
        }
    }

    /// Asks the client to apply `edit`; whether it did.
    async fn apply(&self, edit: WorkspaceEdit, label: &str) -> bool {
        let request = tokio::time::timeout(APPLY_EDIT_TIMEOUT, self.client.apply_edit(edit));
        match self.unless_shutting_down(request).await {
            Some(Ok(Ok(response))) if response.applied => true,
            Some(Ok(Ok(response))) => {
                let reason = response.failure_reason.unwrap_or_else(|| "no reason given".to_string());
                self.log(
                    MessageType::INFO,
                    format!("{label}: the edit was not applied ({reason})"),
                )
                .await;
                false
            }
            _ => {
                self.log(
                    MessageType::WARNING,
                    format!("{label}: the client did not apply the edit"),
                )
                .await;
                false
            }
        }
    }

    /// `testgap.fix`: the failing test under the cursor, else the file's
    /// failing tests; the edit goes to the client to apply.
    pub(super) async fn fix_command(&self, args: &[Value]) -> Result<Option<Value>> {
        let args = document_args(args);
        let Some(uri) = args.uri else {
            // No document: the tests that failed in pytest's last run.
            let root = self.first_root()?;
            let nodeids = last_failed(&root)?;
            return self.fix_and_apply(&root, nodeids).await;
        };
        let place = self.place(&uri).map_err(invalid)?;
        let nodeids = if args.last_failed {
            last_failed(&place.root)?
        } else {
            if !is_test_file(&place.path, &place.root) {
                return Err(invalid(format!(
                    "{} is not a test module: fix failing tests from their test file",
                    place.rel
                )));
            }
            let state = self.state();
            let known: Vec<String> = state
                .tests
                .get(&place.path)
                .map(|t| t.failures.iter().map(|f| f.nodeid.clone()).collect())
                .unwrap_or_default();
            let under_cursor = state
                .documents
                .get(&uri)
                .map(|d| testing::nodeid_at(&d.doc, &place.rel, args.line))
                .filter(|id| id.contains("::"));
            match under_cursor {
                Some(id) => vec![id],
                None if !known.is_empty() => known,
                None => vec![place.rel.clone()],
            }
        };
        self.fix_and_apply(&place.root, nodeids).await
    }

    /// Fixes `nodeids` and asks the client to apply the edit.
    async fn fix_and_apply(&self, root: &Path, nodeids: Vec<String>) -> Result<Option<Value>> {
        let outcome = self.fix_tests(root, nodeids).await?;
        let message = outcome.message();
        let applied = match outcome.edit {
            Some(edit) => self.apply(edit, "testgap.fix").await,
            None => false,
        };
        Ok(Some(json!({
            "message": message,
            "failing": outcome.report.failing(),
            "fixed": outcome.report.fixed(),
            "applied": applied,
        })))
    }

    fn first_root(&self) -> Result<PathBuf> {
        let root = self.state().workspaces.first().map(|w| w.root.clone());
        root.ok_or_else(|| invalid("no workspace is open".to_string()))
    }

    /// `testgap.generate`: tests for the function or class under the
    /// cursor, else for the module's untested code; the edit goes to the
    /// client to apply.
    pub(super) async fn generate_command(&self, args: &[Value]) -> Result<Option<Value>> {
        let args = document_args(args);
        let uri = args
            .uri
            .ok_or_else(|| invalid("expected [{textDocument: {uri}, position?}]".to_string()))?;
        let place = self.place(&uri).map_err(invalid)?;
        if is_test_file(&place.path, &place.root) {
            return Err(invalid(format!(
                "{} is a test module: generate tests from the module they should test",
                place.rel
            )));
        }
        let target = {
            let state = self.state();
            state
                .documents
                .get(&uri)
                .and_then(|d| generate_target(&d.doc, args.line))
                .map(|name| format!("{}::{name}", place.rel))
                .unwrap_or_else(|| place.rel.clone())
        };
        let (edits, edit, left_over, summary) = self.generate(&place.root, &target).await?;
        let has_edits = matches!(&edit.document_changes, Some(DocumentChanges::Operations(ops)) if !ops.is_empty());
        let mut applied = has_edits && self.apply(edit, "testgap.generate").await;
        // Clients that cannot create files: the user asked for the tests,
        // so the new file is written (never over an existing one) and shown.
        for file in &left_over {
            actions::write_new_file(&place.root, &file.path, &file.text).map_err(invalid)?;
            applied = true;
            self.show_file(&file.path).await;
        }
        let files: Vec<String> = edits.iter().map(|e| e.rel.clone()).collect();
        Ok(Some(json!({
            "message": format!("generated {summary} in {}", files.join(", ")),
            "target": target,
            "files": files,
            "applied": applied,
        })))
    }
}

/// What `testgap.generate` targets at `line`: the function (not a nested
/// one) or class around it, by qualified name; `None` for the whole module.
fn generate_target(doc: &super::document::Document, line: Option<u32>) -> Option<String> {
    let line = line?;
    match doc.module.function_at(line, |f| f.parent_function.is_none()) {
        Some(f) => Some(f.qualname.clone()),
        None => doc.module.class_at(line).map(|c| c.qualname.clone()),
    }
}

fn last_failed(root: &Path) -> Result<Vec<String>> {
    let ids = crate::fix::select::last_failed(root).map_err(|e| invalid(e.to_string()))?;
    if ids.is_empty() {
        return Err(invalid("pytest's cache records no failed tests".to_string()));
    }
    Ok(ids)
}
