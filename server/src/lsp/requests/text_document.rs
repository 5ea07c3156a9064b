//! `textDocument/didOpen`, `didChange` and `didClose`: the session's open
//! documents. A keystroke is applied at once (the outline shifted) and the
//! whole file is parsed again once the user pauses.

use super::super::document::Document;
use super::super::server::Shared;
use super::super::session::{uri_path, OpenDoc};
use super::super::testing::{self, FileTests};
use crate::fix::classify::is_test_file;
use crate::fix::failure::slash_path;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::ls_types::*;

/// How long after the last keystroke edits left to the outline are parsed.
const SETTLE_DELAY: Duration = Duration::from_millis(300);

/// Opens the document, attaches its coverage (and, for a test module, the
/// failures pytest's cache recorded), and publishes its diagnostics.
pub async fn did_open(shared: &Shared, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    {
        let mut session = shared.session();
        let path = uri_path(&doc.uri);
        let open = OpenDoc {
            doc: Document::new(&doc.text, doc.version),
            path: path.clone(),
            coverage: None,
            no_coverage: None,
        };
        session.documents.insert(doc.uri.clone(), open);
        session.attach(&doc.uri);
        drop(session);
        if let Some(path) = path {
            shared.load_last_failed(&path);
        }
    }
    shared.publish(&doc.uri).await;
}

/// Applies the changes (a change older than the document is ignored and
/// logged), republishes, and schedules the parse for when typing pauses.
pub async fn did_change(shared: &Arc<Shared>, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let stale_version = {
        let mut session = shared.session();
        let encoding = session.encoding;
        match session.documents.get_mut(&uri) {
            None => Some("a document that is not open".to_string()),
            Some(open) if params.text_document.version < open.doc.version => Some(format!(
                "version {} after {}",
                params.text_document.version, open.doc.version
            )),
            Some(open) => {
                open.doc
                    .apply_changes(params.content_changes, encoding, params.text_document.version);
                if !session.pending_fixes.is_empty() {
                    session.settle_fixes(&uri);
                }
                None
            }
        }
    };
    match stale_version {
        Some(what) => {
            shared
                .log(
                    MessageType::WARNING,
                    format!("ignored a change to {}: {what}", uri.as_str()),
                )
                .await
        }
        None => {
            shared.publish(&uri).await;
            settle_later(shared, uri, params.text_document.version);
        }
    }
}

/// Forgets the document and clears its diagnostics.
pub async fn did_close(shared: &Shared, params: DidCloseTextDocumentParams) {
    shared.session().documents.remove(&params.text_document.uri);
    shared
        .client
        .publish_diagnostics(params.text_document.uri, Vec::new(), None)
        .await;
}

/// Once the user pauses, parses the edits the outline was only shifted
/// for, and republishes.
fn settle_later(shared: &Arc<Shared>, uri: Uri, version: i32) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep(SETTLE_DELAY).await;
        let job = {
            let session = shared.session();
            match session.documents.get(&uri) {
                Some(open) if open.doc.version == version => open.doc.parse_job(),
                _ => None,
            }
        };
        let Some(job) = job else {
            return;
        };
        // The parse runs off the session lock: an edit that arrives
        // meanwhile is applied at once, and this result is dropped.
        let Ok(parsed) = tokio::task::spawn_blocking(move || job.run()).await else {
            return;
        };
        let taken = match shared.session().documents.get_mut(&uri) {
            Some(open) => open.doc.finish_parse(parsed),
            None => false,
        };
        if taken {
            shared.publish(&uri).await;
        }
    });
}

impl Shared {
    /// Failures pytest's cache recorded for a test module that was just
    /// opened, unless a testgap run already said more.
    fn load_last_failed(&self, path: &Path) {
        let mut session = self.session();
        let Some(w) = session.workspace_of(path) else { return };
        let root = session.workspaces[w].root.clone();
        if !is_test_file(path, &root) || session.tests.get(path).is_some_and(|t| t.from_run) {
            return;
        }
        let rel = path.strip_prefix(&root).map(slash_path).unwrap_or_default();
        let failures = testing::last_failed(&root, &rel);
        session.tests.insert(
            path.to_path_buf(),
            FileTests {
                from_run: false,
                failures,
            },
        );
    }
}
