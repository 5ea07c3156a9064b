//! `textDocument/codeLens`: a lens above each function with its coverage;
//! clicking it shows the function's coverage (`testgap.showFunctionCoverage`).

use super::super::commands::{ServerCommand, ShowFunctionArgs};
use super::super::document::Document;
use super::super::encoding::PositionEncoding;
use super::super::session::Session;
use super::super::view::{function_views, ranges_text, short_label, DocCoverage};
use tower_lsp_server::ls_types::{CodeLens, CodeLensParams, Command, Position, Range, Uri};

/// The lenses of an open document with coverage, unless the settings turn
/// them off.
pub fn code_lens(session: &Session, params: CodeLensParams) -> Option<Vec<CodeLens>> {
    if !session.config.code_lens {
        return None;
    }
    let uri = &params.text_document.uri;
    let open = session.documents.get(uri)?;
    open.coverage
        .as_ref()
        .map(|cov| code_lenses(uri, &open.doc, cov, session.encoding))
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
                    command: ServerCommand::ShowFunctionCoverage.as_str().to_string(),
                    arguments: Some(ShowFunctionArgs(uri.clone(), f.qualname.clone()).to_arguments()),
                }),
                data: None,
            }
        })
        .collect()
}
