//! A test file's text and tree-sitter tree, with the lookups fixers need
//! (imports, calls, asserts, names in a scope, string literals) and text
//! edits on byte ranges.

// Fixers build their edits from here; the type is the core's one edit.
pub use crate::edit::{apply_edits, TextEdit};
use std::ops::Range;
use tree_sitter::{Node, Tree};

/// Parsed Python source.
pub struct Source {
    pub text: String,
    pub tree: Tree,
}

pub use crate::python::imports::{Import, ImportedName};

impl Source {
    pub fn parse(text: impl Into<String>) -> Source {
        let text = text.into();
        let mut parser = crate::python::parser();
        let tree = parser
            .parse(&text, None)
            .expect("tree-sitter parses any text when no timeout or cancellation is set");
        Source { text, tree }
    }

    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    pub fn text_of(&self, node: Node) -> &str {
        &self.text[node.byte_range()]
    }

    /// Whether the parser found errors (a candidate must never add any).
    pub fn has_errors(&self) -> bool {
        self.root().has_error()
    }

    /// The line ending the file uses.
    pub fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Byte offset of the start of 1-based `line`.
    pub fn line_start(&self, line: u32) -> usize {
        if line <= 1 {
            return 0;
        }
        let mut seen = 1;
        for (i, b) in self.text.bytes().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == line {
                    return i + 1;
                }
            }
        }
        self.text.len()
    }

    /// Byte offset just after the newline ending the line `offset` is on.
    pub fn end_of_line(&self, offset: usize) -> usize {
        match self.text[offset..].find('\n') {
            Some(i) => offset + i + 1,
            None => self.text.len(),
        }
    }

    /// The whitespace that starts the line `offset` is on.
    pub fn indentation_at(&self, offset: usize) -> &str {
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.text[start..];
        let width = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[..width]
    }

    /// Every import statement, at any depth, in source order.
    pub fn imports(&self) -> Vec<Import<'_>> {
        crate::python::imports::statements(self.root(), self.text.as_bytes())
    }

    /// The innermost node of `kind` whose lines include `line`.
    pub fn innermost_at_line(&self, kind: &str, line: u32) -> Option<Node<'_>> {
        descendants(self.root())
            .filter(|n| n.kind() == kind && line_of(*n) <= line && line <= end_line_of(*n))
            .min_by_key(|n| n.byte_range().len())
    }

    /// The function definition named `name` inside `classes` (outermost
    /// first), e.g. `TestCart::test_add` → `["TestCart"]`, `"test_add"`.
    pub fn find_function(&self, classes: &[&str], name: &str) -> Option<Node<'_>> {
        let mut scope = self.root();
        for class in classes {
            scope = definitions(scope)
                .into_iter()
                .find(|d| d.kind() == "class_definition" && self.def_name(*d) == Some(class))?
                .child_by_field_name("body")?;
        }
        definitions(scope)
            .into_iter()
            .find(|d| d.kind() == "function_definition" && self.def_name(*d) == Some(name))
    }

    /// The function definition enclosing `line` that is outermost below the
    /// module or a class (a test function or method), with its decorators.
    pub fn test_function_at(&self, line: u32) -> Option<Node<'_>> {
        let node = self.innermost_at_line("function_definition", line)?;
        let mut outer = node;
        let mut current = node;
        while let Some(parent) = current.parent() {
            if parent.kind() == "function_definition" {
                outer = parent;
            }
            current = parent;
        }
        Some(with_decorators(outer))
    }

    pub fn def_name(&self, def: Node) -> Option<&str> {
        def.child_by_field_name("name").map(|n| self.text_of(n))
    }

    /// Calls in `scope` whose callee ends in `name` (`f(...)`, `x.f(...)`)
    /// and whose lines include `line` (any line when `None`).
    pub fn calls_named<'a>(&'a self, scope: Node<'a>, name: &str, line: Option<u32>) -> Vec<Node<'a>> {
        descendants(scope)
            .filter(|n| n.kind() == "call")
            .filter(|n| line.is_none_or(|l| line_of(*n) <= l && l <= end_line_of(*n)))
            .filter(|n| {
                n.child_by_field_name("function")
                    .is_some_and(|f| self.callee_name(f) == Some(name))
            })
            .collect()
    }

    /// The last identifier of a callee expression (`f`, `a.b.f` → `f`).
    pub fn callee_name<'a>(&'a self, function: Node<'a>) -> Option<&'a str> {
        match function.kind() {
            "identifier" => Some(self.text_of(function)),
            "attribute" => function.child_by_field_name("attribute").map(|a| self.text_of(a)),
            _ => None,
        }
    }

    /// Identifiers in `scope` that refer to the variable `name`: not
    /// attribute names (`x.name`), keyword names (`f(name=…)`), or names
    /// inside import statements.
    pub fn name_uses<'a>(&'a self, scope: Node<'a>, name: &str) -> Vec<Node<'a>> {
        descendants(scope)
            .filter(|n| n.kind() == "identifier" && self.text_of(*n) == name)
            .filter(|n| !is_attribute_name(*n) && !is_keyword_name(*n) && !inside_import(*n))
            .collect()
    }

    /// Plain string literals in `scope` (no f-strings, no escapes) and their
    /// content ranges.
    pub fn plain_strings<'a>(&'a self, scope: Node<'a>) -> Vec<(Node<'a>, Range<usize>, &'a str)> {
        let mut out = Vec::new();
        for node in descendants(scope).filter(|n| n.kind() == "string") {
            if let Some(range) = plain_string_content(self, node) {
                out.push((node, range.clone(), &self.text[range]));
            }
        }
        out
    }

    /// The quote character most string literals in the file use.
    pub fn preferred_quote(&self) -> char {
        let (mut single, mut double) = (0, 0);
        for node in descendants(self.root()).filter(|n| n.kind() == "string_start") {
            let text = self.text_of(node);
            if text.ends_with("\"\"\"") || text.ends_with("'''") {
                continue; // docstrings say nothing about the style of literals
            }
            if text.ends_with('\'') {
                single += 1;
            } else if text.ends_with('"') {
                double += 1;
            }
        }
        if single > double {
            '\''
        } else {
            '"'
        }
    }
}

/// The content range of a string literal without prefixes other than `r`/`u`
/// and without escapes or interpolations.
fn plain_string_content(src: &Source, node: Node) -> Option<Range<usize>> {
    let start = node.child(0).filter(|c| c.kind() == "string_start")?;
    let end = node.child(node.child_count().checked_sub(1)?)?;
    if end.kind() != "string_end" {
        return None;
    }
    let prefix = src.text_of(start).trim_end_matches(['"', '\'']).to_ascii_lowercase();
    if !(prefix.is_empty() || prefix == "u" || prefix == "r") {
        return None;
    }
    let mut cursor = node.walk();
    let plain = node
        .children(&mut cursor)
        .all(|c| matches!(c.kind(), "string_start" | "string_content" | "string_end"));
    let range = start.end_byte()..end.start_byte();
    (plain && !src.text[range.clone()].contains('\\')).then_some(range)
}

fn is_attribute_name(node: Node) -> bool {
    node.parent().is_some_and(|p| {
        p.kind() == "attribute" && p.child_by_field_name("attribute").is_some_and(|a| a.id() == node.id())
    })
}

fn is_keyword_name(node: Node) -> bool {
    node.parent().is_some_and(|p| {
        p.kind() == "keyword_argument" && p.child_by_field_name("name").is_some_and(|a| a.id() == node.id())
    })
}

fn inside_import(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if matches!(
            n.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        ) {
            return true;
        }
        current = n.parent();
    }
    false
}

/// A definition node together with its decorators, when it has any.
pub fn with_decorators(def: Node) -> Node {
    match def.parent() {
        Some(p) if p.kind() == "decorated_definition" => p,
        _ => def,
    }
}

/// Function and class definitions directly in a block (or the module),
/// looking through decorators.
fn definitions(block: Node) -> Vec<Node> {
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter_map(|n| match n.kind() {
            "decorated_definition" => n.child_by_field_name("definition"),
            "function_definition" | "class_definition" => Some(n),
            _ => None,
        })
        .collect()
}

pub use crate::python::syntax::{descendants, end_line_of, line_of};

/// The operands of a call's argument list: positional ones and keyword
/// ones, with `*`/`**` splats reported as such.
#[derive(Debug, Clone)]
pub struct CallArgs<'t> {
    pub list: Node<'t>,
    pub positional: Vec<Node<'t>>,
    /// `(name node, value node, whole keyword_argument node)`.
    pub keywords: Vec<(Node<'t>, Node<'t>, Node<'t>)>,
    pub has_splat: bool,
}

pub fn call_args<'t>(call: Node<'t>) -> Option<CallArgs<'t>> {
    let list = call.child_by_field_name("arguments")?;
    if list.kind() != "argument_list" {
        return None;
    }
    let mut args = CallArgs {
        list,
        positional: Vec::new(),
        keywords: Vec::new(),
        has_splat: false,
    };
    let mut cursor = list.walk();
    for child in list.named_children(&mut cursor) {
        match child.kind() {
            // Comments and line continuations.
            _ if child.is_extra() => {}
            "keyword_argument" => {
                if let (Some(name), Some(value)) =
                    (child.child_by_field_name("name"), child.child_by_field_name("value"))
                {
                    args.keywords.push((name, value, child));
                }
            }
            "list_splat" | "dictionary_splat" => args.has_splat = true,
            _ => args.positional.push(child),
        }
    }
    Some(args)
}

/// The edit that removes one argument (with its separating comma) from an
/// argument list.
pub fn remove_argument(src: &Source, arg: Node) -> TextEdit {
    let text = &src.text;
    let (start, end) = (arg.start_byte(), arg.end_byte());
    let after = &text[end..];
    let after_ws = after.trim_start_matches([' ', '\t']);
    if let Some(rest) = after_ws.strip_prefix(',') {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let rest_ws = rest.trim_start_matches([' ', '\t']);
        if text[line_start..start].trim().is_empty() && rest_ws.starts_with(['\n', '\r']) {
            // One argument per line: the whole line goes.
            return TextEdit::replace(line_start..src.end_of_line(end), "");
        }
        let comma_end = end + (after.len() - rest.len());
        if rest_ws.starts_with(['\n', '\r']) {
            // Last on its line: the spaces before it go, not the line break.
            let lead = start - text[..start].trim_end_matches([' ', '\t']).len();
            return TextEdit::replace(start - lead..comma_end, "");
        }
        let spaces = rest.len() - rest_ws.len();
        return TextEdit::replace(start..comma_end + spaces, "");
    }
    let before = text[..start].trim_end();
    match before.strip_suffix(',') {
        Some(kept) => TextEdit::replace(kept.len()..end, ""),
        None => TextEdit::replace(start..end, ""),
    }
}

/// The edit that adds `argument` (source text) at the end of a call's
/// arguments, in the list's layout (one per line when it is laid out so).
pub fn append_argument(src: &Source, args: &CallArgs, argument: &str) -> TextEdit {
    let list = args.list;
    let close = list.end_byte() - 1; // the `)`
    let mut cursor = list.walk();
    let last = list.named_children(&mut cursor).filter(|c| !c.is_extra()).last();
    let Some(last) = last else {
        return TextEdit::insert(close, argument);
    };
    let between = &src.text[last.end_byte()..close];
    let trailing_comma = between.trim_start().starts_with(',');
    let multiline = between.contains('\n');
    if multiline {
        let indent = src.indentation_at(last.start_byte()).to_string();
        let newline = src.newline();
        if trailing_comma {
            let comma = last.end_byte() + between.find(',').unwrap_or(0) + 1;
            TextEdit::insert(comma, format!("{newline}{indent}{argument},"))
        } else {
            TextEdit::insert(last.end_byte(), format!(",{newline}{indent}{argument}"))
        }
    } else if trailing_comma {
        let comma = last.end_byte() + between.find(',').unwrap_or(0) + 1;
        TextEdit::insert(comma, format!(" {argument}"))
    } else {
        TextEdit::insert(last.end_byte(), format!(", {argument}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit_call(src: &str, f: impl Fn(&Source, &CallArgs) -> TextEdit) -> String {
        let source = Source::parse(src);
        let call = descendants(source.root()).find(|n| n.kind() == "call").unwrap();
        let args = call_args(call).unwrap();
        let edit = f(&source, &args);
        apply_edits(src, &[edit]).unwrap()
    }

    #[test]
    fn imports_and_their_names() {
        let src = Source::parse("from .a.b import c as d, e\nimport p.q as r, s\n");
        let imports = src.imports();
        assert_eq!(imports.len(), 2);
        assert_eq!(imports[0].from_module.as_deref(), Some(".a.b"));
        let bound: Vec<&str> = imports[0].names.iter().map(|n| n.bound()).collect();
        assert_eq!(bound, ["d", "e"]);
        let bound: Vec<&str> = imports[1].names.iter().map(|n| n.bound()).collect();
        assert_eq!(bound, ["r", "s"]);
        assert_eq!(imports[1].line, 2);
    }

    #[test]
    fn name_uses_skip_attributes_keywords_and_imports() {
        let src = Source::parse("from m import db\n\ndef test(db):\n    x.db = db\n    f(db=db)\n");
        let uses: Vec<u32> = src.name_uses(src.root(), "db").iter().map(|n| line_of(*n)).collect();
        assert_eq!(uses, [3, 4, 5]);
    }

    #[test]
    fn plain_strings_only() {
        let src = Source::parse("a = 'x.y'\nb = f'{a}'\nc = b'z'\nd = 'a\\n'\ne = r\"q\"\n");
        let texts: Vec<&str> = src.plain_strings(src.root()).iter().map(|s| s.2).collect();
        assert_eq!(texts, ["x.y", "q"]);
    }

    #[test]
    fn appending_arguments_keeps_the_layout() {
        assert_eq!(
            edit_call("f(1, 2)\n", |s, a| append_argument(s, a, "c=3")),
            "f(1, 2, c=3)\n"
        );
        assert_eq!(edit_call("f()\n", |s, a| append_argument(s, a, "c=3")), "f(c=3)\n");
        assert_eq!(
            edit_call("f(\n    1,\n    2,\n)\n", |s, a| append_argument(s, a, "c=3")),
            "f(\n    1,\n    2,\n    c=3,\n)\n"
        );
        assert_eq!(
            edit_call("f(\n    1,\n    2\n)\n", |s, a| append_argument(s, a, "c=3")),
            "f(\n    1,\n    2,\n    c=3\n)\n"
        );
    }

    #[test]
    fn removing_arguments() {
        assert_eq!(
            edit_call("f(1, 2, 3)\n", |s, a| remove_argument(s, a.positional[1])),
            "f(1, 3)\n"
        );
        assert_eq!(
            edit_call("f(1, 2, 3)\n", |s, a| remove_argument(s, a.positional[2])),
            "f(1, 2)\n"
        );
        assert_eq!(edit_call("f(1)\n", |s, a| remove_argument(s, a.positional[0])), "f()\n");
        assert_eq!(
            edit_call("f(\n    1,\n    2,\n)\n", |s, a| remove_argument(s, a.positional[0])),
            "f(\n    2,\n)\n"
        );
    }

    #[test]
    fn functions_by_class_path() {
        let src = Source::parse("class TestA:\n    def test_x(self):\n        pass\n\ndef test_x():\n    pass\n");
        let method = src.find_function(&["TestA"], "test_x").unwrap();
        assert_eq!(line_of(method), 2);
        let function = src.find_function(&[], "test_x").unwrap();
        assert_eq!(line_of(function), 5);
        assert_eq!(line_of(src.test_function_at(3).unwrap()), 2);
    }
}
