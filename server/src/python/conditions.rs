//! Conditions that compare a subject with literals: `n > 10`,
//! `code in ("EU", "US")`, `0 < len(items)`, `match fmt: case "csv"`. One
//! reader for the module model and for generate's mining; the caller says
//! what counts as a subject (a parameter, `len(parameter)`, `self.field`).

use super::syntax::line_of;
use super::Comparison;
use tree_sitter::Node;

/// What a subject operand is: the name it reports and whether it is the
/// length of that name (`len(items)`), or `None` for any other operand.
pub type Subject<'a> = dyn Fn(Node) -> Option<(String, bool)> + 'a;

/// Which literals and which forms a reader accepts.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Implicitly joined strings (`"a" "b"`) count as literals.
    pub concatenated_strings: bool,
    /// `"@" in sender` is read as `sender contains "@"`; without it, a
    /// literal left of `in` is passed over.
    pub containment: bool,
}

/// The comparisons of one `comparison_operator` node between a subject and
/// literals, in either order (`0 < n` is read as `n > 0`).
pub fn comparisons(node: Node, src: &[u8], subject: &Subject, rules: Rules) -> Vec<Comparison> {
    let (operands, ops) = comparison_parts(node);
    let literals = |n: Node, collection: bool| literal_texts(n, src, collection, rules.concatenated_strings);
    let line = line_of(node);
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let (Some(&left), Some(&right)) = (operands.get(i), operands.get(i + 1)) else {
            break;
        };
        let membership = matches!(*op, "in" | "not in");
        let comparison = |(param, on_length): (String, bool), op: &str, literals: Vec<String>| Comparison {
            param,
            on_length,
            op: op.to_string(),
            literals,
            line,
        };
        if let (Some(subject), Some(found)) = (subject(left), literals(right, membership)) {
            out.push(comparison(subject, op, found));
        } else if let (Some(found), Some(subject)) = (literals(left, false), subject(right)) {
            match (membership, rules.containment, subject.1) {
                // `"@" in sender`: the subject should (not) contain it.
                (true, true, false) => out.push(comparison(subject, "contains", found)),
                (true, false, _) => {}
                _ => out.push(comparison(subject, flipped(op), found)),
            }
        }
    }
    out
}

/// `match subject:` with literal `case` patterns: one comparison with op
/// `case` and every pattern literal in source order.
pub fn match_cases(node: Node, src: &[u8], subject: &Subject) -> Option<Comparison> {
    let (param, on_length) = subject(node.child_by_field_name("subject")?)?;
    let body = node.child_by_field_name("body")?;
    let mut literals = Vec::new();
    let mut cursor = body.walk();
    let clauses: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "case_clause")
        .collect();
    for clause in clauses {
        let mut cursor = clause.walk();
        let patterns: Vec<Node> = clause
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "case_pattern")
            .collect();
        for pattern in patterns {
            pattern_literals(pattern, src, &mut literals);
        }
    }
    (!literals.is_empty()).then(|| Comparison {
        param,
        on_length,
        op: "case".to_string(),
        literals,
        line: line_of(node),
    })
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
fn flipped(op: &str) -> &str {
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
fn pattern_literals(node: Node, src: &[u8], out: &mut Vec<String>) {
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
