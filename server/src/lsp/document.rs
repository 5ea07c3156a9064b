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
    /// The tree has been edited but not re-parsed: `module`'s positions were
    /// shifted with the edits instead (see [`Document::apply_changes`]).
    dirty: bool,
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
            dirty: false,
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
        let mut structural = false;
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = encoding.char_index(&self.rope, range.start);
                    let end = encoding.char_index(&self.rope, range.end).max(start);
                    structural |= self.edit(start, end, &change.text);
                }
                None => {
                    self.replace_all(&change.text);
                    structural = true;
                }
            }
        }
        self.version = version;
        if structural || self.tree.is_none() {
            self.reparse();
        } else {
            // Keystrokes inside bodies move definitions but do not change
            // them: the shifted outline is exact, and the parse can wait
            // until the user pauses (`ensure_parsed`).
            self.dirty = true;
        }
    }

    /// Whether an edit since the last parse is still waiting for one.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Re-parses if edits are waiting; returns whether anything was done.
    pub fn ensure_parsed(&mut self) -> bool {
        if self.dirty {
            self.reparse();
            true
        } else {
            false
        }
    }

    fn point(&self, byte: usize) -> Point {
        let line = self.rope.byte_to_line(byte);
        Point {
            row: line,
            column: byte - self.rope.line_to_byte(line),
        }
    }

    /// Applies one edit; returns whether it may change the definitions (and
    /// so needs a parse before the outline can be trusted).
    fn edit(&mut self, start: usize, end: usize, text: &str) -> bool {
        let start_byte = self.rope.char_to_byte(start);
        let old_end_byte = self.rope.char_to_byte(end);
        let start_position = self.point(start_byte);
        let old_end_position = self.point(old_end_byte);
        let removed = self.rope.slice(start..end).to_string();
        let moves_lines = start_position.row != old_end_position.row || text.contains(['\n', '\r']);
        let structural = self.touches_definitions(start_position.row, old_end_position.row, moves_lines)
            || may_define(&removed)
            || may_define(text);
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
        if !structural {
            shift_lines(
                &mut self.module,
                start_position.row,
                old_end_position.row,
                new_end_position.row,
            );
        }
        structural
    }

    /// Whether rows `first..=last` (0-based) hold a definition's header
    /// (decorators through the `def`/`class` line, or up to the body's first
    /// line when the edit adds or removes lines: a new first statement moves
    /// where the body starts).
    fn touches_definitions(&self, first: usize, last: usize, moves_lines: bool) -> bool {
        let (first, last) = (first as u32 + 1, last as u32 + 1);
        let header_end = |def_line: u32, body_start: u32| {
            if moves_lines {
                body_start.max(def_line)
            } else {
                body_start.saturating_sub(1).max(def_line)
            }
        };
        let overlaps = |a: u32, b: u32| a <= last && first <= b;
        self.module
            .functions
            .iter()
            .any(|f| overlaps(f.start_line, header_end(f.def_line, f.body.start)))
            || self
                .module
                .classes
                .iter()
                .any(|c| overlaps(c.start_line, header_end(c.def_line, c.body.start)))
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

    /// Re-parses (reusing the edited old tree) and re-analyses.
    fn reparse(&mut self) {
        self.dirty = false;
        let text = self.text();
        match python::parse(&mut self.parser, text.as_bytes(), self.tree.as_ref()) {
            Ok(tree) => {
                self.module = python::outline_tree(&tree, text.as_bytes());
                self.tree = Some(tree);
            }
            Err(_) => {
                self.module = Module::default();
                self.tree = None;
            }
        }
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

/// Text that can start, end or hide a definition: a `def`/`class` keyword, a
/// decorator, a multi-line string quote, a line continuation.
fn may_define(text: &str) -> bool {
    ["def", "class", "@", "\"\"\"", "'''", "\\"]
        .iter()
        .any(|needle| text.contains(needle))
}

/// Moves the outline's line numbers after an edit that replaced rows
/// `start..=old_end` with rows `start..=new_end` (0-based) and touched no
/// definition header.
fn shift_lines(module: &mut Module, start: usize, old_end: usize, new_end: usize) {
    let (start, old_end, new_end) = (start as i64 + 1, old_end as i64 + 1, new_end as i64 + 1);
    let delta = new_end - old_end;
    if delta == 0 {
        return;
    }
    let shift = |line: &mut u32| {
        let l = i64::from(*line);
        if l >= old_end {
            *line = (l + delta).max(1) as u32;
        } else if l > start {
            *line = l.min(new_end) as u32;
        }
    };
    for f in &mut module.functions {
        for line in [&mut f.start_line, &mut f.def_line, &mut f.body.start, &mut f.body.end] {
            shift(line);
        }
        shift(&mut f.name_start.line);
        shift(&mut f.name_end.line);
        for d in &mut f.decorators {
            shift(&mut d.line);
        }
    }
    for c in &mut module.classes {
        for line in [&mut c.start_line, &mut c.def_line, &mut c.body.start, &mut c.body.end] {
            shift(line);
        }
        shift(&mut c.name_start.line);
        shift(&mut c.name_end.line);
    }
    for r in &mut module.docstring_lines {
        shift(&mut r.start);
        shift(&mut r.end);
    }
    module.line_count = (i64::from(module.line_count) + delta).max(0) as u32;
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

    /// The outline kept by shifting equals the outline of a fresh parse.
    #[test]
    fn shifted_outline_matches_a_fresh_parse() {
        let mut src = String::new();
        for i in 0..40 {
            src.push_str(&format!(
                "def f{i}(x):\n    \"\"\"Doc.\"\"\"\n    if x:\n        return {i}\n    return x\n\n"
            ));
        }
        src.push_str("class C:\n    def m(self):\n        return 1\n");
        let mut doc = Document::new(&src, 1);
        let mut seed = 7u64;
        let mut shifted = 0;
        for version in 2..300 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let lines = doc.rope.len_lines() as u64 - 1;
            let row = ((seed >> 33) % lines) as u32;
            let line = doc.rope.line(row as usize).to_string();
            let content = line.trim_end_matches(['\n', '\r']);
            let indent: String = content.chars().take_while(|c| *c == ' ').collect();
            let change = match version % 4 {
                // A new statement in a body, a character typed into a name,
                // a blank line, and now and then a new function.
                0 if !indent.is_empty() => change(row, 0, row, 0, &format!("{indent}y = 1\n")),
                1 if content.contains("return") => {
                    let at = content.find("return").unwrap() as u32 + 6;
                    change(row, at, row, at, " 1 +")
                }
                2 => change(row, 0, row, 0, "\n"),
                _ if version % 50 == 3 => change(row, 0, row, 0, "def added(): pass\n"),
                _ => continue,
            };
            doc.apply_changes(vec![change], PositionEncoding::Utf16, version);
            shifted += usize::from(doc.is_dirty());
            let fresh = Document::new(&doc.text(), version);
            let shape = |m: &Module| -> Vec<(String, u32, u32, u32, u32, u32)> {
                m.functions
                    .iter()
                    .map(|f| {
                        (
                            f.qualname.clone(),
                            f.start_line,
                            f.def_line,
                            f.name_start.byte_column,
                            f.body.start,
                            f.body.end,
                        )
                    })
                    .collect()
            };
            assert_eq!(
                shape(&doc.module),
                shape(&fresh.module),
                "after edit {version}: {change:?}",
                change = doc.text()
            );
            assert_eq!(doc.module.docstring_lines, fresh.module.docstring_lines);
            assert_eq!(doc.module.line_count, fresh.module.line_count);
        }
        assert!(shifted > 50, "only {shifted} edits took the shifting path");
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
