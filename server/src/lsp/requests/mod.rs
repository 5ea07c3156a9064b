//! One file per request or notification family; each handler's body lives
//! in the file named after its method. `server.rs` dispatches to them.
//!
//! | method | file |
//! |---|---|
//! | `textDocument/didOpen`, `didChange`, `didClose` | [`text_document`] |
//! | `workspace/didChangeConfiguration`, `didChangeWatchedFiles`, `didChangeWorkspaceFolders` | [`workspace`] |
//! | `textDocument/publishDiagnostics` (sent) | [`diagnostics`] |
//! | `textDocument/hover` | [`hover`] |
//! | `textDocument/inlayHint` | [`inlay_hint`] |
//! | `textDocument/codeLens` | [`code_lens`] |
//! | `textDocument/codeAction` | [`code_action`] |
//! | `codeAction/resolve` | [`code_action_resolve`] |
//! | `workspace/executeCommand` | [`execute_command`] |
//! | `workspace/symbol` | [`symbols`] |

pub mod code_action;
pub mod code_action_resolve;
pub mod code_lens;
pub mod diagnostics;
pub mod execute_command;
pub mod hover;
pub mod inlay_hint;
pub mod symbols;
pub mod text_document;
pub mod workspace;
