//! Mapping the report's file names to files in the workspace.

use std::path::{Component, Path, PathBuf};

/// Resolves `.` and `..` without touching the file system (the file may no
/// longer exist). Returns `None` when `..` climbs above the start.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::Normal(part) => {
                out.push(part);
                depth += 1;
            }
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// Where a report entry lives: its absolute path and its path relative to
/// the root, or `None` when it is outside the root.
///
/// Relative names are relative to the directory coverage ran in: the root,
/// or failing that the directory holding the report.
pub fn map_to_workspace(root: &Path, report_dir: &Path, key: &str) -> Option<(PathBuf, String)> {
    let key_path = if key.contains('\\') && !key.contains('/') && !Path::new(key).is_absolute() {
        PathBuf::from(key.replace('\\', "/"))
    } else {
        PathBuf::from(key)
    };
    let candidates: Vec<PathBuf> = if key_path.is_absolute() {
        vec![key_path]
    } else if report_dir != root {
        vec![root.join(&key_path), report_dir.join(&key_path)]
    } else {
        vec![root.join(&key_path)]
    };
    let mut first_inside = None;
    for candidate in candidates {
        let Some(abs) = normalize(&candidate) else {
            continue;
        };
        let Ok(rel) = abs.strip_prefix(root) else {
            continue;
        };
        let rel = crate::python::names::slash_path(rel);
        if rel.is_empty() {
            continue;
        }
        if abs.exists() {
            return Some((abs, rel));
        }
        first_inside.get_or_insert((abs, rel));
    }
    first_inside
}

/// The dotted import name of a module at `rel` (relative to `root`):
/// `shop/io/formats.py` → `shop.io.formats`, `pkg/__init__.py` → `pkg`, and
/// for a `src/` layout `src/pkg/mod.py` → `pkg.mod`. The one rule is
/// [`crate::python::names::module_name`].
pub fn module_name(root: &Path, rel: &str) -> String {
    crate::python::names::display_module_name(root, rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_absolute_and_outside() {
        let root = Path::new("/work/proj");
        let map = |key: &str| map_to_workspace(root, root, key).map(|(_, rel)| rel);
        assert_eq!(map("pkg/m.py").as_deref(), Some("pkg/m.py"));
        assert_eq!(map("./pkg/../pkg/m.py").as_deref(), Some("pkg/m.py"));
        assert_eq!(map("/work/proj/src/a.py").as_deref(), Some("src/a.py"));
        assert_eq!(map("pkg\\win.py").as_deref(), Some("pkg/win.py"));
        assert_eq!(map("../outside.py"), None);
        assert_eq!(map("/etc/passwd"), None);
        assert_eq!(
            map("/work/project2/a.py"),
            None,
            "a sibling with a common prefix is outside"
        );
    }

    #[test]
    fn dotted_names() {
        let root = Path::new("/nonexistent");
        assert_eq!(module_name(root, "shop/io/formats.py"), "shop.io.formats");
        assert_eq!(module_name(root, "shop/__init__.py"), "shop");
        assert_eq!(module_name(root, "src/pkg/mod.py"), "pkg.mod");
        assert_eq!(module_name(root, "setup.py"), "setup");
    }
}
