//! The session: settings, what the client can do, workspace roots with
//! their coverage reports, open documents and known test failures. Changed
//! synchronously under one lock; no lock is held across an `.await`. How
//! reports are found, loaded and watched is in [`reports`].

pub mod reports;

use super::config::Config;
use super::document::Document;
use super::encoding::PositionEncoding;
use super::view::DocCoverage;
use crate::coverage::{self, CoverageReport};
use crate::python;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use tower_lsp_server::ls_types::Uri;

/// What the client can do, as far as the server cares.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientCaps {
    /// The client applies `CreateFile` operations in workspace edits.
    pub create_files: bool,
    pub work_done_progress: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub watched_files_registration: bool,
}

/// The coverage report of one workspace root.
#[derive(Debug, Clone)]
pub enum ReportState {
    NotLoaded,
    Loaded(Arc<CoverageReport>),
    /// Why there is no report (one sentence, with how to make one).
    Failed(String),
}

/// A workspace root and its report.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub report: ReportState,
    /// (modified, length) of the report file when it was loaded, to notice changes.
    pub seen: Option<(SystemTime, u64)>,
}

/// An open document and the coverage attached to it.
pub struct OpenDoc {
    pub doc: Document,
    pub path: Option<PathBuf>,
    pub coverage: Option<DocCoverage>,
    /// Why there is no coverage for this document, when there is none.
    pub no_coverage: Option<String>,
}

/// Everything the server knows, behind the server's one lock.
#[derive(Default)]
pub struct Session {
    pub encoding: PositionEncoding,
    pub config: Config,
    pub caps: ClientCaps,
    pub workspaces: Vec<Workspace>,
    pub documents: HashMap<Uri, OpenDoc>,
    pub shutting_down: bool,
    /// A problem with the initialization options, to show the user once.
    pub settings_problem: Option<String>,
    /// Failing tests by test module (absolute path).
    pub tests: HashMap<PathBuf, super::testing::FileTests>,
    /// Fix edits handed to the client: (file, its text once applied, the
    /// tests the edit fixes). When a document reaches that text, those
    /// tests' failures are dropped.
    pub pending_fixes: Vec<(PathBuf, String, Vec<String>)>,
}

/// The file a URI names, for `file:` URIs.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    let path = uri.to_file_path()?;
    coverage::normalize(&path)
}

impl Workspace {
    /// A workspace whose report is not loaded yet.
    pub fn new(root: PathBuf) -> Workspace {
        Workspace {
            root,
            report: ReportState::NotLoaded,
            seen: None,
        }
    }
}

impl Session {
    /// The workspace whose root holds `path` (the deepest, for nested roots).
    pub fn workspace_of(&self, path: &Path) -> Option<usize> {
        self.workspaces
            .iter()
            .enumerate()
            .filter(|(_, w)| path.starts_with(&w.root))
            .max_by_key(|(_, w)| w.root.components().count())
            .map(|(i, _)| i)
    }

    /// Attaches (or re-attaches) coverage to the document at `uri`.
    pub fn attach(&mut self, uri: &Uri) {
        // The baseline outline must come from a parse, not from shifting.
        if let Some(open) = self.documents.get_mut(uri) {
            open.doc.ensure_parsed();
        }
        let Some(open) = self.documents.get(uri) else {
            return;
        };
        let (coverage, reason) = match &open.path {
            None => (
                None,
                Some("no coverage data: this document is not a file on disk".to_string()),
            ),
            Some(path) => match self.workspace_of(path) {
                None => (
                    None,
                    Some("no coverage data: this file is outside the workspace".to_string()),
                ),
                Some(w) => coverage_for(&self.workspaces[w], path, &open.doc),
            },
        };
        let open = self.documents.get_mut(uri).expect("checked above");
        match &coverage {
            Some((_, Some(disk_text))) => open.doc.align_to(disk_text),
            Some((_, None)) => open.doc.reset_origin(),
            None => {}
        }
        open.coverage = coverage.map(|(cov, _)| cov);
        open.no_coverage = reason;
    }

    /// Drops the failures a fix edit repaired once the document at `uri`
    /// holds the text that edit produces. Returns whether any were dropped.
    pub fn settle_fixes(&mut self, uri: &Uri) -> bool {
        let Some(open) = self.documents.get(uri) else {
            return false;
        };
        let Some(path) = open.path.clone() else {
            return false;
        };
        let mut applied: Vec<String> = Vec::new();
        let rope = &open.doc.rope;
        self.pending_fixes.retain(|(file, text, nodeids)| {
            if file != &path || rope.len_bytes() != text.len() || *rope != text.as_str() {
                return true;
            }
            applied.extend(nodeids.iter().cloned());
            false
        });
        if applied.is_empty() {
            return false;
        }
        for known in self.tests.values_mut() {
            known.failures.retain(|f| !applied.contains(&f.nodeid));
        }
        true
    }

    /// Re-attaches coverage to every open document (after a report changed).
    pub fn attach_all(&mut self) {
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in uris {
            self.attach(&uri);
        }
    }
}

/// The document's coverage, and the text on disk when it differs from the
/// document's (the report describes the file on disk, not unsaved edits).
type Attached = (DocCoverage, Option<String>);

fn coverage_for(workspace: &Workspace, path: &Path, doc: &Document) -> (Option<Attached>, Option<String>) {
    let report = match &workspace.report {
        ReportState::Loaded(report) => report,
        ReportState::Failed(reason) if reason.starts_with("no coverage data") => return (None, Some(reason.clone())),
        ReportState::Failed(reason) => return (None, Some(format!("no coverage data: {reason}"))),
        ReportState::NotLoaded => return (None, Some("no coverage data yet: the report is loading".to_string())),
    };
    let Ok(rel) = path.strip_prefix(&workspace.root) else {
        return (
            None,
            Some("no coverage data: this file is outside the workspace".to_string()),
        );
    };
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let Some(file) = report.file(&rel) else {
        return (
            None,
            Some("no coverage data: the report does not measure this file (not imported by any test?)".to_string()),
        );
    };
    match report.entry(file) {
        Err(err) => (None, Some(format!("no coverage data: {err}"))),
        Ok(entry) => {
            let disk_text = std::fs::read(path)
                .ok()
                .filter(|bytes| !python::looks_binary(bytes) && bytes.as_slice() != doc.text().as_bytes())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
            let disk_module = disk_text.as_ref().and_then(|text| {
                let tree = python::parse(&mut python::parser(), text.as_bytes(), None).ok()?;
                Some(python::outline_tree(&tree, text.as_bytes()))
            });
            let baseline = disk_module.as_ref().unwrap_or(&doc.module);
            let disk_newer = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .zip(report.recorded_at)
                .is_some_and(|(modified, recorded)| modified > recorded + std::time::Duration::from_secs(2));
            let beyond_end = entry
                .executed_lines
                .iter()
                .chain(&entry.missing_lines)
                .max()
                .copied()
                .unwrap_or(0)
                > baseline.line_count.max(1);
            let cov = DocCoverage::new(
                entry,
                report.contexts(file),
                baseline,
                report.meta.branch_coverage,
                disk_newer || beyond_end,
            );
            let disk_text = if disk_module.is_some() { disk_text } else { None };
            (Some((cov, disk_text)), None)
        }
    }
}
