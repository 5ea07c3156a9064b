//! What the names in a module's annotations refer to: classes of the project
//! (their constructors, enum members), well-known standard library types,
//! and the import line a test needs for each.

use crate::python::{self, Class, Module};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A parsed module of the project, with where its imported names come from.
#[derive(Debug)]
pub struct ModuleInfo {
    /// Dotted import name: `shop.cart`.
    pub dotted: String,
    pub module: Module,
    /// `from M import X as N` → N ↦ (M, X); `import a.b as c` → c ↦ (a.b, "").
    pub imports: HashMap<String, (String, String)>,
    /// Module-level type aliases: `Row = Mapping[str, object]` → Row ↦ its text.
    pub aliases: HashMap<String, String>,
    /// Module-level tables of literals: the keys of `UNITS = {"kb": 1, …}`,
    /// the members of `NAMES = ("a", "b")` (source text, in order).
    pub tables: HashMap<String, Vec<String>>,
}

impl ModuleInfo {
    /// Analyses the file at `path`, importable as `dotted`.
    pub fn load(path: &Path, dotted: &str) -> Option<ModuleInfo> {
        let src = std::fs::read(path).ok()?;
        let mut parser = python::parser();
        let tree = python::parse(&mut parser, &src, None).ok()?;
        Some(ModuleInfo::from_tree(path, dotted, &tree, &src))
    }

    /// The module model of an already parsed file.
    pub fn from_tree(path: &Path, dotted: &str, tree: &tree_sitter::Tree, src: &[u8]) -> ModuleInfo {
        let module = python::analyze_tree(tree, src);
        let mut imports = HashMap::new();
        let is_package = path.file_name().is_some_and(|n| n == "__init__.py");
        collect_imports(tree.root_node(), src, dotted, is_package, &mut imports);
        ModuleInfo {
            dotted: dotted.to_string(),
            module,
            imports,
            aliases: collect_aliases(tree.root_node(), src),
            tables: collect_tables(tree.root_node(), src),
        }
    }

    pub fn class(&self, qualname: &str) -> Option<&Class> {
        self.module.classes.iter().find(|c| c.qualname == qualname)
    }
}

fn collect_imports(
    node: tree_sitter::Node,
    src: &[u8],
    dotted: &str,
    is_package: bool,
    out: &mut HashMap<String, (String, String)>,
) {
    let text = |n: tree_sitter::Node| n.utf8_text(src).unwrap_or("").to_string();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "import_from_statement" => {
                let Some(module_node) = child.child_by_field_name("module_name") else {
                    continue;
                };
                let module = if module_node.kind() == "relative_import" {
                    let raw = text(module_node);
                    let dots = raw.chars().take_while(|c| *c == '.').count();
                    let rest = raw[dots..].trim();
                    let mut base: Vec<&str> = dotted.split('.').collect();
                    // `.` is the package itself for __init__.py, else its parent.
                    let up = if is_package { dots - 1 } else { dots };
                    for _ in 0..up {
                        base.pop();
                    }
                    if !rest.is_empty() {
                        base.push(rest);
                    }
                    base.join(".")
                } else {
                    text(module_node)
                };
                let mut names = child.walk();
                for name in child.children_by_field_name("name", &mut names) {
                    let (original, alias) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name").map(text).unwrap_or_default(),
                            name.child_by_field_name("alias").map(text).unwrap_or_default(),
                        ),
                        _ => (text(name), text(name)),
                    };
                    if !alias.is_empty() {
                        out.insert(alias, (module.clone(), original));
                    }
                }
            }
            "import_statement" => {
                let mut names = child.walk();
                for name in child.children_by_field_name("name", &mut names) {
                    match name.kind() {
                        "aliased_import" => {
                            let module = name.child_by_field_name("name").map(text).unwrap_or_default();
                            let alias = name.child_by_field_name("alias").map(text).unwrap_or_default();
                            out.insert(alias, (module, String::new()));
                        }
                        _ => {
                            let module = text(name);
                            let first = module.split('.').next().unwrap_or("").to_string();
                            out.insert(first.clone(), (first, String::new()));
                        }
                    }
                }
            }
            // Imports under `if TYPE_CHECKING:` and `try:` still name types.
            "if_statement" | "try_statement" | "block" | "else_clause" | "except_clause" => {
                collect_imports(child, src, dotted, is_package, out)
            }
            _ => {}
        }
    }
}

/// `Name = Generic[...]`, `Name = A | B`, `Name: TypeAlias = …` and
/// `type Name = …` at module level.
fn collect_aliases(root: tree_sitter::Node, src: &[u8]) -> HashMap<String, String> {
    let text = |n: tree_sitter::Node| n.utf8_text(src).unwrap_or("").to_string();
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
                    .is_some_and(|t| text(t).ends_with("TypeAlias"));
                let looks_like_type = matches!(right.kind(), "subscript" | "generic_type")
                    || (right.kind() == "binary_operator" && text(right).contains('|'));
                if left.kind() == "identifier" && (declared || looks_like_type) {
                    out.insert(text(left), text(right));
                }
            }
            "type_alias_statement" => {
                let mut parts = stmt.walk();
                let named: Vec<tree_sitter::Node> = stmt.named_children(&mut parts).collect();
                if let [name, value, ..] = named[..] {
                    out.insert(text(name), text(value));
                }
            }
            _ => {}
        }
    }
    out
}

/// Literal keys of module-level dicts and members of module-level tuples,
/// lists, sets and frozensets (`frozenset({...})` too).
fn collect_tables(root: tree_sitter::Node, src: &[u8]) -> HashMap<String, Vec<String>> {
    let text = |n: tree_sitter::Node| n.utf8_text(src).unwrap_or("").to_string();
    let literal = |n: tree_sitter::Node| matches!(n.kind(), "string" | "integer" | "float" | "true" | "false");
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
                        keys.push(text(key));
                    }
                }
            }
            "tuple" | "list" | "set" => {
                keys.extend(right.named_children(&mut cursor).filter(|n| literal(*n)).map(text));
            }
            _ => {}
        }
        if !keys.is_empty() {
            out.insert(text(left), keys);
        }
    }
    out
}

/// The statements run at module level: the module's own, and those inside
/// its `if` and `try` blocks (`if TYPE_CHECKING:` holds many aliases).
fn module_statements(root: tree_sitter::Node) -> Vec<tree_sitter::Node> {
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

/// A standard library type testgap knows how to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownType {
    Decimal,
    Fraction,
    Date,
    DateTime,
    Time,
    TimeDelta,
    Path,
    TextStream,
    BinaryStream,
    Uuid,
}

impl KnownType {
    fn from_origin(module: &str, name: &str) -> Option<KnownType> {
        Some(match (module, name) {
            ("decimal", "Decimal") => KnownType::Decimal,
            ("fractions", "Fraction") => KnownType::Fraction,
            ("datetime", "date") => KnownType::Date,
            ("datetime", "datetime") => KnownType::DateTime,
            ("datetime", "time") => KnownType::Time,
            ("datetime", "timedelta") => KnownType::TimeDelta,
            ("pathlib", "Path" | "PurePath" | "PosixPath" | "PurePosixPath") | ("os", "PathLike") => KnownType::Path,
            ("typing", "TextIO") | ("io", "StringIO" | "TextIOBase" | "TextIOWrapper") => KnownType::TextStream,
            ("typing", "BinaryIO") | ("io", "BytesIO" | "BufferedIOBase" | "RawIOBase") => KnownType::BinaryStream,
            ("uuid", "UUID") => KnownType::Uuid,
            _ => return None,
        })
    }

    /// Bare names that mean the same thing in nearly every project.
    fn from_bare_name(name: &str) -> Option<KnownType> {
        Some(match name {
            "Decimal" => KnownType::Decimal,
            "Fraction" => KnownType::Fraction,
            "date" => KnownType::Date,
            "datetime" => KnownType::DateTime,
            "timedelta" => KnownType::TimeDelta,
            "Path" | "PurePath" | "PathLike" => KnownType::Path,
            "TextIO" | "StringIO" => KnownType::TextStream,
            "BinaryIO" | "BytesIO" => KnownType::BinaryStream,
            "UUID" => KnownType::Uuid,
            _ => return None,
        })
    }
}

/// What an annotation name refers to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A class of the project: where it is defined and how to import it.
    Class {
        owner: Rc<ModuleInfo>,
        qualname: String,
    },
    Known(KnownType),
    Unknown,
}

/// The project's modules, analysed on demand (one per worker thread).
pub struct Workspace {
    /// Directories modules are imported from: the root, and `src/` in a src
    /// layout.
    pub import_roots: Vec<PathBuf>,
    cache: RefCell<HashMap<String, Option<Rc<ModuleInfo>>>>,
}

impl Workspace {
    pub fn new(import_roots: Vec<PathBuf>) -> Workspace {
        Workspace {
            import_roots,
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The file of module `dotted` inside the project, if any.
    pub fn module_file(&self, dotted: &str) -> Option<PathBuf> {
        let rel: PathBuf = dotted.split('.').collect();
        for root in &self.import_roots {
            let file = root.join(&rel).with_extension("py");
            if file.is_file() {
                return Some(file);
            }
            let init = root.join(&rel).join("__init__.py");
            if init.is_file() {
                return Some(init);
            }
        }
        None
    }

    /// The analysed module `dotted`, when it is part of the project.
    pub fn module(&self, dotted: &str) -> Option<Rc<ModuleInfo>> {
        if let Some(hit) = self.cache.borrow().get(dotted) {
            return hit.clone();
        }
        let info = self
            .module_file(dotted)
            .and_then(|path| ModuleInfo::load(&path, dotted))
            .map(Rc::new);
        self.cache.borrow_mut().insert(dotted.to_string(), info.clone());
        info
    }

    /// Registers an already analysed module.
    pub fn insert(&self, info: Rc<ModuleInfo>) {
        self.cache.borrow_mut().insert(info.dotted.clone(), Some(info));
    }

    /// What `name` (as written in `owner`'s annotations) refers to.
    pub fn resolve(&self, owner: &Rc<ModuleInfo>, name: &str) -> Resolved {
        self.resolve_depth(owner, name, 0)
    }

    fn resolve_depth(&self, owner: &Rc<ModuleInfo>, name: &str, depth: usize) -> Resolved {
        if depth > 4 {
            return Resolved::Unknown;
        }
        if owner.class(name).is_some() {
            return Resolved::Class {
                owner: owner.clone(),
                qualname: name.to_string(),
            };
        }
        let (head, rest) = match name.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (name, None),
        };
        if let Some((module, original)) = owner.imports.get(head) {
            match (original.is_empty(), rest) {
                // `import a.b as m` then `m.Name`, or `import json` then `json.X`.
                (true, Some(rest)) => {
                    let (sub, last) = match rest.rsplit_once('.') {
                        Some((sub, last)) => (format!("{module}.{sub}"), last),
                        None => (module.clone(), rest),
                    };
                    if let Some(known) = KnownType::from_origin(&sub, last) {
                        return Resolved::Known(known);
                    }
                    if let Some(info) = self.module(&sub) {
                        return self.resolve_depth(&info, last, depth + 1);
                    }
                }
                (false, None) => {
                    if let Some(known) = KnownType::from_origin(module, original) {
                        return Resolved::Known(known);
                    }
                    if let Some(info) = self.module(module) {
                        return self.resolve_depth(&info, original, depth + 1);
                    }
                }
                // `from pkg import sub` then `sub.Name`.
                (false, Some(rest)) => {
                    let sub = format!("{module}.{original}");
                    if let Some(info) = self.module(&sub) {
                        return self.resolve_depth(&info, rest, depth + 1);
                    }
                }
                (true, None) => {}
            }
        }
        match KnownType::from_bare_name(name) {
            Some(known) => Resolved::Known(known),
            None => Resolved::Unknown,
        }
    }
}

/// `from shop.cart import Cart`: how a test imports a project class, and the
/// expression naming it (`Outer.Inner` for nested classes).
pub fn class_import(owner: &ModuleInfo, qualname: &str) -> (String, String) {
    let top = qualname.split('.').next().unwrap_or(qualname);
    (format!("from {} import {}", owner.dotted, top), qualname.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyenv::TempDir;

    #[test]
    fn names_resolve_through_imports() {
        let tmp = TempDir::new("resolve-test").unwrap();
        let pkg = tmp.path().join("shop");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("__init__.py"), "").unwrap();
        std::fs::write(
            pkg.join("pricing.py"),
            "import enum\nclass Currency(enum.Enum):\n    EUR = 'EUR'\n",
        )
        .unwrap();
        std::fs::write(
            pkg.join("cart.py"),
            "from decimal import Decimal\nfrom .pricing import Currency as Cur\n\
             from shop import pricing\nimport datetime as dt\n\
             class Cart:\n    def __init__(self, c: Cur): ...\n",
        )
        .unwrap();
        let ws = Workspace::new(vec![tmp.path().to_path_buf()]);
        let cart = ws.module("shop.cart").unwrap();
        let class_of = |name: &str| match ws.resolve(&cart, name) {
            Resolved::Class { owner, qualname } => Some(format!("{}:{qualname}", owner.dotted)),
            _ => None,
        };
        assert_eq!(class_of("Cart").as_deref(), Some("shop.cart:Cart"));
        assert_eq!(class_of("Cur").as_deref(), Some("shop.pricing:Currency"));
        assert_eq!(class_of("pricing.Currency").as_deref(), Some("shop.pricing:Currency"));
        assert!(matches!(
            ws.resolve(&cart, "Decimal"),
            Resolved::Known(KnownType::Decimal)
        ));
        assert!(matches!(ws.resolve(&cart, "dt.date"), Resolved::Known(KnownType::Date)));
        assert!(matches!(ws.resolve(&cart, "Nowhere"), Resolved::Unknown));
        let (line, src) = class_import(&ws.module("shop.pricing").unwrap(), "Currency");
        assert_eq!(line, "from shop.pricing import Currency");
        assert_eq!(src, "Currency");
    }
}
