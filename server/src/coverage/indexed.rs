//! A report indexed for random access: the whole file is checked once, but
//! each file's entry is decoded only when somebody needs it. The language
//! server uses this so that a 100 MB report costs one scan, not one full
//! decode, before the first diagnostics.

use super::load::{explain, CoverageError};
use super::model::{ContextsOnly, FileEntry, Meta, SUPPORTED_FORMATS};
use super::paths::map_to_workspace;
use crate::warning::{Warning, WarningKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A report whose file entries are decoded on demand.
#[derive(Debug)]
pub struct IndexedReport {
    pub path: PathBuf,
    pub meta: Meta,
    pub warnings: Vec<Warning>,
    pub recorded_at: Option<SystemTime>,
    bytes: Vec<u8>,
    /// Relative path (`/`-separated) → (report key, byte range of its entry).
    index: HashMap<String, (String, Range<usize>)>,
}

#[derive(Deserialize)]
struct Skeleton<'a> {
    meta: Meta,
    #[serde(borrow, default)]
    files: HashMap<String, &'a RawValue>,
}

impl IndexedReport {
    /// Reads and indexes the report at `path` for the workspace at `root`.
    pub fn open(root: &Path, path: &Path) -> Result<IndexedReport, CoverageError> {
        let bytes = std::fs::read(path).map_err(|source| CoverageError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(CoverageError::Empty {
                path: path.to_path_buf(),
            });
        }
        let skeleton: Skeleton = match serde_json::from_slice(&bytes) {
            Ok(s) => s,
            Err(err) => return Err(explain(path, &bytes, err)),
        };
        if !SUPPORTED_FORMATS.contains(&skeleton.meta.format) {
            return Err(CoverageError::UnsupportedFormat {
                path: path.to_path_buf(),
                format: u64::from(skeleton.meta.format),
            });
        }
        let report_dir = super::load::report_dir(root, path);
        let base = bytes.as_ptr() as usize;
        let mut index = HashMap::with_capacity(skeleton.files.len());
        let mut warnings = Vec::new();
        for (key, raw) in &skeleton.files {
            let start = raw.get().as_ptr() as usize - base;
            let range = start..start + raw.get().len();
            match map_to_workspace(root, &report_dir, key) {
                Some((_, rel)) => {
                    index.insert(rel, (key.clone(), range));
                }
                None => warnings.push(Warning::new(
                    WarningKind::OutsideRoot,
                    key.clone(),
                    "is outside the workspace root; skipped",
                )),
            }
        }
        let meta = skeleton.meta.clone();
        drop(skeleton);
        let recorded_at = super::load::recorded_at(&meta.timestamp, path);
        Ok(IndexedReport {
            path: path.to_path_buf(),
            meta,
            warnings,
            recorded_at,
            bytes,
            index,
        })
    }

    /// Number of files inside the root.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Whether the report measured the file at `rel`.
    pub fn contains(&self, rel: &str) -> bool {
        self.index.contains_key(rel)
    }

    /// Decodes the entry of the file at `rel` (relative to the root).
    pub fn file(&self, rel: &str) -> Option<Result<FileEntry, CoverageError>> {
        let (_, range) = self.index.get(rel)?;
        let slice = &self.bytes[range.clone()];
        Some(serde_json::from_slice(slice).map_err(|err| explain(&self.path, slice, err)))
    }

    /// The per-line test contexts of the file at `rel` (empty when the report
    /// has none).
    pub fn contexts(&self, rel: &str) -> BTreeMap<u32, Vec<String>> {
        let Some((_, range)) = self.index.get(rel) else {
            return BTreeMap::new();
        };
        serde_json::from_slice::<ContextsOnly>(&self.bytes[range.clone()])
            .map(ContextsOnly::by_line)
            .unwrap_or_default()
    }

    /// Relative paths of every measured file, sorted.
    pub fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self.index.keys().map(String::as_str).collect();
        files.sort_unstable();
        files
    }
}
