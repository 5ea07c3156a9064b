//! A fixture that was renamed: the test (or fixture) that asks for it asks
//! for the available fixture it became. One that exists but is out of reach
//! is reported with where it is.

use super::{location, Candidate, Context, Proposal};
use crate::fix::classify::Diagnosis;
use crate::fix::failure::Failure;
use crate::fix::names;
use crate::fix::source::{descendants, line_of, with_decorators, Source, TextEdit};
use std::path::{Path, PathBuf};
use tree_sitter::Node;

pub(super) fn missing_fixture(diagnosis: &Diagnosis, failure: &Failure, ctx: &Context, name: &str) -> Proposal {
    let Some(info) = &failure.fixture else {
        return Proposal::refuse("the plugin did not describe the missing fixture");
    };
    let (file, line) = location(diagnosis, failure);
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    let requester = info.requested_by.as_deref().unwrap_or_default();
    let Some(function) = find_requester(&src, requester, line.unwrap_or(0)) else {
        return Proposal::refuse(format!("`{requester}` not found in {}", ctx.rel(&file)));
    };
    // Fixtures the project defines where the test can see them.
    let mut files: Vec<PathBuf> = vec![failure.file.clone()];
    files.extend(super::mock::conftests(ctx, &failure.file));
    let mut defined: Vec<String> = Vec::new();
    let mut renamed: Vec<(String, String)> = Vec::new();
    let base = ctx.git.and_then(|g| g.last_commit_touching(&failure.file));
    for path in &files {
        let Some(text) = ctx.texts.get(path) else { continue };
        let now = fixture_names(&Source::parse(text.into_owned()));
        if let (Some(git), Some(base)) = (ctx.git, &base) {
            if let Some(old) = git.old_text(base, path) {
                let then = fixture_names(&Source::parse(old));
                if then.iter().any(|n| n == name) && !now.iter().any(|n| n == name) {
                    let new: Vec<&str> = now.iter().filter(|n| !then.contains(n)).map(String::as_str).collect();
                    for (candidate, _) in names::ranked(name, new, 0.0) {
                        renamed.push((
                            candidate.to_string(),
                            format!("{} renamed fixture `{name}` to `{candidate}` (per git)", ctx.rel(path)),
                        ));
                    }
                }
            }
        }
        defined.extend(now);
    }
    let visible = |n: &str| info.available.iter().any(|a| a == n);
    let mut choices: Vec<(String, String)> = renamed.into_iter().filter(|(n, _)| visible(n)).collect();
    let project: Vec<&str> = defined.iter().map(String::as_str).filter(|n| visible(n)).collect();
    for (candidate, _) in names::ranked(name, project, 0.5) {
        choices.push((
            candidate.to_string(),
            format!("`{candidate}` is the project's fixture closest to `{name}`"),
        ));
    }
    let builtin: Vec<&str> = info
        .available
        .iter()
        .map(String::as_str)
        .filter(|n| !defined.iter().any(|d| d == n))
        .collect();
    for (candidate, _) in names::ranked(name, builtin, 0.75) {
        choices.push((candidate.to_string(), format!("pytest provides `{candidate}`")));
    }
    let taken = parameter_names(&src, function);
    let mut candidates = Vec::new();
    for (new, why) in choices {
        if taken.contains(&new)
            || candidates
                .iter()
                .any(|c: &Candidate| c.description.contains(&format!("`{new}`")))
        {
            continue;
        }
        let mut candidate = Candidate::new(
            format!("ask for fixture `{new}` instead of `{name}` in `{requester}`"),
            &file,
            rename_fixture(&src, function, name, &new),
        );
        candidate.evidence.push(why);
        candidates.push(candidate);
        if candidates.len() == 3 {
            break;
        }
    }
    if candidates.is_empty() {
        if let Some(def) = info.definitions.first() {
            let rel = ctx.rel(Path::new(&def.file));
            return Proposal::refuse_with(
                format!(
                    "fixture `{name}` is defined in {rel}:{}, out of reach of {}",
                    def.line,
                    ctx.rel(&failure.file)
                ),
                format!("move `{name}` to a conftest.py that both {rel} and the test share"),
            );
        }
        return Proposal::refuse(format!("no available fixture looks like `{name}`"));
    }
    Proposal::Candidates(candidates)
}

/// The function asking for the fixture, nearest to `line` when the name is
/// used more than once.
fn find_requester<'a>(src: &'a Source, name: &str, line: u32) -> Option<Node<'a>> {
    descendants(src.root())
        .filter(|n| n.kind() == "function_definition" && src.def_name(*n) == Some(name))
        .min_by_key(|n| {
            line_of(with_decorators(*n))
                .abs_diff(line)
                .min(line_of(*n).abs_diff(line))
        })
}

/// Names of the functions decorated as fixtures (their `name=` if given).
fn fixture_names(src: &Source) -> Vec<String> {
    let mut out = Vec::new();
    for node in descendants(src.root()).filter(|n| n.kind() == "decorated_definition") {
        let mut cursor = node.walk();
        let decorators: Vec<Node> = node.children(&mut cursor).filter(|c| c.kind() == "decorator").collect();
        let Some(fixture) = decorators.iter().find(|d| src.text_of(**d).contains("fixture")) else {
            continue;
        };
        let explicit = descendants(*fixture)
            .filter(|n| n.kind() == "keyword_argument")
            .find(|k| k.child_by_field_name("name").is_some_and(|n| src.text_of(n) == "name"))
            .and_then(|k| k.child_by_field_name("value"))
            .map(|v| src.text_of(v).trim_matches(['"', '\'']).to_string());
        let name = explicit.or_else(|| {
            node.child_by_field_name("definition")
                .and_then(|d| src.def_name(d))
                .map(str::to_string)
        });
        out.extend(name);
    }
    out
}

fn parameter_names(src: &Source, function: Node) -> Vec<String> {
    let Some(params) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    descendants(params)
        .filter(|n| n.kind() == "identifier")
        .filter(|n| {
            n.parent().is_some_and(|p| {
                p.id() == params.id()
                    || matches!(
                        p.kind(),
                        "typed_parameter" | "default_parameter" | "typed_default_parameter"
                    )
            })
        })
        .map(|n| src.text_of(n).to_string())
        .collect()
}

/// The parameter, its uses in the body, and the name in
/// `usefixtures("…")` / `getfixturevalue("…")`.
fn rename_fixture(src: &Source, function: Node, old: &str, new: &str) -> Vec<TextEdit> {
    let mut edits: Vec<TextEdit> = src
        .name_uses(function, old)
        .into_iter()
        .map(|n| TextEdit::replace(n.byte_range(), new))
        .collect();
    let outer = with_decorators(function);
    let mut scopes: Vec<Node> = Vec::new();
    let mut cursor = outer.walk();
    scopes.extend(outer.children(&mut cursor).filter(|c| c.kind() == "decorator"));
    for call in src.calls_named(function, "getfixturevalue", None) {
        scopes.extend(crate::fix::source::call_args(call).and_then(|a| a.positional.first().copied()));
    }
    for scope in scopes {
        for (_, range, text) in src.plain_strings(scope) {
            if text == old {
                edits.push(TextEdit::replace(range, new));
            }
        }
    }
    edits.sort_by_key(|e| e.range.start);
    edits.dedup_by(|a, b| a.range == b.range);
    edits
}
