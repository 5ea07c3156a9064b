//! `workspace/didChangeConfiguration`, `didChangeWatchedFiles` and
//! `didChangeWorkspaceFolders`: settings, report files and roots changing.

use super::super::server::Shared;
use super::super::session::reports::report_stamp;
use super::super::session::{uri_path, Workspace};
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types::*;

/// Takes in new settings: reloads the reports when their path changed, else
/// republishes with the new settings. Bad settings are ignored, and said so.
pub async fn did_change_configuration(shared: &Arc<Shared>, params: DidChangeConfigurationParams) {
    let reload = {
        let mut session = shared.session();
        match session.config.updated(&params.settings) {
            Ok(Some(config)) => {
                let reload = config.coverage_file != session.config.coverage_file;
                session.config = config;
                Ok(Some(reload))
            }
            Ok(None) => Ok(None),
            Err(err) => Err(err),
        }
    };
    match reload {
        Ok(None) => {}
        Ok(Some(true)) => {
            let count = shared.session().workspaces.len();
            shared.load_reports((0..count).collect(), true).await;
        }
        Ok(Some(false)) => {
            shared.publish_all().await;
            shared.refresh_views().await;
        }
        Err(err) => {
            shared
                .log(MessageType::WARNING, format!("ignoring settings: {err}"))
                .await;
            shared
                .client
                .show_message(MessageType::WARNING, format!("testgap: ignoring settings: {err}"))
                .await;
        }
    }
}

/// Reloads the reports of the workspaces a change falls in, when their
/// report file is not the one loaded.
pub async fn did_change_watched_files(shared: &Arc<Shared>, params: DidChangeWatchedFilesParams) {
    let changed: Vec<usize> = {
        let session = shared.session();
        session
            .workspaces
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                let current = report_stamp(&w.root, &session.config);
                current != w.seen
                    && params
                        .changes
                        .iter()
                        .any(|c| uri_path(&c.uri).is_some_and(|p| p.starts_with(&w.root)))
            })
            .map(|(i, _)| i)
            .collect()
    };
    if !changed.is_empty() {
        shared.load_reports(changed, false).await;
    }
}

/// Drops the removed roots and loads the reports of the added ones.
pub async fn did_change_workspace_folders(shared: &Arc<Shared>, params: DidChangeWorkspaceFoldersParams) {
    let added: Vec<usize> = {
        let mut session = shared.session();
        let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(|f| uri_path(&f.uri)).collect();
        session.workspaces.retain(|w| !removed.contains(&w.root));
        let start = session.workspaces.len();
        for root in params.event.added.iter().filter_map(|f| uri_path(&f.uri)) {
            if !session.workspaces.iter().any(|w| w.root == root) {
                session.workspaces.push(Workspace::new(root));
            }
        }
        (start..session.workspaces.len()).collect()
    };
    shared.session().attach_all();
    shared.load_reports(added, true).await;
}
