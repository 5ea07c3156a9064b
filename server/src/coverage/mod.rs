//! coverage.py's JSON report: finding it, loading it, mapping its paths to
//! workspace files, and joining its lines and branches to functions.
//!
//! Loading checks the whole report and reads every file's summary, but keeps
//! each file's entry as raw bytes: only the files a caller needs (the ranked
//! modules, the open documents) are decoded in full.

mod check;
pub mod config;
pub mod join;
mod load;
pub mod model;
mod paths;

pub use load::{find_report, load_report, CoverageError, LoadOptions};
pub use model::{display_percent, percent, Meta, Summary};
pub use paths::{module_name, normalize};

use crate::warning::Warning;
use model::{ContextsOnly, FileEntry};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
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
    /// Files inside the workspace root, sorted by their name in the report.
    pub files: Vec<FileCoverage>,
    /// The report's own totals (or the sum of its files when it has none).
    pub totals: Summary,
    /// Entries that were skipped, and why.
    pub warnings: Vec<Warning>,
    /// When the data was recorded: the later of the report's timestamp and
    /// the report file's modification time. Source files modified after
    /// this are stale.
    pub recorded_at: Option<SystemTime>,
    bytes: Vec<u8>,
    by_rel: HashMap<String, usize>,
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
    /// coverage.py's numbers for the file.
    pub summary: Summary,
    /// Where the file's entry is in the report's bytes.
    range: Range<usize>,
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
        self.by_rel.get(rel).map(|&i| &self.files[i])
    }

    /// Decodes a file's whole entry: lines, branches, regions.
    pub fn entry(&self, file: &FileCoverage) -> Result<FileEntry, CoverageError> {
        let raw = &self.bytes[file.range.clone()];
        serde_json::from_slice(raw).map_err(|err| load::entry_error(&self.path, &self.bytes, file, err))
    }

    /// The per-line test contexts of a file (empty when the report has none).
    pub fn contexts(&self, file: &FileCoverage) -> BTreeMap<u32, Vec<String>> {
        serde_json::from_slice::<ContextsOnly>(&self.bytes[file.range.clone()])
            .map(ContextsOnly::by_line)
            .unwrap_or_default()
    }
}
