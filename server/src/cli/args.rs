//! Argument types every subcommand shares: a percentage and the project root.

use std::fmt;
use std::path::{Path, PathBuf};

/// A percentage given on the command line: `50`, `50%` or `12.5`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Percent(f64);

impl Percent {
    /// `--threshold`'s default.
    pub const DEFAULT_THRESHOLD: Percent = Percent(50.0);

    /// The number, in percent.
    pub fn get(self) -> f64 {
        self.0
    }

    /// clap's value parser for a percentage proper, from 0 to 100
    /// (`--fail-under`: coverage.py refuses anything else).
    pub fn parse(text: &str) -> Result<Percent, String> {
        match Self::number(text) {
            Some(v) if v <= 100.0 => Ok(Percent(v)),
            _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
        }
    }

    /// clap's value parser for `--threshold`, the same for every
    /// subcommand: modules *below* it are taken, so any number from 0 up
    /// makes sense and `101` takes every module, fully covered ones too.
    pub fn parse_threshold(text: &str) -> Result<Percent, String> {
        Self::number(text)
            .map(Percent)
            .ok_or_else(|| format!("`{text}` is not a threshold: a percentage from 0 up (101 takes every module)"))
    }

    fn number(text: &str) -> Option<f64> {
        let value = text.trim_end_matches('%').parse::<f64>().ok()?;
        (value.is_finite() && value >= 0.0).then_some(value)
    }
}

/// As the number alone: `--help` shows `[default: 50]`.
impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The project root given with `--root`: an existing directory, absolute.
///
/// Not a clap value parser, so that a bad root reads `testgap: --root …`
/// like every other input error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root(PathBuf);

impl Root {
    /// The root as given, made absolute with `.` and `..` removed but
    /// symbolic links kept, so coverage.json's paths written through them
    /// still fall inside it (audit, generate, bench).
    pub fn absolute(given: &Path) -> Result<Root, String> {
        Self::require_dir(given)?;
        std::path::absolute(given)
            .ok()
            .and_then(|p| testgap::coverage::normalize(&p))
            .map(Root)
            .ok_or_else(|| format!("cannot resolve --root {}", given.display()))
    }

    /// The root with symbolic links resolved: the directory pytest reports
    /// paths against (fix).
    pub fn canonical(given: &Path) -> Result<Root, String> {
        Self::require_dir(given)?;
        given
            .canonicalize()
            .map(Root)
            .map_err(|e| format!("cannot resolve --root {}: {e}", given.display()))
    }

    fn require_dir(given: &Path) -> Result<(), String> {
        if given.is_dir() {
            Ok(())
        } else {
            Err(format!("--root {} is not a directory", given.display()))
        }
    }

    /// The resolved path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(Percent::parse("50").map(Percent::get), Ok(50.0));
        assert_eq!(Percent::parse("12.5%").map(Percent::get), Ok(12.5));
        assert_eq!(Percent::parse("100").map(Percent::get), Ok(100.0));
        for bad in ["150", "-1", "abc", "NaN", "inf", ""] {
            assert_eq!(
                Percent::parse(bad),
                Err(format!("`{bad}` is not a percentage from 0 to 100"))
            );
        }
    }

    #[test]
    fn thresholds_go_above_100() {
        assert_eq!(Percent::parse_threshold("101").map(Percent::get), Ok(101.0));
        assert_eq!(Percent::parse_threshold("0%").map(Percent::get), Ok(0.0));
        assert!(Percent::parse_threshold("-1").is_err());
        assert!(Percent::parse_threshold("abc").unwrap_err().contains("`abc`"));
        assert_eq!(Percent::parse_threshold("50").unwrap().to_string(), "50");
    }

    #[test]
    fn roots() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a");
        std::fs::create_dir(&nested).unwrap();
        let dotted = nested.join("..").join("a");
        let absolute = Root::absolute(&dotted).unwrap();
        assert!(absolute.path().is_absolute());
        assert!(absolute.path().ends_with("a"));
        assert!(!absolute.path().to_string_lossy().contains(".."));
        let canonical = Root::canonical(&dotted).unwrap();
        assert_eq!(canonical.path(), nested.canonicalize().unwrap());
        let missing = dir.path().join("missing");
        let expected = format!("--root {} is not a directory", missing.display());
        assert_eq!(Root::absolute(&missing), Err(expected.clone()));
        assert_eq!(Root::canonical(&missing), Err(expected));
    }
}
