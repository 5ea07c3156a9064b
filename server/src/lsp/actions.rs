//! "Generate tests" code actions. Listing them runs no user code; the work
//! happens in `codeAction/resolve`, which ends in a `WorkspaceEdit` the user
//! accepts (or, for clients that cannot create files, a command that writes
//! the new file and opens it).

use super::document::Document;
use super::edit::{self, ClientEdits, OpenDocument};
use super::encoding::PositionEncoding;
use crate::coverage::{self, LoadOptions};
use crate::edit::{Annotation, Edit, WriteError};
use crate::generate::{self, targets, GenerateConfig, Project};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::*;

/// The command that writes a generated test file for clients without
/// `CreateFile` support.
pub const WRITE_TESTS: &str = "testgap.writeGeneratedTests";

/// The generate actions available at `range` of `doc` (the file at `rel`
/// under `root`). Instant: nothing runs.
pub fn list(
    uri: &Uri,
    doc: &Document,
    rel: &str,
    range: Range,
    diagnostics: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let line = range.start.line + 1;
    let mut actions = Vec::new();
    let action = |title: String, kind: CodeActionKind, target: String, diagnostics: Option<Vec<Diagnostic>>| {
        CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(kind),
            diagnostics,
            data: Some(json!({"uri": uri.as_str(), "target": target})),
            ..CodeAction::default()
        })
    };
    // The innermost function whose header or body holds the cursor.
    if let Some(f) = doc.module.function_at(line, |_| true) {
        let on_it: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.data.as_ref().and_then(|v| v.get("function")).and_then(Value::as_str) == Some(&f.qualname))
            .cloned()
            .collect();
        let kind = if on_it.is_empty() {
            CodeActionKind::REFACTOR
        } else {
            CodeActionKind::QUICKFIX
        };
        actions.push(action(
            format!("Generate tests for `{}`", f.name),
            kind,
            format!("{rel}::{}", f.qualname),
            (!on_it.is_empty()).then_some(on_it),
        ));
    }
    if let Some(c) = doc.module.class_at(line) {
        actions.push(action(
            format!("Generate tests for `{}`", c.name),
            CodeActionKind::REFACTOR,
            format!("{rel}::{}", c.qualname),
            None,
        ));
    }
    actions.push(action(
        "Generate tests for untested code in this module".to_string(),
        CodeActionKind::SOURCE,
        rel.to_string(),
        None,
    ));
    actions
}

/// What resolving needs, copied out of the session.
pub struct Job {
    pub root: PathBuf,
    pub target: String,
    pub python: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

/// Runs generation for the job's target (blocking work: runs the project's
/// Python). Returns the edits and a one-line summary.
pub fn run(job: &Job) -> Result<(Vec<Edit>, String), String> {
    let report = match &job.report {
        Some(path) => Some(coverage::load_report(&job.root, path).map_err(|e| e.to_string())?),
        None => coverage::find_report(&job.root, &LoadOptions::default())
            .ok()
            .and_then(|p| coverage::load_report(&job.root, &p).ok()),
    };
    let project = Project::open(&job.root, job.python.as_deref(), report, GenerateConfig::default())?;
    let spec = targets::parse_target(&job.target)?;
    let jobs = targets::jobs_for_targets(&project, &[spec], &job.root)?;
    let mut edits = Vec::new();
    let (mut tests, mut functions, mut problems) = (0, 0, Vec::new());
    for module in generate::generate_all(&project, &jobs, 1, &|_, _, _| {}) {
        tests += module.tests;
        functions += module.functions.len();
        if let Some(error) = module.error {
            problems.push(error);
        }
        for f in &module.functions {
            if let Some(skipped) = &f.skipped {
                problems.push(format!("`{}`: {skipped}", f.qualname));
            }
        }
        edits.extend(module.edit);
    }
    let mut summary = format!("{tests} tests for {functions} functions");
    if !problems.is_empty() {
        summary.push_str(&format!("; {}", problems.join("; ")));
    }
    if edits.is_empty() {
        return Err(format!("no tests could be generated: {summary}"));
    }
    Ok((edits, summary))
}

/// Turns generated files into a workspace edit. `open` gives the text and
/// version of test files open in the editor (their unsaved text is what the
/// tests are appended to). Without `CreateFile` support, new files are
/// left out and returned for [`WRITE_TESTS`].
pub fn workspace_edit(
    edits: &[Edit],
    open: &HashMap<PathBuf, (String, i32)>,
    create_files: bool,
    enc: PositionEncoding,
    annotation: &str,
) -> (WorkspaceEdit, Vec<Edit>) {
    let edits: Vec<Edit> = edits
        .iter()
        .map(|edit| {
            let mut edit = edit.clone();
            edit.annotation = Annotation {
                id: "testgap.generate".to_string(),
                label: annotation.to_string(),
                description: None,
                needs_confirmation: false,
            };
            edit
        })
        .collect();
    let open = open
        .iter()
        .map(|(path, (text, version))| {
            let document = OpenDocument {
                version: *version,
                text: Some(text.clone()),
            };
            (path.clone(), document)
        })
        .collect();
    let client = ClientEdits {
        create_files,
        encoding: enc,
    };
    edit::workspace_edit(&edits, &open, client)
}

/// Writes a new test file for [`WRITE_TESTS`]: only inside `root`, never
/// over an existing file.
pub fn write_new_file(root: &Path, path: &Path, text: &str) -> Result<(), String> {
    let normalized = coverage::normalize(path).ok_or_else(|| format!("{} is not a usable path", path.display()))?;
    let new = Edit::create(normalized, String::new(), text.to_string());
    crate::edit::write(&new, root).map_err(|e| match e {
        WriteError::Outside => format!("{} is outside the workspace; not written", path.display()),
        other => generate::write_error(&new, other),
    })
}
