//! `textDocument/publishDiagnostics`, sent by the server: coverage gaps
//! (one per function below the threshold, and with granularity `lines` one
//! per uncovered range and per branch never taken) and failing tests (at
//! the failing line of the test, the root cause in the message).

use super::super::config::{Config, Granularity};
use super::super::document::Document;
use super::super::encoding::PositionEncoding;
use super::super::server::Shared;
use super::super::testing::{Anchor, FailingTest};
use super::super::view::{function_views, module_level_ranges, ranges_text, DocCoverage, FunctionView};
use crate::coverage::display_percent;
use crate::fix::classify::Category;
use ropey::Rope;
use serde_json::json;
use std::path::PathBuf;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Uri};

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "testgap";
/// Said when the file changed after its coverage was recorded.
pub const STALE_MESSAGE: &str = "coverage data is older than this file: run coverage again to refresh it";
/// The diagnostic code of a failing test.
pub const FAILING_TEST: &str = "failing-test";

impl Shared {
    /// Republishes every open document.
    pub async fn publish_all(&self) {
        let uris: Vec<Uri> = self.session().documents.keys().cloned().collect();
        for uri in uris {
            self.publish(&uri).await;
        }
    }

    /// Computes and sends the diagnostics of one document.
    pub async fn publish(&self, uri: &Uri) {
        let (diagnostics, version) = {
            let session = self.session();
            let Some(open) = session.documents.get(uri) else {
                return;
            };
            let mut diagnostics = match &open.coverage {
                Some(cov) => diagnostics(&open.doc, cov, &session.config, session.encoding),
                None => Vec::new(),
            };
            if let Some(known) = open.path.as_ref().and_then(|p| session.tests.get(p)) {
                diagnostics.extend(failing_test_diagnostics(&open.doc, &known.failures, session.encoding));
            }
            (diagnostics, open.doc.version)
        };
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
    }

    /// Republishes the open documents among `files`, and the closed ones.
    pub async fn publish_tests(&self, files: &[PathBuf]) {
        let uris: Vec<Uri> = {
            let session = self.session();
            session
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

    /// Publishes the failing-test diagnostics of test modules that are not
    /// open (open ones are published with their coverage diagnostics).
    async fn publish_closed(&self, files: &[PathBuf]) {
        let found: Vec<(Uri, Vec<Diagnostic>)> = {
            let session = self.session();
            let open: Vec<&PathBuf> = session.documents.values().filter_map(|d| d.path.as_ref()).collect();
            files
                .iter()
                .filter(|f| !open.contains(f))
                .filter_map(|file| {
                    let uri = Uri::from_file_path(file)?;
                    let failures = session
                        .tests
                        .get(file)
                        .map(|t| t.failures.as_slice())
                        .unwrap_or_default();
                    if failures.is_empty() {
                        return Some((uri, Vec::new()));
                    }
                    let text = std::fs::read_to_string(file).ok()?;
                    let doc = Document::new(&text, 0);
                    Some((uri, failing_test_diagnostics(&doc, failures, session.encoding)))
                })
                .collect()
        };
        for (uri, diagnostics) in found {
            self.client.publish_diagnostics(uri, diagnostics, None).await;
        }
    }
}

/// The diagnostics for `doc` given its coverage.
pub fn diagnostics(doc: &Document, cov: &DocCoverage, config: &Config, enc: PositionEncoding) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if cov.stale {
        out.push(Diagnostic {
            range: Range {
                start: Position::new(0, 0),
                end: enc.line_end(&doc.rope, 0),
            },
            severity: Some(config.function_severity.into()),
            code: Some(NumberOrString::String("stale-coverage".into())),
            source: Some(SOURCE.into()),
            message: STALE_MESSAGE.into(),
            ..Diagnostic::default()
        });
    }
    for view in function_views(doc, cov) {
        if view.coverage.summary.percent() >= config.threshold {
            continue;
        }
        // A function whose lines all run can still have branches never taken.
        if !view.uncovered.is_empty() {
            out.push(function_diagnostic(doc, &view, config, enc));
        }
        if config.granularity == Granularity::Lines {
            out.extend(line_diagnostics(
                doc,
                &view.uncovered,
                Some(&view.coverage.qualname),
                config,
                enc,
            ));
            out.extend(branch_diagnostics(doc, &view, config, enc));
        }
    }
    if config.granularity == Granularity::Lines {
        out.extend(line_diagnostics(doc, &module_level_ranges(doc, cov), None, config, enc));
    }
    out
}

fn function_diagnostic(doc: &Document, view: &FunctionView, config: &Config, enc: PositionEncoding) -> Diagnostic {
    let f = &doc.module.functions[view.function];
    let s = &view.coverage.summary;
    let percent = display_percent(s.percent(), 0);
    let lines = ranges_text(&view.uncovered);
    let plural = if view.uncovered.len() == 1 && view.uncovered[0].0 == view.uncovered[0].1 {
        ""
    } else {
        "s"
    };
    let mut message = format!("`{}` — {percent}% covered: line{plural} {lines} never run", f.name);
    if s.missing_branches > 0 {
        let n = s.missing_branches;
        message.push_str(&format!("; {n} branch{} never taken", if n == 1 { "" } else { "es" }));
    }
    let range = enc.name_range(&doc.rope, f.name_start, f.name_end);
    Diagnostic {
        range,
        severity: Some(config.function_severity.into()),
        code: Some(NumberOrString::String("uncovered-function".into())),
        source: Some(SOURCE.into()),
        message,
        // What code actions need, and no more: the list is sent again on
        // every keystroke.
        data: Some(json!({"function": f.qualname})),
        ..Diagnostic::default()
    }
}

fn line_diagnostics(
    doc: &Document,
    ranges: &[(u32, u32)],
    function: Option<&str>,
    config: &Config,
    enc: PositionEncoding,
) -> Vec<Diagnostic> {
    ranges
        .iter()
        .map(|&(a, b)| {
            let message = if a == b {
                format!("line {a} never runs")
            } else {
                format!("lines {a}–{b} never run")
            };
            Diagnostic {
                range: Range {
                    start: enc.line_indent_end(&doc.rope, a as usize - 1),
                    end: enc.line_end(&doc.rope, b as usize - 1),
                },
                severity: Some(config.line_severity.into()),
                code: Some(NumberOrString::String("uncovered-lines".into())),
                source: Some(SOURCE.into()),
                message,
                data: Some(json!({"function": function, "lines": [a, b]})),
                ..Diagnostic::default()
            }
        })
        .collect()
}

fn branch_diagnostics(doc: &Document, view: &FunctionView, config: &Config, enc: PositionEncoding) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for &(from, to) in &view.missing_branches {
        // A line whose statements never ran already has a line diagnostic.
        if view.uncovered.iter().any(|&(a, b)| a <= from && from <= b) {
            continue;
        }
        let message = format!("line {from}: {}", describe_branch(doc, from, to));
        out.push(Diagnostic {
            range: Range {
                start: enc.line_indent_end(&doc.rope, from as usize - 1),
                end: enc.line_end(&doc.rope, from as usize - 1),
            },
            severity: Some(config.line_severity.into()),
            code: Some(NumberOrString::String("missing-branch".into())),
            source: Some(SOURCE.into()),
            message,
            data: Some(json!({"function": view.coverage.qualname, "from": from, "to": to})),
            ..Diagnostic::default()
        });
    }
    out
}

/// Says which way a branch at `from` never went, from the statement there.
fn describe_branch(doc: &Document, from: u32, to: i64) -> String {
    let row = from as usize - 1;
    let indent = doc
        .rope
        .get_line(row)
        .map_or(0, |l| l.bytes().take_while(|b| *b == b' ' || *b == b'\t').count());
    let statement = doc.tree.as_ref().and_then(|tree| {
        let at = tree_sitter::Point { row, column: indent };
        let mut node = tree.root_node().descendant_for_point_range(at, at)?;
        // Climb from the first token of the line to the statement it starts.
        while let Some(parent) = node.parent() {
            if parent.start_position() != at || matches!(parent.kind(), "block" | "module") {
                break;
            }
            node = parent;
        }
        let body_start = node
            .child_by_field_name("consequence")
            .or_else(|| node.child_by_field_name("body"))
            .map(|b| b.start_position().row as i64 + 1);
        Some((node.kind(), body_start))
    });
    match statement {
        Some(("if_statement" | "elif_clause", Some(body))) => {
            if to == body {
                "the condition is never true".to_string()
            } else {
                "the condition is never false".to_string()
            }
        }
        Some(("while_statement", Some(body))) => {
            if to == body {
                "the loop body never runs".to_string()
            } else {
                "the loop condition is never false".to_string()
            }
        }
        Some(("for_statement", Some(body))) => {
            if to == body {
                "the loop body never runs".to_string()
            } else {
                "the loop never runs to completion".to_string()
            }
        }
        _ if to < 0 => "never leaves the function from here".to_string(),
        _ => format!("never jumps to line {to}"),
    }
}

/// The failing-test diagnostics of an open test module.
pub fn failing_test_diagnostics(doc: &Document, failures: &[FailingTest], enc: PositionEncoding) -> Vec<Diagnostic> {
    let lines = doc.rope.len_lines();
    let mut out = Vec::new();
    for failure in failures {
        let range = match &failure.anchor {
            Anchor::Function { qualname, offset } => {
                // A test that no longer exists has no place to show.
                let Some(f) = doc.module.functions.iter().find(|f| &f.qualname == qualname) else {
                    continue;
                };
                match offset {
                    Some(offset) if f.def_line + offset <= f.body.end.max(f.def_line) => {
                        line_range(&doc.rope, (f.def_line + offset) as usize - 1, enc)
                    }
                    _ => enc.name_range(&doc.rope, f.name_start, f.name_end),
                }
            }
            Anchor::Line(line) => line_range(&doc.rope, (*line as usize).clamp(1, lines.max(1)) - 1, enc),
        };
        out.push(Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(FAILING_TEST.into())),
            source: Some(SOURCE.into()),
            message: failure.message(),
            data: Some(json!({
                "nodeid": failure.nodeid,
                "category": failure.category.map(Category::as_str),
            })),
            ..Diagnostic::default()
        });
    }
    out
}

/// A line's text from its indentation to its end.
fn line_range(rope: &Rope, line: usize, enc: PositionEncoding) -> Range {
    let line = line.min(rope.len_lines().saturating_sub(1));
    Range {
        start: enc.line_indent_end(rope, line),
        end: enc.line_end(rope, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_follow_their_test_function_while_editing() {
        let text = "import pytest\n\n\ndef test_a():\n    x = 1\n    assert x == 2\n";
        let failure = FailingTest {
            nodeid: "t.py::test_a".into(),
            anchor: Anchor::Function {
                qualname: "test_a".into(),
                offset: Some(2),
            },
            category: Some(Category::AssertionDrift),
            summary: "`assert … == …` fails: 1 vs 2".into(),
            suggestion: None,
        };
        let doc = Document::new(text, 1);
        let found = failing_test_diagnostics(&doc, std::slice::from_ref(&failure), PositionEncoding::Utf16);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].range.start, Position::new(5, 4));
        assert_eq!(found[0].range.end, Position::new(5, 17));
        assert_eq!(
            found[0].message,
            "`test_a` fails: `assert … == …` fails: 1 vs 2 (assertion_drift)"
        );
        // Two lines inserted above: the diagnostic moves with the test.
        let moved = Document::new(&format!("# one\n# two\n{text}"), 2);
        let found = failing_test_diagnostics(&moved, std::slice::from_ref(&failure), PositionEncoding::Utf16);
        assert_eq!(found[0].range.start.line, 7);
        // The test renamed: nothing left to point at.
        let renamed = Document::new(&text.replace("test_a", "test_b"), 3);
        assert!(failing_test_diagnostics(&renamed, &[failure], PositionEncoding::Utf16).is_empty());
    }
}
