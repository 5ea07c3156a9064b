//! Generating tests for the editor: the blocking job behind "Generate tests"
//! (`codeAction/resolve`) and `testgap.generate`, the workspace edit its
//! files become, and the writer of a new test file for clients that cannot
//! create files (`testgap.writeGeneratedTests`).

use super::encoding::PositionEncoding;
use crate::coverage::{self, LoadOptions};
use crate::generate::{self, targets, FileEdit, GenerateConfig, Project};
use ropey::Rope;
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
pub fn run(job: &Job) -> Result<(Vec<FileEdit>, String), String> {
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
    edits: &[FileEdit],
    open: &HashMap<PathBuf, (String, i32)>,
    create_files: bool,
    enc: PositionEncoding,
    annotation: &str,
) -> (WorkspaceEdit, Vec<FileEdit>) {
    let annotation_id: ChangeAnnotationIdentifier = "testgap.generate".to_string();
    let mut operations = Vec::new();
    let mut left_over = Vec::new();
    for edit in edits {
        let Some(uri) = Uri::from_file_path(&edit.path) else {
            continue;
        };
        let annotated = |range: Range, new_text: String| {
            OneOf::Right(AnnotatedTextEdit {
                text_edit: TextEdit { range, new_text },
                annotation_id: annotation_id.clone(),
            })
        };
        match (&edit.original, open.get(&edit.path)) {
            (None, _) if !create_files => left_over.push(edit.clone()),
            (None, _) => {
                operations.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                    uri: uri.clone(),
                    options: Some(CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(false),
                    }),
                    annotation_id: Some(annotation_id.clone()),
                })));
                operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: vec![annotated(Range::default(), edit.text.clone())],
                }));
            }
            (Some(original), buffer) => {
                let appended = edit
                    .text
                    .strip_prefix(original.as_str())
                    .unwrap_or(&edit.text)
                    .to_string();
                let (current, version) = match buffer {
                    Some((text, version)) => (text.as_str(), Some(*version)),
                    None => (original.as_str(), None),
                };
                let rope = Rope::from_str(current);
                let end = enc.position(&rope, rope.len_chars());
                let separator = if current.is_empty() || current.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: vec![annotated(Range { start: end, end }, format!("{separator}{appended}"))],
                }));
            }
        }
    }
    let annotations = HashMap::from([(
        annotation_id.clone(),
        ChangeAnnotation {
            label: annotation.to_string(),
            needs_confirmation: Some(false),
            description: None,
        },
    )]);
    let edit = WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(operations)),
        change_annotations: Some(annotations),
    };
    (edit, left_over)
}

/// Writes a new test file for [`WRITE_TESTS`]: only inside `root`, never
/// over an existing file.
pub fn write_new_file(root: &Path, path: &Path, text: &str) -> Result<(), String> {
    let normalized = coverage::normalize(path).ok_or_else(|| format!("{} is not a usable path", path.display()))?;
    if !normalized.starts_with(root) {
        return Err(format!("{} is outside the workspace; not written", path.display()));
    }
    let edit = FileEdit {
        path: normalized,
        rel: String::new(),
        original: None,
        text: text.to_string(),
        creates: true,
    };
    generate::apply_edit(&edit)
}
