//! The one rule for a module's dotted name, used by coverage paths (audit),
//! generate and fix alike.

use std::path::Path;

/// The dotted name Python imports the file at `rel` (relative to `root`,
/// `/`-separated) by, or `None` when no import can reach it (not a `.py` or
/// `.pyw` file, or a part that is not an identifier).
///
/// - `src/` and `lib/` are import roots when they are not packages
///   themselves: `src/pkg/mod.py` → `pkg.mod`.
/// - `pkg/__init__.py` is the package: `pkg`.
/// - Code under test is imported from the import root, through regular
///   packages and namespace packages (PEP 420) alike: `shop/cart.py` →
///   `shop.cart` even without `shop/__init__.py`.
/// - Test code (see [`is_test_path`]) is imported the way pytest's default
///   import mode does: from the first directory upward that is not a regular
///   package, so `tests/test_cart.py` is `test_cart` unless `tests/` has an
///   `__init__.py`.
///
/// `is_package(dir)` says whether `dir` (absolute) holds an `__init__.py`.
pub fn module_name(root: &Path, rel: &str, is_package: impl Fn(&Path) -> bool) -> Option<String> {
    let stem = rel.strip_suffix(".py").or_else(|| rel.strip_suffix(".pyw"))?;
    let mut parts: Vec<&str> = stem.split('/').filter(|p| !p.is_empty()).collect();
    let mut base = root.to_path_buf();
    if parts.len() > 1 && matches!(parts[0], "src" | "lib") && !is_package(&root.join(parts[0])) {
        base.push(parts.remove(0));
    }
    if parts.len() > 1 && parts.last() == Some(&"__init__") {
        parts.pop();
    }
    let test = is_test_path(rel);
    // Climb from the module's directory towards the import root; `first` is
    // the first part of the name.
    let mut first = parts.len().saturating_sub(1);
    while first > 0 {
        let dir = base.join(parts[..first].join("/"));
        let regular = is_package(&dir);
        if !regular && (test || !is_identifier(parts[first - 1])) {
            break;
        }
        first -= 1;
    }
    let name = &parts[first..];
    if name.is_empty() || !name.iter().all(|p| is_identifier(p)) {
        return None;
    }
    Some(name.join("."))
}

/// [`module_name`] with packages looked up on disk.
pub fn module_name_on_disk(root: &Path, rel: &str) -> Option<String> {
    module_name(root, rel, |dir| dir.join("__init__.py").is_file())
}

/// [`module_name_on_disk`], or for a file no import can reach its path
/// with dots (`my-file.py` → `my-file`): a name to show, not to import.
pub fn display_module_name(root: &Path, rel: &str) -> String {
    module_name_on_disk(root, rel).unwrap_or_else(|| {
        let stem = rel
            .strip_suffix(".py")
            .or_else(|| rel.strip_suffix(".pyw"))
            .unwrap_or(rel);
        stem.replace('/', ".")
    })
}

/// A relative path with `/` separators, whatever the platform.
pub fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A Python identifier (keywords included: they cannot name a module, but
/// telling them apart is the caller's business).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The dotted name of `rel` in a tree where `packages` hold `__init__.py`.
    fn name(rel: &str, packages: &[&str]) -> Option<String> {
        let root = Path::new("/p");
        let packages: Vec<PathBuf> = packages.iter().map(|p| root.join(p)).collect();
        module_name(root, rel, |dir| packages.iter().any(|p| p == dir))
    }

    #[test]
    fn packages_layouts_and_namespaces() {
        assert_eq!(
            name("shop/io/formats.py", &["shop", "shop/io"]).as_deref(),
            Some("shop.io.formats")
        );
        assert_eq!(name("shop/__init__.py", &["shop"]).as_deref(), Some("shop"));
        assert_eq!(name("setup.py", &[]).as_deref(), Some("setup"));
        assert_eq!(name("gui.pyw", &[]).as_deref(), Some("gui"));
        // src/ and lib/ layouts, unless the directory is a package itself.
        assert_eq!(name("src/pkg/mod.py", &["src/pkg"]).as_deref(), Some("pkg.mod"));
        assert_eq!(name("lib/pkg/__init__.py", &["lib/pkg"]).as_deref(), Some("pkg"));
        assert_eq!(
            name("src/pkg/mod.py", &["src", "src/pkg"]).as_deref(),
            Some("src.pkg.mod")
        );
        // Namespace packages (no __init__.py) are imported from the root.
        assert_eq!(name("shop/cart.py", &[]).as_deref(), Some("shop.cart"));
        assert_eq!(name("src/ns/pkg/m.py", &["src/ns/pkg"]).as_deref(), Some("ns.pkg.m"));
        // A directory no import can name is where the name starts.
        assert_eq!(name("my-scripts/tool.py", &[]).as_deref(), Some("tool"));
        assert_eq!(name("my-file.py", &[]), None);
        assert_eq!(name("README.md", &[]), None);
    }

    #[test]
    fn test_files_as_pytest_imports_them() {
        assert_eq!(name("tests/test_cart.py", &[]).as_deref(), Some("test_cart"));
        assert_eq!(name("tests/helpers.py", &[]).as_deref(), Some("helpers"));
        assert_eq!(
            name("tests/unit/test_a.py", &["tests/unit"]).as_deref(),
            Some("unit.test_a")
        );
        assert_eq!(
            name("tests/unit/test_a.py", &["tests", "tests/unit"]).as_deref(),
            Some("tests.unit.test_a")
        );
        assert_eq!(name("conftest.py", &[]).as_deref(), Some("conftest"));
        assert_eq!(name("src/pkg/test_x.py", &["src/pkg"]).as_deref(), Some("pkg.test_x"));
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("tests/helpers.py"));
        assert!(is_test_path("pkg/test_x.py"));
        assert!(is_test_path("conftest.py"));
        assert!(!is_test_path("pkg/testing.py"));
    }
}
