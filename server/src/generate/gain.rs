//! Coverage of a function before and after the generated tests: the project's
//! report, and that report joined with what the new tests reach.

use crate::coverage::join::{join_lines, FunctionCoverage};
use crate::coverage::model::{Arc, FileEntry};
use crate::python::Module;
use serde::Serialize;
use std::collections::BTreeSet;

/// Lines and branches of one function, covered out of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Numbers {
    pub lines_covered: usize,
    pub lines_total: usize,
    pub branches_covered: usize,
    pub branches_total: usize,
}

impl Numbers {
    pub fn line_percent(&self) -> f64 {
        crate::coverage::percent(self.lines_covered as u64, self.lines_total as u64)
    }

    pub fn branch_percent(&self) -> f64 {
        crate::coverage::percent(self.branches_covered as u64, self.branches_total as u64)
    }

    /// Adds another function's numbers (for module totals).
    pub fn add(&mut self, other: &Numbers) {
        self.lines_covered += other.lines_covered;
        self.lines_total += other.lines_total;
        self.branches_covered += other.branches_covered;
        self.branches_total += other.branches_total;
    }
}

fn of(fc: &FunctionCoverage) -> Numbers {
    Numbers {
        lines_covered: fc.statements.len() - fc.missing.len(),
        lines_total: fc.statements.len(),
        branches_covered: fc.executed_branches.len(),
        branches_total: fc.executed_branches.len() + fc.missing_branches.len(),
    }
}

/// Per-function numbers of one file's entry, by function index.
pub struct Joined(Vec<FunctionCoverage>);

impl Joined {
    pub fn new(module: &Module, entry: &FileEntry) -> Joined {
        Joined(join_lines(module, entry))
    }

    fn function(&self, index: usize) -> Option<&FunctionCoverage> {
        self.0.iter().find(|fc| fc.function == Some(index))
    }

    /// The numbers of `module.functions[index]`.
    pub fn numbers(&self, index: usize) -> Option<Numbers> {
        self.function(index).map(of)
    }
}

/// What the project's own tests and the new tests reach together: lines and
/// branches are those of `new` (the current source); covered is what either
/// run executed.
pub fn combined(new: &Joined, old: Option<&Joined>, index: usize) -> Option<Numbers> {
    let fresh = new.function(index)?;
    let statements: BTreeSet<u32> = fresh.statements.iter().copied().collect();
    let mut executed: BTreeSet<u32> = statements.clone();
    for line in &fresh.missing {
        executed.remove(line);
    }
    let branches: BTreeSet<Arc> = fresh
        .executed_branches
        .iter()
        .chain(&fresh.missing_branches)
        .copied()
        .collect();
    let mut taken: BTreeSet<Arc> = fresh.executed_branches.iter().copied().collect();
    if let Some(before) = old.and_then(|o| o.function(index)) {
        let missing: BTreeSet<u32> = before.missing.iter().copied().collect();
        executed.extend(
            before
                .statements
                .iter()
                .filter(|l| !missing.contains(l) && statements.contains(l)),
        );
        taken.extend(before.executed_branches.iter().filter(|b| branches.contains(b)));
    }
    Some(Numbers {
        lines_covered: executed.len(),
        lines_total: statements.len(),
        branches_covered: taken.len(),
        branches_total: branches.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python;

    fn entry(executed: &[u32], missing: &[u32], taken: &[Arc], missed: &[Arc]) -> FileEntry {
        let json = serde_json::json!({
            "executed_lines": executed,
            "missing_lines": missing,
            "executed_branches": taken,
            "missing_branches": missed,
            "summary": {"covered_lines": 0, "num_statements": 0, "missing_lines": 0},
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn union_of_old_and_new_runs() {
        let src = "def f(x):\n    if x:\n        return 1\n    return 2\n";
        let module = python::analyze(&mut python::parser(), src.as_bytes()).unwrap();
        let old = Joined::new(&module, &entry(&[1, 2, 3], &[4], &[(2, 3)], &[(2, 4)]));
        let new = Joined::new(&module, &entry(&[1, 2, 4], &[3], &[(2, 4)], &[(2, 3)]));
        assert_eq!(
            old.numbers(0),
            Some(Numbers {
                lines_covered: 2,
                lines_total: 3,
                branches_covered: 1,
                branches_total: 2
            })
        );
        let both = combined(&new, Some(&old), 0).unwrap();
        assert_eq!((both.lines_covered, both.branches_covered), (3, 2));
        let alone = combined(&new, None, 0).unwrap();
        assert_eq!((alone.lines_covered, alone.branches_covered), (2, 1));
    }
}
