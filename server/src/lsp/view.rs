//! Coverage as seen from an open document: the report's numbers for the
//! text it measured (the baseline), mapped onto the document's current lines.

use super::document::Document;
use crate::coverage::join::{join, line_ranges, FunctionCoverage};
use crate::coverage::model::FileEntry;
use crate::python::Module;
use std::collections::{BTreeMap, HashMap};

/// A document's coverage, fixed when the report was attached to it.
pub struct DocCoverage {
    /// Joined per function (first entry: module level), in baseline lines.
    pub joined: Vec<FunctionCoverage>,
    /// Executed statement lines (baseline), sorted.
    pub executed: Vec<u32>,
    /// Statement lines (baseline), sorted.
    pub statements: Vec<u32>,
    pub branch_coverage: bool,
    /// The file on disk changed after the data was recorded.
    pub stale: bool,
    /// Per-line test names (baseline lines), when the report has contexts.
    pub contexts: BTreeMap<u32, Vec<String>>,
    /// Indices into `joined` (module level excluded) by qualified name, in
    /// source order: a name defined twice has two entries.
    by_qualname: HashMap<String, Vec<usize>>,
}

impl DocCoverage {
    /// Joins `entry` with the document's current module, which becomes the
    /// baseline.
    pub fn new(
        entry: FileEntry,
        contexts: BTreeMap<u32, Vec<String>>,
        module: &Module,
        branch_coverage: bool,
        stale: bool,
    ) -> DocCoverage {
        let joined = join(module, &entry);
        let mut statements: Vec<u32> = joined.iter().flat_map(|f| f.statements.iter().copied()).collect();
        statements.sort_unstable();
        let mut missing: Vec<u32> = entry.missing_lines.clone();
        missing.sort_unstable();
        let executed = statements
            .iter()
            .copied()
            .filter(|l| missing.binary_search(l).is_err())
            .collect();
        let contexts = contexts
            .into_iter()
            .map(|(line, names)| {
                let mut tests: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).map(test_name).collect();
                tests.sort();
                tests.dedup();
                (line, tests)
            })
            .collect();
        let mut by_qualname: HashMap<String, Vec<usize>> = HashMap::new();
        for (j, f) in joined.iter().enumerate().skip(1) {
            by_qualname.entry(f.qualname.clone()).or_default().push(j);
        }
        DocCoverage {
            by_qualname,
            joined,
            executed,
            statements,
            branch_coverage,
            stale,
            contexts,
        }
    }
}

/// `tests/test_x.py::test_y|run` → `tests/test_x.py::test_y`.
fn test_name(context: String) -> String {
    match context.rsplit_once('|') {
        Some((name, "run" | "setup" | "teardown")) => name.to_string(),
        _ => context,
    }
}

/// One function of the current text with the coverage of its baseline twin.
pub struct FunctionView<'a> {
    /// Index into the document's current `module.functions`.
    pub function: usize,
    pub coverage: &'a FunctionCoverage,
    /// Uncovered ranges in current lines (1-based).
    pub uncovered: Vec<(u32, u32)>,
    /// Branches never taken: (current from-line, current target or negative exit).
    pub missing_branches: Vec<(u32, i64)>,
}

/// Maps a baseline line to the current one.
pub fn map_line(current: &[Option<u32>], line: u32) -> Option<u32> {
    current.get(line as usize).copied().flatten()
}

/// Functions of the current text that have coverage data, matched to the
/// baseline by qualified name (the n-th twin of a repeated name to the n-th).
pub fn function_views<'a>(doc: &Document, cov: &'a DocCoverage) -> Vec<FunctionView<'a>> {
    let current = doc.current_lines();
    // How many twins of each name are taken so far.
    let mut taken: HashMap<&str, usize> = HashMap::new();
    let mut views = Vec::new();
    for (i, f) in doc.module.functions.iter().enumerate() {
        let Some(twins) = cov.by_qualname.get(&f.qualname) else {
            continue;
        };
        let n = taken.entry(f.qualname.as_str()).or_default();
        let Some(&j) = twins.get(*n) else {
            continue;
        };
        *n += 1;
        let fc = &cov.joined[j];
        views.push(FunctionView {
            function: i,
            coverage: fc,
            uncovered: mapped_ranges(&current, &fc.statements, &fc.missing),
            missing_branches: fc
                .missing_branches
                .iter()
                .filter_map(|&(from, to)| {
                    let from = map_line(&current, from.unsigned_abs())?;
                    let to = if to < 0 {
                        i64::from(to)
                    } else {
                        i64::from(map_line(&current, to as u32)?)
                    };
                    Some((from, to))
                })
                .collect(),
        });
    }
    views
}

/// Uncovered ranges of the module level, in current lines.
pub fn module_level_ranges(doc: &Document, cov: &DocCoverage) -> Vec<(u32, u32)> {
    let current = doc.current_lines();
    cov.joined
        .first()
        .map(|m| mapped_ranges(&current, &m.statements, &m.missing))
        .unwrap_or_default()
}

fn mapped_ranges(current: &[Option<u32>], statements: &[u32], missing: &[u32]) -> Vec<(u32, u32)> {
    let stmts: Vec<u32> = statements.iter().filter_map(|&l| map_line(current, l)).collect();
    let miss: Vec<u32> = missing.iter().filter_map(|&l| map_line(current, l)).collect();
    line_ranges(&stmts, &miss)
}

/// `12–15, 20`, the way diagnostics print line ranges.
pub fn ranges_text(ranges: &[(u32, u32)]) -> String {
    ranges
        .iter()
        .map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `62% covered`, `untested`, with branch figures when measured.
pub fn short_label(fc: &FunctionCoverage, branch_coverage: bool) -> String {
    let s = &fc.summary;
    if s.num_statements > 0 && s.covered_lines == 0 {
        return "untested".to_string();
    }
    let percent = crate::coverage::display_percent(s.percent(), 0);
    if branch_coverage && s.num_branches > 0 {
        format!(
            "{percent}% covered · {}/{} branches",
            s.covered_branches, s.num_branches
        )
    } else {
        format!("{percent}% covered")
    }
}
