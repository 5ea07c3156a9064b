//! Assertion drift: `assert <expr> == <literal>` (or `pytest.approx(...)`)
//! whose expression now gives another value. The literal becomes the new
//! value, written in the file's style, and only when the code under test
//! changed since the test's last commit (or with `--accept-drift`).

use super::{drift_gate, Candidate, Context, Proposal};
use crate::fix::classify::Diagnosis;
use crate::fix::failure::{Compare, Failure, Operand};
use crate::fix::literal::{is_literal, render, LiteralStyle};
use crate::fix::source::{descendants, line_of, Source, TextEdit};
use std::path::PathBuf;
use tree_sitter::Node;

pub(super) fn compare(_diagnosis: &Diagnosis, failure: &Failure, ctx: &Context, op: &str) -> Proposal {
    let Some(compare) = &failure.compare else {
        return Proposal::refuse("the plugin did not record the comparison");
    };
    if op != "==" {
        return Proposal::refuse_with(
            format!("a failed `{op}` assertion has no single new expected value"),
            "check the code under test, or update the assertion by hand",
        );
    }
    let first = match expected_edit(ctx, compare) {
        Ok(edit) => edit,
        Err(refusal) => return refusal,
    };
    let (kind, evidence) = match drift_gate(failure, ctx) {
        Ok(gate) => gate,
        Err(refusal) => return refusal,
    };
    let mut candidates = Vec::new();
    // A probe saw later assertions of the test fail too: one change of the
    // code, one edit of every expected value it moved (the first alone
    // stays as the fallback).
    let others = later_edits(ctx, failure, &first);
    if !others.is_empty() {
        let mut all = vec![first.clone()];
        all.extend(others);
        let mut by_file: Vec<(PathBuf, Vec<TextEdit>)> = Vec::new();
        for edit in &all {
            match by_file.iter_mut().find(|(f, _)| *f == edit.file) {
                Some((_, edits)) => edits.push(edit.edit.clone()),
                None => by_file.push((edit.file.clone(), vec![edit.edit.clone()])),
            }
        }
        let mut candidate = Candidate::new(
            format!("expect the values the code gives now in {} assertions", all.len()),
            &first.file,
            Vec::new(),
        );
        candidate.edits = by_file;
        candidate.kind = kind;
        candidate.evidence = evidence.clone();
        candidate
            .evidence
            .extend(all.iter().map(|e| format!("line {}: {}", e.line, e.description)));
        candidates.push(candidate);
    }
    let mut candidate = Candidate::new(first.description.clone(), &first.file, vec![first.edit.clone()]);
    candidate.kind = kind;
    candidate.evidence = evidence;
    candidates.push(candidate);
    Proposal::Candidates(candidates)
}

/// One expected value to rewrite.
#[derive(Debug, Clone)]
struct ExpectedEdit {
    file: PathBuf,
    line: u32,
    edit: TextEdit,
    description: String,
}

/// The edits for the other failed comparisons a probe recorded: each
/// assertion once, and only when every time it failed it saw the same value.
fn later_edits(ctx: &Context, failure: &Failure, first: &ExpectedEdit) -> Vec<ExpectedEdit> {
    let mut out: Vec<ExpectedEdit> = Vec::new();
    let mut conflicting: Vec<(PathBuf, std::ops::Range<usize>)> = Vec::new();
    for compare in failure.compares.iter().filter(|c| c.op == "==") {
        let Ok(edit) = expected_edit(ctx, compare) else {
            continue;
        };
        let overlaps = |a: &ExpectedEdit| {
            a.file == edit.file && a.edit.range.start < edit.edit.range.end && edit.edit.range.start < a.edit.range.end
        };
        if overlaps(first) {
            continue;
        }
        match out.iter().position(overlaps) {
            Some(i) if out[i].edit == edit.edit => {}
            Some(i) => conflicting.push((out.remove(i).file, edit.edit.range.clone())),
            None => out.push(edit),
        }
    }
    out.retain(|e| !conflicting.iter().any(|(f, r)| *f == e.file && *r == e.edit.range));
    out
}

/// The edit that makes the expected side of one failed `==` comparison the
/// value the code gave, or why there is none.
fn expected_edit(ctx: &Context, compare: &Compare) -> Result<ExpectedEdit, Proposal> {
    let Some(file) = compare.file.as_ref().map(PathBuf::from) else {
        return Err(Proposal::refuse("the failing assertion's file is unknown"));
    };
    let Some(src) = ctx.source(&file) else {
        return Err(Proposal::refuse(format!("cannot read {}", ctx.rel(&file))));
    };
    let Some(assert) = src.innermost_at_line("assert_statement", compare.line) else {
        return Err(Proposal::refuse(format!(
            "no assert statement at {}:{}",
            ctx.rel(&file),
            compare.line
        )));
    };
    let Some(test) = assert.named_child(0).filter(|n| n.kind() == "comparison_operator") else {
        return Err(Proposal::refuse("the assertion is not a single comparison"));
    };
    let mut cursor = test.walk();
    let operands: Vec<Node> = test.named_children(&mut cursor).filter(|n| !n.is_extra()).collect();
    let operators: Vec<String> = {
        let mut cursor = test.walk();
        test.children_by_field_name("operators", &mut cursor)
            .map(|o| src.text_of(o).to_string())
            .collect()
    };
    if operands.len() != 2 || operators != ["=="] {
        return Err(Proposal::refuse("the assertion chains several comparisons"));
    }
    let (left, right) = (operands[0], operands[1]);
    // Which side did the author write as the expected value? A literal, or
    // a name the test binds to a literal (`expected = {...}`).
    let (expected_node, actual) = match (expected_literal(&src, left), expected_literal(&src, right)) {
        (None, Some(node)) => (node, &compare.left),
        (Some(node), None) => (node, &compare.right),
        (Some(_), Some(_)) => return Err(Proposal::refuse("both sides of the assertion are literals")),
        (None, None) => match (bound_literal(&src, assert, left), bound_literal(&src, assert, right)) {
            (None, Some(node)) => (node, &compare.left),
            (Some(node), None) => (node, &compare.right),
            _ => {
                return Err(Proposal::refuse_with(
                    "the expected value is not a literal: the test computes it",
                    "check the code under test, or the test's own computation of the expected value",
                ))
            }
        },
    };
    let new_text = new_literal(&src, expected_node, actual).map_err(Proposal::refuse)?;
    let old_text = src.text_of(expected_node);
    if new_text == old_text {
        return Err(Proposal::refuse("the new value is written the same way as the old one"));
    }
    Ok(ExpectedEdit {
        description: format!("expect `{}` instead of `{}`", one_line(&new_text), one_line(old_text)),
        line: line_of(assert),
        edit: TextEdit::replace(expected_node.byte_range(), new_text),
        file,
    })
}

/// The literal node to replace when `side` is an expected value: the side
/// itself, or the value inside `pytest.approx(...)`.
fn expected_literal<'a>(src: &'a Source, side: Node<'a>) -> Option<Node<'a>> {
    if is_literal(src, side) {
        return Some(side);
    }
    if side.kind() == "call" {
        let function = side.child_by_field_name("function").map(|f| src.text_of(f))?;
        if function == "approx" || function.ends_with(".approx") {
            let args = crate::fix::source::call_args(side)?;
            let first = *args.positional.first()?;
            return is_literal(src, first).then_some(first);
        }
    }
    None
}

/// For `assert f() == expected`: the literal of the test function's one
/// assignment `expected = <literal>`, when the name is used nowhere else
/// but as a side of an assert comparison (nothing can have changed it).
fn bound_literal<'a>(src: &'a Source, assert: Node<'a>, side: Node<'a>) -> Option<Node<'a>> {
    if side.kind() != "identifier" {
        return None;
    }
    let name = src.text_of(side);
    let function = src.test_function_at(line_of(assert))?;
    let mut literal = None;
    for node in descendants(function).filter(|n| n.kind() == "identifier" && src.text_of(*n) == name) {
        let parent = node.parent()?;
        let assigned =
            parent.kind() == "assignment" && parent.child_by_field_name("left").is_some_and(|l| l.id() == node.id());
        let compared =
            parent.kind() == "comparison_operator" && parent.parent().is_some_and(|p| p.kind() == "assert_statement");
        if assigned && literal.is_none() && parent.start_byte() < assert.start_byte() {
            literal = Some(parent.child_by_field_name("right").filter(|r| is_literal(src, *r))?);
        } else if !compared {
            return None;
        }
    }
    literal
}

fn new_literal(src: &Source, node: Node, actual: &Operand) -> Result<String, String> {
    let value = actual
        .value
        .as_ref()
        .ok_or_else(|| format!("the new value `{}` cannot be written as a literal", short(&actual.repr)))?;
    Ok(render(value, &LiteralStyle::of(src, node)))
}

fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    short(&flat.replace("[ ", "[").replace("{ ", "{").replace("( ", "("))
}

fn short(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text.to_string()
    }
}
