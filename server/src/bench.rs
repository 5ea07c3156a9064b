//! In-process measurements behind the hidden `testgap bench` command, used
//! by `bench/run` to compare testgap with baselines measured in the same run.

use crate::python;
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Seconds to parse `path` into an untyped `serde_json::Value`.
pub fn value_parse(path: &Path) -> anyhow::Result<f64> {
    let start = Instant::now();
    let bytes = std::fs::read(path)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)?;
    let seconds = start.elapsed().as_secs_f64();
    drop(value);
    Ok(seconds)
}

/// Seconds to load `path` as a coverage report, and how many files it has.
pub fn load(root: &Path, path: &Path) -> anyhow::Result<(f64, usize)> {
    let start = Instant::now();
    let report = crate::coverage::load_report(root, path)?;
    Ok((start.elapsed().as_secs_f64(), report.files.len()))
}

/// What analysing a directory of Python files found.
#[derive(Debug, Default, Serialize)]
pub struct AnalyzeStats {
    pub seconds: f64,
    pub files: usize,
    pub bytes: u64,
    pub functions: usize,
    pub classes: usize,
    pub syntax_errors: usize,
}

/// Analyses every `.py` file under `dir` in parallel.
pub fn analyze_dir(dir: &Path) -> AnalyzeStats {
    let start = Instant::now();
    let files = python_files(dir);
    let per_file: Vec<(u64, usize, usize, bool)> = files
        .par_iter()
        .map_init(python::parser, |parser, path| {
            let Ok(src) = std::fs::read(path) else {
                return (0, 0, 0, false);
            };
            match python::analyze(parser, &src) {
                Ok(m) => (
                    src.len() as u64,
                    m.functions.len(),
                    m.classes.len(),
                    !m.syntax_errors.is_empty(),
                ),
                Err(_) => (src.len() as u64, 0, 0, true),
            }
        })
        .collect();
    let mut stats = AnalyzeStats {
        files: files.len(),
        ..AnalyzeStats::default()
    };
    for (bytes, functions, classes, error) in per_file {
        stats.bytes += bytes;
        stats.functions += functions;
        stats.classes += classes;
        stats.syntax_errors += usize::from(error);
    }
    stats.seconds = start.elapsed().as_secs_f64();
    stats
}

/// Every `.py` file below `dir`, not following symbolic links, sorted.
pub fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "py") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
