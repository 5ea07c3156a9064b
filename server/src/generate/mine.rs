//! Boundaries mined from a function's body, beyond what the module analysis
//! records: comparisons on `self.field` (they steer constructor arguments)
//! and on a parameter passed through a string normaliser
//! (`code.upper() == "VIP"`, `match code.lower(): case "a"`).

use crate::python::conditions::{self, Rules};
use crate::python::syntax::find_def;
use crate::python::{Comparison, Function};
use tree_sitter::Node;

/// Methods that keep a literal recognisable: `x.upper() == "A"` is met by "A".
const NORMALISERS: &[&str] = &["upper", "lower", "strip", "lstrip", "rstrip", "casefold", "title"];

/// Comparisons in `function`'s body (not in nested functions) whose subject
/// is a parameter, `len(parameter)`, a normalised parameter, or an attribute
/// of the first parameter (`self.qty`, reported as param `self.qty`).
pub fn comparisons(root: Node, src: &[u8], function: &Function) -> Vec<Comparison> {
    let Some(def) = find_def(root, src, function) else {
        return Vec::new();
    };
    let params: Vec<String> = function.params.iter().map(|p| p.name.clone()).collect();
    let receiver = match (&function.class, params.first()) {
        (Some(_), Some(first)) => Some(first.clone()),
        _ => None,
    };
    let miner = Miner { src, params, receiver };
    let mut out = Vec::new();
    if let Some(body) = def.child_by_field_name("body") {
        miner.walk(body, &mut out);
    }
    out
}

struct Miner<'s> {
    src: &'s [u8],
    params: Vec<String>,
    receiver: Option<String>,
}

impl Miner<'_> {
    fn text(&self, node: Node) -> String {
        node.utf8_text(self.src).unwrap_or("").to_string()
    }

    fn walk(&self, node: Node, out: &mut Vec<Comparison>) {
        match node.kind() {
            "function_definition" | "class_definition" | "lambda" => return,
            "comparison_operator" => self.comparison(node, out),
            "call" => self.affix(node, out),
            "match_statement" => self.match_statement(node, out),
            _ => {}
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.walk(child, out);
        }
    }

    /// (param, on_length) for a comparison operand this miner adds.
    fn subject(&self, node: Node) -> Option<(String, bool)> {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                self.params.contains(&name).then_some((name, false))
            }
            "parenthesized_expression" => self.subject(node.named_child(0)?),
            "attribute" => {
                let object = node.child_by_field_name("object")?;
                let attr = node.child_by_field_name("attribute")?;
                let receiver = self.receiver.as_deref()?;
                (object.kind() == "identifier" && self.text(object) == receiver)
                    .then(|| (format!("{receiver}.{}", self.text(attr)), false))
            }
            "call" => {
                let func = node.child_by_field_name("function")?;
                let args = node.child_by_field_name("arguments")?;
                if func.kind() == "identifier" && self.text(func) == "len" {
                    if args.named_child_count() != 1 {
                        return None;
                    }
                    let inner = args.named_child(0)?;
                    let (name, _) = self.plain_or_attribute(inner)?;
                    return Some((name, true));
                }
                if func.kind() != "attribute" || args.named_child_count() != 0 {
                    return None;
                }
                let method = self.text(func.child_by_field_name("attribute")?);
                if !NORMALISERS.contains(&method.as_str()) {
                    return None;
                }
                self.plain_or_attribute(func.child_by_field_name("object")?)
            }
            _ => None,
        }
    }

    fn plain_or_attribute(&self, node: Node) -> Option<(String, bool)> {
        matches!(node.kind(), "identifier" | "attribute")
            .then(|| self.subject(node))
            .flatten()
    }

    /// Literal texts (implicitly joined strings are not matched).
    /// Literal texts (implicitly joined strings are not matched).
    fn literals(&self, node: Node, collection: bool) -> Option<Vec<String>> {
        conditions::literal_texts(node, self.src, collection, false)
    }

    fn comparison(&self, node: Node, out: &mut Vec<Comparison>) {
        let rules = Rules {
            concatenated_strings: false,
            containment: true,
        };
        out.extend(conditions::comparisons(node, self.src, &|n| self.subject(n), rules));
    }

    /// `name.startswith("#")`, `path.endswith((".py", ".pyi"))`: values with
    /// and without the affix.
    fn affix(&self, node: Node, out: &mut Vec<Comparison>) {
        let Some(func) = node.child_by_field_name("function").filter(|f| f.kind() == "attribute") else {
            return;
        };
        let (Some(object), Some(method), Some(args)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("attribute"),
            node.child_by_field_name("arguments"),
        ) else {
            return;
        };
        let op = self.text(method);
        if !matches!(op.as_str(), "startswith" | "endswith") || args.named_child_count() != 1 {
            return;
        }
        let (Some((param, false)), Some(literals)) = (
            self.subject(object),
            args.named_child(0).and_then(|a| self.literals(a, true)),
        ) else {
            return;
        };
        out.push(Comparison {
            param,
            on_length: false,
            op,
            literals,
            line: node.start_position().row as u32 + 1,
        });
    }

    fn match_statement(&self, node: Node, out: &mut Vec<Comparison>) {
        out.extend(conditions::match_cases(node, self.src, &|n| self.subject(n)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python;

    fn mined(src: &str, qualname: &str) -> Vec<String> {
        let mut parser = python::parser();
        let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
        let module = python::analyze_tree(&tree, src.as_bytes());
        let f = module.functions.iter().find(|f| f.qualname == qualname).unwrap();
        comparisons(tree.root_node(), src.as_bytes(), f)
            .iter()
            .map(|c| {
                let len = if c.on_length { "len " } else { "" };
                format!("{len}{} {} {}", c.param, c.op, c.literals.join(","))
            })
            .collect()
    }

    #[test]
    fn self_fields_and_normalised_strings() {
        let src = r##"
class Item:
    def __post_init__(self):
        if self.qty <= 0:
            raise ValueError
        if len(self.tags) > 3:
            pass

def coupon(code, n):
    match code.upper():
        case "WELCOME10" if n:
            pass
        case "SUMMER":
            pass
    if code.strip() in ("a", "b"):
        def inner(x):
            return x == 99
    if "@" not in code or 0 < n:
        pass
    if code.endswith(("ies", "es")) or code.lower().startswith("#"):
        pass
    return n > 10
"##;
        assert_eq!(mined(src, "Item.__post_init__"), ["self.qty <= 0", "len self.tags > 3"]);
        assert_eq!(
            mined(src, "coupon"),
            [
                "code case \"WELCOME10\",\"SUMMER\"",
                "code in \"a\",\"b\"",
                "code contains \"@\"",
                "n > 0",
                "code endswith \"ies\",\"es\"",
                "code startswith \"#\"",
                "n > 10"
            ]
        );
    }
}
