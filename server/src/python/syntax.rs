//! Small readings of a tree-sitter Python tree shared by every room: lines,
//! a walk without recursion, finding a function's definition, and the parts
//! of a comparison.

use super::Function;
use tree_sitter::Node;

/// 1-based first line.
pub fn line_of(node: Node) -> u32 {
    node.start_position().row as u32 + 1
}

/// 1-based last line. A node ending at column 0 ends on the previous line
/// (its newline).
pub fn end_line_of(node: Node) -> u32 {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row as u32
    } else {
        end.row as u32 + 1
    }
}

/// Every node below (and including) `node`, in document order, without
/// recursion (generated code nests deeper than the stack allows).
pub fn descendants(node: Node) -> impl Iterator<Item = Node> {
    let mut stack = vec![node];
    std::iter::from_fn(move || {
        let next = stack.pop()?;
        let mut cursor = next.walk();
        let children: Vec<Node> = next.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
        Some(next)
    })
}

/// The `function_definition` node of `function` (found by its `def` line
/// and name), descending only into nodes that span that line.
pub fn find_def<'t>(root: Node<'t>, src: &[u8], function: &Function) -> Option<Node<'t>> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == "function_definition"
            && line_of(node) == function.def_line
            && node.child_by_field_name("name").and_then(|n| n.utf8_text(src).ok()) == Some(function.name.as_str())
        {
            return Some(node);
        }
        let last = node.end_position().row as u32 + 1;
        if line_of(node) <= function.def_line && function.def_line <= last {
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }
    None
}

/// A `comparison_operator` node's operands (comments left out) and the
/// operators between them: `a < b <= c` → `[a, b, c]`, `["<", "<="]`
/// (`not in` and `is not` come as single operators).
pub fn comparison_parts(node: Node) -> (Vec<Node>, Vec<&'static str>) {
    let mut operands = Vec::new();
    let mut ops = Vec::new();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.is_named() {
            if child.kind() != "comment" {
                operands.push(child);
            }
        } else {
            ops.push(child.kind());
        }
    }
    (operands, ops)
}

/// The operator with its operands swapped: `0 < n` is `n > 0`.
pub fn flipped(op: &str) -> &str {
    match op {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        other => other,
    }
}

/// Literal source texts of a comparison operand: one for a scalar (a
/// negative number too), one per member for a tuple, list or set of scalars
/// when `collection` allows it. `concatenated` admits implicitly joined
/// strings (`"a" "b"`).
pub fn literal_texts(node: Node, src: &[u8], collection: bool, concatenated: bool) -> Option<Vec<String>> {
    let text = |n: Node| String::from_utf8_lossy(&src[n.byte_range()]).into_owned();
    match node.kind() {
        "integer" | "float" | "string" | "true" | "false" | "none" => Some(vec![text(node)]),
        "concatenated_string" if concatenated => Some(vec![text(node)]),
        "unary_operator" => {
            let operand = node.child_by_field_name("argument")?;
            matches!(operand.kind(), "integer" | "float").then(|| vec![text(node)])
        }
        "tuple" | "list" | "set" if collection => {
            let mut cursor = node.walk();
            let members: Vec<Node> = node.named_children(&mut cursor).collect();
            let mut out = Vec::new();
            for member in members {
                out.extend(literal_texts(member, src, false, concatenated)?);
            }
            Some(out)
        }
        "parenthesized_expression" => literal_texts(node.named_child(0)?, src, collection, concatenated),
        _ => None,
    }
}

/// Literal texts of a `case` pattern, in source order (guards and bodies are
/// not patterns).
pub fn pattern_literals(node: Node, src: &[u8], out: &mut Vec<String>) {
    match node.kind() {
        "string" | "integer" | "float" | "true" | "false" | "none" => {
            out.push(String::from_utf8_lossy(&src[node.byte_range()]).into_owned())
        }
        "case_pattern" | "union_pattern" | "as_pattern" => {
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            for child in children {
                pattern_literals(child, src, out);
            }
        }
        _ => {}
    }
}
