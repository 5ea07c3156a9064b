//! What the project defines where: every Python module under the root,
//! scanned at once into the project model ([`crate::python::project`]).
//! Fixers ask it where a name lives now.

pub use crate::python::imports::{resolve_relative, ImportBinding};
use crate::python::index::WorkspaceIndex;
pub use crate::python::names::is_test_path;
use crate::python::names::{self, slash_path};
pub use crate::python::project::ModuleInfo;
pub use crate::python::toplevel::{DefKind, Definition};
use crate::python::{self, Function};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
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
        let present: HashSet<PathBuf> = sources.iter().map(|(p, _)| p.clone()).collect();
        let is_package = |dir: &Path| {
            let init = dir.join("__init__.py");
            present.contains(&init) || init.is_file()
        };
        let mut workspace = Workspace {
            root: root.to_path_buf(),
            ..Workspace::default()
        };
        // Each file is parsed once (in parallel); the index is built in order.
        let analysed: Vec<ModuleInfo> = sources
            .into_par_iter()
            .filter_map(|(path, text)| {
                let rel = path.strip_prefix(root).ok().map(slash_path)?;
                let name = names::module_name(root, &rel, is_package)?;
                if python::looks_binary(text.as_bytes()) {
                    return None;
                }
                let tree = python::parse(&mut python::parser(), text.as_bytes(), None).ok()?;
                Some(ModuleInfo::from_tree(&path, &name, &tree, text.as_bytes()).in_project(root))
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
                bound: "total".into(),
                aliased: false,
                module_level: true,
            }
        );
    }
}
