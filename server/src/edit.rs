//! One change to one file, as every feature proposes it: the file, the text
//! it was made from, the new text, and why. The CLI prints its diff or
//! writes it (never over a file that changed since it was read, never
//! outside the root); the language server turns it into a `WorkspaceEdit`
//! (`lsp::edit`). Nothing here knows the terminal or the protocol.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A replacement of a byte range of one file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

impl TextEdit {
    /// Replaces `range` with `new_text`.
    pub fn replace(range: Range<usize>, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            range,
            new_text: new_text.into(),
        }
    }

    /// Inserts `new_text` at byte `at`.
    pub fn insert(at: usize, new_text: impl Into<String>) -> TextEdit {
        TextEdit::replace(at..at, new_text)
    }
}

/// Applies non-overlapping edits (in any order) to `text`. Overlapping
/// edits are a bug in the caller: `None`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Option<String> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in sorted {
        if edit.range.start < at || edit.range.end > text.len() {
            return None;
        }
        if !text.is_char_boundary(edit.range.start) || !text.is_char_boundary(edit.range.end) {
            return None;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.new_text);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Why an edit is made, as the user is shown it before accepting it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotation {
    /// Edits with the same id share one explanation.
    pub id: String,
    /// One line.
    pub label: String,
    /// More, when there is more to say.
    pub description: Option<String>,
    /// Whether the user should look before it is applied (an edit that may
    /// hide a regression).
    pub needs_confirmation: bool,
}

/// How the new text relates to the old; decides the text edits an editor
/// receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The file does not exist yet.
    Create,
    /// Text is added after every byte of the old text: an editor adds it at
    /// the end of the document as it has it, unsaved changes included.
    Append,
    /// Any change: whole lines of the old text are replaced.
    Lines,
}

/// A change to one file.
#[derive(Debug, Clone)]
pub struct Edit {
    /// Absolute path.
    pub path: PathBuf,
    /// Relative to the root, `/`-separated.
    pub rel: String,
    /// The file's text when the edit was made; `None`: the file is created.
    pub original: Option<String>,
    /// The whole new text.
    pub text: String,
    /// Why; shown by editors.
    pub annotation: Annotation,
    shape: Shape,
}

impl Edit {
    /// Creates the file at `path` with `text`.
    pub fn create(path: PathBuf, rel: String, text: String) -> Edit {
        Edit::new(path, rel, None, text, Shape::Create)
    }

    /// Adds `suffix` after the whole of `original` (the file's text).
    pub fn append(path: PathBuf, rel: String, original: String, suffix: &str) -> Edit {
        let text = format!("{original}{suffix}");
        Edit::new(path, rel, Some(original), text, Shape::Append)
    }

    /// Replaces the file's text `original` with `updated`.
    pub fn replace(path: PathBuf, rel: String, original: String, updated: String) -> Edit {
        Edit::new(path, rel, Some(original), updated, Shape::Lines)
    }

    fn new(path: PathBuf, rel: String, original: Option<String>, text: String, shape: Shape) -> Edit {
        Edit {
            path,
            rel,
            original,
            text,
            annotation: Annotation::default(),
            shape,
        }
    }

    /// Whether the edit creates its file.
    pub fn creates(&self) -> bool {
        self.original.is_none()
    }

    /// The text added at the end, when the edit only adds text there.
    pub fn appended(&self) -> Option<&str> {
        match (&self.shape, &self.original) {
            (Shape::Append, Some(original)) => self.text.strip_prefix(original.as_str()),
            _ => None,
        }
    }

    /// The edit as byte-range replacements of the original text (empty for
    /// a new file), in order: what an editor applies.
    pub fn text_edits(&self) -> Vec<TextEdit> {
        let original = self.original.as_deref().unwrap_or_default();
        match self.shape {
            Shape::Create => vec![TextEdit::insert(0, self.text.clone())],
            Shape::Append => match self.appended() {
                Some(suffix) => vec![TextEdit::insert(original.len(), suffix)],
                None => line_edits(original, &self.text),
            },
            Shape::Lines => line_edits(original, &self.text),
        }
    }

    /// A unified diff (`a/…`, `b/…`; `/dev/null` for a new file), three
    /// lines of context; empty when nothing changes.
    pub fn unified_diff(&self) -> String {
        let old_name = match self.original {
            Some(_) => format!("a/{}", self.rel),
            None => "/dev/null".to_string(),
        };
        similar::TextDiff::from_lines(self.original.as_deref().unwrap_or_default(), &self.text)
            .unified_diff()
            .context_radius(3)
            .header(&old_name, &format!("b/{}", self.rel))
            .to_string()
    }
}

/// `updated` as replacements of whole lines of `original`, first to last.
fn line_edits(original: &str, updated: &str) -> Vec<TextEdit> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(original.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: usize| starts.get(line).copied().unwrap_or(original.len());
    let new_lines: Vec<&str> = updated.split_inclusive('\n').collect();
    let diff = similar::TextDiff::from_lines(original, updated);
    let mut edits = Vec::new();
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        edits.push(TextEdit::replace(
            offset(old.start)..offset(old.end),
            new_lines[new.start..new.end].concat(),
        ));
    }
    edits
}

/// Why an edit was not written. Each front door words the first two its own
/// way ("changed while tests were generated", "while testgap was fixing it").
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file's text is no longer the text the edit was made from.
    #[error("it changed since it was read; not written")]
    Changed,
    /// The file to create exists now.
    #[error("it exists now; not overwritten")]
    Appeared,
    /// The path leaves the root (through `..` or a symbolic link).
    #[error("it is outside the root; not written")]
    Outside,
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
    #[error("cannot create {}: {}", .0.display(), .1)]
    CreateDir(PathBuf, std::io::Error),
    #[error("cannot create it: {0}")]
    Create(std::io::Error),
    #[error("cannot write it: {0}")]
    Write(std::io::Error),
}

/// Writes edits, all or none: every file is checked before the first is
/// written (see [`write`]).
pub fn write_all(edits: &[Edit], root: &Path) -> Result<(), (usize, WriteError)> {
    let mut targets = Vec::with_capacity(edits.len());
    for (i, edit) in edits.iter().enumerate() {
        targets.push(check(edit, root).map_err(|e| (i, e))?);
    }
    for (i, (edit, target)) in edits.iter().zip(targets).enumerate() {
        store(edit, &target).map_err(|e| (i, e))?;
    }
    Ok(())
}

/// Writes one edit inside `root`: only while the file still holds the text
/// the edit was made from (a file to create must still be missing), through
/// a temporary file in the same directory renamed over it, so a reader sees
/// the old text or the new, never half. A symbolic link inside the root is
/// followed; its target is written.
pub fn write(edit: &Edit, root: &Path) -> Result<(), WriteError> {
    let target = check(edit, root)?;
    store(edit, &target)
}

/// The path to write `edit` to (symbolic links resolved), once it is known
/// to be inside `root` and to hold the text the edit expects.
fn check(edit: &Edit, root: &Path) -> Result<PathBuf, WriteError> {
    let root = root.canonicalize().map_err(WriteError::Read)?;
    let path = crate::coverage::normalize(&edit.path).ok_or(WriteError::Outside)?;
    let target = match path.canonicalize() {
        Ok(real) => real,
        Err(_) if edit.creates() => {
            // The file (and maybe its directories) does not exist: what
            // exists of it must be inside the root.
            let mut existing = path.as_path();
            while !existing.exists() {
                existing = existing.parent().ok_or(WriteError::Outside)?;
            }
            let real = existing.canonicalize().map_err(WriteError::Read)?;
            real.join(path.strip_prefix(existing).map_err(|_| WriteError::Outside)?)
        }
        Err(e) => return Err(WriteError::Read(e)),
    };
    if !target.starts_with(&root) {
        return Err(WriteError::Outside);
    }
    match &edit.original {
        None if target.exists() => Err(WriteError::Appeared),
        None => Ok(target),
        Some(original) => {
            let current = std::fs::read_to_string(&target).map_err(WriteError::Read)?;
            if current == *original {
                Ok(target)
            } else {
                Err(WriteError::Changed)
            }
        }
    }
}

/// Puts the new text at `target` through a temporary file beside it.
fn store(edit: &Edit, target: &Path) -> Result<(), WriteError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    if edit.creates() {
        std::fs::create_dir_all(dir).map_err(|e| WriteError::CreateDir(dir.to_path_buf(), e))?;
    }
    let (temporary, mut file) = temporary_beside(target).map_err(WriteError::Create)?;
    let written = file.write_all(edit.text.as_bytes()).and_then(|_| file.sync_all());
    drop(file);
    let placed = written.map_err(WriteError::Write).and_then(|_| {
        if edit.creates() {
            create_from(&temporary, target, &edit.text)
        } else {
            // Keep the file's mode: the rename puts a new inode in its place.
            if let Ok(meta) = std::fs::metadata(target) {
                std::fs::set_permissions(&temporary, meta.permissions()).map_err(WriteError::Write)?;
            }
            std::fs::rename(&temporary, target).map_err(WriteError::Write)
        }
    });
    // Gone after a rename; left after a link or a failure.
    let _ = std::fs::remove_file(&temporary);
    placed
}

/// Puts the written temporary file at `target` without replacing a file
/// that appeared meanwhile: a hard link fails when the name is taken.
fn create_from(temporary: &Path, target: &Path, text: &str) -> Result<(), WriteError> {
    match std::fs::hard_link(temporary, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(WriteError::Appeared),
        // A file system without hard links: create it in place, still never
        // over an existing file.
        Err(_) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(target)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => WriteError::Appeared,
                    _ => WriteError::Create(e),
                })?;
            file.write_all(text.as_bytes()).map_err(WriteError::Write)
        }
    }
}

/// A new, empty file beside `target` (hidden, named after it and this
/// process), opened for writing.
fn temporary_beside(target: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    loop {
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!(".{name}.testgap-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(original: &str, updated: &str) -> Edit {
        Edit::replace(
            PathBuf::from("/p/tests/test_a.py"),
            "tests/test_a.py".into(),
            original.into(),
            updated.into(),
        )
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let edits = [TextEdit::replace(0..3, "a"), TextEdit::replace(2..4, "b")];
        assert_eq!(apply_edits("abcdef", &edits), None);
        let edits = [TextEdit::replace(4..5, "E"), TextEdit::replace(0..1, "A")];
        assert_eq!(apply_edits("abcdef", &edits).unwrap(), "AbcdEf");
    }

    #[test]
    fn line_edits_reproduce_the_new_text() {
        let original = "from a import x\n\ndef test():\n    assert x() == 1\n";
        let updated = "from b import x\n\ndef test():\n    assert x() == 2\n";
        let edit = replace(original, updated);
        let edits = edit.text_edits();
        assert_eq!(edits.len(), 2);
        assert_eq!(apply_edits(original, &edits).unwrap(), updated);
        assert!(edit
            .unified_diff()
            .starts_with("--- a/tests/test_a.py\n+++ b/tests/test_a.py\n"));
    }

    #[test]
    fn an_append_is_one_insertion_at_the_end() {
        let old = "import pytest\n\ndef test_a():\n    assert 1";
        let suffix = "\n\n\n# Tests of `m` generated by testgap.\nimport re\n\n\ndef test_b():\n    assert 2\n";
        let edit = Edit::append(
            "/p/tests/test_m.py".into(),
            "tests/test_m.py".into(),
            old.into(),
            suffix,
        );
        assert_eq!(edit.appended(), Some(suffix));
        assert_eq!(edit.text_edits(), [TextEdit::insert(old.len(), suffix)]);
        assert_eq!(
            edit.unified_diff(),
            "--- a/tests/test_m.py\n+++ b/tests/test_m.py\n@@ -1,4 +1,12 @@\n import pytest\n \n def test_a():\n\
             -    assert 1\n\\ No newline at end of file\n+    assert 1\n+\n+\n\
             +# Tests of `m` generated by testgap.\n+import re\n+\n+\n+def test_b():\n+    assert 2\n"
        );
        let created = Edit::create("/p/t.py".into(), "t.py".into(), "a\nb\n".into());
        assert_eq!(
            created.unified_diff(),
            "--- /dev/null\n+++ b/t.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        assert_eq!(created.text_edits(), [TextEdit::insert(0, "a\nb\n")]);
        assert_eq!(replace("a\n", "a\n").unified_diff(), "");
    }

    fn project() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("project");
        std::fs::create_dir_all(root.join("tests")).unwrap();
        (tmp, root)
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".testgap-"))
            .collect()
    }

    #[test]
    fn writes_only_over_the_text_it_was_made_from() {
        let (_tmp, root) = project();
        let path = root.join("tests/test_a.py");
        std::fs::write(&path, "a\n").unwrap();
        let edit = Edit::replace(path.clone(), "tests/test_a.py".into(), "a\n".into(), "b\n".into());
        std::fs::write(&path, "a\nchanged\n").unwrap();
        assert!(matches!(write(&edit, &root), Err(WriteError::Changed)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nchanged\n");
        std::fs::write(&path, "a\n").unwrap();
        write(&edit, &root).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b\n");
        assert!(leftovers(&root.join("tests")).is_empty());
    }

    #[test]
    fn all_or_none() {
        let (_tmp, root) = project();
        let (a, b) = (root.join("tests/test_a.py"), root.join("tests/test_b.py"));
        std::fs::write(&a, "a\n").unwrap();
        std::fs::write(&b, "b\n").unwrap();
        let edits = [
            Edit::replace(a.clone(), "tests/test_a.py".into(), "a\n".into(), "A\n".into()),
            Edit::replace(b.clone(), "tests/test_b.py".into(), "old\n".into(), "B\n".into()),
        ];
        assert!(matches!(write_all(&edits, &root), Err((1, WriteError::Changed))));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a\n");
    }

    #[test]
    fn creates_new_files_and_directories_but_never_over_one() {
        let (_tmp, root) = project();
        let path = root.join("checks/unit/test_new.py");
        let edit = Edit::create(path.clone(), "checks/unit/test_new.py".into(), "x = 1\n".into());
        write(&edit, &root).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x = 1\n");
        assert!(matches!(write(&edit, &root), Err(WriteError::Appeared)));
        assert!(leftovers(&root.join("checks/unit")).is_empty());
    }

    #[test]
    fn refuses_paths_that_leave_the_root() {
        let (tmp, root) = project();
        let outside = tmp.path().join("outside.py");
        let up = root.join("tests/../../outside.py");
        let edit = Edit::create(up, String::new(), "x\n".into());
        assert!(matches!(write(&edit, &root), Err(WriteError::Outside)));
        assert!(!outside.exists());
        #[cfg(unix)]
        {
            std::fs::create_dir(tmp.path().join("elsewhere")).unwrap();
            std::os::unix::fs::symlink(tmp.path().join("elsewhere"), root.join("linked")).unwrap();
            let edit = Edit::create(root.join("linked/test_x.py"), String::new(), "x\n".into());
            assert!(matches!(write(&edit, &root), Err(WriteError::Outside)));
            assert!(!tmp.path().join("elsewhere/test_x.py").exists());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_inside_the_root_is_followed_and_kept() {
        let (_tmp, root) = project();
        let real = root.join("tests/test_real.py");
        std::fs::write(&real, "a\n").unwrap();
        let link = root.join("tests/test_link.py");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let edit = Edit::append(link.clone(), "tests/test_link.py".into(), "a\n".into(), "b\n");
        write(&edit, &root).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "a\nb\n");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }
}
