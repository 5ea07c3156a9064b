//! `textDocument/hover`: whether a line runs and which tests run it; for a
//! `def` line, the function's coverage.

use super::super::document::Document;
use super::super::session::Session;
use super::super::view::{function_views, ranges_text, DocCoverage, FunctionView};
use super::diagnostics::STALE_MESSAGE;
use crate::coverage::display_percent;
use std::collections::BTreeSet;
use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

/// Most test names listed in a hover.
const TESTS_SHOWN: usize = 8;

/// The hover at a position: `None` for a document that is not open, a
/// line past its end, or a line with nothing to say.
pub fn hover(session: &Session, params: HoverParams) -> Option<Hover> {
    let position = params.text_document_position_params.position;
    let uri = params.text_document_position_params.text_document.uri;
    let open = session.documents.get(&uri)?;
    let line = position.line + 1;
    if line as usize > open.doc.rope.len_lines() {
        return None;
    }
    let text = match (&open.coverage, &open.no_coverage) {
        (Some(cov), _) => hover_text(&open.doc, cov, line),
        (None, Some(reason)) => Some(format!("**testgap** · {reason}")),
        (None, None) => None,
    };
    text.map(|value| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    })
}

/// Markdown for a hover on current line `line` (1-based), or `None` when
/// there is nothing to say about it.
pub fn hover_text(doc: &Document, cov: &DocCoverage, line: u32) -> Option<String> {
    let views = function_views(doc, cov);
    let on_def = views.iter().find(|v| {
        let f = &doc.module.functions[v.function];
        f.start_line <= line && line <= f.def_line
    });
    let mut text = match on_def {
        Some(view) => function_hover(doc, cov, view),
        None => line_hover(doc, cov, line, &views)?,
    };
    if cov.stale {
        text.push_str(&format!("\n\n_{STALE_MESSAGE}._"));
    }
    Some(text)
}

fn tests_text(tests: &BTreeSet<&str>) -> String {
    let shown: Vec<String> = tests.iter().take(TESTS_SHOWN).map(|t| format!("`{t}`")).collect();
    let more = tests.len().saturating_sub(TESTS_SHOWN);
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn function_hover(doc: &Document, cov: &DocCoverage, view: &FunctionView) -> String {
    let f = &doc.module.functions[view.function];
    let s = &view.coverage.summary;
    let mut text = format!(
        "**testgap** · `{}` — {}% covered\n\n",
        f.qualname,
        display_percent(s.percent(), 0)
    );
    text.push_str(&format!(
        "{} of {} run",
        s.covered_lines,
        count(s.num_statements as usize, "statement", "statements")
    ));
    if cov.branch_coverage && s.num_branches > 0 {
        text.push_str(&format!(
            " · {} of {} taken",
            s.covered_branches,
            count(s.num_branches as usize, "branch", "branches")
        ));
    }
    if !view.uncovered.is_empty() {
        text.push_str(&format!("\n\nNever run: lines {}", ranges_text(&view.uncovered)));
    }
    if !cov.contexts.is_empty() {
        let tests: BTreeSet<&str> = view
            .coverage
            .statements
            .iter()
            .filter_map(|l| cov.contexts.get(l))
            .flatten()
            .map(String::as_str)
            .collect();
        if tests.is_empty() {
            text.push_str("\n\nNo test runs it.");
        } else {
            text.push_str(&format!(
                "\n\nRun by {}: {}",
                count(tests.len(), "test", "tests"),
                tests_text(&tests)
            ));
        }
    }
    text
}

fn line_hover(doc: &Document, cov: &DocCoverage, line: u32, views: &[FunctionView]) -> Option<String> {
    let Some(origin) = doc.report_line(line) else {
        return Some(format!(
            "**testgap** · line {line} is new since the coverage data was recorded"
        ));
    };
    if cov.executed.binary_search(&origin).is_ok() {
        let mut text = format!("**testgap** · line {line} runs in the test suite");
        if let Some(tests) = cov.contexts.get(&origin) {
            let tests: BTreeSet<&str> = tests.iter().map(String::as_str).collect();
            if !tests.is_empty() {
                text.push_str(&format!(
                    ", in {}: {}",
                    count(tests.len(), "test", "tests"),
                    tests_text(&tests)
                ));
            }
        }
        return Some(text);
    }
    if cov.statements.binary_search(&origin).is_ok() {
        return Some(format!("**testgap** · line {line} never runs in the test suite"));
    }
    // Not a statement: say how the enclosing function fares.
    let view = views.iter().rfind(|v| {
        let f = &doc.module.functions[v.function];
        f.def_line <= line && line <= f.body.end
    })?;
    Some(function_hover(doc, cov, view))
}
