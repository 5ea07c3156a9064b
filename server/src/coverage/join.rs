//! Attributes each statement and branch of a file to the innermost function
//! that contains it (or to the module level), the way coverage.py scopes its
//! `functions` regions: a function owns the lines from the first statement
//! of its body to the end of its last, minus the lines of functions nested
//! in it. Decorators, the `def` line and default values belong to the
//! enclosing scope, because that is where they run.

use super::model::{Arc, FileEntry, Region, Summary};
use crate::python::Module;

/// Coverage of one function, or of the module level (`qualname` empty).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCoverage {
    pub qualname: String,
    /// Index into [`Module::functions`]; `None` for the module level.
    pub function: Option<usize>,
    /// Statement lines, sorted.
    pub statements: Vec<u32>,
    pub missing: Vec<u32>,
    pub excluded: Vec<u32>,
    pub executed_branches: Vec<Arc>,
    pub missing_branches: Vec<Arc>,
    pub summary: Summary,
    /// True when the numbers come from the report's own `functions` region.
    pub from_report: bool,
}

impl FunctionCoverage {
    pub fn percent(&self) -> f64 {
        self.summary.percent()
    }

    /// Missing statements folded into ranges the way coverage.py prints them:
    /// a range runs over consecutive statements, skipping blank lines and
    /// comments between them.
    pub fn uncovered_ranges(&self) -> Vec<(u32, u32)> {
        line_ranges(&self.statements, &self.missing)
    }
}

/// Folds `missing` (a subset of `statements`, both sorted) into ranges.
pub fn line_ranges(statements: &[u32], missing: &[u32]) -> Vec<(u32, u32)> {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut in_run = false;
    let mut m = 0;
    for &line in statements {
        if m < missing.len() && missing[m] == line {
            m += 1;
            match (in_run, ranges.last_mut()) {
                (true, Some(last)) => last.1 = line,
                _ => ranges.push((line, line)),
            }
            in_run = true;
        } else {
            in_run = false;
        }
    }
    ranges
}

/// Joins a file's coverage with its module model. The first entry is the
/// module level; then one entry per function, in the module's order. Where
/// the report has a `functions` region of the same (unique) name, its numbers
/// are used as they are.
pub fn join(module: &Module, file: &FileEntry) -> Vec<FunctionCoverage> {
    let mut joined = join_lines(module, file);
    if let Some(regions) = &file.functions {
        for entry in joined.iter_mut() {
            let unique = module.functions.iter().filter(|f| f.qualname == entry.qualname).count() <= 1;
            if let (true, Some(region)) = (unique, regions.get(&entry.qualname)) {
                *entry = from_region(entry.qualname.clone(), entry.function, region, module);
            }
        }
    }
    joined
}

/// The join computed from lines alone, ignoring any regions in the report.
pub fn join_lines(module: &Module, file: &FileEntry) -> Vec<FunctionCoverage> {
    let max_line = [&file.executed_lines, &file.missing_lines, &file.excluded_lines]
        .iter()
        .filter_map(|lines| lines.iter().max())
        .copied()
        .max()
        .unwrap_or(0)
        .max(module.line_count) as usize;
    // owner[line] = 0 for module level, i + 1 for module.functions[i], over
    // the functions coverage.py makes regions for. `extra[line]` names a
    // function it does not (a def under `else:`), which also gets the line:
    // its numbers are shown, and its enclosing function's stay coverage.py's.
    let mut owner = vec![0u32; max_line + 2];
    let mut extra = vec![0u32; max_line + 2];
    let mut docstring = vec![false; max_line + 2];
    // Functions are in source order, so a nested function comes after (and
    // overwrites) the function around it.
    for (i, f) in module.functions.iter().enumerate() {
        let end = (f.body.end as usize).min(max_line + 1);
        let map = if f.coverage_region { &mut owner } else { &mut extra };
        for slot in map.iter_mut().take(end + 1).skip(f.body.start as usize) {
            *slot = i as u32 + 1;
        }
    }
    for range in &module.docstring_lines {
        let end = (range.end as usize).min(max_line + 1);
        for slot in docstring.iter_mut().take(end + 1).skip(range.start as usize) {
            *slot = true;
        }
    }
    let mut out: Vec<FunctionCoverage> = std::iter::once((String::new(), None))
        .chain(
            module
                .functions
                .iter()
                .enumerate()
                .map(|(i, f)| (f.qualname.clone(), Some(i))),
        )
        .map(|(qualname, function)| FunctionCoverage {
            qualname,
            function,
            statements: Vec::new(),
            missing: Vec::new(),
            excluded: Vec::new(),
            executed_branches: Vec::new(),
            missing_branches: Vec::new(),
            summary: Summary::default(),
            from_report: false,
        })
        .collect();
    // The entries a line counts for: its region, and maybe a function
    // coverage.py folds into that region.
    let slots = |line: u32| {
        let region = owner.get(line as usize).copied().unwrap_or(0) as usize;
        let folded = extra.get(line as usize).copied().unwrap_or(0) as usize;
        std::iter::once(region).chain((folded != 0).then_some(folded))
    };
    let mut excluded = file.excluded_lines.clone();
    excluded.sort_unstable();
    for &line in &file.excluded_lines {
        for i in slots(line) {
            out[i].excluded.push(line);
        }
    }
    for &line in &file.executed_lines {
        let is_docstring = docstring.get(line as usize).copied().unwrap_or(false);
        if !is_docstring && excluded.binary_search(&line).is_err() {
            for i in slots(line) {
                out[i].statements.push(line);
            }
        }
    }
    for &line in &file.missing_lines {
        for i in slots(line) {
            out[i].statements.push(line);
            out[i].missing.push(line);
        }
    }
    for &arc in &file.executed_branches {
        for i in slots(arc.0.unsigned_abs()) {
            out[i].executed_branches.push(arc);
        }
    }
    for &arc in &file.missing_branches {
        for i in slots(arc.0.unsigned_abs()) {
            out[i].missing_branches.push(arc);
        }
    }
    for entry in &mut out {
        entry.statements.sort_unstable();
        entry.statements.dedup();
        entry.missing.sort_unstable();
        entry.excluded.sort_unstable();
        entry.summary = summarize(
            entry.statements.len(),
            &entry.missing,
            entry.excluded.len(),
            &entry.executed_branches,
            &entry.missing_branches,
        );
    }
    out
}

fn summarize(statements: usize, missing: &[u32], excluded: usize, executed: &[Arc], missed: &[Arc]) -> Summary {
    // coverage.py counts the missing arcs that leave a line that ran.
    let partial = missed
        .iter()
        .filter(|arc| missing.binary_search(&arc.0.unsigned_abs()).is_err())
        .count();
    let mut summary = Summary {
        covered_lines: (statements - missing.len()) as u64,
        num_statements: statements as u64,
        percent_covered: 0.0,
        missing_lines: missing.len() as u64,
        excluded_lines: excluded as u64,
        num_branches: (executed.len() + missed.len()) as u64,
        num_partial_branches: partial as u64,
        covered_branches: executed.len() as u64,
        missing_branches: missed.len() as u64,
    };
    summary.percent_covered = summary.percent();
    summary
}

fn from_region(qualname: String, function: Option<usize>, region: &Region, module: &Module) -> FunctionCoverage {
    let in_docstring = |line: u32| module.docstring_lines.iter().any(|r| r.contains(line));
    let mut missing = region.missing_lines.clone();
    missing.sort_unstable();
    let mut statements: Vec<u32> = region
        .executed_lines
        .iter()
        .copied()
        .filter(|l| !region.excluded_lines.contains(l) && !in_docstring(*l))
        .chain(missing.iter().copied())
        .collect();
    statements.sort_unstable();
    statements.dedup();
    let mut summary = region.summary;
    summary.percent_covered = summary.percent();
    FunctionCoverage {
        qualname,
        function,
        statements,
        missing,
        excluded: region.excluded_lines.clone(),
        executed_branches: region.executed_branches.clone(),
        missing_branches: region.missing_branches.clone(),
        summary,
        from_report: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_skip_non_statement_lines() {
        let statements = [2, 3, 5, 8, 9, 12];
        assert_eq!(line_ranges(&statements, &[3, 5, 8, 12]), [(3, 8), (12, 12)]);
        assert_eq!(line_ranges(&statements, &[]), []);
    }
}
