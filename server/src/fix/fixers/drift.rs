//! Assertion drift: `assert <expr> == <literal>` (or `pytest.approx(...)`)
//! whose expression now gives another value. The literal becomes the new
//! value, written in the file's style, and only when the code under test
//! changed since the test's last commit (or with `--accept-drift`).

use super::{drift_gate, Candidate, Context, Proposal};
use crate::fix::classify::Diagnosis;
use crate::fix::failure::{Failure, Operand};
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
    let Some(file) = compare.file.as_ref().map(PathBuf::from) else {
        return Proposal::refuse("the failing assertion's file is unknown");
    };
    let Some(src) = ctx.source(&file) else {
        return Proposal::refuse(format!("cannot read {}", ctx.rel(&file)));
    };
    let Some(assert) = src.innermost_at_line("assert_statement", compare.line) else {
        return Proposal::refuse(format!("no assert statement at {}:{}", ctx.rel(&file), compare.line));
    };
    let Some(test) = assert.named_child(0).filter(|n| n.kind() == "comparison_operator") else {
        return Proposal::refuse("the assertion is not a single comparison");
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
        return Proposal::refuse("the assertion chains several comparisons");
    }
    let (left, right) = (operands[0], operands[1]);
    // Which side did the author write as the expected value? A literal, or
    // a name the test binds to a literal (`expected = {...}`).
    let (expected_node, actual) = match (expected_literal(&src, left), expected_literal(&src, right)) {
        (None, Some(node)) => (node, &compare.left),
        (Some(node), None) => (node, &compare.right),
        (Some(_), Some(_)) => return Proposal::refuse("both sides of the assertion are literals"),
        (None, None) => match (bound_literal(&src, assert, left), bound_literal(&src, assert, right)) {
            (None, Some(node)) => (node, &compare.left),
            (Some(node), None) => (node, &compare.right),
            _ => {
                return Proposal::refuse_with(
                    "the expected value is not a literal: the test computes it",
                    "check the code under test, or the test's own computation of the expected value",
                )
            }
        },
    };
    let new_text = match new_literal(&src, expected_node, actual) {
        Ok(text) => text,
        Err(reason) => return Proposal::refuse(reason),
    };
    if new_text == src.text_of(expected_node) {
        return Proposal::refuse("the new value is written the same way as the old one");
    }
    let (kind, evidence) = match drift_gate(failure, ctx) {
        Ok(gate) => gate,
        Err(refusal) => return refusal,
    };
    let mut candidate = Candidate::new(
        format!(
            "expect `{}` instead of `{}`",
            one_line(&new_text),
            one_line(src.text_of(expected_node))
        ),
        &file,
        vec![TextEdit::replace(expected_node.byte_range(), new_text)],
    );
    candidate.kind = kind;
    candidate.evidence = evidence;
    Proposal::Candidates(vec![candidate])
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
