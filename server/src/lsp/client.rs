//! Talking to the client: logging, asking it something with a time limit,
//! work-done progress around blocking jobs, asking it to refresh views, to
//! apply an edit or to show a file.

use super::server::Shared;
use super::{internal, invalid};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{NotCancellable, OngoingProgress, Unbounded};

/// How long the server waits for the client to answer one of its requests.
/// A client that died must not keep the server (or its exit) waiting.
const CLIENT_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the user may take to look at an edit the server asks the
/// client to apply (clients may show a preview first).
const APPLY_EDIT_TIMEOUT: Duration = Duration::from_secs(600);

impl Shared {
    /// The client's answer to a request, or `None` when it did not answer in
    /// time (or answered with an error, or the server is shutting down).
    pub async fn ask<T>(&self, request: impl std::future::Future<Output = Result<T>>) -> Option<T> {
        let answer = self
            .unless_shutting_down(tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, request))
            .await?;
        answer.ok()?.ok()
    }

    /// Logs to the client; problems also go to stderr (stdout is the
    /// protocol's), where they are seen even when the client hides its log.
    #[allow(clippy::print_stderr)]
    pub async fn log(&self, typ: MessageType, message: String) {
        if typ == MessageType::ERROR || typ == MessageType::WARNING {
            eprintln!("testgap: {message}");
        }
        self.client.log_message(typ, message).await;
    }

    /// Asks the client to re-request inlay hints and code lenses, where it
    /// said it can.
    pub async fn refresh_views(&self) {
        let caps = self.session().caps;
        if caps.inlay_hint_refresh {
            self.ask(self.client.inlay_hint_refresh()).await;
        }
        if caps.code_lens_refresh {
            self.ask(self.client.code_lens_refresh()).await;
        }
    }

    /// Starts work-done progress titled `title`, when the client shows it.
    /// Tokens are `testgap/{kind}/{n}`.
    pub async fn begin_progress(
        &self,
        kind: &str,
        title: String,
    ) -> Option<OngoingProgress<Unbounded, NotCancellable>> {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        if !self.session().caps.work_done_progress {
            return None;
        }
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        let token = NumberOrString::String(format!("testgap/{kind}/{n}"));
        self.ask(self.client.create_work_done_progress(token.clone())).await?;
        Some(self.client.progress(token, title).begin().await)
    }

    /// Runs blocking `work` under work-done progress titled `title`, which
    /// ends with `done`'s summary. A failure is logged and answered as the
    /// request's error.
    pub async fn with_progress<T: Send + 'static>(
        &self,
        kind: &str,
        title: String,
        work: impl FnOnce() -> std::result::Result<T, String> + Send + 'static,
        done: impl FnOnce(&T) -> String,
    ) -> Result<T> {
        let progress = self.begin_progress(kind, title.clone()).await;
        // On shutdown the answer is not waited for: the runtime abandons the
        // job and the server kills the processes it started as it exits.
        let result = self
            .unless_shutting_down(tokio::task::spawn_blocking(work))
            .await
            .ok_or_else(|| invalid("the server is shutting down".to_string()))?
            .map_err(|e| internal(e.to_string()))?;
        match result {
            Ok(value) => {
                if let Some(progress) = progress {
                    progress.finish_with_message(done(&value)).await;
                }
                Ok(value)
            }
            Err(message) => {
                if let Some(progress) = progress {
                    progress.finish_with_message("failed").await;
                }
                self.log(MessageType::WARNING, format!("{title}: {message}")).await;
                Err(invalid(message))
            }
        }
    }

    /// Asks the client to open `path` and focus it.
    pub async fn show_file(&self, path: &Path) {
        if let Some(uri) = Uri::from_file_path(path) {
            let show = ShowDocumentParams {
                uri,
                external: Some(false),
                take_focus: Some(true),
                selection: None,
            };
            self.ask(self.client.show_document(show)).await;
        }
    }

    /// Asks the client to apply `edit`; whether it did.
    pub async fn apply(&self, edit: WorkspaceEdit, label: &str) -> bool {
        let request = tokio::time::timeout(APPLY_EDIT_TIMEOUT, self.client.apply_edit(edit));
        match self.unless_shutting_down(request).await {
            Some(Ok(Ok(response))) if response.applied => true,
            Some(Ok(Ok(response))) => {
                let reason = response.failure_reason.unwrap_or_else(|| "no reason given".to_string());
                self.log(
                    MessageType::INFO,
                    format!("{label}: the edit was not applied ({reason})"),
                )
                .await;
                false
            }
            _ => {
                self.log(
                    MessageType::WARNING,
                    format!("{label}: the client did not apply the edit"),
                )
                .await;
                false
            }
        }
    }
}
