//! The lines of one test: setup, the instance, the call, and what is
//! asserted about its result, its exception or the state it changed.

use super::{asserted_watches, is_literal_attr, unbounded, Chosen};
use crate::generate::plan::{args_for, Arg, Wrap};
use crate::generate::probe::{Attr, Description};
use crate::generate::pysrc;
use std::collections::{BTreeMap, BTreeSet};

/// Lines of a test body and what they need.
#[derive(Default)]
pub(super) struct Body {
    pub(super) lines: Vec<String>,
    pub(super) imports: BTreeSet<String>,
    pub(super) tmp_path: bool,
}

/// Column names for parametrized dimensions; everything else is inlined.
pub(super) type Columns = BTreeMap<usize, String>;

/// The body of the test for `c`; `columns` name the parametrized values,
/// `expected` and `message` the parametrized outcome.
pub(super) fn body(c: &Chosen, columns: &Columns, expected: Option<&str>, message: Option<&str>) -> Body {
    let mut b = Body::default();
    b.imports.extend(c.plan.imports.iter().cloned());
    take_setup(c, columns, &mut b);
    let watches: Vec<(&String, Vec<&Attr>)> = asserted_watches(c).collect();
    let call = call_line(c, columns, &watches, &mut b);
    match c.record.outcome.as_str() {
        "raise" => raise_lines(c, &call, message, &mut b),
        _ => {
            return_lines(c, &call, expected, !watches.is_empty(), &mut b);
            // The instance first, then bound arguments, as the call reads.
            let mut ordered = watches.clone();
            ordered.sort_by_key(|(var, _)| (Some(*var) != c.plan.var.as_ref(), (*var).clone()));
            for (var, changes) in ordered {
                for a in changes {
                    b.lines.push(attr_assert(a, var, &mut b.imports, &mut b.tmp_path));
                }
            }
        }
    }
    if b.lines.iter().any(|l| l.contains("pytest.")) {
        b.imports.insert("import pytest".to_string());
    }
    b
}

/// The imports and setup of the picked values (a parametrized value's
/// imports go with its row).
fn take_setup(c: &Chosen, columns: &Columns, b: &mut Body) {
    for (d, pick) in c.spec.picks.iter().enumerate() {
        if let Some(v) = pick {
            let cand = &c.plan.dims[d].values[*v];
            if !columns.contains_key(&d) {
                b.imports.extend(cand.imports.iter().cloned());
                b.tmp_path |= cand.tmp_path;
            }
            for s in &cand.setup {
                if !b.lines.contains(s) {
                    b.lines.push(s.clone());
                }
            }
        }
    }
}

/// Builds the instance and binds watched arguments (lines in `b`), and
/// returns the call expression.
fn call_line(c: &Chosen, columns: &Columns, watches: &[(&String, Vec<&Attr>)], b: &mut Body) -> String {
    let plan = c.plan;
    let picks = &c.spec.picks;
    let asserted_vars: BTreeSet<&String> = watches.iter().map(|(v, _)| *v).collect();
    let value_of = |d: usize| -> String {
        if let Some(col) = columns.get(&d) {
            return col.clone();
        }
        let pick = picks[d].unwrap_or(0);
        plan.dims[d].values[pick].expr.clone()
    };
    let text = |a: &Arg, v: String| match &a.keyword {
        Some(k) => format!("{k}={v}"),
        None => v,
    };
    if let Some(var) = &plan.var {
        let ctor: Vec<String> = args_for(&plan.dims, 0..plan.ctor_dims, picks)
            .iter()
            .map(|a| text(a, value_of(a.dim)))
            .collect();
        if let Some(expr) = plan.instance_expr(&ctor) {
            b.lines.push(format!("{var} = {expr}"));
        }
    }
    let mut args = Vec::new();
    for a in args_for(&plan.dims, plan.ctor_dims..plan.dims.len(), picks) {
        let bound = c
            .spec
            .bindings
            .iter()
            .find(|(var, dim)| *dim == a.dim && asserted_vars.contains(var));
        match bound {
            Some((var, _)) => {
                b.lines.push(format!("{var} = {}", value_of(a.dim)));
                args.push(text(&a, var.clone()));
            }
            None => args.push(text(&a, value_of(a.dim))),
        }
    }
    let bounded = !unbounded(c);
    let call = plan.call_text_for(&args, bounded, c.record.consumed);
    if (plan.consumes_iterator() || c.record.consumed) && bounded {
        b.imports.insert("import itertools".to_string());
    }
    if plan.wrap == Wrap::Async {
        b.imports.insert("import asyncio".to_string());
    }
    call
}

/// `with pytest.raises(E, match=…):` around the call.
fn raise_lines(c: &Chosen, call: &str, message: Option<&str>, b: &mut Body) {
    let e = c.record.exception.as_ref();
    let exc = e
        .and_then(|e| e.type_source.as_ref())
        .map(|t| {
            b.imports.extend(t.imports.iter().cloned());
            t.src.clone()
        })
        .unwrap_or_else(|| "Exception".to_string());
    let matched = match (message, e.and_then(|e| e.message.as_deref())) {
        (Some(col), _) => Some(col.to_string()),
        (None, Some(m)) if !m.is_empty() => Some(pysrc::string(&message_prefix(m))),
        _ => None,
    };
    let head = match matched {
        Some(m) => {
            b.imports.insert("import re".to_string());
            format!("with pytest.raises({exc}, match=re.escape({m})):")
        }
        None => format!("with pytest.raises({exc}):"),
    };
    b.lines.push(head);
    b.lines.push(format!("    {call}"));
}

/// What the call returned, asserted; a `None` returned by a call made for
/// its effect (`watched`) is not.
fn return_lines(c: &Chosen, call: &str, expected: Option<&str>, watched: bool, b: &mut Body) {
    match (expected, c.record.value.as_ref()) {
        (Some(col), Some(Description::Literal { approx, .. })) => {
            b.lines.push(equality(call, col, *approx));
        }
        (
            None,
            Some(Description::Literal {
                src,
                imports,
                approx,
                tmp_path,
                ..
            }),
        ) => {
            b.imports.extend(imports.iter().cloned());
            b.tmp_path |= *tmp_path;
            match src.as_str() {
                "None" if watched => b.lines.push(call.to_string()),
                "None" | "True" | "False" => b.lines.push(format!("assert {call} is {src}")),
                _ => b.lines.push(equality(call, src, *approx)),
            }
        }
        (_, Some(Description::Object { type_source, attrs })) => {
            b.lines.push(format!("result = {call}"));
            if let Some(t) = type_source {
                b.imports.extend(t.imports.iter().cloned());
                b.lines.push(format!("assert isinstance(result, {})", t.src));
            }
            for a in attrs.iter().filter(|a| is_literal_attr(a)).take(6) {
                b.lines.push(attr_assert(a, "result", &mut b.imports, &mut b.tmp_path));
            }
        }
        _ => b.lines.push(call.to_string()),
    }
}

pub(super) fn message_prefix(message: &str) -> String {
    const MAX: usize = 120;
    if message.chars().count() <= MAX {
        return message.to_string();
    }
    message.chars().take(MAX).collect()
}

fn equality(call: &str, expected: &str, approx: bool) -> String {
    if approx {
        format!("assert {call} == pytest.approx({expected})")
    } else {
        format!("assert {call} == {expected}")
    }
}

fn attr_assert(a: &Attr, var: &str, imports: &mut BTreeSet<String>, tmp: &mut bool) -> String {
    let target = a.template.replace("{}", var);
    match &a.desc {
        Description::Literal {
            src,
            imports: needed,
            approx,
            tmp_path,
            ..
        } => {
            imports.extend(needed.iter().cloned());
            *tmp |= *tmp_path;
            match src.as_str() {
                "None" | "True" | "False" => format!("assert {target} is {src}"),
                _ => equality(&target, src, *approx),
            }
        }
        _ => format!("assert {target} is not None"),
    }
}
