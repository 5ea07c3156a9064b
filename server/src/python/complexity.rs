//! Cyclomatic complexity, counted per function.
//!
//! The rule: a function starts at 1 and gains 1 for each `if` and `elif`,
//! each `for` and `while` loop (`async for` too), each `except` clause, each
//! boolean operator (`a and b or c` adds 2), each conditional expression
//! (`x if c else y`), each `if` inside a comprehension, and each `case` of a
//! `match`. `else`, `try`, `finally`, `with` and `assert` add nothing. Code in
//! nested functions and classes counts for them, not for the enclosing
//! function.

use tree_sitter::Node;

/// What one syntax node adds to its function's complexity.
pub fn increment(node: Node) -> u32 {
    match node.kind() {
        "if_statement"
        | "elif_clause"
        | "for_statement"
        | "while_statement"
        | "except_clause"
        | "except_group_clause"
        | "boolean_operator"
        | "conditional_expression"
        | "if_clause"
        | "case_clause" => 1,
        _ => 0,
    }
}
