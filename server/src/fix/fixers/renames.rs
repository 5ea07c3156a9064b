//! Renames git can tell: a name a module (or one of its classes) had at the
//! test's last commit and has no more, and the names it gained since. Name
//! similarity alone misses renames like `bind` → `with_args`; a definition
//! that kept its body under a new name does not.

use super::Context;
use crate::fix::names;
use crate::fix::workspace::ModuleInfo;
use crate::python::{self, Module};
use std::path::Path;

/// A name that took the place of the missing one, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rename {
    pub new: String,
    pub why: String,
}

/// At most this many new names are offered on similarity alone.
const MAX_RENAMES: usize = 3;

/// What replaced `name` in `module` (in `class`, when given) since the last
/// commit of `test_file`, best first: a definition with the same body, then
/// the new names closest to the old one. Empty when git cannot tell, or the
/// module still has the name.
pub(super) fn renamed(
    ctx: &Context,
    test_file: &Path,
    module: &ModuleInfo,
    class: Option<&str>,
    name: &str,
) -> Vec<Rename> {
    let Some(git) = ctx.git else { return Vec::new() };
    let Some(base) = git.last_commit_touching(test_file) else {
        return Vec::new();
    };
    let Some(old_text) = git.old_text(&base, &module.path) else {
        return Vec::new();
    };
    let Ok(old) = python::analyze(&mut python::parser(), old_text.as_bytes()) else {
        return Vec::new();
    };
    let Some(new_text) = ctx.texts.get(&module.path) else {
        return Vec::new();
    };
    let short = crate::fix::git::Git::short(&base);
    let then = Version {
        model: &old,
        text: &old_text,
    };
    let now = Version {
        model: &module.model,
        text: &new_text,
    };
    renames_between(&then, &now, class, name)
        .into_iter()
        .map(|(new, same_body)| {
            let why = if same_body {
                format!(
                    "{} renamed `{name}` to `{new}` since {short} (same body, per git)",
                    module.rel
                )
            } else {
                format!(
                    "{} lost `{name}` and gained `{new}` since {short} (per git)",
                    module.rel
                )
            };
            Rename { new, why }
        })
        .collect()
}

/// A module's text and model at one point in time.
struct Version<'a> {
    model: &'a Module,
    text: &'a str,
}

/// The names that may have replaced `name` from `then` to `now`, best
/// first, each with whether its definition kept the old body.
fn renames_between(then: &Version, now: &Version, class: Option<&str>, name: &str) -> Vec<(String, bool)> {
    let (before, after) = (scope_names(then.model, class), scope_names(now.model, class));
    if !before.iter().any(|n| n == name) || after.iter().any(|n| n == name) {
        return Vec::new();
    }
    let gained: Vec<&str> = after
        .iter()
        .filter(|n| !before.contains(n) && !n.starts_with("__"))
        .map(String::as_str)
        .collect();
    let mut out: Vec<(String, bool)> = Vec::new();
    if let Some(old_body) = body(then.model, then.text, class, name) {
        for new in &gained {
            let same = body(now.model, now.text, class, new).is_some_and(|b| b.replace(new, name) == old_body);
            if same {
                out.push((new.to_string(), true));
            }
        }
    }
    // With few new names, any of them may be it; with many, only close ones.
    let threshold = if gained.len() <= MAX_RENAMES { 0.0 } else { 0.5 };
    for (new, _) in names::ranked(name, gained.iter().copied(), threshold) {
        if out.len() >= MAX_RENAMES {
            break;
        }
        if !out.iter().any(|(n, _)| n == new) {
            out.push((new.to_string(), false));
        }
    }
    out
}

/// At most this many modules a package re-exports from are asked.
const MAX_REEXPORTING: usize = 50;

/// Renames of a module-level name, for a module given by dotted name. A
/// package that re-exports its submodules' names (`from .more import *`,
/// `from .core import parse`) lost the name where it was defined: those
/// submodules are asked too.
pub(super) fn renamed_in_module(ctx: &Context, test_file: &Path, module: &str, name: &str) -> Vec<Rename> {
    let Some(info) = ctx.workspace.module(module) else {
        return Vec::new();
    };
    let own = renamed(ctx, test_file, info, None, name);
    if !own.is_empty() {
        return own;
    }
    let prefix = format!("{module}.");
    let mut sources: Vec<&ModuleInfo> = Vec::new();
    let imported = info.imports.iter().filter_map(|i| ctx.workspace.module(&i.module));
    let submodules = ctx
        .workspace
        .modules()
        .filter(|m| info.is_package && m.name.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('.')));
    for m in imported.chain(submodules) {
        if !m.is_test && m.name != info.name && !sources.iter().any(|s| s.name == m.name) {
            sources.push(m);
        }
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<Rename> = Vec::new();
    for m in sources.into_iter().take(MAX_REEXPORTING) {
        for rename in renamed(ctx, test_file, m, None, name) {
            if !out.iter().any(|r| r.new == rename.new) {
                out.push(rename);
            }
        }
    }
    out
}

/// Renames of a member of the project's classes named `class`.
pub(super) fn renamed_in_class(ctx: &Context, test_file: &Path, class: &str, name: &str) -> Vec<Rename> {
    let mut out: Vec<Rename> = Vec::new();
    for module in ctx.workspace.modules().filter(|m| !m.is_test) {
        if module.model.classes.iter().any(|c| c.name == class) {
            for rename in renamed(ctx, test_file, module, Some(class), name) {
                if !out.iter().any(|r| r.new == rename.new) {
                    out.push(rename);
                }
            }
        }
    }
    out
}

/// The names a module binds at top level, or a class's methods and
/// attributes.
fn scope_names(model: &Module, class: Option<&str>) -> Vec<String> {
    let Some(class) = class else {
        return model.top_level_names.clone();
    };
    let mut out: Vec<String> = model
        .functions
        .iter()
        .filter(|f| f.class.as_deref() == Some(class) && f.parent_function.is_none())
        .map(|f| f.name.clone())
        .collect();
    for c in model.classes.iter().filter(|c| c.name == class) {
        out.extend(c.members.iter().cloned());
    }
    out.sort();
    out.dedup();
    out
}

/// The lines after a function's `def` line (its body), to compare
/// definitions across a rename.
fn body(model: &Module, text: &str, class: Option<&str>, name: &str) -> Option<String> {
    let function = model
        .functions
        .iter()
        .find(|f| f.name == name && f.class.as_deref() == class && f.parent_function.is_none())?;
    let lines: Vec<&str> = text.lines().collect();
    let (first, last) = (
        function.body.start.saturating_sub(1) as usize,
        function.body.end as usize,
    );
    let body = lines.get(first..last.min(lines.len()))?.join("\n");
    (!body.trim().is_empty()).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames(old: &str, new: &str, class: Option<&str>, name: &str) -> Vec<(String, bool)> {
        let parse = |text: &str| python::analyze(&mut python::parser(), text.as_bytes()).unwrap();
        let (old_model, new_model) = (parse(old), parse(new));
        let then = Version {
            model: &old_model,
            text: old,
        };
        let now = Version {
            model: &new_model,
            text: new,
        };
        renames_between(&then, &now, class, name)
    }

    #[test]
    fn a_method_that_kept_its_body() {
        let old = "class Curry:\n    def bind(self, x):\n        return type(self)(x)\n\n    def call(self):\n        return 1\n";
        let new =
            "class Curry:\n    def with_args(self, x):\n        return type(self)(x)\n\n    def call(self):\n        return 1\n";
        assert_eq!(
            renames(old, new, Some("Curry"), "bind"),
            [("with_args".to_string(), true)]
        );
        // Still there: no rename.
        assert!(renames(old, old, Some("Curry"), "bind").is_empty());
    }

    #[test]
    fn module_names_lost_and_gained() {
        let old = "def get_class(name):\n    return REGISTRY[name]\n\nREGISTRY = {}\n";
        let new = "def lookup_schema(name, strict=True):\n    return REGISTRY.get(name)\n\nREGISTRY = {}\n";
        assert_eq!(
            renames(old, new, None, "get_class"),
            [("lookup_schema".to_string(), false)]
        );
        // Among many new names only the close ones are offered.
        let crowded = "def get_klass(n):\n    pass\n\ndef a(): pass\ndef b(): pass\ndef c(): pass\ndef d(): pass\n";
        assert_eq!(
            renames(old, crowded, None, "get_class"),
            [("get_klass".to_string(), false)]
        );
    }
}
