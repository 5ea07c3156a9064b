//! Mocks: a `patch("pkg.old.func")` target that no longer resolves gets the
//! place the code under test looks the name up now; an
//! `assert_called_with(...)` whose expected call drifted gets the actual
//! call, but only for literal arguments the test does not compute itself.

use super::{drift_gate, location, Candidate, Context, Proposal};
use crate::fix::classify::Diagnosis;
use crate::fix::failure::{Failure, MockArgs, Operand};
use crate::fix::literal::{is_literal, render, LiteralStyle};
use crate::fix::source::{call_args, Source, TextEdit};
use crate::fix::workspace::Workspace;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

const MAX_CANDIDATES: usize = 3;

pub(super) fn patch_target(
    diagnosis: &Diagnosis,
    failure: &Failure,
    ctx: &Context,
    target: Option<&str>,
    attribute: &str,
) -> Proposal {
    let Some(target) = target else {
        return Proposal::refuse_with(
            format!("`patch.object(…, \"{attribute}\")` names an attribute the object does not have"),
            "rename the attribute in the patch.object call to the object's new attribute",
        );
    };
    let full = format!("{target}.{attribute}");
    // The string may be in the test module or in a conftest.py fixture.
    let (test_file, _) = location(diagnosis, failure);
    let mut files: Vec<PathBuf> = vec![failure.file.clone()];
    if test_file != failure.file {
        files.push(test_file);
    }
    files.extend(conftests(ctx, &failure.file));
    let mut found: Option<(PathBuf, std::ops::Range<usize>)> = None;
    for file in &files {
        let Some(src) = ctx.source(file) else { continue };
        if let Some((_, range, _)) = src.plain_strings(src.root()).into_iter().find(|(_, _, t)| *t == full) {
            found = Some((file.clone(), range));
            break;
        }
    }
    let Some((file, range)) = found else {
        return Proposal::refuse(format!(
            "the patch target \"{full}\" is not written as a plain string in test code"
        ));
    };
    let renames = super::renames::renamed_in_module(ctx, &failure.file, target, attribute);
    let new_targets = lookup_sites(ctx.workspace, &failure.file, target, attribute, renames);
    let candidates = new_targets
        .into_iter()
        .filter(|(t, _)| *t != full)
        .take(MAX_CANDIDATES)
        .map(|(new, why)| {
            let mut candidate = Candidate::new(
                format!("patch \"{new}\" instead of \"{full}\""),
                &file,
                vec![TextEdit::replace(range.clone(), new.clone())],
            );
            candidate.evidence.push(why);
            candidate
        })
        .collect();
    Proposal::from_candidates(candidates, &format!("`{attribute}` is found nowhere in the project"))
}

/// conftest.py files from the test's directory up to the root.
pub(super) fn conftests(ctx: &Context, test_file: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dir = test_file.parent();
    while let Some(d) = dir {
        if !d.starts_with(ctx.root()) {
            break;
        }
        let conftest = d.join("conftest.py");
        if ctx.texts.get(&conftest).is_some() {
            out.push(conftest);
        }
        dir = d.parent();
    }
    out
}

/// Where to patch `attribute` now, best first, each with the reason: a
/// module of the code under test that imports it by name (the test's own
/// imports first), then where it is defined, then what git says it was
/// renamed to, then a similar name in the old module.
fn lookup_sites(
    ws: &Workspace,
    test_file: &Path,
    target: &str,
    attribute: &str,
    renames: Vec<super::renames::Rename>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |target: String, why: String| {
        if !out.iter().any(|(t, _)| *t == target) {
            out.push((target, why));
        }
    };
    // The code under test: modules the test imports.
    let tested: Vec<String> = ws
        .module_at(test_file)
        .map(|m| m.imports.iter().map(|i| i.module.clone()).collect())
        .unwrap_or_default();
    let importing = ws.importing(attribute);
    for m in importing.iter().filter(|m| tested.contains(&m.name)) {
        push(
            format!("{}.{attribute}", m.name),
            format!("{} imports `{attribute}`: it is looked up there", m.rel),
        );
    }
    for m in ws.defining(attribute) {
        push(
            format!("{}.{attribute}", m.name),
            format!("`{attribute}` is defined in {}", m.rel),
        );
    }
    for rename in renames {
        push(format!("{target}.{}", rename.new), rename.why);
    }
    // Same module, renamed: names like it, public ones first when the
    // patched name was public (a private alias is rarely what code calls).
    if let Some(old) = ws.module(target) {
        let mut similar = super::similar_names(attribute, &old.model.top_level_names, None);
        similar.sort_by_key(|n| n.starts_with('_') && !attribute.starts_with('_'));
        for name in similar {
            push(
                format!("{target}.{name}"),
                format!("`{target}` has `{name}`, close to `{attribute}`"),
            );
        }
    }
    for m in importing.iter().filter(|m| !tested.contains(&m.name)) {
        push(
            format!("{}.{attribute}", m.name),
            format!("{} imports `{attribute}`: it is looked up there", m.rel),
        );
    }
    // A module that was renamed but kept its contents.
    if ws.module(target).is_none() {
        let last = target.rsplit('.').next().unwrap_or(target);
        for m in ws.modules_named(last) {
            if m.binds(attribute) {
                push(
                    format!("{}.{attribute}", m.name),
                    format!("`{target}` is now `{}`", m.name),
                );
            }
        }
    }
    out
}

/// `mock.assert_called_with(...)` whose expected call differs from the one
/// the code makes now.
pub(super) fn expected_call(diagnosis: &Diagnosis, failure: &Failure, ctx: &Context) -> Proposal {
    let Some(call_info) = failure.exception().and_then(|e| e.mock_call.as_ref()) else {
        return Proposal::refuse("the plugin did not record the mock's calls");
    };
    let (Some(expected), Some(actual)) = (&call_info.expected, &call_info.actual) else {
        return Proposal::refuse("the expected or the actual call is unknown");
    };
    let (file, line) = location(diagnosis, failure);
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    let scope = src.root();
    let call = src
        .calls_named(scope, &call_info.method, line)
        .into_iter()
        .next()
        .or_else(|| src.calls_named(scope, "assert_called_with", line).into_iter().next());
    let Some(call) = call else {
        return Proposal::refuse(format!("no `{}(...)` call found at the failing line", call_info.method));
    };
    let new_args = match rewrite_call(&src, call, expected, actual) {
        Ok(text) => text,
        Err(reason) => {
            return Proposal::refuse_with(reason, "check whether the code under test calls the mock correctly")
        }
    };
    let (kind, evidence) = match drift_gate(failure, ctx) {
        Ok(gate) => gate,
        Err(refusal) => return refusal,
    };
    let Some(list) = call.child_by_field_name("arguments") else {
        return Proposal::refuse("the call has no argument list");
    };
    let mut candidate = Candidate::new(
        format!("expect the call the code makes now: `{}{new_args}`", call_info.method),
        &file,
        vec![TextEdit::replace(list.byte_range(), new_args)],
    );
    candidate.kind = kind;
    candidate.evidence = evidence;
    Proposal::Candidates(vec![candidate])
}

/// The new argument list `(...)`: arguments whose value did not change keep
/// their source text; changed ones must be literals in the source (the test
/// does not otherwise check them) and become the actual value.
fn rewrite_call(src: &Source, call: Node, expected: &MockArgs, actual: &MockArgs) -> Result<String, String> {
    let args = call_args(call).ok_or("the call has no argument list")?;
    if args.has_splat {
        return Err("the expected call uses *args or **kwargs".to_string());
    }
    if args.positional.len() != expected.args.len() || args.keywords.len() != expected.kwargs.len() {
        return Err("the expected call does not match its source".to_string());
    }
    let quote = src.preferred_quote();
    let value_text = |operand: &Operand, like: Option<Node>| -> Result<String, String> {
        let style = match like {
            Some(node) => LiteralStyle::of(src, node),
            None => LiteralStyle { quote, multiline: None },
        };
        operand
            .value
            .as_ref()
            .map(|v| render(v, &style))
            .ok_or_else(|| format!("the actual argument `{}` cannot be written as a literal", operand.repr))
    };
    let mut parts = Vec::new();
    let mut used = vec![false; args.positional.len()];
    for (i, operand) in actual.args.iter().enumerate() {
        let source = args.positional.get(i).copied();
        match (source, expected.args.get(i)) {
            (Some(node), Some(old)) if old.repr == operand.repr => {
                used[i] = true;
                parts.push(src.text_of(node).to_string());
            }
            (Some(node), Some(_)) if !is_literal(src, node) => {
                return Err(format!(
                    "argument {} is `{}`, a value the test computes, and the code now passes `{}`",
                    i + 1,
                    src.text_of(node),
                    operand.repr
                ));
            }
            (node, _) => {
                if node.is_some() {
                    used[i] = true;
                }
                parts.push(value_text(operand, node)?);
            }
        }
    }
    for (i, node) in args.positional.iter().enumerate() {
        if !used[i] && !is_literal(src, *node) {
            return Err(format!(
                "the code no longer passes `{}`, a value the test computes",
                src.text_of(*node)
            ));
        }
    }
    let mut keyword_used = vec![false; args.keywords.len()];
    for (name, operand) in &actual.kwargs {
        let source = args
            .keywords
            .iter()
            .position(|(n, _, _)| src.text_of(*n) == name.as_str());
        let old = expected.kwargs.iter().find(|(n, _)| n == name).map(|(_, o)| o);
        match (source, old) {
            (Some(k), Some(old)) if old.repr == operand.repr => {
                keyword_used[k] = true;
                parts.push(src.text_of(args.keywords[k].2).to_string());
            }
            (Some(k), _) if !is_literal(src, args.keywords[k].1) => {
                return Err(format!(
                    "`{name}={}` is a value the test computes, and the code now passes `{}`",
                    src.text_of(args.keywords[k].1),
                    operand.repr
                ));
            }
            (Some(k), _) => {
                keyword_used[k] = true;
                parts.push(format!("{name}={}", value_text(operand, Some(args.keywords[k].1))?));
            }
            (None, _) => parts.push(format!("{name}={}", value_text(operand, None)?)),
        }
    }
    for (k, (name, value, _)) in args.keywords.iter().enumerate() {
        if !keyword_used[k] && !is_literal(src, *value) {
            return Err(format!(
                "the code no longer passes `{}={}`, a value the test computes",
                src.text_of(*name),
                src.text_of(*value)
            ));
        }
    }
    let list_text = src.text_of(args.list);
    if list_text.contains('\n') {
        let indent = src.indentation_at(args.list.start_byte()).to_string();
        let newline = src.newline();
        let inner = format!("{indent}    ");
        let body: Vec<String> = parts.iter().map(|p| format!("{newline}{inner}{p},")).collect();
        Ok(format!("({}{newline}{indent})", body.concat()))
    } else {
        Ok(format!("({})", parts.join(", ")))
    }
}

/// A mock that was never called: when a name the test patches is now
/// imported by name into another module of the code, the code looks it up
/// there, and that is where to patch it.
pub(super) fn not_called(diagnosis: &Diagnosis, failure: &Failure, ctx: &Context) -> Proposal {
    let never_called = || {
        Proposal::refuse_with(
            "the mock was never called, and nothing the test patches is looked up elsewhere now",
            "check whether the code under test still makes the call the test expects",
        )
    };
    let (file, line) = location(diagnosis, failure);
    let (Some(src), Some(line)) = (ctx.source(&file), line) else {
        return never_called();
    };
    let Some(scope) = src.test_function_at(line) else {
        return never_called();
    };
    let ws = ctx.workspace;
    let tested: Vec<String> = ws
        .module_at(&failure.file)
        .map(|m| {
            m.imports
                .iter()
                .flat_map(|i| {
                    [
                        i.module.clone(),
                        format!("{}.{}", i.module, i.name.clone().unwrap_or_default()),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let mut candidates = Vec::new();
    for (_, range, text) in src.plain_strings(scope) {
        let Some((module, attribute)) = text.rsplit_once('.') else {
            continue;
        };
        if ws.module(module).is_none_or(|m| m.is_test || !m.binds(attribute)) {
            continue;
        }
        let mut sites: Vec<&crate::fix::workspace::ModuleInfo> = ws
            .importing(attribute)
            .into_iter()
            .filter(|m| m.name != module)
            .filter(|m| {
                m.imports
                    .iter()
                    .any(|i| i.bound == attribute && i.name.as_deref() == Some(attribute) && i.module == module)
            })
            .collect();
        sites.sort_by_key(|m| !tested.contains(&m.name));
        for site in sites.into_iter().take(MAX_CANDIDATES) {
            let new = format!("{}.{attribute}", site.name);
            let mut candidate = Candidate::new(
                format!("patch \"{new}\" instead of \"{text}\": it is looked up there"),
                &file,
                vec![TextEdit::replace(range.clone(), new)],
            );
            candidate
                .evidence
                .push(format!("{} does `from {module} import {attribute}`", site.rel));
            candidates.push(candidate);
        }
    }
    if candidates.is_empty() {
        return never_called();
    }
    Proposal::Candidates(candidates)
}
