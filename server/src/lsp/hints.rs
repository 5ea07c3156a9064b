//! Inlay hints after each `def` line and code lenses above functions.

use super::document::Document;
use super::encoding::PositionEncoding;
use super::view::{function_views, ranges_text, short_label, DocCoverage};
use serde_json::json;
use tower_lsp_server::ls_types::{CodeLens, Command, InlayHint, InlayHintLabel, Position, Range, Uri};

/// Hints for functions whose `def` line lies in `range`.
pub fn inlay_hints(doc: &Document, cov: &DocCoverage, range: Range, enc: PositionEncoding) -> Vec<InlayHint> {
    function_views(doc, cov)
        .into_iter()
        .filter_map(|view| {
            let f = &doc.module.functions[view.function];
            let line = f.def_line - 1;
            if line < range.start.line || line > range.end.line || view.coverage.summary.num_statements == 0 {
                return None;
            }
            Some(InlayHint {
                position: enc.line_end(&doc.rope, line as usize),
                label: InlayHintLabel::String(short_label(view.coverage, cov.branch_coverage)),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}

/// One lens per function with statements, on its `def` line.
pub fn code_lenses(uri: &Uri, doc: &Document, cov: &DocCoverage, enc: PositionEncoding) -> Vec<CodeLens> {
    function_views(doc, cov)
        .into_iter()
        .filter(|view| view.coverage.summary.num_statements > 0)
        .map(|view| {
            let f = &doc.module.functions[view.function];
            let line = f.def_line as usize - 1;
            let mut title = short_label(view.coverage, cov.branch_coverage);
            if !view.uncovered.is_empty() {
                title.push_str(&format!(" · never run: {}", ranges_text(&view.uncovered)));
            }
            CodeLens {
                range: Range {
                    start: Position::new(line as u32, 0),
                    end: enc.line_end(&doc.rope, line),
                },
                command: Some(Command {
                    title,
                    command: super::commands::SHOW_FUNCTION.to_string(),
                    arguments: Some(vec![json!(uri.as_str()), json!(f.qualname)]),
                }),
                data: None,
            }
        })
        .collect()
}
