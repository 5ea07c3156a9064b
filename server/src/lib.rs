//! testgap: coverage-driven testing for Python.
//!
//! The library is the core and the language server; the command line is
//! the binary's (`main.rs`, `cli/`), the only part that writes to the
//! terminal. The core knows nothing of the terminal or the Language Server
//! Protocol: it takes paths, text and settings and returns plain values.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod audit;
pub mod bench;
pub mod coverage;
pub mod edit;
pub mod fix;
pub mod generate;
pub mod lsp;
pub mod pyenv;
pub mod python;
pub mod warning;

pub use warning::{Warning, WarningKind};
