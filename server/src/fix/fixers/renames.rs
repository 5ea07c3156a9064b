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
    let (then, now) = (scope_names(&old, class), scope_names(&module.model, class));
    if !then.iter().any(|n| n == name) || now.iter().any(|n| n == name) {
        return Vec::new();
    }
    let gained: Vec<&str> = now
        .iter()
        .filter(|n| !then.contains(n) && !n.starts_with("__"))
        .map(String::as_str)
        .collect();
    let mut out: Vec<Rename> = Vec::new();
    let short = crate::fix::git::Git::short(&base);
    if let Some(old_body) = body(&old, &old_text, class, name) {
        for new in &gained {
            let same = body(&module.model, &new_text, class, new).is_some_and(|b| b.replace(new, name) == old_body);
            if same {
                out.push(Rename {
                    new: new.to_string(),
                    why: format!(
                        "{} renamed `{name}` to `{new}` since {short} (same body, per git)",
                        module.rel
                    ),
                });
            }
        }
    }
    // With few new names, any of them may be it; with many, only close ones.
    let threshold = if gained.len() <= MAX_RENAMES { 0.0 } else { 0.5 };
    for (new, _) in names::ranked(name, gained.iter().copied(), threshold) {
        if out.len() >= MAX_RENAMES {
            break;
        }
        if !out.iter().any(|r| r.new == new) {
            out.push(Rename {
                new: new.to_string(),
                why: format!(
                    "{} lost `{name}` and gained `{new}` since {short} (per git)",
                    module.rel
                ),
            });
        }
    }
    out
}

/// Renames of a module-level name, for a module given by dotted name.
pub(super) fn renamed_in_module(ctx: &Context, test_file: &Path, module: &str, name: &str) -> Vec<Rename> {
    match ctx.workspace.module(module) {
        Some(info) => renamed(ctx, test_file, info, None, name),
        None => Vec::new(),
    }
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
