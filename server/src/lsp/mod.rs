//! `testgap lsp`: coverage gaps in the editor, over the Language Server
//! Protocol on stdio. stdout belongs to the protocol; logs go to stderr and
//! `window/logMessage`.

mod actions;
mod commands;
pub mod config;
mod diagnostics;
pub mod document;
pub mod edit;
pub mod encoding;
mod hints;
mod hover;
mod state;
mod test_actions;
mod testing;
mod view;

use encoding::PositionEncoding;
use serde_json::{json, Value};
use state::{ClientCaps, OpenDoc, ReportState, State, Workspace};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

/// How often the report files are checked when the client cannot watch them.
const POLL_INTERVAL: Duration = Duration::from_millis(400);

/// How long after the last keystroke edits left to the outline are parsed.
const SETTLE_DELAY: Duration = Duration::from_millis(300);

/// How long the server waits for the client to answer one of its requests.
/// A client that died must not keep the server (or its exit) waiting.
const CLIENT_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Set by `shutdown`: the protocol asks for exit code 0 only after it.
static SHUTDOWN_REQUESTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Serves LSP on stdin/stdout until the client exits. Returns whether the
/// client asked to shut down first (an orderly exit).
pub async fn serve_stdio() -> bool {
    let (stdin, stdout) = (tokio::io::stdin(), tokio::io::stdout());
    let (service, socket) = LspService::new(Server::new);
    tower_lsp_server::Server::new(stdin, stdout, socket)
        .serve(service)
        .await;
    SHUTDOWN_REQUESTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Builds the service for an arbitrary transport (tests use in-memory pipes).
pub fn service() -> (LspService<Server>, tower_lsp_server::ClientSocket) {
    LspService::new(Server::new)
}

pub struct Server {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    state: Mutex<State>,
    /// Set by `shutdown`: whatever still waits on the client or on a long
    /// job gives up, so that `exit` is not held up (the transport waits for
    /// every handler in flight before it returns).
    shutdown: std::sync::atomic::AtomicBool,
    shutdown_signal: tokio::sync::Notify,
}

impl Server {
    fn new(client: Client) -> Server {
        Server {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(State::default()),
                shutdown: std::sync::atomic::AtomicBool::new(false),
                shutdown_signal: tokio::sync::Notify::new(),
            }),
        }
    }
}

impl Inner {
    /// Resolves once the client asked the server to shut down.
    async fn shutting_down(&self) {
        let notified = self.shutdown_signal.notified();
        tokio::pin!(notified);
        // Registered before the flag is read, so no wake-up is missed.
        notified.as_mut().enable();
        if self.shutdown.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        notified.await;
    }

    /// `work`'s result, or `None` once the server is shutting down.
    async fn unless_shutting_down<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        tokio::select! {
            done = work => Some(done),
            () = self.shutting_down() => None,
        }
    }

    /// The client's answer to a request, or `None` when it did not answer in
    /// time (or answered with an error, or the server is shutting down).
    async fn ask<T>(&self, request: impl std::future::Future<Output = Result<T>>) -> Option<T> {
        let answer = self
            .unless_shutting_down(tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, request))
            .await?;
        answer.ok()?.ok()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A handler that panicked must not take the whole server down.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Logs to the client; problems also go to stderr (stdout is the
    /// protocol's), where they are seen even when the client hides its log.
    #[allow(clippy::print_stderr)]
    async fn log(&self, typ: MessageType, message: String) {
        if typ == MessageType::ERROR || typ == MessageType::WARNING {
            eprintln!("testgap: {message}");
        }
        self.client.log_message(typ, message).await;
    }

    /// Loads (or reloads) the reports of the workspaces at `indices`, then
    /// republishes every open document.
    async fn load_reports(self: &Arc<Self>, indices: Vec<usize>, announce_failures: bool) {
        let (roots, config, progress) = {
            let state = self.state();
            let roots: Vec<(usize, PathBuf)> = indices
                .iter()
                .filter_map(|&i| state.workspaces.get(i).map(|w| (i, w.root.clone())))
                .collect();
            (roots, state.config.clone(), state.caps.work_done_progress)
        };
        if roots.is_empty() {
            return;
        }
        static LOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = NumberOrString::String(format!("testgap/load/{n}"));
        let progress = if progress
            && self
                .ask(self.client.create_work_done_progress(token.clone()))
                .await
                .is_some()
        {
            Some(self.client.progress(token, "testgap: loading coverage").begin().await)
        } else {
            None
        };
        for (i, root) in roots {
            let config = config.clone();
            let root_for_load = root.clone();
            let loaded = tokio::task::spawn_blocking(move || state::load_report(&root_for_load, &config)).await;
            let (report, seen) = loaded.unwrap_or_else(|e| (ReportState::Failed(format!("loading failed: {e}")), None));
            match &report {
                ReportState::Loaded(r) => {
                    let message = format!(
                        "loaded {} ({} files) for {}",
                        r.path.display(),
                        r.files.len(),
                        root.display()
                    );
                    self.log(MessageType::INFO, message).await;
                    for w in &r.warnings {
                        self.log(MessageType::WARNING, w.to_string()).await;
                    }
                }
                ReportState::Failed(reason) => {
                    self.log(MessageType::WARNING, format!("{}: {reason}", root.display()))
                        .await;
                    if announce_failures {
                        self.client
                            .show_message(MessageType::WARNING, format!("testgap: {reason}"))
                            .await;
                    }
                }
                ReportState::NotLoaded => {}
            }
            let mut state = self.state();
            if let Some(w) = state.workspaces.get_mut(i) {
                // A report that breaks on reload (caught mid-write, or broken
                // on purpose) does not wipe out the data the user has: keep it
                // until a good one arrives. The failure was logged above.
                let keep_previous = !announce_failures
                    && matches!(report, ReportState::Failed(_))
                    && matches!(w.report, ReportState::Loaded(_));
                if !keep_previous {
                    w.report = report;
                }
                w.seen = seen;
            }
        }
        if let Some(progress) = progress {
            progress.finish_with_message("coverage loaded").await;
        }
        self.state().attach_all();
        self.publish_all().await;
        self.refresh_views().await;
    }

    /// Asks the client to re-request inlay hints and code lenses, where it
    /// said it can.
    async fn refresh_views(&self) {
        let caps = self.state().caps;
        if caps.inlay_hint_refresh {
            self.ask(self.client.inlay_hint_refresh()).await;
        }
        if caps.code_lens_refresh {
            self.ask(self.client.code_lens_refresh()).await;
        }
    }

    async fn publish_all(&self) {
        let uris: Vec<Uri> = self.state().documents.keys().cloned().collect();
        for uri in uris {
            self.publish(&uri).await;
        }
    }

    /// Computes and sends the diagnostics of one document.
    async fn publish(&self, uri: &Uri) {
        let (diagnostics, version) = {
            let state = self.state();
            let Some(open) = state.documents.get(uri) else {
                return;
            };
            let mut diagnostics = match &open.coverage {
                Some(cov) => diagnostics::diagnostics(&open.doc, cov, &state.config, state.encoding),
                None => Vec::new(),
            };
            if let Some(known) = open.path.as_ref().and_then(|p| state.tests.get(p)) {
                diagnostics.extend(testing::diagnostics(&open.doc, &known.failures, state.encoding));
            }
            (diagnostics, open.doc.version)
        };
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
    }

    /// Registers for coverage.json changes (or starts polling), then loads
    /// every workspace's report.
    async fn start_watching_and_load(self: &Arc<Self>) {
        let (count, watch, configured, settings_problem) = {
            let mut state = self.state();
            // Reports at a configured path, relative to their workspace root.
            let configured: Vec<(PathBuf, String)> = state
                .workspaces
                .iter()
                .filter_map(|w| {
                    let path = state::configured_report(&w.root, &state.config)?;
                    let rel = path.strip_prefix(&w.root).ok()?.to_string_lossy().replace('\\', "/");
                    Some((w.root.clone(), rel))
                })
                .collect();
            (
                state.workspaces.len(),
                state.caps.watched_files_registration,
                configured,
                state.settings_problem.take(),
            )
        };
        if let Some(problem) = settings_problem {
            self.client
                .show_message(MessageType::WARNING, format!("testgap: {problem}"))
                .await;
        }
        if watch {
            let mut watchers = vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/coverage.json".into()),
                kind: None,
            }];
            for (root, rel) in configured {
                let Some(base) = Uri::from_file_path(&root) else {
                    continue;
                };
                watchers.push(FileSystemWatcher {
                    glob_pattern: GlobPattern::Relative(RelativePattern {
                        base_uri: OneOf::Right(base),
                        pattern: rel,
                    }),
                    kind: None,
                });
            }
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "testgap-watch-coverage".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if self
                .ask(self.client.register_capability(vec![registration]))
                .await
                .is_none()
            {
                let message = "the client did not accept watching coverage files; polling instead".to_string();
                self.log(MessageType::WARNING, message).await;
                self.spawn_poller();
            }
        } else {
            self.spawn_poller();
        }
        self.load_reports((0..count).collect(), true).await;
    }

    /// Once the user pauses, parses the edits the outline was only shifted
    /// for, and republishes.
    fn settle_later(self: &Arc<Self>, uri: Uri, version: i32) {
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(SETTLE_DELAY).await;
            let job = {
                let state = inner.state();
                match state.documents.get(&uri) {
                    Some(open) if open.doc.version == version => open.doc.parse_job(),
                    _ => None,
                }
            };
            let Some(job) = job else {
                return;
            };
            // The parse runs off the state lock: an edit that arrives
            // meanwhile is applied at once, and this result is dropped.
            let Ok(parsed) = tokio::task::spawn_blocking(move || job.run()).await else {
                return;
            };
            let taken = match inner.state().documents.get_mut(&uri) {
                Some(open) => open.doc.finish_parse(parsed),
                None => false,
            };
            if taken {
                inner.publish(&uri).await;
            }
        });
    }

    /// Watches report files by polling, for clients that cannot watch them.
    fn spawn_poller(self: &Arc<Self>) {
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(POLL_INTERVAL);
            // The first tick is immediate; the first load is `initialized`'s.
            ticker.tick().await;
            // Stamps seen changing at the previous tick: a report is reloaded
            // once its stamp holds still for a tick, not while it is written.
            let mut settling: std::collections::HashMap<PathBuf, Option<(std::time::SystemTime, u64)>> =
                std::collections::HashMap::new();
            loop {
                ticker.tick().await;
                let changed: Vec<usize> = {
                    let state = inner.state();
                    if state.shutting_down {
                        return;
                    }
                    let mut changed = Vec::new();
                    for (i, w) in state.workspaces.iter().enumerate() {
                        if matches!(w.report, ReportState::NotLoaded) {
                            continue;
                        }
                        let stamp = state::report_stamp(&w.root, &state.config);
                        if stamp == w.seen {
                            settling.remove(&w.root);
                        } else if settling.get(&w.root) == Some(&stamp) {
                            settling.remove(&w.root);
                            changed.push(i);
                        } else {
                            settling.insert(w.root.clone(), stamp);
                        }
                    }
                    changed
                };
                if !changed.is_empty() {
                    inner.load_reports(changed, false).await;
                }
            }
        });
    }
}

fn negotiate_encoding(params: &InitializeParams) -> PositionEncoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| state::uri_path(&f.uri))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        if let Some(root) = params.root_uri.as_ref().and_then(state::uri_path) {
            roots.push(root);
        }
    }
    roots
}

fn workspace(root: PathBuf) -> Workspace {
    Workspace {
        root,
        report: ReportState::NotLoaded,
        seen: None,
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = negotiate_encoding(&params);
        let mut warning = None;
        {
            let mut state = self.inner.state();
            state.encoding = encoding;
            let workspace_caps = params.capabilities.workspace.as_ref();
            let create_files = workspace_caps
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create));
            state.caps = ClientCaps {
                create_files,
                inlay_hint_refresh: workspace_caps
                    .and_then(|w| w.inlay_hint.as_ref())
                    .and_then(|c| c.refresh_support)
                    .unwrap_or(false),
                code_lens_refresh: workspace_caps
                    .and_then(|w| w.code_lens.as_ref())
                    .and_then(|c| c.refresh_support)
                    .unwrap_or(false),
                work_done_progress: params
                    .capabilities
                    .window
                    .as_ref()
                    .and_then(|w| w.work_done_progress)
                    .unwrap_or(false),
                watched_files_registration: params
                    .capabilities
                    .workspace
                    .as_ref()
                    .and_then(|w| w.did_change_watched_files.as_ref())
                    .and_then(|d| d.dynamic_registration)
                    .unwrap_or(false),
            };
            if let Some(options) = &params.initialization_options {
                match state.config.updated(options) {
                    Ok(Some(config)) => state.config = config,
                    Ok(None) => {}
                    Err(err) => warning = Some(format!("ignoring initializationOptions: {err}")),
                }
            }
            state.workspaces = workspace_roots(&params).into_iter().map(workspace).collect();
        }
        if let Some(warning) = warning {
            self.inner.log(MessageType::WARNING, warning.clone()).await;
            // Shown once the client is ready to hear it (after `initialized`).
            self.inner.state().settings_problem = Some(warning);
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "testgap".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(match encoding {
                    PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
                    PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![
                        CodeActionKind::QUICKFIX,
                        CodeActionKind::REFACTOR,
                        CodeActionKind::SOURCE,
                    ]),
                    resolve_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: commands::ALL.iter().map(|c| c.to_string()).collect(),
                    ..ExecuteCommandOptions::default()
                }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // The work runs in the background: a handler waiting on the client
        // would keep the server alive after the client is gone.
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move { inner.start_watching_and_load().await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.state().shutting_down = true;
        SHUTDOWN_REQUESTED.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.shutdown.store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.shutdown_signal.notify_waiters();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        {
            let mut state = self.inner.state();
            let path = state::uri_path(&doc.uri);
            let open = OpenDoc {
                doc: document::Document::new(&doc.text, doc.version),
                path: path.clone(),
                coverage: None,
                no_coverage: None,
            };
            state.documents.insert(doc.uri.clone(), open);
            state.attach(&doc.uri);
            drop(state);
            if let Some(path) = path {
                self.inner.load_last_failed(&path);
            }
        }
        self.inner.publish(&doc.uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let stale_version = {
            let mut state = self.inner.state();
            let encoding = state.encoding;
            match state.documents.get_mut(&uri) {
                None => Some("a document that is not open".to_string()),
                Some(open) if params.text_document.version < open.doc.version => Some(format!(
                    "version {} after {}",
                    params.text_document.version, open.doc.version
                )),
                Some(open) => {
                    open.doc
                        .apply_changes(params.content_changes, encoding, params.text_document.version);
                    if !state.pending_fixes.is_empty() {
                        state.settle_fixes(&uri);
                    }
                    None
                }
            }
        };
        match stale_version {
            Some(what) => {
                self.inner
                    .log(
                        MessageType::WARNING,
                        format!("ignored a change to {}: {what}", uri.as_str()),
                    )
                    .await
            }
            None => {
                self.inner.publish(&uri).await;
                self.inner.settle_later(uri, params.text_document.version);
            }
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.inner.state().documents.remove(&params.text_document.uri);
        self.inner
            .client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
            .await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let reload = {
            let mut state = self.inner.state();
            match state.config.updated(&params.settings) {
                Ok(Some(config)) => {
                    let reload = config.coverage_file != state.config.coverage_file;
                    state.config = config;
                    Ok(Some(reload))
                }
                Ok(None) => Ok(None),
                Err(err) => Err(err),
            }
        };
        match reload {
            Ok(None) => {}
            Ok(Some(true)) => {
                let count = self.inner.state().workspaces.len();
                self.inner.load_reports((0..count).collect(), true).await;
            }
            Ok(Some(false)) => {
                self.inner.publish_all().await;
                self.inner.refresh_views().await;
            }
            Err(err) => {
                self.inner
                    .log(MessageType::WARNING, format!("ignoring settings: {err}"))
                    .await;
                self.inner
                    .client
                    .show_message(MessageType::WARNING, format!("testgap: ignoring settings: {err}"))
                    .await;
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changed: Vec<usize> = {
            let state = self.inner.state();
            state
                .workspaces
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    let current = state::report_stamp(&w.root, &state.config);
                    current != w.seen
                        && params
                            .changes
                            .iter()
                            .any(|c| state::uri_path(&c.uri).is_some_and(|p| p.starts_with(&w.root)))
                })
                .map(|(i, _)| i)
                .collect()
        };
        if !changed.is_empty() {
            self.inner.load_reports(changed, false).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let added: Vec<usize> = {
            let mut state = self.inner.state();
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| state::uri_path(&f.uri))
                .collect();
            state.workspaces.retain(|w| !removed.contains(&w.root));
            let start = state.workspaces.len();
            for root in params.event.added.iter().filter_map(|f| state::uri_path(&f.uri)) {
                if !state.workspaces.iter().any(|w| w.root == root) {
                    state.workspaces.push(workspace(root));
                }
            }
            (start..state.workspaces.len()).collect()
        };
        self.inner.state().attach_all();
        self.inner.load_reports(added, true).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        let state = self.inner.state();
        let Some(open) = state.documents.get(&uri) else {
            return Ok(None);
        };
        let line = position.line + 1;
        if line as usize > open.doc.rope.len_lines() {
            return Ok(None);
        }
        let text = match (&open.coverage, &open.no_coverage) {
            (Some(cov), _) => hover::hover_text(&open.doc, cov, line),
            (None, Some(reason)) => Some(format!("**testgap** · {reason}")),
            (None, None) => None,
        };
        Ok(text.map(|value| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        }))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let state = self.inner.state();
        if !state.config.inlay_hints {
            return Ok(None);
        }
        let Some(open) = state.documents.get(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(open
            .coverage
            .as_ref()
            .map(|cov| hints::inlay_hints(&open.doc, cov, params.range, state.encoding)))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let state = self.inner.state();
        if !state.config.code_lens {
            return Ok(None);
        }
        let uri = &params.text_document.uri;
        let Some(open) = state.documents.get(uri) else {
            return Ok(None);
        };
        Ok(open
            .coverage
            .as_ref()
            .map(|cov| hints::code_lenses(uri, &open.doc, cov, state.encoding)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let state = self.inner.state();
        let uri = &params.text_document.uri;
        let Some(open) = state.documents.get(uri) else {
            return Ok(None);
        };
        let Some(path) = &open.path else { return Ok(None) };
        let Some(w) = state.workspace_of(path) else {
            return Ok(None);
        };
        let Ok(rel) = path.strip_prefix(&state.workspaces[w].root) else {
            return Ok(None);
        };
        let root = &state.workspaces[w].root;
        if crate::fix::classify::is_test_file(path, root) {
            // Tests are fixed, not tested.
            let failures = state.tests.get(path).map(|t| t.failures.as_slice()).unwrap_or_default();
            return Ok(Some(testing::fix_actions(
                uri,
                &open.doc,
                failures,
                params.range,
                state.encoding,
            )));
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        Ok(Some(actions::list(
            uri,
            &open.doc,
            &rel,
            params.range,
            &params.context.diagnostics,
        )))
    }

    async fn code_action_resolve(&self, mut action: CodeAction) -> Result<CodeAction> {
        let data = action.data.clone().unwrap_or(Value::Null);
        if data.get("fix").is_some() {
            return self.inner.resolve_fix(action, &data).await;
        }
        let target = data
            .get("target")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let uri = data
            .get("uri")
            .and_then(Value::as_str)
            .and_then(|u| u.parse::<Uri>().ok());
        let root = {
            let state = self.inner.state();
            uri.as_ref()
                .and_then(state::uri_path)
                .and_then(|p| state.workspace_of(&p))
                .map(|w| state.workspaces[w].root.clone())
                .ok_or_else(|| invalid("this action's file is not in an open workspace".to_string()))?
        };
        let (_, edit, left_over, _) = self.inner.generate(&root, &target).await?;
        action.edit = Some(edit);
        if let Some(first) = left_over.first() {
            action.command = Some(Command {
                title: format!("Write {}", first.rel),
                command: actions::WRITE_TESTS.to_string(),
                arguments: Some(vec![json!(first.path.display().to_string()), json!(first.text)]),
            });
        }
        Ok(action)
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let gaps = self.least_covered(&params.query, 200).await?;
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

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        match params.command.as_str() {
            commands::AUDIT => {
                let job = commands::audit_job(&self.inner.state(), &params.arguments).map_err(invalid)?;
                let audits = tokio::task::spawn_blocking(move || commands::run_audits(&job))
                    .await
                    .map_err(|e| internal(e.to_string()))?;
                Ok(Some(commands::audit_result(&audits)))
            }
            commands::LEAST_COVERED => {
                let options = params.arguments.first().cloned().unwrap_or(Value::Null);
                let limit = options.get("limit").and_then(Value::as_u64).unwrap_or(50) as usize;
                let query = options.get("query").and_then(Value::as_str).unwrap_or("").to_string();
                let gaps = self.least_covered(&query, limit).await?;
                Ok(Some(Value::Array(gaps.iter().map(commands::gap_json).collect())))
            }
            commands::RELOAD => {
                let count = self.inner.state().workspaces.len();
                self.inner.load_reports((0..count).collect(), true).await;
                Ok(Some(json!({"reloaded": count})))
            }
            commands::SHOW_FUNCTION => {
                let uri = params
                    .arguments
                    .first()
                    .and_then(Value::as_str)
                    .and_then(|u| u.parse::<Uri>().ok());
                let name = params
                    .arguments
                    .get(1)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let text = uri.and_then(|uri| {
                    let state = self.inner.state();
                    let open = state.documents.get(&uri)?;
                    let cov = open.coverage.as_ref()?;
                    let f = open.doc.module.functions.iter().find(|f| f.qualname == name)?;
                    hover::hover_text(&open.doc, cov, f.def_line)
                });
                match text {
                    Some(text) => {
                        self.inner
                            .client
                            .show_message(MessageType::INFO, text.replace("**", "").replace('`', ""))
                            .await;
                        Ok(Some(json!({"function": name, "text": text})))
                    }
                    None => Err(invalid(format!("no coverage data for `{name}` in an open document"))),
                }
            }
            testing::RUN_TESTS => self.inner.run_tests_command(&params.arguments).await,
            testing::FIX => self.inner.fix_command(&params.arguments).await,
            testing::GENERATE => self.inner.generate_command(&params.arguments).await,
            actions::WRITE_TESTS => {
                let path = params.arguments.first().and_then(Value::as_str).map(PathBuf::from);
                let text = params
                    .arguments
                    .get(1)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let path = path.ok_or_else(|| invalid("expected the test file's path and text".to_string()))?;
                let root = {
                    let state = self.inner.state();
                    state.workspace_of(&path).map(|w| state.workspaces[w].root.clone())
                };
                let root = root.ok_or_else(|| invalid(format!("{} is outside the workspace", path.display())))?;
                actions::write_new_file(&root, &path, &text).map_err(invalid)?;
                self.inner.show_file(&path).await;
                Ok(Some(json!({"written": path.display().to_string()})))
            }
            other => {
                self.inner
                    .log(MessageType::WARNING, format!("unknown command {other}"))
                    .await;
                Err(Error::method_not_found())
            }
        }
    }
}

impl Server {
    async fn least_covered(&self, query: &str, limit: usize) -> Result<Vec<commands::Gap>> {
        let mut job = commands::audit_job(&self.inner.state(), &[]).map_err(invalid)?;
        // Every function with a gap, not only those in modules below 50%.
        job.config.threshold = 100.0;
        job.config.max_modules = usize::MAX;
        let query = query.to_string();
        tokio::task::spawn_blocking(move || commands::least_covered(&commands::run_audits(&job), &query, limit))
            .await
            .map_err(|e| internal(e.to_string()))
    }
}

fn invalid(message: String) -> Error {
    Error::invalid_params(message)
}

fn internal(message: String) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}
