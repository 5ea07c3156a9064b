//! Which module defines which top-level name, across the workspace. Used to
//! find where a name lives after it moved (import repair) and to resolve
//! names in reports.

use std::collections::HashMap;

/// Top-level definitions by name.
#[derive(Debug, Default, Clone)]
pub struct WorkspaceIndex {
    by_name: HashMap<String, Vec<String>>,
}

impl WorkspaceIndex {
    /// Records that `module` (dotted) binds `names` at top level.
    pub fn add_module<'a>(&mut self, module: &str, names: impl IntoIterator<Item = &'a String>) {
        for name in names {
            let modules = self.by_name.entry(name.clone()).or_default();
            if !modules.iter().any(|m| m == module) {
                modules.push(module.to_string());
                modules.sort();
            }
        }
    }

    /// Modules that define `name`, sorted.
    pub fn modules_defining(&self, name: &str) -> &[String] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}
