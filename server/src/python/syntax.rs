//! Small readings of a tree-sitter Python tree shared by every room: lines,
//! a walk without recursion, finding a function's definition.

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

/// Statements of a block, without comments.
pub fn statements(block: Node) -> impl Iterator<Item = Node> {
    let mut cursor = block.walk();
    let children: Vec<Node> = block.named_children(&mut cursor).collect();
    children.into_iter().filter(|n| n.kind() != "comment")
}
