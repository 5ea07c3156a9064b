//! `textDocument/inlayHint`: a function's coverage after its `def` line.

use super::super::document::Document;
use super::super::encoding::PositionEncoding;
use super::super::session::Session;
use super::super::view::{function_views, short_label, DocCoverage};
use tower_lsp_server::ls_types::{InlayHint, InlayHintLabel, InlayHintParams, Range};

/// The hints of an open document with coverage, unless the settings turn
/// them off.
pub fn inlay_hint(session: &Session, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    if !session.config.inlay_hints {
        return None;
    }
    let open = session.documents.get(&params.text_document.uri)?;
    open.coverage
        .as_ref()
        .map(|cov| inlay_hints(&open.doc, cov, params.range, session.encoding))
}

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
