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

/// Timings of keeping one document up to date: what a keystroke costs.
#[derive(Debug, Default, Serialize)]
pub struct EditStats {
    pub lines: usize,
    pub edits: usize,
    /// What the server does per keystroke: apply the edit, then shift the
    /// outline or (for edits that may change definitions) re-parse.
    pub keystroke_p50_ms: f64,
    pub keystroke_p99_ms: f64,
    /// Edits whose top-level statements were parsed alone, and edits that
    /// needed the whole file parsed at once.
    pub reoutlined_edits: usize,
    pub parsed_edits: usize,
    /// Re-parsing with the old tree plus the outline, forced after every edit.
    pub incremental_parse_p50_ms: f64,
    pub incremental_parse_p99_ms: f64,
    /// Parsing the same text without the old tree.
    pub full_parse_p50_ms: f64,
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or(0.0) * 1000.0
}

/// Applies `edits` keystroke-like edits to `path`'s text through
/// [`crate::lsp::document::Document`] and times what each costs the server,
/// re-parsing with the old tree, and parsing without it.
pub fn edits(path: &Path, edits: usize) -> anyhow::Result<EditStats> {
    use crate::lsp::document::Update;
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};
    let text = std::fs::read_to_string(path)?;
    let mut doc = crate::lsp::document::Document::new(&text, 0);
    let lines = doc.rope.len_lines();
    let mut parser = python::parser();
    let (mut full, mut incremental, mut keystroke) = (Vec::new(), Vec::new(), Vec::new());
    let (mut reoutlined, mut parsed) = (0, 0);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for version in 1..=edits {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let line = (seed % (lines as u64 - 1)) as u32;
        // Keystrokes as people type them: a character at the end of a line,
        // or a new line with the indentation of the line it goes before.
        let current = doc.rope.line(line as usize).to_string();
        let content = current.trim_end_matches(['\n', '\r']);
        let indent: String = content.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let (at, text) = if version % 2 == 0 {
            (
                Position::new(line, content.encode_utf16().count() as u32),
                "x".to_string(),
            )
        } else {
            (Position::new(line, 0), format!("{indent}pass\n"))
        };
        let range = Range { start: at, end: at };
        let change = TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: None,
            text,
        };
        let start = Instant::now();
        doc.apply_changes(
            vec![change],
            crate::lsp::encoding::PositionEncoding::Utf16,
            version as i32,
        );
        keystroke.push(start.elapsed().as_secs_f64());
        match doc.last_update {
            Update::Shifted => {}
            Update::Reoutlined => reoutlined += 1,
            Update::Parsed => parsed += 1,
        }
        let start = Instant::now();
        if doc.ensure_parsed() {
            incremental.push(start.elapsed().as_secs_f64());
        }
        let source = doc.text();
        let start = Instant::now();
        let tree = parser.parse(source.as_bytes(), None);
        full.push(start.elapsed().as_secs_f64());
        drop(tree);
    }
    Ok(EditStats {
        lines,
        edits,
        keystroke_p50_ms: percentile(&mut keystroke, 0.5),
        keystroke_p99_ms: percentile(&mut keystroke, 0.99),
        reoutlined_edits: reoutlined,
        parsed_edits: parsed,
        incremental_parse_p50_ms: percentile(&mut incremental, 0.5),
        incremental_parse_p99_ms: percentile(&mut incremental, 0.99),
        full_parse_p50_ms: percentile(&mut full, 0.5),
    })
}
