//! Coverage-gap diagnostics: one per function below the threshold, and with
//! granularity `lines` one per uncovered range and per branch never taken.

use super::config::{Config, Granularity};
use super::document::Document;
use super::encoding::PositionEncoding;
use super::view::{function_views, module_level_ranges, ranges_text, DocCoverage, FunctionView};
use crate::coverage::display_percent;
use serde_json::json;
use tower_lsp_server::ls_types::{Diagnostic, NumberOrString, Position, Range};

pub const SOURCE: &str = "testgap";
pub const STALE_MESSAGE: &str = "coverage data is older than this file: run coverage again to refresh it";

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
