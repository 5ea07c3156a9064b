//! `codeAction/resolve`: the work behind the action the user picked. "Fix
//! failing test" runs the fix loop; "Generate tests" generates them. Both end
//! in a `WorkspaceEdit` the user accepts (for clients that cannot create
//! files, a new test file comes as a `testgap.writeGeneratedTests` command).

use super::super::commands::{ActionData, ServerCommand, WriteTestsArgs};
use super::super::invalid;
use super::super::server::Shared;
use super::super::session::uri_path;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// Resolves an action listed by `textDocument/codeAction`.
pub async fn code_action_resolve(shared: &Shared, action: CodeAction) -> Result<CodeAction> {
    match ActionData::of(action.data.as_ref())? {
        ActionData::Fix { uri, fix } => resolve_fix(shared, action, &uri, fix).await,
        ActionData::Generate { uri, target } => resolve_generate(shared, action, &uri, &target).await,
    }
}

/// Resolves a "Fix failing test" action: runs the fix, returns its edit.
async fn resolve_fix(shared: &Shared, mut action: CodeAction, uri: &Uri, nodeids: Vec<String>) -> Result<CodeAction> {
    if nodeids.is_empty() {
        return Err(invalid("this action names no test".to_string()));
    }
    let place = shared.place(uri).map_err(invalid)?;
    let outcome = shared.fix_tests(&place.root, nodeids).await?;
    let message = outcome.message();
    match outcome.edit {
        Some(edit) => {
            if outcome.report.fixed() < outcome.report.failing() {
                shared
                    .client
                    .show_message(MessageType::WARNING, format!("testgap: {message}"))
                    .await;
            }
            action.edit = Some(edit);
            Ok(action)
        }
        None => {
            shared
                .client
                .show_message(MessageType::WARNING, format!("testgap: {message}"))
                .await;
            Err(invalid(message))
        }
    }
}

/// Resolves a "Generate tests" action: generates the tests, returns the
/// edit (and the command that writes a file the client cannot create).
async fn resolve_generate(shared: &Shared, mut action: CodeAction, uri: &Uri, target: &str) -> Result<CodeAction> {
    let root = {
        let session = shared.session();
        uri_path(uri)
            .and_then(|p| session.workspace_of(&p))
            .map(|w| session.workspaces[w].root.clone())
            .ok_or_else(|| invalid("this action's file is not in an open workspace".to_string()))?
    };
    let generated = shared.generate(&root, target).await?;
    action.edit = Some(generated.edit);
    if let Some(first) = generated.left_over.first() {
        action.command = Some(Command {
            title: format!("Write {}", first.rel),
            command: ServerCommand::WriteGeneratedTests.as_str().to_string(),
            arguments: Some(WriteTestsArgs(first.path.clone(), first.text.clone()).to_arguments()),
        });
    }
    Ok(action)
}
