//! What a module binds at top level, read from its tree: definitions, type
//! aliases and tables of literals.

use super::syntax::{descendants, line_of, statements};
use super::Module;
use std::collections::HashMap;
use tree_sitter::Node;

/// How a module binds a top-level name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Function,
    Class,
    Variable,
}

/// A name the module itself defines at top level (imports excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub kind: DefKind,
    pub line: u32,
}

fn text(node: Node, src: &[u8]) -> String {
    String::from_utf8_lossy(&src[node.byte_range()]).into_owned()
}

/// Top-level functions and classes (from the model) and the names of
/// module-level assignments (`NAME = …`, `a, b = …`), by line.
pub fn definitions(model: &Module, root: Node, src: &[u8]) -> Vec<Definition> {
    let mut out = Vec::new();
    for function in &model.functions {
        if function.class.is_none() && function.parent_function.is_none() {
            out.push(Definition {
                name: function.name.clone(),
                kind: DefKind::Function,
                line: function.def_line,
            });
        }
    }
    for class in &model.classes {
        if !class.qualname.contains('.') {
            out.push(Definition {
                name: class.name.clone(),
                kind: DefKind::Class,
                line: class.def_line,
            });
        }
    }
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        let Some(left) = stmt
            .named_child(0)
            .filter(|n| n.kind() == "assignment")
            .and_then(|a| a.child_by_field_name("left"))
        else {
            continue;
        };
        for name in assigned_names(left, src) {
            if !out.iter().any(|d| d.name == name) {
                out.push(Definition {
                    name,
                    kind: DefKind::Variable,
                    line: line_of(stmt),
                });
            }
        }
    }
    out.sort_by_key(|d| d.line);
    out
}

/// The names an assignment's left side binds: `a`, `a, b`, `(a, *rest)`;
/// not `obj.attr` or `table[key]`, which bind no new name.
fn assigned_names(left: Node, src: &[u8]) -> Vec<String> {
    descendants(left)
        .filter(|n| n.kind() == "identifier")
        .filter(|n| {
            !n.parent()
                .is_some_and(|p| p.kind() == "attribute" || p.kind() == "subscript")
        })
        .map(|n| text(n, src))
        .collect()
}

/// Every name bound at module level, sorted: definitions, assignments and
/// imports, also under a module-level `if`, `try` or `with`
/// (`try: import x except ImportError: ...`).
pub fn top_level_names(root: Node, src: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending: Vec<Node> = statements(root).collect();
    while let Some(stmt) = pending.pop() {
        match stmt.kind() {
            "function_definition" | "class_definition" => {
                names.extend(stmt.child_by_field_name("name").map(|n| text(n, src)));
            }
            "decorated_definition" => pending.extend(stmt.child_by_field_name("definition")),
            "expression_statement" => {
                let mut cursor = stmt.walk();
                for child in stmt.named_children(&mut cursor) {
                    if let Some(left) = child
                        .child_by_field_name("left")
                        .filter(|_| child.kind() == "assignment")
                    {
                        names.extend(assigned_names(left, src));
                    }
                }
            }
            "import_statement" | "import_from_statement" => {
                if let Some(import) = super::imports::statement(stmt, src) {
                    names.extend(import.names.iter().map(|n| n.bound().to_string()));
                }
            }
            "if_statement" | "try_statement" | "elif_clause" | "else_clause" | "except_clause" | "finally_clause"
            | "with_statement" | "block" => {
                let mut cursor = stmt.walk();
                for child in stmt.named_children(&mut cursor) {
                    let nested = matches!(
                        child.kind(),
                        "block" | "elif_clause" | "else_clause" | "except_clause" | "finally_clause"
                    );
                    if nested || stmt.kind() == "block" {
                        pending.push(child);
                    }
                }
            }
            _ => {}
        }
    }
    names.sort();
    names.dedup();
    names
}

/// `Name = Generic[...]`, `Name = A | B`, `Name: TypeAlias = …` and
/// `type Name = …` at module level: name ↦ the aliased type's text.
pub fn aliases(root: Node, src: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for stmt in module_statements(root) {
        match stmt.kind() {
            "expression_statement" => {
                let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
                    continue;
                };
                let (Some(left), Some(right)) =
                    (assign.child_by_field_name("left"), assign.child_by_field_name("right"))
                else {
                    continue;
                };
                let declared = assign
                    .child_by_field_name("type")
                    .is_some_and(|t| text(t, src).ends_with("TypeAlias"));
                let looks_like_type = matches!(right.kind(), "subscript" | "generic_type")
                    || (right.kind() == "binary_operator" && text(right, src).contains('|'));
                if left.kind() == "identifier" && (declared || looks_like_type) {
                    out.insert(text(left, src), text(right, src));
                }
            }
            "type_alias_statement" => {
                let mut parts = stmt.walk();
                let named: Vec<Node> = stmt.named_children(&mut parts).collect();
                if let [name, value, ..] = named[..] {
                    out.insert(text(name, src), text(value, src));
                }
            }
            _ => {}
        }
    }
    out
}

/// Literal keys of module-level dicts and members of module-level tuples,
/// lists, sets and frozensets (`frozenset({...})` too), in source order:
/// `UNITS = {"kb": 1, …}` → UNITS ↦ `["\"kb\"", …]`.
pub fn tables(root: Node, src: &[u8]) -> HashMap<String, Vec<String>> {
    let literal = |n: Node| matches!(n.kind(), "string" | "integer" | "float" | "true" | "false");
    let mut out = HashMap::new();
    for stmt in module_statements(root) {
        let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
            continue;
        };
        let (Some(left), Some(mut right)) = (assign.child_by_field_name("left"), assign.child_by_field_name("right"))
        else {
            continue;
        };
        if left.kind() != "identifier" {
            continue;
        }
        if right.kind() == "call" {
            // `frozenset({...})`, `set([...])`, `dict({...})`
            let Some(inner) = right
                .child_by_field_name("arguments")
                .filter(|a| a.named_child_count() == 1)
                .and_then(|a| a.named_child(0))
            else {
                continue;
            };
            right = inner;
        }
        let mut keys = Vec::new();
        let mut cursor = right.walk();
        match right.kind() {
            "dictionary" => {
                for pair in right.named_children(&mut cursor).filter(|n| n.kind() == "pair") {
                    if let Some(key) = pair.child_by_field_name("key").filter(|k| literal(*k)) {
                        keys.push(text(key, src));
                    }
                }
            }
            "tuple" | "list" | "set" => {
                keys.extend(
                    right
                        .named_children(&mut cursor)
                        .filter(|n| literal(*n))
                        .map(|n| text(n, src)),
                );
            }
            _ => {}
        }
        if !keys.is_empty() {
            out.insert(text(left, src), keys);
        }
    }
    out
}

/// The statements run at module level: the module's own, and those inside
/// its `if` and `try` blocks (`if TYPE_CHECKING:` holds many aliases).
fn module_statements(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut blocks = vec![root];
    while let Some(block) = blocks.pop() {
        let mut cursor = block.walk();
        for stmt in block.named_children(&mut cursor) {
            match stmt.kind() {
                "if_statement" | "try_statement" | "elif_clause" | "else_clause" | "except_clause"
                | "finally_clause" => {
                    let mut inner = stmt.walk();
                    for part in stmt.named_children(&mut inner) {
                        if part.kind() == "block" {
                            blocks.push(part);
                        } else if matches!(
                            part.kind(),
                            "elif_clause" | "else_clause" | "except_clause" | "finally_clause"
                        ) {
                            let mut clause = part.walk();
                            blocks.extend(part.named_children(&mut clause).filter(|n| n.kind() == "block"));
                        }
                    }
                }
                _ => out.push(stmt),
            }
        }
    }
    out
}
