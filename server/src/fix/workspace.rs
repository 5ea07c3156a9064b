//! What the project defines where: every Python module under the root with
//! its dotted name, its top-level definitions, what it imports, and its
//! functions (the module model). Fixers ask it where a name lives now.

use super::failure::slash_path;
use super::source::Source;
use crate::python::index::WorkspaceIndex;
use crate::python::{self, Function, Module};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Directories never scanned: environments, caches, build output.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    "__pycache__",
    "build",
    "dist",
    "venv",
    "env",
];
const MAX_FILES: usize = 20_000;
const MAX_FILE_BYTES: u64 = 2 << 20;

/// How a module binds a top-level name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Function,
    Class,
    Variable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub kind: DefKind,
    pub line: u32,
}

/// `from module import name as bound` (or `import module as bound`, with
/// `name` `None`), with relative modules resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBinding {
    pub module: String,
    pub name: Option<String>,
    pub bound: String,
}

/// One module of the project.
#[derive(Debug, Clone)]
pub struct ModuleInfo {
    /// Dotted import name: `shop.pricing`, `test_cart`.
    pub name: String,
    pub path: PathBuf,
    /// Path relative to the root, with `/`.
    pub rel: String,
    pub is_test: bool,
    pub is_package: bool,
    pub model: Module,
    pub definitions: Vec<Definition>,
    pub imports: Vec<ImportBinding>,
}

impl ModuleInfo {
    pub fn defines(&self, name: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.name == name)
    }

    /// Whether the module binds `name` at top level in any way.
    pub fn binds(&self, name: &str) -> bool {
        self.model.top_level_names.iter().any(|n| n == name)
    }

    /// The top-level function or method with this qualified name.
    pub fn function(&self, qualname: &str) -> Option<&Function> {
        self.model.functions.iter().find(|f| f.qualname == qualname)
    }
}

/// The project's modules.
#[derive(Debug, Default)]
pub struct Workspace {
    root: PathBuf,
    modules: BTreeMap<String, ModuleInfo>,
    by_path: HashMap<PathBuf, String>,
    index: WorkspaceIndex,
}

impl Workspace {
    /// Scans every `.py` file under `root` (skipping environments, caches and
    /// hidden directories).
    pub fn scan(root: &Path) -> Workspace {
        let mut files = Vec::new();
        collect_files(root, &mut files);
        let mut sources = Vec::with_capacity(files.len());
        for path in files {
            if let Ok(text) = std::fs::read_to_string(&path) {
                sources.push((path, text));
            }
        }
        Workspace::from_sources(root, sources)
    }

    /// Builds the workspace from files already read (absolute paths).
    pub fn from_sources(root: &Path, sources: Vec<(PathBuf, String)>) -> Workspace {
        let present: std::collections::HashSet<PathBuf> = sources.iter().map(|(p, _)| p.clone()).collect();
        let mut workspace = Workspace {
            root: root.to_path_buf(),
            ..Workspace::default()
        };
        // Each file is parsed once (in parallel); the index is built in order.
        let analysed: Vec<ModuleInfo> = sources
            .into_par_iter()
            .filter_map(|(path, text)| {
                let name = module_name(root, &path, &present)?;
                if python::looks_binary(text.as_bytes()) {
                    return None;
                }
                let source = Source::parse(text);
                let model = python::analyze_tree(&source.tree, source.text.as_bytes());
                let is_package = path.file_name().is_some_and(|n| n == "__init__.py");
                let rel = path.strip_prefix(root).map(slash_path).unwrap_or_default();
                Some(ModuleInfo {
                    definitions: definitions(&model, &source),
                    imports: import_bindings(&source, &name, is_package),
                    is_test: is_test_path(&rel),
                    name,
                    path,
                    rel,
                    is_package,
                    model,
                })
            })
            .collect();
        for module in analysed {
            workspace.index.add_module(&module.name, &module.model.top_level_names);
            workspace.by_path.insert(module.path.clone(), module.name.clone());
            workspace.modules.insert(module.name.clone(), module);
        }
        workspace
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn module(&self, name: &str) -> Option<&ModuleInfo> {
        self.modules.get(name)
    }

    pub fn module_at(&self, path: &Path) -> Option<&ModuleInfo> {
        self.by_path.get(path).and_then(|n| self.modules.get(n))
    }

    pub fn modules(&self) -> impl Iterator<Item = &ModuleInfo> {
        self.modules.values()
    }

    /// Whether `module`'s top-level package (`shop` of `shop.cart`) is part
    /// of the project.
    pub fn owns_package(&self, module: &str) -> bool {
        let top = module.split('.').next().unwrap_or(module);
        self.modules
            .keys()
            .any(|m| m == top || m.starts_with(&format!("{top}.")))
    }

    /// Modules of the code under test (not tests) that define `name`
    /// (`def`, `class` or assignment), sorted by name.
    pub fn defining(&self, name: &str) -> Vec<&ModuleInfo> {
        self.index
            .modules_defining(name)
            .iter()
            .filter_map(|m| self.modules.get(m))
            .filter(|m| !m.is_test && m.defines(name).is_some())
            .collect()
    }

    /// Modules of the code under test that import `name` from elsewhere
    /// (`from x import name`): where a patched name is looked up.
    pub fn importing(&self, name: &str) -> Vec<&ModuleInfo> {
        self.index
            .modules_defining(name)
            .iter()
            .filter_map(|m| self.modules.get(m))
            .filter(|m| {
                !m.is_test
                    && m.imports
                        .iter()
                        .any(|i| i.bound == name && i.name.as_deref() == Some(name))
            })
            .collect()
    }

    /// Modules whose last dotted part is `last` (a module that moved keeps
    /// its file name more often than not).
    pub fn modules_named(&self, last: &str) -> Vec<&ModuleInfo> {
        self.modules
            .values()
            .filter(|m| !m.is_test && m.name.rsplit('.').next() == Some(last))
            .collect()
    }

    /// Functions (and methods) of the code under test with this qualified
    /// name: `total`, `Cart.add`.
    pub fn functions(&self, qualname: &str) -> Vec<(&ModuleInfo, &Function)> {
        let mut out = Vec::new();
        for module in self.modules.values().filter(|m| !m.is_test) {
            for function in &module.model.functions {
                if function.qualname == qualname {
                    out.push((module, function));
                }
            }
        }
        out
    }

    /// Every top-level name defined by the code under test.
    pub fn defined_names(&self) -> impl Iterator<Item = (&ModuleInfo, &Definition)> {
        self.modules
            .values()
            .filter(|m| !m.is_test)
            .flat_map(|m| m.definitions.iter().map(move |d| (m, d)))
    }
}

/// Test code by path: `test_*.py`, `*_test.py`, `conftest.py`, or anything
/// under a `tests`/`test` directory.
pub fn is_test_path(rel: &str) -> bool {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    file.starts_with("test_")
        || file.ends_with("_test.py")
        || file == "conftest.py"
        || rel.split('/').rev().skip(1).any(|d| d == "tests" || d == "test")
}

fn collect_files(root: &Path, out: &mut Vec<PathBuf>) {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_ref()) && !name.ends_with(".egg-info") {
                    pending.push(entry.path());
                }
            } else if kind.is_file() && name.ends_with(".py") {
                if entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE_BYTES) {
                    out.push(entry.path());
                }
                if out.len() >= MAX_FILES {
                    return;
                }
            }
        }
    }
}

/// The dotted name Python imports `path` by: the file's name after the
/// packages (directories with `__init__.py`) that hold it.
fn module_name(root: &Path, path: &Path, present: &std::collections::HashSet<PathBuf>) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let mut parts = Vec::new();
    if stem != "__init__" {
        parts.push(stem.to_string());
    }
    let mut dir = path.parent()?;
    loop {
        let init = dir.join("__init__.py");
        if !(present.contains(&init) || init.is_file()) || !dir.starts_with(root) {
            break;
        }
        parts.push(dir.file_name()?.to_str()?.to_string());
        match dir.parent() {
            Some(parent) => dir = parent,
            None => break,
        }
    }
    if parts.is_empty() || parts.iter().any(|p| !is_identifier(p)) {
        return None;
    }
    parts.reverse();
    Some(parts.join("."))
}

pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn definitions(model: &Module, source: &Source) -> Vec<Definition> {
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
    // Module-level assignments: `NAME = …`, `a, b = …`.
    let root = source.root();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        let Some(assignment) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
            continue;
        };
        let Some(left) = assignment.child_by_field_name("left") else {
            continue;
        };
        for node in super::source::descendants(left).filter(|n| n.kind() == "identifier") {
            if node
                .parent()
                .is_some_and(|p| p.kind() == "attribute" || p.kind() == "subscript")
            {
                continue;
            }
            let name = source.text_of(node).to_string();
            if !out.iter().any(|d| d.name == name) {
                out.push(Definition {
                    name,
                    kind: DefKind::Variable,
                    line: super::source::line_of(stmt),
                });
            }
        }
    }
    out.sort_by_key(|d| d.line);
    out
}

fn import_bindings(source: &Source, module: &str, is_package: bool) -> Vec<ImportBinding> {
    let mut out = Vec::new();
    for import in source.imports() {
        match &import.from_module {
            Some(from) => {
                let Some(from) = resolve_relative(from, module, is_package) else {
                    continue;
                };
                for name in &import.names {
                    out.push(ImportBinding {
                        module: from.clone(),
                        name: Some(name.name.clone()),
                        bound: name.bound().to_string(),
                    });
                }
            }
            None => {
                for name in &import.names {
                    out.push(ImportBinding {
                        module: name.name.clone(),
                        name: None,
                        bound: name.bound().to_string(),
                    });
                }
            }
        }
    }
    out
}

/// `..b` imported from `pkg.sub.a` → `pkg.b`.
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
    let rest = &from[dots..];
    if !rest.is_empty() {
        base.push(rest);
    }
    (!base.is_empty()).then(|| base.join("."))
}

#[cfg(test)]
pub(crate) fn workspace_of(files: &[(&str, &str)]) -> Workspace {
    let root = Path::new("/project");
    let sources = files
        .iter()
        .map(|(rel, text)| (root.join(rel), text.to_string()))
        .collect();
    Workspace::from_sources(root, sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Workspace {
        workspace_of(&[
            ("shop/__init__.py", ""),
            (
                "shop/cart.py",
                "from .pricing import total\n\nclass Cart:\n    def add(self, x):\n        pass\n",
            ),
            (
                "shop/pricing.py",
                "RATE = 2\n\ndef total(items, *, discount=0):\n    return sum(items)\n",
            ),
            (
                "tests/test_cart.py",
                "from shop.cart import Cart\n\ndef test_a():\n    pass\n",
            ),
        ])
    }

    #[test]
    fn modules_and_names() {
        let ws = shop();
        let names: Vec<&str> = ws.modules().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["shop", "shop.cart", "shop.pricing", "test_cart"]);
        assert!(ws.module("test_cart").unwrap().is_test);
        let defining: Vec<&str> = ws.defining("total").iter().map(|m| m.name.as_str()).collect();
        assert_eq!(defining, ["shop.pricing"]);
        let importing: Vec<&str> = ws.importing("total").iter().map(|m| m.name.as_str()).collect();
        assert_eq!(importing, ["shop.cart"]);
        assert_eq!(
            ws.module("shop.pricing").unwrap().defines("RATE").unwrap().kind,
            DefKind::Variable
        );
        assert_eq!(ws.functions("Cart.add").len(), 1);
        assert!(ws.owns_package("shop.gone"));
        assert!(!ws.owns_package("yaml"));
        assert_eq!(
            ws.module("shop.cart").unwrap().imports[0],
            ImportBinding {
                module: "shop.pricing".into(),
                name: Some("total".into()),
                bound: "total".into()
            }
        );
    }

    #[test]
    fn relative_imports() {
        assert_eq!(resolve_relative(".b", "pkg.sub.a", false).as_deref(), Some("pkg.sub.b"));
        assert_eq!(resolve_relative("..b", "pkg.sub.a", false).as_deref(), Some("pkg.b"));
        assert_eq!(resolve_relative(".", "pkg.sub", true).as_deref(), Some("pkg.sub"));
        assert_eq!(resolve_relative("...x", "a.b", false), None);
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("tests/helpers.py"));
        assert!(is_test_path("pkg/test_x.py"));
        assert!(is_test_path("conftest.py"));
        assert!(!is_test_path("pkg/testing.py"));
    }
}
