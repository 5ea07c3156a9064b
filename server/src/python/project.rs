//! The project model: one analysed module of the project with its dotted
//! name, what it imports, defines and tabulates. `generate` loads these on
//! demand, `fix` scans the whole project; both read the same type.

use super::imports::{self, ImportBinding};
use super::names::{is_test_path, module_name_on_disk, slash_path};
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

    /// The module at `path` under `root`, named by the one rule, when an
    /// import can reach it.
    pub fn load_in_project(root: &Path, path: &Path) -> Option<ModuleInfo> {
        let rel = path.strip_prefix(root).map(slash_path).ok()?;
        let name = module_name_on_disk(root, &rel)?;
        Some(ModuleInfo::load(path, &name)?.in_project(root))
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
