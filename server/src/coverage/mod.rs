//! coverage.py's JSON report: finding it, loading it, mapping its paths to
//! workspace files, and joining its lines and branches to functions.

pub mod config;
mod indexed;
pub mod join;
mod load;
pub mod model;
mod paths;

pub use indexed::IndexedReport;
pub use load::{find_report, load_report, CoverageError, LoadOptions};
pub use model::{display_percent, percent, Meta, Summary};
pub use paths::{module_name, normalize};

use crate::warning::Warning;
use std::path::PathBuf;
use std::time::SystemTime;

/// The command that produces the report testgap reads.
pub const HOW_TO_MAKE_REPORT: &str = "coverage run --branch -m pytest && coverage json";

/// A loaded report, its paths mapped into the workspace.
#[derive(Debug)]
pub struct CoverageReport {
    /// The coverage.json that was read.
    pub path: PathBuf,
    pub meta: Meta,
    /// Files inside the workspace root, in the report's order.
    pub files: Vec<FileCoverage>,
    /// The report's own totals (or the sum of its files when it has none).
    pub totals: Summary,
    /// Entries that were skipped, and why.
    pub warnings: Vec<Warning>,
    /// When the data was recorded: the later of the report's timestamp and
    /// the report file's modification time. Source files modified after
    /// this are stale.
    pub recorded_at: Option<SystemTime>,
}

/// One measured file.
#[derive(Debug)]
pub struct FileCoverage {
    /// The path as the report spells it.
    pub report_key: String,
    /// Absolute path inside the workspace.
    pub path: PathBuf,
    /// Path relative to the root, with `/` separators.
    pub rel: String,
    pub data: model::FileEntry,
}

/// How a source file relates to the coverage data recorded for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// Modified after the report was recorded.
    Stale,
    /// No longer exists.
    Missing,
}

/// Slack for file systems with coarse timestamps and for checkouts that write
/// the report and the sources a moment apart.
const STALE_SLACK: std::time::Duration = std::time::Duration::from_secs(2);

impl CoverageReport {
    /// Whether `file`'s source is newer than the data recorded for it.
    pub fn freshness(&self, file: &FileCoverage) -> Freshness {
        let Ok(meta) = std::fs::metadata(&file.path) else {
            return Freshness::Missing;
        };
        match (meta.modified(), self.recorded_at) {
            (Ok(modified), Some(recorded)) if modified > recorded + STALE_SLACK => Freshness::Stale,
            _ => Freshness::Fresh,
        }
    }

    /// The file whose path relative to the root is `rel`.
    pub fn file(&self, rel: &str) -> Option<&FileCoverage> {
        self.files.iter().find(|f| f.rel == rel)
    }
}
