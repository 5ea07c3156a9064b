//! The parts of coverage.py's configuration testgap honours: where
//! `coverage json` writes its report, and the report precision.
//!
//! coverage.py reads `.coveragerc` (sections `[json]`, `[report]`), else
//! `setup.cfg` / `tox.ini` (sections `[coverage:json]`, `[coverage:report]`),
//! else `pyproject.toml` (`[tool.coverage.json]`, `[tool.coverage.report]`).

use crate::pyenv::ini::Ini;
use std::path::{Path, PathBuf};

/// Settings read from the project's coverage configuration.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CoverageSettings {
    /// `[json] output`, relative to the project root.
    pub json_output: Option<String>,
    /// `[report] precision`: decimals in printed percentages.
    pub precision: Option<usize>,
    /// The file the settings came from.
    pub file: Option<PathBuf>,
}

/// Reads the coverage settings of the project at `root`. Unreadable or
/// malformed files are skipped: coverage.py itself will complain about them.
pub fn read_settings(root: &Path) -> CoverageSettings {
    let ini_files = [
        (".coveragerc", ""),
        ("setup.cfg", "coverage:"),
        ("tox.ini", "coverage:"),
    ];
    for (name, prefix) in ini_files {
        let path = root.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let ini = Ini::parse(&text);
        // configparser folds a key's case, so `Output` counts as `output`.
        let get = |section: &str, key: &str| {
            let section = format!("{prefix}{section}");
            ini.entries
                .iter()
                .find(|e| e.section == section && e.key.to_lowercase() == key)
                .map(|e| e.value.clone())
        };
        let has_coverage_section = ini
            .entries
            .iter()
            .any(|e| prefix.is_empty() || e.section.starts_with(prefix));
        if !has_coverage_section && name != ".coveragerc" {
            continue;
        }
        return CoverageSettings {
            json_output: get("json", "output"),
            precision: get("report", "precision").and_then(|p| p.parse().ok()),
            file: Some(path),
        };
    }
    let path = root.join("pyproject.toml");
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(doc) = text.parse::<toml::Table>() {
            let coverage = doc.get("tool").and_then(|t| t.get("coverage"));
            if let Some(coverage) = coverage {
                return CoverageSettings {
                    json_output: coverage
                        .get("json")
                        .and_then(|j| j.get("output"))
                        .and_then(|o| o.as_str())
                        .map(str::to_string),
                    precision: coverage
                        .get("report")
                        .and_then(|r| r.get("precision"))
                        .and_then(|p| p.as_integer())
                        .and_then(|p| usize::try_from(p).ok()),
                    file: Some(path),
                };
            }
        }
    }
    CoverageSettings::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(files: &[(&str, &str)]) -> CoverageSettings {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let mut s = read_settings(dir.path());
        s.file = s.file.map(|f| PathBuf::from(f.file_name().unwrap()));
        s
    }

    #[test]
    fn coveragerc_json_output_and_precision() {
        let s = settings(&[(
            ".coveragerc",
            "[run]\nbranch = True\n\n[json]\noutput = build/cov.json\n[report]\nprecision: 2\n",
        )]);
        assert_eq!(s.json_output.as_deref(), Some("build/cov.json"));
        assert_eq!(s.precision, Some(2));
        assert_eq!(s.file, Some(PathBuf::from(".coveragerc")));
    }

    #[test]
    fn setup_cfg_needs_the_coverage_prefix() {
        let s = settings(&[("setup.cfg", "[metadata]\nname = x\n[coverage:json]\noutput = c.json\n")]);
        assert_eq!(s.json_output.as_deref(), Some("c.json"));
        let s = settings(&[
            ("setup.cfg", "[metadata]\nname = x\n"),
            ("tox.ini", "[coverage:report]\nprecision = 1\n"),
        ]);
        assert_eq!((s.json_output, s.precision), (None, Some(1)));
    }

    #[test]
    fn pyproject_tool_coverage() {
        let s = settings(&[(
            "pyproject.toml",
            "[project]\nname='x'\n[tool.coverage.json]\noutput = \"reports/cov.json\"\n",
        )]);
        assert_eq!(s.json_output.as_deref(), Some("reports/cov.json"));
        assert_eq!(
            settings(&[("pyproject.toml", "not toml [")]),
            CoverageSettings::default()
        );
    }
}
