//! An open document: its text (a rope), its tree-sitter tree re-parsed
//! incrementally on every change, its module model, and the map from its
//! current lines back to the lines the coverage report speaks of.

use super::encoding::PositionEncoding;
use crate::python::{self, Module};
use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;
use tree_sitter::{InputEdit, Parser, Point, Tree};

pub struct Document {
    pub version: i32,
    pub rope: Rope,
    pub tree: Option<Tree>,
    pub module: Module,
    /// For each current line (0-based), the line of the text the coverage
    /// data describes, or `None` for a line added since.
    origin: Vec<Option<u32>>,
    parser: Parser,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        let rope = Rope::from_str(text);
        let origin = (0..rope.len_lines() as u32).map(Some).collect();
        let mut doc = Document {
            version,
            rope,
            tree: None,
            module: Module::default(),
            origin,
            parser: python::parser(),
        };
        doc.reparse();
        doc
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Forgets the edits made so far: the current text is what the
    /// coverage data describes (after the report is reloaded).
    pub fn reset_origin(&mut self) {
        self.origin = (0..self.rope.len_lines() as u32).map(Some).collect();
    }

    /// Maps the current text onto `baseline`, the text the coverage data
    /// describes (the file on disk), line by line: edits made before the
    /// data was attached (unsaved changes) are then known as edits.
    pub fn align_to(&mut self, baseline: &str) {
        use similar::{Algorithm, DiffOp};
        let text = self.text();
        let old: Vec<&str> = baseline.lines().collect();
        let new: Vec<&str> = text.lines().collect();
        // A pathological pair of texts must not stall the server.
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
        let mut origin = vec![None; self.rope.len_lines()];
        for op in similar::capture_diff_slices_deadline(Algorithm::Myers, &old, &new, Some(deadline)) {
            if let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                for k in 0..len {
                    if let Some(slot) = origin.get_mut(new_index + k) {
                        *slot = Some((old_index + k) as u32);
                    }
                }
            }
        }
        self.origin = origin;
    }

    /// Applies LSP content changes in order, then re-parses.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
        version: i32,
    ) {
        self.apply_changes_timed(changes, encoding, version);
    }

    /// [`Document::apply_changes`], returning the seconds spent re-parsing
    /// and re-analysing (for the benchmark).
    pub fn apply_changes_timed(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
        version: i32,
    ) -> (f64, f64) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = encoding.char_index(&self.rope, range.start);
                    let end = encoding.char_index(&self.rope, range.end).max(start);
                    self.edit(start, end, &change.text);
                }
                None => self.replace_all(&change.text),
            }
        }
        self.version = version;
        self.reparse()
    }

    fn point(&self, byte: usize) -> Point {
        let line = self.rope.byte_to_line(byte);
        Point {
            row: line,
            column: byte - self.rope.line_to_byte(line),
        }
    }

    fn edit(&mut self, start: usize, end: usize, text: &str) {
        let start_byte = self.rope.char_to_byte(start);
        let old_end_byte = self.rope.char_to_byte(end);
        let start_position = self.point(start_byte);
        let old_end_position = self.point(old_end_byte);
        self.rope.remove(start..end);
        self.rope.insert(start, text);
        let new_end_byte = start_byte + text.len();
        let new_end_position = self.point(new_end_byte);
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte,
                old_end_byte,
                new_end_byte,
                start_position,
                old_end_position,
                new_end_position,
            });
        }
        let added = new_end_position.row - start_position.row;
        self.splice_origin(start_position, old_end_position, added);
    }

    /// Keeps `origin` in step with an edit from `start` to `old_end` that
    /// inserted `added` line breaks.
    fn splice_origin(&mut self, start: Point, old_end: Point, added: usize) {
        let (s, e) = (start.row, old_end.row);
        let whole_lines = start.column == 0 && old_end.column == 0 && (e > s || added > 0);
        let (from, to) = if whole_lines { (s, e) } else { (s + 1, e + 1) };
        let len = self.origin.len();
        let (from, to) = (from.min(len), to.min(len));
        self.origin.splice(from..to, std::iter::repeat_n(None, added));
        // Keep one entry per line even if the client's edits drifted.
        self.origin.resize(self.rope.len_lines(), None);
    }

    /// A whole-text replacement (clients without incremental sync): lines
    /// shared at the start and the end keep their origin.
    fn replace_all(&mut self, text: &str) {
        let old = self.rope.clone();
        let new = Rope::from_str(text);
        let (old_lines, new_lines) = (old.len_lines(), new.len_lines());
        let mut prefix = 0;
        while prefix < old_lines.min(new_lines) && old.line(prefix) == new.line(prefix) {
            prefix += 1;
        }
        let mut suffix = 0;
        while suffix < (old_lines - prefix).min(new_lines - prefix)
            && old.line(old_lines - 1 - suffix) == new.line(new_lines - 1 - suffix)
        {
            suffix += 1;
        }
        let mut origin = Vec::with_capacity(new_lines);
        origin.extend_from_slice(&self.origin[..prefix.min(self.origin.len())]);
        origin.extend(std::iter::repeat_n(None, new_lines - prefix - suffix));
        let tail_start = self.origin.len().saturating_sub(suffix);
        origin.extend_from_slice(&self.origin[tail_start..]);
        origin.resize(new_lines, None);
        self.origin = origin;
        self.rope = new;
        self.tree = None;
    }

    /// Re-parses (reusing the edited old tree) and re-analyses; returns the
    /// seconds each took.
    fn reparse(&mut self) -> (f64, f64) {
        let text = self.text();
        let start = std::time::Instant::now();
        let parsed = python::parse(&mut self.parser, text.as_bytes(), self.tree.as_ref());
        let parse_time = start.elapsed().as_secs_f64();
        let start = std::time::Instant::now();
        match parsed {
            Ok(tree) => {
                self.module = python::outline_tree(&tree, text.as_bytes());
                self.tree = Some(tree);
            }
            Err(_) => {
                self.module = Module::default();
                self.tree = None;
            }
        }
        (parse_time, start.elapsed().as_secs_f64())
    }

    /// The report line (1-based) that current line `line` (1-based) was.
    pub fn report_line(&self, line: u32) -> Option<u32> {
        self.origin
            .get(line.checked_sub(1)? as usize)
            .copied()
            .flatten()
            .map(|l| l + 1)
    }

    /// Current line (1-based) of each report line (1-based), as a lookup
    /// table indexed by report line.
    pub fn current_lines(&self) -> Vec<Option<u32>> {
        let len = self.origin.iter().flatten().max().map_or(0, |m| *m as usize + 2);
        let mut map = vec![None; len];
        for (current, origin) in self.origin.iter().enumerate() {
            if let Some(origin) = origin {
                map[*origin as usize + 1] = Some(current as u32 + 1);
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: sl,
                    character: sc,
                },
                end: Position {
                    line: el,
                    character: ec,
                },
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    const SRC: &str = "def f(x):\n    if x:\n        return 1\n    return 2\n";

    #[test]
    fn inserted_lines_move_the_rest_and_are_new() {
        let mut doc = Document::new(SRC, 1);
        doc.apply_changes(vec![change(0, 0, 0, 0, "import os\n\n")], PositionEncoding::Utf16, 2);
        assert_eq!(doc.report_line(1), None);
        assert_eq!(doc.report_line(2), None);
        assert_eq!(doc.report_line(3), Some(1));
        assert_eq!(doc.current_lines()[3], Some(5));
        assert_eq!(doc.module.functions[0].def_line, 3);
        assert_eq!(doc.text(), format!("import os\n\n{SRC}"));
    }

    #[test]
    fn deleted_and_edited_lines() {
        let mut doc = Document::new(SRC, 1);
        // Delete line 2 ("    if x:") entirely, then type on line 1.
        doc.apply_changes(
            vec![change(1, 0, 2, 0, ""), change(0, 4, 0, 5, "g")],
            PositionEncoding::Utf16,
            2,
        );
        assert_eq!(doc.text(), "def g(x):\n        return 1\n    return 2\n");
        assert_eq!(doc.report_line(1), Some(1), "an edited line keeps its identity");
        assert_eq!(doc.report_line(2), Some(3));
        assert_eq!(doc.current_lines()[2], None, "the deleted line maps nowhere");
        assert_eq!(doc.module.functions[0].name, "g");
        // Splitting a line in the middle: the tail is new.
        doc.apply_changes(vec![change(2, 4, 2, 4, "\n    ")], PositionEncoding::Utf16, 3);
        assert_eq!((doc.report_line(3), doc.report_line(4)), (Some(4), None));
    }

    #[test]
    fn unsaved_changes_are_aligned_with_the_file_on_disk() {
        let buffer = format!(
            "import os\n\n{}",
            SRC.replace("        return 1\n", "        return 1  # one\n")
        );
        let mut doc = Document::new(&buffer, 1);
        doc.align_to(SRC);
        let got: Vec<Option<u32>> = (1..=6).map(|l| doc.report_line(l)).collect();
        assert_eq!(got, [None, None, Some(1), Some(2), None, Some(4)]);
    }

    #[test]
    fn full_replacement_keeps_shared_lines() {
        let mut doc = Document::new(SRC, 1);
        let text = SRC.replace("    if x:\n", "    # note\n    if x:\n");
        doc.apply_changes(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text,
            }],
            PositionEncoding::Utf16,
            2,
        );
        let got: Vec<Option<u32>> = (1..=5).map(|l| doc.report_line(l)).collect();
        assert_eq!(got, [Some(1), None, Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn edits_with_multibyte_text_and_crlf() {
        let mut doc = Document::new("s = 'é😀'\r\ndef f():\r\n    pass\r\n", 1);
        // Replace the emoji (UTF-16 columns 6..8) with "x".
        doc.apply_changes(vec![change(0, 6, 0, 8, "x")], PositionEncoding::Utf16, 2);
        assert_eq!(doc.text(), "s = 'éx'\r\ndef f():\r\n    pass\r\n");
        doc.apply_changes(vec![change(1, 0, 1, 0, "\r\n")], PositionEncoding::Utf16, 3);
        assert_eq!(doc.module.functions[0].def_line, 3);
        assert_eq!(doc.report_line(3), Some(2));
        assert!(doc.tree.as_ref().is_some_and(|t| !t.root_node().has_error()));
    }
}
