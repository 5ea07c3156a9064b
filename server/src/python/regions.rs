//! How coverage.py scopes a function's region, so that our lines match the
//! ones its report joins to each function.

use super::syntax::{end_line_of, line_of, statements};
use super::LineRange;
use tree_sitter::Node;

/// Whether coverage.py (7.5+) gives the definition at `node` a region of its
/// own: it looks for definitions only through `body` blocks (a function's,
/// a class's, an `if`'s first branch, a loop's, a `with`'s, a `try`'s), not
/// through `elif`, `else`, `except`, `finally` or `match` cases.
pub fn reached_through_bodies(node: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "module" | "function_definition" | "class_definition" => return true,
            "elif_clause"
            | "else_clause"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "case_clause" => return false,
            "if_statement"
                if current.kind() == "block" && parent.child_by_field_name("consequence") != Some(current) =>
            {
                return false
            }
            _ => {}
        }
        current = parent;
    }
    true
}

/// The lines a block's statements span, ignoring leading and trailing
/// comments (coverage.py scopes regions from the first to the last statement).
pub fn block_range(block: Node) -> LineRange {
    let mut first = None;
    let mut last = None;
    for stmt in statements(block) {
        if first.is_none() {
            first = Some(stmt);
        }
        last = Some(stmt);
    }
    match (first, last) {
        (Some(first), Some(last)) => LineRange {
            // Python's AST starts a decorated definition at its `def` or
            // `class` line; coverage.py's regions follow it, so the
            // decorators of a first statement belong to the enclosing scope.
            start: line_of(
                first
                    .child_by_field_name("definition")
                    .filter(|_| first.kind() == "decorated_definition")
                    .unwrap_or(first),
            ),
            end: end_line_of(last),
        },
        _ => LineRange {
            start: line_of(block),
            end: end_line_of(block),
        },
    }
}
