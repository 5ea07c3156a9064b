//! Pytest source for the chosen cases: one test per case, or one
//! parametrized test for cases of the same shape; every test asserts a value,
//! an exception or a change of state.

use super::plan::{args_for, Arg, Picks, TargetPlan, GENERATOR_BOUND};
use super::probe::{reserved_names, Attr, CaseRecord, Description, ProbeCase};
use super::pysrc;
use std::collections::{BTreeMap, BTreeSet};

/// A case chosen for a test, with what the probe saw.
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'a> {
    /// Index of the target among the module's targets.
    pub target: usize,
    /// Index of the case among the target's cases.
    pub case: usize,
    pub plan: &'a TargetPlan,
    pub spec: &'a ProbeCase,
    pub record: &'a CaseRecord,
}

/// Test functions, their imports, and which test runs which case.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The functions, separated by two blank lines, ending in a newline.
    pub functions: String,
    pub imports: BTreeSet<String>,
    pub tests: Vec<TestRef>,
}

/// Where a case ended up: `name` and, for parametrized tests, its `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestRef {
    pub name: String,
    pub id: Option<String>,
    pub target: usize,
    pub case: usize,
}

impl TestRef {
    /// The test's name as pytest reports it (`test_x[id]`).
    pub fn pytest_name(&self) -> String {
        match &self.id {
            Some(id) => format!("{}[{id}]", self.name),
            None => self.name.clone(),
        }
    }
}

/// Whether a record can become a test that asserts something.
pub fn assertable(record: &CaseRecord) -> bool {
    match record.outcome.as_str() {
        "raise" => record.exception.is_some(),
        "return" => {
            let watched = record.watched.values().any(|c| c.iter().any(is_literal_attr));
            match &record.value {
                Some(Description::Literal { .. }) => true,
                Some(Description::Object { attrs, .. }) => attrs.iter().any(is_literal_attr) || watched,
                Some(Description::Unstable) | None => watched,
            }
        }
        _ => false,
    }
}

fn is_literal_attr(a: &Attr) -> bool {
    matches!(a.desc, Description::Literal { .. })
}

/// The label of a case: the labels of the values that differ from the
/// baseline call, or `typical`.
pub fn case_label(plan: &TargetPlan, picks: &Picks) -> String {
    let mut parts = Vec::new();
    for (d, pick) in picks.iter().enumerate() {
        let dim = &plan.dims[d];
        let baseline = if dim.optional || dim.values.is_empty() {
            None
        } else {
            Some(0)
        };
        if let Some(v) = pick {
            if *pick != baseline {
                parts.push(dim.values[*v].label.clone());
            }
        }
    }
    if parts.is_empty() {
        "typical".to_string()
    } else {
        let label = parts.join("_and_");
        pysrc::slug(&label, 60)
    }
}

/// Renders the tests for `chosen` (grouped by target, in order), avoiding
/// the names in `taken`.
pub fn render_tests(chosen: &[Chosen], taken: &BTreeSet<String>) -> Rendered {
    let mut out = Rendered::default();
    let mut names = taken.clone();
    let mut blocks: Vec<String> = Vec::new();
    let mut targets: Vec<usize> = chosen.iter().map(|c| c.target).collect();
    targets.dedup();
    for target in targets {
        let cases: Vec<&Chosen> = chosen.iter().filter(|c| c.target == target).collect();
        // Group cases of the same shape, in order of first appearance.
        let mut groups: Vec<(Option<GroupKey>, Vec<&Chosen>)> = Vec::new();
        for c in cases {
            let key = group_key(c);
            match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
                Some((_, members)) => members.push(c),
                None => groups.push((key, vec![c])),
            }
        }
        for (key, members) in groups {
            let rendered = match (&key, members.len()) {
                (Some(key), n) if n > 1 => parametrized(key, &members, &mut names, &mut out),
                _ => None,
            };
            match rendered {
                Some(text) => blocks.push(text),
                None => {
                    for c in members {
                        blocks.push(single(c, &mut names, &mut out));
                    }
                }
            }
        }
    }
    out.functions = blocks.join("\n\n");
    out
}

/// What cases must share to be folded into one parametrized test.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GroupKey {
    raises: Option<String>,
    has_message: bool,
    approx: bool,
    unbounded: bool,
    consumed: bool,
    ctor_args: Vec<Arg>,
    args: Vec<Arg>,
}

fn group_key(c: &Chosen) -> Option<GroupKey> {
    let plan = c.plan;
    let picks = &c.spec.picks;
    let candidate_setup = picks.iter().enumerate().any(|(d, p)| {
        p.is_some_and(|v| {
            let cand = &plan.dims[d].values[v];
            cand.tmp_path || !cand.setup.is_empty()
        })
    });
    if candidate_setup || asserted_watches(c).next().is_some() {
        return None;
    }
    let (raises, has_message, approx, unbounded) = match c.record.outcome.as_str() {
        "raise" => {
            let e = c.record.exception.as_ref()?;
            let src = e.type_source.as_ref()?.src.clone();
            (
                Some(src),
                e.message.as_deref().is_some_and(|m| !m.is_empty()),
                false,
                false,
            )
        }
        "return" => match &c.record.value {
            Some(Description::Literal { approx, tmp_path, .. }) if !tmp_path => (None, false, *approx, unbounded(c)),
            _ => return None,
        },
        _ => return None,
    };
    Some(GroupKey {
        raises,
        has_message,
        approx,
        unbounded,
        consumed: c.record.consumed,
        ctor_args: args_for(&plan.dims, 0..plan.ctor_dims, picks),
        args: args_for(&plan.dims, plan.ctor_dims..plan.dims.len(), picks),
    })
}

/// A generator (or `__iter__`) the probe saw end within the bound is
/// consumed whole.
fn unbounded(c: &Chosen) -> bool {
    // An exception the probe saw came before the bound, too.
    (c.plan.consumes_iterator() || c.record.consumed)
        && (c.record.outcome == "raise"
            || matches!(
                &c.record.value,
                Some(Description::Literal { len: Some(n), .. }) if *n <= GENERATOR_BOUND
            ))
}

/// Watched variables with changes worth asserting, and those changes.
fn asserted_watches<'r>(c: &Chosen<'r>) -> impl Iterator<Item = (&'r String, Vec<&'r Attr>)> {
    let record: &'r CaseRecord = c.record;
    record.watched.iter().filter_map(|(var, changes)| {
        let literal: Vec<&Attr> = changes.iter().filter(|a| is_literal_attr(a)).collect();
        let public: Vec<&Attr> = literal.iter().copied().filter(|a| !a.private).collect();
        let chosen = if public.is_empty() { literal } else { public };
        (!chosen.is_empty()).then(|| (var, chosen.into_iter().take(4).collect()))
    })
}

/// Lines of a test body and what they need.
#[derive(Default)]
struct Body {
    lines: Vec<String>,
    imports: BTreeSet<String>,
    tmp_path: bool,
}

/// Column names for parametrized dimensions; everything else is inlined.
type Columns = BTreeMap<usize, String>;

fn body(c: &Chosen, columns: &Columns, expected: Option<&str>, message: Option<&str>) -> Body {
    let plan = c.plan;
    let picks = &c.spec.picks;
    let mut b = Body::default();
    b.imports.extend(plan.imports.iter().cloned());
    for (d, pick) in picks.iter().enumerate() {
        if let Some(v) = pick {
            let cand = &plan.dims[d].values[*v];
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
    let watches: Vec<(&String, Vec<&Attr>)> = asserted_watches(c).collect();
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
    if plan.wrap == super::plan::Wrap::Async {
        b.imports.insert("import asyncio".to_string());
    }
    match c.record.outcome.as_str() {
        "raise" => {
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
        _ => {
            let value = c.record.value.as_ref();
            match (expected, value) {
                (Some(col), Some(Description::Literal { approx, .. })) => {
                    b.lines.push(equality(&call, col, *approx));
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
                        "None" if !watches.is_empty() => b.lines.push(call.clone()),
                        "None" | "True" | "False" => b.lines.push(format!("assert {call} is {src}")),
                        _ => b.lines.push(equality(&call, src, *approx)),
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
                _ => b.lines.push(call.clone()),
            }
            // The instance first, then bound arguments, as the call reads.
            let mut ordered = watches.clone();
            ordered.sort_by_key(|(var, _)| (Some(*var) != plan.var.as_ref(), (*var).clone()));
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

fn message_prefix(message: &str) -> String {
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

fn test_name(base: &str, names: &mut BTreeSet<String>) -> String {
    let mut name = base.to_string();
    if name.len() > 80 {
        let cut = name[..80].rfind('_').unwrap_or(80);
        name.truncate(cut);
    }
    let stem = name.clone();
    let mut n = 2;
    while names.contains(&name) {
        name = format!("{stem}_{n}");
        n += 1;
    }
    names.insert(name.clone());
    name
}

fn single(c: &Chosen, names: &mut BTreeSet<String>, out: &mut Rendered) -> String {
    let b = body(c, &Columns::new(), None, None);
    let label = case_label(c.plan, &c.spec.picks);
    let stem = &c.plan.stem;
    let base = match c.record.outcome.as_str() {
        "raise" if label != "typical" => format!("test_{stem}_rejects_{label}"),
        "raise" => {
            let exc = c
                .record
                .exception
                .as_ref()
                .map(|e| pysrc::snake_case(&e.name))
                .unwrap_or_else(|| "error".to_string());
            format!("test_{stem}_raises_{exc}")
        }
        _ if label != "typical" => format!("test_{stem}_with_{label}"),
        _ => match &c.record.value {
            // Called for its effect: say which state it changes.
            Some(Description::Literal { src, .. }) if src == "None" => {
                match asserted_watches(c)
                    .next()
                    .and_then(|(_, changes)| changes.first().map(|a| pysrc::slug(&a.template.replace("{}", ""), 30)))
                {
                    Some(attr) if !attr.is_empty() => format!("test_{stem}_changes_{attr}"),
                    _ => format!("test_{stem}_returns_none"),
                }
            }
            Some(Description::Literal { src, .. }) if !src.is_empty() => {
                let slug = pysrc::slug(src, 30);
                if slug.is_empty() || src.len() > 40 {
                    format!("test_{stem}")
                } else {
                    format!("test_{stem}_returns_{slug}")
                }
            }
            _ => format!("test_{stem}"),
        },
    };
    let name = test_name(&pysrc::slug(&base, 200), names);
    out.imports.extend(b.imports.iter().cloned());
    out.tests.push(TestRef {
        name: name.clone(),
        id: None,
        target: c.target,
        case: c.case,
    });
    let params = if b.tmp_path { "tmp_path" } else { "" };
    let mut text = format!("def {name}({params}):\n");
    for line in &b.lines {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn parametrized(
    key: &GroupKey,
    members: &[&Chosen],
    names: &mut BTreeSet<String>,
    out: &mut Rendered,
) -> Option<String> {
    let first = members[0];
    let plan = first.plan;
    let dims: Vec<usize> = key.ctor_args.iter().chain(key.args.iter()).map(|a| a.dim).collect();
    let expr = |c: &Chosen, d: usize| -> String {
        let v = c.spec.picks[d].unwrap_or(0);
        plan.dims[d].values[v].expr.clone()
    };
    let varying: Vec<usize> = dims
        .iter()
        .copied()
        .filter(|&d| members.iter().any(|c| expr(c, d) != expr(first, d)))
        .collect();
    if varying.is_empty() {
        return None;
    }
    let mut reserved = reserved_names(plan, &plan.imports);
    reserved.insert("request".to_string());
    let own: BTreeSet<&str> = plan.dims[plan.ctor_dims..].iter().map(|d| d.param.as_str()).collect();
    let mut columns = Columns::new();
    for &d in &varying {
        let param = plan.dims[d].param.trim_start_matches('_');
        let mut name = if d < plan.ctor_dims && own.contains(param) {
            format!("init_{param}")
        } else if pysrc::is_identifier(param) {
            param.to_string()
        } else {
            "value".to_string()
        };
        while reserved.contains(&name) || columns.values().any(|c| *c == name) {
            name.push_str("_arg");
        }
        columns.insert(d, name);
    }
    // The expected value or message: a column when it varies.
    let outcome_source = |c: &Chosen| -> Option<String> {
        match &key.raises {
            Some(_) => c
                .record
                .exception
                .as_ref()
                .and_then(|e| e.message.as_deref())
                .map(|m| pysrc::string(&message_prefix(m))),
            None => match &c.record.value {
                Some(Description::Literal { src, .. }) => Some(src.clone()),
                _ => None,
            },
        }
    };
    let outcomes: Vec<Option<String>> = members.iter().map(|c| outcome_source(c)).collect();
    let outcome_varies = outcomes.iter().any(|o| *o != outcomes[0]);
    let outcome_column = match (&key.raises, outcome_varies) {
        (Some(_), true) if key.has_message => Some("message"),
        (None, true) => Some("expected"),
        _ => None,
    };
    let b = body(
        first,
        &columns,
        outcome_column.filter(|c| *c == "expected"),
        outcome_column.filter(|c| *c == "message"),
    );
    let mut imports = b.imports.clone();
    let mut rows = Vec::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut refs = Vec::new();
    for (c, outcome) in members.iter().zip(&outcomes) {
        let mut values: Vec<String> = varying.iter().map(|&d| expr(c, d)).collect();
        for &d in &varying {
            let v = c.spec.picks[d].unwrap_or(0);
            imports.extend(plan.dims[d].values[v].imports.iter().cloned());
        }
        if outcome_column.is_some() {
            values.push(outcome.clone().unwrap_or_else(|| "None".to_string()));
            if let Some(Description::Literal { imports: needed, .. }) = &c.record.value {
                imports.extend(needed.iter().cloned());
            }
        }
        let mut id = case_label(plan, &c.spec.picks);
        let stem = id.clone();
        let mut n = 2;
        while ids.contains(&id) {
            id = format!("{stem}_{n}");
            n += 1;
        }
        ids.insert(id.clone());
        rows.push(format!(
            "        pytest.param({}, id={}),",
            values.join(", "),
            pysrc::string(&id)
        ));
        refs.push((c.target, c.case, id));
    }
    if !outcome_varies && key.raises.is_none() {
        // Same expected value everywhere: it is inlined by `body`.
        if let Some(Description::Literal { imports: needed, .. }) = &first.record.value {
            imports.extend(needed.iter().cloned());
        }
    }
    let mut column_names: Vec<String> = varying.iter().map(|d| columns[d].clone()).collect();
    column_names.extend(outcome_column.map(str::to_string));
    let stem = &plan.stem;
    let base = match &key.raises {
        Some(_) => {
            let exc = first
                .record
                .exception
                .as_ref()
                .map(|e| pysrc::snake_case(&e.name))
                .unwrap_or_else(|| "error".to_string());
            format!("test_{stem}_raises_{exc}")
        }
        None => format!("test_{stem}_returns_expected"),
    };
    let name = test_name(&base, names);
    let header = if column_names.len() == 1 {
        pysrc::string(&column_names[0])
    } else {
        let quoted: Vec<String> = column_names.iter().map(|c| pysrc::string(c)).collect();
        format!("({})", quoted.join(", "))
    };
    let mut text = String::new();
    text.push_str("@pytest.mark.parametrize(\n");
    text.push_str(&format!("    {header},\n    [\n"));
    for row in rows {
        text.push_str(&row);
        text.push('\n');
    }
    text.push_str("    ],\n)\n");
    let mut params = column_names.clone();
    if b.tmp_path {
        params.push("tmp_path".to_string());
    }
    text.push_str(&format!("def {name}({}):\n", params.join(", ")));
    for line in &b.lines {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    imports.insert("import pytest".to_string());
    out.imports.extend(imports);
    for (target, case, id) in refs {
        out.tests.push(TestRef {
            name: name.clone(),
            id: Some(id),
            target,
            case,
        });
    }
    Some(text)
}

#[cfg(test)]
mod tests;
