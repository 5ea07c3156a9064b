//! Generating tests for the editor: the blocking job behind "Generate tests"
//! (`codeAction/resolve`) and `testgap.generate`, the workspace edit its
//! files become, and the writer of a new test file for clients that cannot
//! create files (`testgap.writeGeneratedTests`).

use super::edit::{self, ClientEdits, OpenDocument};
use super::encoding::PositionEncoding;
use crate::coverage::{self, LoadOptions};
use crate::edit::{Annotation, Edit, WriteError};
use crate::generate::{self, targets, GenerateConfig, Project};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::*;

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
/// left out and returned for `testgap.writeGeneratedTests`.
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

/// Writes a new test file for `testgap.writeGeneratedTests`: only inside `root`, never
/// over an existing file.
pub fn write_new_file(root: &Path, path: &Path, text: &str) -> Result<(), String> {
    let normalized = coverage::normalize(path).ok_or_else(|| format!("{} is not a usable path", path.display()))?;
    let new = Edit::create(normalized, String::new(), text.to_string());
    crate::edit::write(&new, root).map_err(|e| match e {
        WriteError::Outside => format!("{} is outside the workspace; not written", path.display()),
        other => generate::write_error(&new, other),
    })
}
