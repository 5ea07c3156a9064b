//! `textDocument/codeAction`: in a test module, "Fix failing test" quick
//! fixes and "Fix all failing tests in this file"; elsewhere, "Generate
//! tests" for the function, the class and the module at the cursor.
//! Listing runs nothing: the work happens on `codeAction/resolve`, from the
//! [`ActionData`] each action carries.

use super::super::commands::ActionData;
use super::super::document::Document;
use super::super::encoding::PositionEncoding;
use super::super::session::Session;
use super::super::testing::{Anchor, FailingTest};
use super::diagnostics::failing_test_diagnostics;
use serde_json::Value;
use tower_lsp_server::ls_types::*;

/// The kind of "Fix all failing tests in this file". Not `source.fixAll`:
/// that kind runs on save where users enabled it, and this one runs pytest.
pub const FIX_ALL_KIND: &str = "source.testgap.fixFailingTests";

/// The actions at the request's range: none for a document that is not
/// open or not in a workspace.
pub fn code_action(session: &Session, params: CodeActionParams) -> Option<CodeActionResponse> {
    let uri = &params.text_document.uri;
    let open = session.documents.get(uri)?;
    let path = open.path.as_ref()?;
    let root = &session.workspaces[session.workspace_of(path)?].root;
    let rel = path.strip_prefix(root).ok()?;
    if crate::fix::classify::is_test_file(path, root) {
        // Tests are fixed, not tested.
        let failures = session
            .tests
            .get(path)
            .map(|t| t.failures.as_slice())
            .unwrap_or_default();
        return Some(fix_actions(uri, &open.doc, failures, params.range, session.encoding));
    }
    let rel = rel.to_string_lossy().replace('\\', "/");
    Some(generate_actions(
        uri,
        &open.doc,
        &rel,
        params.range,
        &params.context.diagnostics,
    ))
}

/// The generate actions available at `range` of `doc` (the file at `rel`
/// under `root`). Instant: nothing runs.
pub fn generate_actions(
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
            data: Some(
                ActionData::Generate {
                    uri: uri.clone(),
                    target,
                }
                .to_value(),
            ),
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

/// The "Fix failing test" quick fixes of the failures on the lines of
/// `range`, and "Fix all failing tests in this file" when any can be fixed.
/// Instant: the work happens on resolve.
pub fn fix_actions(
    uri: &Uri,
    doc: &Document,
    failures: &[FailingTest],
    range: Range,
    enc: PositionEncoding,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let fixable: Vec<&FailingTest> = failures.iter().filter(|f| f.fixable()).collect();
    for failure in &fixable {
        let Some(diagnostic) = failing_test_diagnostics(doc, std::slice::from_ref(*failure), enc).pop() else {
            continue;
        };
        let on_it = diagnostic.range.start.line <= range.end.line && range.start.line <= diagnostic.range.end.line;
        let in_test = match &failure.anchor {
            Anchor::Function { qualname, .. } => doc.module.functions.iter().any(|f| {
                &f.qualname == qualname
                    && f.start_line <= range.start.line + 1
                    && range.start.line < f.body.end.max(f.def_line)
            }),
            Anchor::Line(_) => false,
        };
        if !on_it && !in_test {
            continue;
        }
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: failure.fix_title(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            is_preferred: Some(true),
            data: Some(
                ActionData::Fix {
                    uri: uri.clone(),
                    fix: vec![failure.nodeid.clone()],
                }
                .to_value(),
            ),
            ..CodeAction::default()
        }));
    }
    if !fixable.is_empty() {
        let nodeids: Vec<String> = fixable.iter().map(|f| f.nodeid.clone()).collect();
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: "Fix all failing tests in this file".to_string(),
            kind: Some(CodeActionKind::from(FIX_ALL_KIND)),
            data: Some(
                ActionData::Fix {
                    uri: uri.clone(),
                    fix: nodeids,
                }
                .to_value(),
            ),
            ..CodeAction::default()
        }));
    }
    out
}
