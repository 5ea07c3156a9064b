//! The project model: one analysed module of the project with its dotted
//! name, what it imports, defines and tabulates. `generate` loads these on
//! demand, `fix` scans the whole project; both read the same type.

use super::imports::{self, ImportBinding};
use super::names::{is_test_path, slash_path};
use super::toplevel::{self, Definition};
use super::{Class, Function, Module};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tree_sitter::Tree;

/// One module of the project.
#[derive(Debug, Clone)]
pub struct ModuleInfo {
    /// Dotted import name: `shop.pricing`, `test_cart` (see
    /// [`super::names::module_name`]).
    pub name: String,
    pub path: PathBuf,
    /// Path relative to the project root, with `/` (empty when not known).
    pub rel: String,
    pub is_test: bool,
    /// An `__init__.py`: relative imports start at the package itself.
    pub is_package: bool,
    pub model: Module,
    /// Functions, classes and assigned names at top level.
    pub definitions: Vec<Definition>,
    /// Every import, function-local ones too, in source order.
    pub imports: Vec<ImportBinding>,
    /// Module-level type aliases: `Row = Mapping[str, object]` → Row ↦ its text.
    pub aliases: HashMap<String, String>,
    /// Module-level tables of literals: the keys of `UNITS = {"kb": 1, …}`,
    /// the members of `NAMES = ("a", "b")` (source text, in order).
    pub tables: HashMap<String, Vec<String>>,
}

impl ModuleInfo {
    /// Reads and analyses the file at `path`, importable as `name`.
    pub fn load(path: &Path, name: &str) -> Option<ModuleInfo> {
        let src = std::fs::read(path).ok()?;
        let mut parser = super::parser();
        let tree = super::parse(&mut parser, &src, None).ok()?;
        Some(ModuleInfo::from_tree(path, name, &tree, &src))
    }

    /// The model of an already parsed file, importable as `name`.
    pub fn from_tree(path: &Path, name: &str, tree: &Tree, src: &[u8]) -> ModuleInfo {
        let model = super::analyze_tree(tree, src);
        let root = tree.root_node();
        let is_package = path.file_name().is_some_and(|n| n == "__init__.py");
        ModuleInfo {
            name: name.to_string(),
            path: path.to_path_buf(),
            rel: String::new(),
            is_test: false,
            is_package,
            definitions: toplevel::definitions(&model, root, src),
            imports: imports::bindings(root, src, name, is_package),
            aliases: toplevel::aliases(root, src),
            tables: toplevel::tables(root, src),
            model,
        }
    }

    /// The same module placed in the project at `root`: its relative path
    /// and whether it is test code.
    pub fn in_project(mut self, root: &Path) -> ModuleInfo {
        self.rel = self.path.strip_prefix(root).map(slash_path).unwrap_or_default();
        self.is_test = is_test_path(&self.rel);
        self
    }

    /// The class with this qualified name (`Outer.Inner`).
    pub fn class(&self, qualname: &str) -> Option<&Class> {
        self.model.classes.iter().find(|c| c.qualname == qualname)
    }

    /// The function or method with this qualified name.
    pub fn function(&self, qualname: &str) -> Option<&Function> {
        self.model.functions.iter().find(|f| f.qualname == qualname)
    }

    /// The module's own top-level definition of `name`.
    pub fn defines(&self, name: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.name == name)
    }

    /// Whether the module binds `name` at top level in any way.
    pub fn binds(&self, name: &str) -> bool {
        self.model.top_level_names.iter().any(|n| n == name)
    }

    /// The module-level import that binds `bound` (the last one, as at run
    /// time).
    pub fn import_of(&self, bound: &str) -> Option<&ImportBinding> {
        self.imports.iter().rev().find(|i| i.module_level && i.bound == bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(path: &str, name: &str, src: &str) -> ModuleInfo {
        let mut parser = crate::python::parser();
        let tree = crate::python::parse(&mut parser, src.as_bytes(), None).unwrap();
        ModuleInfo::from_tree(Path::new(path), name, &tree, src.as_bytes()).in_project(Path::new("/p"))
    }

    #[test]
    fn one_module_read_once_for_every_room() {
        let src = r#"
from typing import Mapping
from . import units as u
import json
if TYPE_CHECKING:
    from .cart import Cart
Row = Mapping[str, object]
UNITS = {"kb": 1, "mb": 2}
NAMES = frozenset({"a", "b"})
a, *rest = 1, 2

def total(row: Row) -> int:
    import decimal
    return 0

class Price:
    pass
"#;
        let m = info("/p/shop/__init__.py", "shop", src);
        assert_eq!(
            (m.rel.as_str(), m.is_package, m.is_test),
            ("shop/__init__.py", true, false)
        );
        let origin = |bound: &str| {
            m.import_of(bound)
                .map(|i| format!("{}:{}", i.module, i.name.as_deref().unwrap_or("")))
        };
        assert_eq!(origin("u").as_deref(), Some("shop:units"));
        assert_eq!(origin("Cart").as_deref(), Some("shop.cart:Cart"));
        assert_eq!(origin("json").as_deref(), Some("json:"));
        assert_eq!(origin("decimal"), None, "a function's import binds no module name");
        assert_eq!(m.imports.len(), 5);
        let defined: Vec<String> = m
            .definitions
            .iter()
            .map(|d| format!("{} {:?}", d.name, d.kind))
            .collect();
        assert_eq!(
            defined,
            [
                "Row Variable",
                "UNITS Variable",
                "NAMES Variable",
                "a Variable",
                "rest Variable",
                "total Function",
                "Price Class"
            ]
        );
        assert!(m.binds("rest") && m.binds("Cart") && m.binds("u") && !m.binds("decimal"));
        assert_eq!(m.aliases["Row"], "Mapping[str, object]");
        assert_eq!(m.tables["UNITS"], ["\"kb\"", "\"mb\""]);
        assert_eq!(m.tables["NAMES"], ["\"a\"", "\"b\""]);
        assert!(m.class("Price").is_some() && m.function("total").is_some());
        let test = info("/p/tests/test_shop.py", "test_shop", "");
        assert!(test.is_test && !test.is_package);
    }
}
