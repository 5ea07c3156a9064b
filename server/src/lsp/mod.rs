//! `testgap lsp`: coverage gaps in the editor, over the Language Server
//! Protocol on stdio. stdout belongs to the protocol; logs go to stderr and
//! `window/logMessage`.
//!
//! Where things are:
//! - `server`: lifecycle, negotiation, capabilities; the `LanguageServer`
//!   impl, one line per method.
//! - `session`: what the server knows (settings, documents, reports, test
//!   failures); `session::reports` finds, loads and watches the reports.
//! - `requests/`: one file per request or notification family, named after
//!   its method.
//! - `commands`: the table of command names and their typed arguments.
//! - `client`: talking to the client (logs, progress, applying edits).
//! - `jobs`: running, fixing and generating tests for a command or an
//!   action; `testing` and `actions` hold their blocking work; `gaps` the
//!   audit and the least covered functions.
//! - [`document`], [`encoding`], `view`, [`config`]: a document's text and
//!   outline, positions, coverage joined to a document, the settings.

mod actions;
mod client;
mod commands;
pub mod config;
pub mod document;
pub mod edit;
pub mod encoding;
mod gaps;
mod jobs;
mod requests;
mod server;
mod session;
mod testing;
mod view;

pub use server::{serve_stdio, service, Server};

use tower_lsp_server::jsonrpc::Error;

/// The error for a request whose parameters the server cannot act on.
fn invalid(message: String) -> Error {
    Error::invalid_params(message)
}

/// The error for a request the server failed to carry out.
fn internal(message: String) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}
