//! `workspace/symbol`: the least covered functions of every workspace,
//! filtered by the query, so that "go to symbol" jumps to the gaps.

use super::super::server::Shared;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// Most functions listed.
const SYMBOLS_LISTED: usize = 200;

/// Functions with uncovered statements whose name or module holds the
/// query, least covered first.
pub async fn workspace_symbol(
    shared: &Shared,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let gaps = shared.least_covered(&params.query, SYMBOLS_LISTED).await?;
    #[allow(deprecated)]
    let symbols = gaps
        .iter()
        .filter_map(|g| {
            let uri = Uri::from_file_path(&g.path)?;
            let line = g.line.saturating_sub(1);
            Some(SymbolInformation {
                name: g.name.clone(),
                kind: SymbolKind::FUNCTION,
                tags: None,
                deprecated: None,
                location: Location {
                    uri,
                    range: Range {
                        start: Position::new(line, 0),
                        end: Position::new(g.end_line.saturating_sub(1), 0),
                    },
                },
                container_name: Some(format!(
                    "{} · {}% covered",
                    g.module,
                    crate::coverage::display_percent(g.percent, 0)
                )),
            })
        })
        .collect();
    Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
}
