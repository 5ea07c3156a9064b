//! Repairing failing tests: run pytest for node ids with testgap's plugin
//! ([`run`]), read each failure ([`failure`]), name its root cause
//! ([`classify`]), make the smallest edit to the test ([`fixers`]), and
//! prove it by re-running on the candidate text, never on the user's files
//! ([`attempt`]).
//!
//! Edits only ever touch the failing test's own module and `conftest.py`
//! files, and never weaken a test ([`guard`]): no assertion is removed or
//! loosened, nothing is skipped, no exception is swallowed.

pub mod attempt;
pub mod classify;
pub mod failure;
pub mod fixers;
pub mod git;
pub mod guard;
pub mod literal;
pub mod names;
pub mod report;
pub mod run;
pub mod select;
pub mod source;
pub mod workspace;

pub use attempt::{fix_tests, FixConfig};
pub use classify::{classify, Category, Diagnosis};
pub use report::{FixReport, TestOutcome, TestResult};

use std::borrow::Cow;
use std::path::Path;

/// Why `testgap fix` could not do its job at all.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// Bad input: a missing file, an unreadable report, no tests to fix.
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Io(String),
    /// pytest could not run or stopped before reporting anything.
    #[error("{0}")]
    Pytest(String),
    #[error(transparent)]
    Python(#[from] crate::pyenv::PyEnvError),
}

/// The text of files as the current candidate sees them: the candidate's
/// text where there is one, else the file on disk.
pub struct Texts<'a> {
    overrides: &'a run::Overrides,
}

impl<'a> Texts<'a> {
    pub fn new(overrides: &'a run::Overrides) -> Texts<'a> {
        Texts { overrides }
    }

    pub fn get(&self, path: &Path) -> Option<Cow<'a, str>> {
        match self.overrides.get(path) {
            Some(text) => Some(Cow::Borrowed(text.as_str())),
            None => std::fs::read_to_string(path).ok().map(Cow::Owned),
        }
    }

    /// 1-based line `line` of `path`, without its line ending.
    pub fn line(&self, path: &Path, line: u32) -> Option<String> {
        let text = self.get(path)?;
        let found = text.lines().nth(line.checked_sub(1)? as usize)?;
        Some(found.trim_end_matches('\r').to_string())
    }
}
