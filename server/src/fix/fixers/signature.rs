//! Signature changes at the test's own call: a new required parameter gets
//! an argument (its old default, a value other calls pass, or one from its
//! annotation); an unexpected keyword becomes the parameter it was renamed
//! to; positional arguments the function no longer takes are passed by
//! keyword (the parameter became keyword-only) or dropped (it was removed).

use super::{location, Candidate, Context, Proposal};
use crate::fix::classify::{callee_of, Detail, Diagnosis};
use crate::fix::failure::Failure;
use crate::fix::literal::{is_literal, string_literal};
use crate::fix::names;
use crate::fix::source::{append_argument, call_args, remove_argument, CallArgs, Source, TextEdit};
use crate::fix::workspace::ModuleInfo;
use crate::python::{Param, ParamKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The function the message names, as the project defines it now.
struct Target<'a> {
    module: &'a ModuleInfo,
    qualname: String,
    /// Without `self`/`cls`.
    params: Vec<Param>,
}

pub(super) fn signature(diagnosis: &Diagnosis, failure: &Failure, ctx: &Context) -> Proposal {
    let function = match &diagnosis.detail {
        Detail::MissingArguments { function, .. }
        | Detail::UnexpectedKeyword { function, .. }
        | Detail::TooManyPositional { function, .. } => function.as_str(),
        _ => return Proposal::refuse("not a signature change"),
    };
    let (file, line) = location(diagnosis, failure);
    let Some(line) = line else {
        return Proposal::refuse("the failing call is not in test code");
    };
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    let callee = callee_of(function);
    let Some(call) = src
        .calls_named(src.root(), callee, Some(line))
        .into_iter()
        .min_by_key(|c| c.byte_range().len())
    else {
        return Proposal::refuse(format!("no call of `{callee}` at {}:{line}", ctx.rel(&file)));
    };
    let Some(args) = call_args(call) else {
        return Proposal::refuse("the call's arguments cannot be read");
    };
    let Some(target) = resolve(ctx, &file, function) else {
        return Proposal::refuse(format!("`{function}` is not defined in the project"));
    };
    // The same callee written the same way elsewhere in the test has the
    // same problem: one root cause, one edit.
    let callee_text = call.child_by_field_name("function").map(|f| src.text_of(f).to_string());
    let scope = src.test_function_at(line).unwrap_or(src.root());
    let mut calls = vec![args];
    for other in src.calls_named(scope, callee, None) {
        let same_text = other
            .child_by_field_name("function")
            .map(|f| src.text_of(f).to_string())
            == callee_text;
        if other.id() != call.id() && same_text {
            calls.extend(call_args(other));
        }
    }
    let old = ctx
        .git
        .and_then(|g| g.old_params(&failure.file, &target.module.path, &target.qualname))
        .map(|p| without_receiver(&target.qualname, p));
    match &diagnosis.detail {
        Detail::MissingArguments { params, .. } => missing(ctx, &file, &src, &calls, &target, old.as_deref(), params),
        Detail::UnexpectedKeyword { keyword, .. } => {
            unexpected(&file, &src, &calls, &target, old.as_deref(), keyword, function)
        }
        Detail::TooManyPositional { .. } => too_many(&file, &src, &calls, &target, old.as_deref(), function),
        _ => Proposal::refuse("not a signature change"),
    }
}

fn resolve<'a>(ctx: &'a Context, test_file: &Path, function: &str) -> Option<Target<'a>> {
    let ws = ctx.workspace;
    let imported: Vec<String> = ws
        .module_at(test_file)
        .map(|m| m.imports.iter().map(|i| i.module.clone()).collect())
        .unwrap_or_default();
    let mut found: Vec<(&ModuleInfo, Vec<Param>, String)> = ws
        .functions(function)
        .into_iter()
        .map(|(m, f)| (m, f.params.clone(), f.qualname.clone()))
        .collect();
    if found.is_empty() {
        // A class without its own `__init__` (dataclass, NamedTuple).
        let class = function.strip_suffix(".__init__").unwrap_or(function);
        for module in ws.modules().filter(|m| !m.is_test) {
            for c in module.model.classes.iter().filter(|c| c.qualname == class) {
                let mut params = c.init_params.clone();
                params.insert(
                    0,
                    Param {
                        name: "self".to_string(),
                        kind: ParamKind::Regular,
                        annotation: None,
                        default: None,
                    },
                );
                found.push((module, params, format!("{class}.__init__")));
            }
        }
    }
    found.sort_by_key(|(m, _, _)| !imported.contains(&m.name));
    let (module, params, qualname) = found.into_iter().next()?;
    Some(Target {
        module,
        params: without_receiver(&qualname, params),
        qualname,
    })
}

/// Methods' `self`/`cls` is bound by the call, not passed.
fn without_receiver(qualname: &str, mut params: Vec<Param>) -> Vec<Param> {
    if qualname.contains('.') && params.first().is_some_and(|p| p.name == "self" || p.name == "cls") {
        params.remove(0);
    }
    params
}

fn missing(
    ctx: &Context,
    file: &Path,
    src: &Source,
    calls: &[CallArgs],
    target: &Target,
    old: Option<&[Param]>,
    wanted: &[String],
) -> Proposal {
    let mut parts = Vec::new();
    let mut sources = Vec::new();
    for name in wanted {
        let Some(param) = target.params.iter().find(|p| &p.name == name) else {
            return Proposal::refuse(format!("`{}` has no parameter `{name}`", target.qualname));
        };
        if param.kind == ParamKind::PositionalOnly {
            return Proposal::refuse_with(
                format!("`{name}` is positional-only"),
                format!("pass `{name}` to `{}()` by position", target.qualname),
            );
        }
        let old_default = old
            .and_then(|o| o.iter().find(|p| &p.name == name))
            .and_then(|p| p.default.clone());
        let (value, from) = if let Some(default) = old_default {
            (default, "its old default".to_string())
        } else if let Some(value) = value_other_calls_pass(ctx, src, target, name, position(&target.params, name)) {
            (value, "the value other calls pass".to_string())
        } else if let Some(value) = placeholder(param.annotation.as_deref(), src.preferred_quote()) {
            (
                value,
                format!("its annotation `{}`", param.annotation.as_deref().unwrap_or("")),
            )
        } else {
            return Proposal::refuse_with(
                format!("nothing tells which value to pass for the new parameter `{name}`"),
                format!(
                    "pass `{name}`{} to `{}()`",
                    param
                        .annotation
                        .as_ref()
                        .map(|a| format!(" (a `{a}`)"))
                        .unwrap_or_default(),
                    target.qualname
                ),
            );
        };
        parts.push((name.clone(), format!("{name}={value}")));
        sources.push(format!("`{name}` from {from}"));
    }
    let mut edits = Vec::new();
    for args in calls {
        if args.has_splat {
            continue;
        }
        let passed = passed_names(src, args, &target.params);
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(name, _)| !passed.contains(&name.as_str()))
            .map(|(_, part)| part.as_str())
            .collect();
        if !missing.is_empty() {
            edits.push(append_argument(src, args, &missing.join(", ")));
        }
    }
    let argument: Vec<&str> = parts.iter().map(|(_, p)| p.as_str()).collect();
    let mut candidate = Candidate::new(
        format!("pass `{}` to `{}()`", argument.join(", "), target.qualname),
        file,
        edits,
    );
    candidate.evidence.push(format!(
        "`{}()` in {} requires {}; value {}",
        target.qualname,
        target.module.rel,
        wanted.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", "),
        sources.join(", ")
    ));
    Proposal::Candidates(vec![candidate])
}

/// The index of a parameter that can be passed by position.
fn position(params: &[Param], name: &str) -> Option<usize> {
    let index = params.iter().position(|p| p.name == name)?;
    params[..=index]
        .iter()
        .all(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
        .then_some(index)
}

/// The literal most often passed for `name` (as `name=`, or at `index` by
/// position) to the function elsewhere: in this test file, the module that
/// defines it, and other test modules.
fn value_other_calls_pass(
    ctx: &Context,
    src: &Source,
    target: &Target,
    name: &str,
    index: Option<usize>,
) -> Option<String> {
    let callee = callee_of(&target.qualname).to_string();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut count_in = |source: &Source| {
        for call in source.calls_named(source.root(), &callee, None) {
            let Some(args) = call_args(call) else { continue };
            for (key, value, _) in &args.keywords {
                if source.text_of(*key) == name && is_literal(source, *value) {
                    *counts.entry(source.text_of(*value).to_string()).or_default() += 1;
                }
            }
            if let Some(value) = index
                .and_then(|i| args.positional.get(i))
                .filter(|v| is_literal(source, **v))
            {
                if !args.has_splat {
                    *counts.entry(source.text_of(*value).to_string()).or_default() += 1;
                }
            }
        }
    };
    count_in(src);
    let mut others: Vec<PathBuf> = vec![target.module.path.clone()];
    for module in ctx.workspace.modules().filter(|m| m.is_test) {
        others.push(module.path.clone());
    }
    for path in others.into_iter().take(200) {
        let Some(text) = ctx.texts.get(&path) else { continue };
        if !text.contains(&format!("{callee}(")) {
            continue;
        }
        count_in(&Source::parse(text.into_owned()));
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(v, _)| v)
}

/// A neutral value of an annotated type.
fn placeholder(annotation: Option<&str>, quote: char) -> Option<String> {
    let annotation = annotation?.trim();
    let compact: String = annotation.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with("Optional[")
        || compact.starts_with("typing.Optional[")
        || compact.split('|').any(|p| p == "None")
    {
        return Some("None".to_string());
    }
    let head = compact.split('[').next().unwrap_or(&compact);
    let head = head.rsplit('.').next().unwrap_or(head);
    let value = match head {
        "int" => "0".to_string(),
        "float" => "0.0".to_string(),
        "complex" => "0j".to_string(),
        "str" => string_literal("", quote),
        "bytes" => "b\"\"".to_string(),
        "bool" => "False".to_string(),
        "list" | "List" | "Sequence" | "Iterable" | "MutableSequence" | "Collection" => "[]".to_string(),
        "dict" | "Dict" | "Mapping" | "MutableMapping" => "{}".to_string(),
        "tuple" | "Tuple" => "()".to_string(),
        "set" | "Set" | "AbstractSet" | "MutableSet" => "set()".to_string(),
        "frozenset" | "FrozenSet" => "frozenset()".to_string(),
        "None" => "None".to_string(),
        _ => return None,
    };
    Some(value)
}

fn passed_names<'a>(src: &'a Source, args: &CallArgs, params: &'a [Param]) -> Vec<&'a str> {
    let mut passed: Vec<&str> = params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
        .take(args.positional.len())
        .map(|p| p.name.as_str())
        .collect();
    passed.extend(args.keywords.iter().map(|(n, _, _)| src.text_of(*n)));
    passed
}

fn unexpected(
    file: &Path,
    src: &Source,
    calls: &[CallArgs],
    target: &Target,
    old: Option<&[Param]>,
    keyword: &str,
    function: &str,
) -> Proposal {
    let args = &calls[0];
    if !args.keywords.iter().any(|(n, _, _)| src.text_of(*n) == keyword) {
        return Proposal::refuse(format!("the call does not pass `{keyword}=`"));
    }
    let passed = passed_names(src, args, &target.params);
    let open: Vec<&Param> = target
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Regular | ParamKind::KeywordOnly))
        .filter(|p| !passed.contains(&p.name.as_str()))
        .collect();
    let mut choices: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, why: String| {
        if !choices.iter().any(|(n, _)| n == name) {
            choices.push((name.to_string(), why));
        }
    };
    if let Some(old) = old {
        let is_new = |p: &&Param| !old.iter().any(|o| o.name == p.name);
        // Same position, new name.
        if let Some(index) = old.iter().position(|p| p.name == keyword) {
            if let Some(p) = target
                .params
                .get(index)
                .filter(|p| is_new(p) && open.iter().any(|o| o.name == p.name))
            {
                push(
                    &p.name,
                    format!("`{keyword}` was renamed `{}` (same position, per git)", p.name),
                );
            }
        }
        let new_ones: Vec<&str> = open.iter().filter(|p| is_new(p)).map(|p| p.name.as_str()).collect();
        for (name, _) in names::ranked(keyword, new_ones.iter().copied(), 0.0) {
            push(name, format!("`{name}` is a new parameter of `{function}()` (per git)"));
        }
    }
    let open_names: Vec<&str> = open.iter().map(|p| p.name.as_str()).collect();
    for (name, _) in names::ranked(keyword, open_names.iter().copied(), 0.5) {
        push(name, format!("`{name}` is the parameter closest to `{keyword}`"));
    }
    if open_names.len() == 1 {
        push(
            open_names[0],
            format!("`{}` is the only parameter the call does not pass", open_names[0]),
        );
    }
    let candidates = choices
        .into_iter()
        .take(3)
        .map(|(name, why)| {
            let edits = calls
                .iter()
                .flat_map(|c| c.keywords.iter())
                .filter(|(n, _, _)| src.text_of(*n) == keyword)
                .map(|(n, _, _)| TextEdit::replace(n.byte_range(), name.clone()))
                .collect();
            let mut candidate = Candidate::new(
                format!("pass `{name}=` instead of `{keyword}=` to `{}()`", target.qualname),
                file,
                edits,
            );
            candidate.evidence.push(why);
            candidate
        })
        .collect();
    Proposal::from_candidates(
        candidates,
        &format!("no parameter of `{function}()` looks like the old `{keyword}`"),
    )
}

fn too_many(
    file: &Path,
    src: &Source,
    calls: &[CallArgs],
    target: &Target,
    old: Option<&[Param]>,
    function: &str,
) -> Proposal {
    let positional: Vec<&Param> = target
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
        .collect();
    if target.params.iter().any(|p| p.kind == ParamKind::VarPositional) {
        return Proposal::refuse(format!("`{function}()` takes any number of positional arguments"));
    }
    // What each positional argument meant when the test was written.
    let old_names: Option<Vec<&str>> = old.map(|o| {
        o.iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Regular))
            .map(|p| p.name.as_str())
            .collect()
    });
    let mut edits = Vec::new();
    let mut said: Vec<String> = Vec::new();
    for (i, args) in calls.iter().enumerate() {
        if args.has_splat || args.positional.len() <= positional.len() {
            if i == 0 {
                return Proposal::refuse(format!(
                    "the call's positional arguments fit `{function}()` as the project defines it"
                ));
            }
            continue;
        }
        match fit_call(src, args, target, &positional, old_names.as_deref()) {
            Ok((call_edits, why)) => {
                edits.extend(call_edits);
                for w in why {
                    if !said.contains(&w) {
                        said.push(w);
                    }
                }
            }
            Err(reason) if i == 0 => return Proposal::refuse(reason),
            Err(_) => {}
        }
    }
    if edits.is_empty() {
        return Proposal::refuse("nothing tells which argument no longer fits");
    }
    let description = format!("fit the call to `{}()`: {}", target.qualname, said.join(", "));
    let mut candidate = Candidate::new(description, file, edits);
    candidate
        .evidence
        .push(format!("`{}()` is defined in {}", target.qualname, target.module.rel));
    Proposal::Candidates(vec![candidate])
}

/// The edits that make one call's positional arguments fit: an argument
/// whose parameter became keyword-only is passed by keyword, one whose
/// parameter was removed is dropped.
fn fit_call(
    src: &Source,
    args: &CallArgs,
    target: &Target,
    positional: &[&Param],
    old_names: Option<&[&str]>,
) -> Result<(Vec<TextEdit>, Vec<String>), String> {
    let passed = passed_names(src, args, &target.params);
    let keyword_only: Vec<&str> = target
        .params
        .iter()
        .filter(|p| p.kind == ParamKind::KeywordOnly && !passed.contains(&p.name.as_str()))
        .map(|p| p.name.as_str())
        .collect();
    let mut edits = Vec::new();
    let mut said = Vec::new();
    match old_names {
        Some(old_names) if old_names.len() >= args.positional.len() => {
            let kept: Vec<&str> = old_names[..args.positional.len()]
                .iter()
                .copied()
                .filter(|n| positional.iter().any(|p| p.name == *n))
                .collect();
            let in_order = kept.iter().zip(positional.iter()).all(|(k, p)| *k == p.name);
            if !in_order {
                return Err("the parameters were reordered; pass them by keyword by hand".to_string());
            }
            for (node, name) in args.positional.iter().zip(old_names.iter()) {
                if positional.iter().any(|p| p.name == *name) {
                    continue;
                }
                if target
                    .params
                    .iter()
                    .any(|p| p.name == *name && p.kind == ParamKind::KeywordOnly)
                {
                    edits.push(TextEdit::replace(
                        node.byte_range(),
                        format!("{name}={}", src.text_of(*node)),
                    ));
                    said.push(format!("`{name}` became keyword-only"));
                } else {
                    edits.push(remove_argument(src, *node));
                    said.push(format!("`{name}` was removed"));
                }
            }
        }
        _ => {
            let extra = &args.positional[positional.len()..];
            if extra.len() <= keyword_only.len() {
                for (node, name) in extra.iter().zip(keyword_only.iter()) {
                    edits.push(TextEdit::replace(
                        node.byte_range(),
                        format!("{name}={}", src.text_of(*node)),
                    ));
                    said.push(format!("`{name}` is keyword-only"));
                }
            } else {
                for node in extra {
                    edits.push(remove_argument(src, *node));
                }
                said.push(format!(
                    "`{}()` takes {} positional arguments",
                    target.qualname,
                    positional.len()
                ));
            }
        }
    }
    Ok((edits, said))
}
