//! Imports of names and modules that moved or were renamed: find where the
//! name lives now (the workspace's definitions, Python's suggestion, name
//! similarity) and rewrite the import and the qualified uses.

use super::{location, similar_names, Candidate, Context, Proposal};
use crate::fix::classify::Diagnosis;
use crate::fix::failure::Failure;
use crate::fix::names;
use crate::fix::source::{descendants, end_line_of, line_of, remove_argument, Import, ImportedName, Source, TextEdit};
use crate::fix::workspace::{resolve_relative, DefKind, ModuleInfo, Workspace};
use std::path::Path;

const MAX_CANDIDATES: usize = 3;

/// `from module import name` fails (or, with `module` empty, `name` is not
/// defined at all).
pub(super) fn missing_name(
    diagnosis: &Diagnosis,
    failure: &Failure,
    ctx: &Context,
    module: &str,
    name: &str,
) -> Proposal {
    let (file, line) = location(diagnosis, failure);
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    if module.is_empty() {
        return add_import(ctx, &file, &src, name);
    }
    let this_module = ctx.workspace.module_at(&file).map(|m| (m.name.clone(), m.is_package));
    let imports = src.imports();
    let matching: Vec<(bool, &Import, &ImportedName)> = imports
        .iter()
        .filter_map(|import| {
            let from = import.from_module.as_deref()?;
            let resolved = match &this_module {
                Some((me, package)) => resolve_relative(from, me, *package)?,
                None => from.to_string(),
            };
            if resolved != module {
                return None;
            }
            let imported = import.names.iter().find(|n| n.name == name)?;
            let at_line = line.is_some_and(|l| line_of(import.node) <= l && l <= end_line_of(import.node));
            Some((at_line, import, imported))
        })
        .collect();
    // Prefer the statement on the traceback's line.
    let found = matching
        .iter()
        .find(|(at_line, _, _)| *at_line)
        .or_else(|| matching.first())
        .copied();
    let Some((_, import, imported)) = found else {
        return Proposal::refuse(format!("no `from {module} import {name}` found in {}", ctx.rel(&file)));
    };
    let mut candidates = Vec::new();
    let old_module = ctx.workspace.module(module);
    // Moved: another module defines it now.
    for home in homes(ctx.workspace, name, module) {
        // The names of the same import that left the old module for the
        // same new one move with it: one refactor, one edit.
        let new_module = ctx.workspace.module(&home);
        let moving: Vec<&ImportedName> = import
            .names
            .iter()
            .filter(|n| {
                n.name == name
                    || (old_module.is_some_and(|m| !m.binds(&n.name)) && new_module.is_some_and(|m| m.binds(&n.name)))
            })
            .collect();
        let edits = move_names(&src, import, &moving, &home);
        let shown: Vec<String> = moving.iter().map(|n| format!("`{}`", n.name)).collect();
        let mut candidate = Candidate::new(
            format!("import {} from `{home}` instead of `{module}`", shown.join(", ")),
            &file,
            edits,
        );
        if let Some(m) = ctx.workspace.module(&home) {
            if let Some(def) = m.defines(name) {
                candidate
                    .evidence
                    .push(format!("`{name}` is defined in {}:{}", m.rel, def.line));
            }
        }
        candidates.push(candidate);
    }
    // Renamed in place: a similar name in the same module.
    if candidates.is_empty() {
        let error = failure.exception();
        let mut members: Vec<String> = error.map(|e| e.members.clone()).unwrap_or_default();
        if let Some(m) = ctx.workspace.module(module) {
            members.extend(m.model.top_level_names.iter().cloned());
        }
        let renames = super::renames::renamed_in_module(ctx, &failure.file, module, name);
        let mut new_names: Vec<String> = renames.iter().map(|r| r.new.clone()).collect();
        for similar in similar_names(name, &members, error.and_then(|e| e.suggestion.as_deref())) {
            if !new_names.contains(&similar) {
                new_names.push(similar);
            }
        }
        for new_name in new_names.iter().take(MAX_CANDIDATES) {
            let new_name = new_name.as_str();
            let mut edits = vec![TextEdit::replace(imported.name_node.byte_range(), new_name)];
            if imported.alias.is_none() {
                edits.extend(rename_uses(&src, name, new_name));
            }
            candidates.push(Candidate::new(
                format!("`{name}` was renamed `{new_name}` in `{module}`"),
                &file,
                edits,
            ));
        }
    }
    // Renamed and moved: a similar name defined elsewhere in the package.
    if candidates.is_empty() {
        let top = module.split('.').next().unwrap_or(module);
        let defined: Vec<(&ModuleInfo, &str)> = ctx
            .workspace
            .defined_names()
            .filter(|(m, _)| m.name.split('.').next() == Some(top))
            .map(|(m, d)| (m, d.name.as_str()))
            .collect();
        let ranked = names::ranked(name, defined.iter().map(|(_, n)| *n), 0.75);
        for (new_name, _) in ranked.into_iter().take(MAX_CANDIDATES) {
            let Some((home, _)) = defined.iter().find(|(_, n)| *n == new_name) else {
                continue;
            };
            let renamed: Vec<TextEdit> = if import.names.len() == 1 {
                vec![
                    TextEdit::replace(
                        import.module_node.map(|n| n.byte_range()).unwrap_or(0..0),
                        home.name.clone(),
                    ),
                    TextEdit::replace(imported.name_node.byte_range(), new_name),
                ]
            } else {
                let alias = imported.alias.as_ref().map(|a| format!(" as {a}")).unwrap_or_default();
                vec![
                    remove_argument(&src, imported.node),
                    TextEdit::insert(
                        import.node.end_byte(),
                        format!(
                            "{}{}from {} import {new_name}{alias}",
                            src.newline(),
                            src.indentation_at(import.node.start_byte()),
                            home.name
                        ),
                    ),
                ]
            };
            let mut all = renamed;
            if imported.alias.is_none() {
                all.extend(rename_uses(&src, name, new_name));
            }
            candidates.push(Candidate::new(
                format!("`{name}` is now `{new_name}` in `{}`", home.name),
                &file,
                all,
            ));
        }
    }
    Proposal::from_candidates(
        candidates,
        &format!("`{name}` is defined nowhere in the project, under that name or a similar one"),
    )
}

/// Modules that define `name` now, best first: same top-level package as
/// the old module, then the longest shared prefix, then packages that
/// re-export it.
fn homes(workspace: &Workspace, name: &str, old: &str) -> Vec<String> {
    let top = old.split('.').next().unwrap_or(old);
    let shared = |m: &str| m.split('.').zip(old.split('.')).take_while(|(a, b)| a == b).count();
    let mut defining: Vec<&ModuleInfo> = workspace.defining(name).into_iter().filter(|m| m.name != old).collect();
    // A module that defines it with `def` or `class` before one that binds
    // a wrapper or alias of it (`partition = curry(partition)`).
    let alias = |m: &ModuleInfo| m.defines(name).is_some_and(|d| d.kind == DefKind::Variable);
    defining.sort_by_key(|m| {
        (
            m.name.split('.').next() != Some(top),
            alias(m),
            std::cmp::Reverse(shared(&m.name)),
            m.name.matches('.').count(),
            m.name.clone(),
        )
    });
    let mut out: Vec<String> = defining.iter().map(|m| m.name.clone()).collect();
    for m in workspace.importing(name) {
        if m.is_package && m.name != old && !out.contains(&m.name) {
            out.push(m.name.clone());
        }
    }
    out.truncate(MAX_CANDIDATES);
    out
}

/// The edits that import `moving` (names of `import`) from `new_module`
/// instead: the statement's module when they are all it imports, else the
/// names leave it for a new statement below it.
pub(super) fn move_names(src: &Source, import: &Import, moving: &[&ImportedName], new_module: &str) -> Vec<TextEdit> {
    if moving.len() == import.names.len() {
        if let Some(module_node) = import.module_node {
            return vec![TextEdit::replace(module_node.byte_range(), new_module)];
        }
    }
    let names: Vec<String> = moving
        .iter()
        .map(|n| match &n.alias {
            Some(alias) => format!("{} as {alias}", n.name),
            None => n.name.clone(),
        })
        .collect();
    let mut edits = remove_names(src, import, moving);
    edits.push(TextEdit::insert(
        import.node.end_byte(),
        format!(
            "{}{}from {new_module} import {}",
            src.newline(),
            src.indentation_at(import.node.start_byte()),
            names.join(", ")
        ),
    ));
    edits
}

/// The edit that takes `removed` out of the names `import` lists, keeping
/// its layout: names stay on their lines, lines left empty go.
fn remove_names(src: &Source, import: &Import, removed: &[&ImportedName]) -> Vec<TextEdit> {
    let (Some(first), Some(last)) = (import.names.first(), import.names.last()) else {
        return Vec::new();
    };
    let range = first.node.start_byte()..last.node.end_byte();
    let region = &src.text[range.clone()];
    if region.contains('#') || region.contains('\\') {
        // Comments or continuations: name by name (edits that overlap are
        // refused, and the candidate with them).
        return removed.iter().map(|n| remove_argument(src, n.node)).collect();
    }
    let gone = |item: &str| {
        removed
            .iter()
            .any(|n| src.text_of(n.node).split_whitespace().eq(item.split_whitespace()))
    };
    let newline = src.newline();
    let lines: Vec<&str> = region.split('\n').collect();
    let mut kept: Vec<(String, Vec<String>)> = Vec::new();
    for line in &lines {
        let line = line.trim_end_matches('\r');
        let indent = &line[..line.len() - line.trim_start().len()];
        let items: Vec<String> = line
            .split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty() && !gone(i))
            .map(str::to_string)
            .collect();
        if !items.is_empty() {
            kept.push((indent.to_string(), items));
        }
    }
    let count = kept.len();
    let text: Vec<String> = kept
        .into_iter()
        .enumerate()
        .map(|(i, (indent, items))| {
            let comma = if i + 1 < count { "," } else { "" };
            format!("{indent}{}{comma}", items.join(", "))
        })
        .collect();
    let joined = text.join(newline);
    // The region starts right after `import (`: when its first line is gone,
    // the next one keeps its own line and indentation.
    let first_gone = lines
        .first()
        .is_some_and(|l| l.split(',').all(|i| i.trim().is_empty() || gone(i)));
    if first_gone && lines.len() > 1 {
        return vec![TextEdit::replace(range, format!("{newline}{joined}"))];
    }
    vec![TextEdit::replace(range, joined)]
}

/// Every use of the module-level name `old` in the file, renamed.
fn rename_uses(src: &Source, old: &str, new: &str) -> Vec<TextEdit> {
    src.name_uses(src.root(), old)
        .into_iter()
        .map(|n| TextEdit::replace(n.byte_range(), new))
        .collect()
}

/// A name used but never imported: import it from where it is defined.
fn add_import(ctx: &Context, file: &Path, src: &Source, name: &str) -> Proposal {
    let mut candidates = Vec::new();
    let at = import_insertion_point(src);
    let imports = src.imports();
    for home in homes(ctx.workspace, name, "") {
        // `from home import a` already there: `from home import a, name`.
        let existing = imports.iter().find(|i| {
            i.from_module.as_deref() == Some(home.as_str())
                && i.node.parent().is_some_and(|p| p.kind() == "module")
                && !src.text_of(i.node).contains(['(', '\\'])
                && !i.names.is_empty()
        });
        if let Some(import) = existing {
            let last = import.names.last().expect("not empty").node;
            candidates.push(Candidate::new(
                format!("import `{name}` from `{home}`"),
                file,
                vec![TextEdit::insert(last.end_byte(), format!(", {name}"))],
            ));
            continue;
        }
        let statement = format!("from {home} import {name}");
        let edit = if at == 0 {
            TextEdit::insert(0, format!("{statement}{}", src.newline()))
        } else {
            TextEdit::insert(at, format!("{}{statement}", src.newline()))
        };
        candidates.push(Candidate::new(
            format!("import `{name}` from `{home}`"),
            file,
            vec![edit],
        ));
    }
    Proposal::from_candidates(candidates, &format!("`{name}` is defined nowhere in the project"))
}

/// After the last top-level import (0: at the top of the file).
fn import_insertion_point(src: &Source) -> usize {
    let root = src.root();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|n| {
            matches!(
                n.kind(),
                "import_statement" | "import_from_statement" | "future_import_statement"
            )
        })
        .map(|n| n.end_byte())
        .last()
        .unwrap_or(0)
}

/// A module of the project that no longer exists.
pub(super) fn missing_module(diagnosis: &Diagnosis, failure: &Failure, ctx: &Context, module: &str) -> Proposal {
    let (file, line) = location(diagnosis, failure);
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    let ws = ctx.workspace;
    let imports = src.imports();
    let refers = |text: &str| text == module || text.starts_with(&format!("{module}."));
    let on_line = |import: &Import| line.is_none_or(|l| line_of(import.node) <= l && l <= end_line_of(import.node));
    let mut candidates = Vec::new();
    // `from old.module import a, b`
    if let Some(import) = imports
        .iter()
        .find(|i| i.from_module.as_deref().is_some_and(refers) && on_line(i))
        .or_else(|| imports.iter().find(|i| i.from_module.as_deref().is_some_and(refers)))
    {
        let from = import.from_module.as_deref().unwrap_or_default();
        let suffix = &from[module.len()..];
        let wanted: Vec<&str> = import.names.iter().map(|n| n.name.as_str()).collect();
        for new in new_module_homes(ws, module, &wanted, suffix) {
            let mut edits = vec![TextEdit::replace(
                import.module_node.map(|n| n.byte_range()).unwrap_or(0..0),
                format!("{new}{suffix}"),
            )];
            edits.extend(rewrite_strings(&src, module, &new));
            candidates.push(Candidate::new(
                format!("import from `{new}{suffix}` instead of `{from}`"),
                &file,
                edits,
            ));
        }
        // No single module: each name from where it is defined now.
        if candidates.is_empty() && suffix.is_empty() {
            let mut statements = Vec::new();
            for imported in &import.names {
                let Some(home) = homes(ws, &imported.name, module).into_iter().next() else {
                    statements.clear();
                    break;
                };
                let alias = imported.alias.as_ref().map(|a| format!(" as {a}")).unwrap_or_default();
                statements.push(format!("from {home} import {}{alias}", imported.name));
            }
            if !statements.is_empty() {
                let indent = src.indentation_at(import.node.start_byte()).to_string();
                let joined = statements.join(&format!("{}{indent}", src.newline()));
                candidates.push(Candidate::new(
                    format!("import each name from where it is defined now, not from `{from}`"),
                    &file,
                    vec![TextEdit::replace(import.node.byte_range(), joined)],
                ));
            }
        }
        return Proposal::from_candidates(
            candidates,
            &format!("no module of the project now holds what `{from}` held"),
        );
    }
    // `import old.module [as alias]`
    let plain = imports.iter().filter(|i| i.from_module.is_none()).find_map(|i| {
        i.names
            .iter()
            .find(|n| refers(&n.name))
            .map(|n| (i, n))
            .filter(|(i, _)| on_line(i))
    });
    let Some((_, imported)) = plain else {
        return Proposal::refuse(format!("no import of `{module}` found in {}", ctx.rel(&file)));
    };
    let suffix = &imported.name[module.len()..];
    // The attributes the test uses through the import.
    let prefix = match &imported.alias {
        Some(alias) => alias.clone(),
        None => imported.name.clone(),
    };
    let used: Vec<String> = descendants(src.root())
        .filter(|n| n.kind() == "attribute")
        .filter(|n| {
            n.child_by_field_name("object")
                .is_some_and(|o| src.text_of(o) == prefix)
        })
        .filter_map(|n| n.child_by_field_name("attribute").map(|a| src.text_of(a).to_string()))
        .collect();
    let used: Vec<&str> = used.iter().map(String::as_str).collect();
    for new in new_module_homes(ws, module, &used, suffix) {
        let new_full = format!("{new}{suffix}");
        let mut edits = vec![TextEdit::replace(imported.name_node.byte_range(), new_full.clone())];
        if imported.alias.is_none() {
            for node in descendants(src.root()).filter(|n| n.kind() == "attribute" && src.text_of(*n) == imported.name)
            {
                edits.push(TextEdit::replace(node.byte_range(), new_full.clone()));
            }
        }
        edits.extend(rewrite_strings(&src, module, &new));
        candidates.push(Candidate::new(
            format!("import `{new_full}` instead of `{}`", imported.name),
            &file,
            edits,
        ));
    }
    Proposal::from_candidates(
        candidates,
        &format!("no module of the project now holds what `{module}` held"),
    )
}

/// Modules that could be what `old` became: binding every name in `wanted`
/// (of `old` + `suffix`); by file name first, then by defining them all,
/// then by a similar name.
fn new_module_homes(ws: &Workspace, old: &str, wanted: &[&str], suffix: &str) -> Vec<String> {
    let holds_all = |m: &str| {
        let full = format!("{m}{suffix}");
        ws.module(&full).is_some_and(|info| {
            wanted
                .iter()
                .all(|w| info.binds(w) || ws.module(&format!("{full}.{w}")).is_some())
        })
    };
    let last = old.rsplit('.').next().unwrap_or(old);
    let mut out: Vec<String> = Vec::new();
    for m in ws.modules_named(last) {
        if m.name != old && holds_all(&m.name) {
            out.push(m.name.clone());
        }
    }
    if suffix.is_empty() && !wanted.is_empty() {
        let mut common: Option<Vec<String>> = None;
        for name in wanted {
            let here: Vec<String> = ws.defining(name).iter().map(|m| m.name.clone()).collect();
            common = Some(match common {
                None => here,
                Some(previous) => previous.into_iter().filter(|m| here.contains(m)).collect(),
            });
        }
        for m in common.unwrap_or_default() {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    let all: Vec<&str> = ws.modules().filter(|m| !m.is_test).map(|m| m.name.as_str()).collect();
    for (m, _) in names::ranked(old, all, 0.6) {
        if m != old && holds_all(m) && !out.iter().any(|o| o == m) {
            out.push(m.to_string());
        }
    }
    out.truncate(MAX_CANDIDATES);
    out
}

/// String literals naming `old.…` (patch targets) follow the module.
fn rewrite_strings(src: &Source, old: &str, new: &str) -> Vec<TextEdit> {
    src.plain_strings(src.root())
        .into_iter()
        .filter(|(_, _, text)| text.starts_with(&format!("{old}.")))
        .map(|(_, range, text)| TextEdit::replace(range, format!("{new}{}", &text[old.len()..])))
        .collect()
}
