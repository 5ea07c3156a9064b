//! Python source analysis with tree-sitter: the module model, the project
//! model built on it (dotted names, imports, top-level definitions, tables),
//! and a workspace-wide index of which module defines which name.

pub mod complexity;
pub mod conditions;
mod extract;
pub mod imports;
pub mod index;
pub mod model;
pub mod names;
pub mod project;
mod regions;
pub mod syntax;
pub mod toplevel;

pub use model::*;

use tree_sitter::{Parser, Tree};

/// Why a file could not be analysed at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("it looks like a binary file, not Python source")]
    Binary,
    #[error("the parser gave up on it")]
    ParserFailed,
}

/// A new parser for Python.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled tree-sitter-python grammar matches the tree-sitter ABI");
    parser
}

/// Parses and analyses one file's bytes. Invalid UTF-8 is tolerated (names
/// are decoded lossily); files with NUL bytes are refused as binary.
pub fn analyze(parser: &mut Parser, src: &[u8]) -> Result<Module, SourceError> {
    let tree = parse(parser, src, None)?;
    Ok(analyze_tree(&tree, src))
}

/// Parses `src`, reusing `old` (already edited) for an incremental parse.
pub fn parse(parser: &mut Parser, src: &[u8], old: Option<&Tree>) -> Result<Tree, SourceError> {
    if looks_binary(src) {
        return Err(SourceError::Binary);
    }
    parser.parse(src, old).ok_or(SourceError::ParserFailed)
}

/// Builds the module model from an existing tree.
pub fn analyze_tree(tree: &Tree, src: &[u8]) -> Module {
    extract::extract(tree, src, extract::Depth::Full)
}

/// Only the definitions and their positions (no complexity, raises or
/// comparisons): cheap enough for every keystroke.
pub fn outline_tree(tree: &Tree, src: &[u8]) -> Module {
    extract::extract(tree, src, extract::Depth::Outline)
}

/// The outline of whole top-level statements cut from a module, in the
/// cut's own line numbers.
pub fn outline_region(tree: &Tree, src: &[u8], at_module_start: bool) -> Module {
    extract::extract_region(tree, src, at_module_start)
}

/// NUL bytes in the first 8 KiB mean binary, as git and grep decide.
pub fn looks_binary(src: &[u8]) -> bool {
    src[..src.len().min(8192)].contains(&0)
}

#[cfg(test)]
mod tests;

use crate::warning::{Warning, WarningKind};
use std::path::Path;

/// Files larger than this are not analysed (generated data, vendored blobs).
pub const MAX_SOURCE_BYTES: u64 = 32 * 1024 * 1024;

/// Reads and analyses the file at `path` (`rel` names it in warnings).
/// Returns the module, if any could be built, and what the user should know.
pub fn analyze_path(parser: &mut Parser, path: &Path, rel: &str) -> (Option<Module>, Vec<Warning>) {
    let mut warnings = Vec::new();
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_SOURCE_BYTES => {
            warnings.push(Warning::new(
                WarningKind::Unreadable,
                rel,
                format!(
                    "is {} MiB; files over {} MiB are not analysed",
                    meta.len() >> 20,
                    MAX_SOURCE_BYTES >> 20
                ),
            ));
            return (None, warnings);
        }
        _ => {}
    }
    let src = match std::fs::read(path) {
        Ok(src) => src,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            warnings.push(Warning::new(
                WarningKind::MissingFile,
                rel,
                "no longer exists; its coverage data is kept but not analysed",
            ));
            return (None, warnings);
        }
        Err(err) => {
            warnings.push(Warning::new(
                WarningKind::Unreadable,
                rel,
                format!("cannot be read: {err}"),
            ));
            return (None, warnings);
        }
    };
    let module = match analyze(parser, &src) {
        Ok(module) => module,
        Err(err) => {
            let kind = if matches!(err, SourceError::Binary) {
                WarningKind::Binary
            } else {
                WarningKind::Unreadable
            };
            warnings.push(Warning::new(kind, rel, format!("is not analysed: {err}")));
            return (None, warnings);
        }
    };
    if std::str::from_utf8(&src).is_err() {
        warnings.push(Warning::new(
            WarningKind::NotUtf8,
            rel,
            "is not valid UTF-8; read with replacement characters",
        ));
    }
    if let Some(first) = module.syntax_errors.first() {
        warnings.push(Warning::new(
            WarningKind::SyntaxError,
            rel,
            format!(
                "has a syntax error at line {}: {}; the rest of the file is still analysed",
                first.line, first.message
            ),
        ));
    }
    (Some(module), warnings)
}
