//! The shape of coverage.py's JSON report (`coverage json`), formats 2 and 3.
//!
//! Only what testgap reads is modelled; unknown keys are ignored so newer
//! coverage.py versions keep loading. Per-line test contexts are not part of
//! [`FileEntry`]: they are most of a large report's bytes and only a hover
//! needs them, so [`crate::coverage::IndexedReport::contexts`] decodes them
//! for one file on demand.

use serde::Deserialize;
use std::collections::BTreeMap;

/// Report formats this version understands.
pub const SUPPORTED_FORMATS: &[u32] = &[2, 3];

/// The `meta` block.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Meta {
    pub format: u32,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub branch_coverage: bool,
    #[serde(default)]
    pub show_contexts: bool,
}

/// An arc between two lines; a negative target is an exit from the code object.
pub type Arc = (i32, i32);

/// One measured file, or one `functions`/`classes` region of a file.
#[derive(Debug, Deserialize)]
pub struct FileEntry {
    #[serde(default)]
    pub executed_lines: Vec<u32>,
    #[serde(default)]
    pub missing_lines: Vec<u32>,
    #[serde(default)]
    pub excluded_lines: Vec<u32>,
    pub summary: Summary,
    #[serde(default)]
    pub executed_branches: Vec<Arc>,
    #[serde(default)]
    pub missing_branches: Vec<Arc>,
    #[serde(default)]
    pub functions: Option<BTreeMap<String, Region>>,
    #[serde(default)]
    pub classes: Option<BTreeMap<String, Region>>,
}

/// A `functions` or `classes` region (coverage.py 7.5+, format 3).
#[derive(Debug, Deserialize)]
pub struct Region {
    #[serde(default)]
    pub executed_lines: Vec<u32>,
    #[serde(default)]
    pub missing_lines: Vec<u32>,
    #[serde(default)]
    pub excluded_lines: Vec<u32>,
    pub summary: Summary,
    #[serde(default)]
    pub executed_branches: Vec<Arc>,
    #[serde(default)]
    pub missing_branches: Vec<Arc>,
}

/// coverage.py's per-file (and total) numbers, as the report states them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Summary {
    pub covered_lines: u64,
    pub num_statements: u64,
    #[serde(default)]
    pub percent_covered: f64,
    pub missing_lines: u64,
    #[serde(default)]
    pub excluded_lines: u64,
    #[serde(default)]
    pub num_branches: u64,
    #[serde(default)]
    pub num_partial_branches: u64,
    #[serde(default)]
    pub covered_branches: u64,
    #[serde(default)]
    pub missing_branches: u64,
}

impl Summary {
    /// Percent covered the way coverage.py computes it: statements and
    /// branches together.
    pub fn percent(&self) -> f64 {
        percent(
            self.covered_lines + self.covered_branches,
            self.num_statements + self.num_branches,
        )
    }

    /// Adds another summary's counts (used for totals).
    pub fn add(&mut self, other: &Summary) {
        self.covered_lines += other.covered_lines;
        self.num_statements += other.num_statements;
        self.missing_lines += other.missing_lines;
        self.excluded_lines += other.excluded_lines;
        self.num_branches += other.num_branches;
        self.num_partial_branches += other.num_partial_branches;
        self.covered_branches += other.covered_branches;
        self.missing_branches += other.missing_branches;
        self.percent_covered = self.percent();
    }
}

/// `covered / total` as a percentage; an empty total counts as fully covered,
/// as in coverage.py.
pub fn percent(covered: u64, total: u64) -> f64 {
    if total == 0 {
        100.0
    } else {
        100.0 * covered as f64 / total as f64
    }
}

/// Formats a percentage exactly as coverage.py's reports do: rounded to
/// `precision` decimals, except that only a truly empty result prints as 0
/// and only a complete one as 100.
pub fn display_percent(pc: f64, precision: usize) -> String {
    let near0 = 1.0 / 10f64.powi(precision as i32);
    let pc = if pc > 0.0 && pc < near0 {
        near0
    } else if pc > 100.0 - near0 && pc < 100.0 {
        100.0 - near0
    } else {
        pc
    };
    // Rust's fixed-precision formatting rounds the exact binary value half
    // to even, which is what Python's round() followed by format() does.
    format!("{pc:.precision$}")
}

/// Just the per-line contexts of a file entry: `{"<line>": ["context", ...]}`.
#[derive(Debug, Default, Deserialize)]
pub struct ContextsOnly {
    #[serde(default)]
    pub contexts: Option<BTreeMap<String, Vec<String>>>,
}

impl ContextsOnly {
    /// Test names by line.
    pub fn by_line(self) -> BTreeMap<u32, Vec<String>> {
        self.contexts
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(line, ctx)| line.parse::<u32>().ok().map(|l| (l, ctx)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_coverage_py_rounding() {
        // Values checked against coverage.results.display_covered.
        let cases = [
            (0.0, 0, "0"),
            (0.2, 0, "1"),
            (99.7, 0, "99"),
            (100.0, 0, "100"),
            (61.111, 0, "61"),
            (62.5, 0, "62"),
            (63.5, 0, "64"),
            (69.565, 0, "70"),
            (99.95, 1, "99.9"),
            (12.345, 2, "12.35"),
        ];
        for (pc, precision, want) in cases {
            assert_eq!(display_percent(pc, precision), want, "{pc} at {precision}");
        }
    }

    #[test]
    fn empty_is_fully_covered() {
        assert_eq!(percent(0, 0), 100.0);
        assert_eq!(percent(1, 3), 100.0 / 3.0);
    }
}
