//! Attributes that were renamed (a method, a field) or, on a module, moved
//! to another module: the test's accesses follow the new name or place.

use super::renames::{renamed_in_class, renamed_in_module, Rename};
use super::{location, similar_names, Candidate, Context, Proposal};
use crate::fix::classify::{Diagnosis, Owner};
use crate::fix::failure::Failure;
use crate::fix::source::{descendants, end_line_of, line_of, Source, TextEdit};
use std::path::Path;
use tree_sitter::Node;

pub(super) fn missing_attribute(
    diagnosis: &Diagnosis,
    failure: &Failure,
    ctx: &Context,
    owner: &Owner,
    name: &str,
) -> Proposal {
    let (file, line) = location(diagnosis, failure);
    let Some(line) = line else {
        return Proposal::refuse("the failing access is not in test code");
    };
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    let accesses = |scope| accesses_of(&src, scope, name);
    let Some(failing) = accesses(src.root())
        .into_iter()
        .filter(|n| line_of(*n) <= line && line <= end_line_of(*n))
        .min_by_key(|n| n.byte_range().len())
    else {
        return Proposal::refuse(format!("no `.{name}` at {}:{line}", ctx.rel(&file)));
    };
    let Some(object) = failing.child_by_field_name("object") else {
        return Proposal::refuse("the attribute access has no object");
    };
    let object_text = src.text_of(object).to_string();
    let error = failure.exception();
    let mut members: Vec<String> = error.map(|e| e.members.clone()).unwrap_or_default();
    match owner {
        Owner::Module(module) => {
            if let Some(m) = ctx.workspace.module(module) {
                members.extend(m.model.top_level_names.iter().cloned());
            }
            // A module is global: every access through the same name follows.
            let same: Vec<Node> = accesses(src.root())
                .into_iter()
                .filter(|n| {
                    n.child_by_field_name("object")
                        .is_some_and(|o| src.text_of(o) == object_text)
                })
                .collect();
            let mut candidates = moved(ctx, &file, &src, module, name, &object_text, &same);
            let suggestion = error.and_then(|e| e.suggestion.as_deref());
            let renames = renamed_in_module(ctx, &failure.file, module, name);
            let similar = similar_names(name, &members, suggestion);
            for (new, why) in with_reasons(renames, similar) {
                let mut candidate = Candidate::new(
                    format!("`{module}.{name}` was renamed `{new}`"),
                    &file,
                    rename(&same, &new),
                );
                candidate.evidence.extend(why);
                candidates.push(candidate);
            }
            candidates.truncate(3);
            Proposal::from_candidates(candidates, &format!("module `{module}` has nothing like `{name}` now"))
        }
        Owner::Class(class) | Owner::Instance(class) => {
            if members.is_empty() {
                members = static_members(ctx, class);
            }
            // Only in the failing test, and only on the same object or on
            // objects the test makes of the same class: another object may
            // keep the name.
            let scope = src.test_function_at(line).unwrap_or(src.root());
            let all = accesses(scope);
            let mut same: Vec<Node> = all
                .iter()
                .copied()
                .filter(|n| {
                    n.child_by_field_name("object").is_some_and(|o| {
                        let text = src.text_of(o);
                        text == object_text || text.starts_with(&format!("{class}(")) || text == class.as_str()
                    })
                })
                .collect();
            // Chained calls (`obj.bind(1).bind(2)`): the method is called on
            // what it returned, an object of the same kind.
            loop {
                let chained: Vec<Node> = all
                    .iter()
                    .copied()
                    .filter(|n| !same.iter().any(|s| s.id() == n.id()))
                    .filter(|n| {
                        n.child_by_field_name("object")
                            .filter(|o| o.kind() == "call")
                            .and_then(|call| call.child_by_field_name("function"))
                            .is_some_and(|f| same.iter().any(|s| s.id() == f.id()))
                    })
                    .collect();
                if chained.is_empty() {
                    break;
                }
                same.extend(chained);
            }
            let suggestion = error.and_then(|e| e.suggestion.as_deref());
            let renames = renamed_in_class(ctx, &failure.file, class, name);
            let similar = similar_names(name, &members, suggestion);
            let candidates = with_reasons(renames, similar)
                .into_iter()
                .take(3)
                .map(|(new, why)| {
                    let mut candidate = Candidate::new(
                        format!("`{class}.{name}` was renamed `{new}`"),
                        &file,
                        rename(&same, &new),
                    );
                    candidate
                        .evidence
                        .push(why.unwrap_or_else(|| format!("`{class}` has `{new}` and no `{name}`")));
                    candidate
                })
                .collect();
            Proposal::from_candidates(candidates, &format!("`{class}` has no attribute like `{name}`"))
        }
    }
}

/// The new names git found (with why), then similar names not among them.
fn with_reasons(renames: Vec<Rename>, similar: Vec<String>) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = renames.into_iter().map(|r| (r.new, Some(r.why))).collect();
    for name in similar {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, None));
        }
    }
    out
}

/// `<object>.name` in `scope`.
fn accesses_of<'a>(src: &Source, scope: Node<'a>, name: &str) -> Vec<Node<'a>> {
    descendants(scope)
        .filter(|n| n.kind() == "attribute")
        .filter(|n| {
            n.child_by_field_name("attribute")
                .is_some_and(|a| src.text_of(a) == name)
        })
        .collect()
}

fn rename(accesses: &[Node], new: &str) -> Vec<TextEdit> {
    accesses
        .iter()
        .filter_map(|n| n.child_by_field_name("attribute"))
        .map(|a| TextEdit::replace(a.byte_range(), new))
        .collect()
}

/// Methods and class attributes of the project's classes named `class`.
fn static_members(ctx: &Context, class: &str) -> Vec<String> {
    let mut out = Vec::new();
    for module in ctx.workspace.modules().filter(|m| !m.is_test) {
        for function in &module.model.functions {
            if function.class.as_deref() == Some(class) {
                out.push(function.name.clone());
            }
        }
        for c in module.model.classes.iter().filter(|c| c.name == class) {
            out.extend(c.members.iter().cloned());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `module.name` where `name` now lives in another module: use that module
/// (importing it the way the file imports the old one).
fn moved(
    ctx: &Context,
    file: &Path,
    src: &Source,
    module: &str,
    name: &str,
    object_text: &str,
    accesses: &[Node],
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let imports = src.imports();
    for home in ctx.workspace.defining(name).into_iter().filter(|m| m.name != module) {
        let mut edits = Vec::new();
        let new_object;
        if object_text == module {
            // `import pkg.old` … `pkg.old.name`
            new_object = home.name.clone();
            let already = imports
                .iter()
                .any(|i| i.from_module.is_none() && i.names.iter().any(|n| n.name == home.name && n.alias.is_none()));
            if !already {
                let anchor = imports
                    .iter()
                    .find(|i| i.names.iter().any(|n| n.name == module))
                    .map(|i| i.node);
                edits.push(insert_after(src, anchor, &format!("import {}", home.name)));
            }
        } else {
            let (parent, last) = match home.name.rsplit_once('.') {
                Some((parent, last)) => (Some(parent), last),
                None => (None, home.name.as_str()),
            };
            let bound_here = imports.iter().find(|i| i.names.iter().any(|n| n.bound() == last));
            match bound_here {
                Some(i) => {
                    let same = i.names.iter().any(|n| {
                        n.bound() == last
                            && match (&i.from_module, parent) {
                                (Some(from), Some(parent)) => from == parent && n.name == last,
                                (None, _) => n.name == home.name,
                                _ => false,
                            }
                    });
                    if !same {
                        continue; // the name is taken by something else
                    }
                }
                None => {
                    let statement = match parent {
                        Some(parent) => format!("from {parent} import {last}"),
                        None => format!("import {last}"),
                    };
                    let anchor = imports
                        .iter()
                        .find(|i| i.names.iter().any(|n| n.bound() == object_text))
                        .map(|i| i.node);
                    edits.push(insert_after(src, anchor, &statement));
                }
            }
            new_object = last.to_string();
        }
        for access in accesses {
            if let Some(object) = access.child_by_field_name("object") {
                edits.push(TextEdit::replace(object.byte_range(), new_object.clone()));
            }
        }
        let mut candidate = Candidate::new(
            format!("use `{}.{name}`: `{name}` moved from `{module}`", new_object),
            file,
            edits,
        );
        if let Some(def) = home.defines(name) {
            candidate
                .evidence
                .push(format!("`{name}` is defined in {}:{}", home.rel, def.line));
        }
        out.push(candidate);
    }
    out
}

/// A new statement on its own line after `anchor` (else after the last
/// top-level import, else at the top).
fn insert_after(src: &Source, anchor: Option<Node>, statement: &str) -> TextEdit {
    let newline = src.newline();
    if let Some(anchor) = anchor {
        let indent = src.indentation_at(anchor.start_byte());
        return TextEdit::insert(anchor.end_byte(), format!("{newline}{indent}{statement}"));
    }
    let root = src.root();
    let mut cursor = root.walk();
    let last = root
        .named_children(&mut cursor)
        .filter(|n| matches!(n.kind(), "import_statement" | "import_from_statement"))
        .last();
    match last {
        Some(node) => TextEdit::insert(node.end_byte(), format!("{newline}{statement}")),
        None => TextEdit::insert(0, format!("{statement}{newline}")),
    }
}
