//! The one import parser: the statements as written (with their nodes, for
//! edits) and the bindings they make (with relative modules resolved).

use super::syntax::{descendants, line_of};
use tree_sitter::Node;

/// One name an import statement binds.
#[derive(Debug, Clone)]
pub struct ImportedName<'t> {
    /// `x` in `from m import x`, `a.b` in `import a.b`.
    pub name: String,
    pub alias: Option<String>,
    /// The `dotted_name` or `aliased_import` node.
    pub node: Node<'t>,
    /// The `dotted_name` node of the imported name itself.
    pub name_node: Node<'t>,
}

impl ImportedName<'_> {
    /// The name the import binds in the module.
    pub fn bound(&self) -> &str {
        match &self.alias {
            Some(alias) => alias,
            None => self.name.split('.').next().unwrap_or(&self.name),
        }
    }
}

/// An `import` or `from … import` statement.
#[derive(Debug, Clone)]
pub struct Import<'t> {
    pub node: Node<'t>,
    /// For `from` imports: the module as written (`.a.b`, `pkg.mod`).
    pub from_module: Option<String>,
    /// The `module_name` node of a `from` import.
    pub module_node: Option<Node<'t>>,
    pub names: Vec<ImportedName<'t>>,
    /// 1-based line of the statement's start.
    pub line: u32,
    /// Whether the statement runs at module level (also under a module-level
    /// `if`, `try` or `with`), so that it binds names of the module.
    pub module_level: bool,
}

/// Every import statement below `root`, at any depth, in source order.
/// `from x import *` binds no names here.
pub fn statements<'t>(root: Node<'t>, src: &[u8]) -> Vec<Import<'t>> {
    descendants(root).filter_map(|node| statement(node, src)).collect()
}

/// The import statement at `node`, if it is one.
pub fn statement<'t>(node: Node<'t>, src: &[u8]) -> Option<Import<'t>> {
    if !matches!(node.kind(), "import_statement" | "import_from_statement") {
        return None;
    }
    let text = |n: Node| String::from_utf8_lossy(&src[n.byte_range()]).into_owned();
    let mut names = Vec::new();
    let mut cursor = node.walk();
    for child in node.children_by_field_name("name", &mut cursor) {
        let (name_node, alias) = match child.kind() {
            "aliased_import" => (
                child.child_by_field_name("name").unwrap_or(child),
                child.child_by_field_name("alias").map(text),
            ),
            _ => (child, None),
        };
        names.push(ImportedName {
            name: text(name_node),
            alias,
            node: child,
            name_node,
        });
    }
    let module_node = node.child_by_field_name("module_name");
    Some(Import {
        node,
        from_module: module_node.map(text),
        module_node,
        names,
        line: line_of(node),
        module_level: at_module_level(node),
    })
}

/// No function or class body between `node` and the module.
fn at_module_level(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if matches!(n.kind(), "function_definition" | "class_definition") {
            return false;
        }
        current = n.parent();
    }
    true
}

/// `from module import name as bound` (or `import module as bound`, with
/// `name` `None`), with relative modules resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBinding {
    pub module: String,
    pub name: Option<String>,
    pub bound: String,
    /// Written with `as`.
    pub aliased: bool,
    /// The statement runs at module level (see [`Import::module_level`]).
    pub module_level: bool,
}

impl ImportBinding {
    /// The module the bound name refers to, for `import` statements:
    /// `import a.b` binds `a`, `import a.b as m` binds `a.b`.
    pub fn bound_module(&self) -> &str {
        if self.aliased {
            &self.module
        } else {
            self.module.split('.').next().unwrap_or(&self.module)
        }
    }
}

/// The bindings of every import below `root` in module `module` (dotted;
/// `is_package` for an `__init__.py`). Relative imports that climb above
/// the top package are left out.
pub fn bindings(root: Node, src: &[u8], module: &str, is_package: bool) -> Vec<ImportBinding> {
    let mut out = Vec::new();
    for import in statements(root, src) {
        let from = match &import.from_module {
            Some(from) => match resolve_relative(from, module, is_package) {
                Some(from) => Some(from),
                None => continue,
            },
            None => None,
        };
        for name in &import.names {
            let (module, name_in_module) = match &from {
                Some(from) => (from.clone(), Some(name.name.clone())),
                None => (name.name.clone(), None),
            };
            out.push(ImportBinding {
                module,
                name: name_in_module,
                bound: name.bound().to_string(),
                aliased: name.alias.is_some(),
                module_level: import.module_level,
            });
        }
    }
    out
}

/// `..b` imported from `pkg.sub.a` → `pkg.b`; `.` in `pkg/__init__.py` is
/// `pkg` itself. `None` when the dots climb above the top package.
pub fn resolve_relative(from: &str, module: &str, is_package: bool) -> Option<String> {
    let dots = from.len() - from.trim_start_matches('.').len();
    if dots == 0 {
        return Some(from.to_string());
    }
    let mut base: Vec<&str> = module.split('.').collect();
    if !is_package {
        base.pop();
    }
    for _ in 1..dots {
        base.pop()?;
    }
    let rest = from[dots..].trim();
    if !rest.is_empty() {
        base.push(rest);
    }
    (!base.is_empty()).then(|| base.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(src: &str) -> Vec<String> {
        let mut parser = crate::python::parser();
        let tree = crate::python::parse(&mut parser, src.as_bytes(), None).unwrap();
        bindings(tree.root_node(), src.as_bytes(), "pkg.sub.a", false)
            .iter()
            .map(|b| {
                let level = if b.module_level { "" } else { " (local)" };
                format!("{} = {}:{}{level}", b.bound, b.module, b.name.as_deref().unwrap_or(""))
            })
            .collect()
    }

    #[test]
    fn statements_bind_names() {
        let src = "from .a.b import c as d, e\nimport p.q as r, s.t\nfrom ... import x\n\
                   try:\n    import json\nexcept ImportError:\n    json = None\n\
                   def f():\n    from ..m import g\n";
        assert_eq!(
            bound(src),
            [
                "d = pkg.sub.a.b:c",
                "e = pkg.sub.a.b:e",
                "r = p.q:",
                "s = s.t:",
                "json = json:",
                "g = pkg.m:g (local)"
            ]
        );
    }

    #[test]
    fn relative_imports() {
        assert_eq!(resolve_relative(".b", "pkg.sub.a", false).as_deref(), Some("pkg.sub.b"));
        assert_eq!(resolve_relative("..b", "pkg.sub.a", false).as_deref(), Some("pkg.b"));
        assert_eq!(resolve_relative(".", "pkg.sub", true).as_deref(), Some("pkg.sub"));
        assert_eq!(resolve_relative("...x", "a.b", false), None);
    }
}
