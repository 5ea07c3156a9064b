//! Pytest source for the chosen cases: one test per case, or one
//! parametrized test for cases of the same shape; every test asserts a value,
//! an exception or a change of state.
//!
//! This file groups the cases and names the tests; `body` writes a test's
//! lines, `parametrized` folds cases of one shape into a table.

mod body;
mod parametrized;

use super::plan::{args_for, Arg, Picks, TargetPlan, GENERATOR_BOUND};
use super::probe::{Attr, CaseRecord, Description, ProbeCase};
use super::pysrc;
use body::{body, Columns};
use parametrized::parametrized;
use std::collections::BTreeSet;

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

/// `test_<stem>_raises_<exception>`: the name of a test whose case raises.
pub(super) fn raises_name(c: &Chosen) -> String {
    let exc = c
        .record
        .exception
        .as_ref()
        .map(|e| pysrc::snake_case(&e.name))
        .unwrap_or_else(|| "error".to_string());
    format!("test_{}_raises_{exc}", c.plan.stem)
}

fn single(c: &Chosen, names: &mut BTreeSet<String>, out: &mut Rendered) -> String {
    let b = body(c, &Columns::new(), None, None);
    let label = case_label(c.plan, &c.spec.picks);
    let stem = &c.plan.stem;
    let base = match c.record.outcome.as_str() {
        "raise" if label != "typical" => format!("test_{stem}_rejects_{label}"),
        "raise" => raises_name(c),
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

#[cfg(test)]
mod tests;
