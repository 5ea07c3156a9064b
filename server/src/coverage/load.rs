//! Finding and loading coverage.json, with errors a user can act on.

use super::model::{RawReport, Summary, SUPPORTED_FORMATS};
use super::paths::map_to_workspace;
use super::{config, CoverageReport, FileCoverage, HOW_TO_MAKE_REPORT};
use crate::warning::{Warning, WarningKind};
use serde_json::error::Category;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Why no report could be loaded. Each renders as one sentence naming the file.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    #[error("no coverage data found: looked for {looked}. Make it with `{HOW_TO_MAKE_REPORT}` in the project root")]
    NotFound { looked: String },
    #[error("cannot read {}: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is empty; make it again with `{HOW_TO_MAKE_REPORT}`", .path.display())]
    Empty { path: PathBuf },
    #[error("{} ends early at line {line} column {column}: the file is truncated; make it again with `{HOW_TO_MAKE_REPORT}`", .path.display())]
    Truncated {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("{} is not valid JSON: line {line} column {column}: {detail}", .path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("{} is not a coverage.py JSON report: line {line} column {column}: {detail}", .path.display())]
    Shape {
        path: PathBuf,
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("{} is a coverage.py report in format {format}, which testgap cannot read (it reads formats 2 and 3, written by coverage 7.x); make it again with coverage 7 and `coverage json`", .path.display())]
    UnsupportedFormat { path: PathBuf, format: u64 },
}

/// How to load a report.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// An explicit report path (`--coverage`), relative to the current directory.
    pub explicit: Option<PathBuf>,
}

/// Finds the report for the project at `root`: the explicit path, else
/// `coverage.json` at the root, else the `[json] output` setting of the
/// project's coverage configuration.
pub fn find_report(root: &Path, options: &LoadOptions) -> Result<PathBuf, CoverageError> {
    if let Some(explicit) = &options.explicit {
        return if explicit.is_file() {
            Ok(explicit.clone())
        } else {
            Err(CoverageError::NotFound {
                looked: format!("{} (given with --coverage)", explicit.display()),
            })
        };
    }
    let mut looked = Vec::new();
    let default = root.join("coverage.json");
    if default.is_file() {
        return Ok(default);
    }
    looked.push(default.display().to_string());
    let settings = config::read_settings(root);
    if let Some(output) = &settings.json_output {
        let configured = root.join(output);
        if configured.is_file() {
            return Ok(configured);
        }
        let from = settings
            .file
            .as_deref()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        looked.push(format!(
            "{} (the [json] output setting in {from})",
            configured.display()
        ));
    }
    Err(CoverageError::NotFound {
        looked: looked.join(" and "),
    })
}

/// Reads and parses the report at `path`, keeping the files inside `root`.
/// `root` must be absolute and normalized.
pub fn load_report(root: &Path, path: &Path) -> Result<CoverageReport, CoverageError> {
    let bytes = std::fs::read(path).map_err(|source| CoverageError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let raw = parse(path, &bytes)?;
    drop(bytes);
    let report_dir = report_dir(root, path);
    let mut warnings = Vec::new();
    let mut files = Vec::with_capacity(raw.files.len());
    let mut summed = Summary::default();
    for (key, data) in raw.files {
        summed.add(&data.summary);
        match map_to_workspace(root, &report_dir, &key) {
            Some((abs, rel)) => files.push(FileCoverage {
                report_key: key,
                path: abs,
                rel,
                data,
            }),
            None => warnings.push(Warning::new(
                WarningKind::OutsideRoot,
                key,
                "is outside the workspace root; skipped",
            )),
        }
    }
    let recorded_at = recorded_at(&raw.meta.timestamp, path);
    Ok(CoverageReport {
        path: path.to_path_buf(),
        meta: raw.meta,
        files,
        totals: raw.totals.unwrap_or(summed),
        warnings,
        recorded_at,
    })
}

/// The absolute directory holding the report.
pub(super) fn report_dir(root: &Path, path: &Path) -> PathBuf {
    path.parent()
        .and_then(|p| std::path::absolute(p).ok())
        .and_then(|p| super::normalize(&p))
        .unwrap_or_else(|| root.to_path_buf())
}

fn parse(path: &Path, bytes: &[u8]) -> Result<RawReport, CoverageError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CoverageError::Empty {
            path: path.to_path_buf(),
        });
    }
    match serde_json::from_slice::<RawReport>(bytes) {
        Ok(raw) => {
            check_format(path, raw.meta.format as u64)?;
            Ok(raw)
        }
        Err(err) => Err(explain(path, bytes, err)),
    }
}

fn check_format(path: &Path, format: u64) -> Result<(), CoverageError> {
    if SUPPORTED_FORMATS.iter().any(|&f| u64::from(f) == format) {
        Ok(())
    } else {
        Err(CoverageError::UnsupportedFormat {
            path: path.to_path_buf(),
            format,
        })
    }
}

/// Turns a parse failure into the most useful message: a format we do not
/// read beats a shape error, and shape errors name the JSON path.
pub(super) fn explain(path: &Path, bytes: &[u8], err: serde_json::Error) -> CoverageError {
    let (line, column) = (err.line(), err.column());
    let path = path.to_path_buf();
    match err.classify() {
        Category::Eof => CoverageError::Truncated { path, line, column },
        Category::Syntax | Category::Io => CoverageError::Syntax {
            path,
            line,
            column,
            detail: strip_location(&err),
        },
        Category::Data => {
            #[derive(serde::Deserialize)]
            struct JustFormat {
                meta: JustMeta,
            }
            #[derive(serde::Deserialize)]
            struct JustMeta {
                format: u64,
            }
            if let Ok(only) = serde_json::from_slice::<JustFormat>(bytes) {
                if let Err(unsupported) = check_format(&path, only.meta.format) {
                    return unsupported;
                }
            }
            // Parse again, slowly, to name where in the document it went wrong.
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let detail = match serde_path_to_error::deserialize::<_, RawReport>(&mut de) {
                Err(with_path)
                    if !with_path.path().to_string().is_empty()
                        && with_path.path().to_string() != "." =>
                {
                    format!(
                        "{}: {}",
                        with_path.path(),
                        strip_location(with_path.inner())
                    )
                }
                _ => strip_location(&err),
            };
            CoverageError::Shape {
                path,
                line,
                column,
                detail,
            }
        }
    }
}

fn strip_location(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The later of the report's own timestamp (local time, as coverage.py
/// writes it) and the report file's modification time.
pub(super) fn recorded_at(timestamp: &str, path: &Path) -> Option<SystemTime> {
    use chrono::{Local, NaiveDateTime, TimeZone};
    let stamped = NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .and_then(|naive| Local.from_local_datetime(&naive).earliest())
        .map(SystemTime::from);
    let written = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (stamped, written) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<CoverageReport, CoverageError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coverage.json");
        std::fs::write(&path, text).unwrap();
        let root = crate::coverage::normalize(dir.path()).unwrap();
        load_report(&root, &path)
    }

    const SUMMARY: &str = r#"{"covered_lines": 1, "num_statements": 2, "percent_covered": 50.0, "missing_lines": 1, "excluded_lines": 0}"#;

    fn report(files: &str) -> String {
        format!(
            r#"{{"meta": {{"format": 3, "version": "7.13.0", "timestamp": "2026-01-01T00:00:00", "branch_coverage": false, "show_contexts": false}}, "files": {{{files}}}, "totals": {SUMMARY}}}"#
        )
    }

    fn message(text: &str) -> String {
        load_text(text).unwrap_err().to_string()
    }

    #[test]
    fn loads_files_and_skips_those_outside() {
        let file = format!(
            r#""executed_lines": [1], "missing_lines": [2], "excluded_lines": [], "summary": {SUMMARY}"#
        );
        let text = report(&format!(
            r#""pkg/a.py": {{{file}}}, "../b.py": {{{file}}}, "/etc/c.py": {{{file}}}"#
        ));
        let loaded = load_text(&text).unwrap();
        let rels: Vec<_> = loaded.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["pkg/a.py"]);
        let skipped: Vec<_> = loaded
            .warnings
            .iter()
            .map(|w| (w.kind, w.path.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (WarningKind::OutsideRoot, "../b.py"),
                (WarningKind::OutsideRoot, "/etc/c.py")
            ]
        );
        assert_eq!(loaded.totals.num_statements, 2);
    }

    #[test]
    fn bad_input_messages_name_the_problem() {
        assert!(message("").contains("is empty"));
        let truncated = report("");
        let m = message(&truncated[..truncated.len() / 2]);
        assert!(m.contains("ends early at line 1 column"), "{m}");
        let m = message("{\"meta\": nope}");
        assert!(m.contains("not valid JSON: line 1 column 11"), "{m}");
        let m = message(&report(r#""a.py": {"executed_lines": "x", "summary": {}}"#));
        assert!(m.contains("not a coverage.py JSON report"), "{m}");
        assert!(
            m.contains("files.a.py.executed_lines: invalid type: string \"x\""),
            "{m}"
        );
        let m = message(&report("").replace("\"format\": 3", "\"format\": 99"));
        assert!(m.contains("format 99"), "{m}");
        let m = message(r#"{"meta": {"format": 1}, "files": {"a.py": [1, 2]}}"#);
        assert!(
            m.contains("format 1"),
            "an old format is named before its shape: {m}"
        );
        let m = message("[1, 2]");
        assert!(m.contains("not a coverage.py JSON report"), "{m}");
    }

    #[test]
    fn finds_the_configured_output() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_report(dir.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(HOW_TO_MAKE_REPORT), "{err}");
        std::fs::write(
            dir.path().join(".coveragerc"),
            "[json]\noutput = build/c.json\n",
        )
        .unwrap();
        let err = find_report(dir.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("build/c.json (the [json] output setting in"),
            "{err}"
        );
        std::fs::create_dir(dir.path().join("build")).unwrap();
        std::fs::write(dir.path().join("build/c.json"), "{}").unwrap();
        assert_eq!(
            find_report(dir.path(), &LoadOptions::default()).unwrap(),
            dir.path().join("build/c.json")
        );
        std::fs::write(dir.path().join("coverage.json"), "{}").unwrap();
        assert_eq!(
            find_report(dir.path(), &LoadOptions::default()).unwrap(),
            dir.path().join("coverage.json")
        );
    }
}
