//! The parts of coverage.py's configuration testgap honours: where
//! `coverage json` writes its report, and the report precision.
//!
//! coverage.py reads `.coveragerc` (sections `[json]`, `[report]`), else
//! `setup.cfg` / `tox.ini` (sections `[coverage:json]`, `[coverage:report]`),
//! else `pyproject.toml` (`[tool.coverage.json]`, `[tool.coverage.report]`).

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
        let ini = parse_ini(&text);
        let get = |section: &str, key: &str| {
            let section = format!("{prefix}{section}");
            ini.iter()
                .find(|(s, k, _)| *s == section && k == key)
                .map(|(_, _, v)| v.clone())
        };
        let has_coverage_section = ini.iter().any(|(s, _, _)| prefix.is_empty() || s.starts_with(prefix));
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

/// A minimal INI reader in the dialect of Python's configparser: `[section]`,
/// `key = value` or `key: value`, `#`/`;` comments, indented continuation
/// lines. Returns (section, key, value) triples.
fn parse_ini(text: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                if !last.2.is_empty() {
                    last.2.push('\n');
                }
                last.2.push_str(trimmed);
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        if let Some(at) = trimmed.find(['=', ':']) {
            let key = trimmed[..at].trim().to_lowercase();
            let value = trimmed[at + 1..].trim().to_string();
            out.push((section.clone(), key, value));
        }
    }
    out
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
