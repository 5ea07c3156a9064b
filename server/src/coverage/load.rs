//! Finding and loading coverage.json, with errors a user can act on.

use super::check::EntryCheck;
use super::model::{Meta, Summary, SUPPORTED_FORMATS};
use super::paths::map_to_workspace;
use super::{config, CoverageReport, FileCoverage, HOW_TO_MAKE_REPORT};
use crate::warning::{Warning, WarningKind};
use rayon::prelude::*;
use serde_json::error::Category;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Why no report could be loaded. Each renders as one sentence naming the file.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    #[error("no coverage data found: looked for {looked}. Make it with `{HOW_TO_MAKE_REPORT}` in the project root")]
    NotFound { looked: String },
    #[error("cannot read {}: {source}", .path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("{} is empty; make it again with `{HOW_TO_MAKE_REPORT}`", .path.display())]
    Empty { path: PathBuf },
    #[error("{} ends early at line {line} column {column}: the file is truncated; make it again with `{HOW_TO_MAKE_REPORT}`", .path.display())]
    Truncated { path: PathBuf, line: usize, column: usize },
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

/// The top level of a report, with each file's entry left as raw JSON.
#[derive(serde::Deserialize)]
struct Skeleton<'a> {
    meta: Meta,
    #[serde(borrow)]
    files: BTreeMap<String, &'a RawValue>,
    #[serde(default)]
    totals: Option<Summary>,
}

/// Reads and checks the report at `path`, keeping the files inside `root`.
/// `root` must be absolute and normalized.
pub fn load_report(root: &Path, path: &Path) -> Result<CoverageReport, CoverageError> {
    let bytes = std::fs::read(path).map_err(|source| CoverageError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CoverageError::Empty {
            path: path.to_path_buf(),
        });
    }
    let skeleton: Skeleton = serde_json::from_slice(&bytes).map_err(|err| explain(path, &bytes, err))?;
    check_format(path, u64::from(skeleton.meta.format))?;
    let report_dir = report_dir(root, path);
    let base = bytes.as_ptr() as usize;
    let entries: Vec<(&String, std::ops::Range<usize>)> = skeleton
        .files
        .iter()
        .map(|(key, raw)| {
            let start = raw.get().as_ptr() as usize - base;
            (key, start..start + raw.get().len())
        })
        .collect();
    // Check every entry and read its summary, on every core.
    let checked: Vec<Result<Summary, serde_json::Error>> = entries
        .par_iter()
        .map(|(_, range)| EntryCheck::summary_of(&bytes[range.clone()]))
        .collect();
    let mut warnings = Vec::new();
    let mut files = Vec::with_capacity(entries.len());
    let mut summed = Summary::default();
    for ((key, range), summary) in entries.into_iter().zip(checked) {
        let summary = summary.map_err(|err| {
            let at = FileCoverage {
                report_key: key.clone(),
                path: PathBuf::new(),
                rel: String::new(),
                summary: Summary::default(),
                range: range.clone(),
            };
            entry_error(path, &bytes, &at, err)
        })?;
        summed.add(&summary);
        match map_to_workspace(root, &report_dir, key) {
            Some((abs, rel)) => files.push(FileCoverage {
                report_key: key.clone(),
                path: abs,
                rel,
                summary,
                range,
            }),
            None => warnings.push(Warning::new(
                WarningKind::OutsideRoot,
                key.clone(),
                "is outside the workspace root; skipped",
            )),
        }
    }
    let meta = skeleton.meta.clone();
    let totals = skeleton.totals.unwrap_or(summed);
    drop(skeleton);
    let by_rel: HashMap<String, usize> = files.iter().enumerate().map(|(i, f)| (f.rel.clone(), i)).collect();
    let recorded_at = recorded_at(&meta.timestamp, path);
    Ok(CoverageReport {
        path: path.to_path_buf(),
        meta,
        files,
        totals,
        warnings,
        recorded_at,
        bytes,
        by_rel,
    })
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

/// The absolute directory holding the report.
fn report_dir(root: &Path, path: &Path) -> PathBuf {
    path.parent()
        .and_then(|p| std::path::absolute(p).ok())
        .and_then(|p| super::normalize(&p))
        .unwrap_or_else(|| root.to_path_buf())
}

/// Turns a failure to read the report's top level into the most useful
/// message: a format we do not read beats a shape error, and shape errors
/// name where in the document they are.
fn explain(path: &Path, bytes: &[u8], err: serde_json::Error) -> CoverageError {
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
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let detail = match serde_path_to_error::deserialize::<_, Skeleton>(&mut de) {
                Err(e) if !matches!(e.path().to_string().as_str(), "" | ".") => {
                    format!("{}: {}", e.path(), strip_location(e.inner()))
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

/// A file entry that does not have the expected shape, located in the whole
/// report and named by its JSON path (`files.pkg/a.py.executed_lines`).
pub(super) fn entry_error(path: &Path, bytes: &[u8], file: &FileCoverage, err: serde_json::Error) -> CoverageError {
    let raw = &bytes[file.range.clone()];
    let before = &bytes[..file.range.start];
    let start_line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start_column = before.len() - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let line = start_line + err.line().saturating_sub(1);
    let column = if err.line() <= 1 {
        start_column + err.column()
    } else {
        err.column()
    };
    let mut de = serde_json::Deserializer::from_slice(raw);
    let inner = match serde_path_to_error::deserialize::<_, EntryCheck>(&mut de) {
        Err(e) if !matches!(e.path().to_string().as_str(), "" | ".") => format!(".{}", e.path()),
        _ => String::new(),
    };
    let detail = format!("files.{}{inner}: {}", file.report_key, strip_location(&err));
    CoverageError::Shape {
        path: path.to_path_buf(),
        line,
        column,
        detail,
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
fn recorded_at(timestamp: &str, path: &Path) -> Option<SystemTime> {
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
        let file =
            format!(r#""executed_lines": [1], "missing_lines": [2], "excluded_lines": [], "summary": {SUMMARY}"#);
        let text = report(&format!(
            r#""pkg/a.py": {{{file}}}, "../b.py": {{{file}}}, "/etc/c.py": {{{file}}}"#
        ));
        let loaded = load_text(&text).unwrap();
        let rels: Vec<_> = loaded.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["pkg/a.py"]);
        let skipped: Vec<_> = loaded.warnings.iter().map(|w| (w.kind, w.path.as_str())).collect();
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
        assert!(m.contains("format 1"), "an old format is named before its shape: {m}");
        let m = message("[1, 2]");
        assert!(m.contains("not a coverage.py JSON report"), "{m}");
    }

    #[test]
    fn entry_errors_point_into_the_whole_file() {
        let text = report(&format!(
            "\n\"good.py\": {{\"summary\": {SUMMARY}}},\n  \"bad.py\": {{\"summary\": {SUMMARY}, \"missing_branches\": [[1, \"x\"]]}}"
        ));
        let m = message(&text);
        assert!(m.contains("line 3 column"), "{m}");
        assert!(m.contains("files.bad.py.missing_branches"), "{m}");
    }

    #[test]
    fn finds_the_configured_output() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_report(dir.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(HOW_TO_MAKE_REPORT), "{err}");
        std::fs::write(dir.path().join(".coveragerc"), "[json]\noutput = build/c.json\n").unwrap();
        let err = find_report(dir.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("build/c.json (the [json] output setting in"), "{err}");
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
