//! What a function's body does with each parameter, for parameters no
//! annotation describes: the types it checks with `isinstance`, and the
//! shape its uses imply (`d.items()` → a mapping, `func(x)` → a callable,
//! `for x in seq` → an iterable, `n + 1` → a number).

use crate::python::conditions::comparison_parts;
use crate::python::syntax::find_def;
use crate::python::Function;
use std::collections::BTreeMap;
use tree_sitter::Node;

/// The kind of value a parameter's uses call for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    // Ordered from the most telling use to the least.
    Mapping,
    Text,
    Bytes,
    Callable,
    Sequence,
    Number,
    Iterable,
}

/// The evidence about one parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    /// Type expressions of `isinstance(param, T)` checks, in source order.
    pub checked: Vec<String>,
    /// Every shape a use implies, each once.
    pub shapes: Vec<Shape>,
    /// Module-level names the parameter is looked up in: `UNITS[p]`,
    /// `Unit[p.upper()]`, `TABLE.get(p)`, `p in NAMES`, with the string
    /// method applied to it first, if any (`upper`).
    pub lookups: Vec<(String, Option<String>)>,
}

impl Usage {
    /// The most telling shape.
    pub fn shape(&self) -> Option<Shape> {
        self.shapes.iter().min().copied()
    }
}

const MAPPING_METHODS: &[&str] = &["items", "keys", "values", "get", "setdefault", "update", "popitem"];
const SEQUENCE_METHODS: &[&str] = &["append", "extend", "insert", "sort", "reverse", "remove"];
const TEXT_METHODS: &[&str] = &[
    "lower",
    "upper",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "splitlines",
    "startswith",
    "endswith",
    "replace",
    "isdigit",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "casefold",
    "title",
    "capitalize",
    "encode",
    "format",
    "partition",
    "rpartition",
    "zfill",
    "ljust",
    "rjust",
    "center",
    "expandtabs",
    "translate",
];
/// Builtins whose first argument is iterated.
const ITERATING: &[&str] = &[
    "iter",
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "enumerate",
    "zip",
    "sum",
    "min",
    "max",
    "any",
    "all",
    "len",
    "dict",
];
/// Functions of `re` whose positional arguments are text.
const RE_FUNCTIONS: &[&str] = &[
    "match",
    "search",
    "fullmatch",
    "split",
    "findall",
    "finditer",
    "sub",
    "subn",
    "compile",
    "escape",
];
/// Builtins whose argument is a number.
const NUMERIC: &[&str] = &["abs", "round", "range", "divmod", "hex", "oct", "bin", "chr"];

/// The usage of each parameter of `function` (by name) that its body shows
/// any, nested functions and lambdas excluded. The receiver (`self`, `cls`)
/// is left out.
pub fn usages(root: Node, src: &[u8], function: &Function) -> BTreeMap<String, Usage> {
    let mut out = BTreeMap::new();
    let Some(def) = find_def(root, src, function) else {
        return out;
    };
    let skip_first = function.class.is_some() && !function.decorators.iter().any(|d| d.name.ends_with("staticmethod"));
    let params: Vec<String> = function
        .params
        .iter()
        .skip(usize::from(skip_first))
        .map(|p| p.name.clone())
        .collect();
    let reader = Reader { src, params };
    if let Some(body) = def.child_by_field_name("body") {
        reader.walk(body, &mut out);
    }
    out
}

struct Reader<'s> {
    src: &'s [u8],
    params: Vec<String>,
}

impl Reader<'_> {
    fn text(&self, node: Node) -> &str {
        node.utf8_text(self.src).unwrap_or("")
    }

    /// The parameter `node` names, when it is one (through parentheses).
    fn param(&self, node: Node) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                self.params.iter().any(|p| p == name).then(|| name.to_string())
            }
            "parenthesized_expression" => self.param(node.named_child(0)?),
            _ => None,
        }
    }

    /// The parameter `node` names, possibly through a case or whitespace
    /// normaliser: `p`, `p.upper()`, with the normaliser.
    fn key(&self, node: Node) -> Option<(String, Option<String>)> {
        if let Some(p) = self.param(node) {
            return Some((p, None));
        }
        if node.kind() != "call" || node.child_by_field_name("arguments")?.named_child_count() != 0 {
            return None;
        }
        let func = node
            .child_by_field_name("function")
            .filter(|f| f.kind() == "attribute")?;
        let method = self.text(func.child_by_field_name("attribute")?);
        if !matches!(method, "upper" | "lower" | "strip" | "casefold") {
            return None;
        }
        let p = self.param(func.child_by_field_name("object")?)?;
        Some((p, Some(method.to_string())))
    }

    fn lookup(&self, out: &mut BTreeMap<String, Usage>, table: Node, key: Node) {
        if table.kind() != "identifier" || self.param(table).is_some() {
            return;
        }
        if let Some((p, normaliser)) = self.key(key) {
            let entry = (self.text(table).to_string(), normaliser);
            let usage = out.entry(p).or_default();
            if !usage.lookups.contains(&entry) {
                usage.lookups.push(entry);
            }
        }
    }

    fn note(&self, out: &mut BTreeMap<String, Usage>, param: String, shape: Shape) {
        let usage = out.entry(param).or_default();
        if !usage.shapes.contains(&shape) {
            usage.shapes.push(shape);
        }
    }

    fn walk(&self, node: Node, out: &mut BTreeMap<String, Usage>) {
        match node.kind() {
            "function_definition" | "class_definition" | "lambda" => return,
            "call" => self.call(node, out),
            "comparison_operator" => {
                let (operands, ops) = comparison_parts(node);
                for (i, op) in ops.iter().enumerate() {
                    if let (true, Some(&key), Some(&table)) =
                        (matches!(*op, "in" | "not in"), operands.get(i), operands.get(i + 1))
                    {
                        self.lookup(out, table, key);
                    }
                }
            }
            "subscript" => {
                if let (Some(table), Some(index)) =
                    (node.child_by_field_name("value"), node.child_by_field_name("subscript"))
                {
                    self.lookup(out, table, index);
                }
                if let (Some(p), Some(index)) = (
                    node.child_by_field_name("value").and_then(|v| self.param(v)),
                    node.child_by_field_name("subscript"),
                ) {
                    match index.kind() {
                        "string" | "concatenated_string" => self.note(out, p, Shape::Mapping),
                        "integer" | "slice" | "unary_operator" => self.note(out, p, Shape::Sequence),
                        _ => {}
                    }
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(p) = node.child_by_field_name("right").and_then(|r| self.param(r)) {
                    self.note(out, p, Shape::Iterable);
                }
            }
            "binary_operator" => {
                let left = node.child_by_field_name("left");
                let right = node.child_by_field_name("right");
                let numeric = |n: Option<Node>| n.is_some_and(|n| matches!(n.kind(), "integer" | "float"));
                let op = node.child_by_field_name("operator").map(|o| o.kind()).unwrap_or("");
                // `n + 1`, `2 * n`: a number (`"-" * n` is not).
                if matches!(op, "+" | "-" | "*" | "/" | "//" | "%" | "**") {
                    if let Some(p) = left.and_then(|l| self.param(l)).filter(|_| numeric(right)) {
                        self.note(out, p, Shape::Number);
                    } else if let Some(p) = right.and_then(|r| self.param(r)).filter(|_| numeric(left)) {
                        self.note(out, p, Shape::Number);
                    }
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.walk(child, out);
        }
    }

    fn call(&self, node: Node, out: &mut BTreeMap<String, Usage>) {
        let Some(func) = node.child_by_field_name("function") else {
            return;
        };
        let args: Vec<Node> = node
            .child_by_field_name("arguments")
            .map(|a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor).collect()
            })
            .unwrap_or_default();
        if let Some(p) = self.param(func) {
            self.note(out, p, Shape::Callable);
            return;
        }
        match func.kind() {
            "identifier" => {
                let name = self.text(func);
                let first = args.first().and_then(|a| self.param(*a));
                match name {
                    "isinstance" => {
                        if let (Some(p), Some(types)) = (first, args.get(1)) {
                            let checked = self.type_names(*types);
                            let usage = out.entry(p).or_default();
                            for t in checked {
                                if !usage.checked.contains(&t) {
                                    usage.checked.push(t);
                                }
                            }
                        }
                    }
                    "callable" => {}
                    _ if ITERATING.contains(&name) => {
                        if let Some(p) = first {
                            self.note(out, p, Shape::Iterable);
                        }
                        if matches!(name, "zip" | "min" | "max") {
                            for p in args.iter().skip(1).filter_map(|a| self.param(*a)) {
                                self.note(out, p, Shape::Iterable);
                            }
                        }
                    }
                    _ if NUMERIC.contains(&name) => {
                        for p in args.iter().filter_map(|a| self.param(*a)) {
                            self.note(out, p, Shape::Number);
                        }
                    }
                    "map" | "filter" => {
                        if let Some(p) = args.first().and_then(|a| self.param(*a)) {
                            self.note(out, p, Shape::Callable);
                        }
                        for p in args.iter().skip(1).filter_map(|a| self.param(*a)) {
                            self.note(out, p, Shape::Iterable);
                        }
                    }
                    _ => {}
                }
            }
            "attribute" => {
                let (Some(object), Some(attr)) = (
                    func.child_by_field_name("object"),
                    func.child_by_field_name("attribute"),
                ) else {
                    return;
                };
                let method = self.text(attr);
                if object.kind() == "identifier" && self.text(object) == "re" && RE_FUNCTIONS.contains(&method) {
                    // `re.split(pattern, name)`: pattern and subject are text.
                    for p in args.iter().filter_map(|a| self.param(*a)) {
                        self.note(out, p, Shape::Text);
                    }
                    return;
                }
                if let Some(p) = self.param(object) {
                    let shape = if MAPPING_METHODS.contains(&method) {
                        Some(Shape::Mapping)
                    } else if TEXT_METHODS.contains(&method) {
                        Some(Shape::Text)
                    } else if method == "decode" {
                        Some(Shape::Bytes)
                    } else if SEQUENCE_METHODS.contains(&method) {
                        Some(Shape::Sequence)
                    } else {
                        None
                    };
                    if let Some(shape) = shape {
                        self.note(out, p, shape);
                    }
                } else if method == "get" && !args.is_empty() {
                    self.lookup(out, object, args[0]);
                } else if method == "join" && matches!(object.kind(), "string" | "identifier") {
                    // `", ".join(parts)`: parts holds strings.
                    if let Some(p) = args.first().and_then(|a| self.param(*a)) {
                        self.note(out, p, Shape::Iterable);
                    }
                }
            }
            _ => {}
        }
    }

    /// `str`, `(list, tuple)`, `collections.abc.Mapping` → their names.
    fn type_names(&self, node: Node) -> Vec<String> {
        match node.kind() {
            "identifier" | "attribute" => vec![self.text(node).to_string()],
            "tuple" | "parenthesized_expression" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor)
                    .flat_map(|n| self.type_names(n))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python;

    fn read(src: &str, qualname: &str) -> Vec<String> {
        let mut parser = python::parser();
        let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
        let module = python::analyze_tree(&tree, src.as_bytes());
        let f = module.functions.iter().find(|f| f.qualname == qualname).unwrap();
        usages(tree.root_node(), src.as_bytes(), f)
            .into_iter()
            .map(|(p, u)| format!("{p}: {:?} {:?} {:?}", u.shape(), u.checked, u.lookups))
            .collect()
    }

    #[test]
    fn shapes_and_checked_types() {
        let src = r##"
def f(d, func, seq, text, n, data, other, key, unit, name, code, fname):
    if isinstance(data, (list, tuple)):
        return [func(x) for x in seq]
    elif isinstance(data, collections.abc.Mapping):
        pass
    for k, v in d.items():
        pass
    if text.startswith("#"):
        return n * 2
    def inner(other):
        return other.items()
    return key["name"], sorted(other), UNITS[unit.upper()], TABLE.get(name), code in NAMES, re.split("[.]", fname)

class C:
    def m(self, xs):
        self.items()
        return xs[0]
"##;
        assert_eq!(
            read(src, "f"),
            [
                "code: None [] [(\"NAMES\", None)]",
                "d: Some(Mapping) [] []",
                "data: None [\"list\", \"tuple\", \"collections.abc.Mapping\"] []",
                "fname: Some(Text) [] []",
                "func: Some(Callable) [] []",
                "key: Some(Mapping) [] []",
                "n: Some(Number) [] []",
                "name: None [] [(\"TABLE\", None)]",
                "other: Some(Iterable) [] []",
                "seq: Some(Iterable) [] []",
                "text: Some(Text) [] []",
                "unit: Some(Text) [] [(\"UNITS\", Some(\"upper\"))]",
            ]
        );
        assert_eq!(read(src, "C.m"), ["xs: Some(Sequence) [] []"]);
    }
}
