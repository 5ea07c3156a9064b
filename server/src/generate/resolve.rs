//! What the names in a module's annotations refer to: classes of the project
//! (their constructors, enum members), well-known standard library types,
//! and the import line a test needs for each. Modules are the project model
//! of [`crate::python::project`], loaded lazily as names lead to them.

pub use crate::python::project::ModuleInfo;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

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
        self.cache.borrow_mut().insert(info.name.clone(), Some(info));
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
        if let Some(import) = owner.import_of(head) {
            let (module, original) = match &import.name {
                Some(original) => (import.module.as_str(), original.as_str()),
                None => (import.bound_module(), ""),
            };
            match (original.is_empty(), rest) {
                // `import a.b as m` then `m.Name`, or `import json` then `json.X`.
                (true, Some(rest)) => {
                    let (sub, last) = match rest.rsplit_once('.') {
                        Some((sub, last)) => (format!("{module}.{sub}"), last),
                        None => (module.to_string(), rest),
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
    (format!("from {} import {}", owner.name, top), qualname.to_string())
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
            Resolved::Class { owner, qualname } => Some(format!("{}:{qualname}", owner.name)),
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
