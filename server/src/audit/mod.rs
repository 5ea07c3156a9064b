//! Ranking the modules below the threshold by gap size and risk, and
//! grouping them into subsystem batches.
//!
//! Risk of a module (documented in the README):
//!
//! ```text
//! risk = Σ over functions f with uncovered statements:
//!            u(f) × (1.5 if f is public API else 1.0)
//!          + 2 × (complexity(f) − 1) × u(f) / s(f)
//!          + 3 × raise sites of f that no test reaches
//!      + uncovered statements at module level
//!      + 0.5 × branches never taken
//! ```
//! where `u(f)` is f's uncovered statements and `s(f)` its statements.

mod json;
mod sarif;

pub use json::{json_value, render_json, SCHEMA_VERSION};
pub use sarif::render_sarif;

use crate::coverage::join::{join, FunctionCoverage};
use crate::coverage::{module_name, CoverageReport, Freshness, Summary};
use crate::python::{self, Module};
use crate::warning::{Warning, WarningKind};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What the audit looks at and how much it reports.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// Modules whose coverage (percent) is below this are ranked.
    pub threshold: f64,
    pub max_modules: usize,
    pub batch_size: usize,
    /// Decimals in printed percentages (coverage.py's `[report] precision`).
    pub precision: usize,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            threshold: 50.0,
            max_modules: 200,
            batch_size: 10,
            precision: 0,
        }
    }
}

/// The result of an audit: plain data for every output format.
#[derive(Debug, Clone)]
pub struct Audit {
    pub root: PathBuf,
    pub coverage_file: PathBuf,
    pub meta: crate::coverage::Meta,
    pub config: AuditConfig,
    pub totals: Summary,
    pub files_total: usize,
    pub files_below_threshold: usize,
    /// Ranked, at most `max_modules`.
    pub modules: Vec<ModuleAudit>,
    pub batches: Vec<Batch>,
    pub warnings: Vec<Warning>,
}

/// One ranked module.
#[derive(Debug, Clone)]
pub struct ModuleAudit {
    pub rank: usize,
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub module: String,
    pub batch: usize,
    pub summary: Summary,
    pub risk: f64,
    pub stale: bool,
    /// Functions with uncovered statements, least covered first.
    pub functions: Vec<FunctionAudit>,
    /// Uncovered ranges outside any function.
    pub module_level_uncovered: Vec<(u32, u32)>,
}

/// One function with uncovered statements.
#[derive(Debug, Clone)]
pub struct FunctionAudit {
    pub name: String,
    pub line: u32,
    pub end_line: u32,
    /// Where the name starts on the `def` line (1-based line, byte column).
    pub name_column: u32,
    pub summary: Summary,
    pub complexity: u32,
    pub public: bool,
    pub raises: Vec<String>,
    pub untested_raises: usize,
    pub uncovered_lines: Vec<(u32, u32)>,
    pub missing_branches: Vec<(i32, i32)>,
}

/// Ranked modules of one package directory, at most `batch_size` of them.
#[derive(Debug, Clone)]
pub struct Batch {
    pub id: usize,
    pub package: String,
    pub modules: Vec<String>,
}

/// Runs the audit over a loaded report.
pub fn audit(root: &Path, report: &CoverageReport, config: &AuditConfig) -> Audit {
    let mut warnings = report.warnings.clone();
    let below: Vec<&crate::coverage::FileCoverage> = report
        .files
        .iter()
        .filter(|f| f.summary.percent() < config.threshold)
        .collect();
    let candidates = preselect(&below, config.max_modules);
    let analysed: Vec<(Option<ModuleAudit>, Vec<Warning>)> = candidates
        .par_iter()
        .map_init(python::parser, |parser, file| audit_file(root, report, file, parser))
        .collect();
    let mut modules = Vec::new();
    for (module, file_warnings) in analysed {
        warnings.extend(file_warnings);
        modules.extend(module);
    }
    modules.sort_by(|a, b| {
        b.risk
            .total_cmp(&a.risk)
            .then(b.summary.missing_lines.cmp(&a.summary.missing_lines))
            .then(a.path.cmp(&b.path))
    });
    modules.truncate(config.max_modules);
    for (i, m) in modules.iter_mut().enumerate() {
        m.rank = i + 1;
    }
    let batches = make_batches(&mut modules, config.batch_size.max(1));
    Audit {
        root: root.to_path_buf(),
        coverage_file: report.path.clone(),
        meta: report.meta.clone(),
        config: config.clone(),
        totals: report.totals,
        files_total: report.files.len(),
        files_below_threshold: below.len(),
        modules,
        batches,
        warnings,
    }
}

/// How many modules, per module reported, have their source analysed.
pub const PRESELECT_FACTOR: usize = 3;

/// The modules worth analysing: all of them when there are few, else the
/// `PRESELECT_FACTOR × max_modules` largest gaps by the report alone (missing
/// statements, then branches never taken). Reading and parsing thousands of
/// sources to rank a few hundred would cost more than the whole report.
fn preselect<'r>(
    below: &[&'r crate::coverage::FileCoverage],
    max_modules: usize,
) -> Vec<&'r crate::coverage::FileCoverage> {
    let keep = max_modules.saturating_mul(PRESELECT_FACTOR);
    let mut candidates = below.to_vec();
    if candidates.len() > keep {
        let gap = |f: &crate::coverage::FileCoverage| {
            let s = &f.summary;
            (s.missing_lines, s.missing_branches)
        };
        candidates.sort_by(|a, b| gap(b).cmp(&gap(a)).then(a.rel.cmp(&b.rel)));
        candidates.truncate(keep);
    }
    candidates
}

fn audit_file(
    root: &Path,
    report: &CoverageReport,
    file: &crate::coverage::FileCoverage,
    parser: &mut tree_sitter::Parser,
) -> (Option<ModuleAudit>, Vec<Warning>) {
    let freshness = report.freshness(file);
    let entry = match report.entry(file) {
        Ok(entry) => entry,
        Err(err) => {
            return (
                None,
                vec![Warning::new(WarningKind::Unreadable, &file.rel, err.to_string())],
            )
        }
    };
    let (module, mut warnings) = python::analyze_path(parser, &file.path, &file.rel);
    let mut stale = freshness == Freshness::Stale;
    if let Some(module) = &module {
        if let Some(beyond) = line_beyond_end(module, &entry) {
            stale = true;
            warnings.push(Warning::new(
                WarningKind::Stale,
                &file.rel,
                format!(
                    "coverage data is older than this file: it names line {beyond} but the file has {} lines; run coverage again",
                    module.line_count
                ),
            ));
        } else if stale {
            warnings.push(Warning::new(
                WarningKind::Stale,
                &file.rel,
                "coverage data is older than this file (modified after the report was written); run coverage again",
            ));
        }
    }
    let module = module.unwrap_or_default();
    let joined = join(&module, &entry);
    let audit = module_audit(root, file, &module, &joined, stale);
    (Some(audit), warnings)
}

/// A line the report names that the file does not have.
fn line_beyond_end(module: &Module, data: &crate::coverage::model::FileEntry) -> Option<u32> {
    let max = [&data.executed_lines, &data.missing_lines]
        .iter()
        .filter_map(|lines| lines.iter().max())
        .copied()
        .max()?;
    (max > module.line_count).then_some(max)
}

fn module_audit(
    root: &Path,
    file: &crate::coverage::FileCoverage,
    module: &Module,
    joined: &[FunctionCoverage],
    stale: bool,
) -> ModuleAudit {
    let mut functions: Vec<FunctionAudit> = joined
        .iter()
        .filter_map(|fc| {
            let f = &module.functions[fc.function?];
            if fc.missing.is_empty() {
                return None;
            }
            let untested_raises = f
                .raises
                .iter()
                .filter(|r| fc.missing.binary_search(&r.line).is_ok())
                .count();
            Some(FunctionAudit {
                name: f.qualname.clone(),
                line: f.def_line,
                end_line: f.body.end,
                name_column: f.name_start.byte_column,
                summary: fc.summary,
                complexity: f.complexity,
                public: f.is_public(),
                raises: f.raises.iter().map(|r| r.exception.clone()).collect(),
                untested_raises,
                uncovered_lines: fc.uncovered_ranges(),
                missing_branches: fc.missing_branches.clone(),
            })
        })
        .collect();
    functions.sort_by(|a, b| {
        a.summary
            .percent()
            .total_cmp(&b.summary.percent())
            .then(b.summary.missing_lines.cmp(&a.summary.missing_lines))
            .then(a.line.cmp(&b.line))
    });
    let module_level = &joined[0];
    let risk = risk(
        &functions,
        module_level.summary.missing_lines,
        file.summary.missing_branches,
    );
    ModuleAudit {
        rank: 0,
        path: file.rel.clone(),
        module: module_name(root, &file.rel),
        batch: 0,
        summary: file.summary,
        risk,
        stale,
        functions,
        module_level_uncovered: module_level.uncovered_ranges(),
    }
}

/// The documented risk formula (see the module docs and the README).
pub fn risk(functions: &[FunctionAudit], module_level_missing: u64, missing_branches: u64) -> f64 {
    let mut risk = module_level_missing as f64 + 0.5 * missing_branches as f64;
    for f in functions {
        let uncovered = f.summary.missing_lines as f64;
        let statements = f.summary.num_statements.max(1) as f64;
        risk += uncovered * if f.public { 1.5 } else { 1.0 };
        risk += 2.0 * f64::from(f.complexity.saturating_sub(1)) * uncovered / statements;
        risk += 3.0 * f.untested_raises as f64;
    }
    (risk * 10.0).round() / 10.0
}

/// Groups ranked modules by package directory, `size` at most per batch,
/// batches ordered by their best-ranked module. Sets each module's `batch`.
fn make_batches(modules: &mut [ModuleAudit], size: usize) -> Vec<Batch> {
    let mut batches: Vec<Batch> = Vec::new();
    for module in modules.iter_mut() {
        let package = match module.path.rfind('/') {
            Some(at) => module.path[..at].to_string(),
            None => String::from("."),
        };
        let open = batches
            .iter()
            .position(|b| b.package == package && b.modules.len() < size);
        let index = match open {
            Some(index) => index,
            None => {
                batches.push(Batch {
                    id: batches.len() + 1,
                    package,
                    modules: Vec::new(),
                });
                batches.len() - 1
            }
        };
        batches[index].modules.push(module.path.clone());
        module.batch = batches[index].id;
    }
    batches
}

/// `12-15, 20`: line ranges as coverage.py prints them.
pub fn format_ranges(ranges: &[(u32, u32)]) -> String {
    ranges
        .iter()
        .map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
