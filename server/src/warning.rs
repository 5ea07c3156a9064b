//! Things worth telling the user that do not stop the work.

use serde::Serialize;
use std::fmt;

/// What kind of problem a [`Warning`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A report entry names a file outside the workspace root; it is skipped.
    OutsideRoot,
    /// A report entry names a file that no longer exists.
    MissingFile,
    /// The file changed after the coverage data was recorded.
    Stale,
    /// The file is not valid UTF-8; names were decoded lossily.
    NotUtf8,
    /// The file is binary, not Python source.
    Binary,
    /// The file has syntax errors; what parses is still analysed.
    SyntaxError,
    /// The file could not be read.
    Unreadable,
}

/// A problem with one file that the user should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    /// The file, relative to the root where possible.
    pub path: String,
    pub message: String,
}

impl Warning {
    pub fn new(kind: WarningKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            kind,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
