//! An open document: its text (a rope), its tree-sitter tree re-parsed
//! incrementally on every change, its module model, and the map from its
//! current lines back to the lines the coverage report speaks of.

use super::encoding::PositionEncoding;
use crate::python::{self, Module};
use ropey::Rope;
use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;
use tree_sitter::{InputEdit, Parser, Point, Tree};

/// How [`Document::apply_changes`] brought the outline up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Update {
    /// The edits changed no definition: the outline was shifted.
    Shifted,
    /// The top-level statements around the edits were parsed alone.
    Reoutlined,
    /// The whole file was parsed.
    Parsed,
}

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
    /// Rows (0-based, current text) that edits of the batch being applied
    /// changed in ways that may change definitions.
    pending: Option<(usize, usize)>,
    /// What the last batch of changes took.
    pub last_update: Update,
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
            pending: None,
            last_update: Update::Parsed,
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

    /// Applies LSP content changes in order and brings the outline up to
    /// date.
    ///
    /// The whole file is parsed again (reusing the edited tree) only when
    /// the user pauses ([`Document::ensure_parsed`]): tree-sitter's Python
    /// grammar reuses little at module level, so that parse costs about as
    /// much as a first one on a large file. Until then the outline is kept
    /// exact per keystroke: edits inside bodies shift it, and edits that may
    /// change definitions re-outline only the top-level statements around
    /// them (see [`Document::reoutline`]).
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
        version: i32,
    ) {
        self.pending = None;
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
        let pending = self.pending.take();
        self.last_update = match pending {
            _ if self.tree.is_none() => Update::Parsed,
            None => Update::Shifted,
            Some((first, last)) if self.reoutline(first, last) => Update::Reoutlined,
            Some(_) => Update::Parsed,
        };
        if self.last_update == Update::Parsed {
            self.reparse();
        } else {
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

    /// The parse the waiting edits need, to run away from the document (it
    /// takes tens of milliseconds on a large file; keystrokes must not wait
    /// for it). `None` when nothing waits.
    pub fn parse_job(&self) -> Option<ParseJob> {
        self.dirty.then(|| ParseJob {
            rope: self.rope.clone(),
            tree: self.tree.clone(),
            version: self.version,
        })
    }

    /// Takes a finished [`ParseJob`]'s result, unless the document changed
    /// since the job was made. Returns whether it was taken.
    pub fn finish_parse(&mut self, parsed: Parsed) -> bool {
        if parsed.version != self.version || !self.dirty {
            return false;
        }
        self.dirty = false;
        self.tree = parsed.tree;
        self.module = parsed.module;
        true
    }

    fn point(&self, byte: usize) -> Point {
        let line = self.rope.byte_to_line(byte);
        Point {
            row: line,
            column: byte - self.rope.line_to_byte(line),
        }
    }

    /// Applies one edit, shifts the outline, and widens `pending` when the
    /// edit may change definitions.
    fn edit(&mut self, start: usize, end: usize, text: &str) {
        let start_byte = self.rope.char_to_byte(start);
        let old_end_byte = self.rope.char_to_byte(end);
        let start_position = self.point(start_byte);
        let old_end_position = self.point(old_end_byte);
        let removed = self.rope.slice(start..end).to_string();
        let moves_lines = start_position.row != old_end_position.row || text.contains(['\n', '\r']);
        // Python's blocks are made of lines and their indentation: an edit
        // that adds, removes or joins lines, or that types into a line's
        // indentation or into a blank line, may end a body or start one.
        let line_start = self.rope.line_to_char(start_position.row);
        let line = self.rope.line(start_position.row);
        let indent = line.chars().take_while(|c| matches!(c, ' ' | '\t' | '\x0c')).count();
        let blank = line.get_char(indent).is_none_or(|c| matches!(c, '\n' | '\r'));
        let structural = moves_lines
            || blank
            || start - line_start <= indent
            || self.touches_definitions(start_position.row, old_end_position.row)
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
        let (row, old_end, new_end) = (start_position.row, old_end_position.row, new_end_position.row);
        shift_lines(&mut self.module, row, old_end, new_end);
        // Rows pending from earlier edits of the batch move with this one.
        let moved = self
            .pending
            .map(|(a, b)| (shift_row(a, row, old_end, new_end), shift_row(b, row, old_end, new_end)));
        if structural {
            self.pending = Some(match moved {
                Some((a, b)) => (a.min(row), b.max(new_end)),
                None => (row, new_end),
            });
        } else {
            self.pending = moved;
        }
    }

    /// Re-outlines the top-level statements holding rows `first..=last`
    /// (0-based) from a parse of just those statements and the next
    /// definition, and splices the result into the outline. Returns false
    /// when that cannot be trusted, and the caller parses the whole file.
    ///
    /// A top-level `def`/`class` at column 0 starts a statement with the
    /// tokenizer in its initial state (no open bracket or string, no
    /// indentation), so what follows the cut parses alone as it does in the
    /// file. The cut is taken only when it starts at column 0 and either
    /// parses without errors or its errors end before the next definition,
    /// which must come out of the cut's parse as a statement of its own.
    fn reoutline(&mut self, first: usize, last: usize) -> bool {
        let line_count = self.rope.len_lines();
        let at_column_0 = |line: u32| {
            self.rope
                .get_line(line as usize - 1)
                .and_then(|l| l.get_char(0))
                .is_some_and(|c| !matches!(c, ' ' | '\t' | '\n' | '\r' | '#'))
        };
        // Top-level definitions at column 0: (first line, last line), 1-based.
        let mut tops: Vec<(u32, u32)> = self
            .module
            .functions
            .iter()
            .filter(|f| f.qualname == f.name)
            .map(|f| (f.start_line, f.body.end.max(f.def_line)))
            .chain(
                self.module
                    .classes
                    .iter()
                    .filter(|c| c.qualname == c.name)
                    .map(|c| (c.start_line, c.body.end.max(c.def_line))),
            )
            .filter(|&(start, _)| at_column_0(start))
            .collect();
        tops.sort_unstable();
        let (first, last) = (first as u32 + 1, last as u32 + 1);
        let mut start = match tops.iter().rev().find(|t| t.0 <= first) {
            Some(&(a, b)) if first <= b => a,
            Some(&(_, b)) => b + 1,
            None => 1,
        };
        // The cut ends with the first definition that starts after `last`
        // and after every definition the edit reaches into.
        let reached = tops
            .iter()
            .filter(|t| t.0 <= last)
            .map(|t| t.1)
            .max()
            .unwrap_or(0)
            .max(last);
        let next = tops.iter().find(|t| t.0 > reached).copied();
        let end = next.map_or(line_count as u32, |(_, b)| b);
        if start > end || start as usize > line_count {
            return false;
        }
        // The cut must begin a statement: its first line of code at column 0.
        // Indented lines that a syntax error left outside every definition
        // may come first: then the cut starts with the definition before.
        let first_code = |from: u32| {
            (from..=end).find(|&l| {
                self.rope.get_line(l as usize - 1).is_some_and(|text| {
                    text.chars()
                        .find(|c| !matches!(c, ' ' | '\t'))
                        .is_some_and(|c| !matches!(c, '\n' | '\r' | '#'))
                })
            })
        };
        let mut widened = 0;
        while first_code(start).is_some_and(|l| !at_column_0(l)) {
            widened += 1;
            match tops.iter().rev().find(|t| t.0 < start) {
                Some(&(a, _)) if widened <= 3 => start = a,
                _ => return false,
            }
        }
        let from = self.rope.line_to_byte(start as usize - 1);
        let to = self.rope.line_to_byte((end as usize).min(line_count));
        let src = self.rope.byte_slice(from..to).to_string();
        let Ok(tree) = python::parse(&mut self.parser, src.as_bytes(), None) else {
            return false;
        };
        let root = tree.root_node();
        if root.has_error() {
            let Some((next_start, _)) = next else {
                // The cut runs to the end of the file: nothing follows it.
                return self.splice(start, end, &tree, &src);
            };
            let row = (next_start - start) as usize;
            let mut cursor = root.walk();
            let children: Vec<_> = root.children(&mut cursor).collect();
            let Some(i) = children.iter().position(|c| c.start_position().row == row) else {
                return false;
            };
            // The next definition starts a statement of its own, as in the
            // file: the errors did not run into it.
            let clean = children[i].start_position().column == 0
                && matches!(
                    children[i].kind(),
                    "function_definition" | "class_definition" | "decorated_definition"
                );
            if !clean {
                return false;
            }
        }
        self.splice(start, end, &tree, &src)
    }

    /// Replaces the outline of lines `start..=end` (1-based) with the outline
    /// of `tree`, a parse of exactly those lines.
    fn splice(&mut self, start: u32, end: u32, tree: &Tree, src: &str) -> bool {
        let mut region = python::outline_region(tree, src.as_bytes(), start == 1);
        let offset = start - 1;
        each_outline_line(&mut region, |line| *line += offset);
        let inside = |line: u32| start <= line && line <= end;
        let m = &mut self.module;
        m.functions.retain(|f| !inside(f.start_line));
        m.functions.extend(region.functions);
        m.functions.sort_by_key(|f| (f.def_line, f.name_start.byte_column));
        m.classes.retain(|c| !inside(c.start_line));
        m.classes.extend(region.classes);
        m.classes.sort_by_key(|c| (c.def_line, c.name_start.byte_column));
        m.docstring_lines.retain(|r| !inside(r.start));
        m.docstring_lines.extend(region.docstring_lines);
        m.docstring_lines.sort();
        m.syntax_errors.retain(|e| !inside(e.line));
        m.syntax_errors.extend(region.syntax_errors);
        m.syntax_errors.sort_by_key(|e| (e.line, e.column));
        // `top_level_names` waits for the parse of the whole file: nothing
        // that runs per keystroke reads it.
        true
    }

    /// Whether rows `first..=last` (0-based) hold a definition's header
    /// (decorators through the `def`/`class` line).
    fn touches_definitions(&self, first: usize, last: usize) -> bool {
        let (first, last) = (first as u32 + 1, last as u32 + 1);
        let header_end = |def_line: u32, body_start: u32| body_start.saturating_sub(1).max(def_line);
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
        let (tree, module) = parse_text(&mut self.parser, &self.rope, self.tree.as_ref());
        self.tree = tree;
        self.module = module;
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

/// A snapshot of a document whose edits wait for a parse.
pub struct ParseJob {
    rope: Rope,
    tree: Option<Tree>,
    version: i32,
}

/// What a [`ParseJob`] made.
pub struct Parsed {
    version: i32,
    tree: Option<Tree>,
    module: Module,
}

impl ParseJob {
    /// Parses the snapshot, reusing its edited tree.
    pub fn run(self) -> Parsed {
        let (tree, module) = parse_text(&mut python::parser(), &self.rope, self.tree.as_ref());
        Parsed {
            version: self.version,
            tree,
            module,
        }
    }
}

/// The tree and outline of `rope`'s text (none for text that is not Python).
fn parse_text(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> (Option<Tree>, Module) {
    let text = rope.to_string();
    match python::parse(parser, text.as_bytes(), old) {
        Ok(tree) => {
            let module = python::outline_tree(&tree, text.as_bytes());
            (Some(tree), module)
        }
        Err(_) => (None, Module::default()),
    }
}

/// Text that can start, end or hide a definition: a `def`/`class` keyword, a
/// decorator, a multi-line string quote, a line continuation.
fn may_define(text: &str) -> bool {
    ["def", "class", "@", "\"\"\"", "'''", "\\"]
        .iter()
        .any(|needle| text.contains(needle))
}

/// Where 0-based `row` is after an edit that replaced rows
/// `start..=old_end` with rows `start..=new_end`.
fn shift_row(row: usize, start: usize, old_end: usize, new_end: usize) -> usize {
    if row >= old_end {
        row - old_end + new_end
    } else if row > start {
        row.min(new_end)
    } else {
        row
    }
}

/// Calls `f` on every line number of an outline: definitions, their names
/// and decorators, docstrings, syntax errors.
fn each_outline_line(module: &mut Module, mut f: impl FnMut(&mut u32)) {
    for func in &mut module.functions {
        for line in [
            &mut func.start_line,
            &mut func.def_line,
            &mut func.body.start,
            &mut func.body.end,
        ] {
            f(line);
        }
        f(&mut func.name_start.line);
        f(&mut func.name_end.line);
        func.decorators.iter_mut().for_each(|d| f(&mut d.line));
    }
    for c in &mut module.classes {
        for line in [&mut c.start_line, &mut c.def_line, &mut c.body.start, &mut c.body.end] {
            f(line);
        }
        f(&mut c.name_start.line);
        f(&mut c.name_end.line);
        c.decorators.iter_mut().for_each(|d| f(&mut d.line));
    }
    for r in &mut module.docstring_lines {
        f(&mut r.start);
        f(&mut r.end);
    }
    module.syntax_errors.iter_mut().for_each(|e| f(&mut e.line));
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
    each_outline_line(module, shift);
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

    /// The outline kept per keystroke (shifted, or re-outlined around the
    /// edit) equals the outline of a fresh parse whenever the text parses.
    #[test]
    fn outline_kept_per_keystroke_matches_a_fresh_parse() {
        let mut src = String::from("\"\"\"Module doc.\"\"\"\nimport os\n\n");
        for i in 0..30 {
            src.push_str(&match i % 5 {
                0 => format!("def f{i}(x):\n    \"\"\"Doc.\"\"\"\n    if x:\n        return {i}\n    return x\n\n"),
                1 => format!("@dec\ndef g{i}(a, b=2):\n    def inner():\n        return a\n    return inner()\n\n"),
                2 => format!(
                    "class C{i}:\n    \"\"\"Doc.\"\"\"\n\n    def m(self):\n        return 1\n\n    @property\n    def p(self):\n        return 2\n\n"
                ),
                3 => format!("if os.name:\n    def h{i}():\n        return 3\nelse:\n    pass\nX{i} = [\n    1,\n]\n\n"),
                _ => format!("async def a{i}(n):\n    # comment\n    s = '''\ntext\n'''\n    return n\n\n"),
            });
        }
        let mut doc = Document::new(&src, 1);
        let mut seed = 7u64;
        let mut counts = std::collections::HashMap::new();
        let (mut compared, mut unfinished) = (0, None::<(u32, u32, &str)>);
        for version in 2..1500 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let lines = doc.rope.len_lines() as u64 - 1;
            let row = ((seed >> 33) % lines) as u32;
            let line = doc.rope.line(row as usize).to_string();
            let content = line.trim_end_matches(['\n', '\r']);
            let indent: String = content.chars().take_while(|c| *c == ' ').collect();
            let width = content.encode_utf16().count() as u32;
            let change = if let Some((r, c, rest)) = unfinished.take() {
                // Finish what the previous edit left unfinished.
                change(r, c, r, c, rest)
            } else {
                let next_flush = doc
                    .rope
                    .get_line(row as usize + 1)
                    .is_none_or(|l| l.get_char(0).is_none_or(|c| !matches!(c, ' ' | '\t')));
                match version % 11 {
                    // A statement typed into a body, a character typed into
                    // an expression, a blank line.
                    0 if content.trim_start().starts_with("return") => {
                        change(row, 0, row, 0, &format!("{indent}y = 1\n"))
                    }
                    1 if content.contains("return") => {
                        let at = content.find("return").unwrap() as u32 + 6;
                        change(row, at, row, at, " 1 +")
                    }
                    2 => change(row, 0, row, 0, "\n"),
                    // A definition renamed, given a parameter, decorated.
                    3 if content.trim_start().starts_with("def ") => {
                        let at = content.find("def ").unwrap() as u32 + 5;
                        change(row, at, row, at, "x")
                    }
                    4 if content.trim_start().starts_with("def ")
                        && content.ends_with("):")
                        && !content.ends_with("():") =>
                    {
                        change(row, width - 2, row, width - 2, ", z=1")
                    }
                    5 if content.starts_with("def ") || content.starts_with("class ") => {
                        change(row, 0, row, 0, "@decorated\n")
                    }
                    // A body line deleted; a bracket left open for one edit.
                    6 if content.trim_start() == "y = 1" => change(row, 0, row + 1, 0, ""),
                    7 if content.trim_start().starts_with("return") => {
                        unfinished = Some((row, width + 4, ")"));
                        change(row, width, row, width, " + (")
                    }
                    // A new function, now and then, at times with its header
                    // typed in two goes (a syntax error in between).
                    8 if content.starts_with("def ") || content.starts_with("class ") => {
                        if version % 3 == 0 {
                            change(row, 0, row, 0, "def added(q):\n    return q\n\n")
                        } else {
                            unfinished = Some((row, 10, "q):\n    return q\n\n"));
                            change(row, 0, row, 0, "def added(")
                        }
                    }
                    // A body's last line dedented out of it; a line added after
                    // a body's last line.
                    9 if indent.len() == 4 && content.contains("return") && next_flush => change(row, 0, row, 4, ""),
                    10 if content.trim_start().starts_with("return") => {
                        change(row + 1, 0, row + 1, 0, &format!("{indent}w = 2\n"))
                    }
                    _ => continue,
                }
            };
            doc.apply_changes(vec![change], PositionEncoding::Utf16, version);
            *counts.entry(doc.last_update).or_insert(0) += 1;
            let fresh = Document::new(&doc.text(), version);
            if !fresh.module.syntax_errors.is_empty() {
                continue;
            }
            compared += 1;
            let context = || format!("after edit {version} ({:?}):\n{}", doc.last_update, doc.text());
            assert_eq!(
                outline_shape(&doc.module),
                outline_shape(&fresh.module),
                "{}",
                context()
            );
            assert_eq!(
                doc.module.docstring_lines,
                fresh.module.docstring_lines,
                "{}",
                context()
            );
            assert_eq!(doc.module.syntax_errors, fresh.module.syntax_errors, "{}", context());
            assert_eq!(doc.module.line_count, fresh.module.line_count, "{}", context());
        }
        let count = |u: Update| counts.get(&u).copied().unwrap_or(0);
        assert!(
            compared > 150,
            "only {compared} edits left text that parses: {counts:?}"
        );
        assert!(count(Update::Shifted) > 50, "{counts:?}");
        assert!(count(Update::Reoutlined) > 60, "{counts:?}");
        assert!(
            count(Update::Parsed) * 10 < count(Update::Reoutlined),
            "whole-file parses should be rare: {counts:?}"
        );
    }

    type Shape = (String, u32, u32, u32, u32, u32, Vec<u32>);

    /// What the editor shows of an outline: names and where they are.
    fn outline_shape(m: &Module) -> Vec<Shape> {
        let functions = m.functions.iter().map(|f| {
            (
                f.qualname.clone(),
                f.start_line,
                f.def_line,
                f.name_start.byte_column,
                f.body.start,
                f.body.end,
                f.decorators.iter().map(|d| d.line).collect(),
            )
        });
        let classes = m.classes.iter().map(|c| {
            (
                c.qualname.clone(),
                c.start_line,
                c.def_line,
                c.name_start.byte_column,
                c.body.start,
                c.body.end,
                c.decorators.iter().map(|d| d.line).collect(),
            )
        });
        functions.chain(classes).collect()
    }

    #[test]
    fn a_parse_made_away_from_the_document_is_dropped_when_it_changed_meanwhile() {
        let mut doc = Document::new(SRC, 1);
        assert!(doc.parse_job().is_none(), "nothing waits for a parse");
        // A keystroke inside a body: the outline shifts, the parse waits.
        doc.apply_changes(vec![change(3, 12, 3, 12, "0")], PositionEncoding::Utf16, 2);
        assert_eq!(doc.last_update, Update::Shifted);
        let stale = doc.parse_job().expect("the edit waits for a parse").run();
        doc.apply_changes(vec![change(0, 0, 0, 0, "\n")], PositionEncoding::Utf16, 3);
        assert!(!doc.finish_parse(stale), "made for version 2, the document is at 3");
        assert_eq!(doc.module.functions[0].def_line, 2);
        let fresh = doc.parse_job().unwrap().run();
        assert!(doc.finish_parse(fresh));
        assert!(doc.parse_job().is_none());
        let tree = doc.tree.as_ref().unwrap();
        assert_eq!(
            tree.root_node().start_position().row,
            1,
            "the tree is of the current text"
        );
        assert_eq!(doc.module.functions[0].def_line, 2);
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
