//! The server's lifecycle (`initialize`, `initialized`, `shutdown`, exit),
//! what it negotiates with the client (position encoding, capabilities), and
//! the `LanguageServer` impl: one line per method, handing over to the file
//! in `requests/` named after it.

use super::commands::ServerCommand;
use super::encoding::PositionEncoding;
use super::requests;
use super::session::{uri_path, ClientCaps, Session, Workspace};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

/// Set by `shutdown`: the protocol asks for exit code 0 only after it.
static SHUTDOWN_REQUESTED: AtomicBool = AtomicBool::new(false);

/// Serves LSP on stdin/stdout until the client exits. Returns whether the
/// client asked to shut down first (an orderly exit).
pub async fn serve_stdio() -> bool {
    let (stdin, stdout) = (tokio::io::stdin(), tokio::io::stdout());
    let (service, socket) = LspService::new(Server::new);
    tower_lsp_server::Server::new(stdin, stdout, socket)
        .serve(service)
        .await;
    SHUTDOWN_REQUESTED.load(Ordering::SeqCst)
}

/// Builds the service for an arbitrary transport (tests use in-memory pipes).
pub fn service() -> (LspService<Server>, tower_lsp_server::ClientSocket) {
    LspService::new(Server::new)
}

/// The language server, as the transport sees it.
pub struct Server {
    shared: Arc<Shared>,
}

/// What every handler and background task shares: the connection to the
/// client, the session behind its lock, and the shutdown signal.
pub(super) struct Shared {
    pub client: Client,
    session: Mutex<Session>,
    /// Set by `shutdown`: whatever still waits on the client or on a long
    /// job gives up, so that `exit` is not held up (the transport waits for
    /// every handler in flight before it returns).
    shutdown: AtomicBool,
    shutdown_signal: tokio::sync::Notify,
}

impl Server {
    fn new(client: Client) -> Server {
        Server {
            shared: Arc::new(Shared {
                client,
                session: Mutex::new(Session::default()),
                shutdown: AtomicBool::new(false),
                shutdown_signal: tokio::sync::Notify::new(),
            }),
        }
    }
}

impl Shared {
    /// The session, locked. Never held across an `.await`.
    pub fn session(&self) -> MutexGuard<'_, Session> {
        // A handler that panicked must not take the whole server down.
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Resolves once the client asked the server to shut down.
    async fn shutting_down(&self) {
        let notified = self.shutdown_signal.notified();
        tokio::pin!(notified);
        // Registered before the flag is read, so no wake-up is missed.
        notified.as_mut().enable();
        if self.shutdown.load(Ordering::SeqCst) {
            return;
        }
        notified.await;
    }

    /// `work`'s result, or `None` once the server is shutting down.
    pub async fn unless_shutting_down<T>(&self, work: impl std::future::Future<Output = T>) -> Option<T> {
        tokio::select! {
            done = work => Some(done),
            () = self.shutting_down() => None,
        }
    }

    /// Stops the background work and wakes whatever waits, for `exit`.
    fn shut_down(&self) {
        self.session().shutting_down = true;
        SHUTDOWN_REQUESTED.store(true, Ordering::SeqCst);
        self.shutdown.store(true, Ordering::SeqCst);
        self.shutdown_signal.notify_waiters();
    }

    /// Takes in what the client said it is, can do and wants, and answers
    /// with what the server can do.
    async fn initialize(&self, params: InitializeParams) -> InitializeResult {
        let encoding = negotiate_encoding(&params);
        let mut warning = None;
        {
            let mut session = self.session();
            session.encoding = encoding;
            session.caps = client_caps(&params.capabilities);
            if let Some(options) = &params.initialization_options {
                match session.config.updated(options) {
                    Ok(Some(config)) => session.config = config,
                    Ok(None) => {}
                    Err(err) => warning = Some(format!("ignoring initializationOptions: {err}")),
                }
            }
            session.workspaces = workspace_roots(&params).into_iter().map(Workspace::new).collect();
        }
        if let Some(warning) = warning {
            self.log(MessageType::WARNING, warning.clone()).await;
            // Shown once the client is ready to hear it (after `initialized`).
            self.session().settings_problem = Some(warning);
        }
        InitializeResult {
            server_info: Some(ServerInfo {
                name: "testgap".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: capabilities(encoding),
            offset_encoding: None,
        }
    }
}

/// UTF-8 positions when the client offers them, else the protocol's UTF-16.
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

/// What the server needs to know of the client's capabilities.
fn client_caps(capabilities: &ClientCapabilities) -> ClientCaps {
    let workspace = capabilities.workspace.as_ref();
    ClientCaps {
        create_files: workspace
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        inlay_hint_refresh: workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false),
        code_lens_refresh: workspace
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false),
        work_done_progress: capabilities
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        watched_files_registration: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
    }
}

/// The workspace folders, else the root URI of older clients.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri_path(&f.uri))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        if let Some(root) = params.root_uri.as_ref().and_then(uri_path) {
            roots.push(root);
        }
    }
    roots
}

/// What the server offers.
fn capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
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
            commands: ServerCommand::ALL.iter().map(|c| c.as_str().to_string()).collect(),
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
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(self.shared.initialize(params).await)
    }

    async fn initialized(&self, _: InitializedParams) {
        // The work runs in the background: a handler waiting on the client
        // would keep the server alive after the client is gone.
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move { shared.start_watching_and_load().await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.shut_down();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        requests::text_document::did_open(&self.shared, params).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        requests::text_document::did_change(&self.shared, params).await
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        requests::text_document::did_close(&self.shared, params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        requests::workspace::did_change_configuration(&self.shared, params).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        requests::workspace::did_change_watched_files(&self.shared, params).await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        requests::workspace::did_change_workspace_folders(&self.shared, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(requests::hover::hover(&self.shared.session(), params))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(requests::inlay_hint::inlay_hint(&self.shared.session(), params))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(requests::code_lens::code_lens(&self.shared.session(), params))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(requests::code_action::code_action(&self.shared.session(), params))
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        requests::code_action_resolve::code_action_resolve(&self.shared, action).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        requests::symbols::workspace_symbol(&self.shared, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        requests::execute_command::execute_command(&self.shared, params).await
    }
}
