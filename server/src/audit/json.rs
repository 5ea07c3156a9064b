//! The audit as JSON: schema `docs/audit.schema.json`, version
//! [`SCHEMA_VERSION`]. Fields are only ever added within a version.

use super::{Audit, FunctionAudit, ModuleAudit};
use crate::coverage::{display_percent, Summary};
use crate::warning::Warning;
use serde::Serialize;

/// Bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    root: String,
    coverage_file: String,
    coverage: &'a crate::coverage::Meta,
    threshold: f64,
    precision: usize,
    totals: SummaryJson,
    files: Files,
    batches: Vec<BatchJson<'a>>,
    modules: Vec<ModuleJson<'a>>,
    warnings: &'a [Warning],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Files {
    total: usize,
    below_threshold: usize,
}

#[derive(Serialize)]
struct BatchJson<'a> {
    id: usize,
    package: &'a str,
    modules: &'a [String],
}

/// coverage.py's numbers, plus the percentage as its reports print it.
#[derive(Serialize)]
pub struct SummaryJson {
    statements: u64,
    covered_lines: u64,
    missing_lines: u64,
    excluded_lines: u64,
    branches: u64,
    covered_branches: u64,
    missing_branches: u64,
    partial_branches: u64,
    percent_covered: f64,
    percent_covered_display: String,
}

impl SummaryJson {
    pub fn new(s: &Summary, precision: usize) -> Self {
        let percent = s.percent();
        SummaryJson {
            statements: s.num_statements,
            covered_lines: s.covered_lines,
            missing_lines: s.missing_lines,
            excluded_lines: s.excluded_lines,
            branches: s.num_branches,
            covered_branches: s.covered_branches,
            missing_branches: s.missing_branches,
            partial_branches: s.num_partial_branches,
            percent_covered: percent,
            percent_covered_display: display_percent(percent, precision),
        }
    }
}

#[derive(Serialize)]
struct ModuleJson<'a> {
    rank: usize,
    path: &'a str,
    module: &'a str,
    batch: usize,
    summary: SummaryJson,
    risk: f64,
    stale: bool,
    functions: Vec<FunctionJson<'a>>,
    module_level_uncovered_lines: &'a [(u32, u32)],
}

#[derive(Serialize)]
struct FunctionJson<'a> {
    name: &'a str,
    line: u32,
    end_line: u32,
    summary: SummaryJson,
    complexity: u32,
    public: bool,
    raises: &'a [String],
    untested_raises: usize,
    uncovered_lines: &'a [(u32, u32)],
    missing_branches: &'a [(i32, i32)],
}

/// The audit as pretty-printed JSON (what `--format json` prints).
pub fn render_json(audit: &Audit) -> String {
    let mut text = serde_json::to_string_pretty(&document(audit)).unwrap_or_default();
    text.push('\n');
    text
}

/// The same document as a JSON value (what the language server returns).
pub fn json_value(audit: &Audit) -> serde_json::Value {
    serde_json::to_value(document(audit)).unwrap_or_default()
}

fn document(audit: &Audit) -> Document<'_> {
    let precision = audit.config.precision;
    Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "testgap",
            version: env!("CARGO_PKG_VERSION"),
        },
        root: audit.root.display().to_string(),
        coverage_file: audit.coverage_file.display().to_string(),
        coverage: &audit.meta,
        threshold: audit.config.threshold,
        precision,
        totals: SummaryJson::new(&audit.totals, precision),
        files: Files {
            total: audit.files_total,
            below_threshold: audit.files_below_threshold,
        },
        batches: audit
            .batches
            .iter()
            .map(|b| BatchJson {
                id: b.id,
                package: &b.package,
                modules: &b.modules,
            })
            .collect(),
        modules: audit.modules.iter().map(|m| module(m, precision)).collect(),
        warnings: &audit.warnings,
    }
}

fn module(m: &ModuleAudit, precision: usize) -> ModuleJson<'_> {
    ModuleJson {
        rank: m.rank,
        path: &m.path,
        module: &m.module,
        batch: m.batch,
        summary: SummaryJson::new(&m.summary, precision),
        risk: m.risk,
        stale: m.stale,
        functions: m.functions.iter().map(|f| function(f, precision)).collect(),
        module_level_uncovered_lines: &m.module_level_uncovered,
    }
}

fn function(f: &FunctionAudit, precision: usize) -> FunctionJson<'_> {
    FunctionJson {
        name: &f.name,
        line: f.line,
        end_line: f.end_line,
        summary: SummaryJson::new(&f.summary, precision),
        complexity: f.complexity,
        public: f.public,
        raises: &f.raises,
        untested_raises: f.untested_raises,
        uncovered_lines: &f.uncovered_lines,
        missing_branches: &f.missing_branches,
    }
}
