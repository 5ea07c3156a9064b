//! Converting between LSP positions and places in a rope.
//!
//! LSP counts columns in UTF-16 code units unless the client and server agree
//! on UTF-8 bytes. Lines break at `\n`, `\r\n` and a lone `\r`, as the rope
//! (with `cr_lines`) does.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

/// The negotiated column unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    #[default]
    Utf16,
    Utf8,
}

/// Characters of line `line` without its line break.
fn line_len_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    while len > 0 && matches!(slice.char(len - 1), '\n' | '\r') {
        len -= 1;
    }
    len
}

impl PositionEncoding {
    /// The character index of `pos`, clamped into the document: a line past
    /// the end means the end, a column past the line's end means the line's end.
    pub fn char_index(self, rope: &Rope, pos: Position) -> usize {
        let line = pos.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let start = rope.line_to_char(line);
        let len = line_len_chars(rope, line);
        let offset = match self {
            PositionEncoding::Utf16 => {
                let start16 = rope.char_to_utf16_cu(start);
                let end16 = rope.char_to_utf16_cu(start + len);
                let target = (start16 + pos.character as usize).min(end16);
                rope.utf16_cu_to_char(target) - start
            }
            PositionEncoding::Utf8 => {
                let start8 = rope.char_to_byte(start);
                let end8 = rope.char_to_byte(start + len);
                let target = (start8 + pos.character as usize).min(end8);
                rope.byte_to_char(target) - start
            }
        };
        start + offset.min(len)
    }

    /// The LSP position of character index `index`.
    pub fn position(self, rope: &Rope, index: usize) -> Position {
        let index = index.min(rope.len_chars());
        let line = rope.char_to_line(index);
        let start = rope.line_to_char(line);
        let character = match self {
            PositionEncoding::Utf16 => rope.char_to_utf16_cu(index) - rope.char_to_utf16_cu(start),
            PositionEncoding::Utf8 => rope.char_to_byte(index) - rope.char_to_byte(start),
        };
        Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The LSP position of a 0-based line and a byte column in that line (as
    /// tree-sitter reports them), clamped to the line's end.
    pub fn position_of_byte_column(self, rope: &Rope, line: usize, byte_column: usize) -> Position {
        if line >= rope.len_lines() {
            return self.position(rope, rope.len_chars());
        }
        let mut bytes = 0;
        self.column_where(rope, line, |c| {
            let stop = bytes >= byte_column;
            bytes += c.len_utf8();
            stop
        })
    }

    /// The range between two (0-based line, byte column) places, as
    /// tree-sitter reports a name's: one walk of the line when both are on it.
    pub fn range_of_byte_columns(self, rope: &Rope, start: (usize, usize), end: (usize, usize)) -> Range {
        if start.0 != end.0 || start.0 >= rope.len_lines() {
            return Range {
                start: self.position_of_byte_column(rope, start.0, start.1),
                end: self.position_of_byte_column(rope, end.0, end.1),
            };
        }
        let (mut bytes, mut units, mut first) = (0, 0, None);
        for c in rope.line(start.0).chars() {
            if first.is_none() && bytes >= start.1 {
                first = Some(units);
            }
            if bytes >= end.1 || matches!(c, '\n' | '\r') {
                break;
            }
            bytes += c.len_utf8();
            units += self.units(c);
        }
        let line = start.0 as u32;
        Range {
            start: Position::new(line, first.unwrap_or(units) as u32),
            end: Position::new(line, units as u32),
        }
    }

    /// The range of a name the outline located (1-based lines, byte
    /// columns), such as a function's.
    pub fn name_range(self, rope: &Rope, start: crate::python::Position, end: crate::python::Position) -> Range {
        self.range_of_byte_columns(
            rope,
            (start.line as usize - 1, start.byte_column as usize),
            (end.line as usize - 1, end.byte_column as usize),
        )
    }

    fn units(self, c: char) -> usize {
        match self {
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf8 => c.len_utf8(),
        }
    }

    /// The end of line `line` (before its line break).
    pub fn line_end(self, rope: &Rope, line: usize) -> Position {
        if line >= rope.len_lines() {
            return self.position(rope, rope.len_chars());
        }
        self.column_where(rope, line, |_| false)
    }

    /// The first non-blank character of line `line`.
    pub fn line_indent_end(self, rope: &Rope, line: usize) -> Position {
        if line >= rope.len_lines() {
            return self.position(rope, rope.len_chars());
        }
        self.column_where(rope, line, |c| c != ' ' && c != '\t')
    }

    /// The position in line `line` of the first character `stop` accepts, or
    /// of the line's end. Walks only that line: positions of definitions and
    /// gaps are made for every publish, so they must not cost a rope-wide
    /// conversion each.
    fn column_where(self, rope: &Rope, line: usize, mut stop: impl FnMut(char) -> bool) -> Position {
        let mut units = 0;
        for c in rope.line(line).chars() {
            if matches!(c, '\n' | '\r') || stop(c) {
                break;
            }
            units += self.units(c);
        }
        Position {
            line: line as u32,
            character: units as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_counts_surrogate_pairs_utf8_counts_bytes() {
        // "é" is 1 UTF-16 unit and 2 bytes; "😀" is 2 units and 4 bytes.
        let rope = Rope::from_str("a = 'é😀x'\r\n\tb\rc\n");
        let x = rope.to_string().chars().position(|c| c == 'x').unwrap();
        assert_eq!(PositionEncoding::Utf16.position(&rope, x), pos(0, 8));
        assert_eq!(PositionEncoding::Utf8.position(&rope, x), pos(0, 11));
        assert_eq!(PositionEncoding::Utf16.char_index(&rope, pos(0, 8)), x);
        assert_eq!(PositionEncoding::Utf8.char_index(&rope, pos(0, 11)), x);
        // A tab is one unit; a lone \r ends a line.
        let b = rope.to_string().find('b').unwrap();
        let b = rope.byte_to_char(b);
        assert_eq!(PositionEncoding::Utf16.position(&rope, b), pos(1, 1));
        assert_eq!(PositionEncoding::Utf16.char_index(&rope, pos(2, 0)), b + 2);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\r\ncd");
        assert_eq!(
            PositionEncoding::Utf16.char_index(&rope, pos(0, 99)),
            2,
            "not past the line break"
        );
        assert_eq!(PositionEncoding::Utf16.char_index(&rope, pos(99, 0)), rope.len_chars());
        assert_eq!(PositionEncoding::Utf16.line_end(&rope, 0), pos(0, 2));
        assert_eq!(PositionEncoding::Utf16.position_of_byte_column(&rope, 7, 0), pos(1, 2));
    }

    #[test]
    fn byte_columns_from_tree_sitter() {
        let rope = Rope::from_str("def café(x): pass\ndef 😀():\n");
        // `x` is at byte 10 of line 0: "def café(" is 10 bytes.
        assert_eq!(PositionEncoding::Utf16.position_of_byte_column(&rope, 0, 10), pos(0, 9));
        assert_eq!(PositionEncoding::Utf16.line_indent_end(&rope, 1), pos(1, 0));
        // A name's range in one walk equals its two ends found apart, in both
        // encodings, also past the line's end.
        for enc in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            for (line, a, b) in [(0, 4, 9), (0, 9, 10), (1, 4, 8), (1, 8, 99), (1, 50, 60)] {
                let apart = Range {
                    start: enc.position_of_byte_column(&rope, line, a),
                    end: enc.position_of_byte_column(&rope, line, b),
                };
                assert_eq!(enc.range_of_byte_columns(&rope, (line, a), (line, b)), apart);
            }
        }
    }
}
